# awssim's S3 buckets and objects through Debian's AWS CLI (and curl for what that CLI
# cannot send): objects with content, ETag, Content-Type and metadata, ranges;
# If-None-Match: * -> 412; CopyObject COPY/REPLACE; object tags (x-amz-tagging,
# Put/GetObjectTagging, kept by copies); DeleteObjects; DeleteBucket on a bucket that is
# not empty.
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

# ---- buckets
expect_exit 0 awsc s3api list-buckets --query 'Buckets[].Name' --output text
same "logs-bucket	site-bucket" out.txt
expect_exit 0 awsc s3api create-bucket --bucket new-bucket
expect_exit 0 awsc s3api head-bucket --bucket new-bucket
expect_exit 254 awsc s3api head-bucket --bucket no-such-bucket
contains err.txt "404"
expect_exit 0 awsc s3api get-bucket-location --bucket new-bucket --query LocationConstraint --output text
same "None" out.txt
expect_exit 254 awsc s3api create-bucket --bucket Not_Valid
contains err.txt "InvalidBucketName"
expect_exit 254 awsc s3api list-objects-v2 --bucket no-such-bucket
contains err.txt "NoSuchBucket"

# ---- objects: content, ETag, type, metadata
printf 'hello awssim\n' >hello.txt
expect_exit 0 awsc s3api put-object --bucket new-bucket --key 'dir/hello world+1.txt' --body hello.txt \
    --content-type text/plain --metadata team=ops,tier=1 --query ETag --output text
same "\"$(md5sum hello.txt | cut -d' ' -f1)\"" out.txt
expect_exit 0 awsc s3api head-object --bucket new-bucket --key 'dir/hello world+1.txt' --output json
check_eq "ContentLength" "$(jq_py out.txt 'd["ContentLength"]')" "13"
check_eq "ContentType" "$(jq_py out.txt 'd["ContentType"]')" "text/plain"
check_eq "Metadata" "$(jq_py out.txt 'd["Metadata"]')" '{"team": "ops", "tier": "1"}'
check_eq "LastModified" "$(jq_py out.txt 'd["LastModified"][:2]')" "20"
expect_exit 0 awsc s3api get-object --bucket new-bucket --key 'dir/hello world+1.txt' got.txt
expect_exit 0 cmp hello.txt got.txt
expect_exit 0 awsc s3api get-object --bucket new-bucket --key 'dir/hello world+1.txt' --range bytes=6-11 part.txt --query ContentRange --output text
same "bytes 6-11/13" out.txt
check_eq "range bytes" "$(cat part.txt)" "awssim"
expect_exit 254 awsc s3api get-object --bucket new-bucket --key missing missing.txt
contains err.txt "NoSuchKey"
expect_exit 254 awsc s3api head-object --bucket new-bucket --key missing
contains err.txt "404"
expect_exit 0 awsc s3api get-object --bucket site-bucket --key img/a.png png.bin --query ContentLength
same "8" out.txt

