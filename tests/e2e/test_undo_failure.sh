# An undo that keeps failing stops the rollback with exit 3, names what is left, and
# `wfrun rollback ID` finishes it once the cause is fixed.
. "$WF_SOURCE_DIR/tests/e2e/lib.sh"

touch trace.txt.block
expect_exit 3 "$WFRUN" "$DATA/workflows/chain.lua" dev --trace=trace.txt --fail-at=d --undo-fail=b
contains err.txt 'the undo of step "b" failed'
contains err.txt 'not undone yet (newest first): b, a'
contains err.txt 'wfrun rollback'
lacks trace.txt 'undo:a'
contains trace.txt 'undo:c'
id=$(ls .wfrun/runs)
# b's undo was tried with its retry policy: 2 attempts
CHECKS=$((CHECKS + 1))
test "$(grep '"undo_failed"' .wfrun/runs/$id/journal.jsonl | grep -c '"step":"b"')" -eq 2 || fail "undo of b was not tried twice"

rm trace.txt.block
expect_exit 1 "$WFRUN" rollback "$id"
contains trace.txt 'undo:b'
contains trace.txt 'undo:a'
expect_exit 0 "$WFRUN" status "$id"
contains out.txt "rolled_back"
finish
