# awssim's application health, GET /_awssim/apps/<stack>/health: 200 while the stack's
# Auto Scaling group has an instance InService, 503 while its instances are entering or on
# Standby, while one comes back (Pending), while the stack is deleted and once it is gone;
# "{awssim}" in the seeded stack's SmokeTestUrl output reads as this simulator's URL, also
# after a restart from its state on another port. The clock is moved by hand (time scale
# 1), so every transition is seen.
. "$WF_SOURCE_DIR/tests/e2e/lib.sh"
. "$WF_SOURCE_DIR/tests/e2e/awssim_lib.sh"
need_aws_cli

advance() { ctl POST /_awssim/clock "{\"advance\": $1}" >/dev/null; }

# health STACK WANT [REASON]: the HTTP status is WANT (and the reason contains REASON).
health() {
    code=$(curl -sS -o health.json -w '%{http_code}' "$SIM_URL/_awssim/apps/$1/health")
    check_eq "health of $1" "$code" "$2"
    if [ $# -ge 3 ]; then contains health.json "$3"; fi
}

expect_exit 0 "$AWSSIM" --help
contains out.txt "/_awssim/apps/STACK/health"

sim_start --seed "$WF_SOURCE_DIR/workflows/examples/seed.json" --state "$SCRATCH/state.json"

# --- the seeded environment serves; its smoke-test output points here -----------------
health api-demo 200
check_eq "in_service" "$(jq_py health.json 'd["in_service"]')" 2
check_eq "stack status" "$(jq_py health.json 'd["stack_status"]')" CREATE_COMPLETE
awsc cloudformation describe-stacks --stack-name api-demo >stack.json
check_eq "SmokeTestUrl" \
    "$(jq_py stack.json '[o["OutputValue"] for o in d["Stacks"][0]["Outputs"] if o["OutputKey"] == "SmokeTestUrl"][0]')" \
    "$SIM_URL/_awssim/apps/api-demo/health"
check_eq "PublicUrl" \
    "$(jq_py stack.json '[p["ParameterValue"] for p in d["Stacks"][0]["Parameters"] if p["ParameterKey"] == "PublicUrl"][0]')" \
    "$SIM_URL/_awssim/apps/api-demo"
# the stored value keeps the placeholder: the inventory shows it as it is
ctl GET /_awssim/inventory >inventory.json
contains inventory.json "{awssim}/_awssim/apps/api-demo/health"

# --- bad requests ------------------------------------------------------------------------
health api-nope 503 "no stack api-nope"
health 9-lives 400 "not a stack name"
check_eq "other path" "$(curl -sS -o /dev/null -w '%{http_code}' "$SIM_URL/_awssim/apps/api-demo/status")" 404
check_eq "POST" "$(curl -sS -o /dev/null -w '%{http_code}' -X POST "$SIM_URL/_awssim/apps/api-demo/health")" 405

# --- Standby: 200 while one instance is InService, 503 when none is ----------------------
group=$(jq_py stack.json '[o["OutputValue"] for o in d["Stacks"][0]["Outputs"] if o["OutputKey"] == "AutoScalingGroup"][0]')
awsc autoscaling describe-auto-scaling-groups --auto-scaling-group-names "$group" >group.json
i1=$(jq_py group.json 'sorted(i["InstanceId"] for i in d["AutoScalingGroups"][0]["Instances"])[0]')
i2=$(jq_py group.json 'sorted(i["InstanceId"] for i in d["AutoScalingGroups"][0]["Instances"])[1]')
expect_exit 0 awsc autoscaling update-auto-scaling-group --auto-scaling-group-name "$group" --min-size 0
expect_exit 0 awsc autoscaling enter-standby --auto-scaling-group-name "$group" --instance-ids "$i1" \
    --should-decrement-desired-capacity
advance 120
health api-demo 200
check_eq "in_service, one on Standby" "$(jq_py health.json 'd["in_service"]')" 1
expect_exit 0 awsc autoscaling enter-standby --auto-scaling-group-name "$group" --instance-ids "$i2" \
    --should-decrement-desired-capacity
health api-demo 503 "EnteringStandby"        # a load balancer stops sending at once
advance 120
health api-demo 503 "no instance of api-demo is InService (2 Standby)"
# --- back in service: 503 while Pending, 200 once InService ------------------------------
expect_exit 0 awsc autoscaling exit-standby --auto-scaling-group-name "$group" --instance-ids "$i2"
health api-demo 503 "Pending"
advance 120
health api-demo 200
check_eq "in_service after ExitStandby" "$(jq_py health.json 'd["in_service"]')" 1

# --- restarted from its state on another port: the output names the new URL --------------
old_url=$SIM_URL
sim_stop
sim_start --state "$SCRATCH/state.json"
awsc cloudformation describe-stacks --stack-name api-demo >stack.json
check_eq "SmokeTestUrl after a restart" \
    "$(jq_py stack.json '[o["OutputValue"] for o in d["Stacks"][0]["Outputs"] if o["OutputKey"] == "SmokeTestUrl"][0]')" \
    "$SIM_URL/_awssim/apps/api-demo/health"
CHECKS=$((CHECKS + 1))
[ "$SIM_URL" != "$old_url" ] || fail "awssim came back on the same port $SIM_URL; the restart proves nothing"
health api-demo 200

# --- the stack deleted: 503 while it goes, and once it is gone ----------------------------
bucket=$(jq_py stack.json '[o["OutputValue"] for o in d["Stacks"][0]["Outputs"] if o["OutputKey"] == "AssetsBucket"][0]')
expect_exit 0 awsc s3 rm "s3://$bucket" --recursive
expect_exit 0 awsc cloudformation delete-stack --stack-name api-demo
health api-demo 503 "stack api-demo is DELETE_IN_PROGRESS"
advance 3600
health api-demo 503 "no stack api-demo"
sim_stop
finish
