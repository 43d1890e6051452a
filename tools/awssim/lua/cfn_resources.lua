-- The CloudFormation resource types awssim instantiates, each on the service model that
-- owns the resource: AWS::RDS::DBInstance, AWS::S3::Bucket, AWS::EC2::SecurityGroup,
-- AWS::EC2::LaunchTemplate, AWS::AutoScaling::LaunchConfiguration and
-- AWS::AutoScaling::AutoScalingGroup. Any other type is inert: it gets a physical id and
-- completes, and nothing else happens.
--
-- A handler: create(props, ctx) -> physical id (raises AWS errors); ready(physical, ctx)
-- -> true | false | nil, reason; update(physical, new, old, ctx) for in-place changes;
-- needs_replacement(new, old); delete(physical, policy, ctx); gone(physical, ctx);
-- getatt(physical, attribute, ctx); ref(physical, ctx) (default: the physical id);
-- settle(physical, ctx) (finish at once, for seeds); estimate / delete_estimate (sim
-- seconds until ready / gone); custom_name(props) (the fixed name the template gives, if
-- any: replacing under the same name clashes);
-- default_deletion_policy.
local sim = require "sim"
local world = require "world"
local describe = require "describe"
local json = require "wf.json"

local R = {}

local function svc(name) return sim.service_module(name) end

local function config() return sim.config() end

-- "<stack>-<logical>-<suffix>", as CloudFormation names what the template does not.
local function generated_name(ctx, max, lower)
  local suffix = world.new_id("", 13):upper()
  local name = ("%s-%s-%s"):format(ctx.stack.StackName, ctx.logical, suffix)
  if #name > max then
    local keep = max - #suffix - 2 - #ctx.logical
    name = ("%s-%s-%s"):format(ctx.stack.StackName:sub(1, math.max(1, keep)), ctx.logical, suffix)
    name = name:sub(-max)
  end
  return lower and name:lower() or name
end

local function num(v) return v ~= nil and tonumber(v) or nil end

local function bool(v)
  if v == nil then return nil end
  return v == true or v == "true"
end

