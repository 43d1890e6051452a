# Fault rules that match a wfrun step (named in the User-Agent, "wfrun wfrun-step/NAME")
# and mutating or read-only calls, and the request log's "step" field: what `wfrun test`
# uses to fail the Nth mutating call of a step. Then wfrun itself: its calls carry the
# step, so a rule on one step fails that step and no other.
. "$WF_SOURCE_DIR/tests/e2e/lib.sh"
. "$WF_SOURCE_DIR/tests/e2e/awssim_lib.sh"

# s3_as STEP METHOD PATH: one signed S3 request made by "step" STEP (- for no step)
s3_as() {
    agent="wfrun wfrun-step/$1"; [ "$1" = - ] && agent="curl"
    curl -sS -w '\n%{http_code}\n' --aws-sigv4 "aws:amz:us-east-1:s3" --user testing:testing \
        -H "x-amz-content-sha256: UNSIGNED-PAYLOAD" -A "$agent" -X "$2" "$SIM_URL$3"
}

# the 2nd mutating call of step "make" fails; reads and other steps' calls do not count
sim_start --fault '{"step": "make", "mutating": true, "nth": 2, "error": "InjectedFault", "message": "injected"}'
expect_exit 0 s3_as make GET /                                      # ListBuckets: reads
contains out.txt "ListAllMyBucketsResult"
expect_exit 0 s3_as other PUT /b-other    # another step
expect_exit 0 s3_as make PUT /b-one       # 1st mutating call of make
lacks out.txt "InjectedFault"
expect_exit 0 s3_as make PUT /b-two       # 2nd: fails
contains out.txt "<Code>InjectedFault</Code>"
expect_exit 0 s3_as make PUT /b-three     # 3rd: count 1, passes
lacks out.txt "InjectedFault"
expect_exit 0 s3_as - PUT /b-none                      # no step at all
lacks out.txt "InjectedFault"

# the request log names the step of each call, and only when there is one
expect_exit 0 ctl GET /_awssim/requests
cp out.txt requests.jsonl
check_eq "steps logged" "$(jq_py requests.jsonl '[l.get("step") for l in lines]')" \
    '["make", "other", "make", "make", "make", null]'
check_eq "the failed call" "$(jq_py requests.jsonl '[l["error"] for l in lines][3]')" 'InjectedFault'

# the rule lists its keys; a bad one is refused naming the key
expect_exit 0 ctl GET /_awssim/faults
contains out.txt '"step": "make"'
contains out.txt '"mutating": true'
expect_exit 0 ctl POST /_awssim/faults '{"step": 3, "error": "X"}'
contains out.txt "step must be a wfrun step name"
expect_exit 0 ctl POST /_awssim/faults '{"mutating": "yes", "error": "X"}'
contains out.txt "mutating must be true or false"

# read-only calls of a step: mutating=false
expect_exit 0 ctl DELETE /_awssim/faults
expect_exit 0 ctl POST /_awssim/faults '{"step": "look", "mutating": false, "error": "InjectedRead"}'
expect_exit 0 s3_as look PUT /b-four
lacks out.txt "InjectedRead"
expect_exit 0 s3_as look GET /
contains out.txt "<Code>InjectedRead</Code>"
sim_stop

# wfrun sends its step: a fault on step "second" fails that step's call only
cat > steps.lua <<'WF'
workflow "steps" {}
step "first" { run = function() aws.s3.create_bucket { Bucket = "first-bucket" } end }
step "second" { needs = "first", run = function() aws.s3.create_bucket { Bucket = "second-bucket" } end }
WF
sim_start --fault '{"step": "second", "mutating": true, "error": "InjectedFault", "message": "injected"}'
expect_exit 1 "$WFRUN" --state-dir=state --endpoint-url "$SIM_URL" --region us-east-1 steps.lua
contains err.txt 'step "second" failed'
contains err.txt "InjectedFault"
expect_exit 0 ctl GET /_awssim/requests
cp out.txt wf-requests.jsonl
check_eq "wfrun's steps" "$(jq_py wf-requests.jsonl '[(l["step"], l["operation"]) for l in lines]')" \
    '[["first", "CreateBucket"], ["second", "CreateBucket"]]'
sim_stop
finish
