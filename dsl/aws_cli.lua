-- `wfrun call SERVICE OPERATION [JSON-ARGS]`: one AWS operation, its result printed as
-- `aws <service> <operation> --output json` prints it (see dsl/aws_cli_json.lua). Like
-- the CLI, a paginated operation is followed through all its pages and printed as one
-- "full result" (botocore's PageIterator.build_full_result), unless the arguments set
-- the paginator's own token or page-size parameter. Exit codes: 0 done, 1 the call
-- failed (the AWS error as "CODE: message" on stderr), 2 bad input.
local clog = require "wf.log"
local json = require "wf.json"
local sys = require "wf.sys"
local aws = require "dsl.aws"
local cli_json = require "dsl.aws_cli_json"
local errors = require "dsl.errors"
local jmespath = require "dsl.jmespath"
local paginate = require "dsl.aws_paginate"

local M = {}

M.USAGE = "usage: wfrun call SERVICE OPERATION [JSON-ARGS]   e.g. wfrun call ec2 describe_images '{\"Owners\":[\"self\"]}'"

-- Non-aggregate keys that botocore adds to these paginators from its
-- paginators-1.sdk-extras.json files (not part of the service models), so the CLI's
-- full result carries them; copied here to print what the CLI prints.
local SDK_EXTRA_NON_AGGREGATE_KEYS = {
  s3 = {
    ListBuckets = { "Owner", "Prefix" },
    ListObjectsV2 = { "RequestCharged", "Prefix" },
  },
}

local function deep_copy(v)
  if type(v) ~= "table" then return v end
  local out = {}
  for k, x in pairs(v) do out[k] = deep_copy(x) end
  return setmetatable(out, getmetatable(v))
end

-- botocore's build_full_result: result keys concatenated across pages (first seen,
-- first printed), then the non-aggregate keys of the first page (null when absent).
-- Returns the result and its top-level key order.
function M.full_result(cfg, extra_keys, next_page)
  local result, order = {}, {}
  local non_aggregate
  local result_keys = type(cfg.result_key) == "table" and cfg.result_key or { cfg.result_key }
  local non_aggregate_keys = {}
  for _, k in ipairs(cfg.non_aggregate_keys or {}) do non_aggregate_keys[#non_aggregate_keys + 1] = k end
  for _, k in ipairs(extra_keys or {}) do non_aggregate_keys[#non_aggregate_keys + 1] = k end
  for page in next_page do
    for _, key in ipairs(result_keys) do
      local v = jmespath.search(key, page)
      if v ~= nil then
        local existing = result[key]
        if existing == nil then
          result[key] = deep_copy(v)
          order[#order + 1] = key
        elseif type(v) == "table" then
          for _, x in ipairs(v) do existing[#existing + 1] = x end
        elseif type(v) == "number" and type(existing) == "number" then
          result[key] = existing + v
        elseif type(v) == "string" and type(existing) == "string" then
          result[key] = existing .. v
        end
      end
    end
    if not non_aggregate then
      non_aggregate = {}
      for _, key in ipairs(non_aggregate_keys) do
        local v = jmespath.search(key, page)
        non_aggregate[key] = v == nil and json.null or v
      end
    end
  end
  for _, key in ipairs(non_aggregate_keys) do
    if result[key] == nil then order[#order + 1] = key end
    -- not `a and b or c`: a false value (IncludeNestedStacks) must stay false
    local v = non_aggregate and non_aggregate[key]
    if v == nil then v = json.null end
    result[key] = v
  end
  return result, order
end

local function usage(message)
  errors.raise_usage(message, M.USAGE)
end

-- The params table from the JSON-ARGS word (an object), or a usage error (exit 2).
local function parse_args(text)
  if text == nil then return {} end
  local ok, v = pcall(json.decode, text)
  if not ok then usage(("bad JSON args: %s"):format((errors.message(v):gsub("^json: ", "")))) end
  if type(v) ~= "table" or json.is_array(v) then
    usage("bad JSON args: expected a JSON object such as '{\"Owners\": [\"self\"]}'")
  end
  return v
end

-- One line for stderr: "CODE: message (ec2 DescribeImages, HTTP 400, request id ...)".
function M.error_line(e)
  if type(e) == "table" and e.kind == "aws" then
    local where = { ("%s %s"):format(tostring(e.service), tostring(e.operation)) }
    if e.status and e.status ~= 0 then where[#where + 1] = "HTTP " .. tostring(e.status) end
    if e.request_id and e.request_id ~= "" then where[#where + 1] = "request id " .. e.request_id end
    local code = (e.code and e.code ~= "") and e.code or "Error"
    local message = (e.message and e.message ~= "") and (": " .. e.message) or ""
    return ("%s%s (%s)"):format(code, message, table.concat(where, ", "))
  end
  return errors.message(e)
end

-- Runs the call command with the words after "call"; returns the exit code.
function M.run(words, opts)
  if opts and opts.help then
    sys.write_stdout(M.USAGE .. "\n")
    return 0
  end
  local service, name, text = words[1], words[2], words[3]
  if not service or not name then usage("call needs a service and an operation") end
  if #words > 3 then usage(("call takes at most 3 words, got %d (quote the JSON args)"):format(#words)) end
  local entry, msg = aws.operation(service, name)
  if not entry then usage(msg) end
  local params = parse_args(text)
  local model = aws.model(service)
  local cfg = paginate.config(model, entry.op)
  if cfg then
    for _, p in ipairs(paginate.steering_params(cfg)) do
      if params[p] ~= nil then cfg = nil break end   -- paging by hand, as with the CLI
    end
  end
  local function send(p) return aws.call(service, entry.op, p) end
  local ok, result, order = pcall(function()
    if cfg then
      local extras = (SDK_EXTRA_NON_AGGREGATE_KEYS[service] or {})[entry.op]
      return M.full_result(cfg, extras, paginate.pages(cfg, send, params, nil, "wfrun call"))
    end
    return (send(params))
  end)
  if not ok then
    local kind = errors.kind(result)
    if kind == "interrupted" or kind == "timeout" then error(result, 0) end
    sys.write_stderr(clog.sanitize(M.error_line(result)) .. "\n")
    return 1
  end
  sys.write_stdout(cli_json.render(model, entry.op, result, order))
  return 0
end

return M
