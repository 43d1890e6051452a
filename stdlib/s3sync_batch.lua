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

function M.new(opts)
  local self = setmetatable({ pending = 0 }, Batch)
  -- The batch has its own client, configured as the `aws` primitive's (dsl/aws.lua).
  local ok, daws = pcall(require, "dsl.aws")
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
