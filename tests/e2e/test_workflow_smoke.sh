# The smoke test on awssim checks the environment for real: the api component's smoke URL
# is awssim's /_awssim/apps/<stack>/health, so a workflow that smoke-tests an environment
# whose instances are on Standby fails (and its rollback brings them back), and passes
# when they are in service. The clone and migrate tests run the same check on the
# environments they create.
. "$WF_SOURCE_DIR/tests/e2e/lib.sh"
WFSIM_LIB=1 . "$WF_SOURCE_DIR/tests/e2e/test_workflow_sim.sh"

# A workflow with the steps in an order no shipped workflow uses: Standby, then the smoke test.
cat > smoke.lua <<'WF'
workflow "smoke-check" {
  doc = "Smoke-test an environment, optionally after putting it on Standby",
  params = {
    env = param.string { position = 1, doc = "environment" },
    component = param.path { doc = "component file" },
    standby = param.bool { doc = "Standby first" },
  },
}
local component = require "stdlib.component"
local environment = require "stdlib.environment"
local availability = require "stdlib.availability"
local function env(ctx) return environment.find(component.load(ctx.params.component), ctx.params.env) end
step "standby" {
  when = function(ctx) return ctx.params.standby end,
  run = function(ctx) return availability.make_unavailable(env(ctx).asg, { save = ctx.save }) end,
  undo = function(ctx, out) if out.asg then availability.make_available(out.asg, out) end end,
}
step "smoke" {
  needs = "standby",
  run = function(ctx) environment.smoke_test(env(ctx)) end,
}
WF
COMPONENT="--component=$WORKFLOWS/components/api.lua"

sim_start "$SEED"
inventory start.txt
# in service: 200 from the stack's own health URL
run_wf 0 "$WFRUN" smoke.lua demo "$COMPONENT"
contains err.txt "smoke test passed: GET $SIM_URL/_awssim/apps/api-demo/health -> 200"
# on Standby: 503 on every attempt, the step fails, the rollback makes demo available
run_wf 1 "$WFRUN" smoke.lua demo "$COMPONENT" --standby
contains err.txt 'step "smoke" failed'
contains err.txt "smoke test failed: GET $SIM_URL/_awssim/apps/api-demo/health: status 503, expected 200 (after 20 attempt(s))"
lacks err.txt "smoke test passed"
contains err.txt "was rolled back"
inventory end.txt
same_inventory start.txt end.txt
# available again: the smoke test passes again
run_wf 0 "$WFRUN" smoke.lua demo "$COMPONENT"
contains err.txt "smoke test passed: GET $SIM_URL/_awssim/apps/api-demo/health -> 200"
sim_stop
finish
