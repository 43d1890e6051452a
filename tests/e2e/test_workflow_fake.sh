# The shipped workflows against an in-process fake AWS: their logic (what each step calls,
# what each undo puts back, the plans, the messages) tested without a simulator. The fake
# stands in for the AWS client's one call function (dsl/aws.lua's M.call, the seam meant
# for tests) in a copy of dsl/ under WFRUN_LUA_DIR; its world lives in the wfrun process
# and is written out before and after each run (before.txt, after.txt), so every state
# change is instantaneous and crash tests are left to the awssim tests.
. "$WF_SOURCE_DIR/tests/e2e/lib.sh"
WF="$WF_SOURCE_DIR/workflows"
export WFRUN_TIME_SCALE=600 WFRUN_API_PUBLIC_URL="http://{env}.fake"
unset WFRUN_SIM_URL

mkdir -p lua/dsl
for f in "$WF_SOURCE_DIR"/dsl/*.lua; do
    case $(basename "$f") in aws.lua|main.lua) ;; *) ln -s "$f" lua/dsl/ ;; esac
done
ln -s "$WF_SOURCE_DIR/stdlib" lua/stdlib
export WFRUN_LUA_DIR="$SCRATCH/lua" FAKE_DIR="$SCRATCH/lua" REAL_DSL="$WF_SOURCE_DIR/dsl"

cat > lua/dsl/aws.lua <<'EOF'
-- the real dsl/aws.lua, its wire call replaced by the fake world
local M = assert(loadfile(os.getenv("REAL_DSL") .. "/aws.lua"))()
local fake = dofile(os.getenv("FAKE_DIR") .. "/fake_world.lua")
M.call = function(service, op, params)
  local fn = fake[service] and fake[service][op]
  if not fn then error({ kind = "aws", code = "NotImplemented", message = "fake: " .. service .. ":" .. op }, 0) end
  return fn(params or {})
end
M.fake = fake
return M
EOF
cat > lua/dsl/main.lua <<'EOF'
-- the real dsl/main.lua; the fake's faults from FAKE_FAIL ("Op" or "Op#N": its Nth call
-- fails), its smoke URLs answered by a fake http.get, its world dumped around the run
local real = assert(loadfile(os.getenv("REAL_DSL") .. "/main.lua"))()
local M = setmetatable({}, { __index = real })
local function write(path, text) local f = assert(io.open(path, "w")); f:write(text .. "\n"); f:close() end
M.main = function(argv)
  local aws = require "dsl.aws"
  local primitives = require "dsl.primitives"
  primitives.public.http.get = primitives.wrap("http.get", function(a)
    if a.url:match("%.fake/health$") and os.getenv("FAKE_SMOKE") ~= "fail" then return { status = 200, body = "ok", headers = {} } end
    return { status = 503, body = "down", headers = {} }
  end, function() return false end)
  for op in (os.getenv("FAKE_FAIL") or ""):gmatch("[^,]+") do
    local name, nth = op:match("^(%w+)#(%d+)$")
    if name then aws.fake.fail[name] = tonumber(nth) else aws.fake.fail[op] = true end
  end
  write("before.txt", aws.fake.dump())
  local code = real.main(argv)
  write("after.txt", aws.fake.dump())
  return code
end
return M
EOF
cat > lua/fake_world.lua <<'EOF'
-- A tiny instantaneous fake AWS world for ad-hoc tests of the workflows' plumbing.
local F = { log = {} }
local json = require "wf.json"
local function err(code, msg) error({ kind = "aws", code = code, message = msg or code }, 0) end
local n = 0
local function id(prefix) n = n + 1; return ("%s%05d"):format(prefix, n) end
local function now() return os.date("!%Y-%m-%dT%H:%M:%S.000Z", os.time() + n) end
local FAIL = {}   -- op -> true: fail next call
F.fail = FAIL
local function maybe_fail(op)
  local f = FAIL[op]
  if f == true or f == 1 then FAIL[op] = nil; err("Injected", "injected failure of " .. op) end
  if type(f) == "number" then FAIL[op] = f - 1 end
end

local W = { stacks = {}, dbs = {}, snaps = {}, buckets = {}, groups = {}, images = {}, lts = {}, instances = {} }
F.W = W
local md5 = function(s) return require("wf.sys").sha256_hex(s):sub(1, 32) end

-- images
for i, d in ipairs({ "2026-10-20", "2026-11-05", "2026-11-19" }) do
  local iid = ("ami-0a91000000000000%d"):format(i)
  W.images[iid] = { ImageId = iid, Name = ("api-%sT090000Z"):format(d:gsub("-", "")), State = "available",
    CreationDate = d .. "T09:20:00.000Z", OwnerId = "000000000000",
    BlockDeviceMappings = { { DeviceName = "/dev/sda1", Ebs = { SnapshotId = "snap-" .. i } } } }
end

local function params_map(list) local m = {} for _, p in ipairs(list or {}) do m[p.ParameterKey] = p.ParameterValue end return m end

local function create_resources(s, p)
  local env = p.EnvName
  local dbid = ("api-%s-db"):format(env)
  if W.dbs[dbid] then err("DBInstanceAlreadyExists") end
  local db = { DBInstanceIdentifier = dbid, Engine = "postgres", AllocatedStorage = 20, DBInstanceStatus = "available",
               InstanceCreateTime = now(), data = { users = 3 } }
  if p.DBSnapshotIdentifier and p.DBSnapshotIdentifier ~= "" then
    local snap = W.snaps[p.DBSnapshotIdentifier]
    if not snap then
      s.StackStatus = "ROLLBACK_COMPLETE"
      s.events = { { LogicalResourceId = "Database", ResourceType = "AWS::RDS::DBInstance", ResourceStatus = "CREATE_FAILED",
                     ResourceStatusReason = "DBSnapshot not found: " .. p.DBSnapshotIdentifier } }
      return
    end
    db.data = snap.data
    db.SourceDBSnapshotIdentifier = snap.DBSnapshotIdentifier
  end
  W.dbs[dbid] = db
  local bucket = ("%s-assets-%d"):format(s.StackName, n); n = n + 1
  W.buckets[bucket] = { objects = {} }
  local gname = s.StackName .. "-Group-" .. id("X")
  local g = { AutoScalingGroupName = gname, MinSize = tonumber(p.InstanceCount or "2"), MaxSize = 6,
              DesiredCapacity = tonumber(p.InstanceCount or "2"), SuspendedProcesses = {}, Instances = {},
              LaunchTemplate = { LaunchTemplateName = "api-" .. env, Version = "1" } }
  for i = 1, g.DesiredCapacity do g.Instances[i] = { InstanceId = id("i-"), LifecycleState = "InService", ImageId = p.ImageId } end
  W.groups[gname] = g
  local lt = { LaunchTemplateId = id("lt-"), LaunchTemplateName = "api-" .. env, DefaultVersionNumber = 1, LatestVersionNumber = 1,
               versions = { [1] = { ImageId = p.ImageId } } }
  W.lts[lt.LaunchTemplateId] = lt
  s.res = { { LogicalResourceId = "Database", ResourceType = "AWS::RDS::DBInstance", PhysicalResourceId = dbid, ResourceStatus = "CREATE_COMPLETE" },
            { LogicalResourceId = "Assets", ResourceType = "AWS::S3::Bucket", PhysicalResourceId = bucket, ResourceStatus = "CREATE_COMPLETE" },
            { LogicalResourceId = "Group", ResourceType = "AWS::AutoScaling::AutoScalingGroup", PhysicalResourceId = gname, ResourceStatus = "CREATE_COMPLETE" },
            { LogicalResourceId = "LaunchTemplate", ResourceType = "AWS::EC2::LaunchTemplate", PhysicalResourceId = lt.LaunchTemplateId, ResourceStatus = "CREATE_COMPLETE" } }
  s.Outputs = { { OutputKey = "SmokeTestUrl", OutputValue = (p.PublicUrl or "") .. "/health" },
                { OutputKey = "AssetsBucket", OutputValue = bucket } }
  s.StackStatus = "CREATE_COMPLETE"
end

local function new_stack(name, params, tags)
  local s = { StackName = name, StackId = "arn:stack/" .. name .. "/" .. id(""), Parameters = params, Tags = tags or {},
              StackStatus = "CREATE_IN_PROGRESS", CreationTime = now() }
  W.stacks[s.StackId] = s
  create_resources(s, params_map(params))
  return s
end

-- seed: api-demo
do
  local s = new_stack("api-demo", {
    { ParameterKey = "EnvName", ParameterValue = "demo" }, { ParameterKey = "ImageId", ParameterValue = "ami-0a910000000000003" },
    { ParameterKey = "DBSnapshotIdentifier", ParameterValue = "" }, { ParameterKey = "PublicUrl", ParameterValue = "http://demo.fake" } },
    { { Key = "Component", Value = "api" } })
  local b = W.buckets[s.res[2].PhysicalResourceId]
  for _, k in ipairs({ "index.html", "img/logo.svg", "uploads/café menu.txt" }) do b.objects[k] = { ETag = '"' .. md5(k) .. '"', Size = #k } end
end

local function find_stack(name)
  for sid, s in pairs(W.stacks) do
    if sid == name then return s end
    if s.StackName == name and s.StackStatus ~= "DELETE_COMPLETE" then return s end
  end
end

F.cloudformation = {
  DescribeStacks = function(p)
    local s = find_stack(p.StackName)
    if not s then err("ValidationError", ("Stack with id %s does not exist"):format(p.StackName)) end
    return { Stacks = { s } }
  end,
  ListStackResources = function(p)
    maybe_fail("ListStackResources")
    local s = find_stack(p.StackName)
    if not s then err("ValidationError", ("Stack with id %s does not exist"):format(p.StackName)) end
    return { StackResourceSummaries = s.res or {} }
  end,
  DescribeStackEvents = function(p)
    local s = find_stack(p.StackName)
    local ev = {}
    for _, e in ipairs(s.events or {}) do ev[#ev + 1] = e end
    ev[#ev + 1] = { LogicalResourceId = s.StackName, ResourceType = "AWS::CloudFormation::Stack", ResourceStatus = "CREATE_IN_PROGRESS" }
    return { StackEvents = ev }
  end,
  CreateStack = function(p)
    maybe_fail("CreateStack")
    if find_stack(p.StackName) then err("AlreadyExistsException", "Stack [" .. p.StackName .. "] already exists") end
    local s = new_stack(p.StackName, p.Parameters, p.Tags)
    return { StackId = s.StackId }
  end,
  DeleteStack = function(p)
    maybe_fail("DeleteStack")
    local s = find_stack(p.StackName)
    if not s then return {} end
    for _, r in ipairs(s.res or {}) do
      if r.ResourceType == "AWS::S3::Bucket" and W.buckets[r.PhysicalResourceId] and next(W.buckets[r.PhysicalResourceId].objects) then
        s.StackStatus = "DELETE_FAILED"
        s.events = { { LogicalResourceId = "Assets", ResourceType = "AWS::S3::Bucket", ResourceStatus = "DELETE_FAILED", ResourceStatusReason = "The bucket you tried to delete is not empty" },
                     { LogicalResourceId = s.StackName, ResourceType = "AWS::CloudFormation::Stack", ResourceStatus = "DELETE_IN_PROGRESS" } }
        return {}
      end
    end
    for _, r in ipairs(s.res or {}) do
      if r.ResourceType == "AWS::RDS::DBInstance" then W.dbs[r.PhysicalResourceId] = nil end
      if r.ResourceType == "AWS::S3::Bucket" then W.buckets[r.PhysicalResourceId] = nil end
      if r.ResourceType == "AWS::AutoScaling::AutoScalingGroup" then W.groups[r.PhysicalResourceId] = nil end
      if r.ResourceType == "AWS::EC2::LaunchTemplate" then W.lts[r.PhysicalResourceId] = nil end
    end
    s.StackStatus = "DELETE_COMPLETE"
    return {}
  end,
}

local acts = {}
local function act(g, desc) local a = { ActivityId = id("act-"), StatusCode = "Successful", Description = desc }; acts[a.ActivityId] = a; return a end
F.autoscaling = {
  DescribeAutoScalingGroups = function(p)
    local out = {}
    if p.AutoScalingGroupNames then
      for _, nme in ipairs(p.AutoScalingGroupNames) do out[#out + 1] = W.groups[nme] end
    else for _, g in pairs(W.groups) do out[#out + 1] = g end end
    return { AutoScalingGroups = out }
  end,
  DescribeLaunchConfigurations = function() return { LaunchConfigurations = {} } end,
  DescribeScalingActivities = function(p)
    local out = {}
    for _, i in ipairs(p.ActivityIds or {}) do out[#out + 1] = acts[i] end
    return { Activities = out }
  end,
  SuspendProcesses = function(p)
    local g = W.groups[p.AutoScalingGroupName]
    for _, pr in ipairs(p.ScalingProcesses) do g.SuspendedProcesses[#g.SuspendedProcesses + 1] = { ProcessName = pr } end
    return {}
  end,
  ResumeProcesses = function(p)
    local g = W.groups[p.AutoScalingGroupName]
    local drop = {}
    for _, pr in ipairs(p.ScalingProcesses) do drop[pr] = true end
    local keep = {}
    for _, x in ipairs(g.SuspendedProcesses) do if not drop[x.ProcessName] then keep[#keep + 1] = x end end
    g.SuspendedProcesses = keep
    return {}
  end,
  UpdateAutoScalingGroup = function(p)
    local g = W.groups[p.AutoScalingGroupName]
    if p.MinSize then g.MinSize = p.MinSize end
    return {}
  end,
  EnterStandby = function(p)
    maybe_fail("EnterStandby")
    local g = W.groups[p.AutoScalingGroupName]
    if g.DesiredCapacity - #p.InstanceIds < g.MinSize then err("ValidationError", "min size") end
    local out = {}
    for _, iid in ipairs(p.InstanceIds) do
      for _, i in ipairs(g.Instances) do if i.InstanceId == iid then
        if i.LifecycleState ~= "InService" then err("ValidationError", "not InService") end
        i.LifecycleState = "Standby" end end
      out[#out + 1] = act(g, "standby " .. iid)
    end
    g.DesiredCapacity = g.DesiredCapacity - #p.InstanceIds
    return { Activities = out }
  end,
  ExitStandby = function(p)
    maybe_fail("ExitStandby")
    local g = W.groups[p.AutoScalingGroupName]
    local out = {}
    for _, iid in ipairs(p.InstanceIds) do
      for _, i in ipairs(g.Instances) do if i.InstanceId == iid then
        if i.LifecycleState ~= "Standby" then err("ValidationError", "not Standby") end
        i.LifecycleState = "InService" end end
      out[#out + 1] = act(g, "exit " .. iid)
    end
    g.DesiredCapacity = g.DesiredCapacity + #p.InstanceIds
    return { Activities = out }
  end,
}

F.rds = {
  DescribeDBSnapshots = function(p)
    local s = W.snaps[p.DBSnapshotIdentifier]
    if not s then err("DBSnapshotNotFound") end
    return { DBSnapshots = { s } }
  end,
  DescribeDBInstances = function(p)
    local d = W.dbs[p.DBInstanceIdentifier]
    if not d then err("DBInstanceNotFound") end
    return { DBInstances = { d } }
  end,
  CreateDBSnapshot = function(p)
    maybe_fail("CreateDBSnapshot")
    if W.snaps[p.DBSnapshotIdentifier] then err("DBSnapshotAlreadyExists") end
    local db = W.dbs[p.DBInstanceIdentifier]
    local s = { DBSnapshotIdentifier = p.DBSnapshotIdentifier, DBInstanceIdentifier = p.DBInstanceIdentifier, Status = "available",
                Engine = db.Engine, AllocatedStorage = db.AllocatedStorage, SnapshotCreateTime = now(), PercentProgress = 100, data = db.data }
    W.snaps[s.DBSnapshotIdentifier] = s
    return { DBSnapshot = s }
  end,
  DeleteDBSnapshot = function(p)
    if not W.snaps[p.DBSnapshotIdentifier] then err("DBSnapshotNotFound") end
    W.snaps[p.DBSnapshotIdentifier] = nil
    return {}
  end,
}

F.s3 = {
  GetBucketLocation = function() return {} end,
  ListObjectsV2 = function(p)
    local b = W.buckets[p.Bucket]
    if not b then err("NoSuchBucket") end
    local keys = {}
    for k in pairs(b.objects) do keys[#keys + 1] = k end
    table.sort(keys)
    local out = {}
    for _, k in ipairs(keys) do out[#out + 1] = { Key = k, ETag = b.objects[k].ETag, Size = b.objects[k].Size } end
    return { Contents = out, IsTruncated = false, KeyCount = #out }
  end,
  CopyObject = function(p)
    maybe_fail("CopyObject")
    local sb, sk = p.CopySource:match("^([^/]+)/(.*)$")
    sk = sk:gsub("%%(%x%x)", function(h) return string.char(tonumber(h, 16)) end)
    local src = W.buckets[sb].objects[sk]
    if not src then err("NoSuchKey", sk) end
    W.buckets[p.Bucket].objects[p.Key] = { ETag = src.ETag, Size = src.Size }
    return { CopyObjectResult = { ETag = src.ETag } }
  end,
  DeleteObjects = function(p)
    for _, o in ipairs(p.Delete.Objects) do W.buckets[p.Bucket].objects[o.Key] = nil end
    return {}
  end,
}

F.ec2 = {
  DescribeImages = function(p)
    local out = {}
    for _, img in pairs(W.images) do out[#out + 1] = img end
    return { Images = out }
  end,
  DescribeLaunchTemplates = function() local out = {} for _, lt in pairs(W.lts) do out[#out + 1] = lt end return { LaunchTemplates = out } end,
  DescribeLaunchTemplateVersions = function(p)
    local lt = W.lts[p.LaunchTemplateId]
    local out = {}
    for v, d in pairs(lt.versions) do out[#out + 1] = { LaunchTemplateId = lt.LaunchTemplateId, VersionNumber = v, LaunchTemplateData = d } end
    return { LaunchTemplateVersions = out }
  end,
}

W.inst = {}
if os.getenv("FAKE_DEPRECATE") then W.images["ami-0a910000000000003"].DeprecationTime = os.getenv("FAKE_DEPRECATE") end
if os.getenv("FAKE_GONE") then W.images["ami-0a910000000000003"] = nil end
W.cmds = {}
W.images["ami-0b5e0a5e0000000a2"] = { ImageId = "ami-0b5e0a5e0000000a2", Name = "ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-20261101",
  State = "available", CreationDate = "2026-11-01T08:00:00.000Z", OwnerId = "099720109477" }
local tokens = {}
F.ec2.RunInstances = function(p)
  maybe_fail("RunInstances")
  if p.ClientToken and tokens[p.ClientToken] then return { Instances = { W.inst[tokens[p.ClientToken]] } } end
  local i = { InstanceId = id("i-b"), ImageId = p.ImageId, State = { Name = "running", Code = 16 }, UserData = p.UserData }
  W.inst[i.InstanceId] = i
  if p.ClientToken then tokens[p.ClientToken] = i.InstanceId end
  return { Instances = { i } }
end
F.ec2.DescribeInstances = function(p)
  local out = {}
  for _, iid in ipairs(p.InstanceIds or {}) do out[#out + 1] = W.inst[iid] end
  return { Reservations = { { Instances = out } } }
end
F.ec2.StopInstances = function(p) for _, iid in ipairs(p.InstanceIds) do W.inst[iid].State = { Name = "stopped", Code = 80 } end return {} end
F.ec2.TerminateInstances = function(p)
  for _, iid in ipairs(p.InstanceIds) do
    if not W.inst[iid] then err("InvalidInstanceID.NotFound") end
    W.inst[iid].State = { Name = "terminated", Code = 48 }
  end
  return {}
end
F.ec2.CreateImage = function(p)
  maybe_fail("CreateImage")
  local iid = id("ami-0c")
  W.images[iid] = { ImageId = iid, Name = p.Name, State = "available", CreationDate = now(), OwnerId = "000000000000",
    SourceInstanceId = p.InstanceId, BlockDeviceMappings = { { DeviceName = "/dev/sda1", Ebs = { SnapshotId = "snap-" .. iid } } } }
  return { ImageId = iid }
end
local real_describe_images = F.ec2.DescribeImages
F.ec2.DescribeImages = function(p)
  if p.ImageIds then
    local out = {}
    for _, iid in ipairs(p.ImageIds) do if not W.images[iid] then err("InvalidAMIID.NotFound") end out[#out + 1] = W.images[iid] end
    return { Images = out }
  end
  if p.Filters then
    local out = {}
    for _, f in ipairs(p.Filters) do for _, v in ipairs(f.Values) do if W.images[v] then out[#out + 1] = W.images[v] end end end
    return { Images = out }
  end
  local r = real_describe_images(p)
  if p.Owners then
    local keep = {}
    for _, img in ipairs(r.Images) do
      for _, o in ipairs(p.Owners) do if o == img.OwnerId or (o == "self" and img.OwnerId == "000000000000") then keep[#keep + 1] = img end end
    end
    r.Images = keep
  end
  return r
end
F.ec2.CreateTags = function(p) maybe_fail("CreateTags") return {} end
F.ec2.DeregisterImage = function(p) W.images[p.ImageId] = nil return {} end
F.ec2.DeleteSnapshot = function(p) W.deleted_snaps = (W.deleted_snaps or 0) + 1 return {} end
F.ssm = {
  SendCommand = function(p)
    local script = p.Parameters.commands[1]
    local c = { CommandId = id("cmd-"), InstanceId = p.InstanceIds[1], Status = "Success", ResponseCode = 0,
                StandardOutputContent = "provisioned\n", StandardErrorContent = "" }
    if script:find("signal", 1, true) then c.StandardOutputContent = (os.getenv("FAKE_SIGNAL") or "1") .. "\n" end
    if script:find("FAIL-ME", 1, true) then c.Status, c.ResponseCode, c.StandardErrorContent = "Failed", 100, "apt-get: no such package\n" end
    W.cmds[c.CommandId] = c
    return { Command = { CommandId = c.CommandId } }
  end,
  GetCommandInvocation = function(p) return W.cmds[p.CommandId] end,
}

F.dump = function()
  local lines = {}
  for _, s in pairs(W.stacks) do if s.StackStatus ~= "DELETE_COMPLETE" then lines[#lines + 1] = "stack " .. s.StackName .. " " .. s.StackStatus end end
  for k, d in pairs(W.dbs) do lines[#lines + 1] = "db " .. k .. " " .. json.encode(d.data) .. " from " .. tostring(d.SourceDBSnapshotIdentifier) end
  for k in pairs(W.snaps) do lines[#lines + 1] = "snap " .. k end
  for k, b in pairs(W.buckets) do local c = 0 for _ in pairs(b.objects) do c = c + 1 end lines[#lines + 1] = "bucket " .. k .. " " .. c end
  for k, g in pairs(W.groups) do
    local st = {} for _, i in ipairs(g.Instances) do st[#st + 1] = i.LifecycleState end
    local sp = {} for _, x in ipairs(g.SuspendedProcesses) do sp[#sp + 1] = x.ProcessName end
    lines[#lines + 1] = ("group %s min=%d desired=%d %s susp=%s"):format(k, g.MinSize, g.DesiredCapacity, table.concat(st, ","), table.concat(sp, ","))
  end
  for k, i in pairs(W.inst) do lines[#lines + 1] = "instance " .. k .. " " .. i.State.Name end
  for k, img in pairs(W.images) do lines[#lines + 1] = "image " .. k .. " " .. img.Name end
  lines[#lines + 1] = "deleted snapshots " .. tostring(W.deleted_snaps or 0)
  table.sort(lines)
  return table.concat(lines, "\n")
end
return F
EOF

# --- clone: success, then a failure in each step puts the world back --------------------------
expect_exit 0 "$WFRUN" "$WF/clone.lua" demo qa
contains err.txt "smoke test passed: GET http://qa.fake/health"
contains after.txt "stack api-qa CREATE_COMPLETE"
contains after.txt 'db api-qa-db {"users":3} from demo-for-clone-to-qa-'
contains after.txt "bucket api-qa-assets-9 3"
contains after.txt "group api-demo-Group-X00003 min=2 desired=2 InService,InService susp="
for f in ListStackResources EnterStandby CreateDBSnapshot CreateStack "CopyObject#2" ExitStandby smoke; do
    if [ $f = smoke ]; then
        expect_exit 1 env FAKE_SMOKE=fail "$WFRUN" "$WF/clone.lua" demo qa
    else
        expect_exit 1 env FAKE_FAIL=$f "$WFRUN" "$WF/clone.lua" demo qa
    fi
    contains err.txt "was rolled back"
    same "$(cat before.txt)" after.txt
done

# --- the plan names the real resources, lists the undos, changes nothing -----------------------
expect_exit 0 "$WFRUN" plan "$WF/migrate.lua" demo
contains out.txt 'aws.autoscaling.enter_standby {AutoScalingGroupName = "api-demo-Group-X00003"'
contains out.txt 'aws.autoscaling.exit_standby {AutoScalingGroupName = "api-demo-Group-X00003"'
contains out.txt 'DBInstanceIdentifier = "api-demo-db"'
contains out.txt 'TemplateBody = "<template '
contains out.txt 'aws.s3.delete_objects {Bucket = "api-demo-assets-1"'
contains out.txt "7. commit [POINT OF NO RETURN]"
lacks out.txt "could not be planned"
same "$(cat before.txt)" after.txt

# --- migrate: success; a failure before the point of no return; one after it -----------------
expect_exit 0 "$WFRUN" --yes "$WF/migrate.lua" demo
contains err.txt "demo migrated"
contains after.txt 'db api-demo-db {"users":3} from demo-tmp-for-clone-to-demo-'
lacks after.txt "api-demo-tmp"
lacks after.txt "snap "
contains after.txt "InService,InService susp="
for f in EnterStandby CreateDBSnapshot CreateStack "CopyObject#3" smoke; do
    if [ $f = smoke ]; then
        expect_exit 1 env FAKE_SMOKE=fail "$WFRUN" --yes "$WF/migrate.lua" demo
    else
        expect_exit 1 env FAKE_FAIL=$f "$WFRUN" --yes "$WF/migrate.lua" demo
    fi
    contains err.txt "was rolled back"
    same "$(cat before.txt)" after.txt
done
expect_exit 3 env FAKE_FAIL="CreateStack#2" "$WFRUN" --yes "$WF/migrate.lua" demo
contains err.txt 'step "recreate-env" failed'
contains err.txt "demo's data now lives in: environment demo-tmp (stack api-demo-tmp: database api-demo-tmp-db"
contains err.txt "wfrun resume migrate-"
contains after.txt 'db api-demo-tmp-db {"users":3}'
expect_exit 3 env FAKE_FAIL=DeleteStack "$WFRUN" --yes "$WF/migrate.lua" demo
contains err.txt 'step "delete-env" failed'
contains after.txt "stack api-demo-tmp CREATE_COMPLETE"

# --- bake: success with retention sparing the image in use; failures leave no image ----------
printf 'echo 1 > /var/lib/wfrun/user-data.signal\n' > ud.sh
printf 'echo app\n' > app.sh
printf 'echo FAIL-ME\n' > broken.sh
B="$WF/bake.lua"
SRC='--source-pattern=^ubuntu/images/.*-24\.04-amd64-server-\d+$'
expect_exit 0 "$WFRUN" --yes "$B" --name=api "$SRC" --source-owners=099720109477 --user-data=ud.sh --provisioners=app.sh --keep=1
contains err.txt "provisioner 1 (app.sh): provisioned"
contains err.txt "keeping ami-0a910000000000003"
lacks after.txt "ami-0a910000000000001"
contains after.txt "ami-0a910000000000003"
contains after.txt "deleted snapshots 2"
lacks after.txt "running"
for c in signal broken CreateImage CreateTags; do
    case $c in
    signal) expect_exit 1 env FAKE_SIGNAL=-1 "$WFRUN" --yes "$B" --name=api "$SRC" --source-owners=099720109477 --user-data=ud.sh --provisioners=app.sh ;;
    broken) expect_exit 1 "$WFRUN" --yes "$B" --name=api "$SRC" --source-owners=099720109477 --provisioners=app.sh,broken.sh ;;
    *) expect_exit 1 env FAKE_FAIL=$c "$WFRUN" --yes "$B" --name=api "$SRC" --source-owners=099720109477 --provisioners=app.sh ;;
    esac
    contains err.txt "was rolled back"
    grep -v '^instance ' before.txt > b.txt; grep -v '^instance ' after.txt | grep -v '^deleted snapshots' > a.txt
    grep -v '^deleted snapshots' b.txt > b2.txt
    CHECKS=$((CHECKS + 1)); cmp -s b2.txt a.txt || { fail "bake $c left something"; diff b2.txt a.txt >&2; }
    lacks after.txt "running"
done
contains err.txt "injected failure of CreateTags"

# --- audit-amis ------------------------------------------------------------------------------
expect_exit 0 "$WFRUN" "$WF/audit-amis.lua"
soon=$(date -u -d '+5 days' +%Y-%m-%dT%H:%M:%S.000Z)
expect_exit 1 env FAKE_DEPRECATE="$soon" "$WFRUN" "$WF/audit-amis.lua" --days=14
contains err.txt "image ami-0a910000000000003 will be deprecated on"
expect_exit 0 env FAKE_DEPRECATE="$soon" "$WFRUN" "$WF/audit-amis.lua" --days=2
expect_exit 1 env FAKE_GONE=1 "$WFRUN" "$WF/audit-amis.lua"
contains err.txt "asg-launch-template api-demo-Group-X00003 (launch template api-demo version 1): image ami-0a910000000000003 no longer exists"
finish
