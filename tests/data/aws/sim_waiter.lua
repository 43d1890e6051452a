-- A workflow against awssim (tests/e2e/test_aws_call_sim.sh): S3 calls, waiters that
-- succeed on 200 and on 404, a paginated read, and (with --fail) a waiter that times out.
workflow "aws-sim-waiter" {
  doc = "Waiters and pagination against the simulator",
  params = {
    bucket = param.string { position = 1, doc = "bucket to create" },
    fail = param.bool { doc = "wait for an object that never comes" },
  },
}

step "bucket" {
  doc = "Create the bucket and list the buckets",
  run = function(ctx)
    aws.s3.create_bucket { Bucket = ctx.params.bucket }
    local names = {}
    for b in aws.s3.items("list_buckets", {}) do names[#names + 1] = b.Name end
    log.info("buckets: " .. table.concat(names, ","))
    return { bucket = ctx.params.bucket }
  end,
}

step "object" {
  needs = "bucket",
  doc = "Put an object and wait for it",
  run = function(ctx)
    local b = ctx.steps.bucket.bucket
    local put = aws.s3.put_object { Bucket = b, Key = "greeting", Body = "hello" }
    local head = aws.s3.wait("object_exists", { Bucket = b, Key = "greeting" }, { every = "0.1s", timeout = "10s" })
    aws.s3.wait("ObjectNotExists", { Bucket = b, Key = "missing" }, { every = "0.1s", timeout = "10s" })
    log.info(("object %s, %d bytes"):format(put.ETag, head.ContentLength))
    return { etag = put.ETag, size = head.ContentLength }
  end,
}

step "never" {
  needs = "object",
  doc = "Wait for an object that is never written",
  when = function(ctx) return ctx.params.fail end,
  run = function(ctx)
    aws.s3.wait("object_exists", { Bucket = ctx.steps.bucket.bucket, Key = "never" }, { every = "0.1s", timeout = "1s" })
  end,
}
