-- wrk script of tools/bench/s3-sync: sends the requests of a file (lines "METHOD PATH
-- [COPY-SOURCE]", presigned by s3_sync_helper.py, so nothing is signed here) in turn, each
-- thread from its own offset, and prints one line that the benchmark reads:
--   WRK requests=N non2xx=M socket_errors=E seconds=S
--   wrk -t2 -c16 -d10s -s tools/bench/s3_sync_wrk.lua http://127.0.0.1:PORT -- FILE

local requests = {}
local next_index = 1
local threads = {}

function setup(thread)
  thread:set("id", #threads)
  threads[#threads + 1] = thread
end

function init(args)
  for line in io.lines(args[1]) do
    local method, path, source = line:match("^(%S+) (%S+) ?(%S*)$")
    local headers = {}
    if source ~= "" then headers["x-amz-copy-source"] = source end
    requests[#requests + 1] = wrk.format(method, path, headers)
  end
  -- Thread k starts k/threads of the way in, so two threads do not copy to one key at once.
  next_index = (id or 0) * 7919 % #requests + 1
end

function request()
  local r = requests[next_index]
  next_index = next_index % #requests + 1
  return r
end

function done(summary, latency, reqs)
  local e = summary.errors
  io.write(("WRK requests=%d non2xx=%d socket_errors=%d seconds=%.2f\n"):format(
    summary.requests, e.status, e.connect + e.read + e.write + e.timeout,
    summary.duration / 1e6))
end
