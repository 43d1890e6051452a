-- S3: buckets and objects with their content, ETag (MD5, or the multipart form),
-- Last-Modified, Content-Type, user metadata and tags; listing with prefix, delimiter,
-- max-keys and continuation tokens; copies, multipart uploads (UploadPartCopy too),
-- conditional writes (If-None-Match: *), batch deletes and object tagging.
--
-- Kinds (ids): s3.bucket (name), s3.object ("<bucket>/<key>", content in _body),
-- s3.upload (UploadId, parts in _parts). Each bucket's keys are kept in a sorted array,
-- so a listing is a range of it (see sorted_keys).
local sim = require "sim"
local world = require "world"

local M = { ops = {}, hooks = {} }

local MIN_PART_SIZE = 5 * 1024 * 1024   -- every part but the last (seed: min_part_size)
local MAX_KEYS = 1000

local function data() return world.data("s3") end

local function min_part_size() return data().min_part_size or MIN_PART_SIZE end

local function canonical_owner(account)
  return { ID = sim.sha256_hex("awssim-owner:" .. account), DisplayName = "awssim" }
end

-- ---- lookups ------------------------------------------------------------------------

local function valid_bucket_name(name)
  return type(name) == "string" and #name >= 3 and #name <= 63
     and name:match("^[a-z0-9][a-z0-9.-]*[a-z0-9]$") ~= nil
     and not name:find("..", 1, true) and not name:match("^%d+%.%d+%.%d+%.%d+$")
end

-- The bucket, or NoSuchBucket (a bare 404 for HEAD requests, which have no body).
local function bucket_or_error(name, head)
  local b = name and world.get("s3.bucket", name)
  if not b then
    if head then sim.error("NotFound", "Not Found", 404) end
    sim.error("NoSuchBucket", "The specified bucket does not exist", 404)
  end
  return b
end

local function object_id(bucket, key) return bucket .. "/" .. key end

-- The first index in the sorted list whose value is > after (or >= at when `after` is nil).
local function lower_bound(ids, value, strict)
  local lo, hi = 1, #ids + 1
  while lo < hi do
    local mid = (lo + hi) // 2
    local v = ids[mid]
    if v < value or (strict and v == value) then lo = mid + 1 else hi = mid end
  end
  return lo
end

-- Each bucket's keys in sorted order, built once from the world (one sort of every object
-- id) and then kept up to date by every write and delete: a new key is inserted in its
-- place, which is an append when keys come in order as a sync copies them (re-sorting
-- 100,000 ids after each write made a listing interleaved with copies take seconds).
-- A world replaced by restore or reset has a new data table, which drops the cache.
local sorted_cache = { data = nil, buckets = nil }

