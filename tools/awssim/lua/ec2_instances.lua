-- EC2 instances: RunInstances (ClientToken idempotency, launch templates), the states
-- pending -> running -> stopping -> stopped / shutting-down -> terminated on the simulated
-- clock, Start/Stop/TerminateInstances, DescribeInstances, GetConsoleOutput, and the
-- launch other models use (Auto Scaling, seeds).
local sim = require "sim"
local world = require "world"
local describe = require "describe"
local json = require "wf.json"

-- Installs this part into the EC2 model M (services/ec2.lua); base holds the helpers the
-- parts share, and receives the ones this part offers.
return function(M, base)
  local config, data, duration, owner, iso, state_of = base.config, base.data, base.duration, base.owner, base.iso, base.state_of
  local subnet_for, all_security_groups, default_security_group = base.subnet_for, base.all_security_groups, base.default_security_group

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

  base.set_state = set_state
end
