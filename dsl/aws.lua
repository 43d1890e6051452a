-- The `aws` global of workflows: aws.<service>.<operation>{ ...params... } with the
-- API's own member names, operations in snake_case as boto3 names them
-- (aws.rds.describe_db_instances; the API name DescribeDBInstances works too), plus per
-- service wait(), pages() and items(). Each operation is a primitive registered in
-- dsl/aws_registry.lua as read-only or mutating, so a plan sends read-only calls and
-- records mutating ones, which return placeholders shaped like the real result.
local caws = require "wf.aws"
local primitives = require "dsl.primitives"
local registry = require "dsl.aws_registry"
local placeholder = require "dsl.aws_placeholder"
local paginate = require "dsl.aws_paginate"
local waiters = require "dsl.aws_waiters"
local util = require "dsl.util"

local M = {}

-- botocore's xform_name: DescribeDBInstances -> describe_db_instances,
-- ListObjectsV2 -> list_objects_v2, ...ARNs -> ..._arns.
function M.snake_case(name)
  if name:find("_", 1, true) then return name end
  local s = name:find("%u%u+s$")
  if s then name = name:sub(1, s - 1) .. "_" .. name:sub(s):lower() end
  name = name:gsub("(.)(%u%l+)", "%1_%2")
  name = name:gsub("([%l%d])(%u)", "%1_%2")
  return name:lower()
end

-- ---- the registry, indexed --------------------------------------------------------

local index = {}   -- service -> { by_name = {snake|Api -> entry}, names = {snake...} }

local function service_index(service)
  local idx = index[service]
  if idx then return idx end
  local entries = registry[service]
  if not entries then return nil end
  idx = { by_name = {}, names = {} }
  for _, e in ipairs(entries) do
    idx.by_name[e.name] = e
    idx.by_name[e.op] = e
    idx.names[#idx.names + 1] = e.name
  end
  index[service] = idx
  return idx
end

function M.services()
  return util.sorted_keys(registry)
end

-- The registry entry { op =, name =, mutating = } of operation name (snake_case, the API
-- name, or the CLI's dashed form) in service; nil and a message when there is none.
function M.operation(service, name)
  local idx = service_index(service)
  if not idx then
    return nil, ("no AWS service %q%s (known: %s)"):format(tostring(service),
      util.did_you_mean(tostring(service), M.services()), table.concat(M.services(), ", "))
  end
  if type(name) ~= "string" then
    return nil, ("aws.%s: an operation name must be a string, not %s"):format(service, type(name))
  end
  local e = idx.by_name[name] or idx.by_name[(name:gsub("-", "_"))]
  if e then return e end
  return nil, ("aws.%s has no operation %q%s"):format(service, name,
    util.did_you_mean(M.snake_case(name), idx.names))
end

-- ---- models and calls ---------------------------------------------------------------

local models = {}

-- The service's trimmed model as a Lua table (cached): operations, shapes (structures
-- carry member_order), waiters, paginators.
function M.model(service)
  local m = models[service]
  if not m then
    m = caws.model(service)
    models[service] = m
  end
  return m
end

-- One call as it goes over the wire, without plan-mode handling: result, meta.
-- Looked up on each call so tests can stand in for the C module.
function M.call(service, operation, params)
  return caws.call(service, operation, params or {})
end
M.wire_call = M.call  -- kept: a test that replaces M.call is recognised by stdlib/s3sync_batch
local wire_call = M.call

-- ---- service tables ------------------------------------------------------------------

local function never() return false end

-- "file:line: " of the nearest caller outside the DSL's own files (wrappers sit
-- between an operation and the workflow line that called it).
local function caller_where()
  for level = 3, 30 do
    local info = debug.getinfo(level, "Sl")
    if not info then break end
    if info.currentline > 0 and not info.source:match("dsl/aws[%w_]*%.lua$")
        and not info.source:match("dsl/primitives%.lua$") then
      return info.short_src .. ":" .. info.currentline .. ": "
    end
  end
  return ""
end

local active = primitives.active   -- read inline on the per-call path

