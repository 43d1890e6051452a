-- Migrate an environment to the current version of its component's template: its data is
-- cloned into a temporary environment (and tested there), ENV's stack is deleted (the
-- point of no return) and created again from the current template with the data cloned
-- back, then tested, made available, and the temporary environment and the intermediate
-- snapshots are deleted.
--
-- A failure before the delete leaves ENV as it was (available; the temporary
-- environment and the snapshots removed): exit 1. A failure after it stops with exit 3,
-- says where ENV's data lives at that moment, and `wfrun resume RUN-ID` finishes the
-- migration once the cause is fixed.
--
--   wfrun plan migrate.lua prod
--   wfrun --yes migrate.lua prod
workflow "migrate" {
  doc = "Rebuild an environment from the current template, keeping its data",
  version = "1",
  params = {
    env = param.string { position = 1, doc = "environment to migrate (stack <component>-ENV)" },
    temp = param.string { doc = "name of the temporary environment (default ENV-tmp)", required = false },
    component = param.string { doc = "component (workflows/components/NAME.lua) or a component file", default = "api" },
    snapshot_timeout = param.duration { doc = "how long each DB snapshot may take", default = "50m" },
    create_timeout = param.duration { doc = "how long creating each stack may take", default = "60m" },
  },
}

local component = require "stdlib.component"
local environment = require "stdlib.environment"
local availability = require "stdlib.availability"
local rds = require "stdlib.rds"

local function api(ctx) return component.load(ctx.params.component) end
local function temp_name(ctx) return ctx.params.temp or (ctx.params.env .. "-tmp") end
local function env_of(ctx, name) return environment.find(api(ctx), name, { planned = true }) end
-- ENV once it has been rebuilt (in a dry run, the stack the plan would have made).
local function new_env(ctx)
  if ctx.plan then return environment.planned(api(ctx), ctx.params.env) end
  return environment.find(api(ctx), ctx.params.env)
end

