-- Deliberately broken (wfrun test must catch it): the undo of "image" deregisters the
-- image but forgets to delete the EBS snapshot CreateImage made, so a rollback leaves an
-- orphaned ec2.snapshot. Runs on workflows/examples/seed.json.
workflow "broken-forgets-snapshot" {
  doc = "Image an api-demo instance and tag the image (its undo leaks the snapshot)",
  params = { env = param.string { position = 1, doc = "environment (stack api-ENV)" } },
}

step "find-instance" {
  doc = "The first instance of the environment's Auto Scaling group",
  run = function(ctx)
    for g in aws.autoscaling.items("describe_auto_scaling_groups", {}) do
      if g.AutoScalingGroupName:find("api-" .. ctx.params.env .. "-", 1, true) == 1 then
        return { instance = g.Instances[1].InstanceId }
      end
    end
    error("no Auto Scaling group of " .. ctx.params.env)
  end,
}

step "image" {
  needs = "find-instance",
  doc = "An image of the instance, waited for until available",
  run = function(ctx)
    local r = aws.ec2.create_image { InstanceId = ctx.steps["find-instance"].instance,
                                     Name = "broken-" .. ctx.timestamp, NoReboot = true }
    ctx.save { image = r.ImageId }
    aws.ec2.wait("image_available", { ImageIds = { r.ImageId } }, { timeout = "1h" })
    return { image = r.ImageId }
  end,
  undo = function(ctx, out)
    -- BUG: the image's snapshots are not deleted
    if out.image then aws.ec2.deregister_image { ImageId = out.image } end
  end,
}

step "tag" {
  needs = "image",
  doc = "Tag the image",
  run = function(ctx)
    aws.ec2.create_tags { Resources = { ctx.steps.image.image }, Tags = { { Key = "Purpose", Value = "test" } } }
  end,
}
