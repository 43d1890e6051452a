# Saved plans on awssim: `wfrun plan migrate.lua demo -o plan.json` then `wfrun apply
# plan.json` migrates demo; apply refuses (exit 2, nothing run) when a fact the plan pinned
# changed between plan and apply (a newer AMI added through awssim's control API, the
# temporary environment's stack created with the AWS CLI), when the workflow file or its
# component changed, or when a secret param is not given again; a plan renders as Markdown.
. "$WF_SOURCE_DIR/tests/e2e/lib.sh"
WFSIM_LIB=1 . "$WF_SOURCE_DIR/tests/e2e/test_workflow_sim.sh"

# A copy of the shipped workflows (migrate.lua finds its component beside it), so the test
# can edit the workflow and its template.
cp -R "$WORKFLOWS" wf
M="$SCRATCH/wf/migrate.lua"
AWS_CLI_BIN=${AWS_CLI:-/usr/bin/aws}

# --- plan -o, then apply: demo migrated --------------------------------------------------
sim_start "$SEED"
inventory start.txt
run_wf 0 "$WFRUN" plan "$M" demo -o plan.json
contains err.txt "plan written to plan.json"
no_mutating_calls
jq_plan() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' plan.json "$1"; }
CHECKS=$((CHECKS + 1))
[ "$(jq_plan 'd["format"], d["format_version"], d["workflow"], d["environment"]')" = "('wfrun-plan', 1, 'migrate', 'demo')" ] ||
    fail "plan.json header: $(jq_plan 'd["format"], d["format_version"], d["workflow"], d["environment"]')"
CHECKS=$((CHECKS + 1))
[ "$(jq_plan 'd["file_sha256"]')" = "$(sha256sum "$M" | cut -d' ' -f1)" ] || fail "plan.json: file_sha256 is not the workflow's"
CHECKS=$((CHECKS + 1))
[ "$(jq_plan 'len(d["dsl_sha256"])')" = 64 ] || fail "plan.json: no DSL/stdlib hash"
# the facts the stdlib lookups pinned: the stack's id and status, its resources, the DB
# instance and its status, the resolved AMI, the component, what must not exist yet
CHECKS=$((CHECKS + 1))
jq_plan '"\n".join("%s = %s" % (f["name"], f["value"]) for f in d["facts"])' > facts.txt
for want in "stack api-demo = {'id': 'arn:aws:cloudformation:" "'status': 'CREATE_COMPLETE'" \
            "resources of stack api-demo = {'asg': 'api-demo-Group-" "'db': 'api-demo-db'" \
            "DB instance api-demo-db = available" "stack api-demo-tmp = absent" \
            "newest image /^api-\\d{8}T\\d{6}Z\$/ of self = ami-0a910000000000003" "component api = {'sha256': "; do
    contains facts.txt "$want"
done
: > requests.jsonl
run_wf 0 "$WFRUN" --yes apply plan.json
contains err.txt "checking plan plan.json: building it again as a dry run (no change is made) to look up its 8 fact(s)"
contains err.txt "fact(s) are as planned; running it"
contains err.txt "demo migrated"
inventory end.txt
contains end.txt "api-demo CREATE_COMPLETE"
lacks end.txt "api-demo-tmp"
# the same plan again: demo's stack is a new one now, so its id and resources changed
: > requests.jsonl
run_wf 2 "$WFRUN" --yes apply plan.json
contains err.txt "plan plan.json is out of date"
contains err.txt "nothing was run"
contains err.txt "  - stack api-demo: planned id=arn:aws:cloudformation:"
contains err.txt "  - resources of stack api-demo: planned"
contains err.txt "wfrun plan $M demo -o plan.json"
no_mutating_calls
lacks err.txt "run migrate-"
sim_stop

# --- a newer AMI (awssim's control API) and the temporary stack (AWS CLI) appear ---------
sim_start "$SEED"
run_wf 0 "$WFRUN" plan "$M" demo -o plan.json
ctl() { curl -sS -X "$1" -H 'Content-Type: application/json' --data-binary "$3" "$SIM_URL$2"; }
ctl POST /_awssim/seed '{"ec2": {"images": [{"ImageId": "ami-0a910000000000009", "Name": "api-20261125T090000Z",
  "State": "available", "CreationDate": "2026-11-25T09:20:00.000Z"}]}}' > seed.out
: > requests.jsonl
run_wf 2 "$WFRUN" --yes apply plan.json
contains err.txt "1 fact(s) changed since it was made"
contains err.txt '  - newest image /^api-\d{8}T\d{6}Z$/ of self: planned ami-0a910000000000003; now ami-0a910000000000009'
no_mutating_calls
if [ -x "$AWS_CLI_BIN" ]; then
    "$AWS_CLI_BIN" --endpoint-url "$SIM_URL" --region us-east-1 cloudformation create-stack --stack-name api-demo-tmp \
        --template-body '{"Resources": {"B": {"Type": "AWS::S3::Bucket"}}}' > cli.out 2>&1 || fail "aws create-stack: $(cat cli.out)"