-- Where ENV's data is, from what the finished steps say: for messages after the delete.
local function where_data_lives(ctx)
  local parts = {}
  local tmp = ctx.steps["create-temp"]
  if tmp and tmp.stack then
    parts[#parts + 1] = ("environment %s (stack %s: database %s, bucket(s) %s)"):format(temp_name(ctx), tmp.stack,
      tostring(tmp.db), table.concat(tmp.buckets or {}, ", "))
  end
  for _, s in ipairs({ "snapshot-env-db", "snapshot-temp-db" }) do
    local out = ctx.steps[s]
    if out and out.snapshot then parts[#parts + 1] = "DB snapshot " .. out.snapshot end
  end
  local back = ctx.steps["recreate-env"]
  if back and back.stack then
    parts[#parts + 1] = ("the new stack %s (database %s)%s"):format(back.stack, tostring(back.db),
      ctx.steps["sync-back"] and "" or ", its buckets not yet filled")
  end
  return table.concat(parts, "; ")
end

-- A step body after the point of no return: its error also says where the data lives.
local function after_delete(fn)
  return function(ctx)
    local ok, res = pcall(fn, ctx)
    if ok then return res end
    local where = ("%s's data now lives in: %s"):format(ctx.params.env, where_data_lives(ctx))
    log.error(where)
    if type(res) == "string" then error(res .. "\n       " .. where, 0) end
    if type(res) == "table" and res.kind == "aws" then
      local copy = {}
      for k, v in pairs(res) do copy[k] = v end
      copy.message = tostring(res.message) .. "\n       " .. where
      error(copy, 0)
    end
    error(res, 0)   -- interruptions and timeouts keep their kind
  end
end

-- An undo before the point of no return deletes a copy of ENV's data; it refuses when ENV
-- itself is not whole any more (deleted behind the run's back): that copy may be the only one.
local function keep_if_env_damaged(ctx, what)
  if ctx.plan then return end
  local c = api(ctx)
  local s = require("stdlib.stack").find(c:stack_name(ctx.params.env))
  local whole = { CREATE_COMPLETE = true, UPDATE_COMPLETE = true, UPDATE_ROLLBACK_COMPLETE = true }
  if not (s and whole[s.StackStatus]) then
    error(("not deleting %s: %s's stack is %s, so it may hold the only copy of %s's data")
      :format(what, ctx.params.env, s and s.StackStatus or "gone", ctx.params.env))
  end
end

step "find-env" {
  doc = "Find ENV's stack, database, buckets and Auto Scaling group; the temporary environment must not exist",
  run = function(ctx)
    local c = api(ctx)
    local env = environment.find(c, ctx.params.env)
    if environment.exists(c, temp_name(ctx)) then
      error(("the temporary environment %s already exists (stack %s): delete it, or pass --temp=NAME")
        :format(temp_name(ctx), c:stack_name(temp_name(ctx))))
    end
    log.info(ctx.params.env .. ": " .. environment.data_location(env) .. ", Auto Scaling group " .. env.asg)
    return { stack = env.stack_name, db = env.db, asg = env.asg, temp = temp_name(ctx) }
  end,
}

-- 1. A tested copy of ENV in the temporary environment ---------------------------------

step "standby-env" {
  needs = "find-env",
  doc = "Make ENV unavailable (instances to Standby): nothing writes while its data is copied",
  run = function(ctx)
    return availability.make_unavailable(ctx.steps["find-env"].asg,
      { save = ctx.save, previous = ctx.saved, rerun = ctx.attempt > 1 })
  end,
  undo = function(ctx, out)
    if out.asg then availability.make_available(out.asg, out) end
  end,
}

step "snapshot-env-db" {
  needs = "standby-env",
  doc = "Snapshot ENV's database as <env>-for-clone-to-<temp>-<timestamp>, wait until available",
  run = function(ctx)
    local id = rds.snapshot_id(ctx.params.env, "for-clone-to", temp_name(ctx), ctx.timestamp)
    ctx.save { snapshot = id }
    rds.create_snapshot { db = ctx.steps["find-env"].db, id = id, tags = { { Key = "wfrun:run-id", Value = ctx.run_id } } }
    rds.wait_snapshot(id, { timeout = ctx.params.snapshot_timeout })
    return { snapshot = id }
  end,
  undo = function(ctx, out)
    keep_if_env_damaged(ctx, "DB snapshot " .. tostring(out.snapshot))
    if out.snapshot then rds.delete_snapshot(out.snapshot) end
  end,
}

step "create-temp" {
  needs = "snapshot-env-db",
  doc = "Create the temporary environment from the current template, its database restored from the snapshot",
  run = function(ctx)
    local c = api(ctx)
    ctx.save { stack = c:stack_name(temp_name(ctx)) }
    local tmp = environment.create(c, temp_name(ctx), { snapshot = ctx.steps["snapshot-env-db"].snapshot,
      run_id = ctx.run_id, workflow = ctx.workflow, timeout = ctx.params.create_timeout })
    local buckets = {}
    for _, b in ipairs(tmp.buckets) do buckets[#buckets + 1] = "s3://" .. tostring(b.name) end
    return { stack = tmp.stack_name, db = tmp.db, buckets = json.array(buckets) }
  end,
  undo = function(ctx)
    keep_if_env_damaged(ctx, "the temporary environment " .. temp_name(ctx))
    environment.delete(api(ctx), temp_name(ctx), { run_id = ctx.run_id })
  end,
}

step "sync-to-temp" {
  needs = "create-temp",
  doc = "Copy ENV's buckets into the temporary environment's",
  run = function(ctx)
    environment.sync_data(env_of(ctx, ctx.params.env), env_of(ctx, temp_name(ctx)))
  end,
}

step "test-temp" {
  needs = "sync-to-temp",
  verify = true,
  doc = "The copy is complete (keys and ETags, database restored from the snapshot) and passes the smoke test",
  run = function(ctx)
    environment.verify_copy(env_of(ctx, ctx.params.env), env_of(ctx, temp_name(ctx)),
      ctx.steps["snapshot-env-db"].snapshot)
  end,
}

-- 2. The point of no return --------------------------------------------------------------

step "commit" {
  needs = "test-temp",
  irreversible = true,
  doc = "The point of no return: ENV is deleted and rebuilt from here; a failure is finished with resume, not undone",
  run = function(ctx)
    log.warn(("%s will be deleted and rebuilt; until then its data lives in: %s"):format(ctx.params.env,
      where_data_lives(ctx)))
  end,
}

step "delete-env" {
  needs = "commit",
  doc = "Delete ENV's stack (its database and emptied buckets with it)",
  run = after_delete(function(ctx)
    environment.delete(api(ctx), ctx.params.env, { timeout = ctx.params.create_timeout })
    return { deleted = ctx.steps["find-env"].stack }
  end),
}

-- 3. ENV again, from the current template, with the data cloned back ------------------------

step "standby-temp" {
  needs = "delete-env",
  doc = "Make the temporary environment unavailable before its database is snapshotted",
  run = after_delete(function(ctx)
    local tmp = env_of(ctx, temp_name(ctx))
    return availability.make_unavailable(tmp.asg, { save = ctx.save, previous = ctx.saved, rerun = ctx.attempt > 1 })
  end),
}

step "snapshot-temp-db" {
  needs = "standby-temp",
  doc = "Snapshot the temporary database as <temp>-for-clone-to-<env>-<timestamp>, wait until available",
  run = after_delete(function(ctx)
    local id = rds.snapshot_id(temp_name(ctx), "for-clone-to", ctx.params.env, ctx.timestamp)
    ctx.save { snapshot = id }
    rds.create_snapshot { db = ctx.steps["create-temp"].db, id = id, tags = { { Key = "wfrun:run-id", Value = ctx.run_id } } }
    rds.wait_snapshot(id, { timeout = ctx.params.snapshot_timeout })
    return { snapshot = id }
  end),
}

step "recreate-env" {
  needs = "snapshot-temp-db",
  doc = "Create ENV's stack again from the current template, its database restored from that snapshot",
  run = after_delete(function(ctx)
    local env = environment.create(api(ctx), ctx.params.env, { snapshot = ctx.steps["snapshot-temp-db"].snapshot,
      run_id = ctx.run_id, workflow = ctx.workflow, timeout = ctx.params.create_timeout })
    return { stack = env.stack_name, db = env.db, asg = env.asg }
  end),
}

step "hold-env" {
  needs = "recreate-env",
  doc = "Keep the new ENV unavailable (Standby) until its buckets are filled and checked",
  run = after_delete(function(ctx)
    return availability.make_unavailable(ctx.steps["recreate-env"].asg,
      { save = ctx.save, previous = ctx.saved, rerun = ctx.attempt > 1 })
  end),
}

step "sync-back" {
  needs = "hold-env",
  doc = "Copy the temporary environment's buckets into ENV's new ones",
  run = after_delete(function(ctx)
    environment.sync_data(env_of(ctx, temp_name(ctx)), new_env(ctx))
    return { synced = true }
  end),
}

step "test-env" {
  needs = "sync-back",
  verify = true,
  doc = "ENV holds the data: same keys and ETags as the temporary buckets, database restored from the snapshot",
  run = after_delete(function(ctx)
    -- the smoke test needs ENV in service: smoke-env runs it once ENV is available
    environment.verify_data(env_of(ctx, temp_name(ctx)), new_env(ctx),
      ctx.steps["snapshot-temp-db"].snapshot)
  end),
}

step "env-available" {
  needs = "test-env",
  doc = "Make ENV available: its instances back in service",
  run = after_delete(function(ctx)
    local held = ctx.steps["hold-env"]
    availability.make_available(held.asg, held)
  end),
}

step "smoke-env" {
  needs = "env-available",
  verify = true,
  doc = "ENV passes its smoke test",
  run = after_delete(function(ctx)
    environment.smoke_test(new_env(ctx))
  end),
}

-- 4. Cleanup ------------------------------------------------------------------------------

step "delete-temp" {
  needs = "smoke-env",
  doc = "Delete the temporary environment (its buckets emptied first)",
  run = after_delete(function(ctx)
    environment.delete(api(ctx), temp_name(ctx), { run_id = ctx.run_id, timeout = ctx.params.create_timeout })
  end),
}

step "delete-snapshots" {
  needs = "delete-temp",
  doc = "Delete the two intermediate DB snapshots",
  run = after_delete(function(ctx)
    rds.delete_snapshot(ctx.steps["snapshot-env-db"].snapshot)
    rds.delete_snapshot(ctx.steps["snapshot-temp-db"].snapshot)
    log.info(("%s migrated: %s"):format(ctx.params.env, environment.data_location(new_env(ctx))))
  end),
}
