-- `wfrun test`: which AWS calls each step made, from awssim's request log.
--
-- wfrun names the running step in the User-Agent of every AWS request ("wfrun
-- wfrun-step/NAME", engine/aws/call.c), and awssim's request log records it as "step"; so
-- attribution needs no clock and survives concurrency inside a step. A request without a
-- step (a client that does not send it) is given to the step of the request before it.
local M = {}

local function call_of(e)
  return { seq = e.seq, service = e.service, operation = e.operation, mutating = e.mutating == true,
           error = type(e.error) == "string" and e.error or nil, step = e.step }
end

-- Groups request log entries by step: { [step] = { calls = {...} } }, in log order.
function M.by_step(entries)
  local steps, last = {}, nil
  for _, e in ipairs(entries) do
    local name = type(e.step) == "string" and e.step or last
    last = name
    if name and e.operation and type(e.operation) == "string" then
      local s = steps[name] or { calls = {} }
      steps[name] = s
      s.calls[#s.calls + 1] = call_of(e)
    end
  end
  return steps
end

-- What the scenarios need of one step's calls:
--   changed: it made a mutating call that succeeded;
--   first_mutating: { index among the step's calls, nth among its mutating calls, call };
--   wait: { service, operation, nth among the step's calls of that operation } for the
--         read-only operation it called most often after its last mutating call (the
--         poll of a wait; a waiter that is satisfied at once polls only once). After the
--         last change, so that a step whose calls run concurrently (an S3 sync listing
--         while it copies) is not given a "wait" whose place in the order is chance;
--   kill_at: the index of the call to stop wfrun in (the one after the first mutating
--            call, else that call; for a step that only reads, its first call).
function M.profile(step_calls)
  local calls = step_calls and step_calls.calls or {}
  local p = { ncalls = #calls, calls = calls }
  local nmut = 0
  for i, c in ipairs(calls) do
    if c.mutating then
      nmut = nmut + 1
      if not c.error and not p.first_mutating then
        p.first_mutating = { index = i, nth = nmut, call = c }
      end
    end
  end
  p.changed = p.first_mutating ~= nil
  p.mutating = {}
  for _, c in ipairs(calls) do
    if c.mutating and not c.error then p.mutating[#p.mutating + 1] = c.service .. ":" .. c.operation end
  end
  if p.first_mutating then
    local first, last = p.first_mutating.index, p.first_mutating.index
    for i, c in ipairs(calls) do if c.mutating and not c.error then last = i end end
    local counts, best = {}, nil
    for i = last + 1, #calls do
      local c = calls[i]
      if not c.mutating then
        local key = c.service .. ":" .. c.operation
        counts[key] = (counts[key] or 0) + 1
        if not best or counts[key] > counts[best] then best = key end
      end
    end
    if best then
      local nth, found = 0, nil
      for i, c in ipairs(calls) do
        if c.service .. ":" .. c.operation == best then
          nth = nth + 1
          if i > last then found = nth break end
        end
      end
      local service, operation = best:match("^([^:]+):(.+)$")
      p.wait = { service = service, operation = operation, nth = found, polls = counts[best] }
    end
    p.kill_at = first < #calls and first + 1 or first
  elseif #calls > 0 then
    p.kill_at = 1
  end
  return p
end

return M
