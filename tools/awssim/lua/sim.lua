-- The simulator's Lua face: the dispatcher the C server calls (handle, is_mutating, seed,
-- inventory, app_health, dump, restore, reset) and the helpers resource models use (now,
-- error, time formats, hashes). A resource model is lua/services/<service>.lua:
--
--   local sim = require "sim"
--   local world = require "world"
--   local M = { ops = {}, hooks = {} }
--   function M.ops.DescribeThings(params, ctx) return { Things = ... } end
--   function M.seed(section) ... end            -- the seed file's "<service>" value
--   M.readonly = { ValidateTemplate = true }    -- optional: see sim.is_mutating
--   return M
--
-- params and results use boto3's shapes (tools/awssim/codec.h); errors are raised with
-- sim.error(code, message, status).
local simcore = require "simcore"
local world = require "world"
local json = require "wf.json"

local sim = {}

local config = { region = "us-east-1", account = "000000000000", services = {} }
local modules = {}   -- service name -> module table, or false when there is none

-- ---- helpers for resource models ------------------------------------------------------

sim.now = world.now                    -- sim epoch seconds (float)
sim.iso8601 = simcore.iso8601          -- epoch -> "2024-05-01T12:00:00.000Z"
sim.http_date = simcore.http_date      -- epoch -> "Wed, 01 May 2024 12:00:00 GMT"
sim.parse_time = simcore.parse_time    -- AWS timestamp text -> epoch, or nil
sim.md5_hex = simcore.md5_hex
sim.md5 = simcore.md5
sim.sha256_hex = simcore.sha256_hex
sim.base64_encode = simcore.base64_encode
sim.base64_decode = simcore.base64_decode
sim.random_hex = simcore.random_hex
sim.uuid = simcore.uuid
sim.log = simcore.log
sim.array = json.array                 -- marks a table as a list (for empty lists)
sim.null = json.null

-- Raises an AWS error: the client gets `code` with `message` and HTTP `status` (400).
function sim.error(code, message, status)
  error({ code = code, message = message or "", status = status or 400 }, 2)
end

-- The settings the simulator started with: region, account (of the first credentials),
-- services (the names of the embedded models).
function sim.config()
  return config
end

-- ---- dispatch -------------------------------------------------------------------------

-- services.<name>, or nil when awssim has no model for it. A model that fails to load is
-- a bug and raises.
local function service_module(name)
  local m = modules[name]
  if m == nil then
    local ok, mod = pcall(require, "services." .. name)
    if ok then
      m = mod
    elseif tostring(mod):find("module 'services." .. name .. "' not found", 1, true) then
      m = false
    else
      error(mod, 0)
    end
    modules[name] = m
  end
  return m or nil
end
sim.service_module = service_module

-- "ec2.instance_running" -> services.ec2.hooks.instance_running
local function resolve_hook(name)
  local service, fn = name:match("^([%w_]+)%.([%w_]+)$")
  local mod = service and service_module(service)
  local hook = mod and mod.hooks and mod.hooks[fn]
  if not hook then error("awssim: no hook " .. name, 0) end
  return hook
end

function sim.init(cfg)
  config = cfg
  world.hook_resolver = resolve_hook
end

-- One AWS call. ctx: request_id, service, operation, region, account, access_key,
-- method, path, query, host, bucket (virtual-hosted S3), headers (lower-case names),
-- now, payload_in / payload_out (the blob payload member, see codec.h). Returns the
-- result table and, when the operation has a blob payload, the payload bytes apart.
function sim.handle(service, operation, params, ctx)
  world.advance(simcore.now())
  local mod = service_module(service)
  local fn = mod and mod.ops and mod.ops[operation]
  if not fn then
    sim.error("NotImplemented", ("awssim does not implement %s:%s yet"):format(service, operation),
              501)
  end
  local result = fn(params, ctx)
  if result == nil then result = {} end
  local member = ctx.payload_out
  if member and type(result) == "table" and result[member] ~= nil then
    local copy = {}
    for k, v in pairs(result) do
      if k ~= member then copy[k] = v end
    end
    return copy, result[member]
  end
  return result
end

-- The temporary credentials of an access key awssim was not started with, issued by a
-- model (sts AssumeRole: services.sts.credentials), or nil. The server's SigV4 check asks
-- this; the answer is {secret, token, account, expired, ...}.
function sim.credentials(access_key)
  local sts = service_module("sts")
  if sts and sts.credentials then return sts.credentials(access_key) end
  return nil
end

local READ_PREFIXES = { "Describe", "List", "Get", "Head", "Validate" }

-- service -> operation -> mutating, from the engine's registry (dsl/aws_registry.lua,
-- generated from the models): the same answer wfrun's plan mode uses.
local registry
local function registry_says(service, operation)
  if registry == nil then
    registry = {}
    local ok, reg = pcall(require, "dsl.aws_registry")
    if ok and type(reg) == "table" then
      for svc, ops in pairs(reg) do
        registry[svc] = {}
        for _, o in ipairs(ops) do registry[svc][o.op] = o.mutating end
      end
    end
  end
  return registry[service] and registry[service][operation]
end

-- Whether the operation changes the world (the request log's "mutating"). The model's
-- readonly / mutating tables decide first, then the engine's registry; otherwise names
-- starting with Describe, List, Get, Head or Validate only read.
function sim.is_mutating(service, operation)
  local mod = service_module(service)
  if mod then
    if mod.readonly and mod.readonly[operation] then return false end
    if mod.mutating and mod.mutating[operation] then return true end
  end
  local known = registry_says(service, operation)
  if known ~= nil then return known end
  for _, p in ipairs(READ_PREFIXES) do
    if operation:sub(1, #p) == p then return false end
  end
  return true
end

-- ---- the world as a whole ---------------------------------------------------------------

-- Services seed in this order (later ones may refer to earlier ones' resources); others
-- follow alphabetically.
local SEED_ORDER = { "sts", "ec2", "s3", "rds", "autoscaling", "ssm", "cloudformation" }

-- Adds a seed document: {"world": {"salt": ...}, "<service>": <that model's seed>, ...}.
function sim.seed(doc)
  if type(doc) ~= "table" then error("a seed is a JSON object", 0) end
  local names, seen = {}, {}
  for _, n in ipairs(SEED_ORDER) do
    if doc[n] ~= nil then names[#names + 1] = n; seen[n] = true end
  end
  local rest = {}
  for k in pairs(doc) do
    if type(k) ~= "string" then error("keys are service names", 0) end
    if not seen[k] and k ~= "world" then rest[#rest + 1] = k end
  end
  table.sort(rest)
  for _, n in ipairs(rest) do names[#names + 1] = n end
  if type(doc.world) == "table" and doc.world.salt then world.set_salt(doc.world.salt) end
  for _, name in ipairs(names) do
    local mod = service_module(name)
    if not mod then error(("unknown service \"%s\""):format(name), 0) end
    if not mod.seed then error(("services.%s takes no seed"):format(name), 0) end
    mod.seed(doc[name])
  end
end

function sim.inventory()
  world.advance(simcore.now())
  return world.inventory()
end

-- GET /_awssim/apps/<name>/health: app_health.lua.
function sim.app_health(name)
  world.advance(simcore.now())
  return require("app_health").of(name)
end

function sim.dump()
  world.advance(simcore.now())
  return world.dump()
end

function sim.restore(t)
  world.restore(t)
end

function sim.reset()
  world.reset()
end

return sim
