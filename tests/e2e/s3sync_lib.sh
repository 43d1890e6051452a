# Helpers for the S3 sync tests (test_s3sync_*.sh), sourced after lib.sh: awssim (from
# awssim_lib.sh) over real HTTP, `wfrun s3` pointed at it, and listings read back from
# awssim's own inventory (not through wfrun's client).
. "$WF_SOURCE_DIR/tests/e2e/awssim_lib.sh"

# s3w ARGS...: wfrun s3 ARGS against the simulator (output in out.txt / err.txt by the
# caller's expect_exit).
s3w() {
    "$WFRUN" --endpoint-url "$SIM_URL" s3 "$@" --no-progress
}

# objects BUCKET [PREFIX] > FILE: "key etag size content-type" per object under PREFIX
# (keys relative to it), sorted by key bytes, from GET /_awssim/inventory.
objects() {
    ctl GET /_awssim/inventory > inventory.json
    python3 - "$1" "${2:-}" <<'PY'
import json, sys
bucket, prefix = sys.argv[1], sys.argv[2]
inv = json.load(open("inventory.json", encoding="utf-8"))
rows = []
for oid, o in (inv.get("resources", {}).get("s3.object") or {}).items():
    b, _, key = oid.partition("/")
    if b == bucket and key.startswith(prefix):
        rows.append((key[len(prefix):].encode(), o.get("ETag"), o.get("ContentLength"), o.get("ContentType")))
for key, etag, size, ctype in sorted(rows):
    print(key.decode(), etag, size, ctype)
PY
}

# same_objects WHAT SRC-BUCKET SRC-PREFIX DST-BUCKET DST-PREFIX: both hold the same keys,
# ETags, sizes and content types.
same_objects() {
    objects "$2" "$3" > same-a.txt
    objects "$4" "$5" > same-b.txt
    CHECKS=$((CHECKS + 1))
    if ! cmp -s same-a.txt same-b.txt; then
        fail "$1: s3://$4/$5 differs from s3://$2/$3"
        diff same-a.txt same-b.txt | head -n 20 >&2
    fi
}

# count_objects BUCKET [PREFIX]: how many objects the inventory holds there.
count_objects() {
    objects "$1" "${2:-}" | wc -l | tr -d ' '
}

# summary_field FIELD: a field of the JSON summary that `--format=json` printed last in out.txt.
summary_field() {
    tail -n 1 out.txt > summary.json
    jq_py summary.json "d['$1']"
}

# put_object BUCKET KEY BODY [CONTENT-TYPE]: a signed PUT with curl (no AWS CLI start-up).
put_object() {
    key=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe="/~"))' "$2")
    curl -sS -f -o /dev/null --aws-sigv4 "aws:amz:us-east-1:s3" --user testing:testing \
        -H "x-amz-content-sha256: UNSIGNED-PAYLOAD" -H "Content-Type: ${4:-text/plain}" \
        -X PUT --data-binary "$3" "$SIM_URL/$1/$key" || fail "PUT $1/$2 failed"
}

# object_tags BUCKET KEY [REGION] > FILE: "key=value" per tag of the object, in order, as
# Debian's AWS CLI reads them (get-object-tagging); with curl (?tagging) when the CLI is
# not installed.
object_tags() {
    if [ -x "$AWS_CLI" ]; then
        "$AWS_CLI" --endpoint-url "$SIM_URL" --region "${3:-us-east-1}" s3api get-object-tagging \
            --bucket "$1" --key "$2" --output json > tags.json || { fail "get-object-tagging $1/$2 failed"; return; }
        jq_py tags.json '"\n".join(t["Key"] + "=" + t["Value"] for t in d["TagSet"])'
    else
        key=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe="/~"))' "$2")
        curl -sS -f -o tags.xml --aws-sigv4 "aws:amz:${3:-us-east-1}:s3" --user testing:testing \
            -H "x-amz-content-sha256: UNSIGNED-PAYLOAD" "$SIM_URL/$1/$key?tagging" || { fail "GET $1/$2?tagging failed"; return; }
        python3 -c '
import sys, xml.etree.ElementTree as ET
ns = "{http://s3.amazonaws.com/doc/2006-03-01/}"
for t in ET.parse("tags.xml").getroot().iter(ns + "Tag"):
    print(t.find(ns + "Key").text + "=" + (t.find(ns + "Value").text or ""))'
    fi
}

# object_head BUCKET KEY [REGION] > FILE: "content-type cache-control {metadata as JSON}" as
# Debian's AWS CLI's head-object reads them (curl -I when the CLI is not installed).
object_head() {
    if [ -x "$AWS_CLI" ]; then
        "$AWS_CLI" --endpoint-url "$SIM_URL" --region "${3:-us-east-1}" s3api head-object \
            --bucket "$1" --key "$2" --output json > head.json || { fail "head-object $1/$2 failed"; return; }
    else
        key=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe="/~"))' "$2")
        curl -sS -f -I -o head.txt --aws-sigv4 "aws:amz:${3:-us-east-1}:s3" --user testing:testing \
            -H "x-amz-content-sha256: UNSIGNED-PAYLOAD" "$SIM_URL/$1/$key" || { fail "HEAD $1/$2 failed"; return; }
        python3 -c '
import json
h = dict(l.split(":", 1) for l in open("head.txt").read().splitlines() if ":" in l)
h = {k.strip().lower(): v.strip() for k, v in h.items()}
json.dump({"ContentType": h.get("content-type"), "CacheControl": h.get("cache-control"),
           "Metadata": {k[11:]: v for k, v in h.items() if k.startswith("x-amz-meta-")}}, open("head.json", "w"))'
    fi
    jq_py head.json '"%s %s %s" % (d.get("ContentType"), d.get("CacheControl"), json.dumps(d.get("Metadata") or {}, sort_keys=True))'
}