local function operation_function(service, entry)
  local full = ("aws.%s.%s"):format(service, entry.name)
  local op = entry.op
  local function send(params)
    if params == nil then params = {} end
    if type(params) ~= "table" then
      error(("%s%s: expects a table of parameters, got %s"):format(caller_where(), full, type(params)), 0)
    end
    -- A read-only call that names something a plan only pretends to have made cannot
    -- be sent; its result is a placeholder too.
    if primitives.planning() and placeholder.contains(params) then
      return placeholder.result(M.model(service), op, full .. "(planned)")
    end
    return M.call(service, op, params)
  end
  local wrapped = primitives.wrap(full, send,
    function() return entry.mutating end,
    function(ref) return placeholder.result(M.model(service), op, ref) end)
  -- What the wrapper and send do for a table of parameters in run mode, in one frame
  -- (this is every workflow's per-call path); plans and odd arguments take the above.
  return function(params)
    if active.mode == "plan" or type(params) ~= "table" then return wrapped(params) end
    local call = M.call
    if call == wire_call then return caws.call(service, op, params) end
    return call(service, op, params)
  end
end

local function operation_of(service, name, level)
  local entry, msg = M.operation(service, name)
  if not entry then error(msg, level + 1) end
  return entry
end

local function make_service(service)
  local svc = {}
  local model = function() return M.model(service) end

  -- Plans list a wait as { waiter =, params =, timeout = } and return at once.
  local recorded_wait = primitives.wrap(("aws.%s.wait"):format(service), function(a, def, opts)
    if primitives.planning() then
      return placeholder.result(model(), def.operation, ("aws.%s.wait(%s)"):format(service, a.waiter))
    end
    local function call(op, params) return M.call(service, op, params) end
    local on_failure
    if service == "cloudformation" and def.operation == "DescribeStacks" and a.params.StackName then
      -- A failed stack says why only in its events: show the failing resources.
      on_failure = function(message)
        local ok, lines = pcall(waiters.stack_failures, call, a.params.StackName)
        if not ok then
          return message .. "\n  (could not read the stack events: " .. tostring(lines) .. ")"
        end
        if #lines == 0 then return message end
        return message .. "\n  failed resources:\n    " .. table.concat(lines, "\n    ")
      end
    end
    return waiters.run {
      def = def, name = a.waiter, params = a.params, opts = opts, call = call,
      what = ("%s waiter %s"):format(service, a.waiter), on_failure = on_failure,
    }
  end, never)

  -- aws.<service>.wait("instance_running", params, { timeout = "10m", every = "15s" })
  function svc.wait(name, params, opts)
    if type(name) ~= "string" then error(("aws.%s.wait: the first argument names the waiter"):format(service), 2) end
    local api, def = waiters.find(model(), name, M.snake_case)
    if not api then
      local known = def
      error(("aws.%s has no waiter %q%s (known: %s)"):format(service, name,
        util.did_you_mean(M.snake_case(name), known), #known > 0 and table.concat(known, ", ") or "none"), 2)
    end
    if params ~= nil and type(params) ~= "table" then error(("aws.%s.wait: params must be a table"):format(service), 2) end
    if opts ~= nil and type(opts) ~= "table" then error(("aws.%s.wait: options must be a table"):format(service), 2) end
    local ok, res = pcall(recorded_wait, { waiter = api, params = params or {},
                                            timeout = opts and opts.timeout }, def, opts)
    if ok then return res end
    if type(res) == "table" and res.waiter_failure then error(res.waiter_failure, 2) end
    error(res, 0)
  end

  local function paginator(kind, name, params, opts)
    local entry = operation_of(service, name, 3)
    local cfg = paginate.config(model(), entry.op)
    local what = ("aws.%s.%s(%q)"):format(service, kind, entry.name)
    if not cfg then error(("%s: %s is not paginated"):format(what, entry.name), 3) end
    local send = svc[entry.name]
    return paginate[kind](cfg, send, params or {}, opts, what)
  end

  -- for page in aws.<service>.pages("list_objects_v2", params, { page_size = 100 })
  function svc.pages(name, params, opts) return paginator("pages", name, params, opts) end
  -- for item in aws.<service>.items("describe_images", params): the first result_key's items
  function svc.items(name, params, opts) return paginator("items", name, params, opts) end

  if service == "s3" then
    -- aws.s3.sync{ source =, target =, ... } and aws.s3.verify{...}: the engine of
    -- stdlib/s3sync (docs/s3-sync.md). A plan records a sync (unless dry_run) unsent.
    local function engine() return require "stdlib.s3sync" end
    svc.sync = primitives.wrap("aws.s3.sync", function(a) return engine().run_sync(a) end,
      function(a) return not (type(a) == "table" and a.dry_run) end,
      function(ref) return { copied = 0, skipped = 0, deleted = 0, failed = 0, bytes = 0, planned = ref } end)
    svc.verify = primitives.wrap("aws.s3.verify", function(a) return engine().run_verify(a) end, never)
  end

  return setmetatable(svc, {
    __index = function(t, name)
      local entry = operation_of(service, name, 2)
      local fn = rawget(t, entry.name) or operation_function(service, entry)
      rawset(t, entry.name, fn)
      return fn
    end,
    __newindex = function(_, k)
      error(("aws.%s is read-only (cannot set %s)"):format(service, tostring(k)), 2)
    end,
  })
end

-- Service tables made on first use; `aws` reads them through a table __index, which the
-- VM follows without a function call.
local service_tables = setmetatable({}, {
  __index = function(t, service)
    if not service_index(service) then
      local _, msg = M.operation(service, "")
      error(msg, 2)
    end
    local svc = make_service(service)
    rawset(t, service, svc)
    return svc
  end,
})

-- The table workflows see as `aws`.
M.public = setmetatable({}, {
  __index = service_tables,
  __newindex = function(_, k)
    error(("aws is read-only (cannot set %s)"):format(tostring(k)), 2)
  end,
})

-- Sets up the AWS client (profile, region, endpoint_url, max_attempts, verbose);
-- credentials are resolved at the first call.
function M.configure(options)
  M.options = options or {}   -- also read by stdlib/s3sync_batch, whose batch has its own client
  return caws.configure(options)
end

return M
