# The request log: one JSON line per AWS request (time, service, operation, parameters
# with secrets redacted, status, error, mutating), from GET /_awssim/requests and in
# --request-log FILE; ?since=N reads only newer entries; DELETE forgets them.
. "$WF_SOURCE_DIR/tests/e2e/lib.sh"
. "$WF_SOURCE_DIR/tests/e2e/awssim_lib.sh"
need_aws_cli

sim_start --request-log requests.jsonl
expect_exit 0 awsc sts get-caller-identity
expect_exit 0 awsc s3 mb s3://logged
printf 'x' >x.txt
expect_exit 0 awsc s3 cp x.txt s3://logged/x.txt --metadata db-password=hunter2,owner=me
expect_exit 0 awsc s3 ls
expect_exit 254 awsc s3api head-object --bucket logged --key none
expect_exit 254 awsc ec2 describe-images --image-ids ami-0123456789abcdef0 --owners self

ctl GET /_awssim/requests >log.jsonl
check_eq "operations" "$(jq_py log.jsonl '[l["service"] + ":" + str(l["operation"]) for l in lines]')" \
    '["sts:GetCallerIdentity", "s3:CreateBucket", "s3:PutObject", "s3:ListBuckets", "s3:HeadObject", "ec2:DescribeImages"]'
check_eq "mutating" "$(jq_py log.jsonl '[l["mutating"] for l in lines]')" '[false, true, true, false, false, false]'
check_eq "status" "$(jq_py log.jsonl '[l["status"] for l in lines]')" '[200, 200, 200, 200, 404, 400]'
check_eq "errors" "$(jq_py log.jsonl '[l["error"] for l in lines]')" \
    '[null, null, null, null, "NotFound", "InvalidAMIID.NotFound"]'
check_eq "seq" "$(jq_py log.jsonl '[l["seq"] for l in lines]')" '[1, 2, 3, 4, 5, 6]'
check_eq "params" "$(jq_py log.jsonl 'lines[5]["params"]')" \
    '{"ImageIds": ["ami-0123456789abcdef0"], "Owners": ["self"]}'
check_eq "redacted" "$(jq_py log.jsonl 'lines[2]["params"]["Metadata"]')" \
    '{"db-password": "<redacted>", "owner": "me"}'
lacks log.jsonl "hunter2"
check_eq "fields" "$(jq_py log.jsonl 'sorted(lines[0])')" \
    '["access_key", "duration_ms", "error", "mutating", "operation", "params", "request_id", "seq", "service", "sim_time", "status", "time"]'
check_eq "time format" "$(jq_py log.jsonl 'lines[0]["time"][10] + lines[0]["time"][-1]')" "TZ"
valid_utf8 log.jsonl

# The file has the same lines, and the request ids the client saw.
CHECKS=$((CHECKS + 1))
cmp -s log.jsonl requests.jsonl || { fail "--request-log differs from GET /_awssim/requests"; diff log.jsonl requests.jsonl >&2; }
expect_exit 0 curl -sS -D headers.txt -o /dev/null --aws-sigv4 "aws:amz:us-east-1:s3" --user testing:testing "$SIM_URL/"
ctl GET '/_awssim/requests?since=6' >new.jsonl
check_eq "since" "$(jq_py new.jsonl '[l["seq"] for l in lines]')" '[7]'
contains headers.txt "x-amz-request-id: $(jq_py new.jsonl 'lines[0]["request_id"]')"

# Control requests are not logged; DELETE forgets (the file keeps everything).
expect_exit 0 ctl DELETE /_awssim/requests
expect_exit 0 awsc sts get-caller-identity
ctl GET /_awssim/requests >after.jsonl
check_eq "after delete" "$(jq_py after.jsonl '[l["seq"] for l in lines]')" '[8]'
check_eq "file lines" "$(wc -l <requests.jsonl | tr -d ' ')" "8"
sim_stop
finish
