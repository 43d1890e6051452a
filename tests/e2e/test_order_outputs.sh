# Steps run in dependency order; outputs reach later steps; the journal records it all.
. "$WF_SOURCE_DIR/tests/e2e/lib.sh"

expect_exit 0 "$WFRUN" "$DATA/workflows/chain.lua" dev --trace=trace.txt
same "run:a
run:b
run:c
run:d" trace.txt
contains err.txt "succeeded"

# status and runs read the journal.
expect_exit 0 "$WFRUN" runs
contains out.txt "succeeded"
id=$(awk '{print $1}' out.txt | tail -n 1)
expect_exit 0 "$WFRUN" status "$id"
contains out.txt "run $id: succeeded"
j=.wfrun/runs/$id/journal.jsonl
contains "$j" '"type":"run_started"'
contains "$j" '"type":"run_succeeded"'
# d's outputs name a's id (outputs visible to later steps)
contains "$j" '"from":"a-'
finish
