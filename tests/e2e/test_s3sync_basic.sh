# wfrun s3 sync / verify on awssim over HTTP: an empty target, a partial one, changed
# objects, --delete, prefixes, include/exclude, dry run, keys with spaces, unicode, + % ? #,
# metadata and content type kept; results read back from awssim's inventory and with
# Debian's AWS CLI. Also aws.s3.sync / aws.s3.verify from a workflow.
. "$WF_SOURCE_DIR/tests/e2e/lib.sh"
. "$WF_SOURCE_DIR/tests/e2e/s3sync_lib.sh"
need_aws_cli

cat > seed.json <<'EOF'
{"s3": {"buckets": [
  {"Name": "src",
   "generate": {"prefix": "data/gen/", "count": 40, "size": 100},
   "objects": [
     {"Key": "data/a b+c%d?e#f é.txt", "Body": "weird key", "ContentType": "text/x-weird", "Metadata": {"owner": "qa"}},
     {"Key": "data/日本語/ファイル.txt", "Body": "unicode"},
     {"Key": "data/plus+sign", "Body": "plus"},
     {"Key": "data/percent%2Fslash", "Body": "percent"},
     {"Key": "data/question?hash#", "Body": "question"},
     {"Key": "data/skip.tmp", "Body": "temporary"},
     {"Key": "other/outside-prefix", "Body": "not under data/"}]},
  {"Name": "dst", "objects": [{"Key": "keep/unrelated", "Body": "outside the target prefix"}]}
]}}
EOF
sim_start --seed seed.json

# --- empty target: everything under data/ is copied, nothing outside the prefixes --------
expect_exit 0 s3w sync s3://src/data s3://dst/copy --format=json
check_eq "copied (empty target)" "$(summary_field copied)" 46
check_eq "failed" "$(summary_field failed)" 0
same_objects "empty target" src data/ dst copy/
check_eq "outside the source prefix" "$(count_objects dst other/)" 0
check_eq "the target's other keys" "$(count_objects dst keep/)" 1

# metadata, content type and the odd key, read with the AWS CLI
CHECKS=$((CHECKS + 1))
awsc s3api head-object --bucket dst --key "copy/a b+c%d?e#f é.txt" > head.json 2> head.err ||
    fail "aws s3api head-object of the odd key: $(cat head.err)"
check_eq "content type kept" "$(jq_py head.json "d['ContentType']")" "text/x-weird"
check_eq "metadata kept" "$(jq_py head.json "d['Metadata']['owner']")" "qa"
awsc s3api list-objects-v2 --bucket dst --prefix copy/ > list.json
check_eq "AWS CLI count" "$(jq_py list.json "len(d['Contents'])")" 46
check_eq "unicode key" "$(jq_py list.json "[o['Key'] for o in d['Contents'] if '日本' in o['Key']][0]")" "copy/日本語/ファイル.txt"

# --- nothing to do: a second run copies nothing, verify agrees -----------------------------
expect_exit 0 s3w sync s3://src/data s3://dst/copy --format=json
check_eq "copied (no-op)" "$(summary_field copied)" 0
check_eq "skipped (no-op)" "$(summary_field skipped)" 46
expect_exit 0 s3w verify s3://src/data s3://dst/copy
contains out.txt "46 same, 0 missing, 0 extra, 0 different"

# --- partial and changed target: only what is missing or different is copied -------------
put_object dst "copy/gen/000003" "changed body"              # different ETag and size
put_object dst "copy/plus+sign" "plux"                       # same size, different ETag
put_object dst "copy/extra/only-in-target" "extra"
awsc s3api delete-object --bucket dst --key "copy/gen/000007" > /dev/null
expect_exit 1 s3w verify s3://src/data s3://dst/copy
contains out.txt "missing gen/000007"
contains out.txt "extra extra/only-in-target"
contains out.txt "different gen/000003"
contains out.txt "different plus+sign"
contains out.txt "43 same, 1 missing, 1 extra, 2 different"

