-- Saved plan files (`wfrun plan ... -o plan.json`): reading one back, checking it is a
-- plan this wfrun can apply or render.
local json = require "wf.json"
local sys = require "wf.sys"
local errors = require "dsl.errors"
local plan_mod = require "dsl.plan"

local M = {}

-- True when the word names a saved plan rather than a workflow (pure).
function M.is_plan_file(word)
  return type(word) == "string" and word:match("%.json$") ~= nil
end

-- The saved plan at path; a usage error (exit 2) naming the file when it cannot be read,
-- is not JSON, or is not a wfrun plan of a format version this wfrun knows.
function M.read(path)
  local text, err = sys.read_file(path)
  if not text then errors.raise_usage(("plan %s"):format(err)) end
  local ok, plan = pcall(json.decode, text)
  if not ok then errors.raise_usage(("plan %s is not JSON: %s"):format(path, errors.message(plan))) end
  if type(plan) ~= "table" or plan.format ~= plan_mod.FORMAT then
    errors.raise_usage(("%s is not a saved wfrun plan (write one with: wfrun plan WORKFLOW.lua ... -o %s)")
      :format(path, path))
  end
  if plan.format_version ~= plan_mod.FORMAT_VERSION then
    errors.raise_usage(("plan %s has format version %s; this wfrun reads version %d: make the plan again")
      :format(path, tostring(plan.format_version), plan_mod.FORMAT_VERSION))
  end
  for _, field in ipairs({ "file", "file_sha256", "steps", "facts", "params", "words", "timestamp" }) do
    if plan[field] == nil then errors.raise_usage(("plan %s lacks its %s field"):format(path, field)) end
  end
  return plan
end

return M
