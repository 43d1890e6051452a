-- `wfrun test`: the scenarios of a workflow, from its success run (journal + request log).
--   fault  the step's first mutating call fails (awssim rule step=S,mutating=true,nth=N);
--   wait   the poll of the step's wait fails (rule step=S,op=X,nth=N);
--   kill   wfrun is killed -9 while the call after the step's first mutating call is in
--          flight (a latency rule step=S,nth=N holds it), then resume and rollback.
-- A rule's count covers the step's retry attempts, so a retrying step still fails.
local calls_mod = require "dsl.test_calls"

local M = {}

M.FAULT_CODE = "InjectedFault"   -- not a code the client retries or a step expects
M.KILL_LATENCY_MS = 500

-- The steps in the order the success run started them, with the point of no return.
function M.run_order(records)
  local order, seen, ponr = {}, {}, nil
  for _, r in ipairs(records) do
    if r.type == "step_started" and not seen[r.step] then
      seen[r.step] = true
      order[#order + 1] = r.step
    elseif r.type == "step_succeeded" and r.irreversible then
      ponr = ponr or r.step
    end
  end
  return order, ponr
end

-- The scenario list: { id, step, kind, faults = {rules}, after_ponr, ... }, in run order,
-- plus the step profiles (for the report).
function M.build(spec, records, entries)
  local order, ponr = M.run_order(records)
  local by_step = calls_mod.by_step(entries)
  local list, profiles = {}, {}
  local past_ponr = false
  for _, name in ipairs(order) do
    local step = spec.step_by_name[name]
    local attempts = step and step.retry and step.retry.attempts or 1
    local p = calls_mod.profile(by_step[name])
    profiles[name] = p
    local after = past_ponr
    -- a failure inside the irreversible step itself cannot be undone: only its exit code
    -- is checked, and a kill in it is only resumed
    local at = name == ponr
    if p.changed then
      local first = p.first_mutating.call
      list[#list + 1] = {
        id = name .. "/fault", step = name, kind = "fault", after_ponr = after, at_ponr = at,
        what = ("%s:%s fails (its first mutating call)"):format(first.service, first.operation),
        faults = { { step = name, mutating = true, nth = p.first_mutating.nth, count = attempts,
                     error = M.FAULT_CODE, message = ("injected by wfrun test into step %s"):format(name) } },
      }
      if p.wait then
        list[#list + 1] = {
          id = name .. "/wait", step = name, kind = "wait", after_ponr = after, at_ponr = at,
          what = ("%s:%s fails after the step's last change (the poll of its wait; %d call(s) in the success path)")
            :format(p.wait.service, p.wait.operation, p.wait.polls),
          faults = { { step = name, operation = p.wait.service .. ":" .. p.wait.operation, nth = p.wait.nth,
                       count = attempts, error = M.FAULT_CODE,
                       message = ("injected by wfrun test into the wait of step %s"):format(name) } },
        }
      end
    end
    if p.kill_at then
      local c = p.calls[p.kill_at]
      list[#list + 1] = {
        id = name .. "/kill", step = name, kind = "kill", after_ponr = after, at_ponr = at, kill_at = p.kill_at,
        what = ("kill -9 during %s:%s (call %d of the step)"):format(c.service, c.operation, p.kill_at),
        faults = { { step = name, nth = p.kill_at, latency_ms = M.KILL_LATENCY_MS } },
      }
    end
    if name == ponr then past_ponr = true end
  end
  return list, profiles, order, ponr
end

return M