# ---- conditional PutObject: If-None-Match: * fails with 412 when the key exists
PORT=${SIM_URL##*:}
# A range is answered 206 Partial Content with Content-Range, a whole object 200.
get_status() {  # KEY [RANGE]
    curl -sS -o get.out -D get.head -w '%{http_code}\n' --aws-sigv4 "aws:amz:us-east-1:s3" --user testing:testing \
        -H "x-amz-content-sha256: UNSIGNED-PAYLOAD" ${2:+-H "Range: $2"} "$SIM_URL/new-bucket/$1"
}
expect_exit 0 get_status 'dir/hello%20world%2B1.txt' bytes=6-11
same "206" out.txt
contains get.head "Content-Range: bytes 6-11/13"
check_eq "206 body" "$(cat get.out)" "awssim"
expect_exit 0 get_status 'dir/hello%20world%2B1.txt'
same "200" out.txt
put_if_absent() {
    curl -sS -o put.out -w '%{http_code}\n' --aws-sigv4 "aws:amz:us-east-1:s3" --user testing:testing \
        -H "x-amz-content-sha256: UNSIGNED-PAYLOAD" -H "If-None-Match: *" -X PUT \
        --data-binary @hello.txt "$SIM_URL/new-bucket/$1"
}
expect_exit 0 put_if_absent lock.txt
same "200" out.txt
expect_exit 0 put_if_absent lock.txt
same "412" out.txt
contains put.out "<Code>PreconditionFailed</Code>"

# ---- CopyObject: metadata copied, or replaced
expect_exit 0 awsc s3api copy-object --bucket new-bucket --key copy1.html --copy-source site-bucket/index.html --query CopyObjectResult.ETag --output text
SRC_ETAG=$(awsc s3api head-object --bucket site-bucket --key index.html --query ETag --output text)
same "$SRC_ETAG" out.txt
expect_exit 0 awsc s3api head-object --bucket new-bucket --key copy1.html --query '[ContentType,Metadata.owner]' --output text
same "text/html	web" out.txt
expect_exit 0 awsc s3api copy-object --bucket new-bucket --key copy2.html --copy-source site-bucket/index.html \
    --metadata-directive REPLACE --content-type text/plain --metadata owner=ops
expect_exit 0 awsc s3api head-object --bucket new-bucket --key copy2.html --query '[ContentType,Metadata.owner]' --output text
same "text/plain	ops" out.txt
expect_exit 254 awsc s3api copy-object --bucket site-bucket --key index.html --copy-source site-bucket/index.html
contains err.txt "InvalidRequest"
expect_exit 254 awsc s3api copy-object --bucket new-bucket --key x --copy-source site-bucket/nope
contains err.txt "NoSuchKey"

# ---- tags: x-amz-tagging on PutObject and CreateMultipartUpload, Put/GetObjectTagging,
# TagCount, kept by CopyObject (COPY) or replaced (REPLACE)
tag_pairs() {  # BUCKET KEY: "key=value ..." of get-object-tagging, in order
    awsc s3api get-object-tagging --bucket "$1" --key "$2" --output json >tags.json || fail "get-object-tagging $1/$2"
    jq_py tags.json '" ".join(t["Key"] + "=" + t["Value"] for t in d["TagSet"])'
}
expect_exit 0 awsc s3api put-object --bucket new-bucket --key tagged.txt --body hello.txt --tagging 'team=ops&note=a%20b%2Bc%26d'
check_eq "PutObject tags" "$(tag_pairs new-bucket tagged.txt)" "team=ops note=a b+c&d"
expect_exit 0 awsc s3api get-object --bucket new-bucket --key tagged.txt tagged.got --query TagCount
same "2" out.txt
expect_exit 0 awsc s3api put-object-tagging --bucket new-bucket --key tagged.txt --tagging '{"TagSet": [{"Key": "env", "Value": "qa"}, {"Key": "empty", "Value": ""}]}'
check_eq "PutObjectTagging" "$(tag_pairs new-bucket tagged.txt)" "env=qa empty="
expect_exit 0 awsc s3api copy-object --bucket new-bucket --key tagged-copy.txt --copy-source new-bucket/tagged.txt
check_eq "tags kept by CopyObject" "$(tag_pairs new-bucket tagged-copy.txt)" "env=qa empty="
expect_exit 0 awsc s3api copy-object --bucket new-bucket --key tagged-copy2.txt --copy-source new-bucket/tagged.txt \
    --tagging-directive REPLACE --tagging 'k=v'
check_eq "tags replaced by CopyObject" "$(tag_pairs new-bucket tagged-copy2.txt)" "k=v"
check_eq "an object without tags" "$(tag_pairs new-bucket copy1.html)" ""
expect_exit 0 awsc s3api create-multipart-upload --bucket new-bucket --key tagged-mp.txt --tagging 'mp=yes&n=1' --query UploadId --output text
MP_UPLOAD=$(cat out.txt)
expect_exit 0 awsc s3api upload-part --bucket new-bucket --key tagged-mp.txt --upload-id "$MP_UPLOAD" --part-number 1 --body hello.txt --query ETag --output text
MP_ETAG=$(cat out.txt)
expect_exit 0 awsc s3api complete-multipart-upload --bucket new-bucket --key tagged-mp.txt --upload-id "$MP_UPLOAD" \
    --multipart-upload "Parts=[{ETag=$MP_ETAG,PartNumber=1}]"
check_eq "CreateMultipartUpload tags" "$(tag_pairs new-bucket tagged-mp.txt)" "mp=yes n=1"
expect_exit 254 awsc s3api put-object-tagging --bucket new-bucket --key tagged.txt \
    --tagging "TagSet=[$(seq -s, -f '{Key=k%g,Value=v}' 1 11)]"
contains err.txt "BadRequest"
expect_exit 254 awsc s3api put-object-tagging --bucket new-bucket --key tagged.txt --tagging 'TagSet=[{Key=a,Value=1},{Key=a,Value=2}]'
contains err.txt "InvalidTag"
expect_exit 254 awsc s3api get-object-tagging --bucket new-bucket --key missing
contains err.txt "NoSuchKey"

# ---- deletes
expect_exit 254 awsc s3api delete-bucket --bucket site-bucket
contains err.txt "BucketNotEmpty"
expect_exit 0 awsc s3api delete-objects --bucket site-bucket \
    --delete 'Objects=[{Key=index.html},{Key=img/a.png},{Key=img/b.png},{Key=docs/2024/report.txt},{Key=never-there}]' \
    --query 'length(Deleted)'
same "5" out.txt
expect_exit 0 awsc s3api delete-object --bucket site-bucket --key 'docs/café menu.txt'
expect_exit 0 awsc s3api delete-bucket --bucket site-bucket
expect_exit 254 awsc s3api head-bucket --bucket site-bucket
contains err.txt "404"
finish
