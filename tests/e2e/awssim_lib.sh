# Helpers for the awssim end-to-end tests (test_awssim_*.sh), sourced after lib.sh:
# start and stop a simulator on a free loopback port, call it with Debian's AWS CLI,
# read JSON with python3. ctest sets AWSSIM (tests/awssim.cmake).
: "${AWSSIM:?AWSSIM must name the awssim binary}"
AWS_CLI=${AWS_CLI:-/usr/bin/aws}
SIM_PID=""

# A clean AWS environment: the simulator's default keys, no user config, no retries
# (faults must reach the test, not be retried away).
export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_DEFAULT_REGION=us-east-1
export AWS_MAX_ATTEMPTS=1 AWS_RETRY_MODE=standard AWS_PAGER="" AWS_CONFIG_FILE=/dev/null
export AWS_SHARED_CREDENTIALS_FILE=/dev/null
unset AWS_PROFILE AWS_SESSION_TOKEN AWS_ENDPOINT_URL AWS_REGION

# Stop any simulator still running, then clean up as lib.sh does.
trap 'sim_kill; cd /; rm -rf "$SCRATCH"' EXIT

# need_aws_cli: skips the test (exit 77) when the AWS CLI is not installed.
need_aws_cli() {
    if [ ! -x "$AWS_CLI" ]; then
        echo "SKIP: $AWS_CLI not installed (tools/setup.sh installs awscli)" >&2
        exit 77
    fi
}

# sim_start ARGS...: starts awssim on 127.0.0.1:0 with ARGS, waits for the URL on its
# first stdout line; sets SIM_URL and SIM_PID. Output goes to sim.out / sim.err.
sim_start() {
    # Empty sim.out here, not in the child's redirection: a restart would otherwise race
    # with the child and read the previous simulator's URL (or an empty line).
    : >sim.out
    "$AWSSIM" --listen 127.0.0.1:0 "$@" >>sim.out 2>sim.err &
    SIM_PID=$!
    n=0
    while ! head -n 1 sim.out 2>/dev/null | grep -q '^http://'; do
        n=$((n + 1))
        if [ $n -gt 100 ] || ! kill -0 "$SIM_PID" 2>/dev/null; then
            CHECKS=$((CHECKS + 1))
            fail "awssim did not start: $*"
            cat sim.err >&2
            SIM_PID=""
            finish
        fi
        sleep 0.1
    done
    SIM_URL=$(head -n 1 sim.out)
}

# sim_stop: SIGTERM, then waits; SIM_RC gets the exit status.
sim_stop() {
    kill -TERM "$SIM_PID"
    wait "$SIM_PID"
    SIM_RC=$?
    SIM_PID=""
}

sim_kill() {
    if [ -n "$SIM_PID" ]; then
        kill -TERM "$SIM_PID" 2>/dev/null
        wait "$SIM_PID" 2>/dev/null
        SIM_PID=""
    fi
}

# awsc ARGS...: the AWS CLI pointed at the simulator.
awsc() {
    "$AWS_CLI" --endpoint-url "$SIM_URL" "$@"
}

# sts_curl / s3_curl [CURL ARGS]: a SigV4-signed GetCallerIdentity / ListBuckets with curl
# (a tenth of the AWS CLI's start-up time); prints the body, then the HTTP status.
sts_curl() {
    curl -sS -w '\n%{http_code}\n' --aws-sigv4 "aws:amz:us-east-1:sts" --user testing:testing \
        -d "Action=GetCallerIdentity&Version=2011-06-15" "$@" "$SIM_URL/"
}
s3_curl() {
    curl -sS -w '\n%{http_code}\n' --aws-sigv4 "aws:amz:us-east-1:s3" --user testing:testing \
        -H "x-amz-content-sha256: UNSIGNED-PAYLOAD" "$@" "$SIM_URL/"
}

# ctl METHOD PATH [JSON]: a control request; the body goes to stdout.
ctl() {
    if [ $# -ge 3 ]; then
        curl -sS -X "$1" -H 'Content-Type: application/json' --data-binary "$3" "$SIM_URL$2"
    else
        curl -sS -X "$1" "$SIM_URL$2"
    fi
}

# jq_py FILE EXPR: evaluates a Python expression over the JSON document in FILE (as `d`),
# or over its JSON lines (as the list `lines`) when FILE ends in .jsonl; prints it.
jq_py() {
    python3 -c '
import json, sys
path, expr = sys.argv[1], sys.argv[2]
text = open(path, encoding="utf-8").read()
if path.endswith(".jsonl"):
    lines = [json.loads(l) for l in text.splitlines() if l.strip()]
    d = None
else:
    d = json.loads(text)
    lines = None
v = eval(expr)
print(json.dumps(v) if not isinstance(v, str) else v)
' "$1" "$2"
}

# check_eq WHAT GOT WANT
check_eq() {
    CHECKS=$((CHECKS + 1))
    if [ "$2" != "$3" ]; then fail "$1: got '$2', expected '$3'"; fi
}
