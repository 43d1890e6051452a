# `wfrun unlock ENV --force --reason TEXT` breaks a lock and records who broke it, when,
# why and from whom, in the state and in the log; without --force and --reason it refuses
# (exit 2). Local state, then S3 state on awssim with a holder "on another host" (whose
# death no agent can see), which only unlock lets a resume past.
. "$WF_SOURCE_DIR/tests/e2e/lib.sh"
. "$WF_SOURCE_DIR/tests/e2e/awssim_lib.sh"
W="$DATA/workflows/hold.lua"
unset WFRUN_STATE WFRUN_STATE_DIR
export USER=alice

# --- local state: a live holder
touch l.txt.hold l2.txt.hold s.txt.hold
("$WFRUN" "$W" prod --trace="$SCRATCH/l.txt" --hold-in=b >/dev/null 2>&1) &
pid=$!
wait_for l.txt "run:b"
id=$(ls .wfrun/runs)
expect_exit 2 "$WFRUN" unlock prod
contains err.txt "is held by run $id, pid $pid on $(hostname)"
contains err.txt "--force --reason"
expect_exit 2 "$WFRUN" unlock prod --force
expect_exit 2 "$WFRUN" unlock prod --reason "no force"
expect_exit 2 "$WFRUN" unlock prod --force --reason "  "
expect_exit 2 "$WFRUN" unlock staging --force --reason "x"
contains err.txt "no lock staging in .wfrun (held now: hold@prod)"
CHECKS=$((CHECKS + 1))
test -e .wfrun/locks/hold@prod.lock || fail "a refused unlock removed the lock"
# another workflow's lock on the same environment makes ENV ambiguous
printf '{"host":"elsewhere","pid":1,"run_id":"other-1","started":"2026-01-01T00:00:00Z"}\n' > .wfrun/locks/other@prod.lock
expect_exit 2 "$WFRUN" unlock prod --force --reason "x"
contains err.txt "several workflows hold a lock on prod: hold@prod, other@prod"
expect_exit 0 "$WFRUN" unlock other@prod --force --reason "fixture"
expect_exit 0 "$WFRUN" unlock prod --force --reason "deploy job 1234 was cancelled"
contains err.txt "lock .wfrun/locks/hold@prod.lock broken by alice on $(hostname): deploy job 1234 was cancelled (it was held by run $id, pid $pid"
contains err.txt "wfrun status $id"
CHECKS=$((CHECKS + 1))
test ! -e .wfrun/locks/hold@prod.lock || fail "the lock is still there"
check_eq "broken record" "$(jq_py .wfrun/locks/hold@prod.broken.jsonl \
    '[lines[0][k] for k in ("type", "lock", "user", "host", "reason")] + [lines[0]["previous"]["run_id"], lines[0]["previous"]["pid"]]')" \
    "[\"lock_broken\", \"hold@prod\", \"alice\", \"$(hostname)\", \"deploy job 1234 was cancelled\", \"$id\", $pid]"
contains .wfrun/locks/hold@prod.broken.jsonl '"time":"20'
expect_exit 0 "$WFRUN" status "$id"
contains out.txt "lock broken 20"
contains out.txt "by alice on $(hostname): deploy job 1234 was cancelled"
# the JSON log carries it too
kill -9 $pid; wait $pid 2>/dev/null
"$WFRUN" "$W" prod --trace="$SCRATCH/l2.txt" --hold-in=a >/dev/null 2>&1 &
pid=$!
wait_for l2.txt "run:a"
expect_exit 0 "$WFRUN" --log-format=json unlock prod --force --reason "second"
contains err.txt '"level":"warn"'
contains err.txt 'broken by alice'
check_eq "records" "$(jq_py .wfrun/locks/hold@prod.broken.jsonl '[l["reason"] for l in lines]')" '["deploy job 1234 was cancelled", "second"]'
kill -9 $pid; wait $pid 2>/dev/null

# --- S3 state: a holder on another host
need_aws_cli
sim_start
export AWS_ENDPOINT_URL="$SIM_URL" AWS_EC2_METADATA_DISABLED=true
STATE=s3://locks-bucket/ci
awsc s3api create-bucket --bucket locks-bucket >/dev/null || fail "create-bucket"
mkdir agent1 agent2
(cd agent1 && exec "$WFRUN" --state "$STATE" "$W" prod --trace="$SCRATCH/s.txt" --hold-in=c >/dev/null 2>&1) &
pid=$!
wait_for s.txt "run:c"
kill -9 $pid; wait $pid 2>/dev/null
sid=$(cd agent2 && "$WFRUN" --state "$STATE" runs | tail -n 1 | cut -d' ' -f1)
# the lock as an agent on another host would have left it
printf '{"host":"ci-agent-7","lock":"hold@prod","pid":4242,"run_id":"%s","started":"2026-11-26T09:00:00Z"}\n' "$sid" > far.json
awsc s3api put-object --bucket locks-bucket --key ci/locks/hold@prod.lock --body far.json >/dev/null
cd agent2
expect_exit 4 "$WFRUN" --state "$STATE" resume "$sid"
contains err.txt "another run holds the lock $STATE/locks/hold@prod.lock: run $sid, pid 4242 on ci-agent-7, started 2026-11-26T09:00:00Z"
contains err.txt "wfrun unlock hold@prod --force --reason"
expect_exit 2 "$WFRUN" --state "$STATE" unlock prod
contains err.txt "pid 4242 on ci-agent-7"
expect_exit 0 "$WFRUN" --state "$STATE" unlock prod --force --reason "ci-agent-7 was terminated"
contains err.txt "broken by alice"
rm "$SCRATCH/s.txt.hold"
expect_exit 0 "$WFRUN" --state "$STATE" resume "$sid"
contains "$SCRATCH/s.txt" "run:d"
cd "$SCRATCH"
awsc s3api get-object --bucket locks-bucket --key ci/locks/hold@prod.broken.jsonl broken.jsonl >/dev/null
expect_exit 0 "$WFRUN" --state "$STATE" status "$sid"
contains out.txt "by alice on $(hostname): ci-agent-7 was terminated"

# --- a holder that was alive after all is stopped at its next record: its journal put
# (If-Match on the ETag it wrote last) fails once unlock has written the journal
touch f.txt.hold
(cd agent1 && exec "$WFRUN" --state "$STATE" "$W" fenced --trace="$SCRATCH/f.txt" --hold-in=b >"$SCRATCH/f.out" 2>"$SCRATCH/f.err") &
pid=$!
wait_for f.txt "run:b"
(cd agent2 && "$WFRUN" --state "$STATE" unlock fenced --force --reason "thought it was dead") >/dev/null 2>unlock.err ||
    { fail "unlock of a live holder"; cat unlock.err >&2; }
rm f.txt.hold
wait $pid; code=$?
check_eq "the fenced run's exit code" "$code" "3"
contains f.err "the journal was changed by another writer"
lacks f.txt "run:c"

check_eq "S3 broken record" "$(jq_py broken.jsonl \
    '[lines[0][k] for k in ("lock", "user", "reason")] + [lines[0]["previous"][k] for k in ("host", "pid", "run_id")]')" \
    "[\"hold@prod\", \"alice\", \"ci-agent-7 was terminated\", \"ci-agent-7\", 4242, \"$sid\"]"
finish
