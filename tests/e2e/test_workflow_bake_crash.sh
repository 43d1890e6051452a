# bake.lua on awssim, kill -9 of wfrun while the builder starts, while a provisioner runs
# and while the image is waited for; from each point, in two runs: `wfrun resume` bakes the
# image (available, tagged, retention applied, builder terminated) and `wfrun rollback`
# leaves the world as it was (no new image or snapshot, builder terminated).
. "$WF_SOURCE_DIR/tests/e2e/lib.sh"
WFSIM_LIB=1 . "$WF_SOURCE_DIR/tests/e2e/test_workflow_sim.sh"
. "$WF_SOURCE_DIR/tests/e2e/crash_lib.sh"
B="$WORKFLOWS/bake.lua"

printf '#!/bin/sh\nmkdir -p /var/lib/wfrun && echo 1 > /var/lib/wfrun/user-data.signal\n' > user-data.sh
printf '#!/bin/sh\necho installing the app\n' > app.sh
printf '#!/bin/sh\necho tuning\n' > tune.sh
SRC="--source-pattern=^ubuntu/images/.*-24\.04-amd64-server-\d+\$"
ARGS="--name=api --source-owners=099720109477 --instance-profile=ssm-builder --user-data=user-data.sh --keep=2 --provisioners=app.sh,tune.sh --tags=Team=api"

running() { grep -c ' running' "$1"; }
count() { grep -c "^$1 " "$2"; }

# baked START END RUN-ID: END is START after a finished bake by RUN-ID.
baked() {
    # retention: the two older images of the family are gone with their snapshots; the
    # one api-demo uses stays
    contains "$2" "ami-0a910000000000003"
    lacks "$2" "ami-0a910000000000001"
    lacks "$2" "ami-0a910000000000002"
    lacks "$2" "snap-0a910000000000001"
    CHECKS=$((CHECKS + 1))
    [ "$(running "$1")" = "$(running "$2")" ] || fail "the builder instance was not terminated"
    # one new image, available, tagged by this run
    run_wf 0 "$WFRUN" call ec2 describe_images "{\"Filters\": [{\"Name\": \"tag:wfrun:run-id\", \"Values\": [\"$3\"]}]}"
    CHECKS=$((CHECKS + 1))
    python3 - "$3" out.txt <<'PY' || fail "the baked image is not as it should be: $(cat out.txt)"
import json, sys
run_id, images = sys.argv[1], json.load(open(sys.argv[2]))["Images"]
assert len(images) == 1, "%d images" % len(images)
img = images[0]
tags = {t["Key"]: t["Value"] for t in img.get("Tags", [])}
assert img["State"] == "available", img["State"]
assert img["Name"].startswith("api-") and tags.get("Name") == img["Name"], img["Name"]
assert tags.get("wfrun:source-ami") == "ami-0b5e0a5e0000000a2", tags
assert tags.get("wfrun:workflow-version") == "bake/1" and tags.get("Team") == "api", tags
PY
}

# Each kill point: the step, a pattern the journal must match first (" ": none; here the
# image id create-image saved before its wait), the fault that makes the step last long
# enough to be killed in.
for point in 'wait-running| |op=DescribeInstances,latency_ms=1500' \
             'provision| |op=SendCommand,latency_ms=1500' \
             'create-image|"image":"ami-[^"]*"[^}]*},"step":"create-image"|op=DescribeImages,latency_ms=1500'; do
    step=${point%%|*}; rest=${point#*|}; when=${rest%%|*}; fault=${rest#*|}
    [ "$when" = " " ] && when=""

    # resume: the bake finishes
    sim_start "$SEED" --fault "$fault"
    inventory k-start.txt
    crash_in "$step" "$when" "$WFRUN" --yes "$B" "$SRC" $ARGS
    run_wf 0 "$WFRUN" --yes resume "$CRASH_ID"
    contains err.txt "stale"
    contains err.txt "run $CRASH_ID succeeded"
    inventory k-end.txt
    baked k-start.txt k-end.txt "$CRASH_ID"
    sim_stop
    rm -rf .wfrun

    # rollback: nothing is left
    sim_start "$SEED" --fault "$fault"
    inventory r-start.txt
    crash_in "$step" "$when" "$WFRUN" --yes "$B" "$SRC" $ARGS
    inventory r-crash.txt
    CHECKS=$((CHECKS + 1))
    [ "$(count ec2.instance r-crash.txt)" -gt "$(count ec2.instance r-start.txt)" ] ||
        fail "killed in $step, but there was no builder instance"
    if [ "$step" = create-image ]; then
        CHECKS=$((CHECKS + 1))
        [ "$(count ec2.image r-crash.txt)" -gt "$(count ec2.image r-start.txt)" ] &&
            [ "$(count ec2.snapshot r-crash.txt)" -gt "$(count ec2.snapshot r-start.txt)" ] ||
            fail "killed while waiting for the image, but there was no new image and snapshot"
    fi
    run_wf 1 "$WFRUN" rollback "$CRASH_ID"
    contains err.txt "rolled back"
    inventory r-end.txt
    same_inventory r-start.txt r-end.txt
    run_wf 0 "$WFRUN" call ec2 describe_images "{\"Filters\": [{\"Name\": \"name\", \"Values\": [\"api-2*\"]}], \"Owners\": [\"self\"]}"
    CHECKS=$((CHECKS + 1))
    [ "$(python3 -c 'import json, sys; print(len(json.load(open(sys.argv[1]))["Images"]))' out.txt)" = 3 ] ||
        fail "after the rollback from $step, not the seed's 3 images: $(cat out.txt)"
    sim_stop
    rm -rf .wfrun
done
finish
