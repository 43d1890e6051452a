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
--
-- This file holds what the parts share (clock, ids, lookups, the default network), the
-- security groups, subnets, key pairs, tags and the seed; images and snapshots are in
-- ec2_images.lua, launch templates in ec2_launch_templates.lua, instances in
-- ec2_instances.lua.
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

-- ---- the parts ----------------------------------------------------------------------

-- What the parts use from here.
local base = {
  data = data, duration = duration, config = config, owner = owner, region = region,
  state_of = state_of, iso = iso, get_snapshot = get_snapshot, subnet_for = subnet_for,
  all_security_groups = all_security_groups, default_security_group = default_security_group,
}
require("ec2_images")(M, base)
require("ec2_launch_templates")(M, base)
require("ec2_instances")(M, base)
local new_snapshot, new_image, snapshot_devices = base.new_snapshot, base.new_image, base.snapshot_devices
local add_template_version, set_state = base.add_template_version, base.set_state

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
