-- Operations through the `aws` global: run mode passes the call through; plan mode
-- records mutating calls and returns placeholders shaped by the output shape.
local check = require "tests.data.aws.check"
local aws = require "dsl.aws"
local placeholder = require "dsl.aws_placeholder"
local primitives = require "dsl.primitives"

local calls = {}
aws.call = function(service, op, params)
  calls[#calls + 1] = { service = service, op = op, params = params }
  return { Images = { { ImageId = "ami-1" } } }, { status = 200 }
end

-- Run mode: the API name and the params go through unchanged; no params is {}.
local r = aws.public.ec2.describe_images { Owners = { "self" } }
check.eq(calls[1], { service = "ec2", op = "DescribeImages", params = { Owners = { "self" } } }, "call passed through")
check.eq(r.Images[1].ImageId, "ami-1", "result returned")
aws.public.sts.get_caller_identity()
check.eq(calls[2].params, {}, "no params means {}")
check.raises(function() aws.public.ec2.describe_images("ami-1") end, "test_placeholder.lua:", "bad params at the caller's line")
check.raises(function() aws.public.ec2.describe_images("ami-1") end, "aws.ec2.describe_images: expects a table of parameters, got string", "bad params")

-- Plan mode with a recorder like dsl/plan.lua's.
local recorded = {}
local recorder = { record = function(_, name, args, mutating, make)
  recorded[#recorded + 1] = { name = name, args = args, mutating = mutating }
  if mutating then return make and make("build." .. name .. "#" .. #recorded) or "<planned>" end
end }
calls = {}
primitives.set_mode("plan", recorder)
local ok, err = pcall(function()
  local out = aws.public.ec2.run_instances { ImageId = "ami-1", MinCount = 1, MaxCount = 1 }
  check.eq(#calls, 0, "a mutating call is not sent")
  check.eq(recorded[1].name, "aws.ec2.run_instances", "recorded by its snake_case name")
  check.eq(recorded[1].mutating, true, "as mutating")
  check.eq(out.Instances[1].InstanceId, "<build.aws.ec2.run_instances#1.Instances[1].InstanceId>", "string member")
  check.eq(out.Instances[1].State.Name, "<build.aws.ec2.run_instances#1.Instances[1].State.Name>", "nested member")
  check.eq(out.Instances[1].State.Code, 0, "integer member reads 0")
  check.eq(out.Instances[1].EbsOptimized, false, "boolean member reads false")
  check.eq(out.Instances[1].NoSuchMember, nil, "a member the shape lacks reads nil")
  check.eq(#out.Instances, 1, "a list has one element")
  check.eq(out.Instances[2], nil, "and only one")
  local n = 0
  for _, i in ipairs(out.Instances) do n = n + 1; check.ok(placeholder.is_proxy(i), "ipairs gives the proxy") end
  check.eq(n, 1, "ipairs walks one element")
  check.eq(tostring(out.Instances[1]), "<build.aws.ec2.run_instances#1.Instances[1]>", "tostring of a structure")
  check.eq("id-" .. out.Instances[1], "id-<build.aws.ec2.run_instances#1.Instances[1]>", "concatenation")
  check.ok(getmetatable(out).__placeholder, "stdlib's is_placeholder test (__placeholder)")
  check.ok(placeholder.contains({ Resources = { out.Instances[1].InstanceId } }), "placeholder strings are found")
  check.ok(placeholder.contains({ x = out }), "placeholder proxies are found")
  check.ok(not placeholder.contains({ Name = "a < b", Values = { "x" } }), "ordinary strings are not placeholders")

  -- A map member, a blob/timestamp member, an operation without output.
  local kp = aws.public.ec2.create_key_pair { KeyName = "k" }
  check.eq(kp.KeyMaterial, "<build.aws.ec2.create_key_pair#2.KeyMaterial>", "sensitive string member")
  local del = aws.public.ec2.delete_snapshot { SnapshotId = "snap-1" }
  check.eq(del.Anything, nil, "no output shape: an empty placeholder")
  local cmd = aws.public.ssm.send_command { DocumentName = "AWS-RunShellScript", InstanceIds = { "i-1" } }
  check.eq(cmd.Command.Parameters.commands[1], "<build.aws.ssm.send_command#4.Command.Parameters.commands[1]>", "map value")

  -- Read-only calls are recorded and sent, unless they name a placeholder.
  local real = aws.public.ec2.describe_images { Owners = { "self" } }
  check.eq(#calls, 1, "a read-only call is sent in a plan")
  check.eq(real.Images[1].ImageId, "ami-1", "with its real result")
  local planned = aws.public.ec2.describe_images { ImageIds = { "<bake.image>" } }
  check.eq(#calls, 1, "a read-only call naming a placeholder is not sent")
  check.eq(planned.Images[1].ImageId, "<aws.ec2.describe_images(planned).Images[1].ImageId>", "its result is a placeholder")
  check.eq(recorded[#recorded].mutating, false, "and it is recorded as read-only")
end)
primitives.set_mode("run")
check.ok(ok, "plan mode: " .. tostring(err))

return check.finish("test_placeholder")
