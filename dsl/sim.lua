-- `wfrun --sim ...`: runs a command against a fresh local AWS simulator (awssim) on a free
-- loopback port, seeded with a starting world, and stops it afterwards.
local sys = require "wf.sys"
local clog = require "wf.log"
local errors = require "dsl.errors"

local M = {}

local function dirname(p) return (p:gsub("/[^/]*$", "")) end

-- awssim: $WFRUN_AWSSIM, beside the wfrun binary, or on PATH.
function M.find_awssim()
  local env = sys.getenv("WFRUN_AWSSIM")
  if env and env ~= "" then return env end
  local exe = sys.exe_path()
  if exe then
    local beside = dirname(exe) .. "/awssim"
    if sys.exists(beside) == "file" then return beside end
  end
  return "awssim"
end

-- The example world: --seed, else workflows/examples/seed.json from the source tree (a
-- build directory sits inside it) or from the share directories (dsl/paths.lua).
function M.find_seed(explicit)
  if explicit then
    if sys.exists(explicit) ~= "file" then errors.raise_usage("--seed: no such file " .. explicit) end
    return explicit
  end
  local paths = require "dsl.paths"
  local candidates = {}
  local src = paths.source_workflows()
  if src then candidates[#candidates + 1] = src .. "/examples/seed.json" end
  for _, share in ipairs(paths.share_dirs()) do
    candidates[#candidates + 1] = share .. "/workflows/examples/seed.json"
  end
  for _, c in ipairs(candidates) do
    if sys.exists(c) == "file" then return c end
  end
  return nil
end

-- Starts awssim and points this process's AWS configuration at it. Returns a stop function.
function M.start(opts)
  local argv = { M.find_awssim(), "--listen", "127.0.0.1:0", "--time-scale", tostring(opts.time_scale or 60) }
  local seed = M.find_seed(opts.seed)
  if seed then
    argv[#argv + 1] = "--seed"
    argv[#argv + 1] = seed
  end
  if opts.sim_state then
    argv[#argv + 1] = "--state"
    argv[#argv + 1] = opts.sim_state
  end
  local ok, pid, url = pcall(sys.spawn_service, argv)
  if not ok then errors.raise_usage("--sim: " .. errors.message(pid)) end
  url = url:gsub("%s+$", "")
  -- The simulator's well-known test credentials; never real ones.
  sys.setenv("AWS_ENDPOINT_URL", url)
  sys.setenv("WFRUN_SIM_URL", url)   -- components point smoke tests at awssim's health page
  sys.setenv("AWS_ACCESS_KEY_ID", "testing")
  sys.setenv("AWS_SECRET_ACCESS_KEY", "testing")
  sys.setenv("AWS_SESSION_TOKEN", nil)
  sys.setenv("AWS_PROFILE", nil)
  sys.setenv("AWS_REGION", sys.getenv("AWS_REGION") or "us-east-1")
  sys.setenv("AWS_EC2_METADATA_DISABLED", "true")
  -- stdlib waits poll faster when simulated time runs faster.
  sys.setenv("WFRUN_TIME_SCALE", tostring(opts.time_scale or 60))
  opts.on_sim = true   -- the run records that it ran on the simulator (dsl/run_settings.lua)
  clog.info(("simulator awssim at %s%s"):format(url, seed and (" seeded from " .. seed) or ""))
  return function() sys.stop_service(pid) end
end

return M
