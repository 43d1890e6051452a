# awssim's S3 listings and multipart uploads through Debian's AWS CLI: ListObjectsV2 over
# 1,500 keys with continuation tokens, max-keys, delimiter, prefix and start-after;
# multipart uploads (their ETag), UploadPartCopy with a range, AbortMultipartUpload.
. "$WF_SOURCE_DIR/tests/e2e/lib.sh"
. "$WF_SOURCE_DIR/tests/e2e/awssim_lib.sh"
need_aws_cli

cat >seed.json <<'JSON'
{
  "s3": {
    "min_part_size": 1024,
    "buckets": [
      {"Name": "logs-bucket", "generate": {"prefix": "logs/", "count": 1500, "size": 40}},
      {"Name": "site-bucket", "objects": [
        {"Key": "index.html", "Body": "<h1>hi</h1>\n", "ContentType": "text/html", "Metadata": {"owner": "web"}},
        {"Key": "img/a.png", "BodyBase64": "iVBORw0KGgo="},
        {"Key": "img/b.png", "Body": "b"},
        {"Key": "docs/2024/report.txt", "Body": "report\n"},
        {"Key": "docs/café menu.txt", "Body": "soupe\n"}
      ]}
    ]
  }
}
JSON
sim_start --seed seed.json

if awsc s3api list-objects-v2 --bucket site-bucket >probe.txt 2>&1; then :; elif grep -q "temporary codec" probe.txt; then
    echo "SKIP: awssim's codec is temporary"; exit 77
fi

expect_exit 0 awsc s3api create-bucket --bucket new-bucket
# ---- ListObjectsV2: the CLI follows the continuation tokens over 1,500 keys
expect_exit 0 awsc s3api list-objects-v2 --bucket logs-bucket --query 'length(Contents)'
same "1500" out.txt
expect_exit 0 awsc s3api list-objects-v2 --bucket logs-bucket --page-size 400 --query '[length(Contents), Contents[-1].Key]' --output json
check_eq "pages of 400" "$(jq_py out.txt 'd')" '[1500, "logs/001500"]'
expect_exit 0 awsc s3api list-objects-v2 --bucket logs-bucket --no-paginate --output json
cp out.txt page1.json
check_eq "page 1 keys" "$(jq_py page1.json 'd["KeyCount"]')" "1000"
check_eq "page 1 truncated" "$(jq_py page1.json 'd["IsTruncated"]')" "true"
check_eq "page 1 last" "$(jq_py page1.json 'd["Contents"][-1]["Key"]')" "logs/001000"
check_eq "page 1 ETag" "$(jq_py page1.json 'd["Contents"][0]["ETag"][0] + str(d["Contents"][0]["Size"])')" '"40'
TOKEN=$(jq_py page1.json 'd["NextContinuationToken"]')
expect_exit 0 awsc s3api list-objects-v2 --bucket logs-bucket --no-paginate --continuation-token "$TOKEN" --output json
check_eq "page 2" "$(jq_py out.txt '[d["KeyCount"], d["IsTruncated"], d["Contents"][0]["Key"]]')" '[500, false, "logs/001001"]'
expect_exit 0 awsc s3api list-objects-v2 --bucket logs-bucket --no-paginate --max-keys 7 --start-after logs/000100 \
    --query '[KeyCount, Contents[0].Key, Contents[-1].Key, IsTruncated]' --output text
same "7	logs/000101	logs/000107	True" out.txt
expect_exit 0 awsc s3api list-objects-v2 --bucket logs-bucket --prefix logs/0014 --query 'length(Contents)'
same "100" out.txt
# Delimiter: common prefixes count as one key each, also across pages.
expect_exit 0 awsc s3api list-objects-v2 --bucket site-bucket --delimiter / --output json
check_eq "common prefixes" "$(jq_py out.txt '[p["Prefix"] for p in d["CommonPrefixes"]]')" '["docs/", "img/"]'
check_eq "top keys" "$(jq_py out.txt '[c["Key"] for c in d["Contents"]]')" '["index.html"]'
expect_exit 0 awsc s3api list-objects-v2 --bucket site-bucket --delimiter / --prefix docs/ --output json
check_eq "nested" "$(jq_py out.txt '[[p["Prefix"] for p in d["CommonPrefixes"]], [c["Key"] for c in d["Contents"]]]')" \
    '[["docs/2024/"], ["docs/caf\u00e9 menu.txt"]]'
