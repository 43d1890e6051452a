# The tutorial of docs/workflows.md works as written: its db-backup.lua loads, plans
# without changing anything, runs, keeps --keep backups, rolls back under a fault, and
# passes `wfrun test` (the tutorial's step 5).
. "$WF_SOURCE_DIR/tests/e2e/lib.sh"
WFSIM_LIB=1 . "$WF_SOURCE_DIR/tests/e2e/test_workflow_sim.sh"
awk '/^```lua$/{f=1; buf=""; next} /^```$/{if (f && buf ~ /^-- db-backup.lua/) {printf "%s", buf; exit} f=0; next} f{buf = buf $0 "\n"}' \
    "$WF_SOURCE_DIR/docs/workflows.md" > db-backup.lua
contains db-backup.lua 'workflow "db-backup"'
export WFRUN_COMPONENTS_PATH="$WORKFLOWS/components"

expect_exit 0 "$WFRUN" help db-backup.lua
contains out.txt "prune"
contains out.txt "point of no return"

sim_start "$SEED"
inventory start.txt
run_wf 0 "$WFRUN" plan db-backup.lua demo
contains out.txt "create_db_snapshot"
contains out.txt "api-demo-db"
contains out.txt "delete_db_snapshot"
no_mutating_calls
for i in 1 2 3; do
    run_wf 0 "$WFRUN" --yes db-backup.lua demo --keep=2
    sleep 1.1   # the next run gets another timestamp
done
inventory end.txt
CHECKS=$((CHECKS + 1))
[ "$(grep -c 'demo-backup-' end.txt)" = 2 ] || { fail "expected 2 backups"; grep backup end.txt >&2; }
sim_stop

sim_start "$SEED" --fault "op=CreateDBSnapshot,error=SnapshotQuotaExceeded,message=injected"
inventory f-start.txt
run_wf 1 "$WFRUN" --yes db-backup.lua demo
contains err.txt 'step "snapshot" failed'
inventory f-end.txt
same_inventory f-start.txt f-end.txt
sim_stop

# step 5 of the tutorial: wfrun test proves every undo of db-backup.lua
expect_exit 0 "$WFRUN" test db-backup.lua demo --seed="$SEED" --time-scale=6000 --jobs=2
contains out.txt ", 0 failed"
contains out.txt "snapshot  pass           pass           pass           pass"
contains out.txt "point of no return: prune"
finish
