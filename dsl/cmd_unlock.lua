-- `wfrun unlock ENV --force --reason TEXT`: breaks a run lock whose holder is gone (an agent
-- that died, a kill -9 on another host), and records who broke it, when, why, and whom it
-- belonged to, in the state (<state>/locks/<workflow>@<env>.broken.jsonl and the run's
-- journal) and in the log.
-- A lock cannot tell a dead holder on another host from a live one, so this is a person's
-- decision: without both --force and --reason it refuses (exit 2) and shows the holder.
local clog = require "wf.log"
local interrupt = require "wf.interrupt"
local sys = require "wf.sys"
local errors = require "dsl.errors"
local state = require "dsl.state"

local M = {}

M.USAGE = [[
usage: wfrun unlock ENV --force --reason TEXT [--state=DIR|s3://bucket/prefix]

Breaks the lock of environment ENV (or WORKFLOW@ENV when several workflows hold a lock
there) after its run died without releasing it. The run itself is left as it is: see it
with `wfrun status RUN-ID`, then continue it (`wfrun resume`) or undo it (`wfrun rollback`).
Who broke the lock, when, why and from whom is kept in <state>/locks/WORKFLOW@ENV.broken.jsonl.

  --force        yes, break it (the holder may still be running: check first)
  --reason TEXT  why, recorded with your user name, host and the time]]

local function parse(words)
  local a = {}
  local i = 1
  while i <= #words do
    local w = words[i]
    local value = w:match("^%-%-reason=(.*)$")
    if value then
      a.reason = value
    elseif w == "--reason" then
      i = i + 1
      if words[i] == nil then errors.raise_usage("unlock: --reason needs a text", M.USAGE) end
      a.reason = words[i]
    elseif w == "--force" then
      a.force = true
    elseif w == "--help" or w == "-h" then
      a.help = true
    elseif w:match("^%-") then
      errors.raise_usage(("unlock: unknown option %s"):format(w), M.USAGE)
    elseif a.env then
      errors.raise_usage(("unlock: one ENV only (got %s and %s)"):format(a.env, w), M.USAGE)
    else
      a.env = w
    end
    i = i + 1
  end
  return a
end

-- The lock key ENV names: WORKFLOW@ENV as it is, or the one lock of that environment.
local function find_key(store, env)
  local keys = store:list_locks()
  if env:find("@", 1, true) then
    for _, k in ipairs(keys) do if k == env then return k end end
  else
    local matches = {}
    local suffix = "@" .. state.safe_name(env)
    for _, k in ipairs(keys) do
      if k:sub(-#suffix) == suffix then matches[#matches + 1] = k end
    end
    if #matches == 1 then return matches[1] end
    if #matches > 1 then
      errors.raise_usage(("unlock: several workflows hold a lock on %s: %s; name one as WORKFLOW@ENV")
        :format(env, table.concat(matches, ", ")))
    end
  end
  errors.raise_usage(("unlock: no lock %s in %s (held now: %s)"):format(env, store:describe(),
    #keys > 0 and table.concat(keys, ", ") or "none"))
end

local function describe_holder(h)
  return ("run %s, pid %s on %s, started %s"):format(tostring(h.run_id), tostring(h.pid),
    tostring(h.host), tostring(h.started))
end

-- The record goes into the run's journal too: `wfrun status` shows it, and with S3 state a
-- holder that is still alive after all is stopped at its next record (its conditional put
-- of the journal fails). Best effort: the lock is broken already.
local function note_in_journal(store, run_id, record)
  if not run_id or not store:read_journal(run_id) then return end
  local ok, err = pcall(function()
    local j = store:open_journal(run_id)
    j:append(record)
    j:close()
  end)
  if not ok then clog.warn(("could not note the broken lock in run %s's journal: %s"):format(run_id, errors.message(err))) end
end

function M.run(opts, words)
  local a = parse(words)
  if a.help or opts.help then
    sys.write_stdout(M.USAGE .. "\n")
    return 0
  end
  if not a.env then errors.raise_usage("unlock: which lock? (ENV or WORKFLOW@ENV)", M.USAGE) end
  local store = state.backend(opts)
  local key = find_key(store, a.env)
  local holder, where = store:read_lock(key)
  if not holder then errors.raise_usage(("unlock: lock %s was released meanwhile"):format(key)) end
  if not a.force or not a.reason or a.reason:match("^%s*$") then
    errors.raise_usage(("unlock: %s is held by %s.\n" ..
      "       Breaking it lets another run start while that one may still be acting; if you are sure it is gone,\n" ..
      "       repeat with --force --reason \"why\" (both are needed; the reason is recorded)")
      :format(where, describe_holder(holder)))
  end
  local record = {
    type = "lock_broken", lock = key, time = sys.iso8601(interrupt.wall()),
    user = sys.getenv("USER") or sys.getenv("LOGNAME") or "unknown", host = sys.hostname(), pid = sys.pid(),
    reason = clog.sanitize(a.reason), previous = holder,
  }
  local ok, why = store:break_lock(key, holder, record)
  if not ok then
    error({ kind = "locked", message = ("unlock: did not break %s: %s"):format(where, why) }, 0)
  end
  clog.warn(("lock %s broken by %s on %s: %s (it was held by %s)")
    :format(where, record.user, record.host, record.reason, describe_holder(holder)))
  note_in_journal(store, holder.run_id, record)
  if holder.run_id then
    local option = store:option() ~= "" and (" " .. store:option()) or ""
    sys.write_stderr(("wfrun: the run is left as it was; see it with: wfrun status %s%s\n"):format(holder.run_id, option))
  end
  return 0
end

return M
