-- `wfrun call` output: Python json.dumps(indent=4, ensure_ascii=False) text with members
-- in botocore's order (the model's), floats as Python prints them, empty results not
-- printed, and paginated operations merged into the CLI's full result.
local check = require "tests.data.aws.check"
local cli_json = require "dsl.aws_cli_json"
local aws_cli = require "dsl.aws_cli"
local paginate = require "dsl.aws_paginate"
local aws = require "dsl.aws"
local json = require "wf.json"

-- Python's repr() of floats (expected values printed by python3).
local FLOATS = {
  { 2.0, "2.0" }, { 0.1, "0.1" }, { 1e16, "1e+16" }, { 1e15, "1000000000000000.0" },
  { 0.0001, "0.0001" }, { 0.00001, "1e-05" }, { 1.5e-7, "1.5e-07" }, { -2.5, "-2.5" },
  { 123456789.123, "123456789.123" }, { 1 / 3, "0.3333333333333333" }, { 1e300, "1e+300" },
  { 5e-324, "5e-324" }, { -0.0, "-0.0" }, { 1234567890123456.0, "1234567890123456.0" },
  { 12345678901234567.0, "1.2345678901234568e+16" }, { 0.5, "0.5" }, { 100.0, "100.0" },
  { 1e22, "1e+22" }, { 1 / 0, "Infinity" }, { -1 / 0, "-Infinity" },
}
for _, c in ipairs(FLOATS) do
  check.eq(cli_json.python_float(c[1]), c[2], "python_float(" .. tostring(c[1]) .. ")")
end

-- Strings: only quotes, backslashes and control characters are escaped.
check.eq(cli_json.string('a"b\\c\n\t\1\127é/\u{2028}'), '"a\\"b\\\\c\\n\\t\\u0001\127é/\u{2028}"', "string escapes")

-- Model order, 4-space indentation, nested lists and structures. The expected texts are
-- what botocore's own parser and json.dumps(indent=4) make of the same answer.
local sts = aws.model("sts")
check.eq(cli_json.render(sts, "GetCallerIdentity",
  { Arn = "arn:aws:iam::123456789012:user/x", Account = "123456789012", UserId = "AIDA" }),
  '{\n    "UserId": "AIDA",\n    "Account": "123456789012",\n    "Arn": "arn:aws:iam::123456789012:user/x"\n}\n',
  "GetCallerIdentity in model order")

local ec2 = aws.model("ec2")
local text = cli_json.render(ec2, "DescribeInstances", json.decode([[
  {"Reservations": [{"ReservationId": "r-1", "OwnerId": "1",
    "Instances": [{"State": {"Name": "running", "Code": 16}, "InstanceId": "i-1", "Tags": [],
                   "EbsOptimized": false, "AmiLaunchIndex": 0}],
    "Groups": []}]}]]))
check.eq(text, [[
{
    "Reservations": [
        {
            "ReservationId": "r-1",
            "OwnerId": "1",
            "Groups": [],
            "Instances": [
                {
                    "EbsOptimized": false,
                    "Tags": [],
                    "InstanceId": "i-1",
                    "State": {
                        "Code": 16,
                        "Name": "running"
                    },
                    "AmiLaunchIndex": 0
                }
            ]
        }
    ]
}
]], "DescribeInstances nested order")

-- Operations without output print nothing, as the CLI does for {}.
check.eq(cli_json.render(ec2, "DeleteSnapshot", {}), "", "empty result")

-- REST-XML: the header members first, then the body (botocore's RestXMLParser order).
local s3 = aws.model("s3")
local head = cli_json.render(s3, "HeadObject", { ContentLength = 3, ETag = '"abc"', AcceptRanges = "bytes", Metadata = {} })
check.eq(head, '{\n    "AcceptRanges": "bytes",\n    "ContentLength": 3,\n    "ETag": "\\"abc\\"",\n    "Metadata": {}\n}\n',
  "HeadObject in model order")
check.eq(cli_json.render(s3, "ListObjectsV2", { Name = "b", KeyCount = 0, RequestCharged = "requester", IsTruncated = false }),
  '{\n    "RequestCharged": "requester",\n    "IsTruncated": false,\n    "Name": "b",\n    "KeyCount": 0\n}\n',
  "ListObjectsV2: headers before the body")

-- Paginated operations: botocore's full result, result keys first (in the order first
-- seen), then the non-aggregate keys of the first page (null when absent).
local cfg = paginate.config(s3, "ListObjectsV2")
local pages = {
  { CommonPrefixes = { { Prefix = "a/" } }, IsTruncated = true, NextContinuationToken = "t1", Prefix = "", Name = "b" },
  { Contents = { { Key = "k1" } }, IsTruncated = true, NextContinuationToken = "t2", Name = "b" },
  { Contents = { { Key = "k2" } }, CommonPrefixes = { { Prefix = "z/" } }, IsTruncated = false, Name = "b" },
}
local i = 0
local result, order = aws_cli.full_result(cfg, { "RequestCharged", "Prefix" }, function()
  i = i + 1
  return pages[i]
end)
check.eq(order, { "CommonPrefixes", "Contents", "RequestCharged", "Prefix" }, "full result key order")
check.eq(#result.Contents, 2, "Contents of every page")
check.eq(#result.CommonPrefixes, 2, "CommonPrefixes of every page")
check.eq(result.RequestCharged, json.null, "absent non-aggregate key is null")
check.eq(result.Prefix, "", "non-aggregate key from the first page")
check.eq(cli_json.render(s3, "ListObjectsV2", result, order), [[
{
    "CommonPrefixes": [
        {
            "Prefix": "a/"
        },
        {
            "Prefix": "z/"
        }
    ],
    "Contents": [
        {
            "Key": "k1"
        },
        {
            "Key": "k2"
        }
    ],
    "RequestCharged": null,
    "Prefix": ""
}
]], "full result text")

-- Error lines: "CODE: message (service Operation, HTTP n, request id x)".
check.eq(aws_cli.error_line({ kind = "aws", code = "InvalidAMIID.Malformed", message = 'Invalid id: "x"',
  service = "ec2", operation = "DescribeImages", status = 400, request_id = "r-1" }),
  'InvalidAMIID.Malformed: Invalid id: "x" (ec2 DescribeImages, HTTP 400, request id r-1)', "error line")

return check.finish("test_cli_json")
