-- Bucket to bucket sync, the straightforward way: list both sides with the ListObjectsV2
-- paginator, copy (server-side CopyObject) every key that is missing or whose ETag differs,
-- and with delete = true remove keys the source does not have. Also: compare two buckets
-- (for a clone's verification) and empty a bucket (before its stack is deleted).
--
--   local s3sync = require "stdlib.s3sync"
--   local r = s3sync.sync { from = "api-prod-assets-1x2y", to = "api-qa-assets-9z8w", delete = true }
--   log.info(("copied %d, deleted %d, %d already there"):format(r.copied, r.deleted, r.same))
--
-- Limits of this version: CopyObject copies objects up to 5 GB (larger ones are an error
-- naming them); objects uploaded in parts have an ETag ("...-N") that a copy does not
-- keep, so such objects count as equal when their sizes are equal.
local awscall = require "stdlib.awscall"
local primitives = require "dsl.primitives"

local M = {}

M.COPY_LIMIT = 5 * 1024 * 1024 * 1024   -- bytes: the largest object CopyObject copies
M.DELETE_BATCH = 1000                   -- keys per DeleteObjects call
M.PLAN_SHOWN = 10                       -- a dry run lists this many copies, then a count

local function aws() return awscall.client() end
local function log() return primitives.public.log end

-- Every object of bucket (under prefix) as { [key] = { etag =, size = } }, and the count.
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
  local copy, del, same = {}, {}, 0
  for _, key in ipairs(sorted(src)) do
    if M.same_object(src[key], dst[key]) then same = same + 1 else copy[#copy + 1] = key end
  end
  if delete then
    for _, key in ipairs(sorted(dst)) do
      if src[key] == nil then del[#del + 1] = key end
    end
  end
  return { copy = copy, delete = del, same = same }
end

-- Differences between two listings (pure): { missing = keys only in a, extra = keys only
-- in b, different = keys in both whose objects differ }, each sorted; ok when all empty.
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

-- Percent-encodes an object key for the x-amz-copy-source header (slashes kept), the way
-- the AWS CLI sends it.
function M.encode_key(key)
  return (key:gsub("[^%w%-%._~/]", function(c) return ("%%%02X"):format(c:byte()) end))
end

local function preview(keys, n)
  local shown = {}
  for i = 1, math.min(#keys, n) do shown[i] = keys[i] end
  local text = table.concat(shown, ", ")
  if #keys > n then text = text .. (", and %d more"):format(#keys - n) end
  return text
end

-- Syncs bucket opts.from to bucket opts.to (opts.prefix: only keys under it; opts.delete:
-- also remove keys that the source lacks). Returns { copied, deleted, same, bytes }.
function M.sync(opts)
  assert(type(opts) == "table" and opts.from and opts.to, "s3sync.sync{ from = BUCKET, to = BUCKET }")
  if awscall.planning() and awscall.is_placeholder(opts.from) then
    log().info(("(plan) would copy every object of s3://%s to s3://%s"):format(tostring(opts.from), tostring(opts.to)))
    return { copied = 0, deleted = 0, same = 0, bytes = 0, planned = true }
  end
  local src, nsrc = M.list(opts.from, opts.prefix)
  -- In a dry run the target may be a bucket that the plan has not really created.
  local planned_target = awscall.planning() and awscall.is_placeholder(opts.to)
  local dst = planned_target and {} or M.list(opts.to, opts.prefix)
  local todo = M.plan(src, dst, opts.delete)
  local too_big = {}
  for _, key in ipairs(todo.copy) do
    if (src[key].size or 0) > M.COPY_LIMIT then too_big[#too_big + 1] = key end
  end
  if #too_big > 0 then
    error(("s3sync: %d object(s) of %s are larger than 5 GB, which CopyObject cannot copy: %s")
      :format(#too_big, opts.from, preview(too_big, 5)), 0)
  end
  log().info(("sync s3://%s -> s3://%s: %d object(s) in the source, %d to copy, %d to delete, %d already there")
    :format(opts.from, opts.to, nsrc, #todo.copy, #todo.delete, todo.same))
  local bytes = 0
  for i, key in ipairs(todo.copy) do
    if awscall.planning() and i > M.PLAN_SHOWN then
      log().info(("(plan) and %d more CopyObject call(s) like these"):format(#todo.copy - M.PLAN_SHOWN))
      break
    end
    aws().s3.copy_object { Bucket = opts.to, Key = key, CopySource = opts.from .. "/" .. M.encode_key(key) }
    bytes = bytes + (src[key].size or 0)
    if i % 100 == 0 then log().info(("copied %d of %d object(s)"):format(i, #todo.copy)) end
  end
  M.delete_keys(opts.to, todo.delete)
  return { copied = #todo.copy, deleted = #todo.delete, same = todo.same, bytes = bytes }
end

-- Deletes keys from bucket in batches; an error lists the keys S3 refused to delete.
function M.delete_keys(bucket, keys)
  for first = 1, #keys, M.DELETE_BATCH do
    local objects = {}
    for i = first, math.min(first + M.DELETE_BATCH - 1, #keys) do objects[#objects + 1] = { Key = keys[i] } end
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
  local keys = sorted(listing)
  return M.delete_keys(bucket, keys)
end

-- Compares buckets a and b (same keys, same ETags); returns the diff (see M.diff) and
-- the two listings' sizes.
function M.compare(a, b, prefix)
  local la, na = M.list(a, prefix)
  local lb, nb = M.list(b, prefix)
  local d = M.diff(la, lb)
  d.count_a, d.count_b = na, nb
  return d
end

-- A one-line description of a diff for error messages.
function M.describe_diff(d)
  local parts = {}
  if #d.missing > 0 then parts[#parts + 1] = ("%d missing (%s)"):format(#d.missing, preview(d.missing, 5)) end
  if #d.extra > 0 then parts[#parts + 1] = ("%d extra (%s)"):format(#d.extra, preview(d.extra, 5)) end
  if #d.different > 0 then parts[#parts + 1] = ("%d different (%s)"):format(#d.different, preview(d.different, 5)) end
  if #parts == 0 then return "identical" end
  return table.concat(parts, "; ")
end

return M
