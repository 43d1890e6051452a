-- `wfrun s3 sync SRC DST [options]` and `wfrun s3 verify SRC DST [options]`: the S3 sync
-- engine of stdlib/s3sync on the command line (docs/s3-sync.md). Exit 0: everything done
-- (sync) or no difference (verify); 1: some objects failed or differ, or a listing failed;
-- 2: bad input; 3: stopped by a signal (running it again finishes the job).
local clog = require "wf.log"
local interrupt = require "wf.interrupt"
local json = require "wf.json"
local sys = require "wf.sys"
local errors = require "dsl.errors"

local M = {}

M.USAGE = [[
usage: wfrun s3 sync SRC DST [options]      copy what DST lacks or has different
       wfrun s3 verify SRC DST [options]    compare SRC and DST (keys, sizes, ETags)

SRC and DST are s3://bucket[/prefix] URLs (a prefix is a folder: s3://b/data means data/).
Copies are server-side (CopyObject; multipart UploadPartCopy above the threshold).

options:
      --delete                  sync: also delete DST objects that SRC lacks
      --dry-run                 sync: list what would be copied or deleted, change nothing
      --include=RE              only keys (relative to the prefix) matching this PCRE2
                                pattern; repeatable (a key matching any one is included)
      --exclude=RE              leave out keys matching this pattern; repeatable
      --compare=MODE            etag (default: size and ETag), size-mtime (size, and DST not
                                older than SRC), or size
      --concurrency=N           requests in flight (default 64)
      --multipart-threshold=SZ  multipart copy above this size (default 64MiB; at most 5GiB)
      --part-size=SZ            part size of multipart copies (default 64MiB)
      --max-attempts=N          attempts per request (default 10)
      --source-region=R, --target-region=R
                                the buckets' regions (default: asked with GetBucketLocation)
      --source-endpoint-url=URL, --target-endpoint-url=URL
                                a side's S3 endpoint (default: --endpoint-url / AWS_ENDPOINT_URL)
      --format=json             print the summary as one JSON object
      --no-progress             no progress line on a terminal
  also the global --region, --profile, --endpoint-url, --verbose, --log-format

output: dry-run and verify lines on stdout ("copy KEY (N bytes)", "delete KEY", "missing KEY",
"extra KEY", "different KEY (...)"), failed objects on stderr ("failed KEY: error"), then
a summary line on stdout.

exit codes: 0 done / no difference, 1 some objects failed or differ (or a listing failed),
2 bad input, 3 stopped by SIGINT/SIGTERM (run the same command again to finish).]]

-- name -> { field, takes a value, repeatable }
local OPTIONS = {
  ["delete"] = { "delete" },
  ["include"] = { "include", true, true },
  ["exclude"] = { "exclude", true, true },
  ["compare"] = { "compare", true },
  ["concurrency"] = { "concurrency", true },
  ["multipart-threshold"] = { "multipart_threshold", true },
  ["part-size"] = { "part_size", true },
  ["max-attempts"] = { "max_attempts", true },
  ["source-region"] = { "source_region", true },
  ["target-region"] = { "target_region", true },
  ["source-endpoint-url"] = { "source_endpoint_url", true },
  ["target-endpoint-url"] = { "target_endpoint_url", true },
  ["no-progress"] = { "no_progress" },
}

local function usage_error(msg) errors.raise_usage(msg, M.USAGE) end

-- "123", "64MiB", "8MB", "1GiB", "5G" -> bytes.
function M.parse_size(text, what)
  local n, unit = tostring(text):match("^(%d+)%s*(%a*)$")
  local mult = { [""] = 1, B = 1, K = 1024, KB = 1000, KiB = 1024, M = 1024 ^ 2, MB = 1000 ^ 2, MiB = 1024 ^ 2,
                 G = 1024 ^ 3, GB = 1000 ^ 3, GiB = 1024 ^ 3 }
  if not n or not mult[unit] then usage_error(("%s must be a size such as 8388608, 64MiB or 1GiB, not %q"):format(what, text)) end
  return math.tointeger(tonumber(n) * mult[unit])
end

