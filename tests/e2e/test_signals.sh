# SIGTERM stops at a safe point and rolls back (exit 1); with --no-rollback it stops
# (exit 3) and the run can be resumed.
. "$WF_SOURCE_DIR/tests/e2e/lib.sh"
W="$DATA/workflows/chain.lua"

"$WFRUN" "$W" dev --trace=t1.txt --sleep-in=c --seconds=60 >out.txt 2>err.txt &
pid=$!
wait_for t1.txt "run:c"
sleep 0.3
kill -TERM $pid
wait $pid; code=$?
CHECKS=$((CHECKS + 1)); [ $code -eq 1 ] || { fail "SIGTERM: exit $code, expected 1"; cat err.txt >&2; }
contains t1.txt "undo:b"
contains t1.txt "undo:a"
lacks t1.txt "run:d"

"$WFRUN" --no-rollback "$W" dev --trace=t2.txt --sleep-in=c --seconds=60 >out.txt 2>err.txt &
pid=$!
wait_for t2.txt "run:c"
sleep 0.3
kill -INT $pid
wait $pid; code=$?
CHECKS=$((CHECKS + 1)); [ $code -eq 3 ] || { fail "SIGINT --no-rollback: exit $code, expected 3"; cat err.txt >&2; }
lacks t2.txt "undo:"
contains err.txt "wfrun resume"
id=$(ls -t .wfrun/runs | head -n 1)
# the stopped run is resumable (test_crash_resume.sh proves resume itself)
expect_exit 0 "$WFRUN" status "$id"
contains out.txt "stopped"
contains out.txt "wfrun resume $id"
finish