local function current_cache()
  local d = data()
  if sorted_cache.data == d then return sorted_cache.buckets end
  local buckets = {}
  for _, id in ipairs(world.ids("s3.object")) do
    local bucket, key = id:match("^([^/]*)/(.*)$")
    local keys = buckets[bucket]
    if not keys then keys = {}; buckets[bucket] = keys end
    keys[#keys + 1] = key
  end
  sorted_cache.data, sorted_cache.buckets = d, buckets
  return buckets
end

-- The bucket's keys, sorted; the caller must not change the array.
local function sorted_keys(bucket)
  return current_cache()[bucket] or {}
end

-- Called after a new key is stored (not for a replaced object).
local function key_added(bucket, key)
  if sorted_cache.data ~= data() then return end   -- the next build sees it
  local keys = sorted_cache.buckets[bucket]
  if not keys then keys = {}; sorted_cache.buckets[bucket] = keys end
  local n = #keys
  if n == 0 or keys[n] < key then
    keys[n + 1] = key
  else
    table.insert(keys, lower_bound(keys, key, false), key)
  end
end

local function remove_object(bucket, key)
  if not world.remove("s3.object", object_id(bucket, key)) then return end
  if sorted_cache.data ~= data() then return end
  local keys = sorted_cache.buckets[bucket]
  local i = keys and lower_bound(keys, key, false)
  if i and keys[i] == key then table.remove(keys, i) end
end

local function find_object(bucket, key)
  return world.get("s3.object", object_id(bucket, key))
end

local function object_or_error(bucket, key, head)
  bucket_or_error(bucket, head)
  local o = find_object(bucket, key)
  if not o then
    if head then sim.error("NotFound", "Not Found", 404) end
    sim.error("NoSuchKey", "The specified key does not exist.", 404)
  end
  return o
end

local function check_key(key)
  if type(key) ~= "string" or key == "" then
    sim.error("InvalidArgument", "Object keys must not be empty")
  end
  if #key > 1024 then
    sim.error("KeyTooLongError", "Your key is too long")
  end
end

-- ---- buckets (also used by CloudFormation) ---------------------------------------------

function M.bucket_exists(name) return world.get("s3.bucket", name) ~= nil end

-- Whether the bucket holds no object.
function M.bucket_is_empty(name)
  return #sorted_keys(name) == 0
end

-- Creates a bucket; raises the errors CreateBucket raises.
function M.create_bucket(name, region, account)
  if not valid_bucket_name(name) then
    sim.error("InvalidBucketName", "The specified bucket is not valid.", 400)
  end
  local existing = world.get("s3.bucket", name)
  if existing then
    -- us-east-1 answers a repeated CreateBucket of one's own bucket with success.
    if existing.BucketRegion == "us-east-1" and region == "us-east-1" then return existing end
    sim.error("BucketAlreadyOwnedByYou",
              "Your previous request to create the named bucket succeeded and you already own it.",
              409)
  end
  return world.put("s3.bucket", name, {
    Name = name, CreationDate = sim.now(), BucketRegion = region,
    BucketArn = "arn:aws:s3:::" .. name, _owner = account,
  })
end

-- Deletes a bucket; BucketNotEmpty when objects remain. Pending multipart uploads go
-- with it.
function M.delete_bucket(name)
  bucket_or_error(name)
  if not M.bucket_is_empty(name) then
    sim.error("BucketNotEmpty", "The bucket you tried to delete is not empty", 409)
  end
  for _, u in ipairs(world.list("s3.upload", function(u) return u.Bucket == name end)) do
    world.remove("s3.upload", u.UploadId)
  end
  world.remove("s3.bucket", name)
end

function M.ops.CreateBucket(params, ctx)
  local cfg = params.CreateBucketConfiguration
  local constraint = cfg and cfg.LocationConstraint
  if constraint == "us-east-1" then
    sim.error("InvalidLocationConstraint", "The specified location-constraint is not valid", 400)
  end
  local region = constraint or "us-east-1"
  if not constraint and ctx.region ~= "us-east-1" then
    sim.error("IllegalLocationConstraintException",
              ("The unspecified location constraint is incompatible for the region specific "
               .. "endpoint this request was sent to."), 400)
  end
  M.create_bucket(params.Bucket, region, ctx.account)
  return { Location = "/" .. params.Bucket, BucketArn = "arn:aws:s3:::" .. params.Bucket }
end

function M.ops.DeleteBucket(params, ctx)
  M.delete_bucket(params.Bucket)
  return {}
end

function M.ops.HeadBucket(params, ctx)
  local b = bucket_or_error(params.Bucket, true)
  return { BucketRegion = b.BucketRegion, BucketArn = b.BucketArn }
end

function M.ops.GetBucketLocation(params, ctx)
  local b = bucket_or_error(params.Bucket)
  -- us-east-1 is the empty LocationConstraint.
  if b.BucketRegion == "us-east-1" then return {} end
  return { LocationConstraint = b.BucketRegion }
end

function M.ops.ListBuckets(params, ctx)
  local all = {}
  for _, b in ipairs(world.list("s3.bucket")) do
    if not params.Prefix or b.Name:sub(1, #params.Prefix) == params.Prefix then
      all[#all + 1] = b
    end
  end
  table.sort(all, function(a, c) return a.Name < c.Name end)
  local after = params.ContinuationToken and sim.base64_decode(params.ContinuationToken)
  local out = sim.array {}
  local max = params.MaxBuckets or 10000
  local next_token
  for _, b in ipairs(all) do
    if not after or b.Name > after then
      if #out >= max then
        next_token = sim.base64_encode(out[#out].Name)
        break
      end
      out[#out + 1] = { Name = b.Name, CreationDate = b.CreationDate,
                        BucketRegion = b.BucketRegion, BucketArn = b.BucketArn }
    end
  end
  return { Buckets = out, Owner = canonical_owner(ctx.account), ContinuationToken = next_token,
           Prefix = params.Prefix }
end

-- ---- objects --------------------------------------------------------------------------

local HEADER_FIELDS = { "CacheControl", "ContentDisposition", "ContentEncoding",
                        "ContentLanguage" }

local function etag_of(body) return '"' .. sim.md5_hex(body) .. '"' end

-- ---- tags -----------------------------------------------------------------------------

local MAX_TAGS = 10

local function url_decode_form(s)
  return (s:gsub("%+", " "):gsub("%%(%x%x)", function(h) return string.char(tonumber(h, 16)) end))
end

-- Checks a tag set (an array of { Key, Value }) as S3 does: at most 10 tags, keys of 1-128
-- characters, values of at most 256, no key twice.
local function check_tags(tags)
  if #tags > MAX_TAGS then sim.error("BadRequest", "Object tags cannot be greater than 10") end
  local seen = {}
  for _, t in ipairs(tags) do
    if type(t.Key) ~= "string" or t.Key == "" or utf8.len(t.Key) == nil or utf8.len(t.Key) > 128 then
      sim.error("InvalidTag", "The TagKey you have provided is invalid")
    end
    if type(t.Value or "") ~= "string" or utf8.len(t.Value or "") == nil or utf8.len(t.Value or "") > 256 then
      sim.error("InvalidTag", "The TagValue you have provided is invalid")
    end
    if seen[t.Key] then sim.error("InvalidTag", "Cannot provide multiple Tags with the same key") end
    seen[t.Key] = true
  end
  return tags
end

-- The tag set of an x-amz-tagging header ("k1=v1&k2=v2", URL-encoded), in its order.
local function parse_tagging_header(header)
  local tags = {}
  for pair in (header or ""):gmatch("[^&]+") do
    local k, v = pair:match("^([^=]*)=?(.*)$")
    tags[#tags + 1] = { Key = url_decode_form(k), Value = url_decode_form(v) }
  end
  return check_tags(tags)
end

local function copy_tags(tags)
  local out = {}
  for i, t in ipairs(tags or {}) do out[i] = { Key = t.Key, Value = t.Value or "" } end
  return out
end

-- Stores an object; fields: ContentType, Metadata, the HEADER_FIELDS, _parts, _tags.
local function put_object(bucket, key, body, fields)
  local o = {
    Bucket = bucket, Key = key,
    ETag = fields.ETag or etag_of(body),
    ContentLength = #body,
    ContentType = fields.ContentType or "binary/octet-stream",
    LastModified = sim.now(),
    Metadata = fields.Metadata or {},
    _body = body,
    _parts = fields._parts,
    _tags = fields._tags and #fields._tags > 0 and copy_tags(fields._tags) or nil,
  }
  for _, f in ipairs(HEADER_FIELDS) do o[f] = fields[f] end
  -- A replaced object keeps its place in the world's creation order only by id.
  local is_new = not world.get("s3.object", object_id(bucket, key))
  world.put("s3.object", object_id(bucket, key), o)
  if is_new then key_added(bucket, key) end
  return o
end

-- Drops the quotes and a W/ prefix of an ETag given in a condition header.
local function bare_etag(s)
  return (s or ""):gsub("^%s*W/", ""):gsub('^%s*"', ""):gsub('"%s*$', "")
end

local function etag_in(list, etag)
  for item in (list or ""):gmatch("[^,]+") do
    local e = bare_etag(item)
    if e == "*" or e == bare_etag(etag) then return true end
  end
  return false
end

local function precondition_failed(condition)
  sim.error("PreconditionFailed",
            ("At least one of the pre-conditions you specified did not hold (%s)"):format(condition),
            412)
end

-- The conditional-write headers of PutObject, CopyObject and CompleteMultipartUpload.
local function check_write_conditions(bucket, key, params)
  local existing = find_object(bucket, key)
  if params.IfNoneMatch then
    if params.IfNoneMatch ~= "*" then
      sim.error("NotImplemented", "If-None-Match only accepts '*' on writes", 501)
    end
    if existing then precondition_failed("If-None-Match") end
  end
  if params.IfMatch then
    if not existing then sim.error("NoSuchKey", "The specified key does not exist.", 404) end
    if not etag_in(params.IfMatch, existing.ETag) then precondition_failed("If-Match") end
  end
end

-- The read conditions of GetObject and HeadObject (RFC 7232 order).
local function check_read_conditions(o, params, head)
  if params.IfMatch and not etag_in(params.IfMatch, o.ETag) then
    precondition_failed("If-Match")
  end
  if not params.IfMatch and params.IfUnmodifiedSince
     and math.floor(o.LastModified) > params.IfUnmodifiedSince then
    precondition_failed("If-Unmodified-Since")
  end
  if params.IfNoneMatch and etag_in(params.IfNoneMatch, o.ETag) then
    sim.error("NotModified", head and "" or "Not Modified", 304)
  end
  if not params.IfNoneMatch and params.IfModifiedSince
     and math.floor(o.LastModified) <= params.IfModifiedSince then
    sim.error("NotModified", head and "" or "Not Modified", 304)
  end
end

local function check_content_md5(body, md5_b64)
  if md5_b64 and md5_b64 ~= "" then
    local want = sim.base64_decode(md5_b64)
    if not want or #want ~= 16 then
      sim.error("InvalidDigest", "The Content-MD5 you specified was invalid.")
    end
    if want ~= sim.md5(body) then
      sim.error("BadDigest", "The Content-MD5 you specified did not match what we received.")
    end
  end
end

function M.ops.PutObject(params, ctx)
  bucket_or_error(params.Bucket)
  check_key(params.Key)
  local body = params.Body or ""
  check_content_md5(body, params.ContentMD5)
  check_write_conditions(params.Bucket, params.Key, params)
  local fields = setmetatable({ _tags = parse_tagging_header(params.Tagging) }, { __index = params })
  local o = put_object(params.Bucket, params.Key, body, fields)
  return { ETag = o.ETag, Size = o.ContentLength }
end

local function object_headers(o)
  local out = { ContentLength = o.ContentLength, ContentType = o.ContentType, ETag = o.ETag,
                LastModified = o.LastModified, Metadata = o.Metadata, AcceptRanges = "bytes" }
  for _, f in ipairs(HEADER_FIELDS) do out[f] = o[f] end
  if o._parts then out.PartsCount = #o._parts end
  return out
end

-- The byte range [first, last] (0-based, inclusive) a Range header asks of size bytes, or
-- nil for the whole object. Unsatisfiable ranges are InvalidRange (416).
local function parse_range(range, size)
  if not range then return nil end
  local a, b = range:match("^%s*bytes=(%d*)%-(%d*)%s*$")
  if not a or (a == "" and b == "") then return nil end   -- S3 ignores what it cannot parse
  local first, last
  if a == "" then
    local n = tonumber(b)
    if n == 0 then
      sim.error("InvalidRange", "The requested range is not satisfiable", 416)
    end
    first, last = math.max(0, size - n), size - 1
  else
    first = tonumber(a)
    last = b == "" and size - 1 or math.min(tonumber(b), size - 1)
  end
  if first >= size or last < first then
    sim.error("InvalidRange", "The requested range is not satisfiable", 416)
  end
  return first, last
end

-- The byte range of part n of a multipart object.
local function part_range(o, n)
  if not o._parts then
    if n == 1 then return 0, o.ContentLength - 1 end
    sim.error("InvalidPartNumber", "The requested partnumber is not satisfiable", 416)
  end
  if n < 1 or n > #o._parts then
    sim.error("InvalidPartNumber", "The requested partnumber is not satisfiable", 416)
  end
  local first = 0
  for i = 1, n - 1 do first = first + o._parts[i] end
  return first, first + o._parts[n] - 1
end

local function read_object(params, head)
  local o = object_or_error(params.Bucket, params.Key, head)
  check_read_conditions(o, params, head)
  local out = object_headers(o)
  local first, last
  if params.PartNumber then
    first, last = part_range(o, params.PartNumber)
  else
    first, last = parse_range(params.Range, o.ContentLength)
  end
  if first then
    out.ContentRange = ("bytes %d-%d/%d"):format(first, last, o.ContentLength)
    out.ContentLength = last - first + 1
  end
  if params.ResponseContentType then out.ContentType = params.ResponseContentType end
  return o, out, first, last
end

function M.ops.HeadObject(params, ctx)
  local _, out = read_object(params, true)
  return out
end

function M.ops.GetObject(params, ctx)
  local o, out, first, last = read_object(params, false)
  out.Body = first and o._body:sub(first + 1, last + 1) or o._body
  if o._tags then out.TagCount = #o._tags end
  return out
end

function M.ops.GetObjectTagging(params, ctx)
  local o = object_or_error(params.Bucket, params.Key)
  local set = sim.array {}
  for i, t in ipairs(o._tags or {}) do set[i] = { Key = t.Key, Value = t.Value } end
  return { TagSet = set }
end

function M.ops.PutObjectTagging(params, ctx)
  local o = object_or_error(params.Bucket, params.Key)
  local tags = check_tags(copy_tags(params.Tagging and params.Tagging.TagSet))
  o._tags = #tags > 0 and tags or nil
  return {}
end

function M.ops.DeleteObject(params, ctx)
  bucket_or_error(params.Bucket)
  local o = find_object(params.Bucket, params.Key)
  if params.IfMatch then
    if not o then sim.error("NoSuchKey", "The specified key does not exist.", 404) end
    if not etag_in(params.IfMatch, o.ETag) then precondition_failed("If-Match") end
  end
  if o then remove_object(params.Bucket, params.Key) end
  return {}
end

function M.ops.DeleteObjects(params, ctx)
  bucket_or_error(params.Bucket)
  local del = params.Delete or {}
  local objects = del.Objects or {}
  if #objects > 1000 then
    sim.error("MalformedXML", "The XML you provided was not well-formed or did not validate "
              .. "against our published schema (at most 1000 keys)")
  end
  local deleted, errors = sim.array {}, sim.array {}
  for _, item in ipairs(objects) do
    local key = item.Key
    local o = key and find_object(params.Bucket, key)
    if item.ETag and o and not etag_in(item.ETag, o.ETag) then
      errors[#errors + 1] = { Key = key, Code = "PreconditionFailed",
                              Message = "At least one of the pre-conditions you specified did not hold" }
    else
      if o then remove_object(params.Bucket, key) end
      if not del.Quiet then deleted[#deleted + 1] = { Key = key } end
    end
  end
  return { Deleted = deleted, Errors = errors }
end

-- ---- copies ---------------------------------------------------------------------------

local function url_decode(s)
  return (s:gsub("%%(%x%x)", function(h) return string.char(tonumber(h, 16)) end))
end

-- The (bucket, key) of an x-amz-copy-source value: "bucket/key", maybe with a leading
-- slash, percent-encoded, maybe with ?versionId=.
local function parse_copy_source(src)
  src = (src or ""):gsub("%?versionId=.*$", "")
  src = url_decode(src):gsub("^/", "")
  local bucket, key = src:match("^([^/]+)/(.+)$")
  if not bucket then
    sim.error("InvalidArgument", "Copy Source must mention the source bucket and key: "
              .. "sourcebucket/sourcekey")
  end
  return bucket, key
end

local function check_copy_conditions(src, params)
  if params.CopySourceIfMatch and not etag_in(params.CopySourceIfMatch, src.ETag) then
    precondition_failed("x-amz-copy-source-If-Match")
  end
  if params.CopySourceIfNoneMatch and etag_in(params.CopySourceIfNoneMatch, src.ETag) then
    precondition_failed("x-amz-copy-source-If-None-Match")
  end
  if params.CopySourceIfUnmodifiedSince
     and math.floor(src.LastModified) > params.CopySourceIfUnmodifiedSince then
    precondition_failed("x-amz-copy-source-If-Unmodified-Since")
  end
  if params.CopySourceIfModifiedSince
     and math.floor(src.LastModified) <= params.CopySourceIfModifiedSince then
    precondition_failed("x-amz-copy-source-If-Modified-Since")
  end
end

function M.ops.CopyObject(params, ctx)
  bucket_or_error(params.Bucket)
  check_key(params.Key)
  local sb, sk = parse_copy_source(params.CopySource)
  local src = object_or_error(sb, sk)
  check_copy_conditions(src, params)
  local directive = params.MetadataDirective or "COPY"
  if directive ~= "COPY" and directive ~= "REPLACE" then
    sim.error("InvalidArgument", "Unknown metadata directive.")
  end
  local tagging = params.TaggingDirective or "COPY"
  if tagging ~= "COPY" and tagging ~= "REPLACE" then
    sim.error("InvalidArgument", "Unknown tagging directive.")
  end
  local tags = tagging == "REPLACE" and parse_tagging_header(params.Tagging) or src._tags
  if sb == params.Bucket and sk == params.Key and directive == "COPY" then
    sim.error("InvalidRequest", "This copy request is illegal because it is trying to copy an "
              .. "object to itself without changing the object's metadata, storage class, "
              .. "website redirect location or encryption attributes.")
  end
  check_write_conditions(params.Bucket, params.Key, params)
  local fields
  if directive == "REPLACE" then
    fields = params
  else
    fields = { ContentType = src.ContentType, Metadata = src.Metadata }
    for _, f in ipairs(HEADER_FIELDS) do fields[f] = src[f] end
  end
  local copy = {}
  for k, v in pairs(fields) do copy[k] = v end
  copy.Metadata = {}
  for k, v in pairs(fields.Metadata or {}) do copy.Metadata[k] = v end
  copy.ETag, copy._parts, copy._tags = nil, nil, tags
  local o = put_object(params.Bucket, params.Key, src._body, copy)
  return { CopyObjectResult = { ETag = o.ETag, LastModified = o.LastModified } }
end

-- ---- multipart uploads ----------------------------------------------------------------

local function upload_or_error(params)
  bucket_or_error(params.Bucket)
  local u = world.get("s3.upload", params.UploadId or "")
  if not u or u.Bucket ~= params.Bucket or u.Key ~= params.Key then
    sim.error("NoSuchUpload", "The specified upload does not exist. The upload ID may be "
              .. "invalid, or the upload may have been aborted or completed.", 404)
  end
  return u
end

local function check_part_number(n)
  if type(n) ~= "number" or n < 1 or n > 10000 then
    sim.error("InvalidArgument", "Part number must be an integer between 1 and 10000, inclusive")
  end
end

function M.ops.CreateMultipartUpload(params, ctx)
  bucket_or_error(params.Bucket)
  check_key(params.Key)
  local id = sim.base64_encode(sim.md5(sim.uuid()) .. sim.md5(sim.uuid()) .. sim.md5(params.Key))
                :gsub("[+/=]", { ["+"] = ".", ["/"] = "_", ["="] = "" })
  local fields = { ContentType = params.ContentType, Metadata = params.Metadata or {},
                   _tags = parse_tagging_header(params.Tagging) }
  for _, f in ipairs(HEADER_FIELDS) do fields[f] = params[f] end
  world.put("s3.upload", id, {
    UploadId = id, Bucket = params.Bucket, Key = params.Key, Initiated = sim.now(),
    StorageClass = "STANDARD", _fields = fields, _parts = {},
  })
  return { Bucket = params.Bucket, Key = params.Key, UploadId = id }
end

local function store_part(u, n, body)
  local etag = etag_of(body)
  u._parts[tostring(n)] = { etag = etag, body = body, size = #body, at = sim.now() }
  return etag
end

function M.ops.UploadPart(params, ctx)
  local u = upload_or_error(params)
  check_part_number(params.PartNumber)
  local body = params.Body or ""
  check_content_md5(body, params.ContentMD5)
  return { ETag = store_part(u, params.PartNumber, body) }
end

function M.ops.UploadPartCopy(params, ctx)
  local u = upload_or_error(params)
  check_part_number(params.PartNumber)
  local sb, sk = parse_copy_source(params.CopySource)
  local src = object_or_error(sb, sk)
  check_copy_conditions(src, params)
  local body = src._body
  if params.CopySourceRange then
    local a, b = params.CopySourceRange:match("^bytes=(%d+)%-(%d+)$")
    a, b = tonumber(a), tonumber(b)
    if not a or b < a or b >= src.ContentLength then
      sim.error("InvalidArgument", ("Range specified is not valid for source object of size: %d"):format(
                  src.ContentLength))
    end
    body = body:sub(a + 1, b + 1)
  end
  local etag = store_part(u, params.PartNumber, body)
  return { CopyPartResult = { ETag = etag, LastModified = sim.now() } }
end

function M.ops.CompleteMultipartUpload(params, ctx)
  local u = upload_or_error(params)
  local parts = params.MultipartUpload and params.MultipartUpload.Parts or {}
  if #parts == 0 then
    sim.error("MalformedXML", "The XML you provided was not well-formed or did not validate "
              .. "against our published schema")
  end
  local bodies, digests, sizes = {}, {}, {}
  local prev = 0
  for i, p in ipairs(parts) do
    if type(p.PartNumber) ~= "number" or p.PartNumber <= prev then
      sim.error("InvalidPartOrder", "The list of parts was not in ascending order. Parts must "
                .. "be ordered by part number.")
    end
    prev = p.PartNumber
    local stored = u._parts[tostring(p.PartNumber)]
    if not stored or bare_etag(p.ETag) ~= bare_etag(stored.etag) then
      sim.error("InvalidPart", "One or more of the specified parts could not be found. The part "
                .. "may not have been uploaded, or the specified entity tag may not match the "
                .. "part's entity tag.")
    end
    if i < #parts and stored.size < min_part_size() then
      sim.error("EntityTooSmall", "Your proposed upload is smaller than the minimum allowed size")
    end
    bodies[#bodies + 1] = stored.body
    digests[#digests + 1] = sim.md5(stored.body)
    sizes[#sizes + 1] = stored.size
  end
  check_write_conditions(params.Bucket, params.Key, params)
  local fields = {}
  for k, v in pairs(u._fields) do fields[k] = v end
  fields.ETag = ('"%s-%d"'):format(sim.md5_hex(table.concat(digests)), #parts)
  fields._parts = sizes
  local o = put_object(params.Bucket, params.Key, table.concat(bodies), fields)
  world.remove("s3.upload", u.UploadId)
  local host = ctx.host or "s3.amazonaws.com"
  return { Location = ("http://%s/%s/%s"):format(host, params.Bucket, params.Key),
           Bucket = params.Bucket, Key = params.Key, ETag = o.ETag }
end

function M.ops.AbortMultipartUpload(params, ctx)
  local u = upload_or_error(params)
  world.remove("s3.upload", u.UploadId)
  return {}
end

-- ---- listing --------------------------------------------------------------------------

local function starts_with(s, prefix) return s:sub(1, #prefix) == prefix end

function M.ops.ListObjectsV2(params, ctx)
  bucket_or_error(params.Bucket)
  local prefix = params.Prefix or ""
  local delimiter = params.Delimiter
  if delimiter == "" then delimiter = nil end
  local max_keys = params.MaxKeys or MAX_KEYS
  if max_keys > MAX_KEYS then max_keys = MAX_KEYS end
  if max_keys < 0 then sim.error("InvalidArgument", "max-keys cannot be negative") end

  -- Where to start: after the token's marker, else after StartAfter.
  local after, skip_prefix
  if params.ContinuationToken then
    local t = sim.base64_decode(params.ContinuationToken)
    local kind, marker = (t or ""):match("^awssim:(%a+):(.*)$")
    if not kind then
      sim.error("InvalidArgument", "The continuation token provided is incorrect")
    end
    after = marker
    if kind == "cp" then skip_prefix = marker end
  elseif params.StartAfter and params.StartAfter ~= "" then
    after = params.StartAfter
  end

  local base = params.Bucket .. "/"
  local keys = sorted_keys(params.Bucket)
  local i = lower_bound(keys, prefix, false)
  if after and after >= prefix then i = lower_bound(keys, after, true) end

  local contents, prefixes = sim.array {}, sim.array {}
  local count, truncated, last_marker, last_kind = 0, false, nil, nil
  while keys[i] and starts_with(keys[i], prefix) do
    local key = keys[i]
    if skip_prefix and starts_with(key, skip_prefix) then
      i = i + 1
    else
      skip_prefix = nil
      local cp
      if delimiter then
        local at = key:find(delimiter, #prefix + 1, true)
        if at then cp = key:sub(1, at + #delimiter - 1) end
      end
      if count >= max_keys then
        truncated = max_keys > 0
        break
      end
      count = count + 1
      if cp then
        prefixes[#prefixes + 1] = { Prefix = cp }
        last_marker, last_kind = cp, "cp"
        skip_prefix = cp
        i = i + 1
      else
        local o = world.get("s3.object", base .. key)
        local entry = { Key = key,
                        LastModified = o.LastModified, ETag = o.ETag, Size = o.ContentLength,
                        StorageClass = "STANDARD" }
        if params.FetchOwner then
          entry.Owner = canonical_owner(world.get("s3.bucket", params.Bucket)._owner or ctx.account)
        end
        contents[#contents + 1] = entry
        last_marker, last_kind = key, "key"
        i = i + 1
      end
    end
  end
  -- With EncodingType=url the codec url-encodes keys and prefixes on the way out.
  return {
    Name = params.Bucket,
    Prefix = prefix,
    Delimiter = delimiter,
    MaxKeys = max_keys,
    EncodingType = params.EncodingType,
    KeyCount = count,
    IsTruncated = truncated,
    Contents = #contents > 0 and contents or nil,
    CommonPrefixes = #prefixes > 0 and prefixes or nil,
    ContinuationToken = params.ContinuationToken,
    NextContinuationToken = truncated and sim.base64_encode("awssim:" .. last_kind .. ":" .. last_marker) or nil,
    StartAfter = params.StartAfter,
  }
end

-- ---- seed -----------------------------------------------------------------------------

-- Seed section (docs/awssim-resources.md):
-- { "min_part_size": n,
--   "buckets": [{ "Name": "b", "Region"?, "CreationDate"?,
--                 "objects": [{ "Key", "Body" | "BodyBase64", "ContentType"?, "Metadata"?,
--                               "CacheControl"?, "Tags"?: [{ "Key", "Value" }] }],
--                 "generate": { "prefix": "data/", "count": 1500, "size": 64 } }] }
-- "generate" adds count objects <prefix>000001 ... with size bytes of deterministic text.
function M.seed(section)
  if section.min_part_size then data().min_part_size = section.min_part_size end
  for _, b in ipairs(section.buckets or {}) do
    if not valid_bucket_name(b.Name) then
      error(("s3 bucket name %q is not valid"):format(tostring(b.Name)), 0)
    end
    local bucket = world.get("s3.bucket", b.Name)
                   or M.create_bucket(b.Name, b.Region or sim.config().region, sim.config().account)
    if b.CreationDate then bucket.CreationDate = sim.parse_time(b.CreationDate) or bucket.CreationDate end
    for _, o in ipairs(b.objects or {}) do
      local body = o.Body or ""
      if o.BodyBase64 then
        body = sim.base64_decode(o.BodyBase64)
        if not body then error(("%s/%s: BodyBase64 is not base64"):format(b.Name, o.Key), 0) end
      end
      put_object(b.Name, o.Key, body, { ContentType = o.ContentType, Metadata = o.Metadata,
                                        CacheControl = o.CacheControl, _tags = check_tags(copy_tags(o.Tags)) })
    end
    local g = b.generate
    if g then
      local size = g.size or 32
      for n = 1, g.count or 0 do
        local key = ("%s%06d"):format(g.prefix or "", n)
        local line = ("%s %d\n"):format(key, n)
        local body = line:rep(size // #line + 1):sub(1, size)
        put_object(b.Name, key, body, { ContentType = g.ContentType or "text/plain" })
      end
    end
  end
end

return M
