# A secret param never reaches a log sink, the journal, a plan or the status output,
# even when a step prints it or fails with it in the message.
. "$WF_SOURCE_DIR/tests/e2e/lib.sh"
cat > wf.lua <<'WF'
workflow "sec" { params = {
  env = param.string { position = 1 },
  token = param.secret { doc = "an API token" },
} }
step "use" {
  run = function(ctx)
    sh.run { "sh", "-c", 'echo "token is $1"; echo "again $1" >&2', "sh", ctx.params.token }
    log.info("using " .. ctx.params.token)
    return { note = "saw " .. ctx.params.token:sub(1, 3) }
  end,
}
step "fail" { needs = "use", run = function(ctx) error("bad token " .. ctx.params.token) end }
WF
S=hunter2-s3cr3t-value
for fmt in text json; do
    expect_exit 1 "$WFRUN" -v --log-format=$fmt wf.lua dev --token=$S
    lacks err.txt "$S"
    lacks out.txt "$S"
    contains err.txt "***"
done
expect_exit 1 env TEAMCITY_VERSION=1 "$WFRUN" -v wf.lua dev --token=$S
lacks out.txt "$S"
lacks err.txt "$S"
expect_exit 0 "$WFRUN" plan wf.lua dev --token=$S --format=json
lacks out.txt "$S"
CHECKS=$((CHECKS + 1))
if grep -rqF "$S" .wfrun; then fail "the secret is in the state directory"; grep -rF "$S" .wfrun >&2; fi
expect_exit 0 "$WFRUN" status
lacks out.txt "$S"
finish
