-- Progress of a sync: on a terminal, one line on stderr redrawn twice a second (objects
-- handled, objects/s, bytes/s, an estimate of the time left); otherwise (TeamCity, JSON
-- logs, a plain log file) a progress event every 10 s, which TeamCity shows as its
-- progressMessage. The estimate needs the source's size: on a terminal only, a counting
-- listing of the source runs beside the sync (one ListObjectsV2 per 1,000 keys, nothing
-- held); the events elsewhere report the objects handled and listed so far without an
-- estimate, so that a sync nobody watches lists its source once.
local log = require "wf.log"
local sys = require "wf.sys"
local lister = require "stdlib.s3sync_list"

local M = {}

M.TTY_EVERY = 0.5
M.LOG_EVERY = 10

local P = {}
P.__index = P

function M.new(o, batch, clock)
  local tty = sys.isatty(2) and log.format() == "text"
  local self = setmetatable({ o = o, clock = clock, t0 = clock(), last = clock(), tty = tty,
                              what = ("%s s3://%s/%s -> s3://%s/%s"):format(o.mode, o.src.bucket, o.src.prefix,
                                                                            o.dst.bucket, o.dst.prefix) }, P)
  if tty then self.counter = lister.counter(batch, o.src, function() self.counter = nil end) end
  return self
end

local function human_bytes(n)
  local units = { "B", "KiB", "MiB", "GiB", "TiB" }
  local i = 1
  while n >= 1024 and i < #units do n, i = n / 1024, i + 1 end
  return i == 1 and ("%.0f B"):format(n) or ("%.1f %s"):format(n, units[i])
end

local function human_time(s)
  if s >= 3600 then return ("%dh%02dm"):format(s // 3600, (s % 3600) // 60) end
  if s >= 60 then return ("%dm%02ds"):format(s // 60, math.floor(s % 60)) end
  return ("%ds"):format(math.floor(s + 0.5))
end

function P:line(sum, src)
  local elapsed = math.max(self.clock() - self.t0, 1e-6)
  local handled = sum.copied + sum.skipped + sum.failed + sum.missing + sum.different
  local text = ("%d objects (%d copied), %.0f objects/s, %s/s"):format(handled, sum.copied,
    handled / elapsed, human_bytes(sum.bytes / elapsed))
  local c = self.counter
  if c and c.done and c.listed > 0 then
    local left = math.max(c.listed - handled, 0)
    text = text .. (" of %d"):format(c.listed)
    if handled > 0 then text = text .. (", about %s left"):format(human_time(left * elapsed / handled)) end
  elseif src.listed > 0 then
    text = text .. (", %d listed so far"):format(math.max(src.listed, c and c.listed or 0))
  end
  return text
end

function P:tick(sum, src, final)
  local now = self.clock()
  if self.tty then
    if final then
      if self.drawn then sys.write_stderr("\r\27[K") end
      return
    end
    if now - self.last < M.TTY_EVERY then return end
    self.last, self.drawn = now, true
    sys.write_stderr("\r\27[K" .. self.what .. ": " .. self:line(sum, src))
  elseif not final and now - self.last >= M.LOG_EVERY then
    self.last = now
    log.progress(nil, self.what .. ": " .. self:line(sum, src), now - self.t0)
  end
end

return M
