# migrate.lua on awssim: the success path; a fault before the point of no return leaves
# the environment as it was; a fault after it stops with exit 3, says where the data is,
# and resume finishes the migration.
. "$WF_SOURCE_DIR/tests/e2e/lib.sh"
WFSIM_LIB=1 . "$WF_SOURCE_DIR/tests/e2e/test_workflow_sim.sh"
. "$WF_SOURCE_DIR/tests/e2e/crash_lib.sh"
M="$WORKFLOWS/migrate.lua"

# migrated FILE: the inventory of a finished migration of demo.
migrated() {
    contains "$1" "api-demo CREATE_COMPLETE"
    contains "$1" "api-demo-db"
    lacks "$1" "api-demo-tmp"
    lacks "$1" "demo-for-clone-to-demo-tmp-"
    lacks "$1" "demo-tmp-for-clone-to-demo-"
    CHECKS=$((CHECKS + 1))
    grep "instances=" "$1" | grep -q "InService,InService" || fail "the migrated demo is not in service"
}

# --- success ----------------------------------------------------------------------------
sim_start "$SEED"
inventory start.txt
run_wf 0 "$WFRUN" --yes "$M" demo
contains err.txt "smoke test passed: GET $SIM_URL/_awssim/apps/api-demo-tmp/health -> 200"
contains err.txt "smoke test passed: GET $SIM_URL/_awssim/apps/api-demo/health -> 200"
contains err.txt "demo migrated"
inventory end.txt
migrated end.txt
# the same objects (keys and ETags) in the new bucket as in the old one
grep '^s3.object api-demo-' start.txt | sed 's/^[^ ]* [^/]*\///' | sort > objects-start.txt
grep '^s3.object api-demo-' end.txt | sed 's/^[^ ]* [^/]*\///' | sort > objects-end.txt
CHECKS=$((CHECKS + 1))
cmp -s objects-start.txt objects-end.txt || { fail "objects differ after the migration"; diff objects-start.txt objects-end.txt >&2; }
sim_stop

# --- a fault before the point of no return: demo as it was --------------------------------
fault_run() {
    step=$1; fault=$2; shift 2
    if [ -n "$fault" ]; then sim_start "$SEED" --fault "$fault"; else sim_start "$SEED"; fi
    inventory f-start.txt
    run_wf 1 env "$@" "$WFRUN" --yes "$M" demo
    contains err.txt "step \"$step\" failed"
    contains err.txt "was rolled back"
    inventory f-end.txt
    same_inventory f-start.txt f-end.txt
    sim_stop
}
fault_run find-env        "op=ListStackResources,error=AccessDenied,message=injected"
fault_run standby-env     "op=EnterStandby,error=ValidationError,message=injected"
fault_run snapshot-env-db "op=CreateDBSnapshot,error=SnapshotQuotaExceeded,message=injected"
fault_run create-temp     "op=CreateStack,error=InsufficientCapabilitiesException,message=injected"
fault_run sync-to-temp    "op=CopyObject,error=AccessDenied,nth=3,message=injected"
fault_run test-temp       "" WFRUN_API_PUBLIC_URL=http://127.0.0.1:9/nothing

# --- a fault after it: exit 3, where the data is, resume finishes -------------------------
sim_start "$SEED" --fault "op=CreateStack,error=InsufficientCapabilitiesException,nth=2,message=injected"
run_wf 3 "$WFRUN" --yes "$M" demo
contains err.txt 'step "recreate-env" failed'
contains err.txt "demo's data now lives in: environment demo-tmp (stack api-demo-tmp: database api-demo-tmp-db"
contains err.txt "DB snapshot demo-tmp-for-clone-to-demo-"
contains err.txt "point of no return"
contains err.txt "wfrun resume migrate-"
id=$(sed -n 's/.*wfrun resume \(migrate-[^ ]*\).*/\1/p' err.txt | head -n 1)
run_wf 0 "$WFRUN" --yes resume "$id"
contains err.txt "demo migrated"
inventory end.txt
migrated end.txt
sim_stop
rm -rf .wfrun

# --- kill -9 before the point of no return, then rollback: demo as it was ---------------------
sim_start "$SEED" --fault "op=CreateStack,latency_ms=2000"
inventory k-start.txt
crash_in create-temp "" "$WFRUN" --yes "$M" demo
sim_settle   # the killed run's delayed CreateStack lands first, as on AWS (crash_lib.sh)
run_wf 1 "$WFRUN" rollback "$CRASH_ID"
inventory k-end.txt
same_inventory k-start.txt k-end.txt
sim_stop
rm -rf .wfrun

# --- kill -9 after it (while ENV is being rebuilt), then resume: the migration finishes -------
sim_start "$SEED" --fault "op=CreateStack,latency_ms=2000"
crash_in recreate-env "" "$WFRUN" --yes "$M" demo
run_wf 0 "$WFRUN" --yes resume "$CRASH_ID"
contains err.txt "demo migrated"
inventory end.txt
migrated end.txt
sim_stop
finish
