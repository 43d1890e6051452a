-- How stdlib modules reach the `aws` primitive (the same one workflows see, so plan mode
-- records their calls too) and tell an AWS error that means "not there" from a real failure.
--
--   local awscall = require "stdlib.awscall"
--   local aws = awscall.client()
--   local r = awscall.unless({ "DBSnapshotNotFound" }, aws.rds.describe_db_snapshots,
--                            { DBSnapshotIdentifier = id })      -- nil when there is none
local primitives = require "dsl.primitives"

local M = {}

-- The aws primitive table (aws.ec2.describe_images{...}); an error when this build has none.
function M.client()
  local aws = primitives.public.aws
  if aws == nil then
    local ok, mod = pcall(require, "dsl.aws")
    if ok and type(mod) == "table" then aws = mod.public or mod end
  end
  if aws == nil then error("the aws primitive is not available in this build of wfrun", 3) end
  return aws
end

-- True while a dry run (wfrun plan) is being built: mutating calls return placeholders.
function M.planning() return primitives.planning() end

-- True for a dry run's placeholder value ("<create-target.aws...StackId>"): something a
-- planned, not made, call would have returned. Read-only calls must not be made with it.
local ok_ph, placeholder = pcall(require, "dsl.aws_placeholder")
if not ok_ph then placeholder = nil end

function M.is_placeholder(v)
  if type(v) == "table" then
    if placeholder and placeholder.is_proxy(v) then return true end
    local mt = getmetatable(v)
    return (mt ~= nil and mt.__name == "placeholder") or rawget(v, "planned") == true
  end
  return type(v) == "string" and v:find("<[^<>%s]+>") ~= nil
end

-- The error code of an AWS error value, or nil for any other error.
function M.code(err)
  if type(err) == "table" and (err.kind == "aws" or err.code) then return err.code end
  return nil
end

-- True when err is an AWS error whose code is one of codes (a string or a list).
function M.is(err, codes)
  local code = M.code(err)
  if not code then return false end
  if type(codes) == "string" then return code == codes end
  for _, c in ipairs(codes) do if c == code then return true end end
  return false
end

-- Calls fn(params); an AWS error whose code is among codes gives nil, err instead of
-- raising. Every other error (including timeouts and interruptions) is raised as it is.
function M.unless(codes, fn, params)
  local ok, res = pcall(fn, params)
  if ok then return res end
  if M.is(res, codes) then return nil, res end
  error(res, 0)
end

-- Calls fn(page) for each page of a paginated operation (op in snake_case, as the
-- operation's function is named: "list_objects_v2"), through the service's paginator.
function M.each_page(service, op, params, fn)
  local svc = M.client()[service]
  local pages = svc.pages(op, params or {})
  if type(pages) == "function" then
    for page in pages do fn(page) end
  else
    for _, page in ipairs(pages or {}) do fn(page) end
  end
end

-- Every element of the list field `field` across all pages, as one list.
function M.all(service, op, params, field)
  local out = {}
  M.each_page(service, op, params, function(page)
    for _, item in ipairs(M.list(page, field)) do out[#out + 1] = item end
  end)
  return out
end

-- A one-line message for any error value (AWS errors as "Code: message").
function M.message(err)
  if type(err) == "table" then
    if err.code and err.message then return ("%s: %s"):format(err.code, err.message) end
    if err.message then return tostring(err.message) end
  end
  return tostring(err)
end

-- The elements of a list-valued field of a (boto3-shaped) result, tolerating an absent
-- field: AWS omits empty lists on some protocols.
function M.list(result, field)
  if type(result) ~= "table" then return {} end
  local v = result[field]
  if type(v) ~= "table" then return {} end
  return v
end

return M
