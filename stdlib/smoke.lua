-- Smoke tests: an HTTP GET of a URL that must answer with the expected status (and,
-- optionally, contain a text), tried a few times before it counts as failed.
--
--   local smoke = require "stdlib.smoke"
--   smoke.check { url = "https://qa.api.example.com/health", status = 200, attempts = 20, every = "15s" }
--
-- Uses the `http.get` primitive (read-only, so a dry run makes the request for real when
-- the URL exists; a URL the plan has not really created is only listed).
local awscall = require "stdlib.awscall"
local check = require "stdlib.check"
local interrupt = require "wf.interrupt"
local primitives = require "dsl.primitives"
local pace = require "stdlib.pace"

local M = {}

local function log() return primitives.public.log end

-- Why one answer does not pass (pure): nil when it does, else a reason.
function M.verdict(answer, want_status, contains)
  if answer.status ~= want_status then
    return ("status %s, expected %s"):format(tostring(answer.status), tostring(want_status))
  end
  if contains and not tostring(answer.body or ""):find(contains, 1, true) then
    return ("the body does not contain %q"):format(contains)
  end
  return nil
end

-- GETs opts.url until it answers opts.status (default 200) and contains opts.contains
-- (when given); opts.attempts (default 20) tries, opts.every (default "15s") apart, each
-- limited to opts.timeout (default "10s"). Returns the passing answer { status, body,
-- headers }; the error names the URL, the attempts and the last problem.
function M.check(opts)
  assert(type(opts) == "table" and opts.url, "smoke.check{ url = }")
  local http = primitives.public.http
  local wait = primitives.public.wait
  local want = opts.status or 200
  local attempts = opts.attempts or 20
  if awscall.planning() and awscall.is_placeholder(opts.url) then
    log().info(("(plan) would GET %s and expect %d"):format(tostring(opts.url), want))
    return { status = want, body = "", headers = {}, planned = true }
  end
  local timeout = opts.timeout or "10s"
  if type(timeout) == "string" then timeout = require("wf.args").convert("duration", timeout) end
  local t0 = interrupt.now()
  local case = "smoke test GET " .. tostring(opts.url)   -- the test case of --junit
  local last
  for attempt = 1, attempts do
    local ok, answer = pcall(http.get, { url = opts.url, timeout = timeout, headers = opts.headers })
    if ok then
      last = M.verdict(answer, want, opts.contains)
      if not last then
        log().info(("smoke test passed: GET %s -> %d (attempt %d)"):format(opts.url, answer.status, attempt))
        check.record(case, true, ("status %d (attempt %d)"):format(answer.status, attempt), interrupt.now() - t0)
        return answer
      end
    else
      -- interruptions and step timeouts end the test at once
      if type(answer) == "table" and (answer.kind == "interrupted" or answer.kind == "timeout") then
        check.record(case, false, awscall.message(answer), interrupt.now() - t0)
        error(answer, 0)
      end
      -- the primitive's own "file:line: http.get URL: " prefix says nothing new here
      last = awscall.message(answer):gsub("^[^%s:]*%.lua:%d+: ", ""):gsub("^http%.get %S+: ", ""):gsub("^GET %S+: ", "")
    end
    if attempt < attempts then
      log().info(("smoke test of %s: %s; trying again (%d of %d)"):format(opts.url, last, attempt, attempts))
      wait.seconds(pace.every(opts.every or "15s"))
    end
  end
  local why = ("%s (after %d attempt(s))"):format(tostring(last), attempts)
  check.record(case, false, why, interrupt.now() - t0)
  error(("smoke test failed: GET %s: %s"):format(opts.url, why), 0)
end

return M
