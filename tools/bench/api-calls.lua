-- Benchmark workflow for tools/bench/api-calls: one step that makes N signed calls through
-- the aws primitives, as any workflow step would: sts GetCallerIdentity, or s3 HeadObject
-- of --bucket/--key. Logs "calls=N cpu_s=S" (os.clock around the loop: the process's CPU).
--   wfrun --endpoint-url URL tools/bench/api-calls.lua N [--bucket=B --key=K]
workflow "bench-api-calls" {
  doc = "N signed AWS calls from one step (benchmark)",
  params = {
    calls = param.integer { position = 1, doc = "how many calls" },
    bucket = param.string { doc = "with --key: HeadObject of bucket/key instead of GetCallerIdentity", required = false },
    key = param.string { doc = "object key for HeadObject", required = false },
  },
}

step "calls" {
  doc = "Make the calls",
  run = function(ctx)
    local n, p = ctx.params.calls, ctx.params
    local c0 = os.clock()
    if p.bucket then
      local args = { Bucket = p.bucket, Key = p.key }
      for _ = 1, n do aws.s3.head_object(args) end
    else
      for _ = 1, n do aws.sts.get_caller_identity {} end
    end
    log.info(("calls=%d cpu_s=%.6f"):format(n, os.clock() - c0))
    return { calls = n }
  end,
}
