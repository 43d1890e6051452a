# The stdlib's pure functions (no AWS needed), run from a workflow as workflows use them,
# and the component file format's checks.
. "$WF_SOURCE_DIR/tests/e2e/lib.sh"
API="$WF_SOURCE_DIR/workflows/components/api.lua"

cat > pure.lua <<'WF'
workflow "stdlib-pure" {
  params = { api = param.path { position = 1, doc = "the api component file" } },
}

local single = require "stdlib.single"
local awstime = require "stdlib.awstime"
local rds = require "stdlib.rds"
local s3sync = require "stdlib.s3sync"
local ami = require "stdlib.ami"
local availability = require "stdlib.availability"
local ssm = require "stdlib.ssm"
local smoke = require "stdlib.smoke"
local base64 = require "stdlib.base64"
local component = require "stdlib.component"
local environment = require "stdlib.environment"

local function eq(got, want, what)
  if got ~= want then error(("%s: got %s, want %s"):format(what, tostring(got), tostring(want)), 2) end
end
local function fails(fn, text, what)
  local ok, err = pcall(fn)
  if ok then error(what .. ": no error", 2) end
  if not tostring(err):find(text, 1, true) then error(("%s: error %q lacks %q"):format(what, tostring(err), text), 2) end
end

step "single" {
  run = function()
    local rs = { { LogicalResourceId = "Db", ResourceType = "AWS::RDS::DBInstance", PhysicalResourceId = "api-prod-db" },
                 { LogicalResourceId = "Assets", ResourceType = "AWS::S3::Bucket", PhysicalResourceId = "b1" },
                 { LogicalResourceId = "Logs", ResourceType = "AWS::S3::Bucket", PhysicalResourceId = "b2" } }
    eq(single(rs, { ResourceType = "AWS::RDS::DBInstance" }, "database").PhysicalResourceId, "api-prod-db", "by table")
    eq(single(rs, function(r) return r.LogicalResourceId == "Logs" end, "logs bucket").PhysicalResourceId, "b2", "by function")
    eq(single({ 42 }), 42, "list of one")
    fails(function() single(rs, { ResourceType = "AWS::S3::Bucket" }, "bucket of api-prod") end,
      "expected exactly one bucket of api-prod (ResourceType = AWS::S3::Bucket), found 2: Assets (b1), Logs (b2)", "several")
    fails(function() single(rs, { ResourceType = "AWS::EC2::Instance" }, "instance") end,
      "found none among 3: Db (api-prod-db), Assets (b1), Logs (b2)", "none")
    fails(function() single({}, nil, "image") end, "expected exactly one image, found nothing (the list was empty)", "empty")
    -- the error points at the line that called single
    fails(function() single(rs, { ResourceType = "x" }, "thing") end, "pure.lua:", "caller's line")
  end,
}

step "awstime" {
  run = function()
    eq(awstime.parse("1970-01-01T00:00:00Z"), 0, "epoch")
    eq(awstime.parse("2026-11-26T09:37:47.000Z"), 1795685867, "with millis")
    eq(awstime.parse("2026-11-26T10:37:47+01:00"), 1795685867, "with offset")
    eq(awstime.parse("2026-11-26T09:37:47.250000+00:00"), 1795685867.25, "CLI style")
    eq(awstime.parse("2024-02-29"), 1709164800, "date only, leap day")
    eq(awstime.parse("yesterday"), nil, "not a time")
    eq(awstime.format(1795685867), "2026-11-26T09:37:47Z", "format")
  end,
}

