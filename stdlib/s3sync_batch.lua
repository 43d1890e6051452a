-- Many AWS requests in flight for the sync engine: a thin layer over module
-- "wf.aws_batch" (engine/aws/multi.c: libcurl's multi interface, kept-alive connections,
-- per-request retries) that calls a Lua handler per finished request.
--
--   local b = batch.new { concurrency = 32 }
--   b:submit(function(result, err) ... end, "s3", "CopyObject", params, route)
--   while b:step() do end             -- runs handlers until nothing is in flight
--
-- route (optional) is { region =, endpoint_url = } for a request that goes elsewhere than
-- the client's configured region and endpoint (a bucket in another region). err is the
-- AWS error table ({ code =, message =, ... }) or a message string (no answer after the
-- retries); handlers may submit more requests.
local caws = require "wf.aws_batch"

local M = {}

local Batch = {}
Batch.__index = Batch

-- One request at a time through dsl/aws.lua's M.call, for tests that stand in for that
-- call (tests/e2e/test_workflow_fake.sh): the C batch would go past their fake to the wire.
local Serial = {}
Serial.__index = Serial

local function serial_batch(call)
  return setmetatable({ pending = 0, queue = {}, head = 1, tail = 0, call = call, requests = 0 }, Serial)
end

function Serial:submit(handler, service, op, params)
  self.pending = self.pending + 1
  self.tail = self.tail + 1
  self.queue[self.tail] = { handler, service, op, params }
end

function Serial:step()
  local r = self.queue[self.head]
  if not r then return false end
  self.queue[self.head] = nil
  self.head = self.head + 1
  self.pending = self.pending - 1
  self.requests = self.requests + 1
  local ok, result = pcall(self.call, r[2], r[3], r[4])
  if ok then r[1](result, nil) else r[1](nil, result) end
  return true
end

function Serial:stats() return { requests = self.requests, retries = 0, throttled = 0, window = 1 } end
function Serial:close() end

function M.new(opts)
  local ok, daws = pcall(require, "dsl.aws")
  if ok and daws.wire_call and daws.call ~= daws.wire_call then return serial_batch(daws.call) end
  local self = setmetatable({ pending = 0 }, Batch)
  -- The batch has its own client, configured as the `aws` primitive's (dsl/aws.lua).
  local cfg = ok and daws.options or {}
  self.c = caws.new { concurrency = opts.concurrency, max_attempts = opts.max_attempts,
                      retry_base = opts.retry_base, profile = cfg.profile, region = cfg.region,
                      endpoint_url = cfg.endpoint_url, verbose = cfg.verbose }
  return self
end

-- extra (optional): { body = bytes } to send an object's bytes (PutObject, UploadPart),
-- { raw = true } to receive them (GetObject: result.Body holds the bytes).
function Batch:submit(handler, service, op, params, route, extra)
  self.pending = self.pending + 1
  self.c:submit(handler, service, op, params, route, extra)
end

-- Waits until at least one request has finished and runs the handlers of all that have;
-- false (at once) when nothing is in flight.
function Batch:step()
  if self.pending == 0 then return false end
  local done, n = self.c:wait()
  for i = 1, n * 3, 3 do
    self.pending = self.pending - 1
    local result, err = done[i + 1], done[i + 2]
    done[i](result or nil, err or nil)
  end
  return true
end

-- Counters of the C batch: requests, retries, throttled, window (the concurrency it uses
-- now; throttling lowers it).
function Batch:stats() return self.c:stats() end

function Batch:close() self.c:close() end

M.clock = caws.monotonic

return M