local function parse_words(words)
  local o, pos = { include = {}, exclude = {} }, {}
  local i = 1
  while i <= #words do
    local w = words[i]
    local name, value = w:match("^%-%-([%w-]+)=(.*)$")
    if not name then name = w:match("^%-%-([%w-]+)$") end
    if name then
      local spec = OPTIONS[name]
      if not spec then usage_error(("unknown option %s"):format(w)) end
      if spec[2] then
        if value == nil then
          i = i + 1
          value = words[i]
          if value == nil then usage_error(("option --%s needs a value"):format(name)) end
        end
        if spec[3] then table.insert(o[spec[1]], value) else o[spec[1]] = value end
      else
        if value ~= nil then usage_error(("option --%s takes no value"):format(name)) end
        o[spec[1]] = true
      end
    elseif w:sub(1, 1) == "-" and w ~= "-" then
      usage_error(("unknown option %s"):format(w))
    else
      pos[#pos + 1] = w
    end
    i = i + 1
  end
  return o, pos
end

local function whole(v, what)
  if v == nil then return nil end
  local n = tonumber(v)
  if not n or n ~= math.floor(n) or n < 1 then usage_error(("%s must be a whole number >= 1, not %q"):format(what, v)) end
  return math.tointeger(n)
end

local function out(line) sys.write_stdout(clog.sanitize(line) .. "\n") end

function M.run(opts, words)
  local mode = words[1]
  if opts.help or mode == nil or mode == "help" then
    sys.write_stdout(M.USAGE .. "\n")
    return (opts.help or mode == "help") and 0 or 2
  end
  if mode ~= "sync" and mode ~= "verify" then usage_error(("unknown s3 command %q (sync or verify)"):format(mode)) end
  local rest = {}
  for i = 2, #words do rest[#rest + 1] = words[i] end
  local o, pos = parse_words(rest)
  if #pos ~= 2 then usage_error(("s3 %s needs SRC and DST (s3://bucket/prefix), got %d argument(s)"):format(mode, #pos)) end
  if mode == "verify" and (o.delete or opts.dry_run) then usage_error("s3 verify takes neither --delete nor --dry-run") end
  if opts.format and opts.format ~= "json" and opts.format ~= "text" then usage_error("--format must be text or json") end

  local s3sync = require "stdlib.s3sync"
  local failed_lines = 0
  local args = {
    source = pos[1], target = pos[2], delete = o.delete, dry_run = opts.dry_run,
    include = o.include, exclude = o.exclude, compare = o.compare,
    concurrency = whole(o.concurrency, "--concurrency"), max_attempts = whole(o.max_attempts, "--max-attempts"),
    multipart_threshold = o.multipart_threshold and M.parse_size(o.multipart_threshold, "--multipart-threshold"),
    part_size = o.part_size and M.parse_size(o.part_size, "--part-size"),
    source_region = o.source_region, target_region = o.target_region,
    source_endpoint_url = o.source_endpoint_url, target_endpoint_url = o.target_endpoint_url,
    progress = not o.no_progress,
    report = function(kind, key, info)
      if kind == "failed" then
        failed_lines = failed_lines + 1
        sys.write_stderr(clog.sanitize(("failed %s: %s"):format(key, info)) .. "\n")
      elseif kind == "copy" or kind == "missing" or kind == "extra" then
        out(("%s %s (%d bytes)"):format(kind, key, info))
      elseif kind == "delete" then
        out(("delete %s"):format(key))
      else
        out(("%s %s (%s)"):format(kind, key, tostring(info)))
      end
    end,
  }
  -- The sync stops at a signal; reporting how it ended does not (a signal still pending
  -- would otherwise be raised again by the Lua hook in the code below, outside the pcall).
  interrupt.hold(false)
  local ok, sum = pcall(mode == "sync" and s3sync.run_sync or s3sync.run_verify, args)
  interrupt.hold(true)
  if not ok then
    if errors.kind(sum) == "interrupted" or errors.kind(sum) == "timeout" then
      sys.write_stderr(("wfrun: s3 %s stopped: %s; run the same command again to finish what is left\n")
        :format(mode, clog.sanitize(errors.message(sum))))
      return 3
    end
    if errors.kind(sum) == "usage" then error(sum, 0) end
    sys.write_stderr("wfrun: s3 " .. mode .. ": " .. clog.sanitize(errors.message(sum)) .. "\n")
    return 1
  end
  if clog.format() == "teamcity" then
    local keys = mode == "sync" and { "copied", "skipped", "deleted", "failed", "bytes" }
                 or { "skipped", "missing", "extra", "different" }
    for _, k in ipairs(keys) do
      clog.statistic("s3." .. mode .. "." .. k, sum[k])
    end
  end
  if opts.format == "json" then
    local copy = {}
    for k, v in pairs(sum) do copy[k] = v end
    copy.mode = mode
    out(json.encode(copy))
  else
    out(("s3 %s %s -> %s: %s"):format(mode, pos[1], pos[2], s3sync.describe(sum, mode)))
  end
  if mode == "verify" then return sum.ok and 0 or 1 end
  return sum.failed == 0 and 0 or 1
end

return M
