# A failing step undoes every finished step in reverse order of completion, exit 1.
. "$WF_SOURCE_DIR/tests/e2e/lib.sh"

expect_exit 1 "$WFRUN" "$DATA/workflows/chain.lua" dev --trace=trace.txt --fail-at=d
ts=$(sed -n 's/.*"timestamp":"\([0-9TZ]*\)".*/\1/p' .wfrun/runs/*/journal.jsonl | head -n 1)
same "run:a
run:b
run:c
run:d
undo:c:c-$ts
undo:b:b-$ts
undo:a:a-$ts" trace.txt
contains err.txt 'injected failure in d'
contains err.txt 'rolled back'

# retry: b fails once, its second attempt succeeds; nothing undone.
rm -f trace.txt
expect_exit 0 "$WFRUN" "$DATA/workflows/chain.lua" dev --trace=trace.txt --fail-at=b --fail-times=1
same "run:a
run:b
run:b
run:c
run:d" trace.txt
contains err.txt "retrying"
finish
