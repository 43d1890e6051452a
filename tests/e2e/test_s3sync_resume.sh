# An interrupted wfrun s3 sync (kill -9, and SIGINT) started again does only what is left:
# the incremental comparison skips every object the first run finished.
. "$WF_SOURCE_DIR/tests/e2e/lib.sh"
. "$WF_SOURCE_DIR/tests/e2e/s3sync_lib.sh"

cat > seed.json <<'EOF2'
{"s3": {"buckets": [
  {"Name": "src", "generate": {"prefix": "r/", "count": 600, "size": 30}},
  {"Name": "dst"}
]}}
EOF2
sim_start --seed seed.json
# slow copies down so the kill lands in the middle
ctl POST /_awssim/faults '{"operation": "CopyObject", "latency_ms": 100}' > /dev/null

# interrupted_run SIGNAL TARGET: starts a sync, sends SIGNAL once some objects are there.
interrupted_run() {
    # wfrun itself in the background (a function would put a subshell between)
    "$WFRUN" --endpoint-url "$SIM_URL" s3 sync s3://src/r "s3://dst/$2" --concurrency=4 --no-progress \
        > run1.out 2> run1.err &
    pid=$!
    n=0
    while [ "$(count_objects dst "$2/")" -lt 40 ] && [ $n -lt 200 ]; do sleep 0.1; n=$((n + 1)); done
    kill "-$1" "$pid"
    wait "$pid"
    RUN1_RC=$?
    sleep 0.5   # requests already sent finish on the server
    DONE=$(count_objects dst "$2/")
}

interrupted_run KILL a
CHECKS=$((CHECKS + 1))
[ "$DONE" -gt 0 ] && [ "$DONE" -lt 600 ] || fail "kill -9 did not land mid-sync: $DONE objects copied"
ctl DELETE /_awssim/faults > /dev/null
expect_exit 0 s3w sync s3://src/r s3://dst/a --format=json
check_eq "copied after kill -9" "$(summary_field copied)" "$((600 - DONE))"
check_eq "skipped after kill -9" "$(summary_field skipped)" "$DONE"
same_objects "after kill -9 and a second run" src r/ dst a/

ctl POST /_awssim/faults '{"operation": "CopyObject", "latency_ms": 100}' > /dev/null
interrupted_run INT b
CHECKS=$((CHECKS + 1))
[ "$RUN1_RC" -eq 3 ] || fail "an interrupted sync exited $RUN1_RC, not 3"
contains run1.err "run the same command again"
CHECKS=$((CHECKS + 1))
[ "$DONE" -gt 0 ] && [ "$DONE" -lt 600 ] || fail "SIGINT did not land mid-sync: $DONE objects copied"
ctl DELETE /_awssim/faults > /dev/null
expect_exit 0 s3w sync s3://src/r s3://dst/b --format=json
check_eq "copied after SIGINT" "$(summary_field copied)" "$((600 - DONE))"
same_objects "after SIGINT and a second run" src r/ dst b/
finish
