-- CloudFormation's stack engine: a stack operation (create, update, delete, and their
-- rollbacks) as a list of tasks on resources (create, update, replace, delete, revert,
-- retire) with ordering constraints, run by the transition "cloudformation.step": it
-- checks the running tasks, starts those whose prerequisites are done, moves the stack
-- through its states with events, and schedules itself for when the next task should be
-- ready. Templates are read by cfn_template.lua; how each resource type is created,
-- checked and deleted is in cfn_resources.lua; the API is services/cloudformation.lua.
local sim = require "sim"
local world = require "world"
local describe = require "describe"
local template = require "cfn_template"
local types = require "cfn_resources"
local json = require "wf.json"

local E = {}

E.durations = {
  poll = 10,          -- how often a running task is checked after its expected time
  change_set = 5,     -- CREATE_PENDING -> CREATE_COMPLETE of a change set
}

local function data()
  local d = world.data("cloudformation")
  d.events = d.events or {}
  d.change_sets = d.change_sets or {}
  d.exports = d.exports or {}
  return d
end

local function duration(name)
  local d = world.data("cloudformation").durations
  return (d and d[name]) or E.durations[name]
end

local function config() return sim.config() end

local function invalid(msg) sim.error("ValidationError", msg, 400) end

local function now() return sim.now() end


-- ---- stacks by name or id --------------------------------------------------------------

local function live(stack) return stack.StackStatus ~= "DELETE_COMPLETE" end

-- The stack a StackName parameter names (a name, or an id even when deleted), or nil.
local function find_stack(name_or_id)
  if type(name_or_id) ~= "string" then return nil end
  if name_or_id:match("^arn:aws:cloudformation:") then
    return world.get("cloudformation.stack", name_or_id)
  end
  for _, s in ipairs(world.list("cloudformation.stack")) do
    if s.StackName == name_or_id and live(s) then return s end
  end
end


-- ---- events ---------------------------------------------------------------------------

local function add_event(stack, logical, physical, rtype, status, reason, props, token)
  local list = data().events[stack.StackId]
  if not list then
    list = {}
    data().events[stack.StackId] = list
  end
  list[#list + 1] = {
    StackId = stack.StackId, EventId = sim.uuid(), StackName = stack.StackName,
    LogicalResourceId = logical, PhysicalResourceId = physical or "", ResourceType = rtype,
    Timestamp = now(), ResourceStatus = status, ResourceStatusReason = reason,
    ResourceProperties = props and json.encode(props) or nil,
    ClientRequestToken = token or stack._token,
  }
end

local function stack_event(stack, status, reason)
  stack.StackStatus = status
  stack.StackStatusReason = reason
  add_event(stack, stack.StackName, stack.StackId, "AWS::CloudFormation::Stack", status, reason)
end

local function resource_event(stack, res, status, reason, props)
  res.ResourceStatus = status
  res.ResourceStatusReason = reason
  res.Timestamp = now()
  add_event(stack, res.LogicalResourceId, res.PhysicalResourceId, res.ResourceType, status,
            reason, props)
end

-- ---- evaluation environment -------------------------------------------------------------

local function azs()
  local r = config().region
  return sim.array { r .. "a", r .. "b", r .. "c" }
end

local function handler_of(res) return types.handler(res.ResourceType) end

local function resource_ctx(stack, res)
  return { stack = stack, logical = res.LogicalResourceId, resource = res,
           region = config().region, account = config().account }
end

-- The environment intrinsic functions are evaluated in, for the stack's current template.
local function env_for(stack, tpl, params)
  tpl = tpl or stack._template
  local env = {
    params = params or stack._param_values,
    pseudo = {
      ["AWS::Region"] = config().region, ["AWS::AccountId"] = config().account,
      ["AWS::StackName"] = stack.StackName, ["AWS::StackId"] = stack.StackId,
      ["AWS::URLSuffix"] = "amazonaws.com", ["AWS::Partition"] = "aws",
      ["AWS::NotificationARNs"] = stack.NotificationARNs or sim.array {},
      ["AWS::NoValue"] = true,
    },
    mappings = tpl.Mappings,
    azs = azs(),
  }
  env.ref = function(logical)
    local res = stack._resources[logical]
    if not res or not res.PhysicalResourceId then
      invalid(("Template error: resource %s is not created yet"):format(logical))
    end
    local h = handler_of(res)
    return h.ref and h.ref(res.PhysicalResourceId, resource_ctx(stack, res)) or res.PhysicalResourceId
  end
  env.getatt = function(logical, attr)
    local res = stack._resources[logical]
    if not res or not res.PhysicalResourceId then
      invalid(("Template error: resource %s does not support attribute type %s in Fn::GetAtt"):format(
        logical, attr))
    end
    local v = handler_of(res).getatt(res.PhysicalResourceId, attr, resource_ctx(stack, res))
    if v == nil then
      invalid(("Template error: resource %s does not support attribute type %s in Fn::GetAtt"):format(
        logical, attr))
    end
    return v
  end
  env.import = function(name)
    local e = data().exports[name]
    if not e then invalid(("No export named %s found."):format(tostring(name))) end
    return e.value
  end
  template.conditions(tpl, env)
  return env
