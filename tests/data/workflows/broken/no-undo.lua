-- Deliberately broken (wfrun test must catch it): "bucket" creates a bucket and declares
-- no undo, so a rollback leaves it behind. Runs on workflows/examples/seed.json.
workflow "broken-no-undo" {
  doc = "A log bucket with a README (the bucket has no undo)",
  params = { env = param.string { position = 1, doc = "environment" } },
}

step "bucket" {
  doc = "The bucket <env>-logs-<timestamp>",
  run = function(ctx)
    local name = (ctx.params.env .. "-logs-" .. ctx.timestamp):lower()
    aws.s3.create_bucket { Bucket = name }
    return { bucket = name }
  end,
  -- BUG: no undo
}

step "readme" {
  needs = "bucket",
  doc = "A README in the bucket",
  run = function(ctx)
    aws.s3.put_object { Bucket = ctx.steps.bucket.bucket, Key = "README", Body = "logs of " .. ctx.params.env .. "\n" }
  end,
  undo = function(ctx)
    aws.s3.delete_object { Bucket = ctx.steps.bucket.bucket, Key = "README" }
  end,
}
