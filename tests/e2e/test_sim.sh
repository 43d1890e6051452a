# wfrun --sim: a fresh awssim on a loopback port for one command, stopped afterwards.
. "$WF_SOURCE_DIR/tests/e2e/lib.sh"
echo '{}' > empty.json
export WFRUN_AWSSIM="$WF_BUILD_DIR/awssim"

expect_exit 0 "$WFRUN" --sim --seed=empty.json call sts get_caller_identity
contains out.txt '"Account"'
contains err.txt 'simulator awssim at http://127.0.0.1:'

cat > wf.lua <<'WF'
workflow "bucket" { params = { name = param.string { position = 1 } } }
step "create" {
  run = function(ctx)
    aws.s3.create_bucket { Bucket = ctx.params.name }
    return { bucket = ctx.params.name }
  end,
  undo = function(ctx, out) aws.s3.delete_bucket { Bucket = out.bucket } end,
}
step "check" { needs = "create", run = function(ctx)
  local names = {}
  for _, b in ipairs(aws.s3.list_buckets {}.Buckets) do names[#names + 1] = b.Name end
  log.info("buckets: " .. table.concat(names, ","))
end }
WF
expect_exit 0 "$WFRUN" --sim --seed=empty.json wf.lua demo-bucket
contains err.txt 'buckets: demo-bucket'
url=$(sed -n 's/.*simulator awssim at \(http:[^ ]*\).*/\1/p' err.txt)
CHECKS=$((CHECKS + 1))
if curl -s -o /dev/null --max-time 2 "$url/"; then fail "awssim at $url still answers after wfrun exited"; fi

# a bad seed is a clear error, exit 2
expect_exit 2 "$WFRUN" --sim --seed=missing.json call sts get_caller_identity
contains err.txt 'missing.json'
finish
