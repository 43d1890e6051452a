# One AWS client, one kept-alive connection, every HTTP method in turn: the HTTP client
# sets a curl handle up once and changes only the URL, the method and the headers per
# request, so a HEAD must not leave its "no body" on the next POST, a PUT's body must not
# leak into the next GET, and so on. Against awssim, through a workflow step.
. "$WF_SOURCE_DIR/tests/e2e/lib.sh"
AWSSIM=${AWSSIM:-$WF_BUILD_DIR/awssim}
if [ ! -x "$AWSSIM" ]; then
    echo "SKIP: no awssim binary at $AWSSIM"
    exit 0
fi
. "$WF_SOURCE_DIR/tests/e2e/awssim_lib.sh"
cat >seed.json <<'JSON'
{"s3": {"buckets": [{"Name": "bench", "objects": [{"Key": "object.txt", "Body": "benchmark object\n"}]}]}}
JSON
sim_start --seed seed.json
cat >seq.lua <<'LUA'
workflow "seq" { doc = "every method on one connection", params = {} }
step "s" {
  doc = "calls",
  run = function(ctx)
    local function check(ok, what) if not ok then error("check failed: " .. what, 0) end end
    check(aws.s3.head_object { Bucket = "bench", Key = "object.txt" }.ContentLength == 17, "HEAD")
    local id = aws.sts.get_caller_identity {}
    check(id.Account == "000000000000", "POST after HEAD")
    check(#aws.s3.list_buckets {}.Buckets == 1, "GET after POST")
    aws.s3.put_object { Bucket = "bench", Key = "new.txt", Body = "hello there" }
    local g = aws.s3.get_object { Bucket = "bench", Key = "new.txt" }
    check(g.ContentLength == 11 and g.Body == "aGVsbG8gdGhlcmU=", "GET after PUT")
    check(aws.s3.head_object { Bucket = "bench", Key = "new.txt" }.ContentLength == 11, "HEAD after GET")
    aws.s3.delete_object { Bucket = "bench", Key = "new.txt" }
    local ok, e = pcall(aws.s3.head_object, { Bucket = "bench", Key = "new.txt" })
    check(not ok and e.status == 404, "HEAD 404 after DELETE")
    check(aws.sts.get_caller_identity {}.Arn == id.Arn, "POST after a HEAD error")
    check(aws.s3.head_object { Bucket = "bench", Key = "object.txt" }.ContentLength == 17, "HEAD again")
    log.info("sequence ok")
  end,
}
LUA
expect_exit 0 "$WFRUN" --state-dir=state --endpoint-url "$SIM_URL" seq.lua
contains err.txt 'sequence ok'
# awssim saw every request, each answered as expected (none refused as unsigned or malformed).
expect_exit 0 "$WFRUN" --endpoint-url "$SIM_URL" call s3 list_objects_v2 '{"Bucket": "bench"}'
contains out.txt '"Key": "object.txt"'
lacks out.txt 'new.txt'
finish
