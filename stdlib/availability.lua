-- Environment availability through its Auto Scaling group: "Unavailable" puts every
-- InService instance on Standby (EnterStandby with ShouldDecrementDesiredCapacity = true),
-- "Available" brings them back (ExitStandby); both wait until the scaling activities
-- are Successful and the instances are in their new lifecycle state.
--
--   local availability = require "stdlib.availability"
--   local rec = availability.make_unavailable("api-prod-Group-1A2B", { save = ctx.save })
--   ...
--   availability.make_available("api-prod-Group-1A2B", rec)
--
-- How standby behaves, and what this module does about it (see docs/stdlib.md):
-- * Only InService instances can enter Standby, so instances still Pending are waited for.
-- * With ShouldDecrementDesiredCapacity the group does not launch replacements; but the
--   desired capacity may not go below MinSize, so MinSize is lowered first when needed and
--   restored after ExitStandby (which increments the desired capacity again).
-- * Standby instances get no health checks and are not chosen for scale-in, so they need
--   no scale-in protection (SetInstanceProtection is not used). What could still bring a
--   new InService instance up while the environment is meant to be down are scaling
--   policies, scheduled actions and AZ rebalancing: those processes (AlarmNotification,
--   ScheduledActions, AZRebalance) are suspended while unavailable and resumed after,
--   except those that were already suspended before.
-- * The record returned (and handed to opts.save before each change) says what was
--   changed, so the undo puts back exactly that, even after a crash.
local awscall = require "stdlib.awscall"
local primitives = require "dsl.primitives"
local pace = require "stdlib.pace"

local M = {}

