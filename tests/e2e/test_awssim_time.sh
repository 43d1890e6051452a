# Simulated time: --time-scale makes sim time run faster; POST /_awssim/clock jumps it;
# timed transitions (world.after) are applied lazily, in order, each at its own time, so
# a chain of states keeps its spacing however late the next request comes. The model
# here is a test double loaded through AWSSIM_LUA_DIR (the override for model authors).
. "$WF_SOURCE_DIR/tests/e2e/lib.sh"
. "$WF_SOURCE_DIR/tests/e2e/awssim_lib.sh"
need_aws_cli

# Clock speed.
sim_start --time-scale 3600
ctl GET /_awssim/clock >c1.json
sleep 0.5
ctl GET /_awssim/clock >c2.json
check_eq "time_scale" "$(jq_py c1.json 'd["time_scale"]')" "3600"
elapsed=$(python3 -c '
import json
a, b = json.load(open("c1.json")), json.load(open("c2.json"))
sim, real = b["now"] - a["now"], b["real_now"] - a["real_now"]
print(int(abs(sim - 3600 * real) < 0.05 * 3600 * real and sim >= 1500))')
check_eq "sim time runs 3600x" "$elapsed" "1"
expect_exit 0 ctl POST /_awssim/clock '{"time_scale": 1, "advance": 86400}'
check_eq "advanced" "$(jq_py out.txt 'int(d["now"] - d["real_now"] > 86400 + 1500)')" "1"
expect_exit 0 curl -sS -X POST -d '{"advance": -5}' "$SIM_URL/_awssim/clock"
contains out.txt "advance must be"
sim_stop

# Lazy transitions through a test model.
mkdir -p models/services
cat >models/services/sts.lua <<'LUA'
local sim = require "sim"
local world = require "world"
local M = { ops = {}, hooks = {} }
function M.ops.GetCallerIdentity(params, ctx)
  local t = world.get("test.thing", "t1")
  if not t then
    t = world.put("test.thing", "t1", { State = "pending", Since = sim.now() })
    world.after(600, "test.thing", "t1", { State = "running" }, "sts.started")
  end
  return { UserId = t.State, Account = ctx.account, Arn = "arn:aws:iam::000000000000:root" }
end
function M.hooks.started(res, ev)
  res.RanAt = sim.now()                      -- the transition's own time
  world.after(600, "test.thing", "t1", { State = "stopped" })
end
return M
LUA
AWSSIM_LUA_DIR=$SCRATCH/models sim_start
state() { awsc sts get-caller-identity --query UserId --output text; }
expect_exit 0 state
same "pending" out.txt
ctl GET /_awssim/inventory >inv.json
check_eq "pending transitions" "$(jq_py inv.json 'd["pending_transitions"]')" "1"
expect_exit 0 ctl POST /_awssim/clock '{"advance": 700}'
expect_exit 0 state
same "running" out.txt
ctl GET /_awssim/inventory >inv.json
check_eq "hook time" "$(jq_py inv.json 'round(d["resources"]["test.thing"]["t1"]["RanAt"] - d["resources"]["test.thing"]["t1"]["Since"], 3)')" "600.0"
expect_exit 0 ctl POST /_awssim/clock '{"advance": 3000}'
ctl GET /_awssim/inventory >inv.json
check_eq "chain done" "$(jq_py inv.json '[d["resources"]["test.thing"]["t1"]["State"], d["pending_transitions"]]')" '["stopped", 0]'

# A Lua error in a model is an InternalFailure for the client, with the reason on stderr.
cat >models/services/sts.lua <<'LUA'
return { ops = { GetCallerIdentity = function() local x = nil; return x.boom end } }
LUA
sim_stop
AWSSIM_LUA_DIR=$SCRATCH/models sim_start
expect_exit 254 awsc sts get-caller-identity
contains err.txt "InternalFailure"
contains sim.err "attempt to index"
# An operation the models do not implement.
cat >models/services/sts.lua <<'LUA'
return { ops = {} }
LUA
sim_stop
AWSSIM_LUA_DIR=$SCRATCH/models sim_start
expect_exit 254 awsc sts get-caller-identity
contains err.txt "NotImplemented"
contains err.txt "awssim does not implement sts:GetCallerIdentity yet"
sim_stop
finish
