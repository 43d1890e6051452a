-- Deliberately broken (wfrun test must catch it): the undo of "image" deregisters the
-- newest image it found before, not the one it made: a rollback removes a seeded image
-- (ami-0a910000000000003) and leaves the new one. Runs on workflows/examples/seed.json.
workflow "broken-deletes-wrong" {
  doc = "Image an api-demo instance (its undo deregisters the wrong image)",
  params = { env = param.string { position = 1, doc = "environment (stack api-ENV)" } },
}

step "find" {
  doc = "The newest api image and an instance of the environment",
  run = function(ctx)
    local newest
    for i in aws.ec2.items("describe_images", { Owners = { "self" } }) do
      if i.Name:match("^api%-") and (not newest or i.CreationDate > newest.CreationDate) then newest = i end
    end
    for g in aws.autoscaling.items("describe_auto_scaling_groups", {}) do
      if g.AutoScalingGroupName:find("api-" .. ctx.params.env .. "-", 1, true) == 1 then
        return { latest = newest.ImageId, instance = g.Instances[1].InstanceId }
      end
    end
    error("no Auto Scaling group of " .. ctx.params.env)
  end,
}

step "image" {
  needs = "find",
  doc = "A new api image of the instance",
  run = function(ctx)
    local r = aws.ec2.create_image { InstanceId = ctx.steps.find.instance,
                                     Name = "api-" .. ctx.timestamp, NoReboot = true }
    ctx.save { image = r.ImageId }
    aws.ec2.wait("image_available", { ImageIds = { r.ImageId } }, { timeout = "1h" })
    return { image = r.ImageId }
  end,
  undo = function(ctx, out)
    -- BUG: deregisters the image found by "find", not out.image
    local image = aws.ec2.describe_images { ImageIds = { ctx.steps.find.latest } }.Images[1]
    aws.ec2.deregister_image { ImageId = image.ImageId }
    for _, m in ipairs(image.BlockDeviceMappings or {}) do
      if m.Ebs and m.Ebs.SnapshotId then aws.ec2.delete_snapshot { SnapshotId = m.Ebs.SnapshotId } end
    end
  end,
}

step "tag" {
  needs = "image",
  doc = "Tag the image",
  run = function(ctx)
    aws.ec2.create_tags { Resources = { ctx.steps.image.image }, Tags = { { Key = "Purpose", Value = "test" } } }
  end,
}
