# bake.lua on awssim: the success path (user-data signal, provisioners through SSM with
# their output in the log, image, tags, retention that spares images in use, builder
# terminated); a failing user-data, a failing provisioner and a failing CreateImage leave
# nothing behind.
. "$WF_SOURCE_DIR/tests/e2e/lib.sh"
WFSIM_LIB=1 . "$WF_SOURCE_DIR/tests/e2e/test_workflow_sim.sh"
B="$WORKFLOWS/bake.lua"

# The seed, with SSM answers for the failure cases first (the first matching rule answers).
sed 's|"scripts": \[|"scripts": [ { "match": "fail-signal", "stdout": "-1\\n" }, { "match": "FAIL-ME", "stderr": "apt-get: no such package\\n", "exit_code": 100 },|' \
    "$SEED" > seed.json
sed -i "s|\"../components/api.json\"|\"$WF_SOURCE_DIR/workflows/components/api.json\"|" seed.json
printf '#!/bin/sh\nmkdir -p /var/lib/wfrun && echo 1 > /var/lib/wfrun/user-data.signal\n' > user-data.sh
printf '#!/bin/sh\necho installing the app\n' > app.sh
printf '#!/bin/sh\necho tuning\n' > tune.sh
printf '#!/bin/sh\necho FAIL-ME\nexit 100\n' > broken.sh
SRC="--source-pattern=^ubuntu/images/.*-24\.04-amd64-server-\d+\$"
COMMON="--name=api --source-owners=099720109477 --instance-profile=ssm-builder --user-data=user-data.sh --keep=2"

running() { grep -c ' running' "$1"; }

# --- success -------------------------------------------------------------------------------
sim_start seed.json
inventory start.txt
run_wf 0 "$WFRUN" --yes "$B" "$SRC" $COMMON --provisioners=app.sh,tune.sh --tags=Team=api,Purpose=test
contains err.txt "source image ami-0b5e0a5e0000000a2"
contains err.txt "provisioned"                 # the provisioners' output, streamed
contains err.txt "retention of /^api-"
inventory end.txt
contains end.txt "ami-0a910000000000003"      # kept: in use by api-demo (and among the 2 newest)
lacks end.txt "ami-0a910000000000001"         # beyond --keep and unused: deregistered
lacks end.txt "ami-0a910000000000002"
lacks end.txt "snap-0a910000000000001"        # with its snapshot
CHECKS=$((CHECKS + 1))
grep -q ' api-[0-9]\{8\}T[0-9]\{6\}Z\| ami-.* available' end.txt || fail "no new image"
CHECKS=$((CHECKS + 1))
[ "$(running start.txt)" = "$(running end.txt)" ] || fail "the builder instance was not terminated"
sim_stop

# --- failures: nothing is left behind ----------------------------------------------------------
fail_run() {
    step=$1; fault=$2; shift 2
    if [ -n "$fault" ]; then sim_start seed.json --fault "$fault"; else sim_start seed.json; fi
    inventory f-start.txt
    run_wf 1 "$WFRUN" --yes "$B" "$SRC" $COMMON "$@"
    contains err.txt "step \"$step\" failed"
    inventory f-end.txt
    same_inventory f-start.txt f-end.txt
    sim_stop
}
fail_run wait-user-data "" --provisioners=app.sh --signal-file=/var/lib/wfrun/fail-signal
contains err.txt "says -1"
fail_run provision "" --provisioners=app.sh,broken.sh
contains err.txt "apt-get: no such package"
fail_run resolve-source "op=DescribeImages,error=UnauthorizedOperation,message=injected" --provisioners=app.sh
fail_run launch "op=RunInstances,error=InvalidParameterValue,message=injected" --provisioners=app.sh
fail_run wait-running "op=DescribeInstances,error=UnauthorizedOperation,nth=1,message=injected" --provisioners=app.sh
fail_run stop "op=StopInstances,error=IncorrectInstanceState,message=injected" --provisioners=app.sh
fail_run create-image "op=CreateImage,error=InvalidParameterValue,message=injected" --provisioners=app.sh
fail_run tag "op=CreateTags,error=InvalidParameterValue,message=injected" --provisioners=app.sh
finish
