# Dry runs of the shipped workflows against a seeded awssim name the real resources, list
# every call and undo, and make no mutating call (the simulator's request log proves it).
. "$WF_SOURCE_DIR/tests/e2e/lib.sh"
WFSIM_LIB=1 . "$WF_SOURCE_DIR/tests/e2e/test_workflow_sim.sh"

sim_start "$SEED"
inventory start.txt
bucket=$(sed -n 's/^s3[^ ]*bucket[^ ]* \(api-demo-[^ ]*\) .*/\1/p' start.txt | head -n 1)

run_wf 0 "$WFRUN" plan "$WORKFLOWS/migrate.lua" demo
contains out.txt 'Plan for workflow "migrate"'
contains out.txt "api-demo"            # the real stack
contains out.txt "api-demo-db"         # its database
contains out.txt "enter_standby"       # the real ASG goes to standby ...
contains out.txt "exit_standby"        # ... and its undo brings it back
contains out.txt "create_db_snapshot"
contains out.txt "demo-for-clone-to-demo-tmp-"
contains out.txt "create_stack"
contains out.txt "delete_stack"
contains out.txt "POINT OF NO RETURN"
contains out.txt "none was made"
[ -n "$bucket" ] && contains out.txt "$bucket"
no_mutating_calls

: > requests.jsonl
run_wf 0 "$WFRUN" plan "$WORKFLOWS/clone.lua" demo qa
contains out.txt "standby-source"
contains out.txt "copy_object"
contains out.txt "delete_db_snapshot"
no_mutating_calls

: > requests.jsonl
run_wf 0 "$WFRUN" plan "$WORKFLOWS/bake.lua" --name=api --source-pattern='^ubuntu/images/.*-24\.04-amd64-server-\d+$' \
    --source-owners=099720109477 --keep=2
contains out.txt "ami-0b5e0a5e0000000a2"   # the newest source image
contains out.txt "run_instances"
contains out.txt "create_image"
contains out.txt "deregister_image"        # the undo, and retention of the old images
contains out.txt "terminate_instances"
no_mutating_calls

: > requests.jsonl
run_wf 0 "$WFRUN" plan "$WORKFLOWS/audit-amis.lua"
contains out.txt "describe_images"
no_mutating_calls

inventory end.txt
same_inventory start.txt end.txt
finish
