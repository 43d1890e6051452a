-- `wfrun runs` and `wfrun status`: what the journals in the state (a directory or S3) say.
local sys = require "wf.sys"
local util = require "dsl.util"
local errors = require "dsl.errors"
local state = require "dsl.state"

local M = {}

local function summary(opts)
  local list = {}
  local store = state.backend(opts)
  for _, id in ipairs(store:list_runs()) do
    local ok, run = pcall(state.load_run, store, id)
    if ok and run then list[#list + 1] = run end
  end
  table.sort(list, function(a, b)
    local ta, tb = a.info.time or "", b.info.time or ""
    if ta ~= tb then return ta < tb end
    return a.id < b.id
  end)
  return list
end

local function words(run)
  return table.concat(run.info.words or {}, " ")
end

function M.list(opts)
  local list = summary(opts)
  if #list == 0 then
    sys.write_stderr(("wfrun: no runs in %s\n"):format(state.backend(opts):describe()))
    return 0
  end
  for _, run in ipairs(list) do
    sys.write_stdout(("%s  %-12s %-20s %s %s\n"):format(run.id, run.phase, run.info.time or "?",
      run.info.workflow, words(run)))
  end
  return 0
end

function M.status(opts, run_id)
  if not run_id then
    local list = summary(opts)
    if #list == 0 then errors.raise_usage(("no runs in %s"):format(state.backend(opts):describe())) end
    run_id = list[#list].id
  end
  local store = state.backend(opts)
  local run, err = state.load_run(store, run_id)
  if not run then errors.raise_usage(err) end
  local out = {
    ("run %s: %s"):format(run.id, run.phase),
    ("  workflow %s (%s) %s"):format(run.info.workflow, run.info.file, words(run)),
    ("  started %s on %s (pid %s)"):format(run.info.time or "?", run.info.host or "?", tostring(run.info.pid)),
  }
  if run.ponr then out[#out + 1] = ("  point of no return passed: %s"):format(run.ponr) end
  if run.torn then out[#out + 1] = "  (the journal's last line was torn by a crash and was ignored)" end
  if run.stop_reason then out[#out + 1] = "  stopped: " .. run.stop_reason end
  local broken = run.lock_broken
  if broken then
    out[#out + 1] = ("  lock broken %s by %s on %s: %s"):format(tostring(broken.time), tostring(broken.user),
      tostring(broken.host), tostring(broken.reason))
  end
  out[#out + 1] = "  steps:"
  local names = util.sorted_keys(run.steps)
  table.sort(names, function(a, b)
    local ia, ib = math.huge, math.huge
    for i, n in ipairs(run.completed) do if n == a then ia = i end if n == b then ib = i end end
    if ia ~= ib then return ia < ib end
    return a < b
  end)
  for _, name in ipairs(names) do
    local s = run.steps[name]
    local line = ("    %-24s %-10s"):format(name, s.status)
    if s.undo then line = line .. " undo " .. s.undo end
    if s.attempts and s.attempts > 1 then line = line .. (" (%d attempts)"):format(s.attempts) end
    if s.error and s.status == "failed" then line = line .. ": " .. s.error end
    if s.undo_error and s.undo == "failed" then line = line .. ": " .. s.undo_error end
    out[#out + 1] = line
  end
  if run.phase ~= "succeeded" and run.phase ~= "rolled_back" then
    local option = store:option() ~= "" and (" " .. store:option()) or ""
    out[#out + 1] = ("  continue: wfrun resume %s%s   undo: wfrun rollback %s%s"):format(run.id, option, run.id, option)
  end
  sys.write_stdout(table.concat(out, "\n") .. "\n")
  return 0
end

return M
