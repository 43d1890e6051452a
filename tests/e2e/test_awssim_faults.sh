# Fault injection, from --fault flags and the control endpoint: an operation fails with a
# chosen error on its Nth call; a share of calls is throttled (the protocol's own code);
# latency is added; a connection is dropped without an answer; rules can be listed and
# removed; bad rules are refused. The AWS CLI proves each kind of answer parses; curl
# does the counting (it starts much faster).
. "$WF_SOURCE_DIR/tests/e2e/lib.sh"
. "$WF_SOURCE_DIR/tests/e2e/awssim_lib.sh"
need_aws_cli

identity() { awsc sts get-caller-identity --query Account --output text; }

# Nth call, from the command line.
sim_start --fault 'op=sts:GetCallerIdentity,error=ExpiredToken,status=403,message=too old,nth=2'
expect_exit 0 identity
expect_exit 254 identity
contains err.txt "An error occurred (ExpiredToken)"
contains err.txt "too old"
expect_exit 0 sts_curl
contains out.txt "<Account>000000000000</Account>"

# count: calls nth .. nth+count-1 fail.
expect_exit 0 ctl POST /_awssim/faults '{"operation": "ListBuckets", "error": "InternalError", "status": 500, "nth": 2, "count": 2}'
contains out.txt '"ids"'
expect_exit 0 s3_curl
contains out.txt "ListAllMyBucketsResult"
for i in 1 2; do
    expect_exit 0 s3_curl
    contains out.txt "<Code>InternalError</Code>"
    contains out.txt "500"
done
expect_exit 0 s3_curl
contains out.txt "ListAllMyBucketsResult"
expect_exit 0 ctl DELETE /_awssim/faults

# Throttling a share of calls: deterministic, every other call; S3 says SlowDown (503),
# the query protocol Throttling (400), EC2 RequestLimitExceeded (503).
expect_exit 0 ctl POST /_awssim/faults '{"throttle": 0.5}'
expect_exit 0 awsc s3api list-buckets
expect_exit 254 awsc s3api list-buckets
contains err.txt "SlowDown"
expect_exit 0 identity
expect_exit 254 identity
contains err.txt "Throttling"
expect_exit 0 awsc ec2 describe-images
expect_exit 254 awsc ec2 describe-images
contains err.txt "RequestLimitExceeded"
for i in 1 2 3; do
    expect_exit 0 sts_curl
    contains out.txt "<Account>"
    expect_exit 0 sts_curl
    contains out.txt "<Code>Throttling</Code>"
    contains out.txt "<Type>Sender</Type>"
done
expect_exit 0 ctl GET /_awssim/faults
check_eq "throttle counters" "$(jq_py out.txt '[d[0]["calls"], d[0]["fired"], d[0]["effect"]]')" '[12, 6, "throttle"]'
expect_exit 0 ctl DELETE /_awssim/faults
ctl GET /_awssim/requests >log.jsonl
check_eq "logged SlowDown" "$(jq_py log.jsonl '[[l["status"], l["fault"]] for l in lines if l["error"] == "SlowDown"]')" '[[503, 3]]'

# Latency: 600 ms on one operation only.
expect_exit 0 ctl POST /_awssim/faults '{"operation": "GetCallerIdentity", "latency_ms": 600}'
start=$(date +%s%N)
expect_exit 0 sts_curl
elapsed_ms=$(( ($(date +%s%N) - start) / 1000000 ))
CHECKS=$((CHECKS + 1))
[ "$elapsed_ms" -ge 600 ] || fail "latency: the call took $elapsed_ms ms"
start=$(date +%s%N)
expect_exit 0 s3_curl
elapsed_ms=$(( ($(date +%s%N) - start) / 1000000 ))
CHECKS=$((CHECKS + 1))
[ "$elapsed_ms" -lt 500 ] || fail "latency leaked to ListBuckets: $elapsed_ms ms"
ctl GET /_awssim/requests >log.jsonl
check_eq "logged latency" "$(jq_py log.jsonl 'lines[-2]["latency_ms"]')" "600"
CHECKS=$((CHECKS + 1))
[ "$(jq_py log.jsonl 'int(lines[-2]["duration_ms"] >= 600)')" = 1 ] || fail "duration_ms < 600"
expect_exit 0 identity
expect_exit 0 ctl DELETE /_awssim/faults

# Dropped connection: the client sees the connection close without an answer.
expect_exit 0 ctl POST /_awssim/faults '{"operation": "sts:GetCallerIdentity", "drop": true, "nth": 1}'
expect_exit 255 identity
contains err.txt "Connection was closed"
expect_exit 0 sts_curl
contains out.txt "<Account>"
expect_exit 0 ctl POST /_awssim/faults '{"operation": "ListBuckets", "drop": true}'
expect_exit 52 s3_curl
contains err.txt "Empty reply from server"
ctl GET /_awssim/requests >log.jsonl
check_eq "dropped entry" "$(jq_py log.jsonl '[lines[-1]["dropped"], lines[-1]["status"], lines[-1]["operation"]]')" '[true, null, "ListBuckets"]'

# Removing one rule by id; probability 1 and 0.
ctl GET /_awssim/faults >rules.json
expect_exit 0 ctl DELETE "/_awssim/faults/$(jq_py rules.json 'd[-1]["id"]')"
expect_exit 0 s3_curl
contains out.txt "ListAllMyBucketsResult"
expect_exit 0 ctl DELETE /_awssim/faults/9999
contains out.txt "no fault rule"
expect_exit 0 ctl POST /_awssim/faults '{"op": "ListBuckets", "error": "AccessDenied", "status": 403, "probability": 1}'
expect_exit 0 s3_curl
contains out.txt "<Code>AccessDenied</Code>"
expect_exit 0 ctl DELETE /_awssim/faults
expect_exit 0 ctl POST /_awssim/faults '{"op": "ListBuckets", "error": "AccessDenied", "probability": 0}'
expect_exit 0 s3_curl
contains out.txt "ListAllMyBucketsResult"

# Bad rules: the control endpoint answers 400, the flag exits 2.
expect_exit 0 curl -sS -w '%{http_code}' -X POST -d '{"op": "X", "nth": 0, "error": "E"}' "$SIM_URL/_awssim/faults"
contains out.txt "nth must be"
contains out.txt "400"
expect_exit 0 curl -sS -w '%{http_code}' -X POST -d '{"op": "X", "bogus": 1}' "$SIM_URL/_awssim/faults"
contains out.txt 'unknown key \"bogus\"'
expect_exit 0 curl -sS -w '%{http_code}' -X POST -d '{"op": "X"}' "$SIM_URL/_awssim/faults"
contains out.txt "needs an effect"
sim_stop
check_eq "exit status" "$SIM_RC" 0

expect_exit 2 "$AWSSIM" --listen 127.0.0.1:0 --fault 'op=X,throttle=2'
contains err.txt "--fault op=X,throttle=2"
expect_exit 2 "$AWSSIM" --listen 127.0.0.1:0 --fault 'nonsense'
contains err.txt "is not key=value"
finish
