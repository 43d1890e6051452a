-- Auto Scaling: groups that keep DesiredCapacity instances running from a launch template
-- or launch configuration, standby (EnterStandby / ExitStandby) as scaling activities that
-- complete over time, suspended processes, scale-in protection, and the activity history.
--
-- Kinds (ids): autoscaling.group (name), autoscaling.launch_configuration (name). A
-- group's Instances list is stored on it in boto3's shape. Scaling activities are history,
-- not resources: they live in world.data("autoscaling").activities (so an inventory
-- compares resources only), and their completions are transitions of the pseudo-kind
-- "autoscaling.activity".
--
-- EC2 tells this model when an instance of a group changes state (instance_changed):
-- Pending -> InService when it runs, replaced when it stops or terminates out of band.
local sim = require "sim"
local world = require "world"
local describe = require "describe"

local M = { ops = {}, hooks = {} }

M.durations = {
  standby_enter = 10,     -- EnterStandby activity: InProgress -> Successful
  standby_exit = 30,      -- ExitStandby: Pending -> InService
  launch_retry = 60,      -- after a failed launch, first retry (doubles, up to an hour)
}

local PROCESSES = { "Launch", "Terminate", "AddToLoadBalancer", "AlarmNotification",
                    "AZRebalance", "HealthCheck", "InstanceRefresh", "ReplaceUnhealthy",
                    "ScheduledActions" }

local function data()
  local d = world.data("autoscaling")
  d.activities = d.activities or {}
  d.order = d.order or {}   -- group name -> activity ids, oldest first
  return d
end

local function duration(name)
  local d = world.data("autoscaling").durations
  return (d and d[name]) or M.durations[name]
end

local function config() return sim.config() end

local function ec2() return sim.service_module("ec2") end

local function validation(msg) sim.error("ValidationError", msg, 400) end

local function iso(t) return sim.iso8601(t or sim.now()) end

local function group_arn(name)
  return ("arn:aws:autoscaling:%s:%s:autoScalingGroup:%s:autoScalingGroupName/%s"):format(
    config().region, config().account, sim.uuid(), name)
end

function M.get_group(name, quiet)
  local g = type(name) == "string" and world.get("autoscaling.group", name)
  if not g and not quiet then
    validation(("AutoScalingGroup name not found - AutoScalingGroup %s not found"):format(tostring(name)))
  end
  return g
end

local function suspended(g, process)
  for _, p in ipairs(g.SuspendedProcesses or {}) do
    if p.ProcessName == process then return true end
  end
  return false
end

-- ---- activities -----------------------------------------------------------------------

