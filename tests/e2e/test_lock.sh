# One live run per (workflow, environment): a second gets exit 4 naming the holder;
# another environment is not blocked.
. "$WF_SOURCE_DIR/tests/e2e/lib.sh"
W="$DATA/workflows/chain.lua"

"$WFRUN" "$W" prod --trace=t1.txt --sleep-in=a --seconds=5 >/dev/null 2>&1 &
pid=$!
wait_for t1.txt "run:a"
expect_exit 4 "$WFRUN" "$W" prod --trace=t2.txt
contains err.txt "another run holds the lock"
contains err.txt "pid $pid"
test ! -e t2.txt || fail "the second run ran a step"
expect_exit 0 "$WFRUN" "$W" staging --trace=t3.txt
wait $pid
expect_exit 0 "$WFRUN" "$W" prod --trace=t4.txt
finish
