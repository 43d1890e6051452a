-- RDS: manual DB snapshots (create, wait until available with progress, delete) and the
-- checks a clone makes of a database restored from one.
--
--   local rds = require "stdlib.rds"
--   local id = rds.snapshot_id("prod", "for-clone-to", "qa", ctx.timestamp)
--   ctx.save { snapshot = id }                 -- before creating: undo finds it after a crash
--   rds.create_snapshot { db = "api-prod-db", id = id }
--   rds.wait_snapshot(id, { timeout = "50m" })
local awscall = require "stdlib.awscall"
local awstime = require "stdlib.awstime"
local primitives = require "dsl.primitives"
local pace = require "stdlib.pace"
local facts = require "dsl.facts"

local M = {}

local function aws() return awscall.client() end
local function log() return primitives.public.log end
local function wait_poll(a) return primitives.public.wait.poll(pace.poll(a)) end

-- Snapshot states after which a snapshot will never become available.
local SNAPSHOT_FAILED = { failed = true, deleted = true, deleting = true,
  ["incompatible-restore"] = true, ["incompatible-parameters"] = true }

-- A valid DB snapshot identifier from parts joined by "-": RDS stores identifiers in lower
-- case, allows letters, digits and single hyphens, starts with a letter, at most 255.
function M.snapshot_id(...)
  local parts = { ... }
  for i, p in ipairs(parts) do parts[i] = tostring(p) end
  local id = table.concat(parts, "-"):lower():gsub("[^%w-]", "-"):gsub("%-%-+", "-"):gsub("%-$", "")
  if not id:match("^%a") then error(("snapshot id %q must start with a letter"):format(id), 2) end
  if #id > 255 then error(("snapshot id %q is longer than 255 characters"):format(id), 2) end
  return id
end

