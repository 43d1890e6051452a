# Points of no return: --yes required without a TTY; a failure after one stops with
# exit 3, undoes nothing, and resume finishes the run. always steps run either way.
. "$WF_SOURCE_DIR/tests/e2e/lib.sh"
W="$DATA/workflows/pointofnoreturn.lua"

expect_exit 2 "$WFRUN" "$W" dev --trace=t0.txt </dev/null
contains err.txt 'irreversible'
contains err.txt '--yes'
test ! -e t0.txt || fail "a step ran without confirmation"

expect_exit 0 "$WFRUN" --yes "$W" dev --trace=t1.txt
same "run:prepare
run:delete
run:finish
run:cleanup" t1.txt

touch t2.txt.block
expect_exit 3 "$WFRUN" --yes "$W" dev --trace=t2.txt --fail-after
contains err.txt 'after the point of no return'
contains err.txt 'wfrun resume'
lacks t2.txt 'undo:'
contains t2.txt 'run:cleanup'
id=$(ls -t .wfrun/runs | head -n 1)
rm t2.txt.block
expect_exit 0 "$WFRUN" --yes resume "$id"
contains t2.txt 'run:finish'
expect_exit 0 "$WFRUN" status "$id"
contains out.txt 'succeeded'

# the plan marks the point of no return
expect_exit 0 "$WFRUN" plan "$W" dev --trace=t3.txt
contains out.txt 'POINT OF NO RETURN'
test ! -e t3.txt || fail "plan ran a mutating call"
finish
