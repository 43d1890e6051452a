-- How fast waits go: a wait's poll interval and timeout, as given, or divided by
-- $WFRUN_TIME_SCALE when the world runs faster than real time (awssim --time-scale N), so
-- that a workflow tried on the simulator polls as often, in simulated time, as it will
-- against AWS, and its timeouts mean the same simulated durations.
--
--   local pace = require "stdlib.pace"
--   wait.poll { what = "...", every = pace.every("15s"), timeout = pace.timeout("50m"), check = ... }
local args = require "wf.args"
local sys = require "wf.sys"

local M = {}

M.MIN_EVERY = 0.05   -- seconds: never poll faster than this

local function seconds(d)
  if d == nil then return nil end
  if type(d) == "number" then return d end
  local v, err = args.convert("duration", d)
  if not v then error(("not a duration: %s (%s)"):format(tostring(d), tostring(err)), 3) end
  return v
end

-- The time scale: how many simulated seconds pass per real second (1 against AWS).
function M.scale()
  local s = tonumber(sys.getenv("WFRUN_TIME_SCALE") or "")
  if not s or s <= 0 then return 1 end
  return s
end

-- A poll interval (duration text or seconds) in real seconds.
function M.every(d)
  local v = seconds(d)
  if v == nil then return nil end
  return math.max(v / M.scale(), M.MIN_EVERY)
end

-- A timeout (duration text or seconds) in real seconds.
function M.timeout(d)
  local v = seconds(d)
  if v == nil then return nil end
  return v / M.scale()
end

-- A copy of wait.poll's options with timeout, every and max_every scaled.
function M.poll(opts)
  local out = {}
  for k, v in pairs(opts) do out[k] = v end
  out.timeout = M.timeout(opts.timeout)
  out.every = M.every(opts.every)
  out.max_every = M.every(opts.max_every)
  return out
end

-- Waiter options for aws.<service>.wait: { timeout =, every = } scaled.
function M.waiter(timeout, every)
  return { timeout = M.timeout(timeout), every = M.every(every) }
end

return M