local function tags_of(props)
  local out = sim.array {}
  for _, t in ipairs(props.Tags or {}) do out[#out + 1] = { Key = t.Key, Value = tostring(t.Value) } end
  return out
end

-- Tags CloudFormation adds to what it creates.
local function stack_tags(ctx)
  return {
    { Key = "aws:cloudformation:stack-name", Value = ctx.stack.StackName },
    { Key = "aws:cloudformation:stack-id", Value = ctx.stack.StackId },
    { Key = "aws:cloudformation:logical-id", Value = ctx.logical },
  }
end

local function with_stack_tags(ctx, props)
  local tags = tags_of(props)
  for _, t in ipairs(ctx.stack.Tags or {}) do
    if not describe.tag(tags, t.Key) then tags[#tags + 1] = { Key = t.Key, Value = t.Value } end
  end
  return describe.merge_tags(tags, stack_tags(ctx))
end

local function changed(new, old, keys)
  for _, k in ipairs(keys) do
    if json.encode(new[k] == nil and false or new[k]) ~= json.encode(old[k] == nil and false or old[k]) then
      return true
    end
  end
  return false
end

-- ---- AWS::S3::Bucket -------------------------------------------------------------------

R["AWS::S3::Bucket"] = {
  estimate = 20,
  delete_estimate = 5,
  create = function(props, ctx)
    local name = props.BucketName or generated_name(ctx, 63, true)
    if svc("s3").bucket_exists(name) then
      sim.error("AlreadyExists", ("%s already exists"):format(name))
    end
    svc("s3").create_bucket(name, config().region, config().account)
    return name
  end,
  ready = function(name) return svc("s3").bucket_exists(name) or nil, "bucket vanished" end,
  needs_replacement = function(new, old) return changed(new, old, { "BucketName" }) end,
  update = function() end,
  delete = function(name)
    if svc("s3").bucket_exists(name) then svc("s3").delete_bucket(name) end
  end,
  gone = function(name) return not svc("s3").bucket_exists(name) end,
  getatt = function(name, attr)
    local region = config().region
    local attrs = {
      Arn = "arn:aws:s3:::" .. name,
      DomainName = name .. ".s3.amazonaws.com",
      DualStackDomainName = name .. ".s3.dualstack." .. region .. ".amazonaws.com",
      RegionalDomainName = name .. ".s3." .. region .. ".amazonaws.com",
      WebsiteURL = "http://" .. name .. ".s3-website-" .. region .. ".amazonaws.com",
    }
    return attrs[attr]
  end,
  custom_name = function(props) return props.BucketName end,
}

-- ---- AWS::RDS::DBInstance -----------------------------------------------------------------

local function db_fields(props, ctx, id)
  return {
    DBInstanceIdentifier = id,
    DBInstanceClass = props.DBInstanceClass,
    Engine = props.Engine and props.Engine:lower(),
    EngineVersion = props.EngineVersion,
    MasterUsername = props.MasterUsername,
    DBName = props.DBName,
    AllocatedStorage = num(props.AllocatedStorage),
    Port = num(props.Port),
    MultiAZ = bool(props.MultiAZ),
    StorageType = props.StorageType,
    StorageEncrypted = bool(props.StorageEncrypted),
    PubliclyAccessible = bool(props.PubliclyAccessible),
    BackupRetentionPeriod = num(props.BackupRetentionPeriod),
    DeletionProtection = bool(props.DeletionProtection),
    CopyTagsToSnapshot = bool(props.CopyTagsToSnapshot),
    AvailabilityZone = props.AvailabilityZone,
    VpcSecurityGroupIds = props.VPCSecurityGroups,
    Tags = with_stack_tags(ctx, props),
  }
end

R["AWS::RDS::DBInstance"] = {
  estimate = nil,   -- set from the RDS model's durations at create time
  delete_estimate = nil,
  default_deletion_policy = "Snapshot",
  create = function(props, ctx)
    local rds = svc("rds")
    local id = props.DBInstanceIdentifier or generated_name(ctx, 63, true)
    local fields = db_fields(props, ctx, id)
    local db
    if props.DBSnapshotIdentifier and props.DBSnapshotIdentifier ~= "" then
      -- The snapshot decides engine and credentials.
      fields.Engine = props.Engine and props.Engine:lower() or nil
      fields.MasterUsername = nil
      db = rds.restore_instance(props.DBSnapshotIdentifier, fields)
    else
      if not props.DBInstanceClass then
        sim.error("InvalidParameterValue", "Property DBInstanceClass cannot be empty.")
      end
      if not props.Engine then sim.error("InvalidParameterValue", "Property Engine cannot be empty.") end
      db = rds.create_instance(fields)
    end
    return db.DBInstanceIdentifier
  end,
  ready = function(id)
    local db = world.get("rds.db_instance", id)
    if not db then return nil, ("DB instance %s is gone"):format(id) end
    if db.DBInstanceStatus == "failed" or db.DBInstanceStatus == "incompatible-restore" then
      return nil, ("DB instance %s is %s"):format(id, db.DBInstanceStatus)
    end
    return db.DBInstanceStatus == "available"
  end,
  needs_replacement = function(new, old)
    return changed(new, old, { "DBInstanceIdentifier", "DBSnapshotIdentifier", "Engine", "DBName",
                               "MasterUsername", "StorageEncrypted", "AvailabilityZone" })
  end,
  update = function(id, new, old, ctx)
    local db = svc("rds").get_instance(id)
    for _, k in ipairs({ "DBInstanceClass", "EngineVersion", "StorageType" }) do
      if new[k] and new[k] ~= db[k] then db[k] = new[k] end
    end
    if num(new.AllocatedStorage) then db.AllocatedStorage = num(new.AllocatedStorage) end
    if new.BackupRetentionPeriod then db.BackupRetentionPeriod = num(new.BackupRetentionPeriod) end
    if new.DeletionProtection ~= nil then db.DeletionProtection = bool(new.DeletionProtection) end
    if new.MultiAZ ~= nil then db.MultiAZ = bool(new.MultiAZ) end
  end,
  delete = function(id, policy, ctx)
    local db = world.get("rds.db_instance", id)
    if not db or db.DBInstanceStatus == "deleting" then return end
    if policy == "Snapshot" then
      local snap = (id .. "-snapshot-" .. world.new_id("", 8)):lower()
      svc("rds").delete_instance(id, false, snap)
    else
      svc("rds").delete_instance(id, true)
    end
  end,
  gone = function(id) return world.get("rds.db_instance", id) == nil end,
  getatt = function(id, attr)
    local db = world.get("rds.db_instance", id)
    if not db then return nil end
    local ep = db.Endpoint or {}
    local attrs = {
      ["Endpoint.Address"] = ep.Address, ["Endpoint.Port"] = ep.Port and tostring(ep.Port),
      ["Endpoint.HostedZoneId"] = ep.HostedZoneId, DBInstanceArn = db.DBInstanceArn,
      DbiResourceId = db.DbiResourceId,
    }
    return attrs[attr]
  end,
  settle = function(id)
    local db = world.get("rds.db_instance", id)
    if db and db.DBInstanceStatus == "creating" then
      world.cancel("rds.db_instance", id)
      svc("rds").hooks.instance_available(db)
    end
  end,
  custom_name = function(props) return props.DBInstanceIdentifier end,
}

-- The RDS model's own durations decide how long the stack waits.
setmetatable(R["AWS::RDS::DBInstance"], { __index = function(t, k)
  if k == "estimate" then return (svc("rds").durations or {}).instance_create end
  if k == "delete_estimate" then return (svc("rds").durations or {}).instance_delete end
end })

-- ---- AWS::EC2::SecurityGroup ---------------------------------------------------------------

local function permissions(rules, egress)
  local out = sim.array {}
  for _, r in ipairs(rules or {}) do
    local p = { IpProtocol = tostring(r.IpProtocol or "-1"), FromPort = num(r.FromPort),
                ToPort = num(r.ToPort), IpRanges = sim.array {}, Ipv6Ranges = sim.array {},
                UserIdGroupPairs = sim.array {}, PrefixListIds = sim.array {} }
    if r.CidrIp then p.IpRanges[1] = { CidrIp = r.CidrIp, Description = r.Description } end
    if r.CidrIpv6 then p.Ipv6Ranges[1] = { CidrIpv6 = r.CidrIpv6, Description = r.Description } end
    local group = egress and r.DestinationSecurityGroupId or r.SourceSecurityGroupId
    if group then
      p.UserIdGroupPairs[1] = { GroupId = group, UserId = config().account, Description = r.Description }
    end
    out[#out + 1] = p
  end
  return out
end

R["AWS::EC2::SecurityGroup"] = {
  estimate = 5,
  delete_estimate = 2,
  create = function(props, ctx)
    if not props.GroupDescription or props.GroupDescription == "" then
      sim.error("InvalidParameterValue", "Property GroupDescription cannot be empty.")
    end
    local g = svc("ec2").create_security_group({
      GroupName = props.GroupName or generated_name(ctx, 255, false),
      Description = props.GroupDescription, VpcId = props.VpcId,
      IpPermissions = permissions(props.SecurityGroupIngress, false),
      IpPermissionsEgress = props.SecurityGroupEgress and permissions(props.SecurityGroupEgress, true) or nil,
      Tags = with_stack_tags(ctx, props),
    })
    return g.GroupId
  end,
  needs_replacement = function(new, old)
    return changed(new, old, { "GroupName", "GroupDescription", "VpcId" })
  end,
  update = function(id, new)
    local g = world.get("ec2.security_group", id)
    if g then
      g.IpPermissions = permissions(new.SecurityGroupIngress, false)
      if new.SecurityGroupEgress then g.IpPermissionsEgress = permissions(new.SecurityGroupEgress, true) end
    end
  end,
  delete = function(id)
    if world.get("ec2.security_group", id) then svc("ec2").delete_security_group(id) end
  end,
  gone = function(id) return world.get("ec2.security_group", id) == nil end,
  getatt = function(id, attr)
    local g = world.get("ec2.security_group", id)
    if not g then return nil end
    return ({ GroupId = g.GroupId, VpcId = g.VpcId })[attr]
  end,
  custom_name = function(props) return props.GroupName end,
}

-- ---- AWS::EC2::LaunchTemplate ----------------------------------------------------------------

R["AWS::EC2::LaunchTemplate"] = {
  estimate = 3,
  delete_estimate = 1,
  create = function(props, ctx)
    local data = props.LaunchTemplateData or {}
    if data.ImageId then svc("ec2").get_image(data.ImageId) end
    local tags = sim.array {}
    for _, spec in ipairs(props.TagSpecifications or {}) do
      if spec.ResourceType == "launch-template" then describe.merge_tags(tags, spec.Tags) end
    end
    describe.merge_tags(tags, stack_tags(ctx))
    local lt = svc("ec2").create_launch_template({
      LaunchTemplateName = props.LaunchTemplateName or generated_name(ctx, 128, false),
      LaunchTemplateData = data, VersionDescription = props.VersionDescription, Tags = tags,
    }, { account = config().account })
    return lt.LaunchTemplateId
  end,
  needs_replacement = function(new, old) return changed(new, old, { "LaunchTemplateName" }) end,
  update = function(id, new, old, ctx)
    -- A new version, made the default, as CloudFormation does.
    local ec2 = svc("ec2")
    local lt = ec2.get_launch_template(id)
    local v = ec2.ops.CreateLaunchTemplateVersion({ LaunchTemplateId = id,
                                                   LaunchTemplateData = new.LaunchTemplateData or {},
                                                   VersionDescription = new.VersionDescription },
                                                 { account = config().account, region = config().region })
    lt.DefaultVersionNumber = v.LaunchTemplateVersion.VersionNumber
  end,
  delete = function(id) svc("ec2").delete_launch_template(id) end,
  gone = function(id) return world.get("ec2.launch_template", id) == nil end,
  getatt = function(id, attr)
    local lt = world.get("ec2.launch_template", id)
    if not lt then return nil end
    return ({ LaunchTemplateId = lt.LaunchTemplateId,
              LatestVersionNumber = tostring(lt.LatestVersionNumber),
              DefaultVersionNumber = tostring(lt.DefaultVersionNumber) })[attr]
  end,
  custom_name = function(props) return props.LaunchTemplateName end,
}

-- ---- AWS::AutoScaling::LaunchConfiguration ---------------------------------------------------

R["AWS::AutoScaling::LaunchConfiguration"] = {
  estimate = 3,
  delete_estimate = 1,
  create = function(props, ctx)
    local lc = svc("autoscaling").create_launch_configuration({
      LaunchConfigurationName = props.LaunchConfigurationName or generated_name(ctx, 255, false),
      ImageId = props.ImageId, InstanceType = props.InstanceType, KeyName = props.KeyName,
      SecurityGroups = props.SecurityGroups, UserData = props.UserData,
      IamInstanceProfile = props.IamInstanceProfile, BlockDeviceMappings = props.BlockDeviceMappings,
      InstanceMonitoring = props.InstanceMonitoring == nil and nil or bool(props.InstanceMonitoring),
      EbsOptimized = bool(props.EbsOptimized),
      AssociatePublicIpAddress = bool(props.AssociatePublicIpAddress),
      MetadataOptions = props.MetadataOptions,
    })
    return lc.LaunchConfigurationName
  end,
  -- Launch configurations cannot change: every change makes a new one.
  needs_replacement = function() return true end,
  update = function() end,
  delete = function(name) svc("autoscaling").delete_launch_configuration(name) end,
  gone = function(name) return world.get("autoscaling.launch_configuration", name) == nil end,
  getatt = function() return nil end,
  custom_name = function(props) return props.LaunchConfigurationName end,
}

-- ---- AWS::AutoScaling::AutoScalingGroup ------------------------------------------------------

local function group_fields(props, ctx, name)
  local lt = props.LaunchTemplate
  if lt then
    lt = { LaunchTemplateId = lt.LaunchTemplateId, LaunchTemplateName = lt.LaunchTemplateName,
           Version = lt.Version ~= nil and tostring(lt.Version) or nil }
  end
  local vpc = props.VPCZoneIdentifier
  if type(vpc) == "table" then vpc = table.concat(vpc, ",") end
  local tags = sim.array {}
  for _, t in ipairs(props.Tags or {}) do
    tags[#tags + 1] = { Key = t.Key, Value = tostring(t.Value), PropagateAtLaunch = bool(t.PropagateAtLaunch) }
  end
  for _, t in ipairs(ctx.stack.Tags or {}) do
    tags[#tags + 1] = { Key = t.Key, Value = t.Value, PropagateAtLaunch = true }
  end
  for _, t in ipairs(stack_tags(ctx)) do
    t.PropagateAtLaunch = true
    tags[#tags + 1] = t
  end
  return {
    AutoScalingGroupName = name, LaunchTemplate = lt,
    LaunchConfigurationName = props.LaunchConfigurationName,
    MixedInstancesPolicy = props.MixedInstancesPolicy,
    MinSize = num(props.MinSize), MaxSize = num(props.MaxSize),
    DesiredCapacity = num(props.DesiredCapacity),
    DefaultCooldown = num(props.Cooldown), AvailabilityZones = props.AvailabilityZones,
    VPCZoneIdentifier = vpc, HealthCheckType = props.HealthCheckType,
    HealthCheckGracePeriod = num(props.HealthCheckGracePeriod),
    LoadBalancerNames = props.LoadBalancerNames, TargetGroupARNs = props.TargetGroupARNs,
    TerminationPolicies = props.TerminationPolicies,
    NewInstancesProtectedFromScaleIn = bool(props.NewInstancesProtectedFromScaleIn),
    Tags = tags,
  }
end

-- The reason of the group's newest failed launch, if it failed to reach capacity.
local function launch_failure(name)
  local d = world.data("autoscaling")
  local order = d.order and d.order[name] or {}
  local newest = order[#order] and d.activities[order[#order]]
  if newest and newest.StatusCode == "Failed" then return newest.StatusMessage or newest.Description end
end

R["AWS::AutoScaling::AutoScalingGroup"] = {
  estimate = nil,   -- an instance's boot time, from the EC2 model
  delete_estimate = nil,
  create = function(props, ctx)
    local name = props.AutoScalingGroupName or generated_name(ctx, 255, false)
    local g = svc("autoscaling").create_group(group_fields(props, ctx, name))
    return g.AutoScalingGroupName
  end,
  ready = function(name)
    local asg = svc("autoscaling")
    if asg.group_ready(name) then return true end
    local failure = launch_failure(name)
    if failure then return nil, "Instance failed to launch: " .. failure end
    return false
  end,
  needs_replacement = function(new, old) return changed(new, old, { "AutoScalingGroupName" }) end,
  update = function(name, new, old, ctx)
    local fields = group_fields(new, ctx, name)
    local params = { AutoScalingGroupName = name, MinSize = fields.MinSize, MaxSize = fields.MaxSize,
                     DesiredCapacity = fields.DesiredCapacity, LaunchTemplate = fields.LaunchTemplate,
                     LaunchConfigurationName = fields.LaunchConfigurationName,
                     VPCZoneIdentifier = fields.VPCZoneIdentifier,
                     HealthCheckType = fields.HealthCheckType }
    svc("autoscaling").ops.UpdateAutoScalingGroup(params, { account = config().account })
  end,
  delete = function(name) svc("autoscaling").delete_group(name) end,
  -- Deleted once its instances are terminated.
  gone = function(name, ctx)
    for _, inst in ipairs(world.list("ec2.instance")) do
      if describe.tag(inst.Tags, "aws:autoscaling:groupName") == name
         and inst.State.Name ~= "terminated" then
        return false
      end
    end
    return world.get("autoscaling.group", name) == nil
  end,
  getatt = function() return nil end,
  settle = function(name)
    local g = world.get("autoscaling.group", name)
    if g then svc("autoscaling").settle(g) end
  end,
  custom_name = function(props) return props.AutoScalingGroupName end,
}

setmetatable(R["AWS::AutoScaling::AutoScalingGroup"], { __index = function(t, k)
  local d = svc("ec2").durations or {}
  if k == "estimate" then return (d.instance_boot or 30) + 1 end
  if k == "delete_estimate" then return (d.instance_terminate or 45) + 1 end
end })

-- ---- everything else ---------------------------------------------------------------------------

local INERT = {
  estimate = 2,
  delete_estimate = 1,
  create = function(props, ctx)
    local name = generated_name(ctx, 255, false)
    world.data("cloudformation").inert = world.data("cloudformation").inert or {}
    world.data("cloudformation").inert[name] = true
    return name
  end,
  needs_replacement = function() return false end,
  update = function() end,
  delete = function(name)
    local inert = world.data("cloudformation").inert
    if inert then inert[name] = nil end
  end,
  getatt = function(name, attr, ctx)
    if attr == "Arn" then
      return ("arn:aws:%s:%s:%s:%s"):format((ctx.resource.ResourceType:match("^AWS::(%w+)::") or "custom"):lower(),
                                            config().region, config().account, name)
    end
    return name
  end,
}

-- The handler of a resource type (the inert one for types awssim does not model).
function R.handler(rtype)
  return R[rtype] or INERT
end

return R
