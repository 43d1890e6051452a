-- `wfrun test`: running the success path and one scenario, each on an awssim of its own,
-- and judging the outcome (exit code, journal, inventory against the expected world).
local sys = require "wf.sys"
local json = require "wf.json"
local interrupt = require "wf.interrupt"
local errors = require "dsl.errors"
local state = require "dsl.state"
local child = require "dsl.test_child"
local inv = require "dsl.test_inventory"
local tsim = require "dsl.test_sim"

local M = {}

-- The journal as short lines: "step_failed snapshot-db #1: rds CreateDBSnapshot: ...".
function M.journal_excerpt(records, max)
  local lines = {}
  for _, r in ipairs(records) do
    local parts = { r.type }
    if r.step then parts[#parts + 1] = r.step end
    if r.attempt then parts[#parts + 1] = "#" .. tostring(r.attempt) end
    local line = table.concat(parts, " ")
    local why = r.error or r.reason
    if type(why) == "string" then line = line .. ": " .. why:gsub("\n.*", "") end
    lines[#lines + 1] = line
  end
  max = max or 40
  if #lines > max then
    local tail = { ("(%d earlier records)"):format(#lines - max) }
    for i = #lines - max + 1, #lines do tail[#tail + 1] = lines[i] end
    return tail
  end
  return lines
end

local function read_json(path)
  local text, err = sys.read_file(path)
  if not text then error(err, 0) end
  return json.decode(text)
end

local function with_sims(fn, ...)
  local sims = {}
  local function start(opts)
    local s = tsim.start(opts)
    sims[#sims + 1] = s
    return s
  end
  local ok, res = pcall(fn, start, ...)
  for _, s in ipairs(sims) do pcall(s.kill, s) end   -- every check is done
  if not ok then error(res, 0) end
  return res
end

-- The references every scenario compares with: the seed world, the success path's end.
local function references(t)
  if not t._refs then
    local seed_raw = read_json(t.seed_inventory)
    local keep = inv.reference_tokens(seed_raw)
    t._refs = {
      keep = keep,
      seed = inv.normalise(seed_raw, keep),
      success = inv.normalise(read_json(t.success_inventory), keep),
      allowed = inv.matcher(t.leaves_behind),
    }
  end
  return t._refs
end

local function result(s, scenario, status, message)
  return { id = s.id .. (scenario ~= s.kind and ("+" .. scenario) or ""), step = s.step, scenario = scenario,
           status = status, message = message, what = s.what }
end

-- Compares the settled world of sim with the expected one; fills r.diff on a difference.
local function check_world(t, sim, r, expect)
  local refs = references(t)
  local got = inv.normalise(sim:settled_inventory(), refs.keep)
  local d = inv.diff(expect == "seed" and refs.seed or refs.success, got, expect == "seed" and refs.allowed or nil)
  r.diff = inv.render(d)
  if not inv.empty(d) then
    r.status = "fail"
    r.message = (expect == "seed" and "the world is not as the seed left it" or
      "the world differs from the success path's end")
    r.diff_data = d
    return false
  end
  return true
end

local function attach_run(r, state_dir, log)
  local _, records = child.run_of(state_dir)
  r.journal = M.journal_excerpt(records)
  r.log = child.log_tail(log, 12)
end

local function fired(sim, n)
  local rules = sim:faults()
  local total = 0
  for i = 1, math.min(n, #rules) do total = total + (rules[i].fired or 0) end
  return total > 0
end

-- fault and wait: the run fails and is rolled back to the seed (before the point of no
-- return), or stops with exit 3 and resume finishes it (after).
local function run_fault(t, s, dir)
  return with_sims(function(start)
    local sim = start { seed = t.seed, time_scale = t.time_scale, faults = s.faults }
    local state_dir, log = dir .. "/state", dir .. "/run.log"
    local code = child.run(t, sim.url, state_dir, t.words, log)
    local r = result(s, s.kind, "pass")
    attach_run(r, state_dir, log)
    if not fired(sim, #s.faults) then
      r.status, r.message = "fail", "the injected fault never fired: the step did not make that call this time"
      return r
    end
    if s.at_ponr then
      if code ~= 1 and code ~= 3 then
        r.status, r.message = "fail", ("exit %s, expected 1 or 3"):format(tostring(code or "timeout"))
      end
      r.note = "in the point of no return: only the exit code is checked"
      return r
    end
    if not s.after_ponr then
      check_world(t, sim, r, "seed")
      if code ~= 1 then   -- the exit code says more than the world (a fault the run survived)
        r.status, r.message = "fail", ("exit %s, expected 1 (failed and rolled back)%s"):format(
          tostring(code or "timeout"), code == 0 and ": the run succeeded despite the fault" or "")
      end
      return r
    end
    if code ~= 3 then
      r.status, r.message = "fail", ("exit %s, expected 3 (stopped after the point of no return)"):format(tostring(code or "timeout"))
      return r
    end
    local id = child.run_of(state_dir)
    local rcode = child.run(t, sim.url, state_dir, { "resume", id }, log)
    attach_run(r, state_dir, log)
    if rcode ~= 0 then
      r.status, r.message = "fail", ("resume after the fault: exit %s, expected 0"):format(tostring(rcode or "timeout"))
      return r
    end
    check_world(t, sim, r, "success")
    return r
  end)
end

local function copy_file(from, to)
  local text, err = sys.read_file(from)
  if not text then error(err, 0) end
  sys.write_file(to, text)
end

-- kill: wfrun is killed -9 while the step's chosen call is held by a latency rule; then
-- resume must reach the success path's end and, from a copy of the same world and
-- journal, rollback the seed's (only resume after the point of no return).
local function run_kill(t, s, dir)
  return with_sims(function(start)
    local world1, world2 = dir .. "/world.json", dir .. "/world-copy.json"
    local sim = start { seed = t.seed, time_scale = t.time_scale, faults = s.faults, state = world1 }
    local state1, state2 = dir .. "/state", dir .. "/state-copy"
    local log1, log2 = dir .. "/resume.log", dir .. "/rollback.log"
    local pid = child.spawn(t, sim.url, state1, t.words, log1)
    local deadline = interrupt.now() + t.timeout
    local ended
    while not fired(sim, 1) do
      ended = sys.wait(pid)
      if ended or interrupt.now() > deadline then break end
      interrupt.sleep(0.02)
    end
    local resume_r, rollback_r = result(s, "resume", "pass"), result(s, "rollback", "pass")
    if ended or not fired(sim, 1) then
      if not ended then sys.signal(pid, "KILL"); sys.wait(pid, true) end
      resume_r.status, resume_r.message = "fail", ("the run never reached the kill point (%s)"):format(
        ended and ("it ended with exit " .. ended) or "timed out")
      attach_run(resume_r, state1, log1)
      return { resume_r }
    end
    sys.signal(pid, "KILL")
    sys.wait(pid, true)
    -- the held call completes on awssim's side (the client is gone), as after a real crash
    local wait_until = interrupt.now() + s.faults[1].latency_ms / 1000 + 5
    repeat
      local n = 0
      for _, e in ipairs(sim:requests()) do if e.step == s.step then n = n + 1 end end
      if n >= s.kill_at then break end
      interrupt.sleep(0.05)
    until interrupt.now() > wait_until
    local id, records = child.run_of(state1)
    local killed = state.replay(records)
    local after_ponr = killed.ponr ~= nil or s.at_ponr
    local procs = {}
    procs[#procs + 1] = { r = resume_r, sim = sim, state = state1, log = log1, words = { "resume", id }, want = 0, expect = "success" }
    if not after_ponr then
      sim:save()
      copy_file(world1, world2)
      sys.mkdir_p(state.run_dir(state2, id))
      copy_file(state.journal_path(state1, id), state.journal_path(state2, id))
      local sim2 = start { seed = t.seed, time_scale = t.time_scale, state = world2 }
      procs[#procs + 1] = { r = rollback_r, sim = sim2, state = state2, log = log2, words = { "rollback", id }, want = 1, expect = "seed" }
    end
    for _, p in ipairs(procs) do p.pid = child.spawn(t, p.sim.url, p.state, p.words, p.log) end
    local out = {}
    for _, p in ipairs(procs) do
      local code = child.wait(p.pid, t.timeout)
      attach_run(p.r, p.state, p.log)
      if code ~= p.want then
        p.r.status, p.r.message = "fail", ("%s after the kill: exit %s, expected %d"):format(p.words[1],
          tostring(code or "timeout"), p.want)
      end
      if not after_ponr or p.expect == "success" then
        check_world(t, p.sim, p.r, p.expect)
      end
      if after_ponr then p.r.note = "after the point of no return: resume only" end
      out[#out + 1] = p.r
    end
    return out
  end)
end

-- Runs one scenario in its own directory; a list of results (kill gives two).
function M.scenario(t, s)
  local dir = t.dir .. "/" .. s.id:gsub("[^%w_.-]", "_")
  sys.mkdir_p(dir)
  local t0 = interrupt.now()
  local ok, res = pcall(s.kind == "kill" and run_kill or run_fault, t, s, dir)
  if not ok then
    res = { result(s, s.kind, "fail", "wfrun test could not run the scenario: " .. errors.message(res)) }
  elseif res.status then
    res = { res }
  end
  for _, r in ipairs(res) do r.seconds = interrupt.now() - t0; r.dir = dir end
  return res
end

-- The success path: a fresh world, the run must exit 0. Writes the seed's and the end's
-- inventories into t.dir and returns { ok, code, records, entries, log, message }.
function M.success(t)
  local dir = t.dir .. "/success"
  sys.mkdir_p(dir)
  return with_sims(function(start)
    local sim = start { seed = t.seed, time_scale = t.time_scale }
    local seed_inv = sim:inventory()
    if (seed_inv.pending_transitions or 0) > 0 then seed_inv = sim:settled_inventory() end
    sys.write_file(t.seed_inventory, json.encode(seed_inv))
    local state_dir, log = dir .. "/state", dir .. "/run.log"
    local t0 = interrupt.now()
    local code = child.run(t, sim.url, state_dir, t.words, log)
    local out = { code = code, seconds = interrupt.now() - t0, log = log, dir = dir }
    local _, records = child.run_of(state_dir)
    out.records, out.entries = records, sim:requests()
    if code ~= 0 then
      out.message = ("the success path failed: exit %s (see %s)"):format(tostring(code or "timeout"), log)
      out.journal, out.log_tail = M.journal_excerpt(records), child.log_tail(log, 20)
      return out
    end
    sys.write_file(t.success_inventory, json.encode(sim:settled_inventory()))
    out.ok = true
    return out
  end)
end

return M
