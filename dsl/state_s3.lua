-- The shared state backend: journals and locks in S3 (--state s3://bucket/prefix), so any
-- agent can see, resume or roll back a run that another started.
--   <prefix>/runs/<run-id>/journal.jsonl        the journal, rewritten whole after each record
--   <prefix>/locks/<workflow>@<env>.lock         the lock: created with If-None-Match: *
--   <prefix>/locks/<workflow>@<env>.broken.jsonl who broke the lock with `wfrun unlock`, and why
-- A journal is first appended and fsync'ed to a local cache (<state-dir>/cache/s3/<bucket>/
-- <prefix>/...), then put to S3 before the step acts; each put carries If-Match with the
-- ETag of the previous one, so a second writer (after a forced unlock, say) is refused
-- instead of silently overwriting. Methods as in dsl/state_local.lua.
local clog = require "wf.log"
local journal = require "wf.journal"
local json = require "wf.json"
local interrupt = require "wf.interrupt"
local sys = require "wf.sys"
local aws = require "dsl.aws"
local errors = require "dsl.errors"
local base64 = require "stdlib.base64"

local S3 = {}
S3.__index = S3

local M = {}

-- s3://bucket[/prefix] -> bucket, prefix (no slashes at either end); nil, why when malformed.
function M.parse_url(url)
  local rest = url:match("^s3://(.*)$")
  if not rest then return nil, "not an s3:// URL" end
  local bucket, prefix = rest:match("^([^/]*)/?(.*)$")
  if bucket == "" then return nil, "no bucket" end
  if not bucket:match("^[%w.-]+$") then return nil, ("bad bucket name %q"):format(bucket) end
  prefix = prefix:gsub("/+$", "")
  return bucket, prefix
end

-- The state's own S3 route: $WFRUN_STATE_REGION / $WFRUN_STATE_ENDPOINT_URL /
-- $WFRUN_STATE_PROFILE when the state bucket lives elsewhere than the workflow's
-- resources; nil when the state goes where the workflow's calls go.
local function own_route(opts)
  local function env(name)
    local v = sys.getenv(name)
    if v and v ~= "" then return v end
  end
  local region, endpoint, profile = env("WFRUN_STATE_REGION"), env("WFRUN_STATE_ENDPOINT_URL"), env("WFRUN_STATE_PROFILE")
  if not (region or endpoint or profile) then return nil end
  return { region = region, endpoint_url = endpoint, profile = profile or opts.profile,
           client_region = opts.region, client_endpoint = opts.endpoint_url }
end

-- cache_root: the local state directory, under which this agent keeps fsync'ed copies of the
-- journals it writes; opts: the global options (profile, region, endpoint_url).
function M.new(url, cache_root, opts)
  local bucket, prefix = M.parse_url(url)
  if not bucket then errors.raise_usage(("--state %s: %s (expected s3://bucket/prefix)"):format(url, prefix)) end
  local self = setmetatable({ kind = "s3", url = url, bucket = bucket, prefix = prefix,
                              route = own_route(opts or {}) }, S3)
  self.base = prefix == "" and "" or prefix .. "/"
  self.cache = cache_root .. "/cache/s3/" .. bucket .. (prefix ~= "" and ("/" .. prefix) or "")
  return self
end

function S3:describe() return ("s3://%s/%s"):format(self.bucket, self.base) end
function S3:option() return "--state=" .. self.url end
function S3:where(key) return ("s3://%s/%s"):format(self.bucket, key) end

-- ---- S3 calls ----------------------------------------------------------------------------

-- One S3 call: through the workflow's client, or through a client of the state's own
-- (wf.aws_batch, which takes a region and endpoint per request).
local function call(self, op, params)
  local route = self.route
  if not route then return aws.call("s3", op, params) end
  if not self.client then
    self.client = require("wf.aws_batch").new { concurrency = 1, profile = route.profile,
      region = route.client_region, endpoint_url = route.client_endpoint }
  end
  self.client:submit(1, "s3", op, params, { region = route.region, endpoint_url = route.endpoint_url })
  local done = self.client:wait()
  if done[3] then error(done[3], 0) end
  return done[2]
end

local function code_of(e)
  return type(e) == "table" and e.kind == "aws" and e.code or nil
end

-- Raises err as "state s3://...: <what>: <error>" (interruptions stay as they are).
local function fail(self, key, what, err)
  if type(err) == "table" and err.kind ~= "aws" then error(err, 0) end
  error(("state %s: %s: %s"):format(self:where(key), what, errors.message(err)), 0)
end

