-- What step bodies call: sh, wait, log, json (and later aws), wrapped so that plan mode
-- records mutating calls instead of making them and waits return at once. Each
-- primitive is registered as mutating or read-only here, in one place.
local csh = require "wf.sh"
local cwait = require "wf.wait"
local clog = require "wf.log"
local json = require "wf.json"
local chttp = require "wf.http"
local re = require "wf.re"

local M = {}

-- The active mode: "run" or "plan"; in plan mode `recorder` receives the calls.
local active = { mode = "run", recorder = nil }

function M.set_mode(mode, recorder)
  active.mode, active.recorder = mode, recorder
end

function M.planning() return active.mode == "plan" end

-- The mode itself, for per-call paths that test `active.mode == "plan"` inline instead of
-- calling planning() (dsl/aws.lua's operations). Read it, never write it.
M.active = active

-- Wraps fn(args) as primitive `name`; is_mutating(args) decides per call, placeholder
-- builds the value a planned call returns.
function M.wrap(name, fn, is_mutating, placeholder)
  return function(a, ...)
    if active.mode == "plan" then
      local mutating = is_mutating(a)
      local result = active.recorder:record(name, a, mutating, placeholder)
      if mutating then return result end
    end
    return fn(a, ...)
  end
end

local function always(_) return true end

local function sh_mutating(a)
  return not (type(a) == "table" and a.readonly)
end

local sh = {
  run = M.wrap("sh.run", csh.run, sh_mutating, function(ref)
    return { code = 0, stdout = "<" .. ref .. ".stdout>", stderr = "", planned = true }
  end),
}

local wait = {
  -- In plan mode a wait is listed and returns at once: nothing it waits for exists yet.
  poll = function(a)
    if active.mode == "plan" then
      active.recorder:record("wait.poll", { what = type(a) == "table" and a.what or nil,
        timeout = type(a) == "table" and a.timeout or nil }, false)
      return true
    end
    return cwait.poll(a)
  end,
  seconds = function(n)
    if active.mode == "plan" then return end
    return cwait.seconds(n)
  end,
}

local function never(_) return false end

-- Workflows only read over plain HTTP (smoke tests): method and body are for wfrun's own
-- use (`wfrun test` driving awssim), so a plan can trust http.get to change nothing.
local function http_get(a)
  if type(a) == "table" and (a.method ~= nil or a.body ~= nil) then
    error("http.get takes no method or body: it only reads", 2)
  end
  return chttp.get(a)
end

local http = {
  get = M.wrap("http.get", http_get, never),
}

local function log_fn(level)
  return function(...)
    local parts = {}
    for i = 1, select("#", ...) do parts[i] = tostring((select(i, ...))) end
    clog[level](table.concat(parts, " "))
  end
end

local log = { debug = log_fn("debug"), info = log_fn("info"), warn = log_fn("warn"), error = log_fn("error") }

-- The read-only tables a workflow sees (their C functions stay out of reach).
M.public = {
  sh = sh,
  wait = wait,
  log = log,
  json = { encode = json.encode, decode = json.decode, null = json.null, array = json.array },
  http = http,
  re = { test = re.test, match = re.match, find = re.find },
  print = log_fn("info"),
}

-- Registration table for docs and plans: name -> mutating ("yes", "no", or "unless readonly").
M.registry = {
  ["sh.run"] = "unless readonly = true",
  ["wait.poll"] = "no",
  ["wait.seconds"] = "no",
  ["http.get"] = "no",
}

M.always = always
return M
