-- dsl/aws_registry.lua covers every operation of the embedded models (and nothing
-- else), its snake_case names are what dsl/aws.lua computes (botocore's xform_name),
-- its flags follow the read-only rule, and operations are found by any spelling.
local check = require "tests.data.aws.check"
local caws = require "wf.aws"
local aws = require "dsl.aws"
local registry = require "dsl.aws_registry"

-- botocore.xform_name's answers (python3 -c 'import botocore; botocore.xform_name(n)').
local XFORM = {
  DescribeDBInstances = "describe_db_instances", ListObjectsV2 = "list_objects_v2",
  ListARNs = "list_arns", GetAPIKeys = "get_api_keys",
  DescribeVpcEndpointConnectionNotifications = "describe_vpc_endpoint_connection_notifications",
  CreateDBSnapshot = "create_db_snapshot", AssumeRoleWithSAML = "assume_role_with_saml",
  PutObjectACL = "put_object_acl", GetBucketACLs = "get_bucket_acls",
  UploadPartCopy = "upload_part_copy", HTMLTagsList = "html_tags_list",
  IPAddress = "ip_address", describe_images = "describe_images",
}
for api, want in pairs(XFORM) do
  check.eq(aws.snake_case(api), want, "snake_case(" .. api .. ")")
end

local function is_read_only(op)
  return op:match("^Describe") or op:match("^List") or op:match("^Get") or op:match("^Head")
    or op == "ValidateTemplate" or op == "GetCallerIdentity"
end

-- The registry's services are the embedded models.
local services = caws.services()
check.eq(aws.services(), services, "registry services = embedded models")

local total = 0
for _, service in ipairs(services) do
  local model = caws.model(service)
  local entries = registry[service] or {}
  local in_registry, names = {}, {}
  for _, e in ipairs(entries) do
    check.ok(model.operations[e.op] ~= nil, ("%s %s is in the registry but not in the model"):format(service, e.op))
    check.ok(not in_registry[e.op], ("%s %s is in the registry twice"):format(service, e.op))
    check.ok(not names[e.name], ("%s: two operations are named %s"):format(service, e.name))
    in_registry[e.op], names[e.name] = true, true
    check.eq(aws.snake_case(e.op), e.name, ("%s %s snake_case"):format(service, e.op))
    check.eq(e.mutating, not is_read_only(e.op), ("%s %s mutating flag"):format(service, e.op))
    -- Found by its snake_case name, API name and the CLI's dashed name, all the same entry.
    check.ok(aws.operation(service, e.name) == e, ("%s %s by snake_case name"):format(service, e.op))
    check.ok(aws.operation(service, e.op) == e, ("%s %s by API name"):format(service, e.op))
    check.ok(aws.operation(service, (e.name:gsub("_", "-"))) == e, ("%s %s by dashed name"):format(service, e.op))
    total = total + 1
  end
  for op in pairs(model.operations) do
    check.ok(in_registry[op], ("%s %s is in the model but not in dsl/aws_registry.lua (run tools/gen_aws_registry.py)")
      :format(service, op))
  end
end
check.ok(total >= 79, "the registry lists the issue's operations (" .. total .. ")")

-- Unknown names: the message names the service and suggests the nearest operation.
local _, msg = aws.operation("ec2", "describe_imagez")
check.contains(msg, 'aws.ec2 has no operation "describe_imagez" (did you mean "describe_images"?)', "did-you-mean")
_, msg = aws.operation("ec2", "DescribeImage")
check.contains(msg, '(did you mean "describe_images"?)', "did-you-mean from an API name")
_, msg = aws.operation("ecs", "list_clusters")
check.contains(msg, 'no AWS service "ecs" (did you mean "ec2"?)', "unknown service")

-- The same through the `aws` global of workflows, raised at the caller's line.
check.raises(function() return aws.public.ec2.describe_imagez end, 'test_registry.lua:', "unknown operation error position")
check.raises(function() return aws.public.ec2.describe_imagez end, '(did you mean "describe_images"?)', "unknown operation")
check.raises(function() return aws.public.ecs end, 'no AWS service "ecs"', "unknown service")
check.raises(function() aws.public.ec2.foo = 1 end, "aws.ec2 is read-only", "service tables are read-only")
check.ok(type(aws.public.ec2.describe_images) == "function", "aws.ec2.describe_images is a function")
check.ok(aws.public.ec2.DescribeImages == aws.public.ec2.describe_images, "API name gives the same function")
check.ok(type(aws.public.s3.list_objects_v2) == "function", "aws.s3.list_objects_v2")

return check.finish("test_registry")
