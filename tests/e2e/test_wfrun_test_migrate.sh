# wfrun test on migrate.lua: before the point of no return (commit) every fault rolls
# back to the seed's world and every kill resumes or rolls back; after it, faults stop
# the run (exit 3) and resume finishes it, and kills are resumed only.
. "$WF_SOURCE_DIR/tests/e2e/lib.sh"
. "$WF_SOURCE_DIR/tests/e2e/wfrun_test_lib.sh"

wf_test 0 "$WORKFLOWS/migrate.lua" demo
contains report.txt ", 0 failed"
contains report.txt "point of no return: commit"
contains report.txt "delete-env             s3:DeleteObjects, cloudformation:DeleteStack"
for step in standby-env snapshot-env-db create-temp sync-to-temp; do
    expect_cell "$step" fault pass
    expect_cell "$step" kill+rollback pass
done
for step in delete-env recreate-env sync-back delete-temp; do
    expect_cell "$step" fault pass          # exit 3, then resume finishes
    expect_cell "$step" kill+resume pass
    expect_cell "$step" kill+rollback -     # after the point of no return
done
expect_cell commit kill+resume -            # no AWS call to stop in
lacks report.txt "FAIL"
finish
