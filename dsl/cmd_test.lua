-- `wfrun test WORKFLOW [PARAMS...] [--seed=WORLD] [--time-scale=N] [--junit=FILE] [--jobs=N]`:
-- proves every undo of a workflow on awssim. The success path runs first (and says which
-- calls each step made); then, each on a fresh simulator of its own and concurrently, a
-- fault in each step's first mutating call and in its wait (the run must roll back to the
-- seed's world), and a kill -9 in each step (resume must reach the success path's world,
-- rollback the seed's). docs/testing.md.
local sys = require "wf.sys"
local sh = require "wf.sh"
local interrupt = require "wf.interrupt"
local json = require "wf.json"
local errors = require "dsl.errors"
local loader = require "dsl.loader"
local params_mod = require "dsl.params"
local sim = require "dsl.sim"
local test_run = require "dsl.test_run"
local scenarios_mod = require "dsl.test_scenarios"
local pool = require "dsl.test_pool"
local report = require "dsl.test_report"

local M = {}

M.USAGE = [[
usage: wfrun test WORKFLOW.lua [PARAMS...] [--seed=WORLD] [--time-scale=N] [--junit=FILE]
                  [--jobs=N] [--step=NAME] [--run-timeout=DURATION] [--keep-files]

Runs the workflow on fresh local simulators (awssim) seeded with WORLD (default:
workflows/examples/seed.json) and checks, for every step, that its undo puts the world back:
  success   the run succeeds; its end world is recorded, and the calls each step made;
  fault     the step's first mutating call fails: exit 1, the world is the seed's;
  wait      the call the step polls while it waits fails: the same;
  kill      wfrun is killed -9 inside the step: resume reaches the success path's world,
            rollback (from a copy of the same moment) the seed's.
After the point of no return a fault must stop the run (exit 3) and resume finish it.
The world is compared by kind and id, ignoring timestamps and generated ids; what the
workflow declares in leaves_behind may remain after a rollback.

options:
  --seed=WORLD        the simulator's starting world (JSON or Lua, as awssim --seed takes)
  --time-scale=N      simulated time runs N times faster (default 600)
  --junit=FILE        JUnit XML of every scenario, for CI
  --jobs=N            scenarios at a time, each with its own awssim (default: the cores)
  --step=NAME         only the scenarios of this step (repeatable; the success path runs anyway)
  --run-timeout=DURATION  limit for one wfrun run of a scenario (default 10m)
  --keep-files        keep the work directory (runs' logs, journals, worlds) even when all pass

exit codes: 0 every scenario passed, 1 a scenario failed, 2 bad input.]]

local function core_count()
  local text = sys.read_file("/proc/cpuinfo") or ""
  local n = 0
  for _ in text:gmatch("\nprocessor%s*:") do n = n + 1 end
  if text:match("^processor%s*:") then n = n + 1 end
  return math.max(n, 1)
end

local function positive_integer(name, v)
  local n = tonumber(v)
  if not n or n < 1 or n ~= math.floor(n) then
    errors.raise_usage(("%s must be a whole number >= 1, not %q"):format(name, tostring(v)), M.USAGE)
  end
  return math.tointeger(n)
end

-- Takes wfrun test's own options out of words; the rest are the workflow and its params.
local function parse(opts, words)
  local own = { jobs = core_count(), timeout = 600 }
  local rest = {}
  local i = 1
  while i <= #words do
    local w = words[i]
    local name, value = w:match("^%-%-([%w-]+)=(.*)$")
    if not name then name = w:match("^%-%-([%w-]+)$") end
    if name == "jobs" or name == "run-timeout" or name == "worker" or name == "step" then
      if value == nil then
        i = i + 1
        value = words[i]
        if value == nil then errors.raise_usage(("--%s needs a value"):format(name), M.USAGE) end
      end
      if name == "jobs" then own.jobs = positive_integer("--jobs", value)
      elseif name == "worker" then own.worker = value
      elseif name == "step" then own.steps = own.steps or {}; own.steps[value] = true
      else
        local seconds, err = require("wf.args").convert("duration", value)
        if not seconds then errors.raise_usage("--run-timeout: " .. tostring(err), M.USAGE) end
        own.timeout = seconds
      end
    elseif name == "keep-files" and value == nil then
      own.keep = true
    else
      rest[#rest + 1] = w
    end
    i = i + 1
  end
  own.time_scale = opts.time_scale and positive_integer("--time-scale", opts.time_scale) or 600
  return own, rest
end

-- A worker: runs one scenario described by FILE and writes FILE.result.
local function worker(file)
  local text, err = sys.read_file(file)
  if not text then errors.raise_usage("--worker: " .. tostring(err)) end
  local job = json.decode(text)
  local results = test_run.scenario(job.t, job.scenario)
  sys.write_file(file .. ".result", json.encode(results))
  return 0
end

local function absolute(path)
  return sys.realpath(path) or path
end

local function say(fmt, ...)
  sys.write_stderr(("wfrun test: " .. fmt .. "\n"):format(...))
end

-- "autoscaling:SuspendProcesses, rds:CreateDBSnapshot x2": what a step changed.
local function summary_of(calls)
  local order, count = {}, {}
  for _, c in ipairs(calls) do
    if not count[c] then order[#order + 1] = c end
    count[c] = (count[c] or 0) + 1
  end
  local parts = {}
  for _, c in ipairs(order) do parts[#parts + 1] = count[c] > 1 and ("%s x%d"):format(c, count[c]) or c end
  return table.concat(parts, ", ")
end

function M.run(opts, words)
  if opts.help then
    sys.write_stdout(M.USAGE .. "\n")
    return 0
  end
  local own, rest = parse(opts, words)
  if own.worker then return worker(own.worker) end
  if not rest[1] then errors.raise_usage("wfrun test: no workflow given", M.USAGE) end

  local path = loader.find(rest[1])
  if not path then errors.raise_usage(("workflow %s not found"):format(rest[1])) end
  local spec = loader.load(path)
  local params = {}
  for i = 2, #rest do params[#params + 1] = rest[i] end
  params_mod.bind(spec, params)   -- bad params: exit 2 now, not in every scenario
  for name in pairs(own.steps or {}) do
    if not spec.step_by_name[name] then errors.raise_usage(("--step: the workflow has no step %q"):format(name), M.USAGE) end
  end
  local seed = sim.find_seed(opts.seed)
  if not seed then errors.raise_usage("wfrun test: no --seed given and no example seed found", M.USAGE) end

  local dir = ("%s/wfrun-test-%s-%s"):format(sys.getenv("TMPDIR") or "/tmp", spec.name, sys.random_hex(4))
  sys.mkdir_p(dir)
  local words_child = { absolute(path) }
  for _, p in ipairs(params) do words_child[#words_child + 1] = p end
  local t = {
    wfrun = sys.exe_path(), words = words_child, seed = absolute(seed), time_scale = own.time_scale,
    timeout = own.timeout, dir = dir, leaves_behind = spec.leaves_behind or {},
    seed_inventory = dir .. "/seed-inventory.json", success_inventory = dir .. "/success-inventory.json",
  }
  local t0 = interrupt.now()
  local title_words = table.concat(rest, " ")
  say("%s on awssim seeded with %s (time x%d), work dir %s", title_words, seed, own.time_scale, dir)

  local success = test_run.success(t)
  local results, notes = {}, {}
  if not success.ok then
    results[1] = { id = "success", step = "(success path)", scenario = "success", status = "fail",
                   message = success.message, journal = success.journal, log = success.log_tail,
                   seconds = success.seconds, dir = success.dir }
    sys.write_stdout(report.text(("wfrun test %s: the success path failed"):format(title_words), {}, results))
    if opts.junit then report.junit(opts.junit, spec.name, results, interrupt.now() - t0) end
    return 1
  end
  local list, profiles, order, ponr = scenarios_mod.build(spec, success.records, success.entries)
  if own.steps then
    local only = {}
    for _, s in ipairs(list) do if own.steps[s.step] then only[#only + 1] = s end end
    list = only
  end
  say("success path passed in %.1fs: %d steps, %d AWS calls; %d scenarios on %d job(s)", success.seconds,
    #order, #success.entries, #list, own.jobs)
  notes[#notes + 1] = ""
  notes[#notes + 1] = ("success path: passed in %.1fs, %d AWS calls%s. What each step changed:"):format(
    success.seconds, #success.entries, ponr and ("; point of no return: " .. ponr) or "")
  for _, name in ipairs(order) do
    local p = profiles[name]
    notes[#notes + 1] = ("  %-22s %s"):format(name, #p.mutating > 0 and summary_of(p.mutating)
      or (p.ncalls > 0 and "(only reads)" or "(no AWS call)"))
  end

  results = pool.run(t, list, own.jobs, function(res, done, total)
    for _, r in ipairs(res) do
      say("[%d/%d] %-28s %s (%.1fs)", done, total, r.id, r.status == "pass" and "pass" or "FAIL", r.seconds or 0)
    end
  end)
  local seconds = interrupt.now() - t0
  local failed = 0
  for _, r in ipairs(results) do if r.status ~= "pass" then failed = failed + 1 end end
  local title = ("wfrun test %s: %d scenario(s), %d failed, %.1fs"):format(title_words, #results, failed, seconds)
  sys.write_stdout(report.text(title, order, results, notes))
  if opts.junit then
    local all = { { id = "success", step = "(success path)", scenario = "success", status = "pass",
                    seconds = success.seconds } }
    for _, r in ipairs(results) do all[#all + 1] = r end
    report.junit(opts.junit, spec.name, all, seconds)
  end
  if failed == 0 and not own.keep then
    sh.run { "rm", "-rf", dir, check = false, quiet = true }
  else
    say("the runs' logs, journals and worlds are in %s", dir)
  end
  return failed == 0 and 0 or 1
end

return M
