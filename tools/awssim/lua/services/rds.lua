-- RDS: DB instances (creating -> available -> deleting -> gone, modifying, backing-up
-- while a snapshot is taken), DB snapshots (creating -> available), copies, restores that
-- really carry the snapshot's data, and tags by ARN.
--
-- Kinds (ids): rds.db_instance (DBInstanceIdentifier), rds.db_snapshot
-- (DBSnapshotIdentifier). Both hold boto3's DBInstance / DBSnapshot shapes plus two fields
-- AWS has no API member for, so they show in the inventory only: SimulatedData (what the
-- database "contains": any JSON from the seed, carried by snapshots and restores) and, on
-- restored instances, SourceDBSnapshotIdentifier.
local sim = require "sim"
local world = require "world"
local describe = require "describe"

local M = { ops = {}, hooks = {} }

-- Sim seconds (a seed's "rds": {"durations": {...}} overrides).
M.durations = {
  instance_create = 600,     -- creating -> available (new or restored)
  instance_modify = 60,      -- modifying -> available
  instance_delete = 300,     -- deleting -> gone
  snapshot_create = 300,     -- creating -> available (also the instance's backing-up)
  snapshot_copy = 300,
}

local PORTS = { mysql = 3306, mariadb = 3306, postgres = 5432, ["aurora-mysql"] = 3306,
                ["aurora-postgresql"] = 5432, ["sqlserver-ee"] = 1433, ["sqlserver-se"] = 1433,
                ["sqlserver-ex"] = 1433, ["sqlserver-web"] = 1433, ["oracle-ee"] = 1521,
                ["oracle-se2"] = 1521 }

local ENGINE_VERSIONS = { mysql = "8.0.35", mariadb = "10.11.6", postgres = "16.1" }

local function data() return world.data("rds") end

local function duration(name)
  local d = data().durations
  return (d and d[name]) or M.durations[name]
end

local function config() return sim.config() end

local function arn(kind, id)
  return ("arn:aws:rds:%s:%s:%s:%s"):format(config().region, config().account, kind, id)
end

-- RDS identifiers: a letter, then letters, digits and single hyphens; stored lower case.
local function check_identifier(id, param)
  if type(id) ~= "string" or #id < 1 or #id > 255 or not id:match("^%a[%w%-]*$")
     or id:find("--", 1, true) or id:sub(-1) == "-" then
    sim.error("InvalidParameterValue",
              ("The parameter %s is not a valid identifier. Identifiers must begin with a "
               .. "letter; must contain only ASCII letters, digits, and hyphens; and must not "
               .. "end with a hyphen or contain two consecutive hyphens."):format(param))
  end
  return id:lower()
end

function M.get_instance(id)
  local db = type(id) == "string" and world.get("rds.db_instance", id:lower())
  if not db then
    sim.error("DBInstanceNotFound", ("DBInstance %s not found."):format(tostring(id)), 404)
  end
  return db
end

function M.get_snapshot(id)
  local s = type(id) == "string" and world.get("rds.db_snapshot", id:lower())
  if not s then
    -- A snapshot may also be named by its ARN.
    local name = type(id) == "string" and id:match("^arn:aws:rds:[^:]*:[^:]*:snapshot:(.+)$")
    s = name and world.get("rds.db_snapshot", name:lower())
  end
  if not s then
    sim.error("DBSnapshotNotFound", ("DBSnapshot %s not found."):format(tostring(id)), 404)
  end
  return s
end

local function set_status(db, status)
  db.DBInstanceStatus = status
end

-- ---- instances ------------------------------------------------------------------------

local function endpoint_for(id, engine, port)
  return { Address = ("%s.c%s.%s.rds.amazonaws.com"):format(id, sim.md5_hex("awssim:" .. config().account):sub(1, 12),
                                                          config().region),
           Port = port or PORTS[engine] or 3306, HostedZoneId = "Z2R2ITUGPM61AM" }
end

local function vpc_groups(ids)
  local out = sim.array {}
  for _, id in ipairs(ids or {}) do out[#out + 1] = { VpcSecurityGroupId = id, Status = "active" } end
  return out
end

-- A new DB instance in state creating (available after instance_create seconds).
-- fields: DBInstanceIdentifier, DBInstanceClass, Engine, EngineVersion, MasterUsername,
-- DBName, AllocatedStorage, Port, MultiAZ, StorageType, VpcSecurityGroupIds, Tags,
-- DeletionProtection, PubliclyAccessible, AvailabilityZone, SimulatedData,
-- SourceDBSnapshotIdentifier, BackupRetentionPeriod, CopyTagsToSnapshot.
function M.create_instance(fields)
  local id = check_identifier(fields.DBInstanceIdentifier, "DBInstanceIdentifier")
  if world.get("rds.db_instance", id) then
    sim.error("DBInstanceAlreadyExists", "DB instance already exists", 400)
  end
  local engine = fields.Engine or "mysql"
  local db = {
    DBInstanceIdentifier = id,
    DBInstanceClass = fields.DBInstanceClass or "db.t3.micro",
    Engine = engine,
    EngineVersion = fields.EngineVersion or ENGINE_VERSIONS[engine] or "1.0",
    DBInstanceStatus = "creating",
    MasterUsername = fields.MasterUsername or "admin",
    DBName = fields.DBName,
    AllocatedStorage = fields.AllocatedStorage or 20,
    InstanceCreateTime = sim.now(),
    PreferredBackupWindow = "03:00-03:30",
    BackupRetentionPeriod = fields.BackupRetentionPeriod or 1,
    DBSecurityGroups = sim.array {},
    VpcSecurityGroups = vpc_groups(fields.VpcSecurityGroupIds),
    DBParameterGroups = { { DBParameterGroupName = "default." .. engine, ParameterApplyStatus = "in-sync" } },
    AvailabilityZone = fields.AvailabilityZone or (config().region .. "a"),
    PreferredMaintenanceWindow = "sun:05:00-sun:05:30",
    PendingModifiedValues = {},
    MultiAZ = fields.MultiAZ or false,
    AutoMinorVersionUpgrade = true,
    ReadReplicaDBInstanceIdentifiers = sim.array {},
    LicenseModel = engine:match("^postgres") and "postgresql-license" or "general-public-license",
    PubliclyAccessible = fields.PubliclyAccessible or false,
    StorageType = fields.StorageType or "gp3",
    DbInstancePort = 0,
    StorageEncrypted = fields.StorageEncrypted or false,
    DbiResourceId = "db-" .. sim.md5_hex("awssim-dbi:" .. id .. ":" .. sim.now()):sub(1, 26):upper(),
    CACertificateIdentifier = "rds-ca-rsa2048-g1",
    CopyTagsToSnapshot = fields.CopyTagsToSnapshot or false,
    DBInstanceArn = arn("db", id),
    IAMDatabaseAuthenticationEnabled = false,
    PerformanceInsightsEnabled = false,
    DeletionProtection = fields.DeletionProtection or false,
    TagList = fields.Tags or sim.array {},
    NetworkType = "IPV4",
    SimulatedData = fields.SimulatedData,
    SourceDBSnapshotIdentifier = fields.SourceDBSnapshotIdentifier,
    _port = fields.Port,
  }
  world.put("rds.db_instance", id, db)
  world.after(duration("instance_create"), "rds.db_instance", id, nil, "rds.instance_available")
  return db
end

function M.hooks.instance_available(db)
  if not db then return end
  set_status(db, "available")
  db.Endpoint = endpoint_for(db.DBInstanceIdentifier, db.Engine, db._port)
  db.LatestRestorableTime = sim.now()
end

-- Restores a snapshot into a new instance (RestoreDBInstanceFromDBSnapshot and
-- CloudFormation's DBSnapshotIdentifier). overrides: the restore request's members.
function M.restore_instance(snapshot_id, overrides)
  local snap = M.get_snapshot(snapshot_id)
  if snap.Status ~= "available" then
    sim.error("InvalidDBSnapshotState",
              ("Snapshot %s is not in available state (%s)."):format(snap.DBSnapshotIdentifier, snap.Status))
  end
  local fields = {}
  for k, v in pairs(overrides) do fields[k] = v end
  fields.Engine = fields.Engine or snap.Engine
  fields.EngineVersion = snap.EngineVersion
  fields.MasterUsername = snap.MasterUsername
  fields.AllocatedStorage = fields.AllocatedStorage or snap.AllocatedStorage
  fields.DBInstanceClass = fields.DBInstanceClass or snap._class
  fields.DBName = fields.DBName or snap._db_name
  fields.Port = fields.Port or snap.Port
  fields.StorageEncrypted = snap.Encrypted
  fields.SimulatedData = describe.copy(snap.SimulatedData)
  fields.SourceDBSnapshotIdentifier = snap.DBSnapshotIdentifier
  return M.create_instance(fields)
end

-- Starts deleting an instance; a final snapshot first when asked. Returns the instance.
function M.delete_instance(id, skip_final, final_snapshot_id)
  local db = M.get_instance(id)
  if db.DeletionProtection then
    sim.error("InvalidParameterCombination",
              "Cannot delete protected DB Instance, please disable deletion protection and try again.")
  end
  if db.DBInstanceStatus == "deleting" then
    sim.error("InvalidDBInstanceState", ("Instance %s is already being deleted."):format(db.DBInstanceIdentifier))
  end
  if not skip_final and not final_snapshot_id then
    sim.error("InvalidParameterCombination",
              "FinalDBSnapshotIdentifier is required unless SkipFinalSnapshot is specified.")
  end
  local ok_states = { available = true, failed = true, stopped = true, ["storage-full"] = true,
                      ["incompatible-parameters"] = true, ["incompatible-restore"] = true,
                      ["inaccessible-encryption-credentials"] = true, creating = skip_final,
                      modifying = true }
  if not ok_states[db.DBInstanceStatus] then
    sim.error("InvalidDBInstanceState",
              ("Instance %s is not in a state from which it can be deleted (%s)."):format(
                db.DBInstanceIdentifier, db.DBInstanceStatus))
  end
  if not skip_final then
    local snap_id = check_identifier(final_snapshot_id, "FinalDBSnapshotIdentifier")
    if world.get("rds.db_snapshot", snap_id) then
      sim.error("DBSnapshotAlreadyExists", ("Cannot create the snapshot because a snapshot with "
                .. "the identifier %s already exists."):format(snap_id), 400)
    end
    M.snapshot_instance(db, snap_id, nil, "manual")
  end
  world.cancel("rds.db_instance", db.DBInstanceIdentifier)
  set_status(db, "deleting")
  world.after(duration("instance_delete"), "rds.db_instance", db.DBInstanceIdentifier,
              { _delete = true })
  return db
end

local function instance_view(db)
  local out = world.public(db)
  out.SimulatedData, out.SourceDBSnapshotIdentifier = nil, nil
  return out
end

local INSTANCE_FILTERS = {
  ["db-instance-id"] = function(d) return { d.DBInstanceIdentifier, d.DBInstanceArn } end,
  engine = function(d) return d.Engine end,
  ["dbi-resource-id"] = function(d) return d.DbiResourceId end,
  ["db-cluster-id"] = function(d) return d.DBClusterIdentifier end,
  ["domain"] = function(d) return nil end,
}

-- RDS filters match values exactly (no wildcards), unlike EC2's.
local function exact_filters(res, filters, fields)
  for _, f in ipairs(filters or {}) do
    local get = fields[f.Name]
    if not get then
      sim.error("InvalidParameterValue", ("Unrecognized filter name: %s."):format(tostring(f.Name)))
    end
    local have = get(res)
    if type(have) ~= "table" then have = { have } end
    local any = false
    for _, want in ipairs(f.Values or {}) do
      for _, h in ipairs(have) do
        if h == want then any = true end
      end
    end
    if not any then return false end
  end
  return true
end

local function marker_page(items, params)
  local max = params.MaxRecords
  if max and (max < 20 or max > 100) then
    sim.error("InvalidParameterValue", "Invalid value for MaxRecords. Must be between 20 and 100")
  end
  return describe.page(items, params.Marker, max or 100, "InvalidParameterValue")
end

function M.ops.DescribeDBInstances(params, ctx)
  local list
  if params.DBInstanceIdentifier then
    list = { M.get_instance(params.DBInstanceIdentifier) }
  else
    list = world.list("rds.db_instance")
  end
  local out = {}
  for _, db in ipairs(list) do
    if exact_filters(db, params.Filters, INSTANCE_FILTERS) then out[#out + 1] = db end
  end
  local page, marker = marker_page(out, params)
  return { DBInstances = describe.map(page, instance_view), Marker = marker }
end

function M.ops.RestoreDBInstanceFromDBSnapshot(params, ctx)
  if not params.DBSnapshotIdentifier then
    sim.error("InvalidParameterCombination", "DBSnapshotIdentifier is required.")
  end
  local fields = {}
  for k, v in pairs(params) do fields[k] = v end
  fields.DBSnapshotIdentifier = nil
  local db = M.restore_instance(params.DBSnapshotIdentifier, fields)
  return { DBInstance = instance_view(db) }
end

function M.ops.DeleteDBInstance(params, ctx)
  local db = M.delete_instance(params.DBInstanceIdentifier, params.SkipFinalSnapshot,
                               params.FinalDBSnapshotIdentifier)
  return { DBInstance = instance_view(db) }
end

-- The members ModifyDBInstance changes, and where they land on the instance.
local MODIFIABLE = { "DBInstanceClass", "AllocatedStorage", "BackupRetentionPeriod",
                     "PreferredBackupWindow", "PreferredMaintenanceWindow", "MultiAZ",
                     "EngineVersion", "AutoMinorVersionUpgrade", "StorageType", "Iops",
                     "CopyTagsToSnapshot", "PubliclyAccessible", "DeletionProtection",
                     "MaxAllocatedStorage", "CACertificateIdentifier" }

function M.ops.ModifyDBInstance(params, ctx)
  local db = M.get_instance(params.DBInstanceIdentifier)
  if db.DBInstanceStatus ~= "available" and db.DBInstanceStatus ~= "modifying" then
    sim.error("InvalidDBInstanceState",
              ("Database instance is not in available state (%s)."):format(db.DBInstanceStatus))
  end
  local new_id
  if params.NewDBInstanceIdentifier then
    new_id = check_identifier(params.NewDBInstanceIdentifier, "NewDBInstanceIdentifier")
    if new_id ~= db.DBInstanceIdentifier and world.get("rds.db_instance", new_id) then
      sim.error("DBInstanceAlreadyExists", "DB instance already exists", 400)
    end
  end
  -- Settings that take effect at once, whatever ApplyImmediately says.
  for _, k in ipairs({ "DeletionProtection", "CopyTagsToSnapshot", "BackupRetentionPeriod",
                       "PreferredBackupWindow", "PreferredMaintenanceWindow",
                       "AutoMinorVersionUpgrade" }) do
    if params[k] ~= nil then db[k] = params[k] end
  end
  if params.VpcSecurityGroupIds then db.VpcSecurityGroups = vpc_groups(params.VpcSecurityGroupIds) end
  local pending = {}
  local any = false
  for _, k in ipairs(MODIFIABLE) do
    if params[k] ~= nil and db[k] ~= params[k] then pending[k] = params[k]; any = true end
  end
  if params.MasterUserPassword then pending.MasterUserPassword = "****"; any = true end
  if new_id and new_id ~= db.DBInstanceIdentifier then pending.DBInstanceIdentifier = new_id; any = true end
  if not any then return { DBInstance = instance_view(db) } end
  if params.ApplyImmediately then
    set_status(db, pending.DBInstanceIdentifier and "renaming" or "modifying")
    world.after(duration("instance_modify"), "rds.db_instance", db.DBInstanceIdentifier,
                { _apply = pending }, "rds.instance_modified")
    -- The answer shows what is about to change, as RDS does.
    db.PendingModifiedValues = pending
  else
    local pmv = db.PendingModifiedValues or {}
    for k, v in pairs(pending) do pmv[k] = v end
    db.PendingModifiedValues = pmv
  end
  return { DBInstance = instance_view(db) }
end

function M.hooks.instance_modified(db)
  if not db then return end
  local apply = db._apply or {}
  db._apply = nil
  db.PendingModifiedValues = {}
  for k, v in pairs(apply) do
    if k ~= "MasterUserPassword" and k ~= "DBInstanceIdentifier" then db[k] = v end
  end
  set_status(db, "available")
  local new_id = apply.DBInstanceIdentifier
  if new_id then
    world.remove("rds.db_instance", db.DBInstanceIdentifier)
    db.DBInstanceIdentifier = new_id
    db.DBInstanceArn = arn("db", new_id)
    db.Endpoint = endpoint_for(new_id, db.Engine, db._port)
    world.put("rds.db_instance", new_id, db)
  end
end

-- ---- snapshots ------------------------------------------------------------------------

-- A new snapshot of db (creating -> available); the instance is backing-up meanwhile.
function M.snapshot_instance(db, snap_id, tags, snapshot_type)
  local after = duration("snapshot_create")
  local snap = {
    DBSnapshotIdentifier = snap_id,
    DBInstanceIdentifier = db.DBInstanceIdentifier,
    SnapshotCreateTime = sim.now(),
    Engine = db.Engine,
    EngineVersion = db.EngineVersion,
    AllocatedStorage = db.AllocatedStorage,
    Status = "creating",
    Port = (db.Endpoint and db.Endpoint.Port) or db._port or PORTS[db.Engine] or 3306,
    AvailabilityZone = db.AvailabilityZone,
    VpcId = nil,
    InstanceCreateTime = db.InstanceCreateTime,
    MasterUsername = db.MasterUsername,
    LicenseModel = db.LicenseModel,
    SnapshotType = snapshot_type or "manual",
    PercentProgress = 0,
    StorageType = db.StorageType,
    Encrypted = db.StorageEncrypted or false,
    DBSnapshotArn = arn("snapshot", snap_id),
    IAMDatabaseAuthenticationEnabled = false,
    DbiResourceId = db.DbiResourceId,
    TagList = tags or (db.CopyTagsToSnapshot and describe.copy(db.TagList)) or sim.array {},
    OriginalSnapshotCreateTime = sim.now(),
    SnapshotTarget = "region",
    SimulatedData = describe.copy(db.SimulatedData),
    _class = db.DBInstanceClass,
    _db_name = db.DBName,
    _complete_at = sim.now() + after,
  }
  world.put("rds.db_snapshot", snap_id, snap)
  world.after(after, "rds.db_snapshot", snap_id, { Status = "available", PercentProgress = 100 },
              "rds.snapshot_available")
  if db.DBInstanceStatus == "available" then
    set_status(db, "backing-up")
    snap._instance_backing_up = true
  end
  return snap
end

function M.hooks.snapshot_available(snap)
  if not snap or not snap._instance_backing_up then return end
  snap._instance_backing_up = nil
  local db = world.get("rds.db_instance", snap.DBInstanceIdentifier)
  if db and db.DBInstanceStatus == "backing-up" then set_status(db, "available") end
end

local function snapshot_view(snap)
  local out = world.public(snap)
  if snap.Status == "creating" and snap._complete_at then
    local total = snap._complete_at - snap.SnapshotCreateTime
    local done = total > 0 and (sim.now() - snap.SnapshotCreateTime) / total or 1
    out.PercentProgress = math.max(0, math.min(99, math.floor(done * 100)))
  end
  out.SimulatedData = nil
  return out
end

function M.ops.CreateDBSnapshot(params, ctx)
  local db = M.get_instance(params.DBInstanceIdentifier)
  local snap_id = check_identifier(params.DBSnapshotIdentifier, "DBSnapshotIdentifier")
  if world.get("rds.db_snapshot", snap_id) then
    sim.error("DBSnapshotAlreadyExists", ("Cannot create the snapshot because a snapshot with "
              .. "the identifier %s already exists."):format(snap_id), 400)
  end
  if db.DBInstanceStatus ~= "available" then
    sim.error("InvalidDBInstanceState",
              ("Cannot create a snapshot because the database instance %s is not currently in "
               .. "the available state."):format(db.DBInstanceIdentifier))
  end
  local tags = params.Tags and #params.Tags > 0 and describe.copy(params.Tags) or nil
  local snap = M.snapshot_instance(db, snap_id, tags, "manual")
  return { DBSnapshot = snapshot_view(snap) }
end

function M.ops.CopyDBSnapshot(params, ctx)
  local src = M.get_snapshot(params.SourceDBSnapshotIdentifier)
  local target = check_identifier(params.TargetDBSnapshotIdentifier, "TargetDBSnapshotIdentifier")
  if world.get("rds.db_snapshot", target) then
    sim.error("DBSnapshotAlreadyExists", ("Cannot create the snapshot because a snapshot with "
              .. "the identifier %s already exists."):format(target), 400)
  end
  if src.Status ~= "available" then
    sim.error("InvalidDBSnapshotState",
              ("Snapshot %s is not in available state."):format(src.DBSnapshotIdentifier))
  end
  local copy = describe.copy(src)
  local after = duration("snapshot_copy")
  copy.DBSnapshotIdentifier = target
  copy.DBSnapshotArn = arn("snapshot", target)
  copy.Status = "creating"
  copy.PercentProgress = 0
  copy.SnapshotType = "manual"
  copy.SnapshotCreateTime = sim.now()
  copy.SourceDBSnapshotIdentifier = src.DBSnapshotArn
  copy.SourceRegion = config().region
  copy.TagList = params.CopyTags and describe.copy(src.TagList) or sim.array {}
  describe.merge_tags(copy.TagList, params.Tags)
  copy._complete_at = sim.now() + after
  copy._instance_backing_up = nil
  copy._seq = nil
  world.put("rds.db_snapshot", target, copy)
  world.after(after, "rds.db_snapshot", target, { Status = "available", PercentProgress = 100 })
  return { DBSnapshot = snapshot_view(copy) }
end

-- RDS deletes available (and failed) snapshots, and terminates a copy in progress; a
-- snapshot of an instance that is still creating is refused (InvalidDBSnapshotState).
function M.ops.DeleteDBSnapshot(params, ctx)
  local snap = M.get_snapshot(params.DBSnapshotIdentifier)
  local copying = snap.Status == "creating" and snap.SourceDBSnapshotIdentifier ~= nil
  if snap.Status ~= "available" and snap.Status ~= "failed" and not copying then
    sim.error("InvalidDBSnapshotState",
              ("Cannot delete the snapshot because it is not in available state (%s)."):format(snap.Status))
  end
  world.cancel("rds.db_snapshot", snap.DBSnapshotIdentifier)
  world.remove("rds.db_snapshot", snap.DBSnapshotIdentifier)
  local out = snapshot_view(snap)
  out.Status = "deleted"
  return { DBSnapshot = out }
end

local SNAPSHOT_FILTERS = {
  ["db-instance-id"] = function(s) return { s.DBInstanceIdentifier, arn("db", s.DBInstanceIdentifier) } end,
  ["db-snapshot-id"] = function(s) return { s.DBSnapshotIdentifier, s.DBSnapshotArn } end,
  ["snapshot-type"] = function(s) return s.SnapshotType end,
  engine = function(s) return s.Engine end,
  ["dbi-resource-id"] = function(s) return s.DbiResourceId end,
}

function M.ops.DescribeDBSnapshots(params, ctx)
  local list
  if params.DBSnapshotIdentifier then
    list = { M.get_snapshot(params.DBSnapshotIdentifier) }
  else
    list = world.list("rds.db_snapshot")
  end
  local out = {}
  local inst = params.DBInstanceIdentifier and params.DBInstanceIdentifier:lower()
  for _, s in ipairs(list) do
    if (not inst or s.DBInstanceIdentifier == inst)
       and (not params.SnapshotType or s.SnapshotType == params.SnapshotType)
       and (not params.DbiResourceId or s.DbiResourceId == params.DbiResourceId)
       and exact_filters(s, params.Filters, SNAPSHOT_FILTERS) then
      out[#out + 1] = s
    end
  end
  local page, marker = marker_page(out, params)
  return { DBSnapshots = describe.map(page, snapshot_view), Marker = marker }
end

-- ---- tags -----------------------------------------------------------------------------

local function tagged_resource(name)
  local kind, id = (name or ""):match("^arn:aws:rds:[^:]*:[^:]*:(%a+):(.+)$")
  if kind == "db" then return M.get_instance(id) end
  if kind == "snapshot" then return M.get_snapshot(id) end
  sim.error("InvalidParameterValue",
            ("The specified resource name does not match an RDS resource in this region."))
end

function M.ops.AddTagsToResource(params, ctx)
  local res = tagged_resource(params.ResourceName)
  res.TagList = describe.merge_tags(res.TagList or sim.array {}, params.Tags)
  return {}
end

function M.ops.ListTagsForResource(params, ctx)
  local res = tagged_resource(params.ResourceName)
  return { TagList = describe.copy(res.TagList or sim.array {}) }
end

-- ---- seed -----------------------------------------------------------------------------

-- Seed section (docs/awssim-resources.md):
-- { "durations": {...},
--   "db_instances": [{ DBInstanceIdentifier, Engine?, DBInstanceClass?, DBName?,
--                      MasterUsername?, AllocatedStorage?, Tags?, SimulatedData?,
--                      DBInstanceStatus? }],
--   "db_snapshots": [{ DBSnapshotIdentifier, DBInstanceIdentifier, Engine?, Tags?,
--                      SimulatedData?, SnapshotCreateTime? }] }
-- Seeded instances and snapshots start available.
function M.seed(section)
  local d = data()
  if section.durations then
    d.durations = d.durations or {}
    for k, v in pairs(section.durations) do d.durations[k] = v end
  end
  for _, f in ipairs(section.db_instances or {}) do
    local db = M.create_instance(f)
    world.cancel("rds.db_instance", db.DBInstanceIdentifier)
    M.hooks.instance_available(db)
    if f.DBInstanceStatus then db.DBInstanceStatus = f.DBInstanceStatus end
  end
  for _, f in ipairs(section.db_snapshots or {}) do
    local source = world.get("rds.db_instance", (f.DBInstanceIdentifier or ""):lower())
    local fake = source or {
      DBInstanceIdentifier = (f.DBInstanceIdentifier or "seeded"):lower(),
      Engine = f.Engine or "mysql", EngineVersion = ENGINE_VERSIONS[f.Engine or "mysql"],
      AllocatedStorage = f.AllocatedStorage or 20, MasterUsername = f.MasterUsername or "admin",
      InstanceCreateTime = sim.now(), DBInstanceStatus = "seed", SimulatedData = f.SimulatedData,
      DBInstanceClass = f.DBInstanceClass or "db.t3.micro",
    }
    local snap = M.snapshot_instance(fake, check_identifier(f.DBSnapshotIdentifier,
                                                            "DBSnapshotIdentifier"),
                                     f.Tags, f.SnapshotType or "manual")
    world.cancel("rds.db_snapshot", snap.DBSnapshotIdentifier)
    snap.Status, snap.PercentProgress = "available", 100
    M.hooks.snapshot_available(snap)
    if f.SimulatedData then snap.SimulatedData = f.SimulatedData end
    if f.SnapshotCreateTime then
      snap.SnapshotCreateTime = sim.parse_time(f.SnapshotCreateTime) or snap.SnapshotCreateTime
    end
  end
end

return M
