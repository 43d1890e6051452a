-- CloudFormation stacks: find one by name, its resources by type, its outputs and
-- parameters as tables; create one and wait for CREATE_COMPLETE (a failure names the
-- failing resources and their reasons); delete one and wait until it is gone.
--
--   local stack = require "stdlib.stack"
--   local s = stack.get("api-prod")
--   stack.outputs(s).SmokeTestUrl
--   stack.resource("api-prod", "AWS::RDS::DBInstance").PhysicalResourceId
local awscall = require "stdlib.awscall"
local single = require "stdlib.single"
local primitives = require "dsl.primitives"
local pace = require "stdlib.pace"
local facts = require "dsl.facts"

local M = {}

-- Statuses after which nothing more happens by itself.
local CREATE_DONE = { CREATE_COMPLETE = true }
local CREATE_FAILED = {
  CREATE_FAILED = true, ROLLBACK_COMPLETE = true, ROLLBACK_FAILED = true,
  DELETE_COMPLETE = true, DELETE_FAILED = true,
}
-- Statuses of a stack that never finished creating and can only be deleted.
local DEAD = { CREATE_FAILED = true, ROLLBACK_COMPLETE = true, ROLLBACK_FAILED = true, DELETE_FAILED = true }

M.TEMPLATE_BODY_LIMIT = 51200

local function aws() return awscall.client() end
local function wait_poll(a) return primitives.public.wait.poll(pace.poll(a)) end
local function log() return primitives.public.log end

local function not_found(err)
  return awscall.is(err, "ValidationError") and tostring(err.message or ""):find("does not exist", 1, true) ~= nil
end

