-- Deliberately broken (wfrun test must catch it): "launch" retries after an error, and
-- its RunInstances carries no client token, so the second attempt launches a second
-- instance; the undo terminates only the last one. Runs on workflows/examples/seed.json.
workflow "broken-retry-second-instance" {
  doc = "Launch a builder instance (a retry launches another)",
  params = { env = param.string { position = 1, doc = "environment (only names the lock)" } },
}

step "launch" {
  doc = "Launch an instance of the newest Ubuntu image and wait until it runs",
  retry = { attempts = 2, backoff = "1s" },
  run = function(ctx)
    local r = aws.ec2.run_instances { ImageId = "ami-0b5e0a5e0000000a2", InstanceType = "t3.small",
                                      MinCount = 1, MaxCount = 1 }   -- BUG: no ClientToken
    local id = r.Instances[1].InstanceId
    ctx.save { instance = id }
    aws.ec2.wait("instance_running", { InstanceIds = { id } }, { timeout = "10m" })
    return { instance = id }
  end,
  undo = function(ctx, out)
    if out.instance then
      aws.ec2.terminate_instances { InstanceIds = { out.instance } }
    end
  end,
}

step "tag" {
  needs = "launch",
  doc = "Name the instance",
  run = function(ctx)
    aws.ec2.create_tags { Resources = { ctx.steps.launch.instance }, Tags = { { Key = "Name", Value = "builder" } } }
  end,
}
