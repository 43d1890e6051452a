# Secrets never leave wfrun: a full workflow (clone.lua) runs on awssim with known, distinctive
# credentials — a static access key and secret key, then temporary credentials with a
# session token from STS AssumeRole — and a workflow with a secret param puts that param into
# AWS calls, log lines, a check and an error. Every output is then searched for every secret:
# stdout and stderr of each command (text, JSON and TeamCity logs, -v), the plans (-o, text and
# JSON), the JUnit files, the state directory (journals, locks), `status` and `runs`.
# (test_secrets.sh covers the engine's redaction itself; this is the whole product.)
. "$WF_SOURCE_DIR/tests/e2e/lib.sh"
# Temporary credentials expire on the simulated clock: 12 hours at 120x last 6 minutes.
SIM_SCALE=120
WFSIM_LIB=1 . "$WF_SOURCE_DIR/tests/e2e/test_workflow_sim.sh"

KEY_ID=AKIAWFRUNSECRETTEST7
SECRET_KEY=wJalrXUtnFEMI-K7MDENG-SecretKeyForTheLeakTest9
PARAM_SECRET=Param-Secret-Value-Q7x
C="$WORKFLOWS/clone.lua"
OUT="$SCRATCH/outputs"
mkdir -p "$OUT"
n=0
# keep_outputs NAME: files the last command wrote (out.txt, err.txt) are kept for the search.
keep_outputs() { n=$((n + 1)); cp out.txt "$OUT/$n-$1.out"; cp err.txt "$OUT/$n-$1.err"; }

sim_start "$SEED" --credentials "$KEY_ID:$SECRET_KEY"
export AWS_ACCESS_KEY_ID="$KEY_ID" AWS_SECRET_ACCESS_KEY="$SECRET_KEY"
export WFRUN_STATE_DIR="$SCRATCH/state"

# --- static keys: plans, then the run with the JSON log and JUnit --------------------------
run_wf 0 "$WFRUN" -v plan "$C" demo qa -o "$OUT/clone-plan.json" --format=json
keep_outputs plan-json
run_wf 0 "$WFRUN" -v plan "$C" demo qa
keep_outputs plan-text
contains out.txt "create_stack"
run_wf 0 "$WFRUN" -v --log-format=json --junit="$OUT/clone-static.xml" "$C" demo qa
keep_outputs clone-static
contains err.txt '"event":"run_end"'
contains "$OUT/clone-static.xml" 'name="smoke test GET'

