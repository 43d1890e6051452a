# audit-amis.lua on awssim: clean on the seed world; finds a launch template / ASG whose
# image is gone, and one whose image is deprecated soon (within --days, not beyond).
. "$WF_SOURCE_DIR/tests/e2e/lib.sh"
WFSIM_LIB=1 . "$WF_SOURCE_DIR/tests/e2e/test_workflow_sim.sh"
A="$WORKFLOWS/audit-amis.lua"

sim_start "$SEED"
run_wf 0 "$WFRUN" "$A"
contains err.txt "none is deprecated within 14 day(s)"

# deprecated in 5 days (of simulated time): found with --days=14, not with --days=2
soon=$(date -u -d '+5 days' +%Y-%m-%dT%H:%M:%S.000Z 2>/dev/null || date -u -v+5d +%Y-%m-%dT%H:%M:%S.000Z)
run_wf 0 "$WFRUN" call ec2 enable_image_deprecation "{\"ImageId\": \"ami-0a910000000000003\", \"DeprecateAt\": \"$soon\"}"
run_wf 1 "$WFRUN" "$A" --days=14
contains err.txt "image ami-0a910000000000003 will be deprecated on"
contains err.txt "launch-template api-demo"
run_wf 0 "$WFRUN" "$A" --days=2

# the image is gone: every user of it is listed
run_wf 0 "$WFRUN" call ec2 deregister_image '{"ImageId": "ami-0a910000000000003"}'
run_wf 1 "$WFRUN" "$A"
contains err.txt "image ami-0a910000000000003 no longer exists"
contains err.txt "asg-launch-template"
contains err.txt "launch-template api-demo"
finish
