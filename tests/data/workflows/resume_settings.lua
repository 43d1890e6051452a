-- Test workflow of test_resume_settings.sh: a bucket in the region the run names, then an
-- object in it and a probe of the calls' region; the put of "slow" is where the test kills the run.
workflow "resume-settings" {
  doc = "A bucket, an object and a region probe, to resume against the run's own endpoint and region",
  params = {
    bucket = param.string { position = 1, doc = "bucket name (the lock key)" },
    location = param.string { doc = "the bucket's LocationConstraint (the run's --region)", default = "eu-west-2" },
  },
}

step "make-bucket" {
  run = function(ctx)
    aws.s3.create_bucket { Bucket = ctx.params.bucket,
                           CreateBucketConfiguration = { LocationConstraint = ctx.params.location } }
    return { bucket = ctx.params.bucket }
  end,
  undo = function(ctx, out) aws.s3.delete_bucket { Bucket = out.bucket } end,
}

local function put(key)
  return {
    needs = { "make-bucket" },
    run = function(ctx)
      aws.s3.put_object { Bucket = ctx.params.bucket, Key = key, Body = key }
      return { key = key }
    end,
    undo = function(ctx, out) aws.s3.delete_object { Bucket = ctx.params.bucket, Key = out.key } end,
  }
end

step "slow" (put("slow"))

-- Which region the calls go to: S3 refuses a CreateBucket without a LocationConstraint
-- everywhere but us-east-1 (awssim too), and the test's environment says us-east-1.
step "probe" {
  needs = { "slow" },
  run = function(ctx)
    local created = pcall(aws.s3.create_bucket, { Bucket = ctx.params.bucket .. "-probe" })
    return { probe = created and "created: the call went to us-east-1" or "refused: not us-east-1" }
  end,
  undo = function(ctx, out)
    if out.probe:match("^created") then aws.s3.delete_bucket { Bucket = ctx.params.bucket .. "-probe" } end
  end,
}