-- The object's text and ETag, or nil when it does not exist.
function S3:get(key)
  local ok, res = pcall(call, self, "GetObject", { Bucket = self.bucket, Key = key })
  if ok then
    -- Blobs come back base64-encoded, as the AWS CLI prints them.
    local text, why = base64.decode(res.Body or "")
    if not text then fail(self, key, "cannot read", "the body is not base64: " .. why) end
    return text, res.ETag
  end
  if code_of(res) == "NoSuchKey" then return nil end
  fail(self, key, "cannot read", res)
end

-- Puts text at key under a condition: etag (If-Match), or "*" for "must not exist yet"
-- (If-None-Match: *). Returns the new ETag, or nil and the AWS code when the condition did
-- not hold (PreconditionFailed; ConditionalRequestConflict when racing another write).
function S3:put(key, text, etag)
  local params = { Bucket = self.bucket, Key = key, Body = text,
                   ContentType = key:match("%.jsonl$") and "application/x-ndjson" or "application/json" }
  if etag == "*" then params.IfNoneMatch = "*" elseif etag then params.IfMatch = etag end
  local ok, res = pcall(call, self, "PutObject", params)
  if ok then return res.ETag end
  local code = code_of(res)
  if code == "PreconditionFailed" or code == "ConditionalRequestConflict" or (code == "NoSuchKey" and etag) then
    return nil, code
  end
  fail(self, key, "cannot write", res)
end

-- Deletes key if its ETag is still etag. Returns true, or false and the AWS code.
-- S3-compatible stores without conditional deletes get a plain delete.
function S3:delete(key, etag)
  local ok, res = pcall(call, self, "DeleteObject", { Bucket = self.bucket, Key = key, IfMatch = etag })
  if ok then return true end
  local code = code_of(res)
  if code == "NotImplemented" then
    ok, res = pcall(call, self, "DeleteObject", { Bucket = self.bucket, Key = key })
    if ok then return true end
    code = code_of(res)
  end
  if code == "PreconditionFailed" or code == "NoSuchKey" or code == "ConditionalRequestConflict" then return false, code end
  fail(self, key, "cannot delete", res)
end

