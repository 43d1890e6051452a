-- `wfrun test`: the workflow under test runs as a child wfrun process, pointed at one
-- scenario's awssim with the simulator's test credentials and a state dir of its own.
local sys = require "wf.sys"
local interrupt = require "wf.interrupt"
local journal = require "wf.journal"
local state = require "dsl.state"

local M = {}

-- The environment of a child: awssim's well-known test keys (never real ones), no
-- profile, no other endpoint, stdlib waits in simulated time, smoke tests pointed at the
-- simulator, a state of its own: a test can never reach a real account.
function M.env(url, time_scale)
  return {
    "AWS_ACCESS_KEY_ID=testing", "AWS_SECRET_ACCESS_KEY=testing", "AWS_SESSION_TOKEN", "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE", "AWS_ENDPOINT_URL", "AWS_REGION=us-east-1", "AWS_EC2_METADATA_DISABLED=true",
    "AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null",
    "AWS_ENDPOINT_URL_EC2", "AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL_RDS", "AWS_ENDPOINT_URL_AUTO_SCALING",
    "AWS_ENDPOINT_URL_CLOUDFORMATION", "AWS_ENDPOINT_URL_SSM", "AWS_ENDPOINT_URL_STS",
    "WFRUN_TIME_SCALE=" .. tostring(time_scale), "WFRUN_SIM_URL=" .. url, "WFRUN_API_PUBLIC_URL",
    "TEAMCITY_VERSION", "WFRUN_STATE_DIR", "WFRUN_STATE",
  }
end

-- Starts `wfrun --endpoint-url URL --state-dir DIR --yes WORDS...`; its output goes to log.
-- Returns the pid.
function M.spawn(t, url, state_dir, words, log)
  local argv = { t.wfrun, "--endpoint-url", url, "--state-dir", state_dir, "--yes" }
  for _, w in ipairs(words) do argv[#argv + 1] = w end
  -- A rollback may run on a copy of the world, a simulator on another port than the one
  -- the killed run recorded: --force lets that endpoint differ (dsl/run_settings.lua).
  if words[1] == "resume" or words[1] == "rollback" then argv[#argv + 1] = "--force" end
  sys.mkdir_p(state_dir)
  sys.write_file(log, ("$ wfrun %s\n"):format(table.concat(words, " ")))
  argv.stdout, argv.stderr, argv.env = log, log, M.env(url, t.time_scale)
  return sys.spawn(argv)
end

-- Waits for pid up to timeout seconds; the exit code, or nil after killing it (-9).
function M.wait(pid, timeout)
  local deadline = interrupt.now() + timeout
  while true do
    local code = sys.wait(pid)
    if code then return code end
    if interrupt.now() > deadline then
      sys.signal(pid, "KILL")
      sys.wait(pid, true)
      return nil
    end
    interrupt.sleep(0.05)
  end
end

-- Runs a child to its end: the exit code, or nil when it timed out.
function M.run(t, url, state_dir, words, log)
  return M.wait(M.spawn(t, url, state_dir, words, log), t.timeout)
end

-- The only run in a child's state dir: its id and journal records (empty before it starts).
function M.run_of(state_dir)
  local ids = state.list_runs(state_dir)
  if not ids or not ids[1] then return nil, {} end
  local path = state.journal_path(state_dir, ids[1])
  if sys.exists(path) ~= "file" then return ids[1], {} end
  local ok, records = pcall(journal.read, path)
  return ids[1], ok and records or {}
end

-- The last lines of a child's log, for reports.
function M.log_tail(log, n)
  local ok, text = pcall(sys.read_file, log)
  if not ok or not text then return {} end
  local lines = {}
  for line in text:gmatch("[^\n]+") do lines[#lines + 1] = line end
  local out = {}
  for i = math.max(1, #lines - n + 1), #lines do out[#out + 1] = lines[i] end
  return out
end

return M
