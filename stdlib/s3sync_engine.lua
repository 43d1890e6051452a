-- The sync and verify engine: lists source and target page by page (stdlib/s3sync_list),
-- merges the two listings in key order, and for each key decides: copy, skip, delete
-- (sync) or missing, extra, different (verify). Copies and deletes go to a batch of
-- requests in flight (stdlib/s3sync_batch); at most `concurrency * 2` objects are being
-- handled at once, so memory is bounded by the concurrency, not by the bucket.
--
-- run(o) with o normalised by stdlib/s3sync (see there) returns the summary:
-- { copied, skipped, deleted, failed, bytes, listed_source, listed_target, elapsed,
--   missing, extra, different (verify), failures = { { key =, error = }... } (first 20) }.
local re = require "wf.re"
local batch_mod = require "stdlib.s3sync_batch"
local lister = require "stdlib.s3sync_list"
local copy = require "stdlib.s3sync_copy"
local progress_mod = require "stdlib.s3sync_progress"

local M = {}

M.FAILURES_KEPT = 20

local function multipart_etag(etag) return type(etag) == "string" and etag:find("%-%d+\"?$") ~= nil end

-- True when target entry d holds the same object as source entry s under compare mode.
function M.same(s, d, compare)
  if s.size ~= d.size then return false end
  if compare == "size" then return true end
  if compare == "size-mtime" then return (d.mtime or "") >= (s.mtime or "") end
  if s.etag == d.etag then return true end
  -- A multipart upload's ETag ("<md5 of md5s>-N") depends on its part sizes, which a
  -- copy need not repeat: such objects are compared by size.
  return multipart_etag(s.etag) or multipart_etag(d.etag)
end

-- A filter over relative keys: in scope when it matches one include (or there is none)
-- and no exclude.
local function make_filter(include, exclude)
  if #include == 0 and #exclude == 0 then return nil end
  return function(key)
    if #include > 0 then
      local hit = false
      for _, p in ipairs(include) do
        if re.test(p, key) then hit = true break end
      end
      if not hit then return false end
    end
    for _, p in ipairs(exclude) do
      if re.test(p, key) then return false end
    end
    return true
  end
end

local function describe_error(err)
  if type(err) == "table" then
    return ("%s: %s"):format(tostring(err.code or "error"), tostring(err.message or ""))
  end
  return tostring(err)
end