-- Records a scaling activity; with `after`, it completes then (calling on_done's action).
local function new_activity(g, description, cause, status, after, on_done)
  local d = data()
  local id = sim.uuid()
  local a = {
    ActivityId = id, AutoScalingGroupName = g.AutoScalingGroupName,
    AutoScalingGroupARN = g.AutoScalingGroupARN, Description = description,
    Cause = cause, StartTime = sim.now(), StatusCode = status or "InProgress",
    Progress = (status == "Successful" or status == "Failed") and 100 or 0,
    Details = ('{"Subnet ID":"%s","Availability Zone":"%s"}'):format(
      (g.VPCZoneIdentifier or ""):match("^[^,]*") or "", (g.AvailabilityZones or {})[1] or ""),
    _on_done = on_done,
    _n = (d.next_n or 0) + 1,
  }
  d.next_n = a._n
  if a.Progress == 100 then a.EndTime = sim.now() end
  d.activities[id] = a
  local list = d.order[g.AutoScalingGroupName] or {}
  list[#list + 1] = id
  d.order[g.AutoScalingGroupName] = list
  if after then world.after(after, "autoscaling.activity", id, nil, "autoscaling.activity_due") end
  return a
end

local function finish_activity(a, status, message)
  if not a or a.StatusCode == "Successful" or a.StatusCode == "Failed" then return end
  a.StatusCode = status or "Successful"
  a.StatusMessage = message
  a.Progress = 100
  a.EndTime = sim.now()
end

local function activity_view(a)
  local out = world.public(a)
  return out
end

-- ---- instances of a group --------------------------------------------------------------

local function member(g, instance_id)
  for i, m in ipairs(g.Instances or {}) do
    if m.InstanceId == instance_id then return m, i end
  end
end

local function count_in_service(g)
  local n = 0
  for _, m in ipairs(g.Instances or {}) do
    local s = m.LifecycleState
    if s == "Pending" or s == "InService" or s == "Pending:Wait" or s == "Pending:Proceed" then
      n = n + 1
    end
  end
  return n
end

local function launch_source(g)
  if g.LaunchTemplate then
    return { LaunchTemplate = describe.copy(g.LaunchTemplate) }
  elseif g.MixedInstancesPolicy and g.MixedInstancesPolicy.LaunchTemplate then
    return { LaunchTemplate = describe.copy(g.MixedInstancesPolicy.LaunchTemplate.LaunchTemplateSpecification) }
  end
  return { LaunchConfigurationName = g.LaunchConfigurationName }
end

-- The RunInstances parameters the group's launch template or configuration gives.
local function launch_spec(g)
  local src = launch_source(g)
  if src.LaunchTemplate then
    local v = ec2().resolve_launch_template(src.LaunchTemplate)
    local spec = describe.copy(v.LaunchTemplateData or {})
    local ni = spec.NetworkInterfaces and spec.NetworkInterfaces[1]
    if ni then spec.SecurityGroupIds = spec.SecurityGroupIds or ni.Groups end
    return spec, v
  end
  local lc = world.get("autoscaling.launch_configuration", src.LaunchConfigurationName or "")
  if not lc then
    validation(("Launch configuration name not found - Launch configuration %s not found"):format(
      tostring(src.LaunchConfigurationName)))
  end
  local spec = { ImageId = lc.ImageId, InstanceType = lc.InstanceType, KeyName = lc.KeyName,
                 UserData = lc.UserData, BlockDeviceMappings = lc.BlockDeviceMappings,
                 EbsOptimized = lc.EbsOptimized }
  local ids, names = {}, {}
  for _, sg in ipairs(lc.SecurityGroups or {}) do
    if sg:match("^sg%-") then ids[#ids + 1] = sg else names[#names + 1] = sg end
  end
  spec.SecurityGroupIds = #ids > 0 and ids or nil
  spec.SecurityGroups = #names > 0 and names or nil
  if lc.IamInstanceProfile then
    if lc.IamInstanceProfile:match("^arn:") then
      spec.IamInstanceProfile = { Arn = lc.IamInstanceProfile }
    else
      spec.IamInstanceProfile = { Name = lc.IamInstanceProfile }
    end
  end
  return spec
end

local function subnets_of(g)
  local out = {}
  for id in (g.VPCZoneIdentifier or ""):gmatch("[^,%s]+") do out[#out + 1] = id end
  return out
end

local function capacity_cause(what, from, to, reason)
  return ("At %s %s, %s the capacity from %d to %d."):format(
    os.date("!%Y-%m-%dT%H:%M:%SZ", math.floor(sim.now())), reason or
      "an instance was started in response to a difference between desired and actual capacity",
    what, from, to)
end

-- Launches one instance into the group; on failure records a failed activity and
-- returns nil.
local function launch_one(g, from, to)
  local ok, err = pcall(function()
    local spec = launch_spec(g)
    local subnets = subnets_of(g)
    if #subnets > 0 then
      g._next_subnet = (g._next_subnet or 0) % #subnets + 1
      spec.SubnetId = subnets[g._next_subnet]
    elseif g.AvailabilityZones and #g.AvailabilityZones > 0 then
      g._next_subnet = (g._next_subnet or 0) % #g.AvailabilityZones + 1
      spec.Placement = { AvailabilityZone = g.AvailabilityZones[g._next_subnet] }
    end
    local tags = { { Key = "aws:autoscaling:groupName", Value = g.AutoScalingGroupName } }
    for _, t in ipairs(g.Tags or {}) do
      if t.PropagateAtLaunch then tags[#tags + 1] = { Key = t.Key, Value = t.Value } end
    end
    local insts = ec2().launch(spec, 1, { tags = tags, requester_id = "940372691376",
                                          account = config().account })
    local inst = insts[1]
    local src = launch_source(g)
    local entry = {
      InstanceId = inst.InstanceId, InstanceType = inst.InstanceType,
      AvailabilityZone = inst.Placement.AvailabilityZone, LifecycleState = "Pending",
      HealthStatus = "Healthy", ProtectedFromScaleIn = g.NewInstancesProtectedFromScaleIn or false,
      LaunchConfigurationName = src.LaunchConfigurationName,
      LaunchTemplate = src.LaunchTemplate, ImageId = inst.ImageId,
    }
    if entry.LaunchTemplate then
      entry.LaunchTemplate.Version = entry.LaunchTemplate.Version or "$Default"
    end
    local a = new_activity(g, "Launching a new EC2 instance: " .. inst.InstanceId,
                           capacity_cause("increasing", from, to), "InProgress")
    entry._activity = a.ActivityId
    g.Instances[#g.Instances + 1] = entry
    return entry
  end)
  if ok then return err end
  local message = type(err) == "table" and err.message or tostring(err)
  local a = new_activity(g, "Launching a new EC2 instance.  Status Reason: " .. message
                         .. ". Launching EC2 instance failed.",
                         capacity_cause("increasing", from, to), "Failed")
  a.StatusMessage = message .. ". Launching EC2 instance failed."
  return nil
end

-- Takes an instance out of the group and terminates it.
local function terminate_member(g, m, cause, decrement)
  m.LifecycleState = "Terminating"
  local a = new_activity(g, "Terminating EC2 instance: " .. m.InstanceId, cause, "InProgress")
  m._activity = a.ActivityId
  local inst = world.get("ec2.instance", m.InstanceId)
  if inst then
    ec2().terminate_instance(inst)
  else
    finish_activity(a)
    local _, i = member(g, m.InstanceId)
    if i then table.remove(g.Instances, i) end
  end
  if decrement then g.DesiredCapacity = math.max(g.MinSize, g.DesiredCapacity - 1) end
end

-- Brings the number of Pending/InService instances to DesiredCapacity.
function M.reconcile(g)
  local current = count_in_service(g)
  local desired = g.DesiredCapacity
  if current < desired and not suspended(g, "Launch") then
    local failed = false
    for n = current + 1, desired do
      if not launch_one(g, n - 1, n) then failed = true; break end
    end
    if failed then
      g._retry = math.min((g._retry or duration("launch_retry") / 2) * 2, 3600)
      world.after(g._retry, "autoscaling.group", g.AutoScalingGroupName, nil, "autoscaling.retry_launch")
    else
      g._retry = nil
    end
  elseif current > desired and not suspended(g, "Terminate") then
    -- Default termination policy, simplified: unprotected instances, newest first.
    for i = #g.Instances, 1, -1 do
      if count_in_service(g) <= desired then break end
      local m = g.Instances[i]
      if (m.LifecycleState == "InService" or m.LifecycleState == "Pending") and not m.ProtectedFromScaleIn then
        local before = count_in_service(g)
        terminate_member(g, m, capacity_cause("shrinking", before, before - 1,
                                              "a user request explicitly set group desired capacity changing the desired capacity"))
      end
    end
  end
end

function M.hooks.retry_launch(g)
  if g then M.reconcile(g) end
end

function M.hooks.activity_due(_, ev)
  local a = data().activities[ev.id]
  if not a then return end
  local g = world.get("autoscaling.group", a.AutoScalingGroupName)
  local done = a._on_done
  finish_activity(a)
  if not g or not done then return end
  local m = member(g, done.instance)
  if not m then return end
  if done.action == "standby" and m.LifecycleState == "EnteringStandby" then
    m.LifecycleState = "Standby"
  elseif done.action == "exit_standby" and m.LifecycleState == "Pending" then
    m.LifecycleState = "InService"
  end
end

-- Called by the EC2 model when an instance tagged aws:autoscaling:groupName changes state.
function M.instance_changed(inst)
  local name = describe.tag(inst.Tags, "aws:autoscaling:groupName")
  local g = name and world.get("autoscaling.group", name)
  if not g then return end
  local m, index = member(g, inst.InstanceId)
  if not m then return end
  local state = inst.State.Name
  local activities = data().activities
  if state == "running" then
    if m.LifecycleState == "Pending" and m._activity then
      m.LifecycleState = "InService"
      finish_activity(activities[m._activity])
      m._activity = nil
    end
  elseif state == "terminated" then
    if m._activity then finish_activity(activities[m._activity]) end
    table.remove(g.Instances, index)
    M.reconcile(g)
  elseif (state == "stopped" or state == "stopping") and m.LifecycleState ~= "Standby"
         and m.LifecycleState ~= "Terminating" then
    -- An instance stopped behind the group's back fails its health check.
    m.HealthStatus = "Unhealthy"
    if not suspended(g, "ReplaceUnhealthy") and not suspended(g, "HealthCheck") then
      terminate_member(g, m, ("At %s an instance was taken out of service in response to an "
                              .. "EC2 instance status check failure."):format(iso()))
    end
  end
end

-- ---- groups (CloudFormation and seeds) ---------------------------------------------------

-- Creates a group and launches its instances. fields: boto3's CreateAutoScalingGroup
-- members (AutoScalingGroupName, LaunchTemplate | LaunchConfigurationName, MinSize,
-- MaxSize, DesiredCapacity, VPCZoneIdentifier, AvailabilityZones, Tags, ...).
function M.create_group(fields)
  local name = fields.AutoScalingGroupName
  if world.get("autoscaling.group", name) then
    sim.error("AlreadyExists", ("AutoScalingGroup by this name already exists - A group with "
              .. "the name %s already exists"):format(name), 400)
  end
  local min, max = tonumber(fields.MinSize) or 0, tonumber(fields.MaxSize) or 0
  local desired = tonumber(fields.DesiredCapacity) or min
  if min > max then validation("The parameter MaxSize must be greater than or equal to MinSize") end
  if desired < min or desired > max then
    validation(("Desired capacity:%d must be between the specified min size:%d and max size:%d"):format(
      desired, min, max))
  end
  if not fields.LaunchTemplate and not fields.LaunchConfigurationName and not fields.MixedInstancesPolicy then
    validation("Valid requests must contain either LaunchTemplate, LaunchConfigurationName, "
               .. "InstanceId or MixedInstancesPolicy parameter.")
  end
  local lt = fields.LaunchTemplate and describe.copy(fields.LaunchTemplate)
  if lt then
    local tmpl = ec2().get_launch_template(lt.LaunchTemplateId, lt.LaunchTemplateName)
    lt.LaunchTemplateId, lt.LaunchTemplateName = tmpl.LaunchTemplateId, tmpl.LaunchTemplateName
    lt.Version = lt.Version or "$Default"
  elseif fields.LaunchConfigurationName
         and not world.get("autoscaling.launch_configuration", fields.LaunchConfigurationName) then
    validation(("Launch configuration name not found - Launch configuration %s not found"):format(
      fields.LaunchConfigurationName))
  end
  local azs = fields.AvailabilityZones
  if (not azs or #azs == 0) then
    azs = sim.array {}
    local seen = {}
    for id in (fields.VPCZoneIdentifier or ""):gmatch("[^,%s]+") do
      local s = ec2().find_subnet(id)
      if not s then
        validation(("The subnet ID '%s' does not exist"):format(id))
      end
      if not seen[s.AvailabilityZone] then
        seen[s.AvailabilityZone] = true
        azs[#azs + 1] = s.AvailabilityZone
      end
    end
    if #azs == 0 then azs[1] = config().region .. "a" end
  end
  local tags = sim.array {}
  for _, t in ipairs(fields.Tags or {}) do
    tags[#tags + 1] = { ResourceId = name, ResourceType = "auto-scaling-group", Key = t.Key,
                        Value = t.Value or "", PropagateAtLaunch = t.PropagateAtLaunch and true or false }
  end
  local g = world.put("autoscaling.group", name, {
    AutoScalingGroupName = name, AutoScalingGroupARN = group_arn(name),
    LaunchConfigurationName = fields.LaunchConfigurationName, LaunchTemplate = lt,
    MixedInstancesPolicy = fields.MixedInstancesPolicy,
    MinSize = min, MaxSize = max, DesiredCapacity = desired,
    DefaultCooldown = fields.DefaultCooldown or 300, AvailabilityZones = azs,
    LoadBalancerNames = fields.LoadBalancerNames or sim.array {},
    TargetGroupARNs = fields.TargetGroupARNs or sim.array {},
    HealthCheckType = fields.HealthCheckType or "EC2",
    HealthCheckGracePeriod = fields.HealthCheckGracePeriod or 300,
    Instances = sim.array {}, CreatedTime = sim.now(), SuspendedProcesses = sim.array {},
    VPCZoneIdentifier = fields.VPCZoneIdentifier, EnabledMetrics = sim.array {},
    Tags = tags, TerminationPolicies = fields.TerminationPolicies or { "Default" },
    NewInstancesProtectedFromScaleIn = fields.NewInstancesProtectedFromScaleIn or false,
    ServiceLinkedRoleARN = ("arn:aws:iam::%s:role/aws-service-role/autoscaling.amazonaws.com/"
                            .. "AWSServiceRoleForAutoScaling"):format(config().account),
    CapacityRebalance = false,
  })
  M.reconcile(g)
  return g
end

-- Whether every instance the group wants is InService (CloudFormation waits for this).
function M.group_ready(name)
  local g = world.get("autoscaling.group", name)
  if not g then return false end
  local n = 0
  for _, m in ipairs(g.Instances) do
    if m.LifecycleState == "InService" then n = n + 1 end
  end
  return n >= g.DesiredCapacity
end

-- Deletes a group and terminates its instances (ForceDelete, as CloudFormation does).
function M.delete_group(name)
  local g = world.get("autoscaling.group", name)
  if not g then return end
  for _, m in ipairs(g.Instances) do
    local inst = world.get("ec2.instance", m.InstanceId)
    if inst then ec2().terminate_instance(inst) end
  end
  world.remove("autoscaling.group", name)
  data().order[name] = nil
end

-- Whether a group still has instances that are not terminated yet.
function M.group_drained(name)
  local g = world.get("autoscaling.group", name)
  return g == nil
end

function M.create_launch_configuration(fields)
  local name = fields.LaunchConfigurationName
  if world.get("autoscaling.launch_configuration", name) then
    sim.error("AlreadyExists", ("Launch Configuration by this name already exists - A launch "
              .. "configuration already exists with the name %s"):format(name), 400)
  end
  if not fields.ImageId then validation("ImageId is required") end
  ec2().get_image(fields.ImageId)
  return world.put("autoscaling.launch_configuration", name, {
    LaunchConfigurationName = name,
    LaunchConfigurationARN = ("arn:aws:autoscaling:%s:%s:launchConfiguration:%s:launchConfigurationName/%s"):format(
      config().region, config().account, sim.uuid(), name),
    ImageId = fields.ImageId, KeyName = fields.KeyName,
    SecurityGroups = fields.SecurityGroups or sim.array {},
    ClassicLinkVPCSecurityGroups = sim.array {},
    UserData = fields.UserData, InstanceType = fields.InstanceType or "t3.micro",
    KernelId = "", RamdiskId = "",
    BlockDeviceMappings = fields.BlockDeviceMappings or sim.array {},
    InstanceMonitoring = { Enabled = fields.InstanceMonitoring == nil and true
                           or fields.InstanceMonitoring == true
                           or (type(fields.InstanceMonitoring) == "table" and fields.InstanceMonitoring.Enabled) or false },
    IamInstanceProfile = fields.IamInstanceProfile, CreatedTime = sim.now(),
    EbsOptimized = fields.EbsOptimized or false,
    AssociatePublicIpAddress = fields.AssociatePublicIpAddress,
    MetadataOptions = fields.MetadataOptions,
  })
end

function M.delete_launch_configuration(name)
  for _, g in ipairs(world.list("autoscaling.group")) do
    if g.LaunchConfigurationName == name then
      sim.error("ResourceInUse", ("Cannot delete launch configuration %s because it is attached "
                .. "to AutoScalingGroup %s"):format(name, g.AutoScalingGroupName), 400)
    end
  end
  world.remove("autoscaling.launch_configuration", name)
end

-- ---- the API --------------------------------------------------------------------------

local function group_view(g, with_instances)
  local out = world.public(g)
  if with_instances == false then out.Instances = nil end
  return out
end

local GROUP_FILTERS = {
  ["auto-scaling-group"] = function(g) return g.AutoScalingGroupName end,
}

function M.ops.DescribeAutoScalingGroups(params, ctx)
  local names = describe.set(params.AutoScalingGroupNames)
  local out = {}
  for _, g in ipairs(world.list("autoscaling.group")) do
    if (not names or names[g.AutoScalingGroupName])
       and describe.matches(g, params.Filters, GROUP_FILTERS, "ValidationError") then
      out[#out + 1] = g
    end
  end
  local max = params.MaxRecords or 50
  if max > 100 then validation("MaxRecords must be at most 100") end
  local page, token = describe.page(out, params.NextToken, max)
  local include = params.IncludeInstances
  return { AutoScalingGroups = describe.map(page, function(g) return group_view(g, include) end),
           NextToken = token }
end

function M.ops.DescribeAutoScalingInstances(params, ctx)
  local wanted = describe.set(params.InstanceIds)
  local out = {}
  for _, g in ipairs(world.list("autoscaling.group")) do
    for _, m in ipairs(g.Instances) do
      if not wanted or wanted[m.InstanceId] then
        local v = world.public(m)
        v.AutoScalingGroupName = g.AutoScalingGroupName
        -- This API spells health in capitals.
        v.HealthStatus = m.HealthStatus == "Healthy" and "HEALTHY" or "UNHEALTHY"
        out[#out + 1] = v
      end
    end
  end
  local page, token = describe.page(out, params.NextToken, params.MaxRecords or 50)
  return { AutoScalingInstances = page, NextToken = token }
end

function M.ops.DescribeLaunchConfigurations(params, ctx)
  local names = describe.set(params.LaunchConfigurationNames)
  local out = {}
  for _, lc in ipairs(world.list("autoscaling.launch_configuration")) do
    if not names or names[lc.LaunchConfigurationName] then out[#out + 1] = lc end
  end
  local page, token = describe.page(out, params.NextToken, params.MaxRecords or 50)
  return { LaunchConfigurations = describe.map(page, world.public), NextToken = token }
end

function M.ops.DescribeScalingActivities(params, ctx)
  local d = data()
  local ids = {}
  if params.ActivityIds and #params.ActivityIds > 0 then
    ids = params.ActivityIds
  elseif params.AutoScalingGroupName then
    ids = d.order[params.AutoScalingGroupName] or {}
  else
    local all = {}
    for _, list in pairs(d.order) do
      for _, id in ipairs(list) do all[#all + 1] = id end
    end
    ids = all
  end
  local out = {}
  for _, id in ipairs(ids) do
    local a = d.activities[id]
    if a and (not params.AutoScalingGroupName or a.AutoScalingGroupName == params.AutoScalingGroupName) then
      out[#out + 1] = a
    end
  end
  -- Newest first, as AWS lists them.
  table.sort(out, function(x, y)
    if x.StartTime ~= y.StartTime then return x.StartTime > y.StartTime end
    return (x._n or 0) > (y._n or 0)
  end)
  local page, token = describe.page(out, params.NextToken, params.MaxRecords or 100)
  return { Activities = describe.map(page, activity_view), NextToken = token }
end

-- The group's members named by ids, each checked to be in the group.
local function members_of(g, ids)
  local out = {}
  for _, id in ipairs(ids or {}) do
    local m = member(g, id)
    if not m then
      validation(("The instance %s is not part of Auto Scaling group %s."):format(id, g.AutoScalingGroupName))
    end
    out[#out + 1] = m
  end
  return out
end

function M.ops.EnterStandby(params, ctx)
  local g = M.get_group(params.AutoScalingGroupName)
  local members = members_of(g, params.InstanceIds)
  for _, m in ipairs(members) do
    if m.LifecycleState ~= "InService" then
      validation(("The instance %s is not in InService."):format(m.InstanceId))
    end
  end
  local before = g.DesiredCapacity
  local decrement = params.ShouldDecrementDesiredCapacity
  if decrement then
    if before - #members < g.MinSize then
      validation(("AutoScalingGroup %s has min-size=%d, max-size=%d, and desired-size=%d. To "
                  .. "place into standby %d instances, please update the AutoScalingGroup sizes "
                  .. "appropriately."):format(g.AutoScalingGroupName, g.MinSize, g.MaxSize,
                                              before, #members))
    end
    g.DesiredCapacity = before - #members
  end
  local activities = sim.array {}
  for i, m in ipairs(members) do
    m.LifecycleState = "EnteringStandby"
    local from = decrement and before - i + 1 or before
    local to = decrement and before - i or before
    local a = new_activity(g, "Moving EC2 instance to Standby: " .. m.InstanceId,
                           capacity_cause(decrement and "shrinking" or "keeping", from, to,
                                          "an instance was removed from service in response to a user request"),
                           "InProgress", duration("standby_enter"),
                           { action = "standby", instance = m.InstanceId })
    activities[#activities + 1] = activity_view(a)
  end
  -- Without the decrement, the group launches replacements.
  if not decrement then M.reconcile(g) end
  return { Activities = activities }
end

function M.ops.ExitStandby(params, ctx)
  local g = M.get_group(params.AutoScalingGroupName)
  local members = members_of(g, params.InstanceIds)
  for _, m in ipairs(members) do
    if m.LifecycleState ~= "Standby" then
      validation(("The instance %s is not in Standby."):format(m.InstanceId))
    end
  end
  local before = g.DesiredCapacity
  if before + #members > g.MaxSize then
    validation(("AutoScalingGroup %s has min-size=%d, max-size=%d, and desired-size=%d. To "
                .. "exit %d instances from standby, please update the AutoScalingGroup sizes "
                .. "appropriately."):format(g.AutoScalingGroupName, g.MinSize, g.MaxSize, before,
                                            #members))
  end
  g.DesiredCapacity = before + #members
  local activities = sim.array {}
  for i, m in ipairs(members) do
    m.LifecycleState = "Pending"
    local a = new_activity(g, "Moving EC2 instance out of Standby: " .. m.InstanceId,
                           capacity_cause("increasing", before + i - 1, before + i,
                                          "an instance was added to service in response to a user request"),
                           "InProgress", duration("standby_exit"),
                           { action = "exit_standby", instance = m.InstanceId })
    activities[#activities + 1] = activity_view(a)
  end
  return { Activities = activities }
end

local function process_names(list)
  if not list or #list == 0 then return PROCESSES end
  local known = {}
  for _, p in ipairs(PROCESSES) do known[p] = true end
  for _, p in ipairs(list) do
    if not known[p] then validation(("Process %s is not a valid scaling process"):format(p)) end
  end
  return list
end

function M.ops.SuspendProcesses(params, ctx)
  local g = M.get_group(params.AutoScalingGroupName)
  for _, p in ipairs(process_names(params.ScalingProcesses)) do
    if not suspended(g, p) then
      g.SuspendedProcesses[#g.SuspendedProcesses + 1] = {
        ProcessName = p,
        SuspensionReason = ("User suspended at %s"):format(iso()),
      }
    end
  end
  return {}
end

function M.ops.ResumeProcesses(params, ctx)
  local g = M.get_group(params.AutoScalingGroupName)
  local resume = {}
  for _, p in ipairs(process_names(params.ScalingProcesses)) do resume[p] = true end
  local kept = sim.array {}
  for _, p in ipairs(g.SuspendedProcesses) do
    if not resume[p.ProcessName] then kept[#kept + 1] = p end
  end
  g.SuspendedProcesses = kept
  M.reconcile(g)
  return {}
end

function M.ops.SetInstanceProtection(params, ctx)
  local g = M.get_group(params.AutoScalingGroupName)
  for _, m in ipairs(members_of(g, params.InstanceIds)) do
    m.ProtectedFromScaleIn = params.ProtectedFromScaleIn and true or false
  end
  return {}
end

function M.ops.UpdateAutoScalingGroup(params, ctx)
  local g = M.get_group(params.AutoScalingGroupName)
  local min = params.MinSize or g.MinSize
  local max = params.MaxSize or g.MaxSize
  local desired = params.DesiredCapacity
  if min > max then validation("The parameter MaxSize must be greater than or equal to MinSize") end
  if not desired then
    desired = math.max(min, math.min(max, g.DesiredCapacity))
  elseif desired < min or desired > max then
    validation(("Desired capacity:%d must be between the specified min size:%d and max size:%d"):format(
      desired, min, max))
  end
  if params.LaunchTemplate then
    local lt = describe.copy(params.LaunchTemplate)
    local tmpl = ec2().get_launch_template(lt.LaunchTemplateId, lt.LaunchTemplateName)
    lt.LaunchTemplateId, lt.LaunchTemplateName = tmpl.LaunchTemplateId, tmpl.LaunchTemplateName
    lt.Version = lt.Version or "$Default"
    g.LaunchTemplate, g.LaunchConfigurationName, g.MixedInstancesPolicy = lt, nil, nil
  elseif params.LaunchConfigurationName then
    if not world.get("autoscaling.launch_configuration", params.LaunchConfigurationName) then
      validation(("Launch configuration name not found - Launch configuration %s not found"):format(
        params.LaunchConfigurationName))
    end
    g.LaunchConfigurationName, g.LaunchTemplate, g.MixedInstancesPolicy = params.LaunchConfigurationName, nil, nil
  elseif params.MixedInstancesPolicy then
    g.MixedInstancesPolicy, g.LaunchTemplate, g.LaunchConfigurationName = params.MixedInstancesPolicy, nil, nil
  end
  for _, k in ipairs({ "DefaultCooldown", "HealthCheckType", "HealthCheckGracePeriod",
                       "VPCZoneIdentifier", "TerminationPolicies", "NewInstancesProtectedFromScaleIn",
                       "MaxInstanceLifetime", "CapacityRebalance", "AvailabilityZones",
                       "DefaultInstanceWarmup" }) do
    if params[k] ~= nil then g[k] = params[k] end
  end
  g.MinSize, g.MaxSize, g.DesiredCapacity = min, max, desired
  M.reconcile(g)
  return {}
end

-- ---- seed -----------------------------------------------------------------------------

-- Seed section (docs/awssim-resources.md):
-- { "durations": {...},
--   "launch_configurations": [{ LaunchConfigurationName, ImageId, InstanceType?, ... }],
--   "groups": [{ AutoScalingGroupName, LaunchTemplate | LaunchConfigurationName, MinSize,
--                MaxSize, DesiredCapacity?, VPCZoneIdentifier?, Tags? }] }
-- Seeded groups start with their instances already InService.
function M.seed(section)
  local d = world.data("autoscaling")
  if section.durations then
    d.durations = d.durations or {}
    for k, v in pairs(section.durations) do d.durations[k] = v end
  end
  for _, lc in ipairs(section.launch_configurations or {}) do M.create_launch_configuration(lc) end
  for _, f in ipairs(section.groups or {}) do
    local g = M.create_group(f)
    M.settle(g)
  end
end

-- Makes a group's launches complete at once (seeds start from a settled world).
function M.settle(g)
  for _, m in ipairs(g.Instances) do
    local inst = world.get("ec2.instance", m.InstanceId)
    if inst and inst.State.Name == "pending" then
      world.cancel("ec2.instance", inst.InstanceId)
      inst.State = { Code = 16, Name = "running" }
      inst._running_since = sim.now()
      M.instance_changed(inst)
    end
  end
end

return M
