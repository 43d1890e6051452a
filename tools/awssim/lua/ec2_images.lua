-- EC2 images and their EBS snapshots: CreateImage (snapshotting an instance's volumes,
-- pending until the snapshots complete), CopyImage, DeregisterImage,
-- EnableImageDeprecation, DescribeImages, DescribeSnapshots, DeleteSnapshot.
local sim = require "sim"
local world = require "world"
local describe = require "describe"

-- Installs this part into the EC2 model M (services/ec2.lua); base holds the helpers the
-- parts share, and receives the ones this part offers.
return function(M, base)
  local config, owner, region, iso, duration = base.config, base.owner, base.region, base.iso, base.duration
  local get_snapshot = base.get_snapshot

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

  base.new_snapshot, base.new_image, base.snapshot_devices = new_snapshot, new_image, snapshot_devices
end
