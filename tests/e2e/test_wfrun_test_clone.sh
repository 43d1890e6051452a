# wfrun test on clone.lua: every step's fault, wait and kill scenarios pass; the report
# says what each step changed; JUnit has one case per scenario plus the success path.
. "$WF_SOURCE_DIR/tests/e2e/lib.sh"
. "$WF_SOURCE_DIR/tests/e2e/wfrun_test_lib.sh"

wf_test 0 "$WORKFLOWS/clone.lua" demo qa
contains report.txt ", 0 failed"
contains report.txt "snapshot-db            rds:CreateDBSnapshot"
contains report.txt "create-target          cloudformation:CreateStack"
contains report.txt "find-source            (only reads)"
for step in standby-source snapshot-db create-target sync-buckets source-available; do
    expect_cell "$step" fault pass
done
for step in find-source standby-source snapshot-db create-target sync-buckets verify source-available; do
    expect_cell "$step" kill+resume pass
    expect_cell "$step" kill+rollback pass
done
expect_cell snapshot-db wait pass
expect_cell create-target wait pass
expect_cell verify fault -
lacks report.txt "FAIL"
n=$(grep -c '^[a-z-]*  ' report.txt)
CHECKS=$((CHECKS + 1))
[ "$n" -ge 7 ] || fail "the table has $n step rows"
read tests failures <<EOT
$(junit_counts)
EOT
CHECKS=$((CHECKS + 1)); [ "$failures" = 0 ] || fail "junit: $failures failures"
CHECKS=$((CHECKS + 1)); [ "$tests" -ge 20 ] || fail "junit: only $tests cases"
contains "$SCRATCH/junit.xml" 'name="snapshot-db kill+rollback"'
contains "$SCRATCH/junit.xml" 'name="(success path) success"'
# the work directory is removed when everything passed
wd=$(sed -n 's/.*work dir \(.*\)$/\1/p' progress.txt | head -n 1)
CHECKS=$((CHECKS + 1)); [ -n "$wd" ] && [ ! -e "$wd" ] || fail "work dir $wd left behind"
finish
