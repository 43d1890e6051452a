# Plan mode runs step bodies but makes no mutating call; it lists calls and undos.
. "$WF_SOURCE_DIR/tests/e2e/lib.sh"
W="$DATA/workflows/chain.lua"

expect_exit 0 "$WFRUN" plan "$W" dev --trace=trace.txt --undo-fail=b
test ! -e trace.txt || fail "plan made a mutating call (trace.txt exists)"
contains out.txt 'Plan for workflow "chain"'
contains out.txt ' 1. a - first'
contains out.txt 'sh.run {"sh", "-c"'
contains out.txt 'undo:'
contains out.txt '(read-only)'
contains out.txt 'mutating call(s) would be made; none was made'
test ! -d .wfrun/runs || fail "plan wrote a journal"

expect_exit 0 "$WFRUN" --dry-run "$W" dev --trace=trace.txt --format=json -o plan.json
test ! -e trace.txt || fail "--dry-run made a mutating call"
contains plan.json '"workflow": "chain"'
contains plan.json '"mutating": true'
finish