else
    "$WFRUN" call cloudformation create_stack \
        '{"StackName": "api-demo-tmp", "TemplateBody": "{\"Resources\": {\"B\": {\"Type\": \"AWS::S3::Bucket\"}}}"}' > cli.out 2>&1 ||
        fail "create_stack: $(cat cli.out)"
fi
run_wf 2 "$WFRUN" --yes apply plan.json
contains err.txt "  - stack api-demo-tmp: planned absent; now id=arn:aws:cloudformation:"
contains err.txt '  - step "find-env": '
contains err.txt 'the temporary environment demo-tmp already exists (stack api-demo-tmp)'
contains err.txt "Steps that cannot be planned now:"
sim_stop

# --- the workflow file, or its component's template, changed ------------------------------
sim_start "$SEED"
run_wf 0 "$WFRUN" plan "$M" demo -o plan.json
cp "$M" migrate.orig
echo "-- edited after the plan" >> "$M"
run_wf 2 "$WFRUN" --yes apply plan.json
contains err.txt "the code that made it changed"
contains err.txt "  - workflow file $M: planned sha256 "
cp migrate.orig "$M"
cp wf/components/api.json api.json.orig
printf '\n' >> wf/components/api.json
run_wf 2 "$WFRUN" --yes apply plan.json
contains err.txt "  - component api: planned "
contains err.txt "template_sha256="
no_mutating_calls

# --- applied from another checkout: the file is found by the name it was given ----------
cp api.json.orig wf/components/api.json
run_wf 0 "$WFRUN" plan wf/migrate.lua demo -o plan2.json
mkdir checkout2 && cp -R wf checkout2/wf && mv wf wf-elsewhere
cd checkout2 || exit 1
run_wf 2 "$WFRUN" apply ../plan2.json
contains err.txt "fact(s) are as planned; running it"
contains err.txt 'step "commit" is irreversible (the point of no return): pass --yes'
cd "$SCRATCH" && mv wf-elsewhere wf

# --- Markdown: of a new plan, and of a saved one (no AWS call) ---------------------------
run_wf 0 "$WFRUN" plan "$M" demo --format=markdown
cp out.txt plan.md
contains plan.md "# Plan: migrate"
contains plan.md "| environment | \`demo\` (not protected) |"
contains plan.md "> **Point of no return: step 7 \`commit\`.**"
contains plan.md "### 7. commit — **POINT OF NO RETURN**"
contains plan.md "### 2. standby-env"
contains plan.md "Undo:"
contains plan.md "autoscaling.exit_standby"
contains plan.md "## Facts pinned"
contains plan.md "| \`stack api-demo\` | \`id=arn:aws:cloudformation:"
contains plan.md "| \`DB instance api-demo-db\` | \`available\` | \`find-env\` |"
CHECKS=$((CHECKS + 1))
[ "$(grep -c '^```' plan.md)" -ge 20 ] || fail "plan.md: the calls are not in code blocks"
: > requests.jsonl
run_wf 0 "$WFRUN" plan plan.json --format=markdown
contains out.txt "# Plan: migrate"
contains out.txt "| \`stack api-demo-tmp\` | \`absent\` |"
CHECKS=$((CHECKS + 1))
[ -s requests.jsonl ] && fail "rendering a saved plan called AWS: $(head -n 2 requests.jsonl)"
run_wf 0 "$WFRUN" plan "$M" demo -o plan.md
contains plan.md "## Steps"
sim_stop

# --- secret params are not stored, and must be given again --------------------------------
cat > secret.lua <<'WF'
workflow "secret" { params = { env = param.string { position = 1 }, token = param.secret { doc = "API token" } } }
step "use" { run = function(ctx) log.info("token has " .. #ctx.params.token .. " characters") end }
WF
run_wf 0 "$WFRUN" plan secret.lua qa --token=s3cr3t-Value-42 -o s.json
lacks s.json "s3cr3t-Value-42"
contains s.json '"token": "<secret>"'
contains s.json '"secret_params": ['
run_wf 2 "$WFRUN" apply s.json
contains err.txt "the plan was made with secret param --token, which a plan does not store: give it again"
run_wf 2 "$WFRUN" apply s.json --token=x --env=prod
contains err.txt '"--env=prod" is not one'
run_wf 0 "$WFRUN" --state-dir=st apply s.json --token=s3cr3t-Value-42
contains err.txt "token has 15 characters"
lacks err.txt "s3cr3t-Value-42"

# --- a plan that is not one ----------------------------------------------------------------
echo '{"steps": []}' > not-a-plan.json
run_wf 2 "$WFRUN" apply not-a-plan.json
contains err.txt "not-a-plan.json is not a saved wfrun plan"
run_wf 2 "$WFRUN" apply missing.json
contains err.txt "missing.json"
finish
