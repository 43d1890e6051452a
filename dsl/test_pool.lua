-- `wfrun test`: scenarios run concurrently, each in a worker process of its own
-- (`wfrun test --worker=FILE`, with its own awssim), at most `jobs` at a time.
local sys = require "wf.sys"
local json = require "wf.json"
local interrupt = require "wf.interrupt"

local M = {}

local function plain(t)
  local out = {}
  for k, v in pairs(t) do if type(k) ~= "string" or k:sub(1, 1) ~= "_" then out[k] = v end end
  return out
end

-- Runs every scenario; on_result(results_of_one_scenario, done, total) after each.
-- Returns the results in scenario order (a scenario gives one or two).
function M.run(t, scenarios, jobs, on_result)
  local pending, running, done = {}, {}, {}
  for i = 1, #scenarios do pending[#pending + 1] = i end
  local finished = 0
  local spec_t = plain(t)
  local function start(i)
    local s = scenarios[i]
    local file = ("%s/worker-%03d.json"):format(t.dir, i)
    sys.write_file(file, json.encode { t = spec_t, scenario = s })
    local pid = sys.spawn { t.wfrun, "test", "--worker=" .. file, stdout = file .. ".out", stderr = file .. ".out" }
    running[#running + 1] = { i = i, pid = pid, file = file }
  end
  while #pending > 0 or #running > 0 do
    while #running < jobs and #pending > 0 do start(table.remove(pending, 1)) end
    local still = {}
    for _, w in ipairs(running) do
      local code = sys.wait(w.pid)
      if code then
        local text = sys.read_file(w.file .. ".result")
        local ok, res = pcall(json.decode, text or "")
        if not ok or type(res) ~= "table" then
          local s = scenarios[w.i]
          res = { { id = s.id, step = s.step, scenario = s.kind, status = "fail", what = s.what,
                    message = ("the worker exited %d without a result (see %s.out)"):format(code, w.file) } }
        end
        done[w.i] = res
        finished = finished + 1
        if on_result then on_result(res, finished, #scenarios) end
      else
        still[#still + 1] = w
      end
    end
    running = still
    if #running > 0 then interrupt.sleep(0.02) end
  end
  local all = {}
  for i = 1, #scenarios do
    for _, r in ipairs(done[i] or {}) do all[#all + 1] = r end
  end
  return all
end

return M
