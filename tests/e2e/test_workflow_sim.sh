# awssim for the workflow tests. Sourced by the other test_workflow_*.sh with
# WFSIM_LIB=1 it only defines helpers: sim_start SEED [AWSSIM-ARGS...] starts a simulator
# seeded with SEED and points AWS at it, inventory FILE writes what exists (a projection
# fit for comparing a start and an end), sim_stop. Run by itself it checks that the
# example seed (workflows/examples/seed.json) loads into a world the workflows can use.
#
# When awssim is not built, or does not implement yet what a test needs (a seed section or
# an operation answered with NotImplemented), the test prints SKIP and passes; any other
# failure of awssim fails it.
if [ -z "${WFSIM_LIB:-}" ]; then . "$WF_SOURCE_DIR/tests/e2e/lib.sh"; fi

SIM_SCALE=${SIM_SCALE:-600}
SEED="$WF_SOURCE_DIR/workflows/examples/seed.json"
WORKFLOWS="$WF_SOURCE_DIR/workflows"
SIM_PID=

skip() {
    echo "SKIP: $*"
    sim_stop
    exit 0
}

find_awssim() {
    for c in "${WFRUN_AWSSIM:-}" "${WF_BUILD_DIR:-/nonexistent}/awssim" "$(dirname "$WFRUN")/awssim"; do
        if [ -n "$c" ] && [ -x "$c" ]; then echo "$c"; return 0; fi
    done
    return 1
}

# sim_require SERVICE...: SKIP unless awssim has a model of each service (its source
# tools/awssim/lua/services/SERVICE.lua); the seed and the workflows need them all.
sim_require() {
    for svc in "$@"; do
        [ -f "$WF_SOURCE_DIR/tools/awssim/lua/services/$svc.lua" ] || skip "awssim has no $svc model yet"
    done
}

# sim_start SEED [ARGS...]: a fresh awssim (time scale $SIM_SCALE), its request log in
# requests.jsonl; exports AWS_* so that wfrun talks to it.
sim_start() {
    seed=$1; shift
    AWSSIM=$(find_awssim) || skip "awssim is not built"
    sim_require ec2 s3 rds autoscaling cloudformation ssm
    : > requests.jsonl
    : > sim.out
    "$AWSSIM" --listen 127.0.0.1:0 --seed "$seed" --time-scale "$SIM_SCALE" \
        --request-log "$SCRATCH/requests.jsonl" "$@" > sim.out 2> sim.err &
    SIM_PID=$!
    n=0
    while ! head -n 1 sim.out | grep -q '^http://'; do
        if ! kill -0 "$SIM_PID" 2>/dev/null; then
            SIM_PID=
            if grep -q -e 'takes no seed' sim.err; then
                skip "awssim cannot load the seed yet: $(tail -n 1 sim.err)"
            fi
            fail "awssim did not start: $(cat sim.err)"
            finish
        fi
        n=$((n + 1))
        if [ $n -gt 100 ]; then fail "awssim printed no URL in 10s"; finish; fi
        sleep 0.1
    done
    SIM_URL=$(head -n 1 sim.out)
    export AWS_ENDPOINT_URL="$SIM_URL" AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing
    export AWS_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true WFRUN_TIME_SCALE="$SIM_SCALE"
    export WFRUN_SIM_URL="$SIM_URL"
    unset AWS_PROFILE AWS_SESSION_TOKEN AWS_DEFAULT_PROFILE
    trap 'sim_stop; cd /; rm -rf "$SCRATCH"' EXIT
}

sim_stop() {
    if [ -n "${SIM_PID:-}" ]; then
        kill "$SIM_PID" 2>/dev/null
        wait "$SIM_PID" 2>/dev/null
        SIM_PID=
    fi
}

# not_implemented FILE: the output names an operation awssim does not implement yet.
not_implemented() {
    grep -q -e 'NotImplemented' -e 'does not implement' -e 'temporary codec' "$1"
}

# run_wf CODE ARGS...: expect_exit, but SKIP the test when awssim lacks an operation.
run_wf() {
    want=$1; shift
    "$@" > out.txt 2> err.txt
    got=$?
    if [ "$got" -ne "$want" ] && not_implemented err.txt; then
        skip "awssim does not implement what this needs yet: $(grep -m 1 -o -e '[a-z0-9]*:[A-Za-z0-9]*' -e 'NotImplemented[^(]*' err.txt | head -n 1)"
    fi
    CHECKS=$((CHECKS + 1))
    if [ "$got" -ne "$want" ]; then
        fail "exit $got, expected $want: $*"
        echo "--- stdout" >&2; cat out.txt >&2; echo "--- stderr" >&2; cat err.txt >&2
    fi
}

