-- S3 prefix to prefix sync and verification, for workflows (aws.s3.sync{...},
-- aws.s3.verify{...}, this module) and the command line (wfrun s3 sync|verify, see
-- dsl/cmd_s3.lua); docs/s3-sync.md explains the design.
--
--   local s3sync = require "stdlib.s3sync"
--   local r = s3sync.run_sync { source = "s3://a/data", target = "s3://b/data", delete = true }
--   -- r = { copied =, skipped =, deleted =, failed =, bytes =, elapsed =, failures = {...} }
--   local v = s3sync.run_verify { source = "s3://a", target = "s3://b" }   -- v.ok
--
-- The older bucket-level helpers stay for stdlib/environment.lua and stack.lua:
-- sync{from=, to=, delete=}, compare(a, b), empty(bucket), and the pure plan/diff.
local awscall = require "stdlib.awscall"
local primitives = require "dsl.primitives"
local caws = require "wf.aws"
local engine = require "stdlib.s3sync_engine"
local copy = require "stdlib.s3sync_copy"

local M = {}

M.DEFAULT_CONCURRENCY = 64               -- chosen by measurement on awssim (docs/s3-sync.md)
M.DEFAULT_MULTIPART_THRESHOLD = 64 * 1024 * 1024
M.DEFAULT_PART_SIZE = 64 * 1024 * 1024
M.COPY_LIMIT = 5 * 1024 * 1024 * 1024    -- CopyObject's limit: multipart above it, always
M.RELAY_PART_SIZE = 8 * 1024 * 1024     -- parts of objects relayed between two endpoints
M.RELAY_BUDGET = 256 * 1024 * 1024       -- relayed bytes held in memory at most (about)
M.DEFAULT_MAX_ATTEMPTS = 10              -- per request: a sync outlasts long SlowDown storms
M.COMPARE_MODES = { etag = true, size = true, ["size-mtime"] = true }
M.PLAN_SHOWN = 10                        -- a plan records this many copies, then a count
M.SAMPLES = 100                          -- keys kept per kind of difference in compare()

local function log() return primitives.public.log end

-- ---- options ----------------------------------------------------------------------------

local errors = require "dsl.errors"
local function bad(msg) error(errors.usage(msg), 0) end

-- "s3://bucket/prefix" -> bucket, prefix ("" or ending in "/", as `aws s3 sync` treats a
-- prefix as a folder).
function M.parse_url(url, what)
  if type(url) ~= "string" then bad(("%s must be an s3://bucket/prefix URL, not %s"):format(what, type(url))) end
  local bucket, prefix = url:match("^s3://([^/]+)/?(.*)$")
  if not bucket or bucket == "" then bad(("%s %q is not an s3://bucket/prefix URL"):format(what, url)) end
  if prefix ~= "" and prefix:sub(-1) ~= "/" then prefix = prefix .. "/" end
  return bucket, prefix
end

local KNOWN = { source = true, target = true, delete = true, include = true, exclude = true, compare = true,
                dry_run = true, concurrency = true, multipart_threshold = true, part_size = true,
                source_region = true, target_region = true, source_endpoint_url = true,
                target_endpoint_url = true, max_attempts = true, retry_base = true, progress = true,
                report = true }

local function list_of_patterns(v, what)
  if v == nil then return {} end
  if type(v) == "string" then v = { v } end
  if type(v) ~= "table" then bad(("%s must be a pattern or a list of patterns"):format(what)) end
  local re = require "wf.re"
  for _, p in ipairs(v) do
    if type(p) ~= "string" then bad(("%s: every pattern must be a string"):format(what)) end
    local ok, err = pcall(re.test, p, "")
    if not ok then bad(("%s: %s"):format(what, tostring(err))) end
  end
  return v
end

local function positive_int(v, what, default, max)
  if v == nil then return default end
  if math.type(v) ~= "integer" then
    local n = tonumber(v)
    if n and math.type(n) == "float" and n == math.floor(n) then n = math.tointeger(n) end
    v = n
  end
  if math.type(v) ~= "integer" or v < 1 or (max and v > max) then
    bad(("%s must be a whole number from 1%s"):format(what, max and (" to " .. max) or ""))
  end
  return v
end

-- Where a side's requests go (nil: the client's configured region and endpoint).
function M.route(region, endpoint_url)
  if not region and not endpoint_url then return nil end
  return { region = region, endpoint_url = endpoint_url }
