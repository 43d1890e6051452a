-- CloudFormation: stacks made of real simulated resources (RDS instances, S3 buckets,
-- launch templates, security groups, launch configurations, Auto Scaling groups; other
-- types are inert), created, updated and deleted over time in dependency order, with
-- events, rollback of a failed create or update, DELETE_FAILED for a bucket that is not
-- empty, change sets, and the read operations.
--
-- Kind (id): cloudformation.stack (StackId), in boto3's Stack shape; its resources live in
-- the internal _resources table. Events and change sets are history, kept in
-- world.data("cloudformation"). How a stack operation runs is cfn_stack_engine.lua.
local sim = require "sim"
local world = require "world"
local describe = require "describe"
local template = require "cfn_template"
local engine = require "cfn_stack_engine"
local json = require "wf.json"

local M = { ops = {}, hooks = {} }

M.durations = engine.durations
local data, duration, invalid, now = engine.data, engine.duration, engine.invalid, engine.now
local live, find_stack, stack_event = engine.live, engine.find_stack, engine.stack_event
local env_for, sorted_keys, error_text, handler_of = engine.env_for, engine.sorted_keys, engine.error_text, engine.handler_of
local resource_ctx, step, same, UPDATABLE = engine.resource_ctx, engine.step, engine.same, engine.UPDATABLE
local check_capabilities, stack_id, plan_update = engine.check_capabilities, engine.stack_id, engine.plan_update
local start_create, start_delete, start_update = engine.start_create, engine.start_delete, engine.start_update

local function config() return sim.config() end

function M.get_stack(name_or_id)
  local s = find_stack(name_or_id)
  if not s then invalid(("Stack with id %s does not exist"):format(tostring(name_or_id))) end
  return s
end

function M.hooks.step(stack)
  if stack then step(stack) end
end

-- ---- templates from requests ------------------------------------------------------------

-- The template body of a request: TemplateBody, or TemplateURL naming an object in our S3.
local function template_body(params, stack)
  if params.UsePreviousTemplate then
    if not stack then invalid("UsePreviousTemplate can only be used for updates") end
    return stack._template_body
  end
  if params.TemplateBody then return params.TemplateBody end
  if params.TemplateURL then
    local url = params.TemplateURL
    local bucket, key = url:match("^https?://([^./]+)%.s3[%w.-]*%.amazonaws%.com/(.+)$")
    if not bucket then bucket, key = url:match("^https?://s3[%w.-]*%.amazonaws%.com/([^/]+)/(.+)$") end
    if not bucket then bucket, key = url:match("^https?://[^/]+/([^/]+)/(.+)$") end
    local o = bucket and world.get("s3.object", bucket .. "/" .. key:gsub("%%(%x%x)", function(h)
      return string.char(tonumber(h, 16)) end))
    if not o then
      invalid("TemplateURL must reference a valid S3 object to which you have access.")
    end
    return o._body
  end
  invalid("Either Template URL or Template Body must be specified.")
end


local function check_stack_name(name)
  if type(name) ~= "string" or #name > 128 or not name:match("^%a[%w%-]*$") then
    invalid(("1 validation error detected: Value '%s' at 'stackName' failed to satisfy "
             .. "constraint: Member must satisfy regular expression pattern: "
             .. "[a-zA-Z][-a-zA-Z0-9]*"):format(tostring(name)))
  end
end



function M.ops.CreateStack(params, ctx)
  check_stack_name(params.StackName)
  local existing = find_stack(params.StackName)
  if existing then
    if params.ClientRequestToken and existing._token == params.ClientRequestToken then
      return { StackId = existing.StackId }
    end
    sim.error("AlreadyExistsException", ("Stack [%s] already exists"):format(params.StackName), 400)
  end
  if params.OnFailure and params.DisableRollback ~= nil then
    invalid("You can specify either DisableRollback or OnFailure, but not both.")
  end
  local stack = start_create(params, ctx, nil, template_body(params))
  return { StackId = stack.StackId }
