# The inventory: every resource and its state as JSON, internal fields (object content)
# left out, so a test can compare the world before and after a run. POST /_awssim/seed
# adds to the world.
. "$WF_SOURCE_DIR/tests/e2e/lib.sh"
. "$WF_SOURCE_DIR/tests/e2e/awssim_lib.sh"
need_aws_cli

cat >seed.json <<'JSON'
{"ec2": {"images": [{"ImageId": "ami-0123456789abcdef0", "Name": "base"}]},
 "s3": {"buckets": [{"Name": "assets", "CreationDate": "2024-03-01T10:00:00Z",
                     "objects": [{"Key": "a.txt", "Body": "alpha", "Metadata": {"k": "v"}}]}]}}
JSON
sim_start --seed seed.json
ctl GET /_awssim/inventory >before.json
check_eq "kinds" "$(jq_py before.json 'sorted(d["resources"])')" '["ec2.image", "s3.bucket", "s3.object"]'
check_eq "image state" "$(jq_py before.json 'd["resources"]["ec2.image"]["ami-0123456789abcdef0"]["State"]')" "available"
check_eq "bucket created" "$(jq_py before.json 'd["resources"]["s3.bucket"]["assets"]["CreationDate"]')" "1709287200"
check_eq "object" "$(jq_py before.json 'sorted(d["resources"]["s3.object"]["assets/a.txt"])')" \
    '["Bucket", "ContentLength", "ContentType", "ETag", "Key", "LastModified", "Metadata"]'
check_eq "object etag" "$(jq_py before.json 'd["resources"]["s3.object"]["assets/a.txt"]["ETag"]')" \
    "\"$(printf alpha | md5sum | cut -d' ' -f1)\""
check_eq "pending" "$(jq_py before.json 'd["pending_transitions"]')" "0"
contains before.json '"time": "20'

# A change shows up; nothing else moves.
expect_exit 0 awsc s3 cp seed.json s3://assets/copy.json
ctl GET /_awssim/inventory >after.json
check_eq "new object" "$(jq_py after.json 'sorted(d["resources"]["s3.object"])')" '["assets/a.txt", "assets/copy.json"]'
check_eq "unchanged" "$(python3 -c '
import json
a = json.load(open("before.json"))["resources"]; b = json.load(open("after.json"))["resources"]
del b["s3.object"]["assets/copy.json"]
print(a == b)')" "True"

# Seeding a running simulator.
expect_exit 0 ctl POST /_awssim/seed '{"s3": {"buckets": [{"Name": "late"}]}}'
contains out.txt '"ok": true'
expect_exit 0 awsc s3 ls
contains out.txt " late"
expect_exit 0 ctl POST /_awssim/seed '{"nosuchservice": {}}'
contains out.txt 'unknown service'
expect_exit 0 ctl POST /_awssim/seed 'not json'
contains out.txt 'not valid JSON'
sim_stop

# A bad seed file stops awssim from starting.
printf '{"s3": {"buckets": [{"Name": "UPPER"}]}}' >bad.json
expect_exit 2 "$AWSSIM" --listen 127.0.0.1:0 --seed bad.json
contains err.txt "seed bad.json: s3 bucket name \"UPPER\" is not valid"
# Seeds may be Lua returning a table.
cat >seed.lua <<'LUA'
local names = {}
for i = 1, 3 do names[i] = { Name = "lua-bucket-" .. i } end
return { s3 = { buckets = names } }
LUA
sim_start --seed seed.lua
expect_exit 0 awsc s3api list-buckets --query 'Buckets[].Name' --output text
same "lua-bucket-1	lua-bucket-2	lua-bucket-3" out.txt
sim_stop
finish