expect_exit 0 awsc s3api list-objects-v2 --bucket site-bucket --delimiter / --page-size 1 --output json
check_eq "paged prefixes" "$(jq_py out.txt '[p["Prefix"] for p in d["CommonPrefixes"]] + [c["Key"] for c in d["Contents"]]')" \
    '["docs/", "img/", "index.html"]'

# ---- multipart: the CLI splits 20 MB in 8 MiB parts; the ETag is md5-of-md5s-3
head -c 20000000 /dev/urandom >big.bin
expect_exit 0 awsc s3 cp big.bin s3://new-bucket/big.bin
expect_exit 0 awsc s3api head-object --bucket new-bucket --key big.bin --query ETag --output text
WANT=$(python3 -c '
import hashlib
d = open("big.bin", "rb").read(); n = 8 * 1024 * 1024
ms = [hashlib.md5(d[i:i + n]).digest() for i in range(0, len(d), n)]
print("\"%s-%d\"" % (hashlib.md5(b"".join(ms)).hexdigest(), len(ms)))')
same "$WANT" out.txt
expect_exit 0 awsc s3 cp s3://new-bucket/big.bin big.back
expect_exit 0 cmp big.bin big.back

# UploadPartCopy with ranges, UploadPart, Complete; Abort of another upload.
head -c 3000 /dev/urandom >src.bin
expect_exit 0 awsc s3api put-object --bucket new-bucket --key src.bin --body src.bin
expect_exit 0 awsc s3api create-multipart-upload --bucket new-bucket --key assembled --content-type app/x --query UploadId --output text
UP=$(cat out.txt)
expect_exit 0 awsc s3api upload-part-copy --bucket new-bucket --key assembled --upload-id="$UP" --part-number 1 \
    --copy-source new-bucket/src.bin --copy-source-range bytes=0-1499 --query CopyPartResult.ETag --output text
E1=$(cat out.txt)
head -c 1500 src.bin >p1.bin
same "\"$(md5sum p1.bin | cut -d' ' -f1)\"" out.txt
printf 'tail' >p2.bin
expect_exit 0 awsc s3api upload-part --bucket new-bucket --key assembled --upload-id="$UP" --part-number 2 --body p2.bin --query ETag --output text
E2=$(cat out.txt)
expect_exit 254 awsc s3api upload-part-copy --bucket new-bucket --key assembled --upload-id="$UP" --part-number 3 \
    --copy-source new-bucket/src.bin --copy-source-range bytes=0-5000
contains err.txt "InvalidArgument"
cat >parts.json <<JSON
{"Parts": [{"PartNumber": 1, "ETag": $E1}, {"PartNumber": 2, "ETag": $E2}]}
JSON
expect_exit 0 awsc s3api complete-multipart-upload --bucket new-bucket --key assembled --upload-id="$UP" \
    --multipart-upload file://parts.json --query ETag --output text
WANT=$(python3 -c '
import hashlib
a, b = open("p1.bin", "rb").read(), open("p2.bin", "rb").read()
print("\"%s-2\"" % hashlib.md5(hashlib.md5(a).digest() + hashlib.md5(b).digest()).hexdigest())')
same "$WANT" out.txt
expect_exit 0 awsc s3api get-object --bucket new-bucket --key assembled assembled.bin --query ContentType --output text
same "app/x" out.txt
cat p1.bin p2.bin >want.bin
expect_exit 0 cmp want.bin assembled.bin
expect_exit 0 awsc s3api create-multipart-upload --bucket new-bucket --key dropped --query UploadId --output text
UP2=$(cat out.txt)
expect_exit 0 awsc s3api abort-multipart-upload --bucket new-bucket --key dropped --upload-id="$UP2"
expect_exit 254 awsc s3api upload-part --bucket new-bucket --key dropped --upload-id="$UP2" --part-number 1 --body p2.bin
contains err.txt "NoSuchUpload"

finish
