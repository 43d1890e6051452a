# wfrun s3 sync over more than 1,000 keys on both sides (ListObjectsV2 pages merged in
# key order): missing, changed and extraneous keys spread over several pages of each side.
. "$WF_SOURCE_DIR/tests/e2e/lib.sh"
. "$WF_SOURCE_DIR/tests/e2e/s3sync_lib.sh"

cat > seed.json <<'EOF2'
{"s3": {"buckets": [
  {"Name": "src", "generate": {"prefix": "p/", "count": 2600, "size": 40}},
  {"Name": "dst", "generate": {"prefix": "p/", "count": 1300, "size": 40}},
  {"Name": "dst", "generate": {"prefix": "p/zz", "count": 1100, "size": 8}}
]}}
EOF2
sim_start --seed seed.json
check_eq "target before" "$(count_objects dst p/)" 2400
put_object dst "p/000002" "changed"
put_object dst "p/001000" "changed too"
put_object dst "p/001299" "and this one"

expect_exit 1 s3w verify s3://src/p s3://dst/p --format=json
check_eq "missing" "$(summary_field missing)" 1300
check_eq "extra" "$(summary_field extra)" 1100
check_eq "different" "$(summary_field different)" 3
check_eq "listed source" "$(summary_field listed_source)" 2600
check_eq "listed target" "$(summary_field listed_target)" 2400

expect_exit 0 s3w sync s3://src/p s3://dst/p --delete --concurrency=16 --format=json
check_eq "copied" "$(summary_field copied)" 1303
check_eq "skipped" "$(summary_field skipped)" 1297
check_eq "deleted" "$(summary_field deleted)" 1100
check_eq "failed" "$(summary_field failed)" 0
same_objects "after the sync" src p/ dst p/
expect_exit 0 s3w verify s3://src/p s3://dst/p
contains out.txt "2600 same, 0 missing, 0 extra, 0 different"

# the listings went page by page (three ListObjectsV2 calls per side at most 1,000 keys each)
ctl GET "/_awssim/requests" > requests.json
python3 -c '
import json
lines = json.load(open("requests.json")) if open("requests.json").read(1) == "[" else [json.loads(l) for l in open("requests.json") if l.strip()]
lines = lines.get("requests", lines) if isinstance(lines, dict) else lines
pages = [r for r in lines if r.get("operation") == "ListObjectsV2"]
big = [r for r in pages if (r.get("params") or {}).get("MaxKeys", 1000) > 1000]
print(len(pages), len(big))' > pages.txt
CHECKS=$((CHECKS + 1))
read n_pages n_big < pages.txt
[ "$n_pages" -ge 12 ] || fail "expected at least 12 listing pages over the runs, saw $n_pages"
check_eq "pages over 1,000 keys" "$n_big" 0
finish
