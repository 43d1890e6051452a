-- Waiters from the models' definitions, against scripted answers: acceptor order,
-- success / failure / retry, error and status matchers, an unexpected error, the
-- timeout with its last status, CloudFormation failures with the failing resources'
-- events, names in both spellings, and plan mode returning at once.
local check = require "tests.data.aws.check"
local aws = require "dsl.aws"
local primitives = require "dsl.primitives"
local json = require "wf.json"

local FAST = { every = 0.01, timeout = "5s" }

local error_mt = { __tostring = function(e) return e.code .. ": " .. e.message end }
local function aws_error(code, status, message)
  return setmetatable({ kind = "aws", code = code, status = status or 400, message = message or code,
                        request_id = "req-1", service = "x", operation = "y" }, error_mt)
end

-- Scripts aws.call: answers[i] is the i-th call's result (a table) or an error table.
local calls
local function script(answers, by_operation)
  calls = {}
  local n = 0
  aws.call = function(service, op, params)
    calls[#calls + 1] = { service = service, op = op, params = params }
    local answer
    if by_operation and by_operation[op] then
      answer = by_operation[op]
    else
      n = n + 1
      answer = answers[math.min(n, #answers)]
    end
    if type(answer) == "table" and answer.kind == "aws" then error(answer, 0) end
    return json.decode(json.encode(answer)), { status = 200, request_id = "req" }
  end
end

local function instances(...)
  local list = {}
  for i, state in ipairs({ ... }) do
    list[i] = { InstanceId = "i-" .. i, State = { Name = state } }
  end
  return { Reservations = { { Instances = list } } }
end

-- Retry on a NotFound error and on pending, success once every instance runs.
script({ aws_error("InvalidInstanceID.NotFound"), instances("pending", "running"), instances("running", "running") })
local r = aws.public.ec2.wait("instance_running", { InstanceIds = { "i-1", "i-2" } }, FAST)
check.eq(#calls, 3, "instance_running polled three times")
check.eq(calls[1].op, "DescribeInstances", "the waiter's operation")
check.eq(calls[1].params, { InstanceIds = { "i-1", "i-2" } }, "the waiter's params")
check.eq(r.Reservations[1].Instances[2].State.Name, "running", "wait returns the last answer")

-- The API's own waiter name works too.
script({ instances("running") })
aws.public.ec2.wait("InstanceRunning", { InstanceIds = { "i-1" } }, FAST)
check.eq(#calls, 1, "InstanceRunning by its API name")

-- A failure acceptor ends the wait at once, with the reason, at the caller's line.
script({ instances("pending"), instances("terminated") })
check.raises(function() aws.public.ec2.wait("instance_running", { InstanceIds = { "i-1" } }, FAST) end,
  "waiter InstanceRunning failed: State.Name is terminated", "failure acceptor")
check.raises(function() aws.public.ec2.wait("instance_running", { InstanceIds = { "i-1" } }, FAST) end,
  "test_waiters.lua:", "failure raised at the caller's line")

-- An error no acceptor expects ends the wait with that error.
script({ aws_error("UnauthorizedOperation", 403) })
local e = check.raises(function() aws.public.ec2.wait("instance_running", {}, FAST) end,
  "UnauthorizedOperation", "unexpected error")
check.eq(type(e) == "table" and e.code, "UnauthorizedOperation", "the AWS error table itself")
check.eq(#calls, 1, "no retry after an unexpected error")

-- Error acceptor meaning success (the DB is gone).
script({ { DBInstances = { { DBInstanceIdentifier = "db", DBInstanceStatus = "deleting" } } },
         aws_error("DBInstanceNotFound", 404) })
r = aws.public.rds.wait("db_instance_deleted", { DBInstanceIdentifier = "db" }, FAST)
check.eq(#calls, 2, "db_instance_deleted polled until DBInstanceNotFound")
check.eq(r and r.code, "DBInstanceNotFound", "an error acceptor's success returns the error")

-- path matcher with a boolean expected value (length(...) == `0`).
script({ { DBSnapshots = {} } })
aws.public.rds.wait("db_snapshot_deleted", { DBSnapshotIdentifier = "s" }, FAST)
check.eq(#calls, 1, "db_snapshot_deleted on an empty list")

-- Status matchers: 404 means retry for bucket_exists, 200 success.
script({ aws_error("404", 404, ""), {} })
aws.public.s3.wait("bucket_exists", { Bucket = "b" }, FAST)
check.eq(#calls, 2, "bucket_exists retried on 404")
script({ aws_error("404", 404, "") })
aws.public.s3.wait("object_not_exists", { Bucket = "b", Key = "k" }, FAST)
check.eq(#calls, 1, "object_not_exists succeeds on 404")

-- path matchers on a single value (SSM).
script({ { Status = "InProgress" }, { Status = "Failed" } })
check.raises(function() aws.public.ssm.wait("command_executed", { CommandId = "c", InstanceId = "i" }, FAST) end,
  "waiter CommandExecuted failed: Status is Failed", "ssm failure")

-- Timeout: wfrun's own, naming the waiter and the last status.
script({ instances("pending") })
e = check.raises(function()
  aws.public.ec2.wait("instance_running", { InstanceIds = { "i-1" } }, { every = 0.01, timeout = 0.05 })
end, "timed out after", "timeout")
check.eq(type(e) == "table" and e.kind, "timeout", "the timeout error kind")
check.contains(tostring(e), "ec2 waiter InstanceRunning", "timeout names the waiter")
check.contains(tostring(e), "last status: State.Name=pending", "timeout gives the last status")

-- Default timing comes from the model (delay x maxAttempts); unknown options are errors.
script({ instances("running") })
check.raises(function() aws.public.ec2.wait("instance_running", {}, { every = 0.01, tiemout = 1 }) end,
  'unknown wait option "tiemout"', "unknown option")

-- Unknown waiter: did-you-mean and the list.
check.raises(function() aws.public.ec2.wait("instance_runing", {}) end,
  'aws.ec2 has no waiter "instance_runing" (did you mean "instance_running"?)', "unknown waiter")
check.raises(function() aws.public.sts.wait("x", {}) end, "(known: none)", "a service without waiters")

-- CloudFormation: a failed stack shows the failing resources of this operation only.
local events = { StackEvents = {
  { LogicalResourceId = "app", ResourceType = "AWS::CloudFormation::Stack", ResourceStatus = "ROLLBACK_COMPLETE" },
  { LogicalResourceId = "Builder", ResourceType = "AWS::EC2::Instance", ResourceStatus = "DELETE_COMPLETE" },
  { LogicalResourceId = "app", ResourceType = "AWS::CloudFormation::Stack", ResourceStatus = "ROLLBACK_IN_PROGRESS",
    ResourceStatusReason = "The following resource(s) failed to create: [Builder]." },
  { LogicalResourceId = "Queue", ResourceType = "AWS::SQS::Queue", ResourceStatus = "CREATE_FAILED",
    ResourceStatusReason = "Resource creation cancelled" },
  { LogicalResourceId = "Builder", ResourceType = "AWS::EC2::Instance", ResourceStatus = "CREATE_FAILED",
    ResourceStatusReason = "The image id '[ami-1]' does not exist" },
  { LogicalResourceId = "Builder", ResourceType = "AWS::EC2::Instance", ResourceStatus = "CREATE_IN_PROGRESS" },
  { LogicalResourceId = "app", ResourceType = "AWS::CloudFormation::Stack", ResourceStatus = "CREATE_IN_PROGRESS",
    ResourceStatusReason = "User Initiated" },
  { LogicalResourceId = "Old", ResourceType = "AWS::S3::Bucket", ResourceStatus = "DELETE_FAILED",
    ResourceStatusReason = "from an earlier operation" },
} }
local function stacks(status) return { Stacks = { { StackName = "app", StackStatus = status } } } end
script({ stacks("CREATE_IN_PROGRESS"), stacks("ROLLBACK_COMPLETE") }, { DescribeStackEvents = events })
local failure = check.raises(function()
  aws.public.cloudformation.wait("stack_create_complete", { StackName = "app" }, FAST)
end, "waiter StackCreateComplete failed: StackStatus is ROLLBACK_COMPLETE", "stack failure")
failure = tostring(failure)
check.contains(failure, "Builder (AWS::EC2::Instance) CREATE_FAILED: The image id '[ami-1]' does not exist", "failing resource")
check.contains(failure, "Queue (AWS::SQS::Queue) CREATE_FAILED: Resource creation cancelled", "second failing resource")
check.ok(failure:find("Builder", 1, true) < failure:find("Queue", 1, true), "events oldest first")
check.ok(not failure:find("earlier operation", 1, true), "events of an earlier operation are left out")
check.eq(calls[#calls].op, "DescribeStackEvents", "stack events were read")
check.eq(calls[#calls].params.StackName, "app", "for the waited stack")

-- When the events cannot be read, the failure still says why the wait failed.
script({ stacks("ROLLBACK_COMPLETE") }, { DescribeStackEvents = aws_error("Throttling") })
failure = check.raises(function()
  aws.public.cloudformation.wait("stack_create_complete", { StackName = "app" }, FAST)
end, "StackStatus is ROLLBACK_COMPLETE", "stack failure without events")
check.contains(tostring(failure), "could not read the stack events", "events error noted")

-- Stack delete: ValidationError (the stack is gone) is success.
script({ stacks("DELETE_IN_PROGRESS"), aws_error("ValidationError", 400, "Stack with id app does not exist") })
aws.public.cloudformation.wait("stack_delete_complete", { StackName = "app" }, FAST)
check.eq(#calls, 2, "stack_delete_complete ends on ValidationError")

-- Plan mode: a wait is recorded as read-only and returns at once, making no call.
local recorded = {}
local recorder = { record = function(_, name, args, mutating)
  recorded[#recorded + 1] = { name = name, args = args, mutating = mutating }
end }
script({ instances("pending") })
primitives.set_mode("plan", recorder)
local ok, res = pcall(aws.public.ec2.wait, "instance_running", { InstanceIds = { "i-1" } }, { timeout = "10m" })
primitives.set_mode("run")
check.ok(ok, "plan-mode wait does not raise: " .. tostring(res))
check.eq(#calls, 0, "plan-mode wait makes no call")
check.eq(recorded[1] and recorded[1].name, "aws.ec2.wait", "plan records aws.ec2.wait")
check.eq(recorded[1] and recorded[1].mutating, false, "as read-only")
check.eq(recorded[1] and recorded[1].args, { waiter = "InstanceRunning", params = { InstanceIds = { "i-1" } }, timeout = "10m" },
  "with the waiter, params and timeout")
check.ok(ok and type(tostring(res.Reservations[1].Instances[1].InstanceId)) == "string", "and returns a placeholder result")

return check.finish("test_waiters")
