# Shared state in S3 (--state s3://bucket/prefix) on awssim: journals and locks are objects
# any agent sees; a second agent (another working directory, no local cache) shows, resumes
# and rolls back a run the first started; two agents racing for one lock: exactly one wins,
# the other exits 4. Checked with Debian's AWS CLI against the same simulator.
. "$WF_SOURCE_DIR/tests/e2e/lib.sh"
. "$WF_SOURCE_DIR/tests/e2e/awssim_lib.sh"
need_aws_cli
W="$DATA/workflows/hold.lua"
KEY_ID=AKIDSTATE0TEST0001
SECRET='sTaTe/Secret+9f8e7d6c5b4a3210zz'
sim_start --credentials "$KEY_ID:$SECRET"
export AWS_ACCESS_KEY_ID="$KEY_ID" AWS_SECRET_ACCESS_KEY="$SECRET" AWS_EC2_METADATA_DISABLED=true
# Both the workflow's client and the state's follow AWS_ENDPOINT_URL.
export AWS_ENDPOINT_URL="$SIM_URL"
unset WFRUN_STATE WFRUN_STATE_DIR
BUCKET=team-state
STATE="s3://$BUCKET/wfrun/prod-account"
awsc s3api create-bucket --bucket "$BUCKET" >/dev/null || fail "create-bucket"
mkdir agent1 agent2

# agent N ARGS...: wfrun with the shared state, from agent N's own working directory.
agent() {
    n=$1; shift
    (cd "$SCRATCH/agent$n" && exec "$WFRUN" --state "$STATE" "$@")
}
latest_run() { agent "$1" runs 2>/dev/null | tail -n 1 | cut -d' ' -f1; }
s3get() { awsc s3api get-object --bucket "$BUCKET" --key "$1" "$2" >/dev/null 2>&1; }
# ccurl PATH [CURL ARGS]: a signed request with curl (quicker than the CLI's start-up)
ccurl() {
    p=$1; shift
    curl -sS --aws-sigv4 "aws:amz:us-east-1:s3" --user "$KEY_ID:$SECRET" -H "x-amz-content-sha256: UNSIGNED-PAYLOAD" \
        "$@" "$SIM_URL/$p"
}
# gone KEY: the object does not exist
gone() {
    CHECKS=$((CHECKS + 1))
    code=$(ccurl "$BUCKET/$1" -o /dev/null -w '%{http_code}')
    [ "$code" = 404 ] || fail "$1 exists (HTTP $code)"
}

# --- awssim honours If-None-Match: * on PutObject (what the lock relies on); with curl, as
# Debian's AWS CLI predates S3's conditional writes
cput() {
    curl -sS -o /dev/null -w '%{http_code}' --aws-sigv4 "aws:amz:us-east-1:s3" --user "$KEY_ID:$SECRET" \
        -H "x-amz-content-sha256: UNSIGNED-PAYLOAD" -X PUT --data-binary "$2" -H 'If-None-Match: *' "$SIM_URL/$BUCKET/$1"
}
check_eq "first put with If-None-Match: *" "$(cput probe one)" "200"
check_eq "second put with If-None-Match: *" "$(cput probe two)" "412"
check_eq "the object kept" "$(ccurl "$BUCKET/probe")" "one"
ccurl "$BUCKET/probe" -X DELETE

# --- a run writes its journal (and, while it runs, its lock) to S3
# (a subshell that execs wfrun: $! is wfrun's pid)
touch t1.txt.hold r1.txt.hold
(cd agent1 && exec "$WFRUN" --state "$STATE" "$W" prod --trace="$SCRATCH/t1.txt" --hold-in=c >"$SCRATCH/run1.out" 2>"$SCRATCH/run1.err") &
pid=$!
wait_for t1.txt "run:c"
id=$(latest_run 2)
check_eq "run id seen from agent 2" "${id%%-*}" "hold"
CHECKS=$((CHECKS + 1))
s3get "wfrun/prod-account/locks/hold@prod.lock" lock.json || fail "no lock object while the run holds it"
check_eq "lock run id" "$(jq_py lock.json 'd["run_id"]')" "$id"
check_eq "lock pid" "$(jq_py lock.json 'd["pid"]')" "$pid"
check_eq "lock host" "$(jq_py lock.json 'd["host"]')" "$(hostname)"
contains lock.json '"started":"20'
CHECKS=$((CHECKS + 1))
s3get "wfrun/prod-account/runs/$id/journal.jsonl" journal.jsonl || fail "no journal object"
check_eq "journal so far" "$(jq_py journal.jsonl '[l["type"] for l in lines]')" \
    '["run_started", "step_started", "step_succeeded", "step_started", "step_succeeded", "step_started"]'

