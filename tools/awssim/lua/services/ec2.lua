-- EC2: images with their EBS snapshots, instances moving through their states, launch
-- templates and their versions, security groups, subnets, key pairs and tags.
--
-- Kinds (ids): ec2.image (ImageId), ec2.snapshot (SnapshotId), ec2.instance (InstanceId),
-- ec2.launch_template (LaunchTemplateId), ec2.launch_template_version ("lt-...:N"),
-- ec2.security_group (GroupId), ec2.subnet (SubnetId), ec2.key_pair (KeyName).
-- Resources are stored in boto3's output shapes; "_" fields are internal.
--
-- The default VPC of the region, its three subnets and its "default" security group exist
-- without being stored (ids derived from the region); tagging one stores it.
local sim = require "sim"
local world = require "world"
local describe = require "describe"
local json = require "wf.json"

local M = { ops = {}, hooks = {} }

-- How long things take in sim seconds (a seed's "ec2": {"durations": {...}} overrides).
M.durations = {
  instance_boot = 30,           -- pending -> running
  instance_stop = 45,           -- stopping -> stopped
  instance_terminate = 45,      -- shutting-down -> terminated
  terminated_visible = 3600,    -- terminated instances stay listed this long
  image_create = 300,           -- CreateImage: pending -> available
  image_copy = 600,             -- CopyImage: pending -> available
  snapshot = 240,               -- a snapshot of CreateImage: pending -> completed
  console_delay = 60,           -- console output appears this long after running
}

local STATE_CODES = {
  pending = 0, running = 16, ["shutting-down"] = 32, terminated = 48, stopping = 64,
  stopped = 80,
}

local AZ_LETTERS = { "a", "b", "c" }

local function data() return world.data("ec2") end

local function duration(name)
  local d = data().durations
  return (d and d[name]) or M.durations[name]
end

local function config() return sim.config() end

local function owner(ctx) return ctx and ctx.account or config().account end

local function region() return config().region end

local function state_of(name)
  return { Code = STATE_CODES[name], Name = name }
end

local function iso(t) return sim.iso8601(t or sim.now()) end

-- A stable id for built-in resources: prefix .. 17 hex digits of md5(what).
local function fixed_id(prefix, what)
  return prefix .. sim.md5_hex("awssim:" .. region() .. ":" .. what):sub(1, 17)
end

local function dry_run_guard(fn)
  return function(params, ctx)
    if params.DryRun then
      sim.error("DryRunOperation", "Request would have succeeded, but DryRun flag is set.", 412)
    end
    return fn(params, ctx)
  end
end

-- ---- the default network ------------------------------------------------------------

function M.default_vpc_id() return fixed_id("vpc-", "default-vpc") end

local function default_subnets()
  local out = {}
  for i, letter in ipairs(AZ_LETTERS) do
    local az = region() .. letter
    out[#out + 1] = {
      SubnetId = fixed_id("subnet-", "default-subnet-" .. letter),
      VpcId = M.default_vpc_id(),
      AvailabilityZone = az,
      AvailabilityZoneId = "use1-az" .. i,
      CidrBlock = ("172.31.%d.0/20"):format((i - 1) * 16),
      AvailableIpAddressCount = 4091,
      DefaultForAz = true,
      MapPublicIpOnLaunch = true,
      State = "available",
      OwnerId = config().account,
      SubnetArn = nil,
      Tags = sim.array {},
      _index = i,
    }
  end
  for _, s in ipairs(out) do
    s.SubnetArn = ("arn:aws:ec2:%s:%s:subnet/%s"):format(region(), config().account, s.SubnetId)
  end
  return out
end

local function default_security_group()
  local id = fixed_id("sg-", "default-sg")
  return {
    GroupId = id, GroupName = "default", Description = "default VPC security group",
    VpcId = M.default_vpc_id(), OwnerId = config().account,
    SecurityGroupArn = ("arn:aws:ec2:%s:%s:security-group/%s"):format(region(),
                                                                     config().account, id),
    IpPermissions = sim.array {},
    IpPermissionsEgress = { { IpProtocol = "-1", IpRanges = { { CidrIp = "0.0.0.0/0" } },
                              UserIdGroupPairs = sim.array {}, Ipv6Ranges = sim.array {},
                              PrefixListIds = sim.array {} } },
    Tags = sim.array {},
  }
end

-- Stored resources of kind followed by the built-in ones not overridden by a stored copy.
local function with_builtins(kind, builtins, id_field)
  local out = world.list(kind)
  for _, b in ipairs(builtins) do
    if not world.get(kind, b[id_field]) then out[#out + 1] = b end
  end
  return out
end

local function all_subnets()
  return with_builtins("ec2.subnet", default_subnets(), "SubnetId")
end

local function all_security_groups()
  return with_builtins("ec2.security_group", { default_security_group() }, "GroupId")
end

function M.find_subnet(id)
  local s = world.get("ec2.subnet", id)
  if s then return s end
  for _, d in ipairs(default_subnets()) do
    if d.SubnetId == id then return d end
  end
end

function M.find_security_group(id_or_name)
  for _, g in ipairs(all_security_groups()) do
    if g.GroupId == id_or_name or g.GroupName == id_or_name then return g end
  end
end

-- The subnet an instance lands in: the given one, else the default subnet of the zone.
local function subnet_for(subnet_id, az)
  if subnet_id then
    local s = M.find_subnet(subnet_id)
    if not s then
      sim.error("InvalidSubnetID.NotFound", ("The subnet ID '%s' does not exist"):format(subnet_id))
    end
    return s
  end
  local subnets = default_subnets()
  for _, s in ipairs(subnets) do
    if s.AvailabilityZone == az then return s end
  end
  if az then
    sim.error("InvalidParameterValue",
              ("Invalid availability zone: [%s]"):format(az))
  end
  return subnets[1]
end

-- ---- ids and lookups ------------------------------------------------------------------

local ID_ERRORS = {
  ["i-"] = { "InvalidInstanceID", "The instance ID '%s' does not exist" },
  ["ami-"] = { "InvalidAMIID", "The image id '[%s]' does not exist" },
  ["snap-"] = { "InvalidSnapshot", "The snapshot '%s' does not exist." },
}

local function check_format(id, prefix, malformed_code)
  if type(id) ~= "string" or not id:match("^" .. prefix:gsub("%-", "%%-") .. "%x+$") then
    sim.error(malformed_code, ("Invalid id: \"%s\" (expecting \"%s...\")"):format(tostring(id),
                                                                                 prefix))
  end
end

function M.get_image(id)
  check_format(id, "ami-", "InvalidAMIID.Malformed")
  local img = world.get("ec2.image", id)
  if not img then
    sim.error("InvalidAMIID.NotFound", ("The image id '[%s]' does not exist"):format(id))
  end
  return img
end

function M.get_instance(id)
  check_format(id, "i-", "InvalidInstanceID.Malformed")
  local inst = world.get("ec2.instance", id)
  if not inst then
    sim.error("InvalidInstanceID.NotFound", ("The instance ID '%s' does not exist"):format(id))
  end
  return inst
end

local function get_snapshot(id)
  check_format(id, "snap-", "InvalidSnapshotID.Malformed")
  local s = world.get("ec2.snapshot", id)
  if not s then
    sim.error("InvalidSnapshot.NotFound", ("The snapshot '%s' does not exist."):format(id))
  end
  return s
end

-- The resource a tag operation names, by its id's prefix; nil when it does not exist.
local function taggable(id)
  local kinds = {
    { "^i%-", "ec2.instance", "InvalidInstanceID.NotFound",
      "The instance ID '%s' does not exist" },
    { "^ami%-", "ec2.image", "InvalidAMIID.NotFound", "The image id '[%s]' does not exist" },
    { "^snap%-", "ec2.snapshot", "InvalidSnapshot.NotFound",
      "The snapshot '%s' does not exist." },
    { "^sg%-", "ec2.security_group", "InvalidGroup.NotFound",
      "The security group '%s' does not exist" },
    { "^subnet%-", "ec2.subnet", "InvalidSubnetID.NotFound",
      "The subnet ID '%s' does not exist" },
    { "^lt%-", "ec2.launch_template", "InvalidLaunchTemplateId.NotFound",
      "The launch template ID '%s' does not exist" },
    { "^key%-", "ec2.key_pair", "InvalidKeyPair.NotFound", "The key pair '%s' does not exist" },
  }
  for _, k in ipairs(kinds) do
    if id:match(k[1]) then
      local res
      if k[2] == "ec2.key_pair" then
        for _, kp in ipairs(world.list("ec2.key_pair")) do
          if kp.KeyPairId == id then res = kp end
        end
      else
        res = world.get(k[2], id)
      end
      if not res and k[2] == "ec2.subnet" then
        local builtin = M.find_subnet(id)
        if builtin then res = world.put("ec2.subnet", id, builtin) end
      elseif not res and k[2] == "ec2.security_group" then
        local builtin = M.find_security_group(id)
        if builtin then res = world.put("ec2.security_group", id, builtin) end
      end
      if not res then sim.error(k[3], k[4]:format(id)) end
      return res
    end
  end
  sim.error("InvalidID", ("The ID '%s' is not valid"):format(id))
end

-- ---- snapshots ------------------------------------------------------------------------

-- A new snapshot, pending until `after` seconds have passed (completed at once when 0).
local function new_snapshot(fields, after, ctx)
  local id = world.new_id("snap-")
  local snap = {
    SnapshotId = id,
    VolumeId = fields.VolumeId or "vol-ffffffff",
    State = after > 0 and "pending" or "completed",
    Progress = after > 0 and "0%" or "100%",
    StartTime = sim.now(),
    OwnerId = fields.OwnerId or owner(ctx),
    Description = fields.Description or "",
    VolumeSize = fields.VolumeSize or 8,
    Encrypted = fields.Encrypted or false,
    StorageTier = "standard",
    Tags = fields.Tags or sim.array {},
    _complete_at = sim.now() + after,
  }
  world.put("ec2.snapshot", id, snap)
  if after > 0 then
    world.after(after, "ec2.snapshot", id, { State = "completed", Progress = "100%" },
                "ec2.snapshot_completed")
  end
  return snap
end

function M.hooks.snapshot_completed(snap)
  if snap then snap.CompletionTime = sim.now() end
end

-- Progress of a pending snapshot, computed from the clock.
local function snapshot_view(snap)
  local out = world.public(snap)
  if snap.State == "pending" then
    local total = snap._complete_at - snap.StartTime
    local done = total > 0 and (sim.now() - snap.StartTime) / total or 1
    out.Progress = ("%d%%"):format(math.max(0, math.min(99, math.floor(done * 100))))
  end
  return out
end

-- ---- images ---------------------------------------------------------------------------

local function image_snapshot_ids(img)
  local out = {}
  for _, bdm in ipairs(img.BlockDeviceMappings or {}) do
    if bdm.Ebs and bdm.Ebs.SnapshotId then out[#out + 1] = bdm.Ebs.SnapshotId end
  end
  return out
end

local function name_in_use(name, account)
  for _, img in ipairs(world.list("ec2.image")) do
    if img.Name == name and img.OwnerId == account then return img end
  end
end

local function check_image_name(name, account)
  if type(name) ~= "string" or #name < 3 or #name > 128 or not name:match("^[%w%(%)%.%-/_ '@%[%]]+$") then
    sim.error("InvalidAMIName.Malformed",
              ("AMI names must be between 3 and 128 characters long, and may contain letters, "
               .. "numbers, '(', ')', '.', '-', '/' and '_' (got %q)"):format(tostring(name)))
  end
  local other = name_in_use(name, account)
  if other then
    sim.error("InvalidAMIName.Duplicate",
              ("AMI name %s is already in use by AMI %s"):format(name, other.ImageId))
  end
end

-- A new image in state pending (available after `after` seconds) or available (after = 0).
local function new_image(fields, after)
  local id = fields.ImageId or world.new_id("ami-")
  local img = {
    ImageId = id,
    ImageLocation = (fields.OwnerId or config().account) .. "/" .. fields.Name,
    State = after > 0 and "pending" or "available",
    OwnerId = fields.OwnerId or config().account,
    CreationDate = fields.CreationDate or iso(),
    Public = fields.Public or false,
    Architecture = fields.Architecture or "x86_64",
    ImageType = "machine",
    Name = fields.Name,
    Description = fields.Description,
    RootDeviceType = "ebs",
    RootDeviceName = fields.RootDeviceName or "/dev/xvda",
    BlockDeviceMappings = fields.BlockDeviceMappings or sim.array {},
    VirtualizationType = "hvm",
    Hypervisor = "xen",
    EnaSupport = true,
    SriovNetSupport = "simple",
    Platform = fields.Platform,
    PlatformDetails = fields.Platform == "windows" and "Windows" or "Linux/UNIX",
    UsageOperation = fields.Platform == "windows" and "RunInstances:0002" or "RunInstances",
    BootMode = fields.BootMode,
    DeprecationTime = fields.DeprecationTime,
    SourceInstanceId = fields.SourceInstanceId,
    SourceImageId = fields.SourceImageId,
    SourceImageRegion = fields.SourceImageRegion,
    Tags = fields.Tags or sim.array {},
    _console = fields._console,
  }
  world.put("ec2.image", id, img)
  if after > 0 then
    world.after(after, "ec2.image", id, { State = "available" })
  end
  return img
end

-- Snapshots (completing after `after` seconds) and block device mappings for an image
-- whose devices are described by `devices` ({DeviceName, VolumeSize, VolumeType, ...}).
local function snapshot_devices(devices, after, description, tags, ctx)
  local mappings = sim.array {}
  for _, d in ipairs(devices) do
    local snap = new_snapshot({ VolumeSize = d.VolumeSize, Description = description,
                                VolumeId = d.VolumeId, Encrypted = d.Encrypted,
                                Tags = describe.copy(tags) }, after, ctx)
    mappings[#mappings + 1] = {
      DeviceName = d.DeviceName,
      Ebs = { SnapshotId = snap.SnapshotId, VolumeSize = snap.VolumeSize,
              VolumeType = d.VolumeType or "gp3", DeleteOnTermination = true,
              Encrypted = snap.Encrypted },
    }
  end
  return mappings
end

-- Images visible to a DescribeImages call: deprecated ones only for their owner or when
-- asked (as AWS does).
local function image_deprecated(img)
  local t = img.DeprecationTime and sim.parse_time(img.DeprecationTime)
  return t ~= nil and t <= sim.now()
end

local IMAGE_FILTERS = {
  ["image-id"] = function(i) return i.ImageId end,
  name = function(i) return i.Name end,
  state = function(i) return i.State end,
  ["owner-id"] = function(i) return i.OwnerId end,
  ["owner-alias"] = function(i) return i.ImageOwnerAlias end,
  architecture = function(i) return i.Architecture end,
  ["image-type"] = function(i) return i.ImageType end,
  ["is-public"] = function(i) return tostring(i.Public) end,
  ["root-device-type"] = function(i) return i.RootDeviceType end,
  ["root-device-name"] = function(i) return i.RootDeviceName end,
  ["virtualization-type"] = function(i) return i.VirtualizationType end,
  hypervisor = function(i) return i.Hypervisor end,
  description = function(i) return i.Description end,
  platform = function(i) return i.Platform end,
  ["platform-details"] = function(i) return i.PlatformDetails end,
  ["source-instance-id"] = function(i) return i.SourceInstanceId end,
  ["block-device-mapping.snapshot-id"] = function(i) return image_snapshot_ids(i) end,
  ["creation-date"] = function(i) return i.CreationDate end,
}

function M.ops.DescribeImages(params, ctx)
  local wanted = describe.set(params.ImageIds)
  if wanted then
    for id in pairs(wanted) do M.get_image(id) end
  end
  local owners
  if params.Owners and #params.Owners > 0 then
    owners = {}
    for _, o in ipairs(params.Owners) do owners[o == "self" and ctx.account or o] = true end
  end
  local out = {}
  for _, img in ipairs(world.list("ec2.image")) do
    local visible = img.OwnerId == ctx.account or img.Public or wanted
    local hide_deprecated = not params.IncludeDeprecated and not wanted
                            and img.OwnerId ~= ctx.account and image_deprecated(img)
    if visible and not hide_deprecated
       and (not wanted or wanted[img.ImageId])
       and (not owners or owners[img.OwnerId] or (owners.amazon and img.ImageOwnerAlias == "amazon"))
       and describe.matches(img, params.Filters, IMAGE_FILTERS) then
      out[#out + 1] = img
    end
  end
  local page, token = describe.page(out, params.NextToken, params.MaxResults)
  return { Images = describe.map(page, world.public), NextToken = token }
end

-- The devices of an instance as CreateImage snapshots them.
local function instance_devices(inst, overrides)
  local devices = {}
  for _, bdm in ipairs(inst.BlockDeviceMappings or {}) do
    devices[#devices + 1] = { DeviceName = bdm.DeviceName, VolumeId = bdm.Ebs and bdm.Ebs.VolumeId,
                              VolumeSize = inst._volume_sizes and inst._volume_sizes[bdm.DeviceName]
                                           or 8 }
  end
  for _, o in ipairs(overrides or {}) do
    if o.Ebs and o.DeviceName then
      local found = false
      for _, d in ipairs(devices) do
        if d.DeviceName == o.DeviceName then
          d.VolumeSize = o.Ebs.VolumeSize or d.VolumeSize
          d.VolumeType = o.Ebs.VolumeType
          found = true
        end
      end
      if not found then
        devices[#devices + 1] = { DeviceName = o.DeviceName, VolumeSize = o.Ebs.VolumeSize or 8,
                                  VolumeType = o.Ebs.VolumeType }
      end
    end
  end
  return devices
end

function M.ops.CreateImage(params, ctx)
  local inst = M.get_instance(params.InstanceId)
  local st = inst.State.Name
  if st ~= "running" and st ~= "stopped" and st ~= "stopping" then
    sim.error("IncorrectInstanceState",
              ("The instance '%s' is not in a state from which it can be imaged."):format(inst.InstanceId))
  end
  check_image_name(params.Name, ctx.account)
  local source = world.get("ec2.image", inst.ImageId)
  local after = duration("image_create")
  local snap_tags = describe.tags_for(params.TagSpecifications, "snapshot")
  local mappings = snapshot_devices(instance_devices(inst, params.BlockDeviceMappings),
                                    math.min(duration("snapshot"), after),
                                    ("Created by CreateImage(%s) for %s"):format(inst.InstanceId,
                                                                                "ami-pending"),
                                    snap_tags, ctx)
  local img = new_image({
    Name = params.Name, Description = params.Description, OwnerId = ctx.account,
    Architecture = inst.Architecture, Platform = inst.Platform,
    BlockDeviceMappings = mappings, SourceInstanceId = inst.InstanceId,
    RootDeviceName = inst.RootDeviceName,
    Tags = describe.tags_for(params.TagSpecifications, "image"),
    _console = source and source._console,
  }, after)
  -- The snapshots' description names the image, as AWS writes it.
  for _, id in ipairs(image_snapshot_ids(img)) do
    local snap = world.get("ec2.snapshot", id)
    snap.Description = ("Created by CreateImage(%s) for %s"):format(inst.InstanceId, img.ImageId)
  end
  return { ImageId = img.ImageId }
end

function M.ops.CopyImage(params, ctx)
  if params.SourceRegion and params.SourceRegion ~= ctx.region and params.SourceRegion ~= region() then
    -- One world holds every region's images: look the source up all the same.
    sim.log(("CopyImage from %s: awssim has one region's images"):format(params.SourceRegion))
  end
  local src = M.get_image(params.SourceImageId)
  if src.State ~= "available" then
    sim.error("IncorrectState", ("Image %s is not in a valid state for copying (%s)"):format(
                src.ImageId, src.State))
  end
  check_image_name(params.Name, ctx.account)
  local after = duration("image_copy")
  local devices = {}
  for _, bdm in ipairs(src.BlockDeviceMappings or {}) do
    if bdm.Ebs then
      devices[#devices + 1] = { DeviceName = bdm.DeviceName, VolumeSize = bdm.Ebs.VolumeSize,
                                VolumeType = bdm.Ebs.VolumeType, Encrypted = params.Encrypted }
    end
  end
  local tags = describe.tags_for(params.TagSpecifications, "image")
  if params.CopyImageTags then
    local copied = describe.copy(src.Tags or {})
    tags = describe.merge_tags(sim.array(copied), tags)
  end
  local img = new_image({
    Name = params.Name, Description = params.Description or src.Description,
    OwnerId = ctx.account, Architecture = src.Architecture, Platform = src.Platform,
    RootDeviceName = src.RootDeviceName, BootMode = src.BootMode,
    BlockDeviceMappings = snapshot_devices(devices, math.min(duration("snapshot"), after),
                                           "Copied for DestinationAmi from SourceAmi "
                                           .. src.ImageId, describe.tags_for(
                                             params.TagSpecifications, "snapshot"), ctx),
    SourceImageId = src.ImageId, SourceImageRegion = params.SourceRegion,
    Tags = tags, _console = src._console,
  }, after)
  return { ImageId = img.ImageId }
end

function M.ops.DeregisterImage(params, ctx)
  local img = M.get_image(params.ImageId)
  world.remove("ec2.image", img.ImageId)
  local results
  if params.DeleteAssociatedSnapshots then
    results = sim.array {}
    for _, id in ipairs(image_snapshot_ids(img)) do
      local code = "success"
      if world.get("ec2.snapshot", id) then world.remove("ec2.snapshot", id) else code = "missing-permissions" end
      results[#results + 1] = { SnapshotId = id, ReturnCode = code }
    end
  end
  return { Return = true, DeleteSnapshotResults = results }
end

function M.ops.EnableImageDeprecation(params, ctx)
  local img = M.get_image(params.ImageId)
  local at = params.DeprecateAt
  if type(at) == "string" then at = sim.parse_time(at) end
  if type(at) ~= "number" then
    sim.error("InvalidParameterValue", "DeprecateAt must be a timestamp")
  end
  -- AWS rounds up to the next minute.
  at = math.ceil(at / 60) * 60
  img.DeprecationTime = iso(at)
  return { Return = true }
end

-- ---- snapshots (API) ------------------------------------------------------------------

local SNAPSHOT_FILTERS = {
  ["snapshot-id"] = function(s) return s.SnapshotId end,
  ["volume-id"] = function(s) return s.VolumeId end,
  status = function(s) return s.State end,
  ["owner-id"] = function(s) return s.OwnerId end,
  description = function(s) return s.Description end,
  progress = function(s) return snapshot_view(s).Progress end,
  ["volume-size"] = function(s) return tostring(s.VolumeSize) end,
  encrypted = function(s) return tostring(s.Encrypted) end,
  ["start-time"] = function(s) return iso(s.StartTime) end,
}

function M.ops.DescribeSnapshots(params, ctx)
  local wanted = describe.set(params.SnapshotIds)
  if wanted then
    for id in pairs(wanted) do get_snapshot(id) end
  end
  local owners
  if params.OwnerIds and #params.OwnerIds > 0 then
    owners = {}
    for _, o in ipairs(params.OwnerIds) do owners[o == "self" and ctx.account or o] = true end
  end
  local out = {}
  for _, s in ipairs(world.list("ec2.snapshot")) do
    if (not wanted or wanted[s.SnapshotId]) and (not owners or owners[s.OwnerId])
       and describe.matches(s, params.Filters, SNAPSHOT_FILTERS) then
      out[#out + 1] = s
    end
  end
  local page, token = describe.page(out, params.NextToken, params.MaxResults)
  return { Snapshots = describe.map(page, snapshot_view), NextToken = token }
end

function M.ops.DeleteSnapshot(params, ctx)
  local snap = get_snapshot(params.SnapshotId)
  for _, img in ipairs(world.list("ec2.image")) do
    for _, id in ipairs(image_snapshot_ids(img)) do
      if id == snap.SnapshotId then
        sim.error("InvalidSnapshot.InUse", ("The snapshot %s is currently in use by %s"):format(
                    id, img.ImageId))
      end
    end
  end
  world.remove("ec2.snapshot", snap.SnapshotId)
  return {}
end

-- ---- launch templates -----------------------------------------------------------------

local function template_by_name(name)
  for _, lt in ipairs(world.list("ec2.launch_template")) do
    if lt.LaunchTemplateName == name then return lt end
  end
end

-- The launch template named by id or name, or the AWS error for a missing one.
function M.get_launch_template(id, name)
  if id then
    local lt = world.get("ec2.launch_template", id)
    if not lt then
      sim.error("InvalidLaunchTemplateId.NotFound",
                ("The specified launch template, with template ID %s, does not exist."):format(id))
    end
    return lt
  end
  if name then
    local lt = template_by_name(name)
    if not lt then
      sim.error("InvalidLaunchTemplateName.NotFoundException",
                ("The specified launch template, with template name %s, does not exist."):format(name))
    end
    return lt
  end
  sim.error("MissingParameter", "The request must contain the parameter LaunchTemplateName or LaunchTemplateId")
end

local function version_number(lt, spec)
  if spec == nil or spec == "$Default" then return lt.DefaultVersionNumber end
  if spec == "$Latest" then return lt.LatestVersionNumber end
  local n = tonumber(spec)
  if not n then
    sim.error("InvalidLaunchTemplateId.VersionNotFound",
              ("Could not find launch template version %s for launch template with ID %s."):format(
                tostring(spec), lt.LaunchTemplateId))
  end
  return math.tointeger(n) or n
end

-- The version record a launch template specification ({LaunchTemplateId | Name,
-- Version}) resolves to.
function M.resolve_launch_template(spec)
  local lt = M.get_launch_template(spec.LaunchTemplateId, spec.LaunchTemplateName)
  local n = version_number(lt, spec.Version)
  local v = world.get("ec2.launch_template_version", lt.LaunchTemplateId .. ":" .. n)
  if not v then
    sim.error("InvalidLaunchTemplateId.VersionNotFound",
              ("Could not find launch template version %s for launch template with ID %s."):format(
                tostring(spec.Version or n), lt.LaunchTemplateId))
  end
  return v, lt
end

local function add_template_version(lt, data, description, created_by)
  local n = (lt.LatestVersionNumber or 0) + 1
  lt.LatestVersionNumber = n
  local v = {
    LaunchTemplateId = lt.LaunchTemplateId,
    LaunchTemplateName = lt.LaunchTemplateName,
    VersionNumber = n,
    VersionDescription = description,
    CreateTime = sim.now(),
    CreatedBy = created_by,
    DefaultVersion = n == lt.DefaultVersionNumber,
    LaunchTemplateData = data or {},
  }
  world.put("ec2.launch_template_version", lt.LaunchTemplateId .. ":" .. n, v)
  return v
end

-- Creates a launch template with its first version (CloudFormation and seeds use this).
-- fields: LaunchTemplateName, LaunchTemplateData, VersionDescription, Tags.
function M.create_launch_template(fields, ctx)
  local name = fields.LaunchTemplateName
  if template_by_name(name) then
    sim.error("InvalidLaunchTemplateName.AlreadyExistsException",
              ("Launch template name already in use."))
  end
  local id = fields.LaunchTemplateId or world.new_id("lt-")
  local created_by = ("arn:aws:iam::%s:root"):format(owner(ctx))
  local lt = world.put("ec2.launch_template", id, {
    LaunchTemplateId = id, LaunchTemplateName = name, CreateTime = sim.now(),
    CreatedBy = created_by, DefaultVersionNumber = 1, LatestVersionNumber = 0,
    Tags = fields.Tags or sim.array {},
  })
  add_template_version(lt, fields.LaunchTemplateData, fields.VersionDescription, created_by)
  return lt
end

-- Removes a launch template and all its versions.
function M.delete_launch_template(id)
  local lt = world.get("ec2.launch_template", id)
  if not lt then return end
  for n = 1, lt.LatestVersionNumber do world.remove("ec2.launch_template_version", id .. ":" .. n) end
  world.remove("ec2.launch_template", id)
end

local LT_FILTERS = {
  ["launch-template-name"] = function(t) return t.LaunchTemplateName end,
  ["create-time"] = function(t) return iso(t.CreateTime) end,
}

function M.ops.DescribeLaunchTemplates(params, ctx)
  local out = {}
  if params.LaunchTemplateIds and #params.LaunchTemplateIds > 0 then
    for _, id in ipairs(params.LaunchTemplateIds) do
      out[#out + 1] = M.get_launch_template(id)
    end
  elseif params.LaunchTemplateNames and #params.LaunchTemplateNames > 0 then
    for _, name in ipairs(params.LaunchTemplateNames) do
      out[#out + 1] = M.get_launch_template(nil, name)
    end
  else
    out = world.list("ec2.launch_template")
  end
  local kept = {}
  for _, lt in ipairs(out) do
    if describe.matches(lt, params.Filters, LT_FILTERS) then kept[#kept + 1] = lt end
  end
  local page, token = describe.page(kept, params.NextToken, params.MaxResults)
  return { LaunchTemplates = describe.map(page, world.public), NextToken = token }
end

local LTV_FILTERS = {
  ["image-id"] = function(v) return v.LaunchTemplateData.ImageId end,
  ["instance-type"] = function(v) return v.LaunchTemplateData.InstanceType end,
  ["is-default-version"] = function(v) return tostring(v.DefaultVersion) end,
  ["key-name"] = function(v) return v.LaunchTemplateData.KeyName end,
  ["create-time"] = function(v) return iso(v.CreateTime) end,
}

local function version_view(v)
  local lt = world.get("ec2.launch_template", v.LaunchTemplateId)
  local out = world.public(v)
  out.DefaultVersion = lt ~= nil and lt.DefaultVersionNumber == v.VersionNumber
  return out
end

function M.ops.DescribeLaunchTemplateVersions(params, ctx)
  local templates
  if params.LaunchTemplateId or params.LaunchTemplateName then
    templates = { M.get_launch_template(params.LaunchTemplateId, params.LaunchTemplateName) }
  else
    templates = world.list("ec2.launch_template")
  end
  local out = {}
  local min_v = params.MinVersion and tonumber(params.MinVersion)
  local max_v = params.MaxVersion and tonumber(params.MaxVersion)
  for _, lt in ipairs(templates) do
    local numbers = {}
    if params.Versions and #params.Versions > 0 then
      local seen = {}
      for _, spec in ipairs(params.Versions) do
        local n = version_number(lt, spec)
        if not world.get("ec2.launch_template_version", lt.LaunchTemplateId .. ":" .. n) then
          sim.error("InvalidLaunchTemplateId.VersionNotFound",
                    ("Could not find launch template version %s for launch template with ID %s."):format(
                      tostring(spec), lt.LaunchTemplateId))
        end
        if not seen[n] then seen[n] = true; numbers[#numbers + 1] = n end
      end
    else
      for n = 1, lt.LatestVersionNumber do numbers[#numbers + 1] = n end
    end
    for _, n in ipairs(numbers) do
      local v = world.get("ec2.launch_template_version", lt.LaunchTemplateId .. ":" .. n)
      if v and (not min_v or n >= min_v) and (not max_v or n <= max_v)
         and describe.matches(v, params.Filters, LTV_FILTERS) then
        out[#out + 1] = v
      end
    end
  end
  local page, token = describe.page(out, params.NextToken, params.MaxResults)
  return { LaunchTemplateVersions = describe.map(page, version_view), NextToken = token }
end

function M.ops.CreateLaunchTemplateVersion(params, ctx)
  local lt = M.get_launch_template(params.LaunchTemplateId, params.LaunchTemplateName)
  local data = {}
  if params.SourceVersion then
    local src = world.get("ec2.launch_template_version",
                          lt.LaunchTemplateId .. ":" .. version_number(lt, params.SourceVersion))
    if not src then
      sim.error("InvalidLaunchTemplateId.VersionNotFound",
                ("Could not find launch template version %s for launch template with ID %s."):format(
                  params.SourceVersion, lt.LaunchTemplateId))
    end
    data = describe.copy(src.LaunchTemplateData)
  end
  for k, v in pairs(params.LaunchTemplateData or {}) do data[k] = v end
  if data.ImageId then M.get_image(data.ImageId) end
  local v = add_template_version(lt, data, params.VersionDescription,
                                 ("arn:aws:iam::%s:root"):format(ctx.account))
  return { LaunchTemplateVersion = version_view(v) }
end

-- ---- security groups, subnets, key pairs ----------------------------------------------

-- Creates a security group (CloudFormation and seeds): GroupName, Description, VpcId,
-- IpPermissions, IpPermissionsEgress, Tags.
function M.create_security_group(fields, ctx)
  local vpc = fields.VpcId or M.default_vpc_id()
  for _, g in ipairs(all_security_groups()) do
    if g.GroupName == fields.GroupName and g.VpcId == vpc then
      sim.error("InvalidGroup.Duplicate",
                ("The security group '%s' already exists for VPC '%s'"):format(fields.GroupName, vpc))
    end
  end
  local id = fields.GroupId or world.new_id("sg-")
  return world.put("ec2.security_group", id, {
    GroupId = id, GroupName = fields.GroupName, Description = fields.Description or "",
    VpcId = vpc, OwnerId = owner(ctx),
    SecurityGroupArn = ("arn:aws:ec2:%s:%s:security-group/%s"):format(region(), owner(ctx), id),
    IpPermissions = fields.IpPermissions or sim.array {},
    IpPermissionsEgress = fields.IpPermissionsEgress or default_security_group().IpPermissionsEgress,
    Tags = fields.Tags or sim.array {},
  })
end

function M.delete_security_group(id)
  for _, inst in ipairs(world.list("ec2.instance")) do
    if inst.State.Name ~= "terminated" then
      for _, g in ipairs(inst.SecurityGroups or {}) do
        if g.GroupId == id then
          sim.error("DependencyViolation", ("resource %s has a dependent object"):format(id))
        end
      end
    end
  end
  world.remove("ec2.security_group", id)
end

local SG_FILTERS = {
  ["group-id"] = function(g) return g.GroupId end,
  ["group-name"] = function(g) return g.GroupName end,
  ["vpc-id"] = function(g) return g.VpcId end,
  description = function(g) return g.Description end,
  ["owner-id"] = function(g) return g.OwnerId end,
}

function M.ops.DescribeSecurityGroups(params, ctx)
  local groups = all_security_groups()
  local by_id = {}
  for _, g in ipairs(groups) do by_id[g.GroupId] = g end
  local out = {}
  if params.GroupIds and #params.GroupIds > 0 then
    for _, id in ipairs(params.GroupIds) do
      if not id:match("^sg%-%x+$") then
        sim.error("InvalidGroupId.Malformed", ("Invalid id: \"%s\" (expecting \"sg-...\")"):format(id))
      end
      if not by_id[id] then
        sim.error("InvalidGroup.NotFound", ("The security group '%s' does not exist"):format(id))
      end
    end
  end
  if params.GroupNames and #params.GroupNames > 0 then
    for _, name in ipairs(params.GroupNames) do
      local found = false
      for _, g in ipairs(groups) do
        if g.GroupName == name and g.VpcId == M.default_vpc_id() then found = true end
      end
      if not found then
        sim.error("InvalidGroup.NotFound",
                  ("The security group '%s' does not exist in default VPC '%s'"):format(
                    name, M.default_vpc_id()))
      end
    end
  end
  local ids, names = describe.set(params.GroupIds), describe.set(params.GroupNames)
  for _, g in ipairs(groups) do
    if (not ids or ids[g.GroupId]) and (not names or names[g.GroupName])
       and describe.matches(g, params.Filters, SG_FILTERS) then
      out[#out + 1] = g
    end
  end
  local page, token = describe.page(out, params.NextToken, params.MaxResults)
  return { SecurityGroups = describe.map(page, world.public), NextToken = token }
end

local SUBNET_FILTERS = {
  ["subnet-id"] = function(s) return s.SubnetId end,
  ["vpc-id"] = function(s) return s.VpcId end,
  ["availability-zone"] = function(s) return s.AvailabilityZone end,
  ["availability-zone-id"] = function(s) return s.AvailabilityZoneId end,
  ["default-for-az"] = function(s) return tostring(s.DefaultForAz) end,
  ["cidr-block"] = function(s) return s.CidrBlock end,
  cidr = function(s) return s.CidrBlock end,
  state = function(s) return s.State end,
  ["owner-id"] = function(s) return s.OwnerId end,
  ["map-public-ip-on-launch"] = function(s) return tostring(s.MapPublicIpOnLaunch) end,
}

function M.ops.DescribeSubnets(params, ctx)
  local subnets = all_subnets()
  local ids = describe.set(params.SubnetIds)
  if ids then
    for id in pairs(ids) do
      if not M.find_subnet(id) then
        sim.error("InvalidSubnetID.NotFound", ("The subnet ID '%s' does not exist"):format(id))
      end
    end
  end
  local out = {}
  for _, s in ipairs(subnets) do
    if (not ids or ids[s.SubnetId]) and describe.matches(s, params.Filters, SUBNET_FILTERS) then
      out[#out + 1] = s
    end
  end
  local page, token = describe.page(out, params.NextToken, params.MaxResults)
  return { Subnets = describe.map(page, world.public), NextToken = token }
end

local function fake_key_material(name)
  local lines = { "-----BEGIN RSA PRIVATE KEY-----" }
  local body = sim.base64_encode(sim.md5("awssim-key:" .. name) .. sim.random_hex(200))
  for i = 1, #body, 64 do lines[#lines + 1] = body:sub(i, i + 63) end
  lines[#lines + 1] = "-----END RSA PRIVATE KEY-----"
  return table.concat(lines, "\n")
end

function M.ops.CreateKeyPair(params, ctx)
  local name = params.KeyName
  if type(name) ~= "string" or name == "" or #name > 255 then
    sim.error("InvalidParameterValue", "The key pair name must be 1 to 255 characters")
  end
  if world.get("ec2.key_pair", name) then
    sim.error("InvalidKeyPair.Duplicate", ("The keypair '%s' already exists."):format(name))
  end
  local material = fake_key_material(name)
  local fingerprint
  if params.KeyType == "ed25519" then
    fingerprint = sim.base64_encode(sim.md5(material) .. sim.md5(name)):gsub("=+$", "")
  else
    local hex = sim.sha256_hex(material):sub(1, 40)
    fingerprint = hex:gsub("(%x%x)", "%1:"):sub(1, -2)
  end
  local kp = world.put("ec2.key_pair", name, {
    KeyPairId = world.new_id("key-"), KeyName = name, KeyFingerprint = fingerprint,
    KeyType = params.KeyType or "rsa", CreateTime = sim.now(),
    Tags = describe.tags_for(params.TagSpecifications, "key-pair"),
  })
  local out = world.public(kp)
  out.KeyMaterial = material
  return out
end

function M.ops.DeleteKeyPair(params, ctx)
  local kp
  if params.KeyName then
    kp = world.get("ec2.key_pair", params.KeyName)
  elseif params.KeyPairId then
    for _, k in ipairs(world.list("ec2.key_pair")) do
      if k.KeyPairId == params.KeyPairId then kp = k end
    end
  else
    sim.error("MissingParameter", "The request must contain the parameter KeyName or KeyPairId")
  end
  -- AWS answers true whether or not the key existed.
  if kp then world.remove("ec2.key_pair", kp.KeyName) end
  return { Return = true, KeyPairId = kp and kp.KeyPairId or params.KeyPairId }
end

-- ---- tags -----------------------------------------------------------------------------

function M.ops.CreateTags(params, ctx)
  local targets = {}
  for _, id in ipairs(params.Resources or {}) do targets[#targets + 1] = taggable(id) end
  for _, res in ipairs(targets) do
    res.Tags = describe.merge_tags(res.Tags or sim.array {}, params.Tags)
  end
  return {}
end

function M.ops.DeleteTags(params, ctx)
  local targets = {}
  for _, id in ipairs(params.Resources or {}) do targets[#targets + 1] = taggable(id) end
  for _, res in ipairs(targets) do
    if params.Tags and #params.Tags > 0 then
      describe.remove_tags(res.Tags or {}, params.Tags)
    else
      res.Tags = sim.array {}
    end
  end
  return {}
end

-- ---- instances ------------------------------------------------------------------------

local function set_state(inst, name, reason)
  inst.State = state_of(name)
  if reason then inst.StateTransitionReason = reason end
end

-- Tells the Auto Scaling model an instance of one of its groups changed state.
local function notify_group(inst)
  if describe.tag(inst.Tags, "aws:autoscaling:groupName") then
    local asg = sim.service_module("autoscaling")
    if asg and asg.instance_changed then asg.instance_changed(inst) end
  end
end

function M.hooks.instance_running(inst)
  if not inst then return end
  inst._running_since = sim.now()
  notify_group(inst)
end

function M.hooks.instance_stopped(inst)
  if not inst then return end
  inst.StateReason = { Code = "Client.UserInitiatedShutdown",
                       Message = "Client.UserInitiatedShutdown: User initiated shutdown" }
  notify_group(inst)
end

function M.hooks.instance_terminated(inst)
  if not inst then return end
  inst.StateReason = inst.StateReason or { Code = "Client.UserInitiatedShutdown",
                                           Message = "Client.UserInitiatedShutdown: User initiated shutdown" }
  inst.PrivateIpAddress = nil
  inst.PublicIpAddress = nil
  inst.PublicDnsName = ""
  inst.BlockDeviceMappings = sim.array {}
  notify_group(inst)
  world.after(duration("terminated_visible"), "ec2.instance", inst.InstanceId, { _delete = true })
end

-- Moves an instance to `to`, then after `seconds` to `final` (with the named hook).
local function transition(inst, to, final, seconds, hook, reason)
  world.cancel("ec2.instance", inst.InstanceId)
  set_state(inst, to, reason)
  world.after(seconds, "ec2.instance", inst.InstanceId, { State = state_of(final) }, hook)
end

local function user_reason(what)
  return ("User initiated (%s)"):format(os.date("!%Y-%m-%d %H:%M:%S GMT", math.floor(sim.now())))
         .. (what and "" or "")
end

-- Starts stopped instances: pending, then running.
function M.start_instance(inst)
  local prev = inst.State
  local st = prev.Name
  if st == "stopped" then
    inst.StateReason = nil
    transition(inst, "pending", "running", duration("instance_boot"), "ec2.instance_running", "")
  elseif st ~= "running" and st ~= "pending" then
    sim.error("IncorrectInstanceState",
              ("The instance '%s' is not in a state from which it can be started."):format(inst.InstanceId))
  end
  return prev
end

function M.stop_instance(inst)
  local prev = inst.State
  local st = prev.Name
  if st == "running" or st == "pending" then
    transition(inst, "stopping", "stopped", duration("instance_stop"), "ec2.instance_stopped",
               user_reason())
  elseif st == "shutting-down" or st == "terminated" then
    sim.error("IncorrectInstanceState",
              ("This instance '%s' is not in a state from which it can be stopped."):format(inst.InstanceId))
  end
  return prev
end

function M.terminate_instance(inst)
  local prev = inst.State
  local st = prev.Name
  if st ~= "shutting-down" and st ~= "terminated" then
    transition(inst, "shutting-down", "terminated",
               st == "stopped" and 1 or duration("instance_terminate"),
               "ec2.instance_terminated", user_reason())
  end
  return prev
end

local function state_change(inst, prev)
  return { InstanceId = inst.InstanceId, CurrentState = describe.copy(inst.State),
           PreviousState = describe.copy(prev) }
end

local function change_instances(params, action)
  local insts = {}
  for _, id in ipairs(params.InstanceIds or {}) do insts[#insts + 1] = M.get_instance(id) end
  local out = sim.array {}
  for _, inst in ipairs(insts) do
    local prev = action(inst)
    out[#out + 1] = state_change(inst, prev)
  end
  return out
end

function M.ops.StartInstances(params, ctx)
  return { StartingInstances = change_instances(params, M.start_instance) }
end

function M.ops.StopInstances(params, ctx)
  return { StoppingInstances = change_instances(params, M.stop_instance) }
end

function M.ops.TerminateInstances(params, ctx)
  return { TerminatingInstances = change_instances(params, M.terminate_instance) }
end

local function next_private_ip(subnet)
  local d = data()
  d.next_host = (d.next_host or 9) + 1
  local n = d.next_host
  local base = subnet.CidrBlock and subnet.CidrBlock:match("^(%d+%.%d+)%.") or "10.0"
  local third = tonumber((subnet.CidrBlock or ""):match("^%d+%.%d+%.(%d+)%.") or 0)
  return ("%s.%d.%d"):format(base, third + (n // 250) % 16, n % 250 + 4)
end

local function group_identifiers(ids, names, vpc)
  local out = sim.array {}
  for _, id in ipairs(ids or {}) do
    local g = M.find_security_group(id)
    if not g or g.GroupId ~= id then
      sim.error("InvalidGroup.NotFound", ("The security group '%s' does not exist"):format(id))
    end
    out[#out + 1] = { GroupId = g.GroupId, GroupName = g.GroupName }
  end
  for _, name in ipairs(names or {}) do
    local g
    for _, x in ipairs(all_security_groups()) do
      if x.GroupName == name and x.VpcId == vpc then g = x end
    end
    if not g then
      sim.error("InvalidGroup.NotFound",
                ("The security group '%s' does not exist in VPC '%s'"):format(name, vpc))
    end
    out[#out + 1] = { GroupId = g.GroupId, GroupName = g.GroupName }
  end
  if #out == 0 then
    local g = default_security_group()
    out[1] = { GroupId = g.GroupId, GroupName = g.GroupName }
  end
  return out
end

-- What an instance launch uses: the launch template version's data under the request's
-- own parameters.
local function effective_spec(params)
  local spec = {}
  local lt_ref
  if params.LaunchTemplate then
    local v, lt = M.resolve_launch_template(params.LaunchTemplate)
    for k, x in pairs(v.LaunchTemplateData or {}) do spec[k] = describe.copy(x) end
    lt_ref = { LaunchTemplateId = lt.LaunchTemplateId, LaunchTemplateName = lt.LaunchTemplateName,
               Version = tostring(v.VersionNumber) }
    -- Template network interfaces carry the subnet and groups.
    local ni = spec.NetworkInterfaces and spec.NetworkInterfaces[1]
    if ni then
      spec.SubnetId = spec.SubnetId or ni.SubnetId
      spec.SecurityGroupIds = spec.SecurityGroupIds or ni.Groups
    end
  end
  for k, x in pairs(params) do
    if k ~= "LaunchTemplate" then spec[k] = x end
  end
  if spec.TagSpecifications == nil and params.LaunchTemplate then spec.TagSpecifications = nil end
  return spec, lt_ref
end

-- Launches `count` instances (RunInstances, Auto Scaling, CloudFormation). spec holds
-- RunInstances parameters (a launch template already merged in); opts: reservation_id,
-- requester_id, client_token, launch_template (the reference to record), tags (added
-- to the instance tags), account. Returns the new instances.
function M.launch(spec, count, opts, ctx)
  opts = opts or {}
  if not spec.ImageId then
    sim.error("MissingParameter", "The request must contain the parameter ImageId")
  end
  local img = M.get_image(spec.ImageId)
  if img.State ~= "available" then
    sim.error("InvalidAMIID.Unavailable",
              ("The image id '[%s]' is not available (state: %s)"):format(img.ImageId, img.State))
  end
  if spec.KeyName and not world.get("ec2.key_pair", spec.KeyName) then
    sim.error("InvalidKeyPair.NotFound", ("The key pair '%s' does not exist"):format(spec.KeyName))
  end
  local az = spec.Placement and spec.Placement.AvailabilityZone
  local subnet = subnet_for(spec.SubnetId, az)
  local groups = group_identifiers(spec.SecurityGroupIds, spec.SecurityGroups, subnet.VpcId)
  local itype = spec.InstanceType or "m1.small"
  local limit = data().instance_limit or 256
  local live = 0
  for _, i in ipairs(world.list("ec2.instance")) do
    if i.State.Name ~= "terminated" and i.State.Name ~= "shutting-down" then live = live + 1 end
  end
  if live + count > limit then
    sim.error("InstanceLimitExceeded",
              ("You have requested more instances (%d) than your current instance limit of %d allows."):format(
                live + count, limit))
  end
  local account = opts.account or owner(ctx)
  local reservation = opts.reservation_id or world.new_id("r-")
  local tags = describe.tags_for(spec.TagSpecifications, "instance")
  describe.merge_tags(tags, opts.tags)
  local profile
  if spec.IamInstanceProfile and (spec.IamInstanceProfile.Arn or spec.IamInstanceProfile.Name) then
    local name = spec.IamInstanceProfile.Name
                 or spec.IamInstanceProfile.Arn:match("instance%-profile/(.+)$") or "profile"
    profile = { Arn = spec.IamInstanceProfile.Arn
                      or ("arn:aws:iam::%s:instance-profile/%s"):format(account, name),
                Id = "AIPA" .. sim.md5_hex(name):sub(1, 17):upper() }
  end
  local out = {}
  for n = 1, count do
    local id = world.new_id("i-")
    local ip = next_private_ip(subnet)
    local root = img.RootDeviceName or "/dev/xvda"
    local sizes = {}
    local bdms = sim.array {}
    for _, bdm in ipairs(img.BlockDeviceMappings or {}) do
      if bdm.Ebs then
        bdms[#bdms + 1] = { DeviceName = bdm.DeviceName,
                            Ebs = { VolumeId = world.new_id("vol-"), Status = "attached",
                                    AttachTime = sim.now(), DeleteOnTermination = true } }
        sizes[bdm.DeviceName] = bdm.Ebs.VolumeSize or 8
      end
    end
    if #bdms == 0 then
      bdms[1] = { DeviceName = root, Ebs = { VolumeId = world.new_id("vol-"), Status = "attached",
                                             AttachTime = sim.now(), DeleteOnTermination = true } }
      sizes[root] = img.Platform == "windows" and 30 or 8
    end
    local inst = {
      InstanceId = id,
      ImageId = img.ImageId,
      State = state_of("pending"),
      PrivateDnsName = ("ip-%s.ec2.internal"):format(ip:gsub("%.", "-")),
      PublicDnsName = "",
      StateTransitionReason = "",
      KeyName = spec.KeyName,
      AmiLaunchIndex = n - 1,
      ProductCodes = sim.array {},
      InstanceType = itype,
      LaunchTime = sim.now(),
      Placement = { AvailabilityZone = subnet.AvailabilityZone, GroupName = "", Tenancy = "default" },
      Monitoring = { State = (spec.Monitoring and spec.Monitoring.Enabled) and "enabled" or "disabled" },
      SubnetId = subnet.SubnetId,
      VpcId = subnet.VpcId,
      PrivateIpAddress = ip,
      Architecture = img.Architecture,
      RootDeviceType = "ebs",
      RootDeviceName = root,
      BlockDeviceMappings = bdms,
      ClientToken = opts.client_token or "",
      EbsOptimized = spec.EbsOptimized or false,
      EnaSupport = true,
      Hypervisor = "xen",
      IamInstanceProfile = profile,
      SecurityGroups = describe.copy(groups),
      SourceDestCheck = true,
      Tags = describe.copy(tags),
      VirtualizationType = "hvm",
      Platform = img.Platform,
      PlatformDetails = img.PlatformDetails,
      UsageOperation = img.UsageOperation,
      MetadataOptions = { State = "applied",
                          HttpTokens = spec.MetadataOptions and spec.MetadataOptions.HttpTokens or "required",
                          HttpPutResponseHopLimit = 2, HttpEndpoint = "enabled",
                          HttpProtocolIpv6 = "disabled", InstanceMetadataTags = "disabled" },
      CpuOptions = { CoreCount = 1, ThreadsPerCore = 2 },
      _reservation_id = reservation,
      _requester_id = opts.requester_id,
      _owner_id = account,
      _user_data = spec.UserData,
      _launch_template = opts.launch_template,
      _volume_sizes = sizes,
      _console = img._console,
      _shutdown_behavior = spec.InstanceInitiatedShutdownBehavior,
    }
    if subnet.MapPublicIpOnLaunch then
      local d = data()
      d.next_public = (d.next_public or 0) + 1
      local p = d.next_public
      inst.PublicIpAddress = ("54.%d.%d.%d"):format(160 + (p // 62500) % 90, (p // 250) % 250, p % 250 + 1)
      inst.PublicDnsName = ("ec2-%s.compute-1.amazonaws.com"):format(inst.PublicIpAddress:gsub("%.", "-"))
    end
    world.put("ec2.instance", id, inst)
    world.after(duration("instance_boot"), "ec2.instance", id, { State = state_of("running") },
                "ec2.instance_running")
    out[#out + 1] = inst
  end
  return out, reservation, groups
end

local function instance_view(inst)
  return world.public(inst)
end

local function reservation_view(reservation_id, insts, groups)
  local first = insts[1]
  return {
    ReservationId = reservation_id,
    OwnerId = first and first._owner_id or config().account,
    RequesterId = first and first._requester_id,
    Groups = groups or sim.array {},
    Instances = describe.map(insts, instance_view),
  }
end

local function reservation_instances(reservation_id)
  return world.list("ec2.instance", function(i) return i._reservation_id == reservation_id end)
end

-- A fingerprint of RunInstances parameters, to tell a retry from a different request.
local function request_fingerprint(params)
  local copy = {}
  for k, v in pairs(params) do
    if k ~= "ClientToken" and k ~= "DryRun" then copy[k] = v end
  end
  return sim.md5_hex(json.encode(copy))
end

function M.ops.RunInstances(params, ctx)
  local tokens = data().client_tokens
  if not tokens then
    tokens = {}
    data().client_tokens = tokens
  end
  local token = params.ClientToken
  if token and token ~= "" then
    local seen = tokens[token]
    if seen then
      if seen.fingerprint ~= request_fingerprint(params) then
        sim.error("IdempotentParameterMismatch",
                  "Arguments on this idempotent request are inconsistent with arguments used in "
                  .. "previous request(s).")
      end
      local insts = reservation_instances(seen.reservation_id)
      return reservation_view(seen.reservation_id, insts, seen.groups)
    end
  end
  local min, max = params.MinCount or 1, params.MaxCount or 1
  if min < 1 or max < min then
    sim.error("InvalidParameterValue",
              ("Invalid MinCount/MaxCount: %s/%s"):format(tostring(min), tostring(max)))
  end
  local spec, lt_ref = effective_spec(params)
  local insts, reservation, groups = M.launch(spec, max, {
    client_token = token, launch_template = lt_ref, account = ctx.account,
    tags = lt_ref and { { Key = "aws:ec2launchtemplate:id", Value = lt_ref.LaunchTemplateId },
                        { Key = "aws:ec2launchtemplate:version", Value = lt_ref.Version } } or nil,
  }, ctx)
  if token and token ~= "" then
    tokens[token] = { reservation_id = reservation, fingerprint = request_fingerprint(params),
                      groups = groups }
  end
  return reservation_view(reservation, insts, groups)
end

local INSTANCE_FILTERS = {
  ["instance-id"] = function(i) return i.InstanceId end,
  ["instance-state-name"] = function(i) return i.State.Name end,
  ["instance-state-code"] = function(i) return tostring(i.State.Code) end,
  ["image-id"] = function(i) return i.ImageId end,
  ["instance-type"] = function(i) return i.InstanceType end,
  ["subnet-id"] = function(i) return i.SubnetId end,
  ["vpc-id"] = function(i) return i.VpcId end,
  ["reservation-id"] = function(i) return i._reservation_id end,
  ["key-name"] = function(i) return i.KeyName end,
  ["availability-zone"] = function(i) return i.Placement.AvailabilityZone end,
  ["private-ip-address"] = function(i) return i.PrivateIpAddress end,
  ["ip-address"] = function(i) return i.PublicIpAddress end,
  ["private-dns-name"] = function(i) return i.PrivateDnsName end,
  ["dns-name"] = function(i) return i.PublicDnsName end,
  ["client-token"] = function(i) return i.ClientToken end,
  ["launch-time"] = function(i) return iso(i.LaunchTime) end,
  ["owner-id"] = function(i) return i._owner_id end,
  ["architecture"] = function(i) return i.Architecture end,
  ["platform"] = function(i) return i.Platform end,
  ["iam-instance-profile.arn"] = function(i) return i.IamInstanceProfile and i.IamInstanceProfile.Arn end,
  ["instance.group-id"] = function(i) return describe.map(i.SecurityGroups, function(g) return g.GroupId end) end,
  ["instance.group-name"] = function(i) return describe.map(i.SecurityGroups, function(g) return g.GroupName end) end,
  ["group-id"] = function(i) return describe.map(i.SecurityGroups, function(g) return g.GroupId end) end,
}

function M.ops.DescribeInstances(params, ctx)
  local wanted = describe.set(params.InstanceIds)
  if wanted then
    for id in pairs(wanted) do M.get_instance(id) end
  end
  local reservations, order = {}, {}
  for _, inst in ipairs(world.list("ec2.instance")) do
    if (not wanted or wanted[inst.InstanceId])
       and describe.matches(inst, params.Filters, INSTANCE_FILTERS) then
      local r = reservations[inst._reservation_id]
      if not r then
        r = {}
        reservations[inst._reservation_id] = r
        order[#order + 1] = inst._reservation_id
      end
      r[#r + 1] = inst
    end
  end
  local list = {}
  for _, rid in ipairs(order) do
    local insts = reservations[rid]
    list[#list + 1] = reservation_view(rid, insts, describe.copy(insts[1].SecurityGroups))
  end
  local page, token = describe.page(list, params.NextToken, params.MaxResults)
  return { Reservations = page, NextToken = token }
end

-- The console text of an instance at the current time: boot lines, then the image's
-- scripted lines whose time has come.
local function console_text(inst)
  local since = inst._running_since
  if not since then return nil end
  local elapsed = sim.now() - since
  local lines = {
    ("[    0.000000] Linux version 5.10.0-awssim (awssim@localhost) #1 SMP"),
    ("[    1.234567] awssim: instance %s booting %s"):format(inst.InstanceId, inst.ImageId),
    ("cloud-init[1]: Cloud-init v. 22.2 running 'init' at %s"):format(
      os.date("!%a, %d %b %Y %H:%M:%S +0000", math.floor(since))),
  }
  local console = inst._console
  if type(console) == "string" then
    lines[#lines + 1] = console
  elseif type(console) == "table" then
    for _, entry in ipairs(console) do
      if (entry.after or 0) <= elapsed then lines[#lines + 1] = entry.text or "" end
    end
  end
  return table.concat(lines, "\r\n") .. "\r\n"
end

function M.ops.GetConsoleOutput(params, ctx)
  local inst = M.get_instance(params.InstanceId)
  local text = console_text(inst)
  local out = { InstanceId = inst.InstanceId, Timestamp = sim.now() }
  -- The codec base64-encodes Output on the wire, as EC2 sends it.
  if text then out.Output = text end
  return out
end

-- ---- seed -----------------------------------------------------------------------------

-- Seed section (documented in docs/awssim-resources.md):
-- { "durations": {...}, "instance_limit": n,
--   "images": [{ImageId?, Name, OwnerId?, State?, Platform?, Architecture?, Description?,
--               CreationDate?, DeprecationTime?, Public?, Tags?, VolumeSize?,
--               ConsoleOutput?: "text" | [{"after": s, "text": "..."}]}],
--   "snapshots": [{SnapshotId?, VolumeSize?, Description?, Tags?}],
--   "subnets": [{SubnetId?, VpcId?, CidrBlock, AvailabilityZone, Tags?}],
--   "security_groups": [{GroupId?, GroupName, Description?, VpcId?, Tags?}],
--   "key_pairs": [{KeyName, Tags?}],
--   "launch_templates": [{LaunchTemplateName, LaunchTemplateId?, LaunchTemplateData,
--                         versions?: [LaunchTemplateData, ...], DefaultVersion?, Tags?}],
--   "instances": [{ImageId, InstanceType?, SubnetId?, State?: "running"|"stopped", Tags?}] }
function M.seed(section)
  local d = data()
  if section.durations then
    d.durations = d.durations or {}
    for k, v in pairs(section.durations) do d.durations[k] = v end
  end
  if section.instance_limit then d.instance_limit = section.instance_limit end
  for _, s in ipairs(section.subnets or {}) do
    local id = s.SubnetId or world.new_id("subnet-")
    world.put("ec2.subnet", id, {
      SubnetId = id, VpcId = s.VpcId or M.default_vpc_id(), CidrBlock = s.CidrBlock or "10.0.1.0/24",
      AvailabilityZone = s.AvailabilityZone or (region() .. "a"),
      AvailableIpAddressCount = s.AvailableIpAddressCount or 251, DefaultForAz = false,
      MapPublicIpOnLaunch = s.MapPublicIpOnLaunch or false, State = "available",
      OwnerId = config().account, Tags = s.Tags or sim.array {},
      SubnetArn = ("arn:aws:ec2:%s:%s:subnet/%s"):format(region(), config().account, id),
    })
  end
  for _, g in ipairs(section.security_groups or {}) do
    M.create_security_group(g)
  end
  for _, k in ipairs(section.key_pairs or {}) do
    world.put("ec2.key_pair", k.KeyName, {
      KeyPairId = world.new_id("key-"), KeyName = k.KeyName,
      KeyFingerprint = sim.sha256_hex(k.KeyName):sub(1, 40):gsub("(%x%x)", "%1:"):sub(1, -2),
      KeyType = k.KeyType or "rsa", CreateTime = sim.now(), Tags = k.Tags or sim.array {},
    })
  end
  for _, s in ipairs(section.snapshots or {}) do
    local snap = new_snapshot({ VolumeSize = s.VolumeSize, Description = s.Description,
                                Tags = s.Tags }, 0)
    if s.SnapshotId then
      world.remove("ec2.snapshot", snap.SnapshotId)
      snap.SnapshotId = s.SnapshotId
      world.put("ec2.snapshot", s.SnapshotId, snap)
    end
  end
  for _, i in ipairs(section.images or {}) do
    if not i.Name then error("ec2 images need a Name", 0) end
    local mappings = i.BlockDeviceMappings
    if mappings then
      -- The snapshots the image names exist too (retention deletes them with it).
      for _, bdm in ipairs(mappings) do
        local id = bdm.Ebs and bdm.Ebs.SnapshotId
        if id and not world.get("ec2.snapshot", id) then
          local snap = new_snapshot({ VolumeSize = bdm.Ebs.VolumeSize, OwnerId = i.OwnerId,
                                      Description = "Seeded snapshot of " .. i.Name }, 0)
          world.remove("ec2.snapshot", snap.SnapshotId)
          snap.SnapshotId = id
          world.put("ec2.snapshot", id, snap)
        end
      end
    elseif i.VolumeSize then
      -- A root volume size asks for a root snapshot; without either, the image has no
      -- block device mappings (and the world no snapshot for it).
      local devices = { { DeviceName = i.RootDeviceName or (i.Platform == "windows" and "/dev/sda1" or "/dev/xvda"),
                          VolumeSize = i.VolumeSize } }
      mappings = snapshot_devices(devices, 0, "Seeded snapshot of " .. i.Name, nil, { account = i.OwnerId })
    end
    local root = i.RootDeviceName or (mappings and mappings[1] and mappings[1].DeviceName)
    local img = new_image({
      ImageId = i.ImageId, Name = i.Name, OwnerId = i.OwnerId, Description = i.Description,
      Architecture = i.Architecture, Platform = i.Platform, Public = i.Public,
      CreationDate = i.CreationDate, DeprecationTime = i.DeprecationTime,
      RootDeviceName = root, BlockDeviceMappings = mappings, Tags = i.Tags,
      _console = i.ConsoleOutput,
    }, 0)
    -- Any other Image member the seed gives is kept as given.
    for k, v in pairs(i) do
      if img[k] == nil and k ~= "ConsoleOutput" and k ~= "VolumeSize" then img[k] = v end
    end
    for _, k in ipairs({ "State", "PlatformDetails", "UsageOperation", "ImageLocation" }) do
      if i[k] then img[k] = i[k] end
    end
  end
  for _, t in ipairs(section.launch_templates or {}) do
    local lt = M.create_launch_template({
      LaunchTemplateName = t.LaunchTemplateName, LaunchTemplateId = t.LaunchTemplateId,
      LaunchTemplateData = t.LaunchTemplateData or (t.versions and t.versions[1]) or {},
      Tags = t.Tags,
    })
    for i = 2, #(t.versions or {}) do
      add_template_version(lt, t.versions[i], nil, lt.CreatedBy)
    end
    if t.DefaultVersion then lt.DefaultVersionNumber = t.DefaultVersion end
  end
  for _, i in ipairs(section.instances or {}) do
    local insts = M.launch({ ImageId = i.ImageId, InstanceType = i.InstanceType,
                             SubnetId = i.SubnetId, KeyName = i.KeyName,
                             SecurityGroupIds = i.SecurityGroupIds,
                             TagSpecifications = i.Tags and { { ResourceType = "instance",
                                                                Tags = i.Tags } } or nil },
                           1, { account = config().account })
    local inst = insts[1]
    world.cancel("ec2.instance", inst.InstanceId)
    inst._running_since = sim.now()
    set_state(inst, i.State or "running")
  end
end

-- Every operation honours DryRun the way EC2 does.
for name, fn in pairs(M.ops) do M.ops[name] = dry_run_guard(fn) end

return M