-- The DB snapshot id (DescribeDBSnapshots' element), or nil when there is none.
function M.snapshot(id)
  local res = awscall.unless({ "DBSnapshotNotFound", "DBSnapshotNotFoundFault" },
    aws().rds.describe_db_snapshots, { DBSnapshotIdentifier = id })
  local snap = res and awscall.list(res, "DBSnapshots")[1] or nil
  facts.record("DB snapshot " .. tostring(id), snap and snap.Status or nil)
  return snap
end

-- The DB instance id (DescribeDBInstances' element), or nil when there is none.
function M.instance(id)
  local res = awscall.unless({ "DBInstanceNotFound", "DBInstanceNotFoundFault" },
    aws().rds.describe_db_instances, { DBInstanceIdentifier = id })
  local db = res and awscall.list(res, "DBInstances")[1] or nil
  facts.record("DB instance " .. tostring(id), db and db.DBInstanceStatus or nil)
  return db
end

-- Starts a manual snapshot id of DB instance db (opts.tags: {Key=, Value=} list). A
-- snapshot of that id that already exists is taken as this one when it is of the same
-- database (a step run again after a crash), and is an error otherwise. Returns the
-- snapshot as DescribeDBSnapshots or CreateDBSnapshot reports it.
function M.create_snapshot(opts)
  assert(type(opts) == "table" and opts.db and opts.id, "rds.create_snapshot{ db =, id = }")
  local function adopt(existing)
    if existing.DBInstanceIdentifier ~= opts.db then
      error(("DB snapshot %s already exists, of database %s, not %s"):format(opts.id,
        tostring(existing.DBInstanceIdentifier), opts.db), 0)
    end
    log().info(("DB snapshot %s of %s already exists (%s)"):format(opts.id, opts.db, tostring(existing.Status)))
    return existing
  end
  local existing = M.snapshot(opts.id)
  if existing then return adopt(existing) end
  local res, err = awscall.unless({ "DBSnapshotAlreadyExists", "DBSnapshotAlreadyExistsFault" }, aws().rds.create_db_snapshot,
    { DBInstanceIdentifier = opts.db, DBSnapshotIdentifier = opts.id, Tags = opts.tags })
  if err then
    -- made meanwhile, e.g. by the request of an attempt killed while it was on its way
    existing = M.snapshot(opts.id)
    if not existing then error(err, 0) end
    return adopt(existing)
  end
  log().info(("creating DB snapshot %s of %s"):format(opts.id, opts.db))
  return type(res) == "table" and res.DBSnapshot or res
end

-- Waits until snapshot id is available, showing its progress (percent); a snapshot that
-- fails or disappears is an error. opts: timeout (default 50m), every (default 15s).
-- Returns the snapshot.
function M.wait_snapshot(id, opts)
  opts = opts or {}
  local last
  wait_poll {
    what = "DB snapshot " .. id .. " available",
    timeout = opts.timeout or "50m", every = opts.every or "15s", max_every = opts.max_every or "60s",
    check = function()
      last = M.snapshot(id)
      if not last then error(("DB snapshot %s disappeared while being created"):format(id), 0) end
      if last.Status == "available" then return true end
      if SNAPSHOT_FAILED[last.Status] then
        error(("DB snapshot %s is %s; it will not become available"):format(id, last.Status), 0)
      end
      local pct = last.PercentProgress and (", %s%%"):format(tostring(last.PercentProgress)) or ""
      return false, tostring(last.Status) .. pct
    end,
  }
  return last
end

-- Deletes snapshot id; nothing to do when it does not exist. A snapshot still being
-- created is waited for first (RDS refuses to delete it until then). Returns true when
-- something was deleted.
function M.delete_snapshot(id, opts)
  opts = opts or {}
  local s = M.snapshot(id)
  if awscall.planning() and not s then
    aws().rds.delete_db_snapshot { DBSnapshotIdentifier = id }   -- a plan lists what the undo would do
    return true
  end
  if not s or s.Status == "deleted" or s.Status == "deleting" then
    log().info(("DB snapshot %s does not exist: nothing to delete"):format(id))
    return false
  end
  if s.Status == "creating" then
    wait_poll {
      what = "DB snapshot " .. id .. " to finish creating before it is deleted",
      timeout = opts.timeout or "50m", every = opts.every or "15s", max_every = "60s",
      check = function()
        local cur = M.snapshot(id)
        return not cur or cur.Status ~= "creating", cur and cur.Status or "gone"
      end,
    }
  end
  local _, err = awscall.unless({ "DBSnapshotNotFound", "DBSnapshotNotFoundFault" },
    aws().rds.delete_db_snapshot, { DBSnapshotIdentifier = id })
  if err then return false end
  log().info(("deleted DB snapshot %s"):format(id))
  return true
end

-- Waits until DB instance id is available. Returns it.
function M.wait_instance(id, opts)
  opts = opts or {}
  local last
  wait_poll {
    what = "DB instance " .. id .. " available",
    timeout = opts.timeout or "60m", every = opts.every or "15s", max_every = "60s",
    check = function()
      last = M.instance(id)
      if not last then return false, "not found" end
      local st = last.DBInstanceStatus
      if st == "failed" or st == "incompatible-restore" or st == "incompatible-parameters" then
        error(("DB instance %s is %s"):format(id, st), 0)
      end
      return st == "available", st
    end,
  }
  return last
end

-- Why DB instance db does not look restored from snapshot (pure: both as described by
-- RDS), as a list of reasons; empty when everything checked agrees. Checked: the
-- snapshot is available, the engines match, the instance has at least the snapshot's
-- storage, and the instance was created after the snapshot was taken.
function M.restore_mismatches(db, snapshot)
  local why = {}
  if snapshot.Status ~= "available" then
    why[#why + 1] = ("snapshot %s is %s"):format(snapshot.DBSnapshotIdentifier, tostring(snapshot.Status))
  end
  if db.Engine ~= snapshot.Engine then
    why[#why + 1] = ("engine %s differs from the snapshot's %s"):format(tostring(db.Engine), tostring(snapshot.Engine))
  end
  if math.type(db.AllocatedStorage) and math.type(snapshot.AllocatedStorage) and db.AllocatedStorage < snapshot.AllocatedStorage then
    why[#why + 1] = ("storage %d GiB is less than the snapshot's %d GiB"):format(db.AllocatedStorage, snapshot.AllocatedStorage)
  end
  local created, taken = awstime.parse(db.InstanceCreateTime), awstime.parse(snapshot.SnapshotCreateTime)
  if created and taken and created < taken then
    why[#why + 1] = ("it was created (%s) before the snapshot was taken (%s)")
      :format(tostring(db.InstanceCreateTime), tostring(snapshot.SnapshotCreateTime))
  end
  if db.DBInstanceIdentifier == snapshot.DBInstanceIdentifier then
    why[#why + 1] = ("it is the snapshot's own source database %s"):format(db.DBInstanceIdentifier)
  end
  return why
end

-- Checks that DB instance db_id is available and was restored from snapshot_id (see
-- restore_mismatches); raises an error listing every mismatch. Returns the instance.
function M.check_restored_from(db_id, snapshot_id)
  local db = M.instance(db_id)
  if not db then error(("DB instance %s does not exist"):format(db_id), 0) end
  if db.DBInstanceStatus ~= "available" then
    error(("DB instance %s is %s, not available"):format(db_id, tostring(db.DBInstanceStatus)), 0)
  end
  local snap = M.snapshot(snapshot_id)
  if not snap then error(("DB snapshot %s does not exist"):format(snapshot_id), 0) end
  local why = M.restore_mismatches(db, snap)
  if #why > 0 then
    error(("DB instance %s does not look restored from snapshot %s: %s"):format(db_id, snapshot_id,
      table.concat(why, "; ")), 0)
  end
  return db
end

return M