end


function M.ops.DeleteStack(params, ctx)
  local stack = find_stack(params.StackName)
  -- Deleting a stack that does not exist succeeds, as in AWS.
  if not stack or not live(stack) then return {} end
  if stack.EnableTerminationProtection then
    invalid(("Stack [%s] cannot be deleted while TerminationProtection is enabled"):format(stack.StackName))
  end
  if params.RetainResources and #params.RetainResources > 0 and stack.StackStatus ~= "DELETE_FAILED" then
    invalid(("Invalid operation on stack %s: RetainResources can only be specified when the "
             .. "stack is in the DELETE_FAILED state"):format(stack.StackId))
  end
  if stack.StackStatus == "DELETE_IN_PROGRESS" then return {} end
  stack._token = params.ClientRequestToken
  start_delete(stack, params.RetainResources)
  return {}
end


function M.ops.UpdateStack(params, ctx)
  local stack = M.get_stack(params.StackName)
  if not UPDATABLE[stack.StackStatus] then
    invalid(("Stack:%s is in %s state and can not be updated."):format(stack.StackId, stack.StackStatus))
  end
  start_update(stack, params, template_body(params, stack))
  return { StackId = stack.StackId }
end

-- ---- views ------------------------------------------------------------------------------

-- "{awssim}" in a parameter value or an output reads as this simulator's URL (the one the
-- request came to), so a seed can point a stack's smoke-test URL at its
-- /_awssim/apps/<stack>/health whatever port awssim listens on.
local function with_sim_url(text, url)
  if type(text) ~= "string" or not url then return text end
  return (text:gsub("{awssim}", function() return url end))
end

local function stack_view(stack, url)
  local out = world.public(stack)
  for _, p in ipairs(out.Parameters or {}) do p.ParameterValue = with_sim_url(p.ParameterValue, url) end
  for _, o in ipairs(out.Outputs or {}) do o.OutputValue = with_sim_url(o.OutputValue, url) end
  return out
end

function M.ops.DescribeStacks(params, ctx)
  local list
  if params.StackName then
    list = { M.get_stack(params.StackName) }
  else
    list = world.list("cloudformation.stack", live)
  end
  local page, token = describe.page(list, params.NextToken, 100, "ValidationError")
  local url = ctx.host and ("http://" .. ctx.host) or nil
  return { Stacks = describe.map(page, function(s) return stack_view(s, url) end), NextToken = token }
end

function M.ops.ListStacks(params, ctx)
  local wanted = describe.set(params.StackStatusFilter)
  local out = {}
  local all = world.list("cloudformation.stack")
  for i = #all, 1, -1 do
    local s = all[i]
    if not wanted or wanted[s.StackStatus] then
      out[#out + 1] = {
        StackId = s.StackId, StackName = s.StackName, TemplateDescription = s.Description,
        CreationTime = s.CreationTime, LastUpdatedTime = s.LastUpdatedTime,
        DeletionTime = s.DeletionTime, StackStatus = s.StackStatus,
        StackStatusReason = s.StackStatusReason,
        DriftInformation = { StackDriftStatus = "NOT_CHECKED" },
      }
    end
  end
  local page, token = describe.page(out, params.NextToken, 100, "ValidationError")
  return { StackSummaries = page, NextToken = token }
end

function M.ops.DescribeStackEvents(params, ctx)
  local stack = M.get_stack(params.StackName)
  local list = data().events[stack.StackId] or {}
  local newest_first = {}
  for i = #list, 1, -1 do newest_first[#newest_first + 1] = list[i] end
  local page, token = describe.page(newest_first, params.NextToken, 100, "ValidationError")
  return { StackEvents = page, NextToken = token }
end