step "rds" {
  run = function()
    eq(rds.snapshot_id("prod", "for-clone-to", "qa", "20261126T093747Z"), "prod-for-clone-to-qa-20261126t093747z", "snapshot id")
    eq(rds.snapshot_id("my_env--x", "y-"), "my-env-x-y", "snapshot id cleaned")
    fails(function() rds.snapshot_id("1prod") end, "must start with a letter", "snapshot id start")
    local snap = { DBSnapshotIdentifier = "s", DBInstanceIdentifier = "api-prod-db", Status = "available", Engine = "postgres",
                   AllocatedStorage = 20, SnapshotCreateTime = "2026-11-26T09:40:00Z" }
    local db = { DBInstanceIdentifier = "api-qa-db", Engine = "postgres", AllocatedStorage = 20,
                 InstanceCreateTime = "2026-11-26T09:50:00.000Z" }
    eq(#rds.restore_mismatches(db, snap), 0, "a restored db matches")
    local old = { DBInstanceIdentifier = "api-qa-db", Engine = "mysql", AllocatedStorage = 10, InstanceCreateTime = "2026-01-01T00:00:00Z" }
    eq(#rds.restore_mismatches(old, snap), 3, "engine, storage and age mismatch")
  end,
}

step "s3sync" {
  run = function()
    local src = { a = { etag = '"1"', size = 1 }, b = { etag = '"2"', size = 2 }, c = { etag = '"3-2"', size = 30 } }
    local dst = { a = { etag = '"1"', size = 1 }, b = { etag = '"x"', size = 2 }, c = { etag = '"9"', size = 30 }, z = { etag = '"z"', size = 1 } }
    local p = s3sync.plan(src, dst, true)
    eq(table.concat(p.copy, ","), "b", "copy the changed key (multipart counts as equal by size)")
    eq(table.concat(p.delete, ","), "z", "delete the extra key")
    eq(p.same, 2, "same")
    eq(#s3sync.plan(src, dst, false).delete, 0, "no delete without delete = true")
    local d = s3sync.diff(src, dst)
    eq(d.ok, false, "diff not ok")
    eq(s3sync.describe_diff(d), "1 extra (z); 1 different (b)", "describe diff")
    eq(s3sync.diff(src, src).ok, true, "identical")
    eq(s3sync.encode_key("dir/a b+é.txt"), "dir/a%20b%2B%C3%A9.txt", "copy source key encoding")
  end,
}

step "ami" {
  run = function()
    local pattern = [[^api-\d{8}T\d{6}Z$]]
    eq(ami.matches(pattern, "api-20261126T093747Z"), true, "family name")
    eq(ami.matches(pattern, "api-20261126T093747Z-old"), false, "not the family")
    eq(ami.matches("^" .. ami.quote("a.b (1)") .. "$", "a.b (1)"), true, "quote matches itself")
    eq(ami.matches("^" .. ami.quote("a.b") .. "$", "axb"), false, "quote escapes the dot")
    local imgs = ami.sort_newest_first {
      { ImageId = "ami-1", CreationDate = "2026-01-01T00:00:00.000Z", State = "available" },
      { ImageId = "ami-3", CreationDate = "2026-03-01T00:00:00.000Z", State = "available" },
      { ImageId = "ami-2", CreationDate = "2026-02-01T00:00:00.000Z", State = "available" },
      { ImageId = "ami-0", CreationDate = "2025-12-01T00:00:00.000Z", State = "available" },
    }
    eq(imgs[1].ImageId .. imgs[4].ImageId, "ami-3ami-0", "newest first")
    local refs = ami.references { { image = "ami-1", kind = "launch-template", name = "api-prod", detail = "version 3 (default)" } }
    local r = ami.retention(imgs, 2, refs)
    eq(#r.keep, 2, "kept")
    eq(r.protected[1].image.ImageId, "ami-1", "in use is protected")
    eq(r.protected[1].why[1], "launch-template api-prod: version 3 (default)", "why")
    eq(r.delete[1].ImageId, "ami-0", "deleted")
    eq(table.concat(ami.snapshot_ids { BlockDeviceMappings = { { Ebs = { SnapshotId = "snap-1" } }, { VirtualName = "ephemeral0" } } }, ","),
      "snap-1", "snapshot ids")
  end,
}

step "availability" {
  run = function()
    local function group(states)
      local g = { Instances = {} }
      for i, st in ipairs(states) do g.Instances[i] = { InstanceId = "i-" .. i, LifecycleState = st } end
      return g
    end
    eq(availability.state_of(group { "InService", "InService" }), "Available", "all in service")
    eq(availability.state_of(group { "Standby", "Standby" }), "Unavailable", "all standby")
    eq(availability.state_of(group {}), "Unavailable", "no instances")
    eq(availability.state_of(group { "InService", "EnteringStandby" }), "Partial", "moving")
    eq(availability.state_of(group { "InService", "Pending" }), "Partial", "pending")
    local by_state, ids = availability.census(group { "Standby", "InService", "Standby" })
    eq(by_state.Standby, 2, "census")
    eq(table.concat(ids.Standby, ","), "i-1,i-3", "ids by state")
  end,
}

step "ssm-smoke-base64" {
  run = function()
    local lines, seen = ssm.new_lines("one\ntwo\r\nthr", 0, false)
    eq(table.concat(lines, "|") .. "/" .. seen, "one|two/9", "complete lines only")
    lines, seen = ssm.new_lines("one\ntwo\r\nthree", seen, true)
    eq(table.concat(lines, "|") .. "/" .. seen, "three/14", "the rest at the end")
    eq(ssm.kind_of("setup.PS1"), "powershell", "ps1")
    eq(ssm.kind_of("setup.sh"), "shell", "sh")
    eq(smoke.verdict({ status = 200, body = "ok" }, 200), nil, "passes")
    eq(smoke.verdict({ status = 503, body = "" }, 200), "status 503, expected 200", "status")
    eq(smoke.verdict({ status = 200, body = "down" }, 200, "ok"), 'the body does not contain "ok"', "contains")
    eq(base64.encode("#!/bin/sh\necho hi\n"), "IyEvYmluL3NoCmVjaG8gaGkK", "base64")
    eq(base64.encode("a"), "YQ==", "padding 2")
    eq(base64.encode("ab"), "YWI=", "padding 1")
    eq(base64.decode("YWI="), "ab", "decode")
    eq(base64.decode("Y!I="), nil, "not base64")
  end,
}

step "component" {
  run = function(ctx)
    local api = component.load(ctx.params.api)
    eq(api.name, "api", "name")
    eq(api:stack_name("prod"), "api-prod", "stack name")
    eq(api.snapshot_parameter, "DBSnapshotIdentifier", "snapshot parameter")
    eq(api.smoke.output, "SmokeTestUrl", "smoke output")
    local params = {}
    for _, p in ipairs(api:template_parameters("qa", { snapshot = "snap-1", image = "ami-1" })) do
      params[p.ParameterKey] = p.ParameterValue
    end
    eq(params.EnvName, "qa", "{env} replaced")
    eq(params.DBSnapshotIdentifier, "snap-1", "snapshot parameter set")
    eq(params.ImageId, "ami-1", "image parameter set")
    eq(params.InstanceCount, "2", "function parameter")
    eq(#api.template_body > 100, true, "template read")
    local a = { stack_name = "api-prod", buckets = { { logical = "Assets", name = "p-assets" } } }
    local b = { stack_name = "api-qa", buckets = { { logical = "Assets", name = "q-assets" } } }
    local pairs_ = environment.bucket_pairs(a, b)
    eq(pairs_[1].from .. ">" .. pairs_[1].to, "p-assets>q-assets", "buckets paired by logical id")
    fails(function() environment.bucket_pairs(a, { stack_name = "api-x", buckets = {} }) end, "has no counterpart in api-x", "unpaired")
    log.info("stdlib pure functions: all checks passed")
  end,
}
WF

expect_exit 0 "$WFRUN" pure.lua "$API"
contains err.txt "stdlib pure functions: all checks passed"

# Component files: mistakes are errors naming the file and the field.
mkdir -p comp
cp "$WF_SOURCE_DIR/workflows/components/api.json" comp/api.json
cat > comp/bad.lua <<'EOF'
component "bad" {
  template = "api.json",
  snapshot_parameter = "DBSnapshotId",
  smoke = { output = "SmokeTestUrl", statuss = 200 },
  paramters = {},
}
EOF
cat > comp/nofile.lua <<'EOF'
component "nofile" { template = "missing.json", snapshot_parameter = "X", smoke = { output = "U" } }
EOF
cat > comp/global.lua <<'EOF'
component "g" { template = "api.json", snapshot_parameter = "DBSnapshotIdentifier", smoke = { output = io.open } }
EOF
cat > load.lua <<'WF'
workflow "load-component" { params = { file = param.path { position = 1 } } }
step "load" { run = function(ctx) require("stdlib.component").load(ctx.params.file) end }
WF
expect_exit 1 "$WFRUN" load.lua comp/bad.lua
contains err.txt 'comp/bad.lua:1: component: unknown field "paramters" (did you mean "parameters"?)'
contains err.txt 'smoke: unknown field "statuss" (did you mean "status"?)'
expect_exit 1 "$WFRUN" load.lua comp/nofile.lua
contains err.txt "missing.json"
expect_exit 1 "$WFRUN" load.lua comp/global.lua
contains err.txt "unknown global 'io'"
cat > comp/badparam.lua <<'EOF'
component "bp" { template = "api.json", snapshot_parameter = "DBSnapshotIdentifer", smoke = { output = "SmokeTestUrl" } }
EOF
expect_exit 1 "$WFRUN" load.lua comp/badparam.lua
contains err.txt 'snapshot_parameter "DBSnapshotIdentifer" is not a parameter of'
contains err.txt '(did you mean "DBSnapshotIdentifier"?)'
expect_exit 1 "$WFRUN" load.lua no-such-component
contains err.txt 'component "no-such-component" not found'
finish