# --- temporary credentials with a session token ---------------------------------------------
run_wf 0 "$WFRUN" call sts assume_role '{"RoleArn": "arn:aws:iam::000000000000:role/deployer", "RoleSessionName": "leak-test", "DurationSeconds": 43200}'
creds() { python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["Credentials"][sys.argv[2]])' out.txt "$1"; }
TMP_KEY_ID=$(creds AccessKeyId); TMP_SECRET=$(creds SecretAccessKey); TMP_TOKEN=$(creds SessionToken)
CHECKS=$((CHECKS + 1))
[ ${#TMP_SECRET} -ge 16 ] && [ ${#TMP_TOKEN} -ge 16 ] || fail "AssumeRole gave no usable credentials: $(cat out.txt)"
rm -f out.txt      # the only place the temporary secrets are meant to be
export AWS_ACCESS_KEY_ID="$TMP_KEY_ID" AWS_SECRET_ACCESS_KEY="$TMP_SECRET" AWS_SESSION_TOKEN="$TMP_TOKEN"
run_wf 0 "$WFRUN" -v call sts get_caller_identity
keep_outputs caller
contains out.txt "assumed-role/deployer/leak-test"     # the session token was used
# TeamCity log (on stdout), verbose, with JUnit; then a text log
run_wf 0 env TEAMCITY_VERSION=2024.1 "$WFRUN" -v --junit="$OUT/clone-temp.xml" "$C" demo qa2
keep_outputs clone-teamcity
contains out.txt "##teamcity[buildStatisticValue key='wfrun.step.verify.seconds'"
run_wf 1 "$WFRUN" -v "$C" demo qa2     # qa2 exists: refused, a failure message
keep_outputs clone-refused

# --- a secret param in AWS calls, logs, a check and an error --------------------------------
cat > "$SCRATCH/secret.lua" <<'WF'
workflow "secret-param" { params = {
  bucket = param.string { position = 1 },
  token = param.secret { doc = "an API token" },
} }
local check = require "stdlib.check"
step "store" {
  run = function(ctx)
    aws.s3.put_object { Bucket = ctx.params.bucket, Key = "token.txt", Body = ctx.params.token,
                        Metadata = { token = ctx.params.token } }
    log.info("stored the token " .. ctx.params.token)
    return { key = "token.txt", note = "token " .. ctx.params.token }
  end,
  undo = function(ctx) aws.s3.delete_object { Bucket = ctx.params.bucket, Key = "token.txt" } end,
}
step "verify" {
  needs = "store", verify = true,
  run = function(ctx)
    local got = aws.s3.get_object { Bucket = ctx.params.bucket, Key = "token.txt" }
    check.record("token readable", true, "read back " .. ctx.params.token)
    aws.s3.head_bucket { Bucket = "no-such-bucket-" .. ctx.params.token:lower() }
    return { got = tostring(got.ContentLength) }
  end,
}
WF
BUCKET=leak-test-bucket
run_wf 0 "$WFRUN" call s3 create_bucket "{\"Bucket\": \"$BUCKET\"}"
run_wf 0 "$WFRUN" -v plan "$SCRATCH/secret.lua" "$BUCKET" --token="$PARAM_SECRET" -o "$OUT/secret-plan.json" --format=json
keep_outputs secret-plan
run_wf 0 "$WFRUN" -v plan "$SCRATCH/secret.lua" "$BUCKET" --token="$PARAM_SECRET"
keep_outputs secret-plan-text
contains out.txt "put_object"
run_wf 1 "$WFRUN" -v --junit="$OUT/secret.xml" "$SCRATCH/secret.lua" "$BUCKET" --token="$PARAM_SECRET"
keep_outputs secret-run
contains "$OUT/secret.xml" "read back ***"
run_wf 1 "$WFRUN" --log-format=json -v "$SCRATCH/secret.lua" "$BUCKET" --token="$PARAM_SECRET"
keep_outputs secret-run-json
run_wf 1 env TEAMCITY_VERSION=2024.1 "$WFRUN" -v "$SCRATCH/secret.lua" "$BUCKET" --token="$PARAM_SECRET"
keep_outputs secret-run-teamcity
run_wf 0 "$WFRUN" runs
keep_outputs runs
for id in $(awk '{print $1}' out.txt); do
    run_wf 0 "$WFRUN" status "$id"
    keep_outputs "status-$id"
done

# --- the search --------------------------------------------------------------------------
CHECKS=$((CHECKS + 1))
[ "$(ls "$OUT" | wc -l)" -ge 30 ] && [ -d "$WFRUN_STATE_DIR/runs" ] || fail "outputs missing: $(ls "$OUT")"
for secret in "$KEY_ID" "$SECRET_KEY" "$TMP_KEY_ID" "$TMP_SECRET" "$TMP_TOKEN" "$PARAM_SECRET"; do
    CHECKS=$((CHECKS + 1))
    if grep -rlF -- "$secret" "$OUT" "$WFRUN_STATE_DIR" >leaks.txt; then
        fail "a secret (${secret%"${secret#????}"}...) appears in: $(tr '\n' ' ' < leaks.txt)"
    fi
done
# the search can find them: the values did reach wfrun (the simulator's request log saw the key)
contains requests.jsonl "$BUCKET"
CHECKS=$((CHECKS + 1))
grep -rqF -- "***" "$OUT" || fail "nothing was redacted: the secrets never reached the outputs, so the search proves little"
finish
