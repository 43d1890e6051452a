-- S3 (minimal, to prove the plumbing): buckets and whole objects with their content,
-- ETag (MD5), Last-Modified, Content-Type and user metadata.
-- Kinds: "s3.bucket" (id: the name), "s3.object" (id: "<bucket>/<key>", content in _body).
local sim = require "sim"
local world = require "world"

local M = { ops = {} }

local function bucket_or_error(name)
  local b = name and world.get("s3.bucket", name)
  if not b then sim.error("NoSuchBucket", "The specified bucket does not exist", 404) end
  return b
end

local function valid_bucket_name(name)
  return type(name) == "string" and #name >= 3 and #name <= 63
     and name:match("^[a-z0-9][a-z0-9.-]*[a-z0-9]$") ~= nil
     and not name:find("..", 1, true) and not name:match("^%d+%.%d+%.%d+%.%d+$")
end

local function new_bucket(name, region, created)
  return world.put("s3.bucket", name, { Name = name, Region = region, CreationDate = created })
end

local function new_object(bucket, key, body, content_type, metadata, modified)
  return world.put("s3.object", bucket .. "/" .. key, {
    Bucket = bucket, Key = key,
    ETag = '"' .. sim.md5_hex(body) .. '"',
    ContentLength = #body,
    ContentType = content_type or "binary/octet-stream",
    LastModified = modified,
    Metadata = metadata or {},
    _body = body,
  })
end

function M.ops.ListBuckets(params, ctx)
  local out = sim.array {}
  for _, b in ipairs(world.list("s3.bucket")) do
    out[#out + 1] = { Name = b.Name, CreationDate = b.CreationDate }
  end
  table.sort(out, function(a, c) return a.Name < c.Name end)
  return { Buckets = out, Owner = { ID = ctx.account, DisplayName = "awssim" } }
end

function M.ops.CreateBucket(params, ctx)
  local name = params.Bucket
  if not valid_bucket_name(name) then
    sim.error("InvalidBucketName", "The specified bucket is not valid.", 400)
  end
  if world.get("s3.bucket", name) then
    sim.error("BucketAlreadyOwnedByYou",
              "Your previous request to create the named bucket succeeded and you already own it.",
              409)
  end
  local cfg = params.CreateBucketConfiguration
  new_bucket(name, cfg and cfg.LocationConstraint or ctx.region, sim.now())
  return { Location = "/" .. name }
end

function M.ops.PutObject(params, ctx)
  bucket_or_error(params.Bucket)
  local o = new_object(params.Bucket, params.Key, params.Body or "", params.ContentType,
                       params.Metadata, sim.now())
  return { ETag = o.ETag }
end

local function object_or_error(params, head)
  bucket_or_error(params.Bucket)
  local o = world.get("s3.object", params.Bucket .. "/" .. params.Key)
  if not o then
    -- HEAD answers carry no body: botocore reports the bare status, "404".
    if head then sim.error("NotFound", "Not Found", 404) end
    sim.error("NoSuchKey", "The specified key does not exist.", 404)
  end
  return o
end

local function object_headers(o)
  return { ContentLength = o.ContentLength, ContentType = o.ContentType, ETag = o.ETag,
           LastModified = o.LastModified, Metadata = o.Metadata }
end

function M.ops.HeadObject(params, ctx)
  return object_headers(object_or_error(params, true))
end

function M.ops.GetObject(params, ctx)
  local o = object_or_error(params, false)
  local out = object_headers(o)
  out.Body = o._body
  return out
end

-- Seed: {"buckets": [{"Name": "b", "Region": "...", "CreationDate": "2024-01-01T00:00:00Z",
--        "objects": [{"Key": "k", "Body": "text" | "BodyBase64": "...", "ContentType": "...",
--                     "Metadata": {...}}]}]}
function M.seed(section)
  local now = sim.now()
  for _, b in ipairs(section.buckets or {}) do
    if not valid_bucket_name(b.Name) then
      error(("s3 bucket name %q is not valid"):format(tostring(b.Name)), 0)
    end
    local created = b.CreationDate and sim.parse_time(b.CreationDate) or now
    new_bucket(b.Name, b.Region or sim.config().region, created)
    for _, o in ipairs(b.objects or {}) do
      local body = o.Body or ""
      if o.BodyBase64 then
        body = sim.base64_decode(o.BodyBase64)
        if not body then error(("%s/%s: BodyBase64 is not base64"):format(b.Name, o.Key), 0) end
      end
      new_object(b.Name, o.Key, body, o.ContentType, o.Metadata, now)
    end
  end
end

return M
