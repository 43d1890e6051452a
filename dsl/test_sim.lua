-- `wfrun test`: one awssim per scenario (as `wfrun --sim` starts it: 127.0.0.1:0, the
-- seed, a time scale), and the control requests the scenarios make of it.
local sys = require "wf.sys"
local http = require "wf.http"
local json = require "wf.json"
local sim = require "dsl.sim"

local M = {}

local Sim = {}
Sim.__index = Sim

-- opts: seed (file), time_scale, state (file: --state, for saving the world), faults (list
-- of rule tables). Raises when awssim does not start.
function M.start(opts)
  local argv = { sim.find_awssim(), "--listen", "127.0.0.1:0", "--time-scale", tostring(opts.time_scale) }
  if opts.seed then argv[#argv + 1] = "--seed"; argv[#argv + 1] = opts.seed end
  if opts.state then argv[#argv + 1] = "--state"; argv[#argv + 1] = opts.state end
  for _, rule in ipairs(opts.faults or {}) do
    argv[#argv + 1] = "--fault"
    argv[#argv + 1] = json.encode(rule)
  end
  local pid, url = sys.spawn_service(argv)
  return setmetatable({ pid = pid, url = (url:gsub("%s+$", "")) }, Sim)
end

function Sim:stop()
  if self.pid then sys.stop_service(self.pid) end
  self.pid = nil
end

-- A simulator whose world is no longer needed: no saving, no waiting for a clean stop.
function Sim:kill()
  if self.pid then
    sys.signal(self.pid, "KILL")
    sys.wait(self.pid, true)
  end
  self.pid = nil
end

local function control(self, method, path, body)
  local res = http.get { url = self.url .. "/_awssim/" .. path, method = method,
                         body = body and json.encode(body) or nil, timeout = 60,
                         headers = body and { ["Content-Type"] = "application/json" } or nil }
  if res.status >= 300 then
    error(("awssim %s /_awssim/%s: HTTP %d: %s"):format(method, path, res.status, res.body), 0)
  end
  return res.body
end

-- The world once every transition due within a simulated day has happened (a rollback's
-- terminating instance is terminated), decoded.
function Sim:settled_inventory()
  local inv = json.decode(control(self, "GET", "inventory"))
  if (inv.pending_transitions or 0) == 0 then return inv end
  control(self, "POST", "clock", { advance = 86400 })
  return json.decode(control(self, "GET", "inventory"))
end

function Sim:inventory() return json.decode(control(self, "GET", "inventory")) end

-- Request log entries with seq > since, decoded.
function Sim:requests(since)
  local text = control(self, "GET", "requests" .. (since and ("?since=" .. since) or ""))
  local out = {}
  for line in text:gmatch("[^\n]+") do out[#out + 1] = json.decode(line) end
  return out
end

function Sim:faults() return json.decode(control(self, "GET", "faults")) end
function Sim:clear_faults() control(self, "DELETE", "faults") end
function Sim:save() control(self, "POST", "save") end

return M
