# awssim speaks AWS: Debian's AWS CLI gets its identity, lists, creates and copies S3
# buckets and objects (path-style and virtual-hosted), describes seeded EC2 images; the
# URL is the first line of stdout; SIGTERM ends it with 0.
. "$WF_SOURCE_DIR/tests/e2e/lib.sh"
. "$WF_SOURCE_DIR/tests/e2e/awssim_lib.sh"
need_aws_cli

expect_exit 0 "$AWSSIM" --help
contains out.txt "--listen"
contains out.txt "--time-scale"

cat >seed.json <<'JSON'
{
  "ec2": {"images": [
    {"ImageId": "ami-0123456789abcdef0", "Name": "base-2024-01",
     "CreationDate": "2024-01-01T00:00:00.000Z", "Tags": [{"Key": "role", "Value": "base"}]},
    {"ImageId": "ami-0fedcba9876543210", "Name": "app-2024-02",
     "Tags": [{"Key": "role", "Value": "app"}]}
  ]},
  "s3": {"buckets": [{"Name": "seeded", "objects": [{"Key": "hello.txt", "Body": "hello\n",
                                                     "ContentType": "text/plain"}]}]}
}
JSON
sim_start --seed seed.json
CHECKS=$((CHECKS + 1))
echo "$SIM_URL" | grep -Eq '^http://127\.0\.0\.1:[0-9]+$' || fail "URL line: $SIM_URL"

# STS (query protocol)
expect_exit 0 awsc sts get-caller-identity --output json
check_eq "Account" "$(jq_py out.txt 'd["Account"]')" "000000000000"
check_eq "Arn" "$(jq_py out.txt 'd["Arn"]')" "arn:aws:iam::000000000000:root"

# S3 (rest-xml): list, make, copy in and out, head
expect_exit 0 awsc s3 ls
contains out.txt " seeded"
expect_exit 0 awsc s3 mb s3://made-here
expect_exit 0 awsc s3 ls
contains out.txt " made-here"
head -c 70000 /dev/urandom >blob.bin
printf '\000\377end' >>blob.bin
expect_exit 0 awsc s3 cp blob.bin s3://made-here/dir/blob.bin --content-type application/x-test --metadata team=ops
expect_exit 0 awsc s3api head-object --bucket made-here --key dir/blob.bin --output json
check_eq "ContentLength" "$(jq_py out.txt 'd["ContentLength"]')" "$(wc -c <blob.bin | tr -d ' ')"
check_eq "ETag" "$(jq_py out.txt 'd["ETag"]')" "\"$(md5sum blob.bin | cut -d' ' -f1)\""
check_eq "ContentType" "$(jq_py out.txt 'd["ContentType"]')" "application/x-test"
check_eq "Metadata" "$(jq_py out.txt 'd["Metadata"]["team"]')" "ops"
expect_exit 0 awsc s3 cp s3://made-here/dir/blob.bin back.bin
CHECKS=$((CHECKS + 1))
cmp -s blob.bin back.bin || fail "object content changed on the way"
expect_exit 0 awsc s3 cp s3://seeded/hello.txt -
same "hello" out.txt
expect_exit 254 awsc s3api get-object --bucket seeded --key missing.txt missing.out
contains err.txt "NoSuchKey"
expect_exit 254 awsc s3api head-object --bucket seeded --key missing.txt
contains err.txt "(404)"
expect_exit 1 awsc s3 mb s3://Bad_Name
contains err.txt "InvalidBucketName"

# Virtual-hosted style: the bucket in the Host header (curl signs with SigV4 itself and
# resolves *.localhost to loopback).
PORT=${SIM_URL##*:}
for host in "seeded.s3.localhost" "seeded.localhost"; do
    expect_exit 0 curl -sS -f --aws-sigv4 "aws:amz:us-east-1:s3" --user testing:testing \
        -H "x-amz-content-sha256: UNSIGNED-PAYLOAD" "http://$host:$PORT/hello.txt"
    same "hello" out.txt
done

# EC2 (ec2 protocol): images from the seed, with filters
expect_exit 0 awsc ec2 describe-images --owners self --filters Name=tag:role,Values=app --output json
check_eq "filtered images" "$(jq_py out.txt '[i["ImageId"] for i in d["Images"]]')" '["ami-0fedcba9876543210"]'
expect_exit 0 awsc ec2 describe-images --image-ids ami-0123456789abcdef0 \
    --query 'Images[0].[Name,State,CreationDate]' --output text
same "base-2024-01	available	2024-01-01T00:00:00.000Z" out.txt
expect_exit 0 awsc ec2 describe-images --filters "Name=name,Values=*-2024-*" --query 'length(Images)'
same "2" out.txt
expect_exit 254 awsc ec2 describe-images --image-ids ami-00000000000000000
contains err.txt "InvalidAMIID.NotFound"

# Responses carry request ids.
expect_exit 0 curl -sS -i --aws-sigv4 "aws:amz:us-east-1:sts" --user testing:testing \
    -d "Action=GetCallerIdentity&Version=2011-06-15" "$SIM_URL/"
contains out.txt "x-amzn-RequestId: "
contains out.txt "<RequestId>"

sim_stop
check_eq "exit status after SIGTERM" "$SIM_RC" 0
contains sim.err "SIGTERM"
finish
