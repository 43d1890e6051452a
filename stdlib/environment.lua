-- Environments: a component's stack for one environment name (`api-prod`) and what the
-- workflows need of it: its persistent data (the RDS instance and the S3 buckets among
-- the stack's resources), its Auto Scaling group (its availability) and its smoke-test URL.
--
--   local environment = require "stdlib.environment"
--   local prod = environment.find(api, "prod")
--   prod.db, prod.buckets[1].name, prod.asg, prod.smoke_url
local awscall = require "stdlib.awscall"
local stack = require "stdlib.stack"
local single = require "stdlib.single"
local primitives = require "dsl.primitives"
local facts = require "dsl.facts"

local M = {}

M.DB_TYPE = "AWS::RDS::DBInstance"
M.BUCKET_TYPE = "AWS::S3::Bucket"
M.ASG_TYPE = "AWS::AutoScaling::AutoScalingGroup"

local function log() return primitives.public.log end

-- An environment table from a component, a name and its stack (pure but for the
-- resource listing): { name, component, stack_name, stack_id, status, outputs,
-- parameters, tags, db, db_logical, buckets = { {logical, name} }, asg, smoke_url }.
local function describe(c, name, s)
  local env = {
    name = name, component = c, stack_name = s.StackName, stack_id = s.StackId, status = s.StackStatus,
    outputs = stack.outputs(s), parameters = stack.parameters(s), tags = stack.tags(s),
  }
  local resources = stack.resources(s.StackId or s.StackName)
  local dbs, buckets, groups = {}, {}, {}
  for _, r in ipairs(resources) do
    if r.ResourceType == M.DB_TYPE then dbs[#dbs + 1] = r
    elseif r.ResourceType == M.BUCKET_TYPE then buckets[#buckets + 1] = r
    elseif r.ResourceType == M.ASG_TYPE then groups[#groups + 1] = r end
  end
  local db = single(dbs, nil, ("database (%s) of stack %s"):format(M.DB_TYPE, s.StackName))
  env.db, env.db_logical = db.PhysicalResourceId, db.LogicalResourceId
  env.buckets = {}
  for _, b in ipairs(buckets) do env.buckets[#env.buckets + 1] = { logical = b.LogicalResourceId, name = b.PhysicalResourceId } end
  local asg = single(groups, nil, ("Auto Scaling group (%s) of stack %s"):format(M.ASG_TYPE, s.StackName))
  env.asg = asg.PhysicalResourceId
  env.smoke_url = env.outputs[c.smoke.output]
  if primitives.planning() then
    -- a saved plan pins what the environment is made of, and its database's status
    local names = {}
    for _, b in ipairs(env.buckets) do names[#names + 1] = b.name end
    facts.record("resources of stack " .. s.StackName,
      { db = env.db, buckets = table.concat(names, ","), asg = env.asg })
    require("stdlib.rds").instance(env.db)
  end
  return env
end

-- What a dry run pretends an environment it has not really created looks like.
function M.planned(c, name)
  local sname = c:stack_name(name)
  local function ph(what) return ("<%s.%s>"):format(sname, what) end
  -- the buckets the template declares, by logical id (a JSON template; else one stand-in)
  local buckets = {}
  local ok, doc = pcall(require("wf.json").decode, c.template_body)
  if ok and type(doc) == "table" and type(doc.Resources) == "table" then
    for logical, r in pairs(doc.Resources) do
      if type(r) == "table" and r.Type == M.BUCKET_TYPE then
        buckets[#buckets + 1] = { logical = logical, name = ph("bucket." .. logical) }
      end
    end
    table.sort(buckets, function(a, b) return a.logical < b.logical end)
  end
  if #buckets == 0 then buckets[1] = { logical = ph("bucket.logical"), name = ph("bucket") } end
  return {
    name = name, component = c, stack_name = sname, stack_id = ph("StackId"), status = "CREATE_COMPLETE",
    outputs = {}, parameters = {}, tags = {}, db = ph("db"), db_logical = ph("db_logical"),
    buckets = buckets, asg = ph("asg"), smoke_url = ph("outputs." .. c.smoke.output), planned = true,
  }
end

-- True when the environment exists (its stack exists and is not deleted).
function M.exists(c, name)
  local s = stack.find(c:stack_name(name))
  return s ~= nil and s.StackStatus ~= "DELETE_COMPLETE"
end

-- The environment name of component c; an error when its stack is missing or not in a
-- usable state. opts.planned: in a dry run, a missing stack gives a placeholder
-- environment (one an earlier step of the plan would have created).
function M.find(c, name, opts)
  local sname = c:stack_name(name)
  local s = stack.find(sname)
  if not s or s.StackStatus == "DELETE_COMPLETE" then
    if opts and opts.planned and awscall.planning() then return M.planned(c, name) end
    error(("environment %s does not exist (no stack %s)"):format(name, sname), 0)
  end
  local usable = { CREATE_COMPLETE = true, UPDATE_COMPLETE = true, UPDATE_ROLLBACK_COMPLETE = true }
  if not usable[s.StackStatus] then
    error(("environment %s: stack %s is %s"):format(name, sname, s.StackStatus), 0)
  end
  return describe(c, name, s)
end

-- The tag that marks a stack as created by run run_id (so a step run again adopts it).
function M.owner_tag(run_id)
  return { Key = "wfrun:run-id", Value = run_id }
end

-- The CloudFormation ClientRequestToken of run_id's request about stack sname (pure).
function M.token(run_id, sname)
  if run_id:find("<", 1, true) then return run_id .. "-" .. sname end   -- a dry run's stand-in
  return (("%s-%s"):format(run_id, sname):gsub("[^%w-]", "-"):sub(1, 128))
end

-- Creates environment name of component c from DB snapshot opts.snapshot and waits for
-- CREATE_COMPLETE. opts: snapshot, run_id (tags the stack; a stack of that name tagged
-- with it is adopted), workflow, image (AMI id; default: the component's newest matching
-- image, if it declares one), timeout, every. Returns the environment.
function M.create(c, name, opts)
  opts = opts or {}
  local sname = c:stack_name(name)
  local image = opts.image
  if not image and c.image then
    image = require("stdlib.ami").latest { pattern = c.image.pattern, owners = c.image.owners }.ImageId
    log().info(("%s: image %s (the newest matching /%s/)"):format(sname, image, c.image.pattern))
  end
  local extra = { ["wfrun:environment"] = name, ["wfrun:component"] = c.name }
  if opts.run_id then extra["wfrun:run-id"] = opts.run_id end
  if opts.workflow then extra["wfrun:workflow"] = opts.workflow end
  if opts.snapshot then extra["wfrun:restored-from"] = opts.snapshot end
  stack.create {
    name = sname,
    template = c.template_body,
    parameters = c:template_parameters(name, { snapshot = opts.snapshot, image = image }),
    tags = c:stack_tags(name, extra),
    capabilities = c.capabilities,
    token = opts.run_id and M.token(opts.run_id, sname) or nil,
    template_name = c.template_file,
    owner = opts.run_id and M.owner_tag(opts.run_id) or nil,
    timeout = opts.timeout or c.create_timeout, every = opts.every,
  }
  if awscall.planning() then return M.planned(c, name) end
  return M.find(c, name)
end

-- Deletes environment name of component c: empties its buckets, deletes its stack and
-- waits until it is gone. Nothing to do when it does not exist. opts.run_id: only delete
-- it if that run created it (what an undo wants); timeout, every.
function M.delete(c, name, opts)
  opts = opts or {}
  return stack.delete { name = c:stack_name(name), empty_buckets = true, timeout = opts.timeout, every = opts.every,
                        owner = opts.run_id and M.owner_tag(opts.run_id) or nil }
end

-- Pairs each bucket of env a with the bucket of env b of the same logical id (pure);
-- an error names a bucket that has no counterpart.
function M.bucket_pairs(a, b)
  local by_logical = {}
  for _, x in ipairs(b.buckets) do by_logical[x.logical] = x.name end
  local pairs_ = {}
  for _, x in ipairs(a.buckets) do
    local to = by_logical[x.logical]
    if not to and b.planned then to = ("<%s.bucket.%s>"):format(b.stack_name, x.logical) end
    if not to then
      error(("bucket %s of %s has no counterpart in %s (no resource %s there)"):format(x.name, a.stack_name,
        b.stack_name, x.logical), 2)
    end
    pairs_[#pairs_ + 1] = { logical = x.logical, from = x.name, to = to }
  end
  return pairs_
end

-- Syncs every bucket of env from to the same bucket of env to (see stdlib/s3sync).
-- Returns { [logical] = sync result }.
function M.sync_data(from, to, opts)
  local s3sync = require "stdlib.s3sync"
  local results = {}
  for _, p in ipairs(M.bucket_pairs(from, to)) do
    results[p.logical] = s3sync.sync { from = p.from, to = p.to, delete = not (opts and opts.keep_extra) }
  end
  return results
end

-- Checks that env `to` holds a copy of env `from`'s data: every bucket has the same keys
-- and ETags, and the database was restored from snapshot (its stack parameter names it
-- and RDS agrees). Raises an error listing everything that differs.
function M.verify_data(from, to, snapshot)
  local s3sync = require "stdlib.s3sync"
  local rds = require "stdlib.rds"
  if (to.planned or from.planned) and awscall.planning() then
    log().info(("(plan) would compare the buckets of %s and %s and check that %s was restored from %s")
      :format(from.stack_name, to.stack_name, to.stack_name, snapshot))
    return
  end
  local check = require "stdlib.check"
  local problems = {}
  for _, p in ipairs(M.bucket_pairs(from, to)) do
    local d = s3sync.compare(p.from, p.to)
    -- test case names stay the same from run to run (CI keeps their history)
    local case = ("bucket %s of %s holds the objects of %s"):format(p.logical, to.stack_name, from.stack_name)
    if d.ok then
      local seen = ("%s: %d object(s), same keys and ETags as %s"):format(p.to, d.count_b, p.from)
      log().info("bucket " .. seen)
      check.record(case, true, seen)
    else
      problems[#problems + 1] = ("bucket %s differs from %s: %s"):format(p.to, p.from, s3sync.describe_diff(d))
      check.record(case, false, problems[#problems])
    end
  end
  local db_case = ("database of %s restored from the snapshot"):format(to.stack_name)
  local param = to.parameters[to.component.snapshot_parameter]
  if param ~= snapshot then
    problems[#problems + 1] = ("stack %s has %s = %q, not %q"):format(to.stack_name, to.component.snapshot_parameter,
      tostring(param), snapshot)
  end
  local ok, err = pcall(rds.check_restored_from, to.db, snapshot)
  if ok then
    log().info(("database %s was restored from snapshot %s"):format(to.db, snapshot))
  else
    problems[#problems + 1] = awscall.message(err)
  end
  local db_ok = ok and param == snapshot
  check.record(db_case, db_ok, db_ok and ("%s restored from %s"):format(tostring(to.db), tostring(snapshot)) or problems[#problems])
  if #problems > 0 then
    error(("%s is not a faithful copy of %s:\n  %s"):format(to.stack_name, from.stack_name, table.concat(problems, "\n  ")), 0)
  end
end

-- verify_data, then the smoke test of `to`: what a clone checks before it is done.
function M.verify_copy(from, to, snapshot)
  M.verify_data(from, to, snapshot)
  M.smoke_test(to)
end

-- Runs the component's smoke test against environment env.
function M.smoke_test(env)
  local smoke = require "stdlib.smoke"
  local s = env.component.smoke
  if env.planned and awscall.planning() then
    log().info(("(plan) would smoke-test %s: GET its %s output, expect %d"):format(env.stack_name, s.output, s.status))
    return
  end
  if not env.smoke_url then
    error(("stack %s has no output %s (the component's smoke-test URL)"):format(env.stack_name, s.output), 0)
  end
  return smoke.check { url = env.smoke_url, status = s.status, attempts = s.attempts, every = s.every,
                       timeout = s.timeout, contains = s.contains }
end

-- Where an environment's data lives, in one line, for messages.
function M.data_location(env)
  local names = {}
  for _, b in ipairs(env.buckets or {}) do names[#names + 1] = "s3://" .. tostring(b.name) end
  return ("stack %s: database %s, bucket(s) %s"):format(env.stack_name, tostring(env.db),
    #names > 0 and table.concat(names, ", ") or "none")
end

return M
