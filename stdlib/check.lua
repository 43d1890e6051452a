-- Checks a workflow reports to CI: each one becomes a test case of `wfrun --junit FILE`
-- ("<step>: <name>" under the step that made it), passed or failed with its detail.
--
--   local check = require "stdlib.check"
--   check.that("bucket copy complete", #missing == 0, #missing .. " object(s) missing")
--   check.record("disk space", free > 10e9, ("%d GB free"):format(free // 1e9))
--
-- smoke.check and environment.verify_data record theirs already.
local checks = require "dsl.checks"

local M = {}

-- Records a check: name, ok (a boolean), detail (what was seen, or why it failed),
-- seconds (how long it took, optional). Returns ok.
function M.record(name, ok, detail, seconds)
  checks.record(name, ok, detail, seconds)
  return ok
end

-- Records a check and raises an error with its detail when it failed.
function M.that(name, ok, detail)
  checks.record(name, ok, detail)
  if not ok then error(("check %s failed: %s"):format(tostring(name), tostring(detail or "")), 2) end
  return true
end

return M
