-- The ctx a step's run, undo and when functions receive.
local facts = require "dsl.facts"

local M = {}

local readonly_mt = {
  __newindex = function(_, k) error(("ctx tables are read-only (tried to set %s)"):format(tostring(k)), 2) end,
}

local function readonly(t)
  return setmetatable({}, { __index = t, __newindex = readonly_mt.__newindex,
    __pairs = function() return next, t, nil end, __len = function() return #t end })
end

-- fields: run (live run or plan), step, attempt, save (function(tbl) or nil).
function M.new(r, step, attempt, save)
  local state = r.steps and r.steps[step.name]
  return {
    params = readonly(r.params),
    steps = readonly(r.outputs),
    run_id = r.id,
    timestamp = r.timestamp,      -- the run's start, "20261126T093747Z": stable across resume
    workflow = r.spec.name,
    workflow_file = r.spec.file,
    -- What an earlier attempt of this step saved with ctx.save (after a failure, a retry
    -- or a crash): a resumed step can adopt what it already created instead of making
    -- a second one.
    saved = state and state.saved and state.outputs or nil,
    step = step.name,
    attempt = attempt,
    plan = r.plan or false,
    -- ctx.save{ id = ... } journals partial outputs at once, so that a step interrupted or
    -- failing after it created something is still undone (its undo gets them).
    save = save or function() end,
    -- ctx.fact("name", value) -> value: in a plan, pins a value a lookup found, so that
    -- `wfrun apply` refuses when it is different by then (a no-op in a run).
    fact = facts.record,
  }
end

return M
