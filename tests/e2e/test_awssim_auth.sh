# awssim checks SigV4 like AWS: a wrong secret gets SignatureDoesNotMatch, an unknown key
# InvalidClientTokenId (S3: InvalidAccessKeyId), no signature MissingAuthenticationToken
# (S3: AccessDenied); --credentials replaces the accepted keys and names the account.
. "$WF_SOURCE_DIR/tests/e2e/lib.sh"
. "$WF_SOURCE_DIR/tests/e2e/awssim_lib.sh"
need_aws_cli

sim_start
expect_exit 254 env AWS_SECRET_ACCESS_KEY=wrong "$AWS_CLI" --endpoint-url "$SIM_URL" sts get-caller-identity
contains err.txt "SignatureDoesNotMatch"
expect_exit 254 env AWS_SECRET_ACCESS_KEY=wrong "$AWS_CLI" --endpoint-url "$SIM_URL" s3api list-buckets
contains err.txt "SignatureDoesNotMatch"
expect_exit 254 env AWS_SECRET_ACCESS_KEY=wrong "$AWS_CLI" --endpoint-url "$SIM_URL" ec2 describe-images
contains err.txt "SignatureDoesNotMatch"
expect_exit 254 env AWS_ACCESS_KEY_ID=AKIDUNKNOWN "$AWS_CLI" --endpoint-url "$SIM_URL" sts get-caller-identity
contains err.txt "InvalidClientTokenId"
expect_exit 254 env AWS_ACCESS_KEY_ID=AKIDUNKNOWN "$AWS_CLI" --endpoint-url "$SIM_URL" s3api list-buckets
contains err.txt "InvalidAccessKeyId"
expect_exit 254 env AWS_ACCESS_KEY_ID=AKIDUNKNOWN "$AWS_CLI" --endpoint-url "$SIM_URL" ec2 describe-images
contains err.txt "AuthFailure"

# Unsigned requests.
expect_exit 0 curl -sS -d "Action=GetCallerIdentity&Version=2011-06-15" "$SIM_URL/"
contains out.txt "<Code>MissingAuthenticationToken</Code>"
expect_exit 0 curl -sS -w '%{http_code}' "$SIM_URL/"
contains out.txt "<Code>AccessDenied</Code>"
contains out.txt "403"

# A body changed after signing (S3 signs its hash).
expect_exit 0 curl -sS -X PUT --aws-sigv4 "aws:amz:us-east-1:s3" --user testing:testing \
    -H "x-amz-content-sha256: $(printf 'abc' | sha256sum | cut -d' ' -f1)" --data-binary 'abd' \
    "$SIM_URL/some-bucket"
contains out.txt "XAmzContentSHA256Mismatch"

# The failures are in the request log, without an operation when none was decoded.
ctl GET /_awssim/requests >log.jsonl
check_eq "logged errors" "$(jq_py log.jsonl '[l["error"] for l in lines]')" \
    '["SignatureDoesNotMatch", "SignatureDoesNotMatch", "SignatureDoesNotMatch", "InvalidClientTokenId", "InvalidAccessKeyId", "AuthFailure", "MissingAuthenticationToken", "AccessDenied", "XAmzContentSHA256Mismatch"]'
check_eq "statuses" "$(jq_py log.jsonl '[l["status"] for l in lines]')" \
    '[403, 403, 403, 403, 403, 401, 403, 403, 400]'
sim_stop

# Other keys, another account; the default keys are then refused.
sim_start --credentials AKIDEXAMPLE:s3cr3t/with+chars:123456789012 --credentials second:two
expect_exit 0 env AWS_ACCESS_KEY_ID=AKIDEXAMPLE AWS_SECRET_ACCESS_KEY=s3cr3t/with+chars \
    "$AWS_CLI" --endpoint-url "$SIM_URL" sts get-caller-identity --query Account --output text
same "123456789012" out.txt
expect_exit 0 env AWS_ACCESS_KEY_ID=second AWS_SECRET_ACCESS_KEY=two \
    "$AWS_CLI" --endpoint-url "$SIM_URL" sts get-caller-identity --query Account --output text
same "000000000000" out.txt
expect_exit 254 awsc sts get-caller-identity
contains err.txt "InvalidClientTokenId"
sim_stop

# Temporary credentials issued by a model (sts AssumeRole does this) are accepted with
# their session token until they expire on the simulated clock. A test double of the sts
# model, loaded through AWSSIM_LUA_DIR, issues one key.
mkdir -p models/services
cat >models/services/sts.lua <<'LUA'
local sim = require "sim"
local M = { ops = {} }
local expires = sim.now() + 3600
function M.credentials(key)
  if key ~= "ASIATEMPORARYKEY" then return nil end
  return { secret = "temp/secret", token = "session-token-1", account = "210987654321",
           expired = sim.now() >= expires }
end
function M.ops.GetCallerIdentity(params, ctx)
  return { UserId = ctx.access_key, Account = ctx.account, Arn = "arn:aws:sts::" .. ctx.account .. ":assumed-role/r/s" }
end
return M
LUA
AWSSIM_LUA_DIR=$SCRATCH/models sim_start
temp() { env AWS_ACCESS_KEY_ID=ASIATEMPORARYKEY AWS_SECRET_ACCESS_KEY=temp/secret "$@"; }
expect_exit 0 temp AWS_SESSION_TOKEN=session-token-1 "$AWS_CLI" --endpoint-url "$SIM_URL" \
    sts get-caller-identity --query '[Account,UserId]' --output text
same "210987654321	ASIATEMPORARYKEY" out.txt
expect_exit 0 temp AWS_SESSION_TOKEN=session-token-1 "$AWS_CLI" --endpoint-url "$SIM_URL" s3api list-buckets
expect_exit 254 temp AWS_SESSION_TOKEN=another-token "$AWS_CLI" --endpoint-url "$SIM_URL" sts get-caller-identity
contains err.txt "InvalidClientTokenId"
expect_exit 254 temp "$AWS_CLI" --endpoint-url "$SIM_URL" s3api list-buckets
contains err.txt "InvalidToken"
expect_exit 0 ctl POST /_awssim/clock '{"advance": 3700}'
expect_exit 254 temp AWS_SESSION_TOKEN=session-token-1 "$AWS_CLI" --endpoint-url "$SIM_URL" sts get-caller-identity
contains err.txt "ExpiredToken"
expect_exit 254 temp AWS_SESSION_TOKEN=session-token-1 "$AWS_CLI" --endpoint-url "$SIM_URL" s3api list-buckets
contains err.txt "ExpiredToken"
sim_stop

expect_exit 2 "$AWSSIM" --listen 127.0.0.1:0 --credentials nosecret
contains err.txt "KEY:SECRET"
expect_exit 2 "$AWSSIM" --listen 127.0.0.1:0 --credentials a:b:notanaccount
contains err.txt "12 digits"
finish
