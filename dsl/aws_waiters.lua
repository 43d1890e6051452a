-- Waiters, interpreted from the models' AWS waiter definitions (botocore's
-- waiters-2.json): one operation polled until an acceptor (path, pathAll, pathAny,
-- status, error) says success, failure or retry. Acceptors are tried in order and the
-- first match decides, as in botocore; an error no acceptor expects ends the wait at once.
-- Timing is wfrun's own (wait.poll: timeout, interval, progress lines with a status such
-- as "State.Name=pending"); the model's delay x maxAttempts only sets the default timeout.
local cwait = require "wf.wait"
local jmespath = require "dsl.jmespath"

local M = {}

local OPTIONS = { timeout = true, every = true, what = true }

-- The waiter definition named name ("instance_running" or "InstanceRunning") in model:
-- returns its API name and definition, or nil and the list of known snake_case names.
function M.find(model, name, snake_case)
  local waiters = model.waiters or {}
  if waiters[name] then return name, waiters[name] end
  local known = {}
  for api, def in pairs(waiters) do
    local snake = snake_case(api)
    if snake == name then return api, def end
    known[#known + 1] = snake
  end
  table.sort(known)
  return nil, known
end

-- Does acceptor a match this poll's outcome (result table, or err an AWS error table)?
local function matches(a, result, status, err)
  local m = a.matcher
  if m == "error" then
    if type(a.expected) == "boolean" then return (err ~= nil) == a.expected end
    return err ~= nil and err.code == a.expected
  elseif m == "status" then
    local s = err and err.status or status
    return s == a.expected
  end
  if err then return false end
  local v = jmespath.search(a.argument, result)
  if m == "path" then
    return jmespath.equal(v, a.expected)
  end
  if not jmespath.is_list(v) or #v == 0 then return false end
  if m == "pathAll" then
    for _, x in ipairs(v) do
      if not jmespath.equal(x, a.expected) then return false end
    end
    return true
  elseif m == "pathAny" then
    for _, x in ipairs(v) do
      if jmespath.equal(x, a.expected) then return true end
    end
    return false
  end
  error(("waiter acceptor with unknown matcher %q"):format(tostring(m)), 0)
end
M.matches = matches

-- "Reservations[].Instances[].State.Name" -> "State.Name": the part a reader knows.
local function label(argument)
  return argument:match("[%]%)]%.([%w_.]+)$") or argument
end

local function render(v)
  if type(v) ~= "table" then return tostring(v) end
  local seen, parts = {}, {}
  for _, x in ipairs(v) do
    local s = tostring(x)
    if not seen[s] then
      seen[s] = true
      parts[#parts + 1] = s
    end
  end
  return #parts > 0 and table.concat(parts, ",") or "none"
end

-- The progress status of a poll: "State.Name=pending", an error code, or "HTTP 404".
function M.status(def, result, status, err)
  if err then return err.code ~= "" and err.code or ("HTTP " .. tostring(err.status)) end
  for _, a in ipairs(def.acceptors) do
    if a.argument and type(a.expected) == "string" then
      local ok, v = pcall(jmespath.search, a.argument, result)
      if ok then return label(a.argument) .. "=" .. render(v) end
    end
  end
  return status and ("HTTP " .. tostring(status)) or nil
end

-- Why acceptor a failed the wait: "StackStatus is ROLLBACK_COMPLETE".
local function reason(a, result, err)
  if a.matcher == "error" then
    return ("%s: %s"):format(err and err.code or tostring(a.expected), err and err.message or "")
  elseif a.matcher == "status" then
    return ("HTTP status %s"):format(tostring(a.expected))
  end
  return ("%s is %s"):format(label(a.argument), tostring(a.expected))
end

-- Runs the waiter. call(operation, params) makes one AWS call and returns result, meta
-- ({status=}) or raises (AWS errors are tables with kind "aws"). on_failure(name,
-- params, message) may add detail to a failure message. Returns the last result (or the
-- error table when an error acceptor meant success). Raises { waiter_failure = message }
-- on a failure acceptor, and wait.poll's timeout error when time runs out.
function M.run(args)
  local def, name = args.def, args.name
  local opts = args.opts or {}
  for k in pairs(opts) do
    if not OPTIONS[k] then
      error({ waiter_failure = ("unknown wait option %q (known: every, timeout, what)"):format(tostring(k)) })
    end
  end
  local outcome
  local function check()
    local ok, result, meta = pcall(args.call, def.operation, args.params)
    local err, status = nil, nil
    if not ok then
      if type(result) ~= "table" or result.kind ~= "aws" then error(result, 0) end
      err, result = result, nil
    else
      status = type(meta) == "table" and meta.status or 200
    end
    for _, a in ipairs(def.acceptors) do
      if matches(a, result, status, err) then
        if a.state == "success" then
          outcome = result or err
          return true
        elseif a.state == "failure" then
          local message = ("waiter %s failed: %s"):format(name, reason(a, result, err))
          if args.on_failure then message = args.on_failure(message) end
          error({ waiter_failure = message }, 0)
        end
        return false, M.status(def, result, status, err)
      end
    end
    if err then error(err, 0) end
    return false, M.status(def, result, status, err)
  end
  cwait.poll {
    what = opts.what or args.what,
    check = check,
    timeout = opts.timeout or (def.delay or 15) * (def.maxAttempts or 40),
    every = opts.every or def.delay or 15,
  }
  return outcome
end

-- The failing resources of a CloudFormation stack operation, from DescribeStackEvents:
-- events newest first, back to the stack's own "User Initiated" *_IN_PROGRESS event.
-- Returns lines such as "Builder (AWS::EC2::Instance) CREATE_FAILED: reason".
function M.stack_failures(call, stack_name)
  local lines, token, pages = {}, nil, 0
  repeat
    local result = call("DescribeStackEvents", { StackName = stack_name, NextToken = token })
    pages = pages + 1
    for _, e in ipairs(result.StackEvents or {}) do
      if e.ResourceType == "AWS::CloudFormation::Stack" and e.ResourceStatusReason == "User Initiated"
          and tostring(e.ResourceStatus):match("_IN_PROGRESS$") then
        token = nil
        goto done
      end
      if tostring(e.ResourceStatus):match("_FAILED$") then
        table.insert(lines, 1, ("%s (%s) %s: %s"):format(tostring(e.LogicalResourceId), tostring(e.ResourceType),
          e.ResourceStatus, tostring(e.ResourceStatusReason or "no reason given")))
      end
    end
    token = result.NextToken
  until not token or pages >= 5
  ::done::
  return lines
end

return M
