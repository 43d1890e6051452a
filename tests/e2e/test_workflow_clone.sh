# clone.lua on awssim: the success path; a fault in each step rolls everything back (the
# inventory equals the starting one); kill -9 in the middle, then resume or rollback.
. "$WF_SOURCE_DIR/tests/e2e/lib.sh"
WFSIM_LIB=1 . "$WF_SOURCE_DIR/tests/e2e/test_workflow_sim.sh"
. "$WF_SOURCE_DIR/tests/e2e/crash_lib.sh"
C="$WORKFLOWS/clone.lua"

# --- success: demo -> qa -------------------------------------------------------------
sim_start "$SEED"
inventory start.txt
run_wf 0 "$WFRUN" "$C" demo qa
contains err.txt "smoke test passed: GET $SIM_URL/_awssim/apps/api-qa/health -> 200"
contains err.txt "was restored from snapshot demo-for-clone-to-qa-"
inventory end.txt
contains end.txt "api-qa CREATE_COMPLETE"
contains end.txt "api-qa-db"
contains end.txt "demo-for-clone-to-qa-"
# the source is in service again, with its MinSize and processes as they were
grep "api-demo" start.txt | grep "instances=" > src-start.txt
grep "api-demo" end.txt | grep "instances=" > src-end.txt
same "$(cat src-start.txt)" src-end.txt
# the target's bucket holds the source's keys and ETags (verify checked it; count them)
CHECKS=$((CHECKS + 1))
n_src=$(grep -c '^s3[^ ]* api-demo-' start.txt)
n_dst=$(grep -c '^s3[^ ]* api-qa-' end.txt)
[ "$n_src" = "$n_dst" ] || fail "the target has $n_dst bucket/object lines, the source $n_src"
# a second clone to the same target is refused before anything changes
run_wf 1 "$WFRUN" "$C" demo qa
contains err.txt "environment qa already exists"
sim_stop

# --- a fault in each step: everything the run made is removed ---------------------------
# fault_run STEP FAULT [VAR=VALUE...]: a fresh world, clone with FAULT injected (an awssim
# --fault rule, or "" for none), exit 1, and the same inventory as before.
fault_run() {
    step=$1; fault=$2; shift 2
    if [ -n "$fault" ]; then sim_start "$SEED" --fault "$fault"; else sim_start "$SEED"; fi
    inventory f-start.txt
    run_wf 1 env "$@" "$WFRUN" "$C" demo qa
    contains err.txt "step \"$step\" failed"
    contains err.txt "was rolled back"
    inventory f-end.txt
    same_inventory f-start.txt f-end.txt
    sim_stop
}
fault_run find-source    "op=ListStackResources,error=AccessDenied,message=injected"
fault_run standby-source "op=EnterStandby,error=ValidationError,message=injected"
fault_run snapshot-db    "op=CreateDBSnapshot,error=SnapshotQuotaExceeded,message=injected"
fault_run create-target  "op=CreateStack,error=InsufficientCapabilitiesException,message=injected"
fault_run sync-buckets   "op=CopyObject,error=AccessDenied,nth=2,message=injected"
# the smoke test of the target fails: nothing answers at its URL
fault_run verify         "" WFRUN_API_PUBLIC_URL=http://127.0.0.1:9/nothing
fault_run source-available "op=ExitStandby,error=ValidationError,nth=1,message=injected"

# --- the undo of snapshot-db while its snapshot is still creating ------------------------
# RDS refuses to delete a snapshot that is creating (InvalidDBSnapshotState): the undo waits
# until it is available, then deletes it. A slow snapshot (1200 sim s, 2 s here) and the
# first wait for it failing make the rollback find it creating every time.
sed -e '1s/^{$/{ "rds": { "durations": { "snapshot_create": 1200 } },/' \
    -e "s|\"\\.\\./components/|\"$WORKFLOWS/components/|" "$SEED" > slow-snapshot-seed.json
sim_start slow-snapshot-seed.json --fault "step=snapshot-db,op=DescribeDBSnapshots,nth=2,error=AccessDenied,message=injected"
inventory s-start.txt
run_wf 1 "$WFRUN" "$C" demo qa
contains err.txt "step \"snapshot-db\" failed"
contains err.txt "to finish creating before it is deleted (creating)"
contains err.txt "deleted DB snapshot demo-for-clone-to-qa-"
inventory s-end.txt
same_inventory s-start.txt s-end.txt
CHECKS=$((CHECKS + 1))
grep '"operation": *"DeleteDBSnapshot"' requests.jsonl | grep -q '"status": *200' ||
    fail "the snapshot was not deleted with one DeleteDBSnapshot: $(grep DeleteDBSnapshot requests.jsonl)"
sim_stop

# --- kill -9 during a step, then resume (finishes) or rollback (removes everything) -------
for point in "snapshot-db op=CreateDBSnapshot,latency_ms=2000" "create-target op=CreateStack,latency_ms=2000" \
             "sync-buckets op=CopyObject,latency_ms=1500"; do
    step=${point%% *}; fault=${point#* }
    sim_start "$SEED" --fault "$fault"
    inventory k-start.txt
    crash_in "$step" "" "$WFRUN" "$C" demo qa
    run_wf 0 "$WFRUN" resume "$CRASH_ID"
    contains err.txt "stale"
    inventory k-end.txt
    contains k-end.txt "api-qa CREATE_COMPLETE"
    sim_stop
    rm -rf .wfrun

    sim_start "$SEED" --fault "$fault"
    inventory r-start.txt
    crash_in "$step" "" "$WFRUN" "$C" demo qa
    sim_settle   # the killed run's delayed call lands first, as on AWS (crash_lib.sh)
    run_wf 1 "$WFRUN" rollback "$CRASH_ID"
    inventory r-end.txt
    same_inventory r-start.txt r-end.txt
    sim_stop
    rm -rf .wfrun
done
finish
