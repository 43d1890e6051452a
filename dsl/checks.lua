-- What a run proved, for CI: the outcome of its verification steps (step field
-- `verify = true`) and the checks recorded while any step ran (smoke tests, data
-- comparisons: stdlib/check.lua), written as JUnit XML by --junit; and, when the log is
-- TeamCity's, a build statistic with each step's duration.
--
-- The executor calls begin(r) when it takes a run and step_end(...) after every attempt
-- of a step; main.lua calls prepare_junit before run, resume, rollback and apply, and
-- finish_junit after them.
local clog = require "wf.log"
local interrupt = require "wf.interrupt"
local sys = require "wf.sys"
local junit = require "dsl.junit"

local M = {}

local runs = {}         -- live runs of this process, in order
local attempts = {}     -- [run][step name] = { outcome, seconds, message, checks }
local pending = {}      -- checks recorded since the last step ended

function M.begin(r)
  if not attempts[r] then
    runs[#runs + 1] = r
    attempts[r] = {}
  end
end

-- A check made by the step that is running: name (what was checked), ok, detail (why it
-- failed, or what it saw), seconds it took.
function M.record(name, ok, detail, seconds)
  pending[#pending + 1] = { name = tostring(name), ok = ok and true or false,
                            detail = detail and tostring(detail) or nil, seconds = seconds or 0 }
end

-- After one attempt of step of run r: outcome "succeeded" or "failed", its duration, the
-- error message when it failed.
function M.step_end(r, step, outcome, seconds, message)
  if clog.format() == "teamcity" then
    clog.statistic(("wfrun.step.%s.seconds"):format(step.name), math.floor(seconds * 1000 + 0.5) / 1000)
  end
  M.begin(r)
  attempts[r][step.name] = { outcome = outcome, seconds = seconds, message = message, checks = pending }
  pending = {}
end

local function first_line(s) return (tostring(s):match("^[^\n]*")) end

-- The JUnit suite of run r: one case per verification step (passed, failed, or skipped
-- when it did not run), then one per recorded check, named "<step>: <check>".
local function suite_of(r)
  local cases = {}
  local seen = attempts[r] or {}
  for _, step in ipairs(r.spec.order) do
    local a = seen[step.name]
    if step.verify then
      local c = { classname = r.spec.name, name = step.name, time = a and a.seconds or 0 }
      local s = r.steps[step.name] or {}
      if a and a.outcome == "failed" then
        c.failure = { message = first_line(a.message), type = "verification failed", text = a.message }
      elseif a and a.outcome == "succeeded" then
        c.system_out = step.doc
      elseif s.status == "succeeded" then
        c.system_out = "passed in an earlier attempt of run " .. tostring(r.id)
      elseif s.status == "skipped" then
        c.skipped = "skipped: its when condition was false"
      else
        c.skipped = "not run"
      end
      cases[#cases + 1] = c
    end
    for _, chk in ipairs(a and a.checks or {}) do
      local c = { classname = r.spec.name .. "." .. step.name, name = chk.name, time = chk.seconds,
                  system_out = chk.ok and chk.detail or nil }
      if not chk.ok then
        c.failure = { message = first_line(chk.detail or "failed"), type = "check failed", text = chk.detail }
      end
      cases[#cases + 1] = c
    end
  end
  local elapsed = interrupt.now() - (r.started or interrupt.now())
  return {
    name = r.spec.name, timestamp = sys.iso8601(interrupt.wall() - elapsed), hostname = sys.hostname(),
    time = elapsed,
    properties = { { "run_id", r.id }, { "workflow_file", r.spec.file } },
    cases = cases,
  }
end

local junit_path

-- Before a command whose runs --junit reports: fails early (exit 2, before anything
-- runs) when path cannot be written, clears a stale file of an earlier build, and
-- remembers path for finish_junit.
function M.prepare_junit(path)
  junit.write(path, {}, { name = "wfrun" })
  junit_path = path
end

-- At the end of the command, whatever its outcome: writes the JUnit file prepared for the
-- runs of this process. Returns true, or false and a message.
function M.finish_junit()
  if not junit_path then return true end
  local suites = {}
  for _, r in ipairs(runs) do suites[#suites + 1] = suite_of(r) end
  local ok, err = pcall(junit.write, junit_path, suites, { name = "wfrun" })
  if not ok then return false, clog.sanitize(require("dsl.errors").message(err)) end
  return true
end

return M