# --- agent 2 (no cache of its own) sees the run
test ! -e agent2/.wfrun || fail "agent 2 has a local state before reading"
expect_exit 0 agent 2 runs
contains out.txt "$id  running"
expect_exit 0 agent 2 status "$id"
contains out.txt "run $id: running"
contains out.txt "c                        started"
contains out.txt "wfrun resume $id --state=$STATE"
test ! -e agent2/.wfrun || fail "reading the shared state wrote a local cache"
# a second run of the same environment, from agent 2: the lock is held
expect_exit 4 agent 2 "$W" prod --trace="$SCRATCH/t2.txt"
contains err.txt "another run holds the lock $STATE/locks/hold@prod.lock: run $id, pid $pid on $(hostname)"
test ! -e t2.txt || fail "the locked-out run ran a step"

# --- kill -9 mid-step; agent 2 resumes (the lock's pid is gone on this host: stale) and finishes
kill -9 $pid
wait $pid 2>/dev/null
rm t1.txt.hold
expect_exit 0 agent 2 resume "$id"
contains err.txt "took over a stale lock"
contains t1.txt "run:d"
gone "wfrun/prod-account/locks/hold@prod.lock"
s3get "wfrun/prod-account/runs/$id/journal.jsonl" journal.jsonl
check_eq "journal ends" "$(jq_py journal.jsonl 'lines[-1]["type"]')" "run_succeeded"
check_eq "resumed on agent 2" "$(jq_py journal.jsonl '[l["type"] for l in lines].count("run_resumed")')" "1"
# agent 1's cache is behind S3: it reads S3's longer journal
expect_exit 0 agent 1 status "$id"
contains out.txt "run $id: succeeded"

# --- rollback from another agent
(cd agent1 && exec "$WFRUN" --state "$STATE" "$W" prod --trace="$SCRATCH/r1.txt" --hold-in=c >/dev/null 2>&1) &
pid=$!
wait_for r1.txt "run:c"
rid=$(agent 2 runs 2>/dev/null | grep -v "^$id " | tail -n 1 | cut -d' ' -f1)   # not the first run, if both started in one second
kill -9 $pid
wait $pid 2>/dev/null
expect_exit 1 agent 2 rollback "$rid"
contains r1.txt "undo:b"
contains r1.txt "undo:a"
lacks r1.txt "run:d"
expect_exit 0 agent 1 status "$rid"
contains out.txt "run $rid: rolled_back"
# agent 1 resumes from its stale cache: S3's journal wins, nothing is run again
expect_exit 2 agent 1 resume "$rid"
contains err.txt "was rolled back"

# --- two agents race for the same lock, started at the same instant, several times; the
# winner holds its lock (in step a) until the loser has given up
for round in 1 2 3 4 5; do
    rm -f go
    touch "race$round.txt.hold"
    for n in 1 2; do
        (cd "$SCRATCH/agent$n" && while [ ! -e "$SCRATCH/go" ]; do sleep 0.005; done &&
         exec "$WFRUN" --state "$STATE" "$W" race --trace="$SCRATCH/race$round.txt" --hold-in=a \
            >"$SCRATCH/race$round-$n.out" 2>"$SCRATCH/race$round-$n.err") &
        eval "p$n=\$!"
    done
    sleep 0.3
    touch go
    n=0
    while ! grep -qs "another run holds" "race$round-1.err" "race$round-2.err"; do
        n=$((n + 1)); [ $n -gt 300 ] && break
        sleep 0.1
    done
    rm "race$round.txt.hold"
    wait $p1; rc1=$?
    wait $p2; rc2=$?
    check_eq "round $round exit codes (sorted)" "$(printf '%s\n' $rc1 $rc2 | sort | tr '\n' ' ')" "0 4 "
    check_eq "round $round: steps run (by the winner only)" "$(tr '\n' ' ' < "race$round.txt")" "run:a run:b run:c run:d "
