-- What a sync does to one object: a server-side CopyObject (metadata, content type and
-- tags copied by S3 itself), or above the multipart threshold CreateMultipartUpload +
-- UploadPartCopy + CompleteMultipartUpload (metadata and content type read with
-- HeadObject, tags with GetObjectTagging first; the upload is aborted when a part fails);
-- between two different S3 endpoints a relay through this machine (GetObject + PutObject,
-- or by parts, keeping the same fields and tags); and
-- DeleteObjects batches for extraneous target objects. Each runs through a batch (stdlib/s3sync_batch) and
-- reports with done(ok, err) — a failed object never stops the others.
local M = {}

M.DELETE_BATCH = 1000      -- keys per DeleteObjects call (S3's maximum)
M.MAX_PARTS = 10000        -- S3's limit of parts per upload
M.MAX_PART_SIZE = 5 * 1024 * 1024 * 1024

-- Percent-encodes an object key for x-amz-copy-source (slashes kept), as the AWS CLI does.
function M.encode_key(key)
  return (key:gsub("[^%w%-%._~/]", function(c) return ("%%%02X"):format(c:byte()) end))
end

function M.copy_source(bucket, key) return bucket .. "/" .. M.encode_key(key) end

-- The part size for an object of size bytes: part_size, grown when it would take more
-- than 10,000 parts.
function M.part_size_for(size, part_size)
  local p = part_size
  while (size + p - 1) // p > M.MAX_PARTS do p = p * 2 end
  if p > M.MAX_PART_SIZE then p = M.MAX_PART_SIZE end
  return p
end

-- Single-request copy of src.bucket/prefix..key to dst.bucket/prefix..key.
function M.copy_object(batch, src, dst, entry, done)
  batch:submit(function(_, err) done(err == nil, err) end, "s3", "CopyObject", {
    Bucket = dst.bucket, Key = dst.prefix .. entry.key,
    CopySource = M.copy_source(src.bucket, src.prefix .. entry.key),
    MetadataDirective = "COPY", TaggingDirective = "COPY",
  }, dst.route)
end

-- Headers HeadObject/GetObject return that PutObject/CreateMultipartUpload take, so the
-- copy keeps them.
local KEPT = { "ContentType", "Metadata", "CacheControl", "ContentDisposition", "ContentEncoding",
               "ContentLanguage", "Expires", "WebsiteRedirectLocation" }

local function kept_fields(params, head)
  for _, f in ipairs(KEPT) do params[f] = head[f] end
  return params
end

-- Percent-encodes a tag key or value for x-amz-tagging (everything but A-Z a-z 0-9 - . _ ~).
local function encode_tag(s)
  return (s:gsub("[^%w%-%._~]", function(c) return ("%%%02X"):format(c:byte()) end))
end

-- A tag set as the x-amz-tagging header of PutObject/CreateMultipartUpload wants it:
-- "k1=v1&k2=v2", URL-encoded; nil for no tags.
function M.tagging_header(tag_set)
  local pairs_ = {}
  for i, t in ipairs(tag_set or {}) do
    pairs_[i] = encode_tag(t.Key) .. "=" .. encode_tag(t.Value or "")
  end
  return #pairs_ > 0 and table.concat(pairs_, "&") or nil
end

-- Reads the source object's tags (GetObjectTagging) and calls k(tagging_header, err);
-- skipped (k(nil)) when ask is false: a GetObject answer without x-amz-tagging-count
-- says the object has none.
local function with_source_tags(batch, src, key, ask, k)
  if not ask then return k(nil) end
  batch:submit(function(result, err)
    if err then return k(nil, err) end
    k(M.tagging_header(result.TagSet))
  end, "s3", "GetObjectTagging", { Bucket = src.bucket, Key = key }, src.route)
end

-- A multipart upload of entry to dst: HeadObject and GetObjectTagging on the source (for
-- the fields and tags to keep), CreateMultipartUpload, then send_part(n, first, last, part_done) for each part (at most
-- opts.part_window in flight for this object; the batch bounds the total), where
-- part_done(etag, err); then CompleteMultipartUpload, or AbortMultipartUpload after a
-- failure. done(ok, err) at the end.
local function multipart(batch, src, dst, entry, part, opts, send_part, done)
  local key = dst.prefix .. entry.key
  local nparts = math.max(1, (entry.size + part - 1) // part)
  local etags, next_part, inflight, failed, upload = {}, 1, 0, nil, nil

  local function abort(err)
    batch:submit(function() done(false, err) end, "s3", "AbortMultipartUpload",
                 { Bucket = dst.bucket, Key = key, UploadId = upload }, dst.route)
  end

  local function complete()
    local parts = {}
    for i = 1, nparts do parts[i] = { PartNumber = i, ETag = etags[i] } end
    batch:submit(function(_, err)
      if err then abort(err) else done(true) end
    end, "s3", "CompleteMultipartUpload",
      { Bucket = dst.bucket, Key = key, UploadId = upload, MultipartUpload = { Parts = parts } }, dst.route)
  end

  local send_parts
  local function part_done(n, etag, err)
    inflight = inflight - 1
    if err then failed = failed or err else etags[n] = etag end
    if failed then
      if inflight == 0 then abort(failed) end
    elseif next_part > nparts and inflight == 0 then
      complete()
    else
      send_parts()
    end
  end

  send_parts = function()
    while next_part <= nparts and inflight < opts.part_window and not failed do
      local n = next_part
      next_part = n + 1
      inflight = inflight + 1
      local first = (n - 1) * part
      local last = math.min(first + part, entry.size) - 1
      send_part(n, upload, first, last, function(etag, err) part_done(n, etag, err) end)
    end
  end

  local src_key = src.prefix .. entry.key
  batch:submit(function(head, err)
    if err then return done(false, err) end
    with_source_tags(batch, src, src_key, true, function(tagging, terr)
      if terr then return done(false, terr) end
      local params = kept_fields({ Bucket = dst.bucket, Key = key }, head)
      params.Tagging = tagging
      batch:submit(function(created, cerr)
        if cerr then return done(false, cerr) end
        upload = created.UploadId
        send_parts()
      end, "s3", "CreateMultipartUpload", params, dst.route)
    end)
  end, "s3", "HeadObject", { Bucket = src.bucket, Key = src_key }, src.route)
end

-- Server-side multipart copy: UploadPartCopy of byte ranges.
function M.copy_multipart(batch, src, dst, entry, opts, done)
  local source = M.copy_source(src.bucket, src.prefix .. entry.key)
  multipart(batch, src, dst, entry, M.part_size_for(entry.size, opts.part_size), opts,
    function(n, upload, first, last, part_done)
      batch:submit(function(result, err)
        part_done(result and result.CopyPartResult and result.CopyPartResult.ETag, err)
      end, "s3", "UploadPartCopy", {
        Bucket = dst.bucket, Key = dst.prefix .. entry.key, UploadId = upload, PartNumber = n,
        CopySource = source, CopySourceRange = entry.size > 0 and ("bytes=%d-%d"):format(first, last) or nil,
      }, dst.route)
    end, done)
end

-- Between two S3 services (different endpoints), where no server-side copy can reach
-- across: the bytes come down with GetObject and go up with PutObject, or by parts of
-- opts.relay_part_size (ranged GetObject + UploadPart) for larger objects.
function M.relay_object(batch, src, dst, entry, opts, done)
  local key = src.prefix .. entry.key
  if entry.size > opts.relay_part_size then
    return multipart(batch, src, dst, entry, M.part_size_for(entry.size, opts.relay_part_size), opts,
      function(n, upload, first, last, part_done)
        batch:submit(function(got, gerr)
          if gerr then return part_done(nil, gerr) end
          batch:submit(function(put, perr) part_done(put and put.ETag, perr) end, "s3", "UploadPart",
            { Bucket = dst.bucket, Key = dst.prefix .. entry.key, UploadId = upload, PartNumber = n },
            dst.route, { body = got.Body })
        end, "s3", "GetObject", { Bucket = src.bucket, Key = key, Range = ("bytes=%d-%d"):format(first, last) },
          src.route, { raw = true })
      end, done)
  end
  batch:submit(function(got, gerr)
    if gerr then return done(false, gerr) end
    with_source_tags(batch, src, key, (got.TagCount or 0) > 0, function(tagging, terr)
      if terr then return done(false, terr) end
      local params = kept_fields({ Bucket = dst.bucket, Key = dst.prefix .. entry.key }, got)
      params.Tagging = tagging
      batch:submit(function(_, perr) done(perr == nil, perr) end, "s3", "PutObject",
        params, dst.route, { body = got.Body or "" })
    end)
  end, "s3", "GetObject", { Bucket = src.bucket, Key = key }, src.route, { raw = true })
end

-- Collects keys to delete and sends them in DeleteObjects batches of 1,000.
-- on_done(keys_deleted, failures) where failures is a list of { key =, err = }.
function M.deleter(batch, dst, on_done)
  local keys = {}
  local d = {}
  function d.add(key)
    keys[#keys + 1] = key
    if #keys >= M.DELETE_BATCH then d.flush() end
  end
  function d.flush()
    if #keys == 0 then return end
    local objects, sent = {}, keys
    keys = {}
    for i, k in ipairs(sent) do objects[i] = { Key = dst.prefix .. k } end
    batch:submit(function(result, err)
      if err then
        local failures = {}
        for i, k in ipairs(sent) do failures[i] = { key = k, err = err } end
        return on_done(0, failures)
      end
      local failures = {}
      local cut = #dst.prefix + 1
      for _, e in ipairs(result.Errors or {}) do
        failures[#failures + 1] = { key = (e.Key or ""):sub(cut), err = ("%s: %s"):format(e.Code or "?", e.Message or "") }
      end
      on_done(#sent - #failures, failures)
    end, "s3", "DeleteObjects", { Bucket = dst.bucket, Delete = { Objects = objects, Quiet = true } }, dst.route)
  end
  return d
end

return M