# dry run: lists, changes nothing
ctl DELETE "/_awssim/requests" > /dev/null
expect_exit 0 s3w sync s3://src/data s3://dst/copy --dry-run --delete
contains out.txt "copy gen/000003"
contains out.txt "copy gen/000007"
contains out.txt "copy plus+sign"
contains out.txt "delete extra/only-in-target"
contains out.txt "(dry run) would be: 3 copied, 43 skipped, 1 deleted"
ctl GET "/_awssim/requests" > requests.json
CHECKS=$((CHECKS + 1))
if grep -q '"mutating": *true' requests.json; then fail "the dry run changed something"; fi

# size compare does not see the same-size change; etag does
expect_exit 0 s3w sync s3://src/data s3://dst/copy --compare=size --format=json
check_eq "copied (size)" "$(summary_field copied)" 2
expect_exit 0 s3w sync s3://src/data s3://dst/copy --format=json
check_eq "copied (etag)" "$(summary_field copied)" 1
check_eq "extra kept without --delete" "$(count_objects dst copy/extra/)" 1

# --- delete -------------------------------------------------------------------------------
expect_exit 0 s3w sync s3://src/data s3://dst/copy --delete --format=json
check_eq "deleted" "$(summary_field deleted)" 1
same_objects "after --delete" src data/ dst copy/
check_eq "keys outside the target prefix survive --delete" "$(count_objects dst keep/)" 1

# --- include / exclude (PCRE2 on keys relative to the prefix) ------------------------------
expect_exit 0 s3w sync s3://src/data s3://dst/filtered --include='^gen/00001\d$' --include='\.txt$' \
    --exclude='^gen/000015$' --format=json
objects dst filtered/ | cut -d' ' -f1 > filtered.txt
check_eq "filtered count" "$(wc -l < filtered.txt | tr -d ' ')" 11
contains filtered.txt "gen/000010"
lacks filtered.txt "gen/000015"
lacks filtered.txt "skip.tmp"
contains filtered.txt "日本語/ファイル.txt"
# an excluded extraneous key is not deleted either
put_object dst "filtered/zz.tmp" "x"
expect_exit 0 s3w sync s3://src/data s3://dst/filtered --include='\.txt$' --exclude='\.tmp$' --delete --format=json
check_eq "excluded target key kept" "$(count_objects dst filtered/zz.tmp)" 1

# --- whole buckets and bad input -------------------------------------------------------------
expect_exit 2 s3w sync s3://src s3://no-such-bucket
contains err.txt "NoSuchBucket"
expect_exit 2 s3w sync s3://src/data
contains err.txt "needs SRC and DST"
expect_exit 2 s3w sync s3://src/data http://dst/x
contains err.txt "is not an s3://bucket/prefix URL"
expect_exit 2 s3w sync s3://src/data s3://dst/x --compare=md5
contains err.txt "compare must be etag, size or size-mtime"
expect_exit 2 s3w sync s3://src/data s3://dst/x --include='('
contains err.txt "include"
expect_exit 2 s3w sync s3://src/data s3://src/data/copy
contains err.txt "overlap"
expect_exit 2 s3w sync s3://src/data s3://dst/x --concurrency=0
expect_exit 2 s3w sync s3://src/data s3://dst/x --bogus
expect_exit 0 "$WFRUN" s3 --help
contains out.txt "wfrun s3 sync SRC DST"

# --- from a workflow: aws.s3.sync and aws.s3.verify -------------------------------------------
cat > sync.lua <<'EOF'
workflow "sync-test" {}
step "copy" {
  run = function()
    local r = aws.s3.sync { source = "s3://src/data", target = "s3://dst/wf", exclude = { "^gen/" } }
    log.info(("workflow copied %d, failed %d"):format(r.copied, r.failed))
    local v = aws.s3.verify { source = "s3://src/data", target = "s3://dst/wf", exclude = { "^gen/" } }
    if not v.ok then error("verify found differences") end
    log.info(("workflow verified %d"):format(v.skipped))
  end,
}
EOF
expect_exit 0 "$WFRUN" --endpoint-url "$SIM_URL" --state-dir="$SCRATCH/state" sync.lua
contains err.txt "workflow copied 6, failed 0"
contains err.txt "workflow verified 6"
finish
