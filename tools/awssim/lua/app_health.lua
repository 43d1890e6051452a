-- The health of the application a CloudFormation stack runs, as a load balancer would see
-- it: GET /_awssim/apps/<stack-name>/health answers 200 while the stack exists and its
-- Auto Scaling group(s) have at least one instance InService, 503 otherwise (instances on
-- Standby or none, the stack failed, being deleted or gone). Smoke tests of environments
-- created on awssim point at it (docs/awssim.md#application-health), so they fail when the
-- environment does not really serve.
local world = require "world"

local M = {}

-- A stack in one of these states serves nothing, whatever its group holds.
local DEAD = {
  CREATE_FAILED = true, ROLLBACK_IN_PROGRESS = true, ROLLBACK_FAILED = true, ROLLBACK_COMPLETE = true,
  DELETE_IN_PROGRESS = true, DELETE_FAILED = true, DELETE_COMPLETE = true,
}

-- The live stack named name (the newest, should a deleted one share its name), or nil.
local function find_stack(name)
  local found
  for _, s in ipairs(world.list("cloudformation.stack")) do
    if s.StackName == name and s.StackStatus ~= "DELETE_COMPLETE" then found = s end
  end
  return found
end

-- The stack's Auto Scaling groups that exist.
local function groups_of(stack)
  local out = {}
  for _, r in pairs(stack._resources or {}) do
    if r.ResourceType == "AWS::AutoScaling::AutoScalingGroup" and r.PhysicalResourceId
       and r.ResourceStatus ~= "DELETE_COMPLETE" then
      local g = world.get("autoscaling.group", r.PhysicalResourceId)
      if g then out[#out + 1] = g end
    end
  end
  table.sort(out, function(a, b) return a.AutoScalingGroupName < b.AutoScalingGroupName end)
  return out
end

-- "2 Standby, 1 Pending" from a count per lifecycle state.
local function summary(counts)
  local states = {}
  for s in pairs(counts) do states[#states + 1] = s end
  table.sort(states)
  local parts = {}
  for _, s in ipairs(states) do parts[#parts + 1] = ("%d %s"):format(counts[s], s) end
  return table.concat(parts, ", ")
end

-- { status = 200 | 503, stack, stack_status, in_service, instances = {state = n}, reason }
function M.of(name)
  local stack = find_stack(name)
  if not stack then
    return { status = 503, stack = name, in_service = 0, reason = ("no stack %s"):format(name) }
  end
  local answer = { stack = name, stack_status = stack.StackStatus, in_service = 0 }
  if DEAD[stack.StackStatus] then
    answer.status, answer.reason = 503, ("stack %s is %s"):format(name, stack.StackStatus)
    return answer
  end
  local groups = groups_of(stack)
  if #groups == 0 then
    answer.status, answer.reason = 503, ("stack %s has no Auto Scaling group (yet)"):format(name)
    return answer
  end
  local counts = {}
  for _, g in ipairs(groups) do
    for _, m in ipairs(g.Instances or {}) do
      counts[m.LifecycleState] = (counts[m.LifecycleState] or 0) + 1
    end
  end
  answer.in_service = counts.InService or 0
  answer.instances = next(counts) and counts or nil
  if answer.in_service == 0 then
    local held = summary(counts)
    answer.status = 503
    answer.reason = ("no instance of %s is InService (%s)"):format(name, held ~= "" and held or "the group is empty")
  else
    answer.status = 200
  end
  return answer
end

return M
