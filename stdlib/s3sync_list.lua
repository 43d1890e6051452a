-- One side of a sync, listed page by page with ListObjectsV2 through a request batch
-- (stdlib/s3sync_batch): at most two pages are held (the one being merged and the next,
-- fetched while the first is merged), so memory does not grow with the bucket.
--
--   local l = lister.new(batch, { bucket = "b", prefix = "data/", route = {...} }, on_error)
--   local entry, state = l:peek()   -- entry { key = relative key, size, etag, mtime }, "ok"
--                                   -- nil, "wait" (next page not here yet) | nil, "end"
--   l:advance()
local M = {}

M.PAGE_SIZE = 1000     -- keys per ListObjectsV2 page (S3's maximum)
M.PAGES_AHEAD = 2      -- pages held at once, the current one included

local Lister = {}
Lister.__index = Lister

function M.new(batch, loc, on_error)
  local self = setmetatable({ batch = batch, loc = loc, pages = {}, pos = 1, token = nil,
                              done = false, inflight = false, listed = 0, bytes = 0,
                              on_error = on_error }, Lister)
  self:fetch()
  return self
end

-- Asks for the next page unless one is on its way, the listing is over or enough pages
-- are held already.
function Lister:fetch()
  if self.inflight or self.done or #self.pages >= M.PAGES_AHEAD then return end
  self.inflight = true
  local params = { Bucket = self.loc.bucket, Prefix = self.loc.prefix ~= "" and self.loc.prefix or nil,
                   MaxKeys = M.PAGE_SIZE, ContinuationToken = self.token }
  self.batch:submit(function(result, err) self:on_page(result, err) end,
                    "s3", "ListObjectsV2", params, self.loc.route)
end

function Lister:on_page(result, err)
  self.inflight = false
  if err then
    self.done = true
    self.failed = err
    self.on_error(self, err)
    return
  end
  local contents = result.Contents
  if self.count_only then
    for _, o in ipairs(contents or {}) do self.bytes = self.bytes + (o.Size or 0) end
    self.listed = self.listed + #(contents or {})
  elseif contents and #contents > 0 then
    local cut = #self.loc.prefix + 1
    local page = {}
    for i, o in ipairs(contents) do
      page[i] = { key = o.Key:sub(cut), size = o.Size or 0, etag = o.ETag, mtime = o.LastModified }
      self.bytes = self.bytes + (o.Size or 0)
    end
    self.listed = self.listed + #page
    self.pages[#self.pages + 1] = page
  end
  if result.IsTruncated and result.NextContinuationToken then
    self.token = result.NextContinuationToken
    self:fetch()
  else
    self.done = true
  end
end

function Lister:peek()
  local page = self.pages[1]
  if page then return page[self.pos], "ok" end
  if self.done then return nil, "end" end
  return nil, "wait"
end

function Lister:advance()
  self.pos = self.pos + 1
  if self.pos > #self.pages[1] then
    table.remove(self.pages, 1)
    self.pos = 1
    self:fetch()
  end
end

-- A lister that only counts objects and bytes (for the progress estimate), holding nothing.
function M.counter(batch, loc, on_error)
  local self = setmetatable({ batch = batch, loc = loc, pages = {}, pos = 1, done = false,
                              inflight = false, listed = 0, bytes = 0, count_only = true,
                              on_error = on_error }, Lister)
  self:fetch()
  return self
end

-- A lister that is always at its end (a target that a dry run only plans to create).
function M.empty()
  return setmetatable({ pages = {}, pos = 1, done = true, listed = 0, bytes = 0,
                        fetch = function() end }, Lister)
end

return M