end

-- ---- tasks ----------------------------------------------------------------------------

-- Each task: {logical, action, after = {task indexes}, state = waiting|running|done|failed,
-- eta}. Actions: create, update (in place), replace (a new physical resource), delete,
-- revert (an update undone), retire (delete a replaced physical resource, cleanup).

local function new_phase(stack, name, tasks)
  stack._op.phase = name
  stack._op.tasks = tasks
end

-- Ordering: a create/update task waits for the tasks of the resources it depends on; a
-- delete task waits for the tasks of the resources that depend on its resource.
local function order_tasks(tasks, deps, reverse)
  local index = {}
  for i, t in ipairs(tasks) do index[t.logical] = i end
  for i, t in ipairs(tasks) do
    t.after = {}
    if reverse then
      for j, other in ipairs(tasks) do
        if j ~= i and deps[other.logical] and deps[other.logical][t.logical] then
          t.after[#t.after + 1] = j
        end
      end
    else
      for dep in pairs(deps[t.logical] or {}) do
        if index[dep] then t.after[#t.after + 1] = index[dep] end
      end
    end
    table.sort(t.after)
  end
  return tasks
end

local function sorted_keys(t)
  local out = {}
  for k in pairs(t) do out[#out + 1] = k end
  table.sort(out)
  return out
end

local function resolved_props(stack, res, def, env)
  return template.resolve(def.Properties or {}, env or env_for(stack))
end

-- The awssim test hooks of a resource definition (Metadata.awssim): fail (a reason),
-- fail_delete, duration.
local function sim_meta(def)
  local m = def and def.Metadata
  return type(m) == "table" and type(m.awssim) == "table" and m.awssim or {}
end

local function error_text(err)
  if type(err) == "table" then
    return err.message and err.message ~= "" and err.message or tostring(err.code)
  end
  return tostring(err)
end

local function handler_message(err)
  if type(err) == "table" and err.code then
    return ('Resource handler returned message: "%s" (HandlerErrorCode: %s)'):format(
      error_text(err), err.code)
  end
  return error_text(err)
end

local function start_task(stack, t)
  local res = stack._resources[t.logical]
  local def = t.def
  local h = handler_of(res)
  local ctx = resource_ctx(stack, res)
  local meta = sim_meta(def)
  t.state = "running"
  t.started = now()
  local estimate = meta.duration or h.estimate or 2
  if t.action == "create" or t.action == "replace" then
    local props
    local ok, err = pcall(function()
      props = resolved_props(stack, res, def)
      t.props = props
      if t.action == "create" then
        resource_event(stack, res, "CREATE_IN_PROGRESS", nil, props)
      else
        resource_event(stack, res, "UPDATE_IN_PROGRESS",
                       "Requested update requires the creation of a new physical resource; hence creating one.",
                       props)
      end
      if meta.fail and not meta.fail_after then error({ code = "GeneralServiceException", message = meta.fail }) end
      local physical = h.create(props, ctx)
      if t.action == "replace" then t.old_physical = res.PhysicalResourceId end
      res.PhysicalResourceId = physical
      res._props = props
      add_event(stack, res.LogicalResourceId, physical, res.ResourceType,
                t.action == "create" and "CREATE_IN_PROGRESS" or "UPDATE_IN_PROGRESS",
                "Resource creation Initiated")
    end)
    if not ok then
      t.state, t.reason = "failed", handler_message(err)
      resource_event(stack, res, t.action == "create" and "CREATE_FAILED" or "UPDATE_FAILED", t.reason)
      return
    end
  elseif t.action == "update" or t.action == "revert" then
    local ok, err = pcall(function()
      local props = t.action == "revert" and t.props or resolved_props(stack, res, def)
      t.props = props
      resource_event(stack, res, "UPDATE_IN_PROGRESS", nil, props)
      if meta.fail and t.action == "update" then error({ code = "GeneralServiceException", message = meta.fail }) end
      h.update(res.PhysicalResourceId, props, res._props or {}, ctx)
      res._props = props
    end)
    if not ok then
      t.state, t.reason = "failed", handler_message(err)
      resource_event(stack, res, "UPDATE_FAILED", t.reason)
      return
    end
    estimate = h.update_estimate or 2
  elseif t.action == "delete" or t.action == "retire" then
    local physical = t.action == "retire" and t.old_physical or res.PhysicalResourceId
    local policy = def and def.DeletionPolicy or h.default_deletion_policy or "Delete"
    if t.action == "retire" then policy = (def and def.UpdateReplacePolicy) or "Delete" end
    if not physical or physical == "" then
      t.state = "done"
      if t.action == "delete" then resource_event(stack, res, "DELETE_COMPLETE") end
      return
    end
    if policy == "Retain" then
      t.state = "done"
      add_event(stack, res.LogicalResourceId, physical, res.ResourceType, "DELETE_SKIPPED")
      if t.action == "delete" then res.ResourceStatus = "DELETE_SKIPPED" end
      return
    end
    if t.action == "delete" then
      resource_event(stack, res, "DELETE_IN_PROGRESS")
    else
      add_event(stack, res.LogicalResourceId, physical, res.ResourceType, "DELETE_IN_PROGRESS")
    end
    local ok, err = pcall(function()
      if meta.fail_delete then error({ code = "GeneralServiceException", message = meta.fail_delete }) end
      h.delete(physical, policy, ctx)
    end)
    if not ok then
      t.state, t.reason = "failed", handler_message(err)
      if t.action == "delete" then
        resource_event(stack, res, "DELETE_FAILED", t.reason)
      else
        add_event(stack, res.LogicalResourceId, physical, res.ResourceType, "DELETE_FAILED", t.reason)
      end
      return
    end
    t.physical = physical
    estimate = h.delete_estimate or 2
  end
  t.eta = now() + estimate
  if meta.fail_after and (t.action == "create" or t.action == "replace") then
    t.fail_at = now() + meta.fail_after
    t.eta = math.min(t.eta, t.fail_at)
  end
end

-- Checks a running task: true when it is done, false while it runs, or nil and a reason
-- when it failed.
local function check_task(stack, t)
  local res = stack._resources[t.logical]
  local h = handler_of(res)
  local ctx = resource_ctx(stack, res)
  if t.fail_at and now() >= t.fail_at then
    return nil, sim_meta(t.def).fail
  end
  if t.action == "delete" or t.action == "retire" then
    if h.gone then return h.gone(t.physical, ctx) end
    return true
  end
  if h.ready then return h.ready(res.PhysicalResourceId, ctx) end
  return now() >= (t.eta or 0)
end

local function finish_task(stack, t)
  local res = stack._resources[t.logical]
  t.state = "done"
  if t.action == "create" then
    resource_event(stack, res, "CREATE_COMPLETE")
  elseif t.action == "update" or t.action == "replace" or t.action == "revert" then
    resource_event(stack, res, "UPDATE_COMPLETE")
  elseif t.action == "delete" then
    resource_event(stack, res, "DELETE_COMPLETE")
  elseif t.action == "retire" then
    add_event(stack, res.LogicalResourceId, t.old_physical, res.ResourceType, "DELETE_COMPLETE")
  end
end

local function fail_task(stack, t, reason)
  local res = stack._resources[t.logical]
  t.state, t.reason = "failed", reason
  local status = ({ create = "CREATE_FAILED", replace = "UPDATE_FAILED", update = "UPDATE_FAILED",
                    revert = "UPDATE_FAILED", delete = "DELETE_FAILED", retire = "DELETE_FAILED" })[t.action]
  if t.action == "retire" then
    add_event(stack, res.LogicalResourceId, t.old_physical, res.ResourceType, status, reason)
  else
    resource_event(stack, res, status, reason)
  end
end

-- Runs the current phase as far as it goes now. Returns "running", "done" or "failed".
-- With stop_on_failure, no task starts after one failed (creates and updates); deletes
-- go on with what they can.
local function run_phase(stack, stop_on_failure)
  local tasks = stack._op.tasks
  for _, t in ipairs(tasks) do
    if t.state == "running" then
      local ok, ready, reason = pcall(check_task, stack, t)
      if not ok then
        fail_task(stack, t, handler_message(ready))
      elseif ready == true then
        finish_task(stack, t)
      elseif ready == nil then
        fail_task(stack, t, reason or "Resource failed")
      end
    end
  end
  local failed = false
  for _, t in ipairs(tasks) do
    if t.state == "failed" then failed = true end
  end
  local progress = true
  while progress do
    progress = false
    if failed and stop_on_failure then break end
    for _, t in ipairs(tasks) do
      if t.state == "waiting" then
        local ready, blocked = true, false
        for _, j in ipairs(t.after) do
          local s = tasks[j].state
          if s ~= "done" then ready = false end
          if s == "failed" or s == "blocked" then blocked = true end
        end
        if blocked then
          t.state = "blocked"
          progress = true
        elseif ready then
          start_task(stack, t)
          if t.state == "failed" then failed = true end
          progress = true
          if failed and stop_on_failure then break end
        end
      end
    end
  end
  local running = false
  for _, t in ipairs(tasks) do
    if t.state == "running" then running = true end
  end
  if running then return "running" end
  if failed then return "failed" end
  for _, t in ipairs(tasks) do
    if t.state == "waiting" or t.state == "blocked" then return "failed" end
  end
  return "done"
end

-- When the stack should be looked at next: the earliest expected end of a running task.
local function schedule(stack)
  local at
  for _, t in ipairs(stack._op.tasks or {}) do
    if t.state == "running" then
      local when = t.eta or now()
      if when <= now() then when = now() + duration("poll") end
      if not at or when < at then at = when end
    end
  end
  local deadline = stack._op.deadline
  if deadline and at and deadline < at then at = math.max(deadline, now()) end
  world.cancel("cloudformation.stack", stack.StackId)
  if at then
    world.after(math.max(0, at - now()), "cloudformation.stack", stack.StackId, nil, "cloudformation.step")
  end
end

-- ---- operations ----------------------------------------------------------------------

local function resource_record(logical, def)
  -- No status until its creation starts: the read operations list only started resources.
  return { LogicalResourceId = logical, ResourceType = def.Type, Timestamp = now(),
           DriftInformation = { StackResourceDriftStatus = "NOT_CHECKED" } }
end

local function active_definitions(stack, tpl, env)
  return template.active_resources(tpl, env.conditions)
end

local function update_exports(stack, remove)
  local exports = data().exports
  for name, e in pairs(exports) do
    if e.stack == stack.StackId then exports[name] = nil end
  end
  if remove then return end
  for _, o in ipairs(stack.Outputs or {}) do
    if o.ExportName then exports[o.ExportName] = { value = o.OutputValue, stack = stack.StackId } end
  end
end

local function compute_outputs(stack)
  local ok, outputs = pcall(template.outputs, stack._template, env_for(stack))
  stack.Outputs = ok and outputs or sim.array {}
  if not ok then sim.log("cloudformation outputs of " .. stack.StackName .. ": " .. error_text(outputs)) end
end

local function delete_tasks(stack, logicals)
  local defs = (stack._template or {}).Resources or {}
  local tasks = {}
  for _, logical in ipairs(logicals) do
    tasks[#tasks + 1] = { logical = logical, action = "delete", state = "waiting", def = defs[logical] }
  end
  local deps = stack._deps or {}
  return order_tasks(tasks, deps, true)
end

-- Resources that exist (have a physical id and were not deleted), in a stable order.
local function existing_resources(stack)
  local out = {}
  for _, logical in ipairs(sorted_keys(stack._resources)) do
    local r = stack._resources[logical]
    if r.PhysicalResourceId and r.PhysicalResourceId ~= ""
       and r.ResourceStatus ~= "DELETE_COMPLETE" and r.ResourceStatus ~= "DELETE_SKIPPED" then
      out[#out + 1] = logical
    end
  end
  return out
end

local function begin_rollback(stack, failed_logicals)
  local reason = ("The following resource(s) failed to create: [%s]. "):format(table.concat(failed_logicals, ", "))
  -- Tasks still running are cancelled.
  for _, t in ipairs(stack._op.tasks) do
    if t.state == "running" then
      fail_task(stack, t, "Resource creation cancelled")
    end
  end
  if stack._op.on_failure == "DO_NOTHING" then
    stack_event(stack, "CREATE_FAILED", reason)
    stack._op = nil
    return
  end
  stack_event(stack, "ROLLBACK_IN_PROGRESS", reason .. "Rollback requested by user.")
  stack._op.type = "ROLLBACK"
  new_phase(stack, "rollback", delete_tasks(stack, existing_resources(stack)))
end

local function failed_logicals(stack)
  local out = {}
  for _, t in ipairs(stack._op.tasks) do
    if t.state == "failed" and t.reason ~= "Resource creation cancelled" then out[#out + 1] = t.logical end
  end
  table.sort(out)
  return out
end

local function finish_delete(stack, status, reason)
  if status == "DELETE_COMPLETE" then
    stack.DeletionTime = now()
    update_exports(stack, true)
    -- Change sets go with the stack.
    for id, cs in pairs(data().change_sets) do
      if cs.StackId == stack.StackId then data().change_sets[id] = nil end
    end
  end
  stack_event(stack, status, reason)
  stack._op = nil
end

local function begin_update_rollback(stack, reason)
  local op = stack._op
  for _, t in ipairs(op.tasks) do
    if t.state == "running" then fail_task(stack, t, "Resource update cancelled") end
  end
  stack_event(stack, "UPDATE_ROLLBACK_IN_PROGRESS", reason)
  -- Put back the previous template and parameters; undo what was done, newest first.
  local tasks = {}
  for i = #op.tasks, 1, -1 do
    local t = op.tasks[i]
    local res = stack._resources[t.logical]
    if (t.action == "update" and (t.state == "done" or t.state == "failed")) then
      tasks[#tasks + 1] = { logical = t.logical, action = "revert", state = "waiting",
                            def = op.old_template.Resources[t.logical], props = op.old_props[t.logical],
                            after = {} }
    elseif t.action == "replace" and t.old_physical then
      -- Back to the old physical resource; the new one is deleted in the cleanup.
      op.discard[#op.discard + 1] = { logical = t.logical, physical = res.PhysicalResourceId }
      res.PhysicalResourceId = t.old_physical
      res._props = op.old_props[t.logical]
      resource_event(stack, res, "UPDATE_COMPLETE")
    elseif t.action == "create" and res.PhysicalResourceId then
      op.discard[#op.discard + 1] = { logical = t.logical, physical = res.PhysicalResourceId, created = true }
    end
  end
  stack._template, stack._template_body = op.old_template, op.old_body
  stack._param_values, stack.Parameters = op.old_values, op.old_parameters
  stack._deps = op.old_deps
  op.type = "UPDATE_ROLLBACK"
  new_phase(stack, "revert", tasks)
end

local function cleanup_tasks(stack, entries)
  local tasks = {}
  for _, e in ipairs(entries) do
    tasks[#tasks + 1] = { logical = e.logical, action = "retire", state = "waiting",
                          old_physical = e.physical, def = e.def, after = {} }
  end
  return tasks
end

-- Collects, after the update phase, the physical resources replaced (their tasks'
-- old_physical), so the cleanup phase deletes them.
local function note_replacements(stack)
  local op = stack._op
  if not op or op.type ~= "UPDATE" then return end
  for _, t in ipairs(op.tasks) do
    if t.action == "replace" and t.state == "done" and t.old_physical and not t.noted then
      t.noted = true
      op.retire[#op.retire + 1] = { logical = t.logical, physical = t.old_physical,
                                    def = op.old_template.Resources[t.logical] }
    end
  end
end


-- Advances the stack's operation as far as the clock allows.
local function step(stack)
  local op = stack._op
  if not op then return end
  note_replacements(stack)
  if op.type == "CREATE" and op.deadline and now() >= op.deadline then
    op.deadline = nil
    for _, t in ipairs(op.tasks) do
      if t.state == "running" then fail_task(stack, t, "Resource creation cancelled") end
    end
    local failed = failed_logicals(stack)
    if #failed == 0 then failed = { "(timeout)" } end
    begin_rollback(stack, failed)
    stack.StackStatusReason = "Create timed out"
    return step(stack)
  end
  local result = run_phase(stack, op.type == "CREATE" or (op.type == "UPDATE" and op.phase == "update"))
  if result == "running" then
    -- A create that has already failed stops here: roll back now.
    if op.type == "CREATE" then
      local failed = failed_logicals(stack)
      if #failed > 0 then begin_rollback(stack, failed); return step(stack) end
    end
    if op.type == "UPDATE" and op.phase == "update" then
      local failed = failed_logicals(stack)
      if #failed > 0 then
        begin_update_rollback(stack, ("The following resource(s) failed to update: [%s]. "):format(
          table.concat(failed, ", ")))
        return step(stack)
      end
    end
    return schedule(stack)
  end
  if op.type == "CREATE" then
    if result == "done" then
      compute_outputs(stack)
      update_exports(stack)
      stack_event(stack, "CREATE_COMPLETE")
      stack._op = nil
    else
      begin_rollback(stack, failed_logicals(stack))
      return step(stack)
    end
  elseif op.type == "ROLLBACK" then
    if result == "done" then
      stack_event(stack, "ROLLBACK_COMPLETE")
      if op.on_failure == "DELETE" then
        stack_event(stack, "DELETE_IN_PROGRESS")
        finish_delete(stack, "DELETE_COMPLETE")
      else
        stack._op = nil
      end
    else
      stack_event(stack, "ROLLBACK_FAILED",
                  ("The following resource(s) failed to delete: [%s]. "):format(table.concat(failed_logicals(stack), ", ")))
      stack._op = nil
    end
  elseif op.type == "DELETE" then
    if result == "done" then
      finish_delete(stack, "DELETE_COMPLETE")
    else
      local failed = failed_logicals(stack)
      finish_delete(stack, "DELETE_FAILED",
                    ("The following resource(s) failed to delete: [%s]. "):format(table.concat(failed, ", ")))
    end
  elseif op.type == "UPDATE" then
    if op.phase == "update" then
      if result == "done" then
        compute_outputs(stack)
        note_replacements(stack)
        stack_event(stack, "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS")
        new_phase(stack, "cleanup", cleanup_tasks(stack, op.retire))
        return step(stack)
      end
      begin_update_rollback(stack, ("The following resource(s) failed to update: [%s]. "):format(
        table.concat(failed_logicals(stack), ", ")))
      return step(stack)
    else
      -- Removed resources leave the stack; failures to delete them do not fail the update.
      for _, e in ipairs(op.retire) do
        if e.removed then stack._resources[e.logical] = nil end
      end
      update_exports(stack)
      stack_event(stack, "UPDATE_COMPLETE")
      stack._op = nil
    end
  elseif op.type == "UPDATE_ROLLBACK" then
    if op.phase == "revert" then
      if result == "done" then
        stack_event(stack, "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS")
        new_phase(stack, "rollback_cleanup", cleanup_tasks(stack, op.discard))
        return step(stack)
      end
      stack_event(stack, "UPDATE_ROLLBACK_FAILED",
                  ("The following resource(s) failed to update: [%s]. "):format(table.concat(failed_logicals(stack), ", ")))
      stack._op = nil
    else
      for _, e in ipairs(op.discard) do
        if e.created then stack._resources[e.logical] = nil end
      end
      compute_outputs(stack)
      stack_event(stack, "UPDATE_ROLLBACK_COMPLETE")
      stack._op = nil
    end
  end
end


local function check_capabilities(tpl, capabilities)
  local need = template.required_capability(tpl)
  if not need then return end
  for _, c in ipairs(capabilities or {}) do
    if c == need or c == "CAPABILITY_NAMED_IAM" then return end
  end
  sim.error("InsufficientCapabilitiesException", ("Requires capabilities : [%s]"):format(need), 400)
end

local function stack_id(name)
  return ("arn:aws:cloudformation:%s:%s:stack/%s/%s"):format(config().region, config().account,
                                                              name, sim.uuid())
end

-- Starts creating a stack (CreateStack, a CREATE change set, seeds). params: CreateStack
-- members. existing: a REVIEW_IN_PROGRESS stack of a change set.
local function start_create(params, ctx, existing, body)
  local tpl = template.parse(body)
  check_capabilities(tpl, params.Capabilities)
  local values, shown = template.parameters(tpl, params.Parameters, nil)
  local stack = existing or {
    StackId = stack_id(params.StackName), StackName = params.StackName,
    CreationTime = now(),
  }
  stack.Description = tpl.Description
  stack.Parameters = shown
  stack.DisableRollback = params.DisableRollback or params.OnFailure == "DO_NOTHING" or false
  stack.NotificationARNs = params.NotificationARNs or sim.array {}
  stack.TimeoutInMinutes = params.TimeoutInMinutes
  stack.Capabilities = params.Capabilities or sim.array {}
  stack.Tags = params.Tags or sim.array {}
  stack.EnableTerminationProtection = params.EnableTerminationProtection or false
  stack.RoleARN = params.RoleARN
  stack.DriftInformation = { StackDriftStatus = "NOT_CHECKED" }
  stack.Outputs = sim.array {}
  stack._template_body = body
  stack._template = tpl
  stack._param_values = values
  stack._token = params.ClientRequestToken
  stack._resources = {}
  local env = env_for(stack)
  local defs = active_definitions(stack, tpl, env)
  local deps = template.dependencies(defs)
  stack._deps = deps
  world.put("cloudformation.stack", stack.StackId, stack)
  stack_event(stack, "CREATE_IN_PROGRESS", "User Initiated")
  local tasks = {}
  for _, logical in ipairs(sorted_keys(defs)) do
    stack._resources[logical] = resource_record(logical, defs[logical])
    tasks[#tasks + 1] = { logical = logical, action = "create", state = "waiting", def = defs[logical] }
  end
  local on_failure = params.OnFailure or (params.DisableRollback and "DO_NOTHING") or "ROLLBACK"
  stack._op = { type = "CREATE", on_failure = on_failure }
  new_phase(stack, "create", order_tasks(tasks, deps, false))
  if params.TimeoutInMinutes then
    stack._op.deadline = now() + params.TimeoutInMinutes * 60
  end
  step(stack)
  return stack
end

-- Starts deleting a stack (DeleteStack, seeds' OnFailure=DELETE).
local function start_delete(stack, retain)
  local logicals = {}
  local keep = describe.set(retain) or {}
  -- A delete interrupts whatever runs.
  if stack._op then
    for _, t in ipairs(stack._op.tasks or {}) do
      if t.state == "running" then fail_task(stack, t, "Resource creation cancelled") end
    end
  end
  for _, logical in ipairs(existing_resources(stack)) do
    if keep[logical] then
      local res = stack._resources[logical]
      add_event(stack, logical, res.PhysicalResourceId, res.ResourceType, "DELETE_SKIPPED")
      res.ResourceStatus = "DELETE_SKIPPED"
    else
      logicals[#logicals + 1] = logical
    end
  end
  stack._op = { type = "DELETE" }
  stack_event(stack, "DELETE_IN_PROGRESS", "User Initiated")
  new_phase(stack, "delete", delete_tasks(stack, logicals))
  step(stack)
end

local UPDATABLE = { CREATE_COMPLETE = true, UPDATE_COMPLETE = true, UPDATE_ROLLBACK_COMPLETE = true,
                    IMPORT_COMPLETE = true, IMPORT_ROLLBACK_COMPLETE = true }

local function same(a, b) return json.encode(a) == json.encode(b) end

-- What an update does to each resource: add, modify (in place or by replacement), remove.
local function plan_update(stack, tpl, values)
  local new_env = env_for(stack, tpl, values)
  local defs = active_definitions(stack, tpl, new_env)
  local old_defs = stack._template.Resources
  local plan = {}
  for _, logical in ipairs(sorted_keys(defs)) do
    local def, old = defs[logical], stack._resources[logical]
    if not old or not old.PhysicalResourceId then
      plan[#plan + 1] = { logical = logical, action = "Add", def = def }
    elseif old.ResourceType ~= def.Type then
      plan[#plan + 1] = { logical = logical, action = "Modify", replace = true, def = def }
    else
      -- Compare what can be compared now: the definition and the parameter values it uses.
      local changed = not same(def, old_defs[logical])
      if not changed then
        for ref in pairs(template.references(def.Properties or {}, {})) do
          if values[ref] ~= nil and not same(values[ref], stack._param_values[ref]) then changed = true end
        end
        -- Conditions inside the properties may flip.
        if not changed then
          local ok, old_props = pcall(template.resolve, old_defs[logical].Properties or {}, env_for(stack))
          local ok2, new_props = pcall(template.resolve, def.Properties or {}, new_env)
          if ok and ok2 and not same(old_props, new_props) then changed = true end
        end
      end
      if changed then
        local h = types.handler(def.Type)
        local replace = false
        local ok, new_props = pcall(template.resolve, def.Properties or {}, new_env)
        if ok and h.needs_replacement then replace = h.needs_replacement(new_props, old._props or {}) end
        plan[#plan + 1] = { logical = logical, action = "Modify", replace = replace, def = def,
                            scope = "Properties", props = ok and new_props or nil }
      end
    end
  end
  for _, logical in ipairs(sorted_keys(stack._resources)) do
    if not defs[logical] and stack._resources[logical].PhysicalResourceId then
      plan[#plan + 1] = { logical = logical, action = "Remove", def = old_defs[logical] }
    end
  end
  return plan, defs
end

-- Starts an update (UpdateStack, an UPDATE change set).
local function start_update(stack, params, body)
  local tpl = template.parse(body)
  check_capabilities(tpl, params.Capabilities or stack.Capabilities)
  local values, shown = template.parameters(tpl, params.Parameters, stack._param_values)
  local plan, defs = plan_update(stack, tpl, values)
  local tags_changed = params.Tags ~= nil and not same(params.Tags, stack.Tags)
  if #plan == 0 and not tags_changed and same(values, stack._param_values) and body == stack._template_body then
    invalid("No updates are to be performed.")
  end
  local op = { type = "UPDATE", old_template = stack._template, old_body = stack._template_body,
               old_values = stack._param_values, old_parameters = stack.Parameters,
               old_deps = stack._deps, old_props = {}, retire = {}, discard = {} }
  for logical, res in pairs(stack._resources) do op.old_props[logical] = res._props end
  stack._template, stack._template_body = tpl, body
  stack._param_values, stack.Parameters = values, shown
  if params.Tags then stack.Tags = params.Tags end
  if params.Capabilities then stack.Capabilities = params.Capabilities end
  stack.LastUpdatedTime = now()
  stack._token = params.ClientRequestToken
  local new_deps = template.dependencies(defs)
  stack._deps = new_deps
  stack._op = op
  stack_event(stack, "UPDATE_IN_PROGRESS", "User Initiated")
  local tasks = {}
  for _, p in ipairs(plan) do
    if p.action == "Add" then
      stack._resources[p.logical] = resource_record(p.logical, p.def)
      tasks[#tasks + 1] = { logical = p.logical, action = "create", state = "waiting", def = p.def }
    elseif p.action == "Modify" then
      local res = stack._resources[p.logical]
      if p.replace then
        -- Replacing a resource whose fixed name stays the same would clash with itself.
        local custom = types.handler(p.def.Type).custom_name
        local name = custom and p.props and custom(p.props)
        tasks[#tasks + 1] = { logical = p.logical, action = "replace", state = "waiting", def = p.def,
                              clash = name ~= nil and name == res.PhysicalResourceId }
        res.ResourceType = p.def.Type
      else
        tasks[#tasks + 1] = { logical = p.logical, action = "update", state = "waiting", def = p.def }
      end
    else
      op.retire[#op.retire + 1] = { logical = p.logical, physical = stack._resources[p.logical].PhysicalResourceId,
                                    def = p.def, removed = true }
    end
  end
  order_tasks(tasks, new_deps, false)
  for _, t in ipairs(tasks) do
    if t.clash then
      t.clash = nil
      t.state = "failed"
      t.reason = ("CloudFormation cannot update a stack when a custom-named resource requires "
                  .. "replacing. Rename %s and update the stack again."):format(
                    stack._resources[t.logical].PhysicalResourceId)
      resource_event(stack, stack._resources[t.logical], "UPDATE_FAILED", t.reason)
    end
  end
  new_phase(stack, "update", tasks)
  -- Replaced physical resources are deleted in the cleanup, after the update.
  step(stack)
  return stack
end

-- What services/cloudformation.lua uses.
E.data, E.duration, E.invalid, E.now, E.live, E.find_stack = data, duration, invalid, now, live, find_stack
E.add_event, E.stack_event, E.env_for, E.sorted_keys, E.error_text = add_event, stack_event, env_for, sorted_keys, error_text
E.handler_of, E.resource_ctx, E.step, E.same, E.UPDATABLE = handler_of, resource_ctx, step, same, UPDATABLE
E.check_capabilities, E.stack_id, E.plan_update = check_capabilities, stack_id, plan_update
E.start_create, E.start_delete, E.start_update = start_create, start_delete, start_update

return E
