# Source and target in different regions.
# 1. One S3 endpoint (as AWS has one partition): buckets in eu-west-1 and us-east-1; each
#    side's requests are signed for its bucket's region (GetBucketLocation), the copies are
#    server-side CopyObject sent to the target's region.
# 2. Two endpoints, one per region (two awssim processes): --source-endpoint-url and
#    --target-endpoint-url; no server-side copy reaches across, so the bytes are relayed
#    (GetObject + PutObject, ranged GetObject + UploadPart above the part size), with the
#    source's content type, metadata and tags (GetObjectTagging).
. "$WF_SOURCE_DIR/tests/e2e/lib.sh"
. "$WF_SOURCE_DIR/tests/e2e/s3sync_lib.sh"

python3 - <<'PY'
import json
big = "".join("relayed line %05d\n" % i for i in range(600))    # 11,400 bytes
objs = [{"Key": "r/small-%02d.txt" % i, "Body": "small object %d" % i} for i in range(30)]
objs += [{"Key": "r/a b+c%d?e#f é.txt", "Body": "odd key", "ContentType": "text/x-odd", "Metadata": {"m": "1"},
          "Tags": [{"Key": "k", "Value": "v w"}]},
         {"Key": "r/big.bin", "Body": big, "ContentType": "application/x-big", "Tags": [{"Key": "big", "Value": "1"}]}]
json.dump({"s3": {"min_part_size": 1000, "buckets": [
    {"Name": "eu-src", "Region": "eu-west-1", "objects": objs},
    {"Name": "us-dst", "Region": "us-east-1"}]}}, open("one.json", "w"))
json.dump({"s3": {"min_part_size": 1000, "buckets": [{"Name": "eu-src", "Region": "eu-west-1", "objects": objs}]}},
          open("eu.json", "w"))
json.dump({"s3": {"min_part_size": 1000, "buckets": [{"Name": "us-dst", "Region": "us-east-1"}]}}, open("us.json", "w"))
PY

# --- 1. one endpoint, two regions ------------------------------------------------------
sim_start --seed one.json
expect_exit 0 "$WFRUN" -v --endpoint-url "$SIM_URL" s3 sync s3://eu-src/r s3://us-dst/r --no-progress --format=json
check_eq "copied (one endpoint)" "$(summary_field copied)" 32
same_objects "one endpoint" eu-src r/ us-dst r/
contains err.txt "aws s3 ListObjectsV2 attempt 1/10 (eu-west-1, $SIM_URL): HTTP 200"
contains err.txt "aws s3 ListObjectsV2 attempt 1/10 (us-east-1, $SIM_URL): HTTP 200"
contains err.txt "aws s3 CopyObject attempt 1/10 (us-east-1, $SIM_URL): HTTP 200"
lacks err.txt "aws s3 GetObject"
# a region given on the command line is used as given (no GetBucketLocation)
expect_exit 0 "$WFRUN" -v --endpoint-url "$SIM_URL" s3 verify s3://eu-src/r s3://us-dst/r --no-progress \
    --source-region=eu-west-1 --target-region=us-east-1
lacks err.txt "GetBucketLocation"
contains err.txt "(eu-west-1, $SIM_URL)"
sim_stop

# --- 2. two endpoints (two simulators), one per region ------------------------------------
sim_start --seed eu.json --region eu-west-1
EU_URL=$SIM_URL; EU_PID=$SIM_PID
mv sim.out eu.out
"$AWSSIM" --listen 127.0.0.1:0 --seed us.json --region us-east-1 > us.out 2> us.err &
US_PID=$!
trap 'kill $US_PID 2>/dev/null; wait $US_PID 2>/dev/null; sim_kill; cd /; rm -rf "$SCRATCH"' EXIT
n=0
while ! head -n 1 us.out 2>/dev/null | grep -q '^http://'; do
    n=$((n + 1)); [ $n -gt 100 ] && { fail "the second awssim did not start"; finish; }; sleep 0.1
done
US_URL=$(head -n 1 us.out)

expect_exit 0 "$WFRUN" -v s3 sync s3://eu-src/r s3://us-dst/copy --no-progress --format=json \
    --source-endpoint-url="$EU_URL" --target-endpoint-url="$US_URL" --part-size=3000
check_eq "copied (two endpoints)" "$(summary_field copied)" 32
contains err.txt "aws s3 GetObject attempt 1/10 (eu-west-1, $EU_URL): HTTP 200"
contains err.txt "aws s3 PutObject attempt 1/10 (us-east-1, $US_URL): HTTP 200"
contains err.txt "aws s3 UploadPart attempt 1/10 (us-east-1, $US_URL): HTTP 200"
SIM_URL=$EU_URL objects eu-src r/ > eu.txt
SIM_URL=$US_URL objects us-dst copy/ > us.txt
# same keys, sizes and content types; the same ETags but for the object copied by parts
grep -v '^big.bin ' eu.txt > eu-small.txt
grep -v '^big.bin ' us.txt > us-small.txt
CHECKS=$((CHECKS + 1)); cmp -s eu-small.txt us-small.txt || { fail "relayed objects differ"; diff eu-small.txt us-small.txt >&2; }
contains us.txt '-4" 11400 application/x-big'
SIM_URL=$US_URL ctl GET /_awssim/inventory > inv.json
check_eq "metadata relayed" "$(jq_py inv.json "d['resources']['s3.object']['us-dst/copy/a b+c%d?e#f é.txt']['Metadata']['m']")" 1
check_eq "tags relayed" "$(SIM_URL=$US_URL object_tags us-dst 'copy/a b+c%d?e#f é.txt')" "k=v w"
check_eq "tags relayed by parts" "$(SIM_URL=$US_URL object_tags us-dst copy/big.bin)" "big=1"
check_eq "no tags, none made up" "$(SIM_URL=$US_URL object_tags us-dst copy/small-01.txt)" ""
# tags are asked only of the objects GetObject says have some, and of those copied by parts
check_eq "GetObjectTagging calls" "$(grep -c 'aws s3 GetObjectTagging attempt 1/10 (eu-west-1' err.txt)" 2
curl -sS -o big.got --aws-sigv4 "aws:amz:us-east-1:s3" --user testing:testing \
    -H "x-amz-content-sha256: UNSIGNED-PAYLOAD" "$US_URL/us-dst/copy/big.bin"
curl -sS -o big.src --aws-sigv4 "aws:amz:eu-west-1:s3" --user testing:testing \
    -H "x-amz-content-sha256: UNSIGNED-PAYLOAD" "$EU_URL/eu-src/r/big.bin"
CHECKS=$((CHECKS + 1)); cmp -s big.src big.got || fail "big.bin: relayed bytes differ"
expect_exit 0 "$WFRUN" s3 verify s3://eu-src/r s3://us-dst/copy --no-progress \
    --source-endpoint-url="$EU_URL" --target-endpoint-url="$US_URL"
contains out.txt "32 same, 0 missing, 0 extra, 0 different"
finish
