# The shipped workflows load, validate and describe themselves: `wfrun help`, params
# checked before anything runs, points of no return needing --yes.
. "$WF_SOURCE_DIR/tests/e2e/lib.sh"
WF="$WF_SOURCE_DIR/workflows"

expect_exit 0 "$WFRUN" help "$WF/clone.lua"
contains out.txt "SOURCE TARGET"
contains out.txt "standby-source"
contains out.txt "snapshot-db"
contains out.txt "source-available"
contains out.txt "[always]"

expect_exit 0 "$WFRUN" help "$WF/migrate.lua"
contains out.txt "ENV"
contains out.txt "delete-env"
contains out.txt "commit"
contains out.txt "[point of no return]"
contains out.txt "delete-snapshots"

expect_exit 0 "$WFRUN" help "$WF/bake.lua"
contains out.txt "--source-pattern"
contains out.txt "--provisioners"
contains out.txt "terminate-builder"
contains out.txt "retention"

expect_exit 0 "$WFRUN" help "$WF/audit-amis.lua"
contains out.txt "--days"

# bare names are found through WFRUN_WORKFLOWS_PATH
expect_exit 0 env WFRUN_WORKFLOWS_PATH="$WF" "$WFRUN" help clone
contains out.txt "SOURCE TARGET"

# bad input is exit 2 with the usage, before anything runs (no AWS needed)
expect_exit 2 "$WFRUN" "$WF/clone.lua" prod
contains err.txt "TARGET"
expect_exit 2 "$WFRUN" "$WF/clone.lua" prod qa --snapshot-timeout=soon
contains err.txt "snapshot-timeout"
expect_exit 2 "$WFRUN" "$WF/bake.lua" --keep=5
contains err.txt "--name"
expect_exit 2 "$WFRUN" "$WF/audit-amis.lua" --days=many
contains err.txt "--days"
# migrate and bake have a point of no return: without a terminal they need --yes
expect_exit 2 "$WFRUN" "$WF/migrate.lua" prod </dev/null
contains err.txt "--yes"
expect_exit 2 "$WFRUN" "$WF/bake.lua" --name=api --source-ami=ami-1 </dev/null
contains err.txt "--yes"
test ! -d .wfrun/runs || fail "a refused run wrote a journal"
finish
