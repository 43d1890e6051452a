-- A workflow whose plan shows AWS placeholders: a launched instance's id flows into
-- tags, a waiter, a read-only call (not sent: the instance does not exist yet), an
-- image and the undos. Used by tests/e2e/test_aws_plan.sh.
workflow "aws-plan" {
  doc = "Plan-mode placeholders of AWS calls",
  params = { env = param.string { position = 1, doc = "environment" } },
}

step "launch" {
  doc = "Start a builder instance",
  run = function(ctx)
    local r = aws.ec2.run_instances { ImageId = "ami-1", MinCount = 1, MaxCount = 1, InstanceType = "t3.micro" }
    local id = r.Instances[1].InstanceId
    aws.ec2.create_tags { Resources = { id }, Tags = { { Key = "env", Value = ctx.params.env } } }
    aws.ec2.wait("instance_running", { InstanceIds = { id } }, { timeout = "10m" })
    local d = aws.ec2.describe_instances { InstanceIds = { id } }
    for item in aws.ec2.items("describe_instances", { InstanceIds = { id } }) do
      log.info("reservation " .. tostring(item.ReservationId))
    end
    return { instance = id, state = d.Reservations[1].Instances[1].State.Name, count = #r.Instances }
  end,
  undo = function(ctx, out) aws.ec2.terminate_instances { InstanceIds = { out.instance } } end,
}

step "image" {
  needs = "launch",
  doc = "Make an image of it",
  run = function(ctx)
    local img = aws.ec2.create_image { InstanceId = ctx.steps.launch.instance, Name = "img-" .. ctx.params.env }
    return { image = img.ImageId }
  end,
  undo = function(ctx, out) aws.ec2.deregister_image { ImageId = out.image } end,
}

step "typo" {
  needs = "image",
  doc = "An operation that does not exist",
  run = function(ctx) aws.ec2.describe_imagez { Owners = { "self" } } end,
}
