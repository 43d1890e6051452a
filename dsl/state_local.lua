-- The local state backend: journals and locks in a directory of this machine.
--   <dir>/runs/<run-id>/journal.jsonl        the run's journal (engine/journal.c, fsync per record)
--   <dir>/locks/<workflow>@<env>.lock         the run lock (engine/lock.c, stale after a dead pid)
--   <dir>/locks/<workflow>@<env>.broken.jsonl who broke the lock with `wfrun unlock`, and why
-- dsl/state.lua picks a backend; dsl/state_s3.lua is the shared one. Both offer the same
-- methods, documented here.
local journal = require "wf.journal"
local json = require "wf.json"
local lock = require "wf.lock"
local sys = require "wf.sys"
local state = require "dsl.state"   -- the directory layout

local Local = {}
Local.__index = Local

local M = {}

function M.new(dir)
  return setmetatable({ dir = dir, kind = "local" }, Local)
end

-- Where the state is, for messages.
function Local:describe() return self.dir end

-- The global option that names this state again, for the hints in messages ("" for the
-- default .wfrun).
function Local:option()
  if self.dir == ".wfrun" then return "" end
  return "--state=" .. self.dir
end

-- Run ids, in name order.
function Local:list_runs()
  return state.list_runs(self.dir)
end

function Local:journal_path(run_id) return state.journal_path(self.dir, run_id) end

-- The journal's records and whether its last line was torn; nil and a message when the
-- run does not exist.
function Local:read_journal(run_id)
  local path = self:journal_path(run_id)
  if sys.exists(path) ~= "file" then return nil, ("no run %s in %s"):format(run_id, self.dir) end
  local records, torn = journal.read(path)
  return records, torn, path
end

-- The journal opened for appending: j:append(record) is durable when it returns; j:close().
function Local:open_journal(run_id)
  return journal.open(self:journal_path(run_id))
end

function Local:lock_file(key) return ("%s/locks/%s.lock"):format(self.dir, key) end
-- Where lock key lives, for messages.
Local.where_lock = Local.lock_file

-- Takes lock key for run_id. Returns a handle for release, or false and the holder
-- {run_id, host, pid, started} when a live run holds it; the third result is the holder of
-- a stale lock taken over (its process is gone on this host).
function Local:acquire_lock(key, run_id)
  local path = self:lock_file(key)
  local ok, took_stale, stale_holder = lock.acquire(path, run_id)
  if not ok then return false, took_stale end   -- the second result is the holder
  return { path = path, run_id = run_id, where = path }, nil, took_stale and stale_holder or nil
end

function Local:release_lock(handle)
  return lock.release(handle.path, handle.run_id)
end

-- Lock keys (<workflow>@<env>) that are held now.
function Local:list_locks()
  local keys = {}
  for _, name in ipairs(sys.list_dir(self.dir .. "/locks")) do
    local key = name:match("^(.+)%.lock$")
    if key then keys[#keys + 1] = key end
  end
  return keys
end

-- The holder of lock key ({run_id, host, pid, started}, or {} when unreadable), or nil.
function Local:read_lock(key)
  local path = self:lock_file(key)
  if sys.exists(path) ~= "file" then return nil end
  local ok, holder = pcall(json.decode, sys.read_file(path))
  if not ok or type(holder) ~= "table" then holder = {} end
  return holder, path
end

-- Removes lock key if it still holds what read_lock returned (expected), then appends
-- record to the lock's broken log. Returns true, or false and why.
function Local:break_lock(key, expected, record)
  local now = self:read_lock(key)
  if not now then return false, "the lock was released meanwhile" end
  if now.run_id ~= expected.run_id then
    return false, ("the lock changed meanwhile: now held by run %s"):format(tostring(now.run_id))
  end
  if not sys.remove(self:lock_file(key)) then
    return false, "cannot remove " .. self:lock_file(key)
  end
  local log = journal.open(("%s/locks/%s.broken.jsonl"):format(self.dir, key))
  log:append(record)
  log:close()
  return true
end

-- The broken-lock records of key, oldest first.
function Local:lock_breaks(key)
  local path = ("%s/locks/%s.broken.jsonl"):format(self.dir, key)
  if sys.exists(path) ~= "file" then return {} end
  return (journal.read(path))
end

return M
