-- Paginators from the models: tokens passed on, more_results, page_size, items over the
-- first result_key, the repeated-token guard, and plan mode stopping at a placeholder.
local check = require "tests.data.aws.check"
local aws = require "dsl.aws"
local primitives = require "dsl.primitives"
local json = require "wf.json"

local calls
local function script(pages)
  calls = {}
  aws.call = function(service, op, params)
    local copy = {}
    for k, v in pairs(params) do copy[k] = v end
    calls[#calls + 1] = { service = service, op = op, params = copy }
    return json.decode(json.encode(pages[#calls] or {})), { status = 200 }
  end
end

-- EC2: NextToken in, NextToken out; the caller's params are left alone.
script({
  { Reservations = { { ReservationId = "r-1" } }, NextToken = "t1" },
  { Reservations = { { ReservationId = "r-2" }, { ReservationId = "r-3" } }, NextToken = "t2" },
  { Reservations = {} },
})
local params = { Filters = { { Name = "tag:env", Values = { "dev" } } } }
local seen = {}
for page in aws.public.ec2.pages("describe_instances", params) do seen[#seen + 1] = page end
check.eq(#seen, 3, "three pages")
check.eq(calls[1].params.NextToken, nil, "first request without a token")
check.eq(calls[2].params.NextToken, "t1", "second request with the first token")
check.eq(calls[3].params.NextToken, "t2", "third request with the second token")
check.eq(calls[3].params.Filters, params.Filters, "params carried to every page")
check.eq(params.NextToken, nil, "the caller's params are not modified")
check.eq(calls[1].op, "DescribeInstances", "the API operation")

-- items(): the elements of the first result_key across pages.
script({
  { Reservations = { { ReservationId = "r-1" } }, NextToken = "t1" },
  { Reservations = {}, NextToken = "t2" },
  { Reservations = { { ReservationId = "r-2" } } },
})
local ids = {}
for r in aws.public.ec2.items("describe_instances", {}) do ids[#ids + 1] = r.ReservationId end
check.eq(ids, { "r-1", "r-2" }, "items across pages, empty pages skipped")

-- S3: more_results (IsTruncated) ends the walk even when a token is present.
script({
  { Contents = { { Key = "a" } }, IsTruncated = true, NextContinuationToken = "c1" },
  { Contents = { { Key = "b" } }, IsTruncated = false, NextContinuationToken = "c2" },
})
local keys = {}
for o in aws.public.s3.items("list_objects_v2", { Bucket = "b" }, { page_size = 1 }) do keys[#keys + 1] = o.Key end
check.eq(keys, { "a", "b" }, "list_objects_v2 items")
check.eq(#calls, 2, "stopped when IsTruncated is false")
check.eq(calls[2].params.ContinuationToken, "c1", "ContinuationToken from NextContinuationToken")
check.eq(calls[1].params.MaxKeys, 1, "page_size sets the limit_key")

-- RDS: Marker.
script({ { DBSnapshots = { { DBSnapshotIdentifier = "s1" } }, Marker = "m1" }, { DBSnapshots = {} } })
local n = 0
for _ in aws.public.rds.pages("DescribeDBSnapshots", {}) do n = n + 1 end
check.eq(n, 2, "rds pages by API name")
check.eq(calls[2].params.Marker, "m1", "Marker passed on")

-- The same token twice is an error, not an endless loop.
script({ { Reservations = {}, NextToken = "same" }, { Reservations = {}, NextToken = "same" } })
check.raises(function()
  for _ in aws.public.ec2.pages("describe_instances", {}) do end
end, "the same next token was received twice", "repeated token")

-- Not paginated, unknown operation, page_size without a limit key.
check.raises(function() aws.public.ec2.pages("run_instances", {}) end, "run_instances is not paginated", "not paginated")
check.raises(function() aws.public.ec2.items("describe_imagez", {}) end, '(did you mean "describe_images"?)', "unknown op")
script({})
check.raises(function() aws.public.cloudformation.pages("describe_stacks", {}, { page_size = 5 }) end,
  "no page size", "page_size without limit_key")

-- Plan mode: a read-only call naming a planned resource is not sent; its placeholder
-- page ends the walk, and items() yields one placeholder item.
script({})
local recorder = { calls = {}, record = function(self, name, args, mutating)
  self.calls[#self.calls + 1] = { name = name, mutating = mutating }
end }
primitives.set_mode("plan", recorder)
local ok, err = pcall(function()
  local pages_seen = 0
  for _ in aws.public.ec2.pages("describe_instances", { InstanceIds = { "<launch.aws.ec2.run_instances#1.Instances[1].InstanceId>" } }) do
    pages_seen = pages_seen + 1
  end
  check.eq(pages_seen, 1, "one placeholder page")
  local items = {}
  for r in aws.public.ec2.items("describe_instances", { InstanceIds = { "<x.y>" } }) do items[#items + 1] = r end
  check.eq(#items, 1, "one placeholder item")
  check.eq(tostring(items[1].Instances[1].InstanceId),
    "<aws.ec2.describe_instances(planned).Reservations[1].Instances[1].InstanceId>", "placeholder item fields")
end)
primitives.set_mode("run")
check.ok(ok, "plan-mode pagination: " .. tostring(err))
check.eq(#calls, 0, "no call sent in plan mode")
check.eq(recorder.calls[1] and recorder.calls[1].name, "aws.ec2.describe_instances", "the page call is recorded")
check.eq(recorder.calls[1] and recorder.calls[1].mutating, false, "as read-only")

return check.finish("test_paginate")