-- The stack (DescribeStacks' element) named name, or nil when there is none. name may
-- also be a stack id (ARN), which finds deleted stacks too (status DELETE_COMPLETE).
-- A plan pins the stack's id and status (or that there is none): see dsl/facts.lua.
function M.find(name)
  local ok, res = pcall(aws().cloudformation.describe_stacks, { StackName = name })
  if not ok then
    if not_found(res) then
      facts.record("stack " .. tostring(name), nil)
      return nil
    end
    error(res, 0)
  end
  local s = awscall.list(res, "Stacks")[1]
  facts.record("stack " .. tostring(name), s and { id = s.StackId, status = s.StackStatus } or nil)
  return s
end

-- The stack named name; an error saying so when there is none.
function M.get(name)
  local s = M.find(name)
  if not s then error(("stack %s does not exist"):format(name), 0) end
  return s
end

local function kv(list, key_field, value_field)
  local out = {}
  for _, item in ipairs(list or {}) do out[item[key_field]] = item[value_field] end
  return out
end

-- A stack's outputs as { OutputKey = OutputValue }; s is a stack or a stack name.
function M.outputs(s)
  if type(s) == "string" then s = M.get(s) end
  return kv(s.Outputs, "OutputKey", "OutputValue")
end

-- A stack's parameters as { ParameterKey = ParameterValue }.
function M.parameters(s)
  if type(s) == "string" then s = M.get(s) end
  return kv(s.Parameters, "ParameterKey", "ParameterValue")
end

-- A stack's tags as { Key = Value }.
function M.tags(s)
  if type(s) == "string" then s = M.get(s) end
  return kv(s.Tags, "Key", "Value")
end

-- The resources of stack name (ListStackResources summaries), only those of resource_type
-- when given ("AWS::S3::Bucket"), sorted by logical id.
function M.resources(name, resource_type)
  local all = awscall.all("cloudformation", "list_stack_resources", { StackName = name }, "StackResourceSummaries")
  local out = {}
  for _, r in ipairs(all) do
    if resource_type == nil or r.ResourceType == resource_type then out[#out + 1] = r end
  end
  table.sort(out, function(a, b) return a.LogicalResourceId < b.LogicalResourceId end)
  return out
end

-- The one resource of resource_type in stack name; an error naming what was found otherwise.
function M.resource(name, resource_type, what)
  return single(M.resources(name, resource_type), nil,
    what or ("%s resource of stack %s"):format(resource_type, name))
end

-- The failure events of the latest operation on stack id (newest first): every
-- *_FAILED event since the stack's own *_IN_PROGRESS event that started the operation.
function M.failure_events(id, operation)
  local events = {}
  local ok, err = pcall(awscall.each_page, "cloudformation", "describe_stack_events", { StackName = id },
    function(page)
      for _, e in ipairs(awscall.list(page, "StackEvents")) do events[#events + 1] = e end
    end)
  if not ok then return {}, awscall.message(err) end
  local start = (operation or "CREATE") .. "_IN_PROGRESS"
  local out = {}
  for _, e in ipairs(events) do       -- newest first, as CloudFormation returns them
    if e.ResourceType == "AWS::CloudFormation::Stack" and e.ResourceStatus == start then break end
    if tostring(e.ResourceStatus or ""):match("_FAILED$") then out[#out + 1] = e end
  end
  return out
end

-- The failure events as text lines: "Database AWS::RDS::DBInstance CREATE_FAILED: reason".
function M.describe_events(events)
  local lines = {}
  for _, e in ipairs(events) do
    lines[#lines + 1] = ("  %s (%s) %s: %s"):format(e.LogicalResourceId or "?", e.ResourceType or "?",
      e.ResourceStatus or "?", e.ResourceStatusReason or "(no reason given)")
  end
  return table.concat(lines, "\n")
end

local function failure_message(what, s, operation)
  local events, why = M.failure_events(s.StackId or s.StackName, operation)
  local msg = ("%s: stack %s is %s%s"):format(what, s.StackName, s.StackStatus,
    s.StackStatusReason and (" (" .. s.StackStatusReason .. ")") or "")
  if #events > 0 then
    msg = msg .. "\nfailing resources (newest first):\n" .. M.describe_events(events)
  elseif why then
    msg = msg .. "\n(its events could not be read: " .. why .. ")"
  end
  return msg
end

-- Waits until stack id/name is CREATE_COMPLETE and returns it. A failed creation waits for
-- CloudFormation's own rollback to end (so the stack can be deleted), then raises an
-- error listing the failing resources with their reasons.
function M.wait_created(id, opts)
  opts = opts or {}
  local last
  wait_poll {
    what = "stack " .. (opts.name or id) .. " CREATE_COMPLETE",
    timeout = opts.timeout or "60m", every = opts.every or "15s", max_every = opts.max_every or "30s",
    check = function()
      last = M.find(id)
      if not last then error(("stack %s disappeared while it was being created"):format(opts.name or id), 0) end
      local st = last.StackStatus
      return CREATE_DONE[st] or CREATE_FAILED[st] or false, st
    end,
  }
  if primitives.planning() then return last end
  if not CREATE_DONE[last.StackStatus] then
    error(failure_message("creating stack " .. (opts.name or id) .. " failed", last, "CREATE"), 0)
  end
  return last
end

-- Creates a stack and waits for CREATE_COMPLETE. spec fields:
--   name, template (the body text), template_name (for plans), parameters ({ {ParameterKey=, ParameterValue=} }),
--   tags ({ {Key=, Value=} }), capabilities, token (ClientRequestToken, so a retried call
--   does not create a second stack), timeout / every (of the wait), owner = { Key = , Value = }
--   (a tag that marks stacks this caller created: a stack of that name that carries it is
--   adopted instead of being an error; a dead one is deleted and created again).
-- Returns the stack.
function M.create(spec)
  assert(type(spec) == "table" and spec.name and spec.template, "stack.create{ name =, template = }")
  if #spec.template > M.TEMPLATE_BODY_LIMIT then
    error(("template for stack %s is %d bytes; CloudFormation takes at most %d in TemplateBody")
      :format(spec.name, #spec.template, M.TEMPLATE_BODY_LIMIT), 2)
  end
  local existing = M.find(spec.name)
  return M.create_or_adopt(spec, existing)
end

-- The rest of create: existing is the stack of that name now (or nil).
function M.create_or_adopt(spec, existing, again)
  if existing and primitives.planning() then
    log().info(("(plan) stack %s exists now; the plan assumes an earlier step deleted it"):format(spec.name))
    existing = nil
  end
  if existing and existing.StackStatus ~= "DELETE_COMPLETE" then
    local mine = spec.owner and M.tags(existing)[spec.owner.Key] == spec.owner.Value
    if not mine then
      error(("stack %s already exists (%s); it was not created by this run"):format(spec.name, existing.StackStatus), 0)
    end
    if DEAD[existing.StackStatus] then
      log().warn(("stack %s is %s from an earlier attempt: deleting it before creating it again")
        :format(spec.name, existing.StackStatus))
      M.delete { name = existing.StackId, display = spec.name, timeout = spec.timeout, every = spec.every }
      -- a new stack: the token of the failed creation must not make CloudFormation take
      -- this request for a retry of that one
      if spec.token then spec.token = (spec.token:sub(1, 120) .. "-again") end
    else
      log().info(("stack %s already exists (%s), created by this run: waiting for it"):format(spec.name, existing.StackStatus))
      return M.wait_created(existing.StackId, { name = spec.name, timeout = spec.timeout, every = spec.every })
    end
  end
  local body = spec.template
  if primitives.planning() then
    -- not sent in a dry run: the plan names the template instead of quoting it
    body = ("<template %s: %d bytes, sha256 %s>"):format(spec.template_name or "text", #spec.template,
      require("wf.sys").sha256_hex(spec.template):sub(1, 16))
  end
  local res, err = awscall.unless({ "AlreadyExistsException" }, aws().cloudformation.create_stack, {
    StackName = spec.name,
    TemplateBody = body,
    Parameters = spec.parameters,
    Tags = spec.tags,
    Capabilities = (spec.capabilities and #spec.capabilities > 0) and spec.capabilities or nil,
    ClientRequestToken = spec.token,
  })
  if err then
    -- made meanwhile, e.g. by the request of an attempt killed while it was on its way:
    -- the owner tag decides whether it is ours
    existing = M.find(spec.name)
    if not existing or again then error(err, 0) end
    return M.create_or_adopt(spec, existing, true)
  end
  if primitives.planning() then return { StackName = spec.name, StackId = res and res.StackId, StackStatus = "CREATE_COMPLETE", Outputs = {} } end
  local id = res.StackId or spec.name
  if spec.on_created then spec.on_created(id) end
  log().info(("creating stack %s (%s)"):format(spec.name, id))
  return M.wait_created(id, { name = spec.name, timeout = spec.timeout, every = spec.every })
end

-- Deletes stack name (or id) and waits until it is gone. Nothing to do when it does not
-- exist. opts: empty_buckets = true deletes every object of the stack's S3 buckets first
-- (CloudFormation cannot delete a bucket that has objects); owner = { Key =, Value = }:
-- only a stack carrying that tag is deleted (an undo never deletes a stack that its run
-- did not create; another stack is left alone with a warning); timeout, every, token.
-- A DELETE_FAILED stack is an error listing the resources that could not be deleted.
function M.delete(opts)
  assert(type(opts) == "table" and opts.name, "stack.delete{ name = }")
  local label = opts.display or opts.name
  local s = M.find(opts.name)
  if primitives.planning() and not s then
    -- a plan lists what an undo would do to a stack the plan only pretended to create
    aws().cloudformation.delete_stack { StackName = opts.name, ClientRequestToken = opts.token }
    return true
  end
  if not s or s.StackStatus == "DELETE_COMPLETE" then
    log().info(("stack %s does not exist: nothing to delete"):format(label))
    return false
  end
  if opts.owner and M.tags(s)[opts.owner.Key] ~= opts.owner.Value then
    log().warn(("stack %s was not created by %s=%s (it has %s): not deleting it"):format(label, opts.owner.Key,
      opts.owner.Value, tostring(M.tags(s)[opts.owner.Key])))
    return false
  end
  if opts.empty_buckets then
    local s3sync = require "stdlib.s3sync"
    for _, b in ipairs(M.resources(s.StackId, "AWS::S3::Bucket")) do
      if b.PhysicalResourceId and b.ResourceStatus ~= "DELETE_COMPLETE" then
        local n = s3sync.empty(b.PhysicalResourceId)
        if n > 0 then log().info(("emptied bucket %s (%d object(s)) of stack %s"):format(b.PhysicalResourceId, n, label)) end
      end
    end
  end
  aws().cloudformation.delete_stack { StackName = s.StackId, ClientRequestToken = opts.token }
  if primitives.planning() then return true end
  local last
  wait_poll {
    what = "stack " .. label .. " deleted",
    timeout = opts.timeout or "60m", every = opts.every or "15s", max_every = opts.max_every or "30s",
    check = function()
      last = M.find(s.StackId)
      if not last or last.StackStatus == "DELETE_COMPLETE" then return true, "DELETE_COMPLETE" end
      return last.StackStatus == "DELETE_FAILED", last.StackStatus
    end,
  }
  if last and last.StackStatus == "DELETE_FAILED" then
    error(failure_message("deleting stack " .. label .. " failed", last, "DELETE"), 0)
  end
  log().info(("deleted stack %s"):format(label))
  return true
end

return M
