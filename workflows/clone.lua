-- Clone an environment: a new environment TARGET built from the component's current
-- template, holding a copy of SOURCE's persistent data (its database, from a snapshot,
-- and its buckets). SOURCE is unavailable (on standby) while its data is copied, and is
-- available again at the end whatever happens. A failure removes everything the run made.
--
--   wfrun plan clone.lua prod qa        # what it would do, against the real account
--   wfrun clone.lua prod qa
--   wfrun --sim clone.lua demo demo2    # on the local simulator, seeded with `api-demo`
workflow "clone" {
  doc = "Copy an environment's database and buckets into a new environment",
  version = "1",
  params = {
    source = param.string { position = 1, doc = "environment to copy (stack <component>-SOURCE)" },
    target = param.string { position = 2, doc = "name of the new environment" },
    component = param.string { doc = "component (workflows/components/NAME.lua) or a component file", default = "api" },
    snapshot_timeout = param.duration { doc = "how long the DB snapshot may take", default = "50m" },
    create_timeout = param.duration { doc = "how long creating the target stack may take", default = "60m" },
  },
}

local component = require "stdlib.component"
local environment = require "stdlib.environment"
local availability = require "stdlib.availability"
local rds = require "stdlib.rds"

local function source(ctx) return environment.find(component.load(ctx.params.component), ctx.params.source) end
local function target(ctx)
  return environment.find(component.load(ctx.params.component), ctx.params.target, { planned = true })
end

step "find-source" {
  doc = "Find SOURCE's stack, database, buckets and Auto Scaling group; TARGET must not exist",
  run = function(ctx)
    local api = component.load(ctx.params.component)
    local src = environment.find(api, ctx.params.source)
    if environment.exists(api, ctx.params.target) then
      error(("environment %s already exists (stack %s): choose another name, or delete it first")
        :format(ctx.params.target, api:stack_name(ctx.params.target)))
    end
    log.info("source: " .. environment.data_location(src) .. ", Auto Scaling group " .. src.asg)
    return { stack = src.stack_name, db = src.db, asg = src.asg, target_stack = api:stack_name(ctx.params.target) }
  end,
}

step "standby-source" {
  needs = "find-source",
  doc = "Make SOURCE unavailable: its instances to Standby, so nothing writes while it is copied",
  run = function(ctx)
    return availability.make_unavailable(ctx.steps["find-source"].asg,
      { save = ctx.save, previous = ctx.saved, rerun = ctx.attempt > 1 })
  end,
  undo = function(ctx, out)
    if out.asg then availability.make_available(out.asg, out) end
  end,
}

step "snapshot-db" {
  needs = "standby-source",
  doc = "Snapshot SOURCE's database as <source>-for-clone-to-<target>-<timestamp> and wait until it is available",
  run = function(ctx)
    local id = rds.snapshot_id(ctx.params.source, "for-clone-to", ctx.params.target, ctx.timestamp)
    ctx.save { snapshot = id }
    rds.create_snapshot { db = ctx.steps["find-source"].db, id = id,
                          tags = { { Key = "wfrun:run-id", Value = ctx.run_id } } }
    rds.wait_snapshot(id, { timeout = ctx.params.snapshot_timeout })
    return { snapshot = id }
  end,
  undo = function(ctx, out)
    if out.snapshot then rds.delete_snapshot(out.snapshot) end
  end,
}

step "create-target" {
  needs = "snapshot-db",
  doc = "Create TARGET's stack from the component's template, its database restored from the snapshot",
  run = function(ctx)
    local api = component.load(ctx.params.component)
    ctx.save { stack = api:stack_name(ctx.params.target) }
    local env = environment.create(api, ctx.params.target, {
      snapshot = ctx.steps["snapshot-db"].snapshot, run_id = ctx.run_id, workflow = ctx.workflow,
      timeout = ctx.params.create_timeout,
    })
    log.info("target: " .. environment.data_location(env))
    return { stack = env.stack_name, db = env.db }
  end,
  undo = function(ctx)
    -- only a stack this run created is deleted (its buckets emptied first)
    environment.delete(component.load(ctx.params.component), ctx.params.target, { run_id = ctx.run_id })
  end,
}

step "sync-buckets" {
  needs = "create-target",
  doc = "Copy each SOURCE bucket into the TARGET bucket of the same resource",
  run = function(ctx)
    local copied = 0
    for _, r in pairs(environment.sync_data(source(ctx), target(ctx))) do copied = copied + r.copied end
    return { copied = copied }
  end,
  -- no undo: the target's buckets go with its stack (create-target's undo empties them)
}

step "verify" {
  needs = "sync-buckets",
  verify = true,
  doc = "Same keys and ETags in the buckets, TARGET's database restored from the snapshot, smoke test passes",
  run = function(ctx)
    environment.verify_copy(source(ctx), target(ctx), ctx.steps["snapshot-db"].snapshot)
  end,
}

step "source-available" {
  needs = "standby-source",
  always = true,
  doc = "Make SOURCE available again (also after a failure: the rollback does it)",
  run = function(ctx)
    local rec = ctx.steps["standby-source"]
    availability.make_available(rec.asg, rec)
  end,
}
