# `wfrun call` and AWS waiters end to end against awssim: the call command's output
# (equal to the AWS CLI's when it is installed), its errors and exit codes, -v logging,
# and a workflow whose waiters succeed, time out, and whose plan sends no mutating call.
. "$WF_SOURCE_DIR/tests/e2e/lib.sh"
AWSSIM=${AWSSIM:-$WF_BUILD_DIR/awssim}
if [ ! -x "$AWSSIM" ]; then
    echo "SKIP: no awssim binary at $AWSSIM"
    exit 0
fi
. "$WF_SOURCE_DIR/tests/e2e/awssim_lib.sh"
sim_start --request-log requests.jsonl
W="$DATA/aws/sim_waiter.lua"
call() { "$WFRUN" --endpoint-url "$SIM_URL" call "$@"; }

# The simulator's identity, printed as `aws sts get-caller-identity` prints it.
expect_exit 0 call sts get_caller_identity
same '{
    "UserId": "000000000000",
    "Account": "000000000000",
    "Arn": "arn:aws:iam::000000000000:root"
}' out.txt
expect_exit 0 call sts GetCallerIdentity
contains out.txt '"Account": "000000000000"'

# -v logs every attempt with its status and request id, never a secret.
expect_exit 0 "$WFRUN" -v --endpoint-url "$SIM_URL" call sts get-caller-identity
contains err.txt 'aws sts GetCallerIdentity attempt 1/1: HTTP 200'
lacks err.txt "$AWS_SECRET_ACCESS_KEY"

# An AWS error: exit 1, "CODE: message (service Operation, HTTP n, request id ...)".
expect_exit 1 call ec2 describe_images '{"ImageIds": ["bad"]}'
contains err.txt 'InvalidAMIID.Malformed: Invalid id: "bad"'
contains err.txt '(ec2 DescribeImages, HTTP 400, request id '
test ! -s out.txt || fail "an error printed something on stdout"

# Bad input: exit 2.
expect_exit 2 call ec2 describe_images '{"Owners": '
contains err.txt 'bad JSON args'
expect_exit 2 call ec2 describe_images '["self"]'
contains err.txt 'expected a JSON object'
expect_exit 2 call ec2 describe_imagez
contains err.txt 'aws.ec2 has no operation "describe_imagez" (did you mean "describe_images"?)'
expect_exit 2 call ec2
expect_exit 0 "$WFRUN" call --help
contains out.txt 'usage: wfrun call SERVICE OPERATION'

# Connection refused: exit 1 with a message naming the call.
expect_exit 1 "$WFRUN" --endpoint-url http://127.0.0.1:9 call sts get_caller_identity
contains err.txt 'sts GetCallerIdentity'

# A workflow: waiters on 200 (object_exists) and 404 (ObjectNotExists), items().
expect_exit 0 "$WFRUN" --endpoint-url "$SIM_URL" "$W" wf-bucket
contains err.txt 'buckets: wf-bucket'
contains err.txt 'object "5d41402abc4b2a76b9719d911017c592", 5 bytes'

# The same output as the AWS CLI for the same state (when it is installed).
# compare SERVICE OPERATION JSON-ARGS AWS-CLI-WORDS...
compare() {
    svc=$1 op=$2 args=$3
    shift 3
    call "$svc" "$op" "$args" >ours.json 2>ours.err
    rc_ours=$?
    awsc --output json "$@" >theirs.json 2>theirs.err
    rc_theirs=$?
    CHECKS=$((CHECKS + 1))
    if [ "$rc_theirs" -ne 0 ]; then
        echo "note: aws $* failed here (rc $rc_theirs), not compared: $(tail -n 1 theirs.err)"
    elif [ "$rc_ours" -ne 0 ] || ! cmp -s ours.json theirs.json; then
        fail "wfrun call $svc $op $args differs from aws $*"
        diff ours.json theirs.json >&2
        cat ours.err >&2
    fi
}
if [ -x "$AWS_CLI" ]; then
    compare sts get_caller_identity '{}' sts get-caller-identity
    compare ec2 describe_images '{"Owners": ["self"]}' ec2 describe-images --owners self
    compare s3 head_object '{"Bucket": "wf-bucket", "Key": "greeting"}' s3api head-object --bucket wf-bucket --key greeting
fi

# A waiter that never succeeds times out with its last status; the run rolls back (exit 1).
expect_exit 1 "$WFRUN" --endpoint-url "$SIM_URL" "$W" wf-bucket2 --fail
contains err.txt 'timed out after 1s waiting for s3 waiter ObjectExists (last status: 404)'

# A plan sends read-only calls only: the simulator's request log proves it.
before=$(grep -c '"mutating":true' requests.jsonl)
expect_exit 0 "$WFRUN" plan --endpoint-url "$SIM_URL" "$W" wf-planned --fail
contains out.txt 'aws.s3.create_bucket {Bucket = "wf-planned"}'
contains out.txt 'aws.s3.wait {params = {Bucket = "wf-planned", Key = "greeting"}'
contains out.txt 'aws.s3.list_buckets {}   (read-only)'
after=$(grep -c '"mutating":true' requests.jsonl)
check_eq "mutating requests during the plan" "$after" "$before"
contains requests.jsonl '"operation":"ListBuckets"'
finish
