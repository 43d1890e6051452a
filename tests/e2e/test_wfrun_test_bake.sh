# wfrun test on bake.lua with user-data and a provisioner: every step passes; the
# retention (the point of no return) and terminate-builder (always) are checked past it.
. "$WF_SOURCE_DIR/tests/e2e/lib.sh"
. "$WF_SOURCE_DIR/tests/e2e/wfrun_test_lib.sh"

printf '#!/bin/sh\nmkdir -p /var/lib/wfrun && echo 1 > /var/lib/wfrun/user-data.signal\n' > user-data.sh
printf '#!/bin/sh\necho installing the app\n' > app.sh
wf_test 0 "$WORKFLOWS/bake.lua" "--source-pattern=^ubuntu/images/.*-24\.04-amd64-server-\d+\$" --name=api \
    --source-owners=099720109477 --instance-profile=ssm-builder --user-data=user-data.sh --keep=2 --provisioners=app.sh
contains report.txt ", 0 failed"
contains report.txt "point of no return: retention"
contains report.txt "launch                 ec2:RunInstances"
for step in launch create-image tag; do
    expect_cell "$step" fault pass
    expect_cell "$step" kill+rollback pass
done
expect_cell create-image wait pass
expect_cell terminate-builder kill+resume pass
expect_cell terminate-builder kill+rollback -
lacks report.txt "FAIL"
finish
