-- The executor: walks a workflow's steps in dependency order, journals every transition
-- (fsync'ed before the next action), and on failure undoes every finished step in reverse
-- order of completion, up to the point of no return. resume and rollback continue a run
-- from its journal after a crash, a kill -9 or a stop.
local clog = require "wf.log"
local interrupt = require "wf.interrupt"
local json = require "wf.json"
local sys = require "wf.sys"
local duration = require "wf.args"
local checks = require "dsl.checks"
local context = require "dsl.context"
local errors = require "dsl.errors"
local loader = require "dsl.loader"
local params_mod = require "dsl.params"
local protection = require "dsl.protection"
local run_settings = require "dsl.run_settings"
local state = require "dsl.state"

local M = {}

local function fmt_duration(seconds)
  return duration.format_duration(seconds)
end

-- A copy of v with every secret in its strings replaced by *** (wf.log.sanitize): step
-- outputs that hold a secret are journaled without it, so a resumed run reads *** there.
local function redacted(v)
  if type(v) == "string" then return clog.sanitize(v) end
  if type(v) ~= "table" then return v end
  local copy = setmetatable({}, getmetatable(v))   -- keeps json.array marks
  for k, x in pairs(v) do copy[k] = redacted(x) end
  return copy
end

local function record(r, rtype, fields)
  fields = fields or {}
  fields.type = rtype
  fields.time = sys.iso8601(interrupt.wall())
  r.journal:append(redacted(fields))
end

local function traceback_handler(e)
  if type(e) == "string" and (os.getenv("WFRUN_DEBUG") or "") ~= "" then
    return debug.traceback(e, 2)
  end
  return e
end

-- interrupt.hold, or nothing held with a wfrun binary older than this DSL (WFRUN_LUA_DIR).
local hold = interrupt.hold or function() return false end

-- Calls fn(...) under a deadline of timeout seconds (nil: none). fn (a step's code, a
-- pause) stops at a signal; the executor around it runs held (see with_lock).
local function call_limited(fn, timeout, label, ...)
  local depth = timeout and interrupt.push_deadline(timeout, label)
  local held = hold(false)
  local ok, res = xpcall(fn, traceback_handler, ...)
  hold(held)
  if depth then interrupt.pop(depth) end
  return ok, res
end

local function step_state(r, name)
  local s = r.steps[name]
  if not s then
    s = { status = "pending", attempts = 0 }
    r.steps[name] = s
  end
  return s
end

local function mark_completed(r, name)
  for _, n in ipairs(r.completed) do if n == name then return end end
  r.completed[#r.completed + 1] = name
end

local function message_of(e) return clog.sanitize(errors.message(e)) end

-- Runs step.run with its retry policy. Returns true, or false and the last error.
local function run_step(r, step)
  local s = step_state(r, step.name)
  local policy = step.retry
  clog.set_step(step.name)
  for try = 1, policy.attempts do
    local attempt = s.attempts + 1
    s.attempts, s.status = attempt, "started"
    record(r, "step_started", { step = step.name, attempt = attempt })
    clog.step_start(step.name, step.doc)
    local t0 = interrupt.now()
    local save = function(partial)
      if type(partial) ~= "table" then error("ctx.save takes a table of outputs", 2) end
      local merged = {}
      for k, v in pairs(s.outputs or {}) do merged[k] = v end
      for k, v in pairs(partial) do merged[k] = v end
      record(r, "step_saved", { step = step.name, outputs = merged })
      s.outputs, s.saved = merged, true
      mark_completed(r, step.name)
    end
    local ok, res = call_limited(step.run, step.timeout, ('step "%s" timeout'):format(step.name),
      context.new(r, step, attempt, save))
    if ok and res ~= nil and type(res) ~= "table" then
      ok, res = false, ('step "%s": run must return a table of outputs or nothing, not a %s'):format(step.name, type(res))
    end
    if ok then
      local outputs = {}
      for k, v in pairs(s.outputs or {}) do outputs[k] = v end
      for k, v in pairs(res or {}) do outputs[k] = v end
      local enc_ok, enc_err = pcall(json.encode, outputs)
      if not enc_ok then
        ok, res = false, ('step "%s": outputs must be plain data (strings, numbers, booleans, tables): %s')
          :format(step.name, errors.message(enc_err))
      else
        record(r, "step_succeeded", { step = step.name, outputs = outputs, irreversible = step.irreversible or nil })
        s.status, s.outputs, s.error = "succeeded", outputs, nil
        r.outputs[step.name] = outputs
        mark_completed(r, step.name)
        if step.irreversible then r.ponr = step.name end
        clog.step_end(step.name, "succeeded", interrupt.now() - t0)
        checks.step_end(r, step, "succeeded", interrupt.now() - t0)
        clog.set_step(nil)
        return true
      end
    end
    local msg = message_of(res)
    record(r, "step_failed", { step = step.name, attempt = attempt, error = msg, kind = errors.kind(res) })
    s.status, s.error = "failed", msg
    clog.error(msg)   -- before step_end, so TeamCity shows it inside the step's block
    clog.step_end(step.name, "failed", interrupt.now() - t0)
    checks.step_end(r, step, "failed", interrupt.now() - t0, msg)
    if errors.kind(res) == "interrupted" or try == policy.attempts then
      clog.set_step(nil)
      return false, res
    end
    local pause = policy.backoff * 2 ^ (try - 1)
    clog.warn(('attempt %d of %d failed; retrying in %s'):format(try, policy.attempts, fmt_duration(pause)))
    local slept, sleep_err = call_limited(interrupt.sleep, nil, nil, pause)
    if not slept then
      clog.set_step(nil)
      return false, sleep_err
    end
  end
end

-- Runs step.undo (with the step's retry policy and timeout). Returns true or false, err.
local function undo_step(r, step)
  local s = step_state(r, step.name)
  clog.set_step(step.name)
  local last
  for try = 1, step.retry.attempts do
    record(r, "undo_started", { step = step.name, attempt = try })
    clog.undo_start(step.name)
    local t0 = interrupt.now()
    local ok, res = call_limited(step.undo, step.timeout, ('undo of step "%s" timeout'):format(step.name),
      context.new(r, step, try), s.outputs or {})
    if ok then
      record(r, "undo_succeeded", { step = step.name })
      s.undo = "done"
      clog.undo_end(step.name, "undone", interrupt.now() - t0)
      clog.set_step(nil)
      return true
    end
    last = res
    local msg = message_of(res)
    record(r, "undo_failed", { step = step.name, attempt = try, error = msg })
    s.undo, s.undo_error = "failed", msg
    clog.error(msg)
    clog.undo_end(step.name, "failed", interrupt.now() - t0)
    if errors.kind(res) == "interrupted" or try == step.retry.attempts then break end
    local pause = step.retry.backoff * 2 ^ (try - 1)
    clog.warn(('undo attempt %d of %d failed; retrying in %s'):format(try, step.retry.attempts, fmt_duration(pause)))
    if not call_limited(interrupt.sleep, nil, nil, pause) then break end
  end
  clog.set_step(nil)
  return false, last
end

local function command_hint(r, verb)
  local parts = { "wfrun", verb, r.id }
  local option = state.backend(r.opts):option()
  if option ~= "" then parts[#parts + 1] = option end
  -- a simulator run goes on only in its kept world (dsl/run_settings.lua)
  if r.opts.on_sim and r.opts.sim_state then parts[#parts + 1] = "--sim --sim-state=" .. r.opts.sim_state end
  return table.concat(parts, " ")
end

-- Always steps that have not run and whose needs are all still in effect.
local function run_always_steps(r)
  local ok_all, failed = true, {}
  for _, step in ipairs(r.spec.order) do
    local s = step_state(r, step.name)
    if step.always and s.status ~= "succeeded" and s.status ~= "skipped" then
      local ready = true
      for _, need in ipairs(step.needs) do
        local ns = step_state(r, need)
        if not (ns.status == "skipped" or (ns.status == "succeeded" and ns.undo ~= "done")) then ready = false end
      end
      if ready then
        local ok = run_step(r, step)
        if not ok then ok_all = false failed[#failed + 1] = step.name end
      end
    end
  end
  return ok_all, failed
end

local function finish(r, outcome, code)
  clog.run_end(r.id, outcome, code, interrupt.now() - r.started)
  return code
end

-- Undoes finished steps after the point of no return, newest first.
local function rollback(r, reason)
  interrupt.clear_signal()
  record(r, "rollback_started", { reason = reason })
  local floor = 0
  if r.ponr then
    for i, n in ipairs(r.completed) do if n == r.ponr then floor = i end end
  end
  local todo = {}
  for i = #r.completed, floor + 1, -1 do
    local name = r.completed[i]
    if step_state(r, name).undo ~= "done" then todo[#todo + 1] = r.spec.step_by_name[name] end
  end
  clog.warn(("rolling back: undoing %d finished step(s), newest first"):format(#todo))
  for i, step in ipairs(todo) do
    if step.undo then
      local ok, err = undo_step(r, step)
      if not ok then
        local left = {}
        for j = i, #todo do if todo[j].undo then left[#left + 1] = todo[j].name end end
        record(r, "run_stopped", { reason = "undo failed", in_phase = "rolling_back", left = left })
        local lines = {
          ('rollback stopped: the undo of step "%s" failed: %s'):format(step.name, message_of(err)),
          "not undone yet (newest first): " .. table.concat(left, ", "),
          "fix the cause, then continue the rollback with: " .. command_hint(r, "rollback"),
        }
        clog.problem(step.name, lines[1])
        sys.write_stderr("wfrun: " .. clog.sanitize(table.concat(lines, "\n       ")) .. "\n")
        return finish(r, "rollback incomplete", 3)
      end
    elseif step_state(r, step.name).status == "succeeded" then
      clog.info(('step "%s" declares no undo; nothing to put back'):format(step.name))
    end
  end
  local always_ok, failed = run_always_steps(r)
  if not always_ok then
    record(r, "run_stopped", { reason = "cleanup failed", in_phase = "rolling_back", left = failed })
    sys.write_stderr(("wfrun: rolled back, but cleanup step(s) %s failed; see above. Retry with: %s\n")
      :format(table.concat(failed, ", "), command_hint(r, "rollback")))
    return finish(r, "cleanup failed", 3)
  end
  record(r, "run_rolled_back", {})
  sys.write_stderr(("wfrun: run %s failed and was rolled back: %s\n"):format(r.id, clog.sanitize(reason)))
  return finish(r, "rolled back", 1)
end

local function confirm(r, step)
  if r.protection or r.opts.confirm then return protection.confirm(r, step) end
  if r.opts.yes then return true end
  if not sys.isatty(0) then
    return false, ('step "%s" is irreversible (the point of no return); pass --yes to confirm'):format(step.name)
  end
  sys.write_stderr(('\nStep "%s" is the point of no return: %s\nNothing before it can be undone once it has run.\nType "yes" to continue: ')
    :format(step.name, step.doc or "(no doc)"))
  local answer = sys.read_line()
  if answer == "yes" then return true end
  return false, ('step "%s" was not confirmed'):format(step.name)
end

local function evaluate_when(r, step)
  if step.when == nil then return true end
  if type(step.when) == "boolean" then return step.when end
  local ok, v = call_limited(step.when, step.timeout, ('when of step "%s"'):format(step.name), context.new(r, step, 0))
  if not ok then return nil, v end
  return v and true or false
end

-- Runs every step not yet done; then success, or failure handling.
local function forward(r)
  local failure
  local run_depth = r.spec.timeout and interrupt.push_deadline(r.spec.timeout, ('workflow "%s" timeout'):format(r.spec.name))
  for _, step in ipairs(r.spec.order) do
    local s = step_state(r, step.name)
    if s.status ~= "succeeded" and s.status ~= "skipped" then
      local go, when_err = evaluate_when(r, step)
      if go == nil then
        failure = { step = step, err = when_err }
        break
      elseif not go then
        record(r, "step_skipped", { step = step.name })
        s.status = "skipped"
        r.outputs[step.name] = {}
        clog.step_end(step.name, "skipped", 0)
      else
        local ok, err = true, nil
        if step.irreversible then ok, err = confirm(r, step) end
        if ok then ok, err = run_step(r, step) end
        if not ok then
          failure = { step = step, err = err }
          break
        end
      end
    end
    if interrupt.signal() then
      -- The step itself finished (or was already done): the signal came after it.
      failure = { step = step, after = true,
                  err = { kind = "interrupted", message = "stopped by signal " .. interrupt.signal() } }
      break
    end
  end
  if run_depth then interrupt.pop(run_depth) end
  if not failure then
    record(r, "run_succeeded", {})
    return finish(r, "succeeded", 0)
  end

  local reason = failure.after
    and ('%s after step "%s" %s'):format(message_of(failure.err), failure.step.name,
                                         step_state(r, failure.step.name).status or "ran")
    or ('step "%s" failed: %s'):format(failure.step.name, message_of(failure.err))
  clog.problem(failure.step.name, reason)
  if errors.kind(failure.err) == "interrupted" and r.opts.no_rollback then
    record(r, "run_stopped", { reason = "interrupted", in_phase = "running" })
    sys.write_stderr(("wfrun: run %s stopped by a signal; nothing was undone (--no-rollback).\n" ..
      "       continue with: %s\n       or undo with:  %s\n"):format(r.id, command_hint(r, "resume"), command_hint(r, "rollback")))
    return finish(r, "stopped", 3)
  end
  if r.ponr then
    run_always_steps(r)
    record(r, "run_stopped", { reason = reason, in_phase = "running" })
    sys.write_stderr(("wfrun: %s\n       This is after the point of no return (step \"%s\" ran), so nothing was undone.\n" ..
      "       Fix the cause, then finish the run with: %s\n"):format(reason, r.ponr, command_hint(r, "resume")))
    return finish(r, "stopped after the point of no return", 3)
  end
  return rollback(r, reason)
end

local function lock_key(spec, params)
  local name = spec.lock_param
  if not name then
    local pos = params_mod.positional_params(spec)
    name = pos[1] and pos[1].name
  end
  return name and params[name] and tostring(params[name]) or "default"
end

-- The environment a run acts on (its lock's key): protected environments are matched on it.
M.environment = lock_key

-- Takes the (workflow, environment) lock or raises a {kind="locked"} error (exit 4).
local function take_lock(r)
  r.lock = state.take_lock(state.backend(r.opts), r.spec.name, lock_key(r.spec, r.params), r.id)
end

local function with_lock(r, fn)
  take_lock(r)
  checks.begin(r)   -- what --junit reports
  -- Held: a signal must not cut the journal or the log short between steps (the Lua hook
  -- would raise it anywhere); the run looks at it after each step and rolls back.
  local held = hold(true)
  local ok, code = xpcall(fn, traceback_handler, r)
  hold(held)
  pcall(state.release_lock, state.backend(r.opts), r.lock)
  if r.journal then r.journal:close() end
  if not ok then error(code, 0) end
  return code
end

local function new_live_run(spec, values, opts)
  return {
    spec = spec, params = values, opts = opts, steps = {}, completed = {}, outputs = {},
    started = interrupt.now(),
  }
end

function M.needs_confirmation(spec)
  for _, s in ipairs(spec.steps) do if s.irreversible then return s end end
end

-- A new run of spec with bound params. Returns the exit code.
function M.start(spec, values, opts)
  local r = new_live_run(spec, values, opts)
  r.id = state.new_run_id(spec.name)
  r.timestamp = sys.compact_time(interrupt.wall())
  local confirmed = protection.check(r, lock_key(spec, values))   -- exit 2 in a protected environment without --confirm=ENV
  local irreversible = M.needs_confirmation(spec)
  if irreversible and not confirmed and not opts.yes and not sys.isatty(0) then
    errors.raise_usage(('step "%s" is irreversible (the point of no return): pass --yes to run it non-interactively')
      :format(irreversible.name))
  end
  return with_lock(r, function()
    r.journal = state.backend(opts):open_journal(r.id)
    record(r, "run_started", {
      run_id = r.id, workflow = spec.name, file = sys.realpath(spec.file) or spec.file,
      file_sha256 = spec.source_sha256, params = params_mod.redacted(spec, values),
      words = params_mod.words(spec, values), timestamp = r.timestamp, host = sys.hostname(), pid = sys.pid(),
      version = spec.version, settings = run_settings.current(opts),
    })
    clog.run_start(spec.name, r.id, "run")
    return forward(r)
  end)
end

-- Rebuilds a live run from its journal: the workflow file is loaded again.
local function reopen(run_id, opts, extra_words, verb)
  local run, err = state.load_run(state.backend(opts), run_id)
  if not run then errors.raise_usage(err) end
  local info = run.info
  local force
  extra_words, force = run_settings.take_force(extra_words)
  run_settings.reuse(run_id, info.settings, opts, force, verb)   -- the run's region, profile, endpoint
  local spec = loader.load(info.file)
  if spec.source_sha256 ~= info.file_sha256 then
    clog.warn(("%s changed since run %s started; continuing with the current file"):format(info.file, run_id))
  end
  local words = {}
  for _, w in ipairs(info.words or {}) do words[#words + 1] = w end
  for _, w in ipairs(extra_words or {}) do words[#words + 1] = w end
  local values = params_mod.bind(spec, words)
  local r = new_live_run(spec, values, opts)
  r.id, r.timestamp, r.phase = run_id, info.timestamp, run.phase
  r.steps, r.completed, r.ponr = run.steps, run.completed, run.ponr
  r.stopped_in = run.stopped_in
  for name, s in pairs(run.steps) do
    if s.status == "succeeded" then r.outputs[name] = s.outputs or {} end
    if s.status == "skipped" then r.outputs[name] = {} end
  end
  return r
end

function M.resume(run_id, opts, extra_words)
  local r = reopen(run_id, opts, extra_words, "resume")
  if r.phase == "succeeded" then
    sys.write_stderr(("wfrun: run %s already succeeded; nothing to resume\n"):format(run_id))
    return 0
  end
  if r.phase == "rolled_back" then
    errors.raise_usage(("run %s was rolled back; nothing to resume (start a new run)"):format(run_id))
  end
  protection.check(r, lock_key(r.spec, r.params))
  return with_lock(r, function()
    r.journal = state.backend(opts):open_journal(r.id)
    local rolling_back = r.phase == "rolling_back" or r.stopped_in == "rolling_back"
    record(r, "run_resumed", { phase = rolling_back and "rolling_back" or "running", pid = sys.pid(), host = sys.hostname() })
    clog.run_start(r.spec.name, r.id, "resume")
    if rolling_back then return rollback(r, "continuing an interrupted rollback") end
    return forward(r)
  end)
end

function M.rollback(run_id, opts, extra_words)
  local r = reopen(run_id, opts, extra_words, "rollback")
  if r.phase == "rolled_back" then
    sys.write_stderr(("wfrun: run %s is already rolled back\n"):format(run_id))
    return 0
  end
  return with_lock(r, function()
    r.journal = state.backend(opts):open_journal(r.id)
    record(r, "run_resumed", { phase = "rolling_back", pid = sys.pid(), host = sys.hostname() })
    clog.run_start(r.spec.name, r.id, "rollback")
    return rollback(r, "rollback requested")
  end)
end

return M
