-- The state directory: where journals and locks live, run ids, and rebuilding a run's
-- state from its journal (what resume, rollback and status read).
--   <state>/runs/<run-id>/journal.jsonl
--   <state>/locks/<workflow>@<environment>.lock
local sys = require "wf.sys"
local journal = require "wf.journal"
local interrupt = require "wf.interrupt"

local M = {}

local function safe(s)
  return (tostring(s):gsub("[^%w_.-]", "_"))
end

function M.new_run_id(workflow_name)
  return ("%s-%s-%s"):format(safe(workflow_name), sys.compact_time(interrupt.wall()), sys.random_hex(3))
end

function M.run_dir(state_dir, run_id) return state_dir .. "/runs/" .. run_id end
function M.journal_path(state_dir, run_id) return M.run_dir(state_dir, run_id) .. "/journal.jsonl" end
function M.lock_path(state_dir, workflow_name, env)
  return ("%s/locks/%s@%s.lock"):format(state_dir, safe(workflow_name), safe(env or "default"))
end

function M.list_runs(state_dir)
  return sys.list_dir(state_dir .. "/runs")
end

-- Replays a journal into a run picture:
--   info: the run_started record; steps[name] = {status, outputs, attempts, error};
--   completed: step names in order of completion (succeeded or saved partial outputs);
--   phase: "running" | "rolling_back" | "succeeded" | "rolled_back" | "stopped";
--   ponr: name of the last irreversible step that finished, if any.
function M.replay(records)
  local run = { steps = {}, completed = {}, phase = "running", torn = false, records = #records }
  local function step(name)
    local s = run.steps[name]
    if not s then
      s = { status = "pending", attempts = 0 }
      run.steps[name] = s
    end
    return s
  end
  local function mark_completed(name)
    for _, n in ipairs(run.completed) do if n == name then return end end
    run.completed[#run.completed + 1] = name
  end
  for _, r in ipairs(records) do
    local t = r.type
    if t == "run_started" then
      run.info = r
    elseif t == "step_started" then
      local s = step(r.step)
      s.status, s.attempts = "started", r.attempt or (s.attempts + 1)
    elseif t == "step_saved" then
      local s = step(r.step)
      s.outputs = r.outputs
      s.saved = true
      mark_completed(r.step)
    elseif t == "step_succeeded" then
      local s = step(r.step)
      s.status, s.outputs, s.error = "succeeded", r.outputs, nil
      mark_completed(r.step)
      if r.irreversible then run.ponr = r.step end
    elseif t == "step_failed" then
      local s = step(r.step)
      s.status, s.error = "failed", r.error
    elseif t == "step_skipped" then
      step(r.step).status = "skipped"
    elseif t == "undo_started" then
      step(r.step).undo = "started"
    elseif t == "undo_succeeded" then
      step(r.step).undo = "done"
    elseif t == "undo_failed" then
      local s = step(r.step)
      s.undo, s.undo_error = "failed", r.error
    elseif t == "rollback_started" then
      run.phase = "rolling_back"
      run.rollback_reason = r.reason
    elseif t == "run_succeeded" then
      run.phase = "succeeded"
    elseif t == "run_rolled_back" then
      run.phase = "rolled_back"
    elseif t == "run_stopped" then
      run.phase = "stopped"
      run.stop_reason = r.reason
      run.stopped_in = r.in_phase
    elseif t == "run_resumed" then
      run.phase = r.phase or "running"
    end
    run.last_time = r.time or run.last_time
  end
  return run
end

function M.load_run(state_dir, run_id)
  local path = M.journal_path(state_dir, run_id)
  if sys.exists(path) ~= "file" then return nil, ("no run %s in %s"):format(run_id, state_dir) end
  local records, torn = journal.read(path)
  local run = M.replay(records)
  run.torn = torn
  run.id = run_id
  if not run.info then return nil, ("journal %s has no run_started record"):format(path) end
  return run
end

return M
