# wfrun s3 sync recovers from SlowDown (503), InternalError (500) and dropped connections
# by retrying each request on its own, and a request that fails for good fails only its
# object: the summary counts it, the exit code is 1, and the next run copies just that one.
. "$WF_SOURCE_DIR/tests/e2e/lib.sh"
. "$WF_SOURCE_DIR/tests/e2e/s3sync_lib.sh"

cat > seed.json <<'EOF2'
{"s3": {"buckets": [
  {"Name": "src", "generate": {"prefix": "f/", "count": 300, "size": 50}},
  {"Name": "dst"}
]}}
EOF2
sim_start --seed seed.json --fault-seed 7
ctl POST /_awssim/faults '[{"operation": "CopyObject", "throttle": 0.3},
  {"operation": "CopyObject", "error": "InternalError", "status": 500, "message": "injected", "share": 0.2},
  {"operation": "CopyObject", "drop": true, "probability": 0.05},
  {"operation": "ListObjectsV2", "throttle": 0.5}]' > /dev/null

expect_exit 0 s3w sync s3://src/f s3://dst/f --concurrency=16 --format=json
check_eq "copied" "$(summary_field copied)" 300
check_eq "failed" "$(summary_field failed)" 0
same_objects "after faults" src f/ dst f/
tail -n 1 out.txt > summary.json
CHECKS=$((CHECKS + 1))
[ "$(jq_py summary.json "d['stats']['retries']")" -gt 60 ] || fail "expected many retries: $(cat summary.json)"
CHECKS=$((CHECKS + 1))
[ "$(jq_py summary.json "d['stats']['throttled']")" -gt 0 ] || fail "expected throttled answers: $(cat summary.json)"
ctl GET /_awssim/faults > faults.json
check_eq "every fault fired" "$(jq_py faults.json "all(r['fired'] > 0 for r in (d if isinstance(d, list) else d['faults']))")" true

# a request that fails for good: only its object fails
ctl DELETE /_awssim/faults > /dev/null
ctl POST /_awssim/faults '{"operation": "CopyObject", "error": "AccessDenied", "status": 403, "message": "injected", "nth": 7}' > /dev/null
expect_exit 1 s3w sync s3://src/f s3://dst/g --format=json
check_eq "copied (one failure)" "$(summary_field copied)" 299
check_eq "failed (one failure)" "$(summary_field failed)" 1
contains err.txt "AccessDenied: injected"
check_eq "target count" "$(count_objects dst g/)" 299
# retries give up after --max-attempts: a CopyObject that always answers 500
ctl POST /_awssim/faults '{"operation": "CopyObject", "error": "InternalError", "status": 500, "message": "down"}' > /dev/null
expect_exit 1 s3w sync s3://src/f s3://dst/g --max-attempts=2 --format=json
check_eq "failed (always 500)" "$(summary_field failed)" 1
contains err.txt "InternalError: down"
ctl DELETE /_awssim/faults > /dev/null
expect_exit 0 s3w sync s3://src/f s3://dst/g --format=json
check_eq "copied on the next run" "$(summary_field copied)" 1
same_objects "after the next run" src f/ dst g/
finish
