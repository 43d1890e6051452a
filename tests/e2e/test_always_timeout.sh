# always steps run on failure too; a step timeout fails the step and rolls back.
. "$WF_SOURCE_DIR/tests/e2e/lib.sh"
cat > wf.lua <<'WF'
workflow "tmo" { params = { trace = param.path { position = 1 } } }
local function mark(ctx, what) sh.run { "sh", "-c", 'echo "$1" >> "$2"', "sh", what, ctx.params.trace } end
step "launch" { run = function(ctx) mark(ctx, "launch") end }
step "slow" { needs = "launch", timeout = "1s",
  run = function(ctx) mark(ctx, "slow") while true do end end,
  undo = function(ctx) mark(ctx, "undo-slow") end }
step "slow-sh" { needs = "slow", run = function(ctx) sh.run { "sleep", "30" } end }
step "terminate" { needs = "launch", always = true, run = function(ctx) mark(ctx, "terminate") end }
WF
expect_exit 1 "$WFRUN" wf.lua trace.txt
same "launch
slow
terminate" trace.txt
contains err.txt 'timeout'

# a subprocess is killed by the step timeout too
cat > wf2.lua <<'WF'
workflow "tmo2" { params = { trace = param.path { position = 1 } } }
step "slow-sh" { timeout = "1s", run = function(ctx) sh.run { "sleep", "30" } end }
WF
start=$(date +%s)
expect_exit 1 "$WFRUN" wf2.lua trace2.txt
end=$(date +%s)
CHECKS=$((CHECKS + 1))
[ $((end - start)) -lt 20 ] || fail "sleep 30 was not cut short by the 1s step timeout"
contains err.txt 'timeout'

# the workflow's own timeout stops a wait and rolls back; the message names what it waited for
cat > wf3.lua <<'WF'
workflow "tmo3" { timeout = "2s", params = { trace = param.path { position = 1 } } }
step "make" { run = function(ctx) sh.run { "touch", ctx.params.trace } return { f = ctx.params.trace } end,
  undo = function(ctx, out) sh.run { "rm", out.f } end }
step "wait" { needs = "make", run = function()
  wait.poll { what = "the moon to turn blue", every = "100ms", timeout = "1h", check = function() return false, "still white" end }
end }
WF
expect_exit 1 "$WFRUN" wf3.lua made.txt
contains err.txt 'workflow "tmo3" timeout'
test ! -e made.txt || fail "the undo of make did not run after the run timeout"

# a wait's own timeout names what it waited for; TeamCity gets progress messages
cat > wf4.lua <<'WF'
workflow "tmo4" { params = {} }
step "wait" { run = function()
  wait.poll { what = "the moon to turn blue", every = "100ms", timeout = "1s", check = function() return false, "still white" end }
end }
WF
expect_exit 1 env TEAMCITY_VERSION=1 "$WFRUN" wf4.lua
contains out.txt "##teamcity[progressMessage"
contains out.txt "the moon to turn blue"
contains out.txt "timed out after 1s waiting for the moon to turn blue (last status: still white)"
finish
