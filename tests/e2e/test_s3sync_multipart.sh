# wfrun s3 sync copies objects above the multipart threshold with CreateMultipartUpload +
# UploadPartCopy + CompleteMultipartUpload (a small threshold keeps it fast): same bytes,
# content type, metadata and tags (read back with the AWS CLI's head-object and
# get-object-tagging); a failing part aborts the upload (nothing left behind) and fails
# only that object.
. "$WF_SOURCE_DIR/tests/e2e/lib.sh"
. "$WF_SOURCE_DIR/tests/e2e/s3sync_lib.sh"

python3 - <<'PY'
import json
body = "".join("line %05d of a large object\n" % i for i in range(400))   # 11,600 bytes
seed = {"s3": {"min_part_size": 1000, "buckets": [
    {"Name": "src", "objects": [
        {"Key": "big/one.bin", "Body": body, "ContentType": "application/x-big", "Metadata": {"origin": "seed"},
         "CacheControl": "max-age=60",
         "Tags": [{"Key": "team", "Value": "data ops"}, {"Key": "class", "Value": "a+b/c=d&e%f é"},
                  {"Key": "empty", "Value": ""}]},
        {"Key": "big/two with space.bin", "Body": body[::-1]},
        {"Key": "big/small.txt", "Body": "small"}]},
    {"Name": "dst"}]}}
json.dump(seed, open("seed.json", "w"))
open("one.expected", "w").write(body)
PY
sim_start --seed seed.json

get_object() {  # BUCKET KEY FILE
    curl -sS -f -o "$3" --aws-sigv4 "aws:amz:us-east-1:s3" --user testing:testing \
        -H "x-amz-content-sha256: UNSIGNED-PAYLOAD" "$SIM_URL/$1/$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1]))' "$2")" ||
        fail "GET $1/$2 failed"
}

expect_exit 0 s3w sync s3://src/big s3://dst/big --multipart-threshold=4000 --part-size=3000 --format=json
check_eq "copied" "$(summary_field copied)" 3
objects dst big/ > dst.txt
contains dst.txt 'one.bin "'
contains dst.txt '-4" 11600 application/x-big'      # 4 parts: 3000 3000 3000 2600
contains dst.txt 'small.txt "'
get_object dst big/one.bin one.got
CHECKS=$((CHECKS + 1)); cmp -s one.expected one.got || fail "big/one.bin: the copy's bytes differ"
get_object src "big/two with space.bin" two.src
get_object dst "big/two with space.bin" two.got
CHECKS=$((CHECKS + 1)); cmp -s two.src two.got || fail "big/two with space.bin: the copy's bytes differ"
ctl GET /_awssim/inventory > inv.json
check_eq "metadata kept" "$(jq_py inv.json "d['resources']['s3.object']['dst/big/one.bin']['Metadata']['origin']")" seed
check_eq "cache control kept" "$(jq_py inv.json "d['resources']['s3.object']['dst/big/one.bin']['CacheControl']")" "max-age=60"
check_eq "head-object of the copy" "$(object_head dst big/one.bin)" 'application/x-big max-age=60 {"origin": "seed"}'
check_eq "tags kept" "$(object_tags dst big/one.bin)" "$(printf 'team=data ops\nclass=a+b/c=d&e%%f é\nempty=')"
check_eq "no tags, none made up" "$(object_tags dst "big/two with space.bin")" ""
# a multipart ETag is compared by size: nothing to do again, verify agrees
expect_exit 0 s3w sync s3://src/big s3://dst/big --multipart-threshold=4000 --part-size=3000 --format=json
check_eq "copied again" "$(summary_field copied)" 0
expect_exit 0 s3w verify s3://src/big s3://dst/big

# a part that fails for good: that object fails, its upload is aborted, the others copy
ctl POST /_awssim/faults '{"operation": "UploadPartCopy", "error": "AccessDenied", "status": 403, "nth": 3}' > /dev/null
expect_exit 1 s3w sync s3://src/big s3://dst/again --multipart-threshold=4000 --part-size=3000 --concurrency=1 --format=json
check_eq "failed" "$(summary_field failed)" 1
check_eq "copied (with a failure)" "$(summary_field copied)" 2
contains err.txt "failed "
contains err.txt "AccessDenied"
ctl GET /_awssim/inventory > inv.json
check_eq "uploads left behind" "$(jq_py inv.json "len(d['resources'].get('s3.upload') or {})")" 0
# run again: only the failed object is copied
expect_exit 0 s3w sync s3://src/big s3://dst/again --multipart-threshold=4000 --part-size=3000 --format=json
check_eq "copied on the second run" "$(summary_field copied)" 1
expect_exit 0 s3w verify s3://src/big s3://dst/again
finish
