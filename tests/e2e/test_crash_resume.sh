# kill -9 at several points loses nothing: resume reaches the end, rollback undoes all.
. "$WF_SOURCE_DIR/tests/e2e/lib.sh"
W="$DATA/workflows/chain.lua"

# crash_at STEP TRACE: starts a run whose STEP sleeps 3s and kills it -9 inside STEP.
crash_at() {
    "$WFRUN" "$W" dev --trace="$2" --sleep-in="$1" --seconds=3 >/dev/null 2>&1 &
    pid=$!
    wait_for "$2" "run:$1"
    kill -9 $pid
    wait $pid 2>/dev/null
    ls -t .wfrun/runs | head -n 1
}

for s in a c d; do
    id=$(crash_at $s "r-$s.txt")
    # the lock is stale (its pid is dead): resume takes it over and finishes the run.
    expect_exit 0 "$WFRUN" resume "$id"
    contains "r-$s.txt" "run:d"
    contains err.txt "stale"
    expect_exit 0 "$WFRUN" status "$id"
    contains out.txt "succeeded"

    id=$(crash_at $s "b-$s.txt")
    expect_exit 1 "$WFRUN" rollback "$id"
    if [ $s = a ]; then
        lacks "b-$s.txt" "undo:"      # a had not finished nor saved anything: nothing to undo
    else
        contains "b-$s.txt" "undo:a"
    fi
    expect_exit 0 "$WFRUN" status "$id"
    contains out.txt "rolled_back"
done

# a crash during rollback: rollback again finishes it.
"$WFRUN" "$W" dev --trace=u.txt --fail-at=d --sleep-undo=b --seconds=3 >/dev/null 2>&1 &
pid=$!
wait_for u.txt "undo:c"
sleep 0.5
kill -9 $pid; wait $pid 2>/dev/null
id=$(ls -t .wfrun/runs | head -n 1)
expect_exit 1 "$WFRUN" resume "$id"
contains u.txt "undo:b"
contains u.txt "undo:a"

# a torn last journal line (a crash mid-write) is ignored
id=$(crash_at b torn.txt)
printf '{"type":"step_succ' >> .wfrun/runs/$id/journal.jsonl
expect_exit 0 "$WFRUN" status "$id"
contains out.txt "torn"
expect_exit 0 "$WFRUN" resume "$id"
contains torn.txt "run:d"
finish