local function resource_view(stack, res)
  return {
    StackName = stack.StackName, StackId = stack.StackId,
    LogicalResourceId = res.LogicalResourceId, PhysicalResourceId = res.PhysicalResourceId,
    ResourceType = res.ResourceType, Timestamp = res.Timestamp,
    LastUpdatedTimestamp = res.Timestamp,
    ResourceStatus = res.ResourceStatus, ResourceStatusReason = res.ResourceStatusReason,
    DriftInformation = { StackResourceDriftStatus = "NOT_CHECKED" },
  }
end

function M.ops.DescribeStackResources(params, ctx)
  local stack
  if params.StackName then
    stack = M.get_stack(params.StackName)
  elseif params.PhysicalResourceId then
    for _, s in ipairs(world.list("cloudformation.stack", live)) do
      for _, r in pairs(s._resources or {}) do
        if r.PhysicalResourceId == params.PhysicalResourceId then stack = s end
      end
    end
    if not stack then
      invalid(("Stack for %s does not exist"):format(params.PhysicalResourceId))
    end
  else
    invalid("Either StackName or PhysicalResourceId must be specified.")
  end
  local out = sim.array {}
  for _, logical in ipairs(sorted_keys(stack._resources or {})) do
    local r = stack._resources[logical]
    if r.ResourceStatus and (not params.LogicalResourceId or params.LogicalResourceId == logical)
       and (not params.PhysicalResourceId or not params.StackName or params.PhysicalResourceId == r.PhysicalResourceId) then
      out[#out + 1] = resource_view(stack, r)
    end
  end
  return { StackResources = out }
end

function M.ops.ListStackResources(params, ctx)
  local stack = M.get_stack(params.StackName)
  local out = {}
  for _, logical in ipairs(sorted_keys(stack._resources or {})) do
    if stack._resources[logical].ResourceStatus then
      local v = resource_view(stack, stack._resources[logical])
      v.StackName, v.StackId, v.Timestamp = nil, nil, nil
      out[#out + 1] = v
    end
  end
  local page, token = describe.page(out, params.NextToken, 100, "ValidationError")
  return { StackResourceSummaries = page, NextToken = token }
end

-- ---- change sets --------------------------------------------------------------------------

local function find_change_set(name, stack_name)
  local sets = data().change_sets
  if type(name) == "string" and name:match("^arn:aws:cloudformation:") then return sets[name] end
  local stack = stack_name and find_stack(stack_name)
  if not stack then return nil end
  for _, cs in pairs(sets) do
    if cs.ChangeSetName == name and cs.StackId == stack.StackId then return cs end
  end
end

local function get_change_set(name, stack_name)
  if not stack_name and not (type(name) == "string" and name:match("^arn:")) then
    invalid("StackName must be specified if ChangeSetName is not specified as an ARN.")
  end
  local cs = find_change_set(name, stack_name)
  if not cs then
    sim.error("ChangeSetNotFound", ("ChangeSet [%s] does not exist"):format(tostring(name)), 404)
  end
  return cs
end

local function describe_changes(plan, stack)
  local out = sim.array {}
  for _, p in ipairs(plan) do
    local res = stack._resources and stack._resources[p.logical]
    out[#out + 1] = { Type = "Resource", ResourceChange = {
      Action = p.action, LogicalResourceId = p.logical,
      PhysicalResourceId = res and res.PhysicalResourceId or nil,
      ResourceType = p.def and p.def.Type or (res and res.ResourceType),
      Replacement = p.action == "Modify" and (p.replace and "True" or "False") or nil,
      Scope = p.action == "Modify" and sim.array { "Properties" } or sim.array {},
      Details = sim.array {},
    } }
  end
  return out
end

function M.ops.CreateChangeSet(params, ctx)
  check_stack_name(params.StackName)
  local kind = params.ChangeSetType or "UPDATE"
  local stack = find_stack(params.StackName)
  if kind == "CREATE" then
    if stack and stack.StackStatus ~= "REVIEW_IN_PROGRESS" then
      sim.error("AlreadyExistsException", ("Stack [%s] already exists and cannot be created again "
                .. "with the changeSet [%s]."):format(params.StackName, params.ChangeSetName), 400)
    end
  elseif kind == "UPDATE" then
    if not stack then invalid(("Stack [%s] does not exist"):format(params.StackName)) end
    if not UPDATABLE[stack.StackStatus] then
      invalid(("Stack:%s is in %s state and can not be updated."):format(stack.StackId, stack.StackStatus))
    end
  else
    invalid("ChangeSetType " .. tostring(kind) .. " is not supported by awssim")
  end
  if find_change_set(params.ChangeSetName, params.StackName) then
    sim.error("AlreadyExistsException", ("ChangeSet %s already exists"):format(params.ChangeSetName), 400)
  end
  local body = template_body(params, stack)
  local tpl = template.parse(body)
  check_capabilities(tpl, params.Capabilities)
  if not stack then
    local id = stack_id(params.StackName)
    stack = world.put("cloudformation.stack", id, {
      StackId = id, StackName = params.StackName, CreationTime = now(),
      Tags = params.Tags or sim.array {}, DriftInformation = { StackDriftStatus = "NOT_CHECKED" },
      _resources = {},
    })
    stack_event(stack, "REVIEW_IN_PROGRESS", "User Initiated")
  end
  local plan, changes
  local values, shown
  if kind == "CREATE" then
    values, shown = template.parameters(tpl, params.Parameters, nil)
    local env_stack = { StackName = params.StackName, StackId = stack.StackId, _param_values = values,
                        _template = tpl, _resources = {} }
    local env = env_for(env_stack, tpl, values)
    plan = {}
    for _, logical in ipairs(sorted_keys(template.active_resources(tpl, env.conditions))) do
      plan[#plan + 1] = { logical = logical, action = "Add", def = tpl.Resources[logical] }
    end
  else
    values, shown = template.parameters(tpl, params.Parameters, stack._param_values)
    plan = plan_update(stack, tpl, values)
  end
  changes = describe_changes(plan, stack)
  local id = ("arn:aws:cloudformation:%s:%s:changeSet/%s/%s"):format(config().region, config().account,
                                                                    params.ChangeSetName, sim.uuid())
  local no_change = kind == "UPDATE" and #plan == 0 and same(values, stack._param_values)
                    and body == stack._template_body
  local cs = {
    ChangeSetName = params.ChangeSetName, ChangeSetId = id, StackId = stack.StackId,
    StackName = params.StackName, Description = params.Description, Parameters = shown,
    CreationTime = now(), ExecutionStatus = "UNAVAILABLE", Status = "CREATE_PENDING",
    NotificationARNs = params.NotificationARNs or sim.array {}, Capabilities = params.Capabilities or sim.array {},
    Tags = params.Tags, Changes = changes, IncludeNestedStacks = false,
    _type = kind, _body = body, _params = params.Parameters, _no_change = no_change,
    _ready_at = now() + duration("change_set"),
  }
  data().change_sets[id] = cs
  return { Id = id, StackId = stack.StackId }
end

-- A change set's status at the current time (computed: pending, then complete or failed).
local function refresh_change_set(cs)
  if cs.Status == "CREATE_PENDING" and now() >= cs._ready_at then
    if cs._no_change then
      cs.Status, cs.ExecutionStatus = "FAILED", "UNAVAILABLE"
      cs.StatusReason = "The submitted information didn't contain changes. Submit different "
                        .. "information to create a change set."
    else
      cs.Status, cs.ExecutionStatus = "CREATE_COMPLETE", "AVAILABLE"
    end
  end
  if cs.ExecutionStatus == "EXECUTE_IN_PROGRESS" then
    local stack = world.get("cloudformation.stack", cs.StackId)
    local st = stack and stack.StackStatus or ""
    if st:match("_COMPLETE$") and not st:match("CLEANUP") then
      cs.ExecutionStatus = (st == "CREATE_COMPLETE" or st == "UPDATE_COMPLETE") and "EXECUTE_COMPLETE"
                           or "EXECUTE_FAILED"
    elseif st:match("FAILED$") then
      cs.ExecutionStatus = "EXECUTE_FAILED"
    end
  end
end

function M.ops.DescribeChangeSet(params, ctx)
  local cs = get_change_set(params.ChangeSetName, params.StackName)
  refresh_change_set(cs)
  local out = world.public(cs)
  local page, token = describe.page(cs.Changes, params.NextToken, 100, "ValidationError")
  out.Changes, out.NextToken = page, token
  return out
end

function M.ops.ExecuteChangeSet(params, ctx)
  local cs = get_change_set(params.ChangeSetName, params.StackName)
  refresh_change_set(cs)
  if cs.ExecutionStatus ~= "AVAILABLE" then
    sim.error("InvalidChangeSetStatus", ("ChangeSet [%s] cannot be executed in its current "
              .. "status of [%s]"):format(cs.ChangeSetId, cs.Status), 400)
  end
  local stack = world.get("cloudformation.stack", cs.StackId)
  local request = { StackName = cs.StackName, Parameters = cs._params, Capabilities = cs.Capabilities,
                    Tags = cs.Tags, NotificationARNs = cs.NotificationARNs,
                    ClientRequestToken = params.ClientRequestToken,
                    DisableRollback = params.DisableRollback }
  cs.ExecutionStatus = "EXECUTE_IN_PROGRESS"
  if cs._type == "CREATE" then
    stack.ChangeSetId = cs.ChangeSetId
    start_create(request, ctx, stack, cs._body)
  else
    stack.ChangeSetId = cs.ChangeSetId
    start_update(stack, request, cs._body)
  end
  -- Executing one change set deletes the stack's others.
  for id, other in pairs(data().change_sets) do
    if other.StackId == cs.StackId and id ~= cs.ChangeSetId then data().change_sets[id] = nil end
  end
  return {}
end

function M.ops.DeleteChangeSet(params, ctx)
  local cs = get_change_set(params.ChangeSetName, params.StackName)
  if cs.ExecutionStatus == "EXECUTE_IN_PROGRESS" then
    sim.error("InvalidChangeSetStatus", ("Cannot delete ChangeSet in status %s"):format(cs.ExecutionStatus), 400)
  end
  data().change_sets[cs.ChangeSetId] = nil
  return {}
end

-- ---- templates ----------------------------------------------------------------------------

function M.ops.GetTemplate(params, ctx)
  if params.ChangeSetName then
    local cs = get_change_set(params.ChangeSetName, params.StackName)
    return { TemplateBody = cs._body, StagesAvailable = sim.array { "Original", "Processed" } }
  end
  local stack = M.get_stack(params.StackName)
  return { TemplateBody = stack._template_body, StagesAvailable = sim.array { "Original", "Processed" } }
end

function M.ops.ValidateTemplate(params, ctx)
  local tpl = template.parse(template_body(params))
  local out = sim.array {}
  for _, name in ipairs(sorted_keys(tpl.Parameters or {})) do
    local p = tpl.Parameters[name]
    out[#out + 1] = { ParameterKey = name, DefaultValue = p.Default ~= nil and tostring(p.Default) or nil,
                      NoEcho = p.NoEcho == true or p.NoEcho == "true", Description = p.Description }
  end
  local result = { Parameters = out, Description = tpl.Description }
  local cap = template.required_capability(tpl)
  if cap then
    result.Capabilities = sim.array { cap }
    result.CapabilitiesReason = "The following resource(s) require capabilities: [AWS::IAM::*]"
  end
  return result
end

-- ---- seed -------------------------------------------------------------------------------

-- Runs a stack's operation to its end at once (seeds start from a settled world).
local function settle(stack)
  for _ = 1, 1000 do
    local op = stack._op
    if not op then return end
    for _, t in ipairs(op.tasks or {}) do
      if t.state == "running" then
        local res = stack._resources[t.logical]
        local h = handler_of(res)
        if h.settle and res.PhysicalResourceId and (t.action == "create" or t.action == "replace") then
          h.settle(res.PhysicalResourceId, resource_ctx(stack, res))
        end
        t.eta = now()
      end
    end
    world.cancel("cloudformation.stack", stack.StackId)
    step(stack)
  end
  error("stack " .. stack.StackName .. " did not settle", 0)
end

-- The directory of the seed file awssim was started with (--seed FILE), read from
-- /proc/self/cmdline: the framework does not pass it to the models (yet), and a seed's
-- TemplateFile is relative to it. nil when there is no such file.
local function seed_file_dir()
  local f = io.open("/proc/self/cmdline", "rb")
  if not f then return nil end
  local args = {}
  for a in f:read("a"):gmatch("([^%z]*)%z") do args[#args + 1] = a end
  f:close()
  for i, a in ipairs(args) do
    local path = a == "--seed" and args[i + 1] or a:match("^%-%-seed=(.+)$")
    if path then return path:match("^(.*)/[^/]*$") or "." end
  end
end

-- Seed section (docs/awssim-resources.md):
-- { "stacks": [{ "StackName", "TemplateBody" (text or a JSON object) | "TemplateFile"
--                (relative to the seed file), "Parameters"?, "Tags"?, "Capabilities"?,
--                "BucketObjects"?: { "<logical id of an AWS::S3::Bucket>": [objects as in
--                the s3 seed] } }] }
-- Seeded stacks are CREATE_COMPLETE with their resources settled (DB available, group
-- instances InService).
function M.seed(section, seed_dir)
  for _, s in ipairs(section.stacks or {}) do
    local body = s.TemplateBody
    if not body and s.TemplateFile then
      local path = s.TemplateFile
      local dir = (type(seed_dir) == "table" and seed_dir.dir) or seed_dir or section.seed_dir
                  or seed_file_dir()
      if not path:match("^/") and dir then path = dir .. "/" .. path end
      local f = io.open(path, "rb")
      if not f then error(("cloudformation stack %s: cannot read %s"):format(tostring(s.StackName), path), 0) end
      body = f:read("a")
      f:close()
    end
    if type(body) == "table" then body = json.encode(body) end
    if not body then error(("cloudformation stack %s needs TemplateBody or TemplateFile"):format(
      tostring(s.StackName)), 0) end
    local ok, err = pcall(function()
      check_stack_name(s.StackName)
      local stack = start_create({ StackName = s.StackName, Parameters = s.Parameters, Tags = s.Tags,
                                   Capabilities = s.Capabilities or { "CAPABILITY_NAMED_IAM" } },
                                 {}, nil, body)
      settle(stack)
      if stack.StackStatus ~= "CREATE_COMPLETE" then
        local reason = stack.StackStatusReason or ""
        for _, e in ipairs(data().events[stack.StackId] or {}) do
          if e.ResourceStatus == "CREATE_FAILED" and e.ResourceStatusReason ~= "Resource creation cancelled" then
            reason = reason .. e.LogicalResourceId .. ": " .. tostring(e.ResourceStatusReason) .. " "
          end
        end
        error(("stack ends %s: %s"):format(stack.StackStatus, reason), 0)
      end
      local s3 = sim.service_module("s3")
      for logical, objects in pairs(s.BucketObjects or {}) do
        local res = stack._resources[logical]
        if not res or res.ResourceType ~= "AWS::S3::Bucket" then
          error(("BucketObjects: %s is no AWS::S3::Bucket of the stack"):format(logical), 0)
        end
        s3.seed({ buckets = { { Name = res.PhysicalResourceId, objects = objects } } })
      end
    end)
    if not ok then
      error(("cloudformation stack %s: %s"):format(tostring(s.StackName), error_text(err)), 0)
    end
  end
end

return M