end

-- Checks and completes the options of run_sync / run_verify (mode "sync" or "verify").
function M.normalize(a, mode)
  if type(a) ~= "table" then bad(("s3 %s expects a table of options"):format(mode)) end
  for k in pairs(a) do
    if not KNOWN[k] then bad(("s3 %s: unknown option %s"):format(mode, tostring(k))) end
  end
  local o = { mode = mode }
  local planned_target = awscall.is_placeholder(a.target)
  o.src = { url = a.source }
  o.src.bucket, o.src.prefix = M.parse_url(a.source, "source")
  o.dst = { url = a.target }
  if planned_target then
    o.dst.bucket, o.dst.prefix = tostring(a.target), ""
  else
    o.dst.bucket, o.dst.prefix = M.parse_url(a.target, "target")
  end
  o.planned_target = planned_target and awscall.planning()
  -- One prefix inside the other in the same bucket: copies would land in the listing being
  -- read (and be copied again), deletes would remove the source.
  if not planned_target and o.src.bucket == o.dst.bucket and a.source_endpoint_url == a.target_endpoint_url
      and (o.src.prefix:sub(1, #o.dst.prefix) == o.dst.prefix or o.dst.prefix:sub(1, #o.src.prefix) == o.src.prefix) then
    bad(("source %s and target %s overlap: one prefix holds the other"):format(a.source, a.target))
  end
  o.delete = a.delete and true or false
  o.dry_run = a.dry_run and true or false
  o.include = list_of_patterns(a.include, "include")
  o.exclude = list_of_patterns(a.exclude, "exclude")
  o.compare = a.compare or "etag"
  if not M.COMPARE_MODES[o.compare] then
    bad(("compare must be etag, size or size-mtime, not %q"):format(tostring(o.compare)))
  end
  o.concurrency = positive_int(a.concurrency, "concurrency", M.DEFAULT_CONCURRENCY, 1024)
  o.max_attempts = positive_int(a.max_attempts, "max_attempts", M.DEFAULT_MAX_ATTEMPTS, 100)
  o.retry_base = a.retry_base
  o.multipart_threshold = positive_int(a.multipart_threshold, "multipart_threshold",
                                       M.DEFAULT_MULTIPART_THRESHOLD, M.COPY_LIMIT)
  o.part_size = positive_int(a.part_size, "part_size", M.DEFAULT_PART_SIZE, copy.MAX_PART_SIZE)
  o.part_window = math.max(1, o.concurrency // 2)
  -- Two different endpoints (two S3 services, or two simulators): no server-side copy
  -- reaches across, so the bytes are relayed through this machine.
  o.relay = (a.source_endpoint_url or a.target_endpoint_url) ~= nil and a.source_endpoint_url ~= a.target_endpoint_url
  o.relay_part_size = math.min(o.part_size, M.RELAY_PART_SIZE)
  o.relay_budget = M.RELAY_BUDGET
  o.progress = a.progress ~= false   -- a line on a terminal, else an event every 10 s
  o.report = a.report or function() end
  o.warn = function(msg) log().warn(msg) end
  if a.source_endpoint_url ~= nil and type(a.source_endpoint_url) ~= "string" then bad("source_endpoint_url must be a URL") end
  if a.target_endpoint_url ~= nil and type(a.target_endpoint_url) ~= "string" then bad("target_endpoint_url must be a URL") end
  -- A side's region: given, or asked with GetBucketLocation when the engine starts.
  o.src.endpoint_url, o.src.detect = a.source_endpoint_url, a.source_region == nil
  o.src.route = M.route(a.source_region, a.source_endpoint_url)
  o.dst.endpoint_url, o.dst.detect = a.target_endpoint_url, a.target_region == nil and not o.planned_target
  o.dst.route = M.route(a.target_region, a.target_endpoint_url)
  return o
end

-- ---- sync and verify ----------------------------------------------------------------------

local function check_outcome(sum)
  if sum.fatal then
    if sum.fatal_code == "NoSuchBucket" then bad(sum.fatal) end
    error(sum.fatal, 0)
  end
  return sum
end

-- Syncs a.source to a.target (options above; docs/s3-sync.md). Returns the summary; a
-- failed listing raises. Failed objects are counted in summary.failed, not raised.
function M.run_sync(a)
  local o = M.normalize(a, "sync")
  return check_outcome(engine.run(o))
end

-- Compares a.source and a.target (keys, sizes, ETags by default). Returns the summary
-- with ok (no key missing, extra or different), missing, extra, different.
function M.run_verify(a)
  local o = M.normalize(a, "verify")
  local sum = check_outcome(engine.run(o))
  sum.ok = sum.missing == 0 and sum.extra == 0 and sum.different == 0
  return sum
end

-- One line for a summary.
function M.describe(sum, mode)
  if mode == "verify" then
    return ("%d same, %d missing, %d extra, %d different (%d source and %d target objects listed in %.2f s)")
      :format(sum.skipped, sum.missing, sum.extra, sum.different, sum.listed_source, sum.listed_target, sum.elapsed)
  end
  local rate = sum.elapsed > 0 and (sum.copied + sum.skipped) / sum.elapsed or 0
  return ("%s%d copied, %d skipped, %d deleted, %d failed, %d bytes in %.2f s (%.0f objects/s)")
    :format(sum.dry_run and "(dry run) would be: " or "", sum.copied, sum.skipped, sum.deleted, sum.failed,
            sum.bytes, sum.elapsed, rate)
end

-- ---- the bucket-level helpers of earlier versions -------------------------------------

local function aws() return awscall.client() end

-- Syncs bucket opts.from to bucket opts.to (opts.prefix: only keys under it; opts.delete:
-- also remove keys that the source lacks). Returns { copied, deleted, same, bytes, failed };
-- raises when an object could not be copied. In a plan, records the first copies.
function M.sync(opts)
  assert(type(opts) == "table" and opts.from and opts.to, "s3sync.sync{ from = BUCKET, to = BUCKET }")
  if awscall.planning() and awscall.is_placeholder(opts.from) then
    log().info(("(plan) would copy every object of s3://%s to s3://%s"):format(tostring(opts.from), tostring(opts.to)))
    return { copied = 0, deleted = 0, same = 0, bytes = 0, planned = true }
  end
  local planning = awscall.planning()
  local target = awscall.is_placeholder(opts.to) and opts.to or ("s3://" .. opts.to .. "/" .. (opts.prefix or ""))
  local shown = 0
  local report
  if planning then
    report = function(kind, key)
      if kind ~= "copy" then return end
      shown = shown + 1
      if shown <= M.PLAN_SHOWN then
        aws().s3.copy_object { Bucket = opts.to, Key = (opts.prefix or "") .. key,
                               CopySource = copy.copy_source(opts.from, (opts.prefix or "") .. key) }
      end
    end
  end
  local sum = M.run_sync { source = "s3://" .. opts.from .. "/" .. (opts.prefix or ""), target = target,
                           delete = opts.delete, dry_run = planning, report = report }
  if planning and shown > M.PLAN_SHOWN then
    log().info(("(plan) and %d more CopyObject call(s) like these"):format(shown - M.PLAN_SHOWN))
  end
  log().info(("sync s3://%s -> s3://%s: %s"):format(opts.from, tostring(opts.to), M.describe(sum, "sync")))
  if sum.failed > 0 then
    local shown_f = {}
    for i = 1, math.min(#sum.failures, 5) do shown_f[i] = sum.failures[i].key .. " (" .. sum.failures[i].error .. ")" end
    error(("s3sync: %d object(s) of %s could not be copied or deleted: %s"):format(sum.failed, opts.from,
      table.concat(shown_f, ", ")), 0)
  end
  return { copied = sum.copied, deleted = sum.deleted, same = sum.skipped, bytes = sum.bytes, failed = 0 }
end

-- Compares buckets a and b (same keys, same ETags): { ok, missing, extra, different (up
-- to SAMPLES keys each), n_missing, n_extra, n_different, count_a, count_b }.
function M.compare(a, b, prefix)
  local d = { missing = {}, extra = {}, different = {} }
  local function report(kind, key)
    local list = d[kind]
    if list and #list < M.SAMPLES then list[#list + 1] = key end
  end
  local p = prefix or ""
  local sum = M.run_verify { source = "s3://" .. a .. "/" .. p, target = "s3://" .. b .. "/" .. p, report = report }
  d.ok = sum.ok
  d.n_missing, d.n_extra, d.n_different = sum.missing, sum.extra, sum.different
  d.count_a, d.count_b = sum.listed_source, sum.listed_target
  return d
end

-- Every object of bucket (under prefix) as { [key] = { etag =, size = } }, and the count.
-- Holds the whole listing: for small buckets and tests only.
function M.list(bucket, prefix)
  local objects, n = {}, 0
  awscall.each_page("s3", "list_objects_v2", { Bucket = bucket, Prefix = prefix }, function(page)
    for _, o in ipairs(awscall.list(page, "Contents")) do
      objects[o.Key] = { etag = o.ETag, size = o.Size }
      n = n + 1
    end
  end)
  return objects, n
end

local function multipart(etag) return type(etag) == "string" and etag:find("%-%d+\"?$") ~= nil end

-- True when object b holds the same data as object a, as far as listings can tell.
function M.same_object(a, b)
  if a == nil or b == nil then return false end
  if a.etag == b.etag then return true end
  if multipart(a.etag) or multipart(b.etag) then return a.size == b.size end
  return false
end

local function sorted(set)
  local list = {}
  for k in pairs(set) do list[#list + 1] = k end
  table.sort(list)
  return list
end

-- What a sync from listing src to listing dst must do (pure; listings as from M.list):
-- { copy = {keys}, delete = {keys} (only with delete = true), same = count }, keys sorted.
function M.plan(src, dst, delete)
  local cp, del, same = {}, {}, 0
  for _, key in ipairs(sorted(src)) do
    if M.same_object(src[key], dst[key]) then same = same + 1 else cp[#cp + 1] = key end
  end
  if delete then
    for _, key in ipairs(sorted(dst)) do
      if src[key] == nil then del[#del + 1] = key end
    end
  end
  return { copy = cp, delete = del, same = same }
end

-- Differences between two listings (pure): { missing, extra, different } key lists, ok.
function M.diff(a, b)
  local missing, extra, different = {}, {}, {}
  for _, key in ipairs(sorted(a)) do
    if b[key] == nil then missing[#missing + 1] = key
    elseif not M.same_object(a[key], b[key]) then different[#different + 1] = key end
  end
  for _, key in ipairs(sorted(b)) do
    if a[key] == nil then extra[#extra + 1] = key end
  end
  return { missing = missing, extra = extra, different = different,
           ok = #missing == 0 and #extra == 0 and #different == 0 }
end

M.encode_key = copy.encode_key

local function preview(keys, total, n)
  local shown = {}
  for i = 1, math.min(#keys, n) do shown[i] = keys[i] end
  local text = table.concat(shown, ", ")
  if total > n then text = text .. (", and %d more"):format(total - n) end
  return text
end

-- A one-line description of a diff (from diff or compare) for error messages.
function M.describe_diff(d)
  local parts = {}
  for _, kind in ipairs { "missing", "extra", "different" } do
    local n = d["n_" .. kind] or #d[kind]
    if n > 0 then parts[#parts + 1] = ("%d %s (%s)"):format(n, kind, preview(d[kind], n, 5)) end
  end
  if #parts == 0 then return "identical" end
  return table.concat(parts, "; ")
end

-- Deletes keys from bucket in batches; an error lists the keys S3 refused to delete.
function M.delete_keys(bucket, keys)
  for first = 1, #keys, copy.DELETE_BATCH do
    local objects = {}
    for i = first, math.min(first + copy.DELETE_BATCH - 1, #keys) do objects[#objects + 1] = { Key = keys[i] } end
    local res = aws().s3.delete_objects { Bucket = bucket, Delete = { Objects = objects, Quiet = true } }
    local errs = awscall.planning() and {} or awscall.list(res, "Errors")
    if #errs > 0 then
      local shown = {}
      for i = 1, math.min(#errs, 5) do shown[i] = ("%s (%s)"):format(errs[i].Key, errs[i].Code or errs[i].Message or "?") end
      error(("s3sync: %d object(s) of %s could not be deleted: %s"):format(#errs, bucket, table.concat(shown, ", ")), 0)
    end
  end
  return #keys
end

-- Deletes every object of bucket; returns how many. A bucket that is already gone is empty.
function M.empty(bucket)
  local ok, listing = pcall(M.list, bucket)
  if not ok then
    if awscall.is(listing, { "NoSuchBucket", "NotFound" }) then return 0 end
    error(listing, 0)
  end
  return M.delete_keys(bucket, sorted(listing))
end

return M
