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
finish