done
gone "wfrun/prod-account/locks/hold@race.lock"

# --- S3 refuses a journal put: the run stops before acting; the record stays in the
# agent's cache, and a resume there uploads it first (a is not run again)
ctl POST /_awssim/faults '{"operation": "s3:PutObject", "nth": 4, "error": "InternalError", "status": 500}' >/dev/null
expect_exit 3 env AWS_MAX_ATTEMPTS=1 sh -c 'cd agent1 && exec "$0" --state "$1" "$2" dur --trace="$3"' \
    "$WFRUN" "$STATE" "$W" "$SCRATCH/d.txt"
contains err.txt "cannot write"
check_eq "steps run before the put failed" "$(tr '\n' ' ' < d.txt)" "run:a "
ctl DELETE /_awssim/faults >/dev/null
# its id from its own log: "latest" would tie with the last race run started in the same second
did=$(sed -n 's/.* run \(hold-[^ ]*\) of .*/\1/p' err.txt | head -n 1)
check_eq "the run id of the stopped run" "$(printf %s "$did" | cut -c1-5)" "hold-"
expect_exit 0 agent 2 status "$did"
contains out.txt "a                        started"
expect_exit 0 agent 1 status "$did"
contains out.txt "a                        succeeded"
expect_exit 0 agent 1 resume "$did"
check_eq "after the resume" "$(tr '\n' ' ' < d.txt)" "run:a run:b run:c run:d "
expect_exit 0 agent 2 status "$did"
contains out.txt "run $did: succeeded"

# --- a local state named with --state DIR
expect_exit 0 "$WFRUN" --state "$SCRATCH/dir-state" "$W" qa --trace="$SCRATCH/q.txt"
expect_exit 0 "$WFRUN" --state-dir "$SCRATCH/dir-state" runs
contains out.txt "  succeeded"
CHECKS=$((CHECKS + 1))
ls dir-state/runs/hold-*/journal.jsonl >/dev/null 2>&1 || fail "no journal in dir-state"

# --- $WFRUN_STATE is the default of --state; --state-dir still names a local state
expect_exit 0 env WFRUN_STATE="$STATE" "$WFRUN" runs
contains out.txt "$id  succeeded"
expect_exit 0 env WFRUN_STATE="$STATE" "$WFRUN" --state-dir="$SCRATCH/agent1/.wfrun" runs
contains err.txt "no runs in $SCRATCH/agent1/.wfrun"

# --- the state bucket on an endpoint (and region) of its own, apart from the workflow's
expect_exit 3 env AWS_ENDPOINT_URL=http://127.0.0.1:9 AWS_MAX_ATTEMPTS=1 "$WFRUN" --state "$STATE" runs
contains err.txt "state $STATE/runs/: cannot list"
expect_exit 0 env AWS_ENDPOINT_URL=http://127.0.0.1:9 WFRUN_STATE_ENDPOINT_URL="$SIM_URL" WFRUN_STATE_REGION=eu-west-1 \
    "$WFRUN" --state "$STATE" runs
contains out.txt "$id  succeeded"

# --- a bad state URL is bad input
expect_exit 2 "$WFRUN" --state "s3:///nobucket" runs
contains err.txt "--state s3:///nobucket: no bucket"
expect_exit 2 "$WFRUN" --state "gs://bucket/x" runs
contains err.txt "only directories and s3://bucket/prefix"

# --- no credentials in the state objects or the logs
awsc s3 cp --recursive "s3://$BUCKET/" all-objects/ >/dev/null
CHECKS=$((CHECKS + 1))
test -s "all-objects/wfrun/prod-account/runs/$id/journal.jsonl" || fail "objects were not downloaded"
CHECKS=$((CHECKS + 1))
if grep -rlF -- "$SECRET" all-objects agent1 agent2 ./*.out ./*.err out.txt err.txt run1.out run1.err; then
    fail "the secret key appears above"
fi
finish