M.BATCH = 20   -- instances per EnterStandby / ExitStandby call (the API's limit)
M.PROCESSES = { "AlarmNotification", "ScheduledActions", "AZRebalance" }

local ACTIVITY_DONE = { Successful = true, Failed = true, Cancelled = true }
local PENDING = { Pending = true, ["Pending:Wait"] = true, ["Pending:Proceed"] = true }
local GONE = { Terminating = true, ["Terminating:Wait"] = true, ["Terminating:Proceed"] = true,
               Terminated = true, Detaching = true, Detached = true }

local function aws() return awscall.client() end
local function log() return primitives.public.log end
local function wait_poll(a) return primitives.public.wait.poll(pace.poll(a)) end

-- The Auto Scaling group name (DescribeAutoScalingGroups' element); an error when missing.
function M.group(name)
  local res = aws().autoscaling.describe_auto_scaling_groups { AutoScalingGroupNames = { name } }
  local g = awscall.list(res, "AutoScalingGroups")[1]
  if not g then error(("Auto Scaling group %s does not exist"):format(name), 0) end
  return g
end

-- Counts of a group's instances by lifecycle state, and the ids by state (pure).
function M.census(group)
  local by_state, ids = {}, {}
  for _, i in ipairs(group.Instances or {}) do
    local st = i.LifecycleState
    by_state[st] = (by_state[st] or 0) + 1
    ids[st] = ids[st] or {}
    table.insert(ids[st], i.InstanceId)
  end
  for _, list in pairs(ids) do table.sort(list) end
  return by_state, ids
end

-- "Available" (instances InService and none on the way in or out of Standby),
-- "Unavailable" (none InService), or "Partial" (some of each), with the census (pure).
function M.state_of(group)
  local by_state = M.census(group)
  local inservice = by_state.InService or 0
  local moving = (by_state.EnteringStandby or 0)
  for st, n in pairs(by_state) do if PENDING[st] then moving = moving + n end end
  if inservice == 0 and moving == 0 then return "Unavailable", by_state end
  if moving == 0 and (by_state.Standby or 0) == 0 then return "Available", by_state end
  return "Partial", by_state
end

-- The availability of the group named name (see state_of).
function M.state(name)
  return M.state_of(M.group(name))
end

local function describe_census(by_state)
  local keys = {}
  for k in pairs(by_state) do keys[#keys + 1] = k end
  table.sort(keys)
  local parts = {}
  for _, k in ipairs(keys) do parts[#parts + 1] = ("%d %s"):format(by_state[k], k) end
  return #parts > 0 and table.concat(parts, ", ") or "no instances"
end

-- Waits until the scaling activities ids are all done; a Failed or Cancelled one is an
-- error with its status message.
function M.wait_activities(name, ids, opts)
  if #ids == 0 or primitives.planning() then return end
  opts = opts or {}
  local last = {}
  wait_poll {
    what = ("%d scaling activit%s of %s"):format(#ids, #ids == 1 and "y" or "ies", name),
    timeout = opts.timeout or "15m", every = opts.every or "5s", max_every = "30s",
    check = function()
      last = {}
      for first = 1, #ids, 50 do
        local batch = {}
        for i = first, math.min(first + 49, #ids) do batch[#batch + 1] = ids[i] end
        local res = aws().autoscaling.describe_scaling_activities { AutoScalingGroupName = name, ActivityIds = batch }
        for _, a in ipairs(awscall.list(res, "Activities")) do last[#last + 1] = a end
      end
      local done, codes = 0, {}
      for _, a in ipairs(last) do
        if ACTIVITY_DONE[a.StatusCode] then done = done + 1 end
        codes[a.StatusCode or "?"] = (codes[a.StatusCode or "?"] or 0) + 1
      end
      return done == #ids, describe_census(codes)
    end,
  }
  local bad = {}
  for _, a in ipairs(last) do
    if a.StatusCode ~= "Successful" then
      bad[#bad + 1] = ("%s: %s%s"):format(a.Description or a.ActivityId, a.StatusCode,
        a.StatusMessage and (" (" .. a.StatusMessage .. ")") or "")
    end
  end
  if #bad > 0 then
    error(("scaling activities of %s did not succeed:\n  %s"):format(name, table.concat(bad, "\n  ")), 0)
  end
end

-- Waits until each of ids is in lifecycle state want (or gone from the group).
local function wait_instances(name, ids, want, opts)
  if #ids == 0 or primitives.planning() then return end
  local wanted = {}
  for _, id in ipairs(ids) do wanted[id] = true end
  wait_poll {
    what = ("%d instance(s) of %s %s"):format(#ids, name, want),
    timeout = opts.timeout or "15m", every = opts.every or "5s", max_every = "30s",
    check = function()
      local g = M.group(name)
      local left = 0
      for _, i in ipairs(g.Instances or {}) do
        if wanted[i.InstanceId] and i.LifecycleState ~= want and not GONE[i.LifecycleState] then left = left + 1 end
      end
      return left == 0, describe_census((M.census(g)))
    end,
  }
end

local function batches(list)
  local out = {}
  for first = 1, #list, M.BATCH do
    local b = {}
    for i = first, math.min(first + M.BATCH - 1, #list) do b[#b + 1] = list[i] end
    out[#out + 1] = b
  end
  return out
end

local function activity_ids(res, into)
  for _, a in ipairs(awscall.list(res, "Activities")) do into[#into + 1] = a.ActivityId end
end

local function set_of(list)
  local s = {}
  for _, x in ipairs(list or {}) do s[x] = true end
  return s
end

-- Makes the environment of group name unavailable: every InService instance to Standby.
-- opts: save (ctx.save: the record is journaled before each change), previous (the
-- record an earlier attempt of the same step saved, if known), rerun (true when this is
-- not the step's first attempt: ctx.attempt > 1), timeout, every.
-- Returns the record { asg, instances, min_size, suspended } for make_available.
function M.make_unavailable(name, opts)
  opts = opts or {}
  local save = opts.save or function() end
  local previous = opts.previous or {}
  local g = M.group(name)
  local rec = { asg = name }
  if primitives.planning() and awscall.is_placeholder(name) then
    -- a group the plan has not really created: list the calls a real run would make
    local instances = { ("<%s instances>"):format((name:gsub("[<>]", ""))) }
    aws().autoscaling.suspend_processes { AutoScalingGroupName = name, ScalingProcesses = M.PROCESSES }
    aws().autoscaling.enter_standby { AutoScalingGroupName = name, InstanceIds = instances, ShouldDecrementDesiredCapacity = true }
    rec.instances, rec.suspended = instances, M.PROCESSES
    return rec
  end

  -- Instances on their way in service are waited for: only InService ones can enter Standby.
  local by_state = M.census(g)
  local pending = 0
  for st, n in pairs(by_state) do if PENDING[st] then pending = pending + n end end
  if pending > 0 and not primitives.planning() then
    log().info(("%s: %d instance(s) still pending; waiting for them to be InService first"):format(name, pending))
    wait_poll {
      what = "pending instances of " .. name .. " InService",
      timeout = opts.timeout or "15m", every = opts.every or "5s", max_every = "30s",
      check = function()
        g = M.group(name)
        local n = 0
        for st, c in pairs((M.census(g))) do if PENDING[st] then n = n + c end end
        return n == 0, describe_census((M.census(g)))
      end,
    }
  end
  local _, ids = M.census(g)
  local inservice = ids.InService or {}
  -- Instances already on Standby are ours only when an earlier attempt of this step put
  -- them there (previous says which; without it, a step run again takes them all); an
  -- operator's own standby instances are otherwise left alone.
  local ours = set_of(previous.instances)
  local instances = {}
  for _, id in ipairs(inservice) do instances[#instances + 1] = id end
  for _, st in ipairs({ "Standby", "EnteringStandby" }) do
    for _, id in ipairs(ids[st] or {}) do
      if ours[id] or (opts.rerun and not previous.instances) then instances[#instances + 1] = id
      else log().warn(("%s: instance %s was already %s before this run; it is left as it is"):format(name, id, st)) end
    end
  end
  table.sort(instances)
  rec.instances = instances

  -- Processes that could launch or rebalance while the environment is down.
  local already = {}
  for _, p in ipairs(g.SuspendedProcesses or {}) do already[p.ProcessName] = true end
  local to_suspend = {}
  for _, p in ipairs(M.PROCESSES) do
    if not already[p] then to_suspend[#to_suspend + 1] = p end
  end
  if #to_suspend > 0 then
    rec.suspended = to_suspend
    save { asg = name, suspended = to_suspend }
    aws().autoscaling.suspend_processes { AutoScalingGroupName = name, ScalingProcesses = to_suspend }
  else
    rec.suspended = previous.suspended
  end

  if #inservice == 0 then
    save { asg = name, instances = instances }
    log().info(("%s: no instance is InService (%s): already unavailable"):format(name, describe_census((M.census(g)))))
    return rec
  end

  -- The desired capacity may not drop below MinSize: lower MinSize for the time being.
  local after = (g.DesiredCapacity or 0) - #inservice
  if after < (g.MinSize or 0) then
    rec.min_size = g.MinSize
    save { asg = name, min_size = g.MinSize }
    log().info(("%s: lowering MinSize from %d to %d while its instances are on standby"):format(name, g.MinSize, math.max(after, 0)))
    aws().autoscaling.update_auto_scaling_group { AutoScalingGroupName = name, MinSize = math.max(after, 0) }
  else
    rec.min_size = previous.min_size
  end

  save { asg = name, instances = instances }
  local activities = {}
  for _, batch in ipairs(batches(inservice)) do
    local res = aws().autoscaling.enter_standby {
      AutoScalingGroupName = name, InstanceIds = batch, ShouldDecrementDesiredCapacity = true,
    }
    activity_ids(res, activities)
  end
  log().info(("%s: %d instance(s) entering standby"):format(name, #inservice))
  M.wait_activities(name, activities, opts)
  wait_instances(name, inservice, "Standby", opts)
  return rec
end

-- Makes the environment of group name available again. rec (from make_unavailable) says
-- which instances to bring back and what else to restore; without it, every Standby
-- instance is brought back and nothing else is touched. Instances that left the group
-- meanwhile are skipped with a warning.
function M.make_available(name, rec, opts)
  opts = opts or {}
  rec = rec or {}
  local g = M.group(name)
  if primitives.planning() and awscall.is_placeholder(name) then
    aws().autoscaling.exit_standby { AutoScalingGroupName = name, InstanceIds = rec.instances or { ("<%s instances>"):format((name:gsub("[<>]", ""))) } }
    if rec.suspended then aws().autoscaling.resume_processes { AutoScalingGroupName = name, ScalingProcesses = rec.suspended } end
    return 0
  end
  local _, ids = M.census(g)
  local standby = set_of(ids.Standby)
  local present = {}
  for _, i in ipairs(g.Instances or {}) do present[i.InstanceId] = i.LifecycleState end
  local back = {}
  local wanted = rec.instances or ids.Standby or {}
  for _, id in ipairs(wanted) do
    if standby[id] or primitives.planning() then back[#back + 1] = id   -- a plan lists the calls an undo would make
    elseif present[id] == "EnteringStandby" then
      -- still on its way in (e.g. the run was interrupted): let it arrive first
      wait_instances(name, { id }, "Standby", opts)
      back[#back + 1] = id
    elseif present[id] == nil then
      log().warn(("%s: instance %s is no longer in the group; it cannot be brought back"):format(name, id))
    end
  end
  local activities = {}
  for _, batch in ipairs(batches(back)) do
    local res = aws().autoscaling.exit_standby { AutoScalingGroupName = name, InstanceIds = batch }
    activity_ids(res, activities)
  end
  if #back > 0 then log().info(("%s: %d instance(s) leaving standby"):format(name, #back)) end
  M.wait_activities(name, activities, opts)
  wait_instances(name, back, "InService", opts)
  if rec.min_size and (g.MinSize ~= rec.min_size or primitives.planning()) then
    log().info(("%s: restoring MinSize to %s"):format(name, tostring(rec.min_size)))
    aws().autoscaling.update_auto_scaling_group { AutoScalingGroupName = name, MinSize = rec.min_size }
  end
  if rec.suspended and #rec.suspended > 0 then
    aws().autoscaling.resume_processes { AutoScalingGroupName = name, ScalingProcesses = rec.suspended }
  end
  return #back
end

return M
