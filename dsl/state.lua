-- The state: where journals and locks live (a backend: dsl/state_local.lua for a
-- directory, dsl/state_s3.lua for s3://bucket/prefix), run ids and lock keys, and
-- rebuilding a run's state from its journal (what resume, rollback and status read).
local sys = require "wf.sys"
local interrupt = require "wf.interrupt"
local clog = require "wf.log"
local errors = require "dsl.errors"

local M = {}

local function safe(s)
  return (tostring(s):gsub("[^%w_.-]", "_"))
end

function M.new_run_id(workflow_name)
  return ("%s-%s-%s"):format(safe(workflow_name), sys.compact_time(interrupt.wall()), sys.random_hex(3))
end

-- The layout of a local state directory (dsl/state_local.lua), for callers that work on
-- one directly (wfrun test copies journals between directories).
function M.run_dir(state_dir, run_id) return state_dir .. "/runs/" .. run_id end
function M.journal_path(state_dir, run_id) return M.run_dir(state_dir, run_id) .. "/journal.jsonl" end
function M.lock_path(state_dir, workflow_name, env)
  return ("%s/locks/%s.lock"):format(state_dir, M.lock_key(workflow_name, env))
end
function M.list_runs(state_dir)
  return sys.list_dir(state_dir .. "/runs")
end

-- The lock key of a (workflow, environment): "<workflow>@<env>", as `wfrun unlock` names it.
function M.lock_key(workflow_name, env)
  return ("%s@%s"):format(safe(workflow_name), safe(env or "default"))
end

M.safe_name = safe

-- Where the state is, first found: --state (a directory or s3://bucket/prefix),
-- --state-dir, $WFRUN_STATE, $WFRUN_STATE_DIR, .wfrun. With S3, the local directory
-- (--state-dir, $WFRUN_STATE_DIR or .wfrun) keeps this agent's cache of the journals it
-- writes. Returns { url =, cache_root = } (url nil: the local directory cache_root).
function M.location(opts)
  local default_dir = sys.getenv("WFRUN_STATE_DIR") or ".wfrun"
  local explicit_dir = opts.state_dir and opts.state_dir ~= default_dir
  local url = opts.state
  if not url and not explicit_dir then
    local env = sys.getenv("WFRUN_STATE")
    if env and env ~= "" then url = env end
  end
  if url == "" then errors.raise_usage("--state needs a directory or s3://bucket/prefix") end
  return { url = url, cache_root = opts.state_dir or default_dir }
end

-- The backend of opts (made once per opts).
function M.backend(opts)
  if opts.state_backend then return opts.state_backend end
  local loc = M.location(opts)
  local backend
  if loc.url and loc.url:match("^s3://") then
    backend = require("dsl.state_s3").new(loc.url, loc.cache_root, opts)
  elseif loc.url and loc.url:match("^%a[%w+.-]*://") then
    errors.raise_usage(("--state %s: only directories and s3://bucket/prefix are supported"):format(loc.url))
  else
    backend = require("dsl.state_local").new(loc.url or loc.cache_root)
  end
  opts.state_backend = backend
  return backend
end

-- Takes the lock of (workflow, env) in store for run_id and returns its handle, or raises
-- {kind="locked"} (exit 4) naming the holder.
function M.take_lock(store, workflow_name, env, run_id)
  local key = M.lock_key(workflow_name, env)
  local handle, holder, stale = store:acquire_lock(key, run_id)
  if not handle then
    local h = holder or {}
    local lines = { ("another run holds the lock %s: run %s, pid %s on %s, started %s"):format(
      store:where_lock(key), tostring(h.run_id), tostring(h.pid), tostring(h.host), tostring(h.started)) }
    if h.host ~= sys.hostname() then
      lines[#lines + 1] = ("       if that run is gone for good, break the lock with: wfrun unlock %s --force --reason \"...\"%s")
        :format(key, store:option() ~= "" and (" " .. store:option()) or "")
    end
    error({ kind = "locked", message = table.concat(lines, "\n") }, 0)
  end
  if stale then
    clog.warn(("took over a stale lock %s (run %s, pid %s on this host, is gone)")
      :format(handle.where, tostring(stale.run_id), tostring(stale.pid)))
  end
  return handle
end

function M.release_lock(store, handle)
  if handle then store:release_lock(handle) end
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
    elseif t == "lock_broken" then
      run.lock_broken = r
    end
    run.last_time = r.time or run.last_time
  end
  return run
end

-- The run picture of run_id in store (a backend, or a local directory), or nil and a message.
function M.load_run(store, run_id)
  if type(store) == "string" then store = require("dsl.state_local").new(store) end
  local records, torn, where = store:read_journal(run_id)
  if not records then return nil, torn end
  local run = M.replay(records)
  run.torn = torn
  run.id = run_id
  if not run.info then return nil, ("journal %s has no run_started record"):format(where) end
  return run
end

return M
