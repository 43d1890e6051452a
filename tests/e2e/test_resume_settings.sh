# resume and rollback keep the run's AWS settings (docs/cli.md): a run started with
# --endpoint-url and --region and killed -9 mid-step resumes without them against the same
# simulator and region; a different explicit --region is refused (exit 2) naming both
# values unless --force; a --sim run is not resumed against real AWS; the journal records
# the settings and no credentials.
. "$WF_SOURCE_DIR/tests/e2e/lib.sh"
. "$WF_SOURCE_DIR/tests/e2e/awssim_lib.sh"
. "$WF_SOURCE_DIR/tests/e2e/crash_lib.sh"
W="$DATA/workflows/resume_settings.lua"
need_aws_cli
export WFRUN_AWSSIM="$AWSSIM"

# --- kill -9 in "slow", resume with no connection options --------------------------------
sim_start --fault "op=PutObject,latency_ms=2500,nth=1"
crash_in slow "" "$WFRUN" --endpoint-url "$SIM_URL" --region eu-west-2 --yes "$W" rs-one
id=$CRASH_ID
J=".wfrun/runs/$id/journal.jsonl"
check_eq "recorded region" "$(jq_py "$J" 'lines[0]["settings"]["region"]')" "eu-west-2"
check_eq "recorded endpoint" "$(jq_py "$J" 'lines[0]["settings"]["endpoint_url"]')" "$SIM_URL"
lacks "$J" "$AWS_SECRET_ACCESS_KEY"
lacks "$J" "AWS_ACCESS_KEY"
sleep 2.5   # awssim answers the killed run's delayed PutObject (crash_lib.sh: sim_settle)
# AWS_DEFAULT_REGION=us-east-1 is set and no endpoint: the run's own settings must win.
expect_exit 0 "$WFRUN" resume "$id"
contains err.txt "using run $id's --endpoint-url $SIM_URL"
contains err.txt "using run $id's --region eu-west-2"
check_eq "the probe after the resume" "$(jq_py "$J" '[l["outputs"]["probe"] for l in lines if l["type"] == "step_succeeded" and l["step"] == "probe"][0]')" \
    "refused: not us-east-1"
ctl GET /_awssim/requests > requests.jsonl
check_eq "the calls" "$(jq_py requests.jsonl '[l["operation"] for l in lines if l.get("service") == "s3"]')" \
    '["CreateBucket", "PutObject", "PutObject", "CreateBucket"]'
check_eq "the bucket's region" "$(awsc s3api get-bucket-location --bucket rs-one --query LocationConstraint --output text)" "eu-west-2"
check_eq "the objects" "$(awsc s3api list-objects-v2 --bucket rs-one --query 'Contents[].Key' --output text)" "slow"

# --- an explicit different region is refused, the same one is fine, --force overrides -----
expect_exit 2 "$WFRUN" --region us-west-1 rollback "$id"
contains err.txt "--region=us-west-1, but run $id used eu-west-2"
contains err.txt "--force"
expect_exit 0 "$WFRUN" --region us-west-1 resume "$id" --force
contains err.txt "--region=us-west-1, but run $id used eu-west-2 (--force: using the command line's)"
contains err.txt "already succeeded"
expect_exit 1 "$WFRUN" --region eu-west-2 --endpoint-url "$SIM_URL" rollback "$id"
contains err.txt "was rolled back"
check_eq "buckets after the rollback" "$(awsc s3api list-buckets --query 'Buckets[?Name==`rs-one`].Name' --output text)" ""

# --- an endpoint's user info and query are not recorded ------------------------------------
host_url=${SIM_URL#http://}
# (the client refuses such a URL at the first call, after run_started is written)
expect_exit 1 "$WFRUN" --endpoint-url "http://$host_url/?token=hush" --region eu-west-2 --yes "$W" rs-two
J2=$(newest_journal)
check_eq "recorded endpoint without its query" "$(jq_py "$J2" 'lines[0]["settings"]["endpoint_url"]')" "http://$host_url/"
id2=$(basename "$(dirname "$J2")")
expect_exit 2 "$WFRUN" rollback "$id2"
contains err.txt "pass it again with --endpoint-url=URL"
sim_stop

# --- a --sim run is never resumed against real AWS ----------------------------------------
expect_exit 0 "$WFRUN" --sim --sim-state=world.json --yes "$W" rs-sim --region=eu-west-2
sim_id=$(ls -t .wfrun/runs | head -n 1)
check_eq "recorded sim" "$(jq_py ".wfrun/runs/$sim_id/journal.jsonl" 'lines[0]["settings"]["sim"]')" "true"
expect_exit 2 "$WFRUN" rollback "$sim_id"
contains err.txt "ran on the simulator (--sim)"
contains err.txt "use the same simulated world: wfrun --sim --sim-state=$(pwd -P)/world.json rollback $sim_id"
contains err.txt "wfrun --endpoint-url=URL rollback $sim_id"
expect_exit 2 "$WFRUN" resume "$sim_id"
contains err.txt "it will not be resumed against real AWS"
expect_exit 2 "$WFRUN" --sim rollback "$sim_id"
contains err.txt "ran on the simulator (--sim)"
# with its world the rollback works
expect_exit 1 "$WFRUN" --sim --sim-state=world.json rollback "$sim_id"
contains err.txt "was rolled back"
J3=".wfrun/runs/$sim_id/journal.jsonl"
check_eq "the sim run's probe" "$(jq_py "$J3" '[l["outputs"]["probe"] for l in lines if l["type"] == "step_succeeded" and l["step"] == "probe"][0]')" \
    "refused: not us-east-1"
lacks "$J3" "$AWS_SECRET_ACCESS_KEY"
finish