function M.run(o)
  local clock = batch_mod.clock
  local t0 = clock()
  local b = batch_mod.new { concurrency = o.concurrency, max_attempts = o.max_attempts,
                            retry_base = o.retry_base }
  local sum = { copied = 0, skipped = 0, deleted = 0, failed = 0, bytes = 0, missing = 0, extra = 0,
                different = 0, failures = {}, dry_run = o.dry_run or nil }
  local fatal
  local function list_error(l, err)
    fatal = fatal or { side = l == nil and "" or l.loc.bucket, err = err, loc = l.loc }
  end

  local function failure(key, err)
    sum.failed = sum.failed + 1
    local text = describe_error(err)
    if #sum.failures < M.FAILURES_KEPT then sum.failures[#sum.failures + 1] = { key = key, error = text } end
    o.report("failed", key, text)
  end

  -- Each bucket's region, asked (signed for us-east-1, which answers for every region) so
  -- that a bucket in another region gets its own regional endpoint and signature.
  for _, side in ipairs { o.src, o.dst } do
    if side.detect then
      b:submit(function(r)
        local loc = r and r.LocationConstraint
        if r then
          local region = (type(loc) ~= "string" or loc == "") and "us-east-1" or (loc == "EU" and "eu-west-1" or loc)
          side.route = { region = region, endpoint_url = side.endpoint_url }
        end
      end, "s3", "GetBucketLocation", { Bucket = side.bucket }, { region = "us-east-1", endpoint_url = side.endpoint_url })
    end
  end
  while b:step() do end

  local src = lister.new(b, o.src, list_error)
  local dst = o.planned_target and lister.empty() or lister.new(b, o.dst, list_error)
  local progress = o.progress and progress_mod.new(o, b, clock) or nil

  local filter = make_filter(o.include, o.exclude)
  local active, limit = 0, o.concurrency * 2
  local verify = o.mode == "verify"
  local deleter = (o.delete and not o.dry_run and not verify) and copy.deleter(b, o.dst, function(n, failures)
    active = active - 1
    sum.deleted = sum.deleted + n
    for _, f in ipairs(failures) do failure(f.key, f.err) end
  end) or nil
  local pending_deletes = 0
  local relay_bytes = 0   -- object bytes held in memory by relays in flight

  local function start_copy(s)
    if o.dry_run then
      sum.copied = sum.copied + 1
      sum.bytes = sum.bytes + s.size
      o.report("copy", s.key, s.size)
      return
    end
    active = active + 1
    local cost = o.relay and math.min(s.size, o.part_window * o.relay_part_size) or 0
    relay_bytes = relay_bytes + cost
    local function done(ok, err)
      active = active - 1
      relay_bytes = relay_bytes - cost
      if ok then
        sum.copied = sum.copied + 1
        sum.bytes = sum.bytes + s.size
      else
        failure(s.key, err)
      end
    end
    if o.relay then
      copy.relay_object(b, o.src, o.dst, s, o, done)
    elseif s.size > o.multipart_threshold then
      copy.copy_multipart(b, o.src, o.dst, s, o, done)
    else
      copy.copy_object(b, o.src, o.dst, s, done)
    end
  end

  local function only_source(s)
    if verify then
      sum.missing = sum.missing + 1
      o.report("missing", s.key, s.size)
    else
      start_copy(s)
    end
  end

  local function only_target(d)
    if verify then
      sum.extra = sum.extra + 1
      o.report("extra", d.key, d.size)
    elseif o.delete then
      if o.dry_run then
        sum.deleted = sum.deleted + 1
        o.report("delete", d.key, d.size)
      else
        pending_deletes = pending_deletes + 1
        if pending_deletes == copy.DELETE_BATCH then
          active = active + 1
          pending_deletes = 0
        end
        deleter.add(d.key)
      end
    end
  end

  local function both(s, d)
    if M.same(s, d, o.compare) then
      sum.skipped = sum.skipped + 1
    elseif verify then
      sum.different = sum.different + 1
      o.report("different", s.key, ("size %d/%d, ETag %s/%s"):format(s.size, d.size, tostring(s.etag), tostring(d.etag)))
    else
      start_copy(s)
    end
  end

  -- Merges as far as the listings and the bound on objects in flight allow; true when
  -- both listings are exhausted.
  local function merge()
    while active < limit and relay_bytes < o.relay_budget and not fatal do
      local s, ss = src:peek()
      local d, ds = dst:peek()
      if ss == "wait" or ds == "wait" then return false end
      if not s and not d then return true end
      -- Lua compares strings with strcoll; wfrun never calls setlocale, so in the C locale
      -- this is byte order: S3's listing order (UTF-8 bytes).
      if s and (not d or s.key < d.key) then
        src:advance()
        if not filter or filter(s.key) then only_source(s) end
      elseif not s or d.key < s.key then
        dst:advance()
        if not filter or filter(d.key) then only_target(d) end
      else
        src:advance()
        dst:advance()
        if not filter or filter(s.key) then both(s, d) end
      end
    end
    return false
  end

  local merged = false
  while true do
    if not merged then
      merged = merge()
      if merged and deleter and pending_deletes > 0 then
        active = active + 1
        pending_deletes = 0
        deleter.flush()
      end
    end
    if progress then progress:tick(sum, src, false) end
    if not b:step() then break end
  end
  if progress then progress:tick(sum, src, true) end
  sum.stats = b:stats()
  b:close()
  sum.listed_source, sum.listed_target = src.listed, dst.listed
  sum.elapsed = clock() - t0
  if fatal then
    sum.fatal = ("listing s3://%s/%s failed: %s"):format(fatal.loc.bucket, fatal.loc.prefix, describe_error(fatal.err))
    sum.fatal_code = type(fatal.err) == "table" and fatal.err.code or nil
  end
  return sum
end

return M