-- Names under prefix p: the common prefixes (with delimiter "/") or the keys.
function S3:list(p, delimiter)
  local out, token = {}, nil
  repeat
    local ok, res = pcall(call, self, "ListObjectsV2", { Bucket = self.bucket, Prefix = p, Delimiter = delimiter,
                                                  ContinuationToken = token })
    if not ok then fail(self, p, "cannot list", res) end
    for _, cp in ipairs(res.CommonPrefixes or {}) do out[#out + 1] = cp.Prefix end
    for _, o in ipairs(res.Contents or {}) do out[#out + 1] = o.Key end
    token = res.IsTruncated and res.NextContinuationToken or nil
  until not token
  return out
end

-- ---- runs and journals ---------------------------------------------------------------------

function S3:journal_key(run_id) return self.base .. "runs/" .. run_id .. "/journal.jsonl" end
function S3:cache_path(run_id) return self.cache .. "/runs/" .. run_id .. "/journal.jsonl" end

function S3:list_runs()
  local ids = {}
  local p = self.base .. "runs/"
  for _, name in ipairs(self:list(p, "/")) do
    local id = name:sub(#p + 1):match("^([^/]+)/$")
    if id then ids[#ids + 1] = id end
  end
  table.sort(ids)
  return ids
end

-- Up to the last newline: what a crash mid-write left is not part of the journal.
local function complete_lines(text)
  if not text then return nil end
  local last = text:match(".*()\n")
  return last and text:sub(1, last) or ""
end

local function starts_with(s, p) return s:sub(1, #p) == p end

-- The journal as S3 and this agent's cache know it: the longer when one extends the other
-- (a record cached here whose put failed), else S3's. Returns text, S3's etag, the cached
-- text, S3's text.
function S3:merged_text(run_id)
  local remote, etag = self:get(self:journal_key(run_id))
  local path = self:cache_path(run_id)
  local cached = complete_lines(sys.exists(path) == "file" and sys.read_file(path) or nil)
  if cached and (not remote or (#cached > #remote and starts_with(cached, remote))) then
    return cached, etag, cached, remote
  end
  return remote, etag, cached, remote
end

function S3:read_journal(run_id)
  local text = self:merged_text(run_id)
  if not text then return nil, ("no run %s in %s"):format(run_id, self:describe()) end
  local records, torn = journal.parse(text)
  return records, torn, self:where(self:journal_key(run_id))
end

local Journal = {}
Journal.__index = Journal

-- Appends to the fsync'ed cache, then puts the whole journal to S3: when append returns,
-- the record is durable here and visible to every agent.
function Journal:append(record)
  self.local_journal:append(record)
  self:upload()
end

function Journal:upload()
  local text = sys.read_file(self.cache)
  local etag, code = self.store:put(self.key, text, self.etag or "*")
  if not etag then
    error(("state %s: the journal was changed by another writer (%s); was the lock broken with wfrun unlock? " ..
      "This run stops here; see: wfrun status %s %s"):format(self.store:where(self.key), code, self.run_id,
      self.store:option()), 0)
  end
  self.etag = etag
end

function Journal:close()
  self.local_journal:close()
end

-- Opens run_id's journal for appending, after bringing the cache and S3 to the same text.
function S3:open_journal(run_id)
  local key, path = self:journal_key(run_id), self:cache_path(run_id)
  local text, etag, cached, remote = self:merged_text(run_id)
  if cached and remote and not starts_with(cached, remote) and not starts_with(remote, cached) then
    error(("state %s: the journal in S3 and this agent's copy %s disagree; move the copy away to use S3's")
      :format(self:where(key), path), 0)
  end
  if text and text ~= cached then   -- S3 knows more than this agent: start from its text
    sys.mkdir_p(self.cache .. "/runs/" .. run_id)
    sys.write_file(path, text)
  end
  local j = setmetatable({ store = self, key = key, cache = path, run_id = run_id, etag = etag,
                           local_journal = journal.open(path) }, Journal)
  if text and #text > #(remote or "") then j:upload() end   -- records whose put failed before
  return j
end

-- ---- locks -------------------------------------------------------------------------------

function S3:lock_key(key) return self.base .. "locks/" .. key .. ".lock" end
function S3:where_lock(key) return self:where(self:lock_key(key)) end

local function lock_text(run_id, key)
  return json.encode { run_id = run_id, lock = key, host = sys.hostname(), pid = sys.pid(),
                       started = sys.iso8601(interrupt.wall()) } .. "\n"
end

-- The holder of lock key and its ETag, or nil. An unreadable lock is held by {}.
function S3:read_lock(key)
  local text, etag = self:get(self:lock_key(key))
  if not text then return nil end
  local ok, holder = pcall(json.decode, text)
  if not ok or type(holder) ~= "table" then holder = {} end
  return holder, self:where(self:lock_key(key)), etag
end

function S3:acquire_lock(key, run_id)
  local okey = self:lock_key(key)
  local body = lock_text(run_id, key)
  for _ = 1, 10 do
    local etag = self:put(okey, body, "*")
    if etag then return { key = okey, etag = etag, run_id = run_id, where = self:where(okey) } end
    local holder, _, held_etag = self:read_lock(key)
    if holder then
      -- A holder on this host whose process is gone is stale (as with local locks): take it
      -- over, conditionally, so two agents doing the same cannot both win.
      if holder.host == sys.hostname() and tonumber(holder.pid) and tonumber(holder.pid) ~= sys.pid()
          and not sys.process_alive(tonumber(holder.pid)) then
        etag = self:put(okey, body, held_etag)
        if etag then return { key = okey, etag = etag, run_id = run_id, where = self:where(okey) }, nil, holder end
      else
        return false, holder
      end
    end
    interrupt.sleep(0.05 + math.random() * 0.2)   -- released or changed meanwhile: try again
  end
  error(("state %s: could not take the lock after 10 tries (it keeps changing)"):format(self:where(okey)), 0)
end

function S3:release_lock(handle)
  local ok, code = self:delete(handle.key, handle.etag)
  if not ok then
    clog.warn(("lock %s is no longer this run's (%s): it was broken or taken over; left alone")
      :format(handle.where, code))
  end
  return ok
end

function S3:list_locks()
  local keys, p = {}, self.base .. "locks/"
  for _, name in ipairs(self:list(p)) do
    local key = name:sub(#p + 1):match("^([^/]+)%.lock$")
    if key then keys[#keys + 1] = key end
  end
  return keys
end

function S3:break_lock(key, expected, record)
  local holder, _, etag = self:read_lock(key)
  if not holder then return false, "the lock was released meanwhile" end
  if holder.run_id ~= expected.run_id then
    return false, ("the lock changed meanwhile: now held by run %s"):format(tostring(holder.run_id))
  end
  local deleted, code = self:delete(self:lock_key(key), etag)
  if not deleted then return false, "the lock changed meanwhile (" .. tostring(code) .. ")" end
  -- Append to the broken log: read, put with a condition, again if another agent won.
  local log_key = self.base .. "locks/" .. key .. ".broken.jsonl"
  local line = json.encode(record) .. "\n"
  for _ = 1, 10 do
    local text, log_etag = self:get(log_key)
    if self:put(log_key, (text or "") .. line, log_etag or "*") then return true end
  end
  error(("state %s: could not append the record of the broken lock"):format(self:where(log_key)), 0)
end

function S3:lock_breaks(key)
  local text = self:get(self.base .. "locks/" .. key .. ".broken.jsonl")
  if not text then return {} end
  return (journal.parse(text))
end

return M