# The inventory helper: a workflow that reads GET /_awssim/inventory and writes one line
# per live resource (kind, id, state, capacities, ETag, standby/in-service instances),
# sorted; logs (activities, events, commands, requests) and gone resources are left out.
cat > "$SCRATCH/inventory.lua" <<'WF'
workflow "inventory" { params = { out = param.path { position = 1 } } }
local SKIP = { "activit", "event", "command", "invocation", "request", "change_set", "operation" }
local GONE = { DELETE_COMPLETE = true, terminated = true, deregistered = true, deleted = true, Terminated = true }
local function state_of(r)
  if type(r.State) == "table" then return r.State.Name end
  return r.StackStatus or r.DBInstanceStatus or r.State or r.Status or r.LifecycleState
end
step "inventory" {
  run = function(ctx)
    local url = os.getenv("WFRUN_SIM_URL") .. "/_awssim/inventory"
    local inv = json.decode(http.get { url = url }.body)
    local lines = {}
    for kind, t in pairs(inv.resources or {}) do
      local skip = false
      for _, s in ipairs(SKIP) do if kind:lower():find(s, 1, true) then skip = true end end
      if not skip then
        for id, r in pairs(t) do
          local st = state_of(r)
          if not GONE[st] then
            local parts = { kind, r.StackName or id, tostring(st) }   -- stacks by name, not ARN
            if r.MinSize then parts[#parts + 1] = ("min=%s desired=%s max=%s"):format(r.MinSize, r.DesiredCapacity, r.MaxSize) end
            if r.SuspendedProcesses then
              local names = {}
              for _, p in ipairs(r.SuspendedProcesses) do names[#names + 1] = p.ProcessName or tostring(p) end
              table.sort(names)
              parts[#parts + 1] = "suspended=" .. table.concat(names, ",")
            end
            if r.Instances then
              local states = {}
              for _, i in ipairs(r.Instances) do states[#states + 1] = tostring(i.LifecycleState) end
              table.sort(states)
              parts[#parts + 1] = "instances=" .. table.concat(states, ",")
            end
            if r.ETag then parts[#parts + 1] = r.ETag end
            if r.SimulatedData ~= nil then parts[#parts + 1] = "data=" .. json.encode(r.SimulatedData) end
            lines[#lines + 1] = table.concat(parts, " ")
          end
        end
      end
    end
    table.sort(lines)
    sh.run { "sh", "-c", 'cat > "$1"', "sh", ctx.params.out, stdin = table.concat(lines, "\n") .. "\n" }
  end,
}
WF

# inventory FILE: what exists now, one line per resource.
inventory() {
    "$WFRUN" --state-dir="$SCRATCH/.inventory-state" "$SCRATCH/inventory.lua" "$1" > /dev/null 2> inventory.err ||
        { fail "inventory failed: $(cat inventory.err)"; return 1; }
}

# same_inventory A B: no resource was left over or lost.
same_inventory() {
    CHECKS=$((CHECKS + 1))
    if ! cmp -s "$1" "$2"; then fail "inventory $2 differs from $1"; diff "$1" "$2" >&2; fi
}

# no_mutating_calls: the request log holds no call that changes the world.
no_mutating_calls() {
    CHECKS=$((CHECKS + 1))
    if grep -q '"mutating": *true' requests.jsonl; then
        fail "a mutating call was made:"; grep '"mutating": *true' requests.jsonl | head -n 5 >&2
    fi
}

if [ -z "${WFSIM_LIB:-}" ]; then
    sim_start "$SEED"
    inventory start.txt
    contains start.txt "api-demo CREATE_COMPLETE"
    contains start.txt "api-demo-db"
    contains start.txt "ami-0a910000000000003"
    # the demo environment is whole: its ASG has two instances in service, its bucket files
    contains start.txt "InService,InService"
    CHECKS=$((CHECKS + 1))
    [ "$(grep -c '"' start.txt)" -ge 4 ] || fail "the seed's bucket objects are missing"
    run_wf 0 "$WFRUN" call cloudformation describe_stacks '{"StackName": "api-demo"}'
    contains out.txt "SmokeTestUrl"

    # a stack whose creation fails: the error lists the failing resources with their
    # reasons, and the undo deletes the dead stack
    cat > broken.lua <<'WF'
workflow "broken-create" { params = { c = param.path { position = 1 } } }
local component = require "stdlib.component"
local environment = require "stdlib.environment"
step "create" {
  run = function(ctx)
    ctx.save { stack = "api-broken" }
    environment.create(component.load(ctx.params.c), "broken", { snapshot = "no-such-snapshot", run_id = ctx.run_id })
  end,
  undo = function(ctx) environment.delete(component.load(ctx.params.c), "broken", { run_id = ctx.run_id }) end,
}
WF
    run_wf 1 "$WFRUN" broken.lua "$WORKFLOWS/components/api.lua"
    contains err.txt "creating stack api-broken failed: stack api-broken is ROLLBACK_COMPLETE"
    contains err.txt "failing resources (newest first):"
    contains err.txt "Database (AWS::RDS::DBInstance) CREATE_FAILED:"
    contains err.txt "no-such-snapshot"
    contains err.txt "deleted stack api-broken"
    inventory end.txt
    same_inventory start.txt end.txt
    finish
fi
