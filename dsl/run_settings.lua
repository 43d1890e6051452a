-- A run's AWS connection settings: what `run_started` records (region, profile name,
-- endpoint URL, or that the run was on the simulator; never credentials) and how resume
-- and rollback reuse them, so a resumed run cannot quietly talk to another region or
-- account. The rule (docs/cli.md, "Resume and rollback keep the run's AWS settings"):
-- a setting not given on the command line is the recorded one; one given and different
-- is refused (exit 2) naming both values, unless --force.
local caws = require "wf.aws"
local clog = require "wf.log"
local sys = require "wf.sys"
local errors = require "dsl.errors"

local M = {}

local function env(name)
  local v = sys.getenv(name)
  if v and v ~= "" then return v end
end

-- url without userinfo, query and fragment (they may carry secrets), and whether that
-- took anything away.
function M.clean_endpoint(url)
  if not url then return nil, false end
  local clean = url:gsub("[?#].*$", "")
  clean = clean:gsub("^(%a[%w+.-]*://)[^/@]*@", "%1")
  return clean, clean ~= url
end

-- The client's resolved region and profile (wf.aws.settings); nil when the configuration
-- cannot be read (the first call will say why) or the binary predates settings().
local function resolved()
  if not caws.settings then return nil end
  local ok, s = pcall(caws.settings)
  if ok then return s end
end

-- path made absolute (it may not exist yet: its directory's real path and its name).
local function absolute(path)
  local real = sys.realpath(path)
  if real then return real end
  local dir, name = path:match("^(.*)/([^/]*)$")
  local real_dir = sys.realpath(dir or ".")
  if real_dir then return real_dir .. "/" .. (name or path) end
  return path
end

-- What the run_started record keeps: the effective settings of this process.
function M.current(opts)
  local s = resolved() or {}
  local region = opts.region or s.region or env("AWS_REGION") or env("AWS_DEFAULT_REGION")
  local profile = opts.profile or (s.profile_explicit and s.profile) or env("AWS_PROFILE")
  if opts.on_sim then
    -- The simulator's port changes every time: only its world (--sim-state) can be found again.
    return { sim = true, region = region, sim_state = opts.sim_state and absolute(opts.sim_state) }
  end
  local endpoint, partial = M.clean_endpoint(opts.endpoint_url or env("AWS_ENDPOINT_URL"))
  return { region = region, profile = profile, endpoint_url = endpoint, endpoint_url_partial = partial or nil }
end

local function refuse(lines)
  errors.raise_usage(table.concat(lines, "\n       "))
end

local function sim_refusal(run_id, rec, verb)
  local state_hint = rec.sim_state and ("--sim-state=" .. rec.sim_state) or "--sim-state=FILE"
  local lines = {
    ("run %s ran on the simulator (--sim); it will not be %s against real AWS"):format(run_id,
      verb == "rollback" and "rolled back" or "resumed"),
    ("use the same simulated world: wfrun --sim %s %s %s"):format(state_hint, verb, run_id),
    ("or a simulator that is still running: wfrun --endpoint-url=URL %s %s"):format(verb, run_id),
  }
  if not rec.sim_state then
    lines[#lines + 1] = "(the run kept no --sim-state file, so its world is gone unless a simulator still serves it)"
  end
  refuse(lines)
end

-- Checks the command line's settings against the recorded ones (rec: run_started.settings)
-- and reconfigures the AWS client with the recorded ones where none was given. Raises a
-- usage error (exit 2) on a conflict without force; verb ("resume", "rollback") goes in
-- the messages. Journals without settings (older
-- runs) keep today's behaviour.
function M.reuse(run_id, rec, opts, force, verb)
  verb = verb or "resume"
  if type(rec) ~= "table" then return end
  if rec.sim then
    if not ((opts.on_sim and opts.sim_state) or opts.endpoint_url) then sim_refusal(run_id, rec, verb) end
  end
  local names = { region = "--region", profile = "--profile", endpoint_url = "--endpoint-url" }
  local conflicts = {}
  if opts.on_sim and not rec.sim then
    conflicts[#conflicts + 1] = ("--sim, but run %s ran against %s"):format(run_id, rec.endpoint_url or "AWS")
  end
  for _, key in ipairs { "region", "profile", "endpoint_url" } do
    local given, recorded = opts[key], rec[key]
    if key == "endpoint_url" and given then given = M.clean_endpoint(given) end
    if given and recorded and given ~= recorded then
      conflicts[#conflicts + 1] = ("%s=%s, but run %s used %s"):format(names[key], given, run_id, recorded)
    end
  end
  if #conflicts > 0 then
    if not force then
      conflicts[#conflicts + 1] = "leave the option out to use the run's own value, or pass --force to override it"
      refuse(conflicts)
    end
    for _, c in ipairs(conflicts) do clog.warn(c .. " (--force: using the command line's)") end
  end
  if rec.endpoint_url_partial and not opts.endpoint_url and not rec.sim then
    refuse({ ("run %s used an endpoint URL with user info or a query that was not recorded (%s...)")
      :format(run_id, tostring(rec.endpoint_url)), "pass it again with --endpoint-url=URL" })
  end
  local changed = false
  for _, key in ipairs { "region", "profile", "endpoint_url" } do
    local skip = key == "endpoint_url" and rec.sim   -- the simulator's address is the new one
    if opts[key] == nil and rec[key] ~= nil and not skip then
      opts[key] = rec[key]
      changed = true
      clog.info(("using run %s's %s %s"):format(run_id, names[key], rec[key]))
    end
  end
  if changed then
    require("dsl.aws").configure { profile = opts.profile, region = opts.region,
                                   endpoint_url = opts.endpoint_url, verbose = opts.verbose or false }
  end
end

-- Takes a bare --force out of a resume/rollback's extra words (they are the workflow's
-- parameters otherwise). Returns the words left and whether --force was there.
function M.take_force(words)
  local left, force = {}, false
  for _, w in ipairs(words or {}) do
    if w == "--force" then force = true else left[#left + 1] = w end
  end
  return left, force
end

return M
