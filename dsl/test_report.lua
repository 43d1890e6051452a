-- `wfrun test`: the report (a step x scenario table, then each failure with its inventory
-- diff and journal excerpt) and JUnit XML for CI.
local clog = require "wf.log"
local junit = require "dsl.junit"

local M = {}

M.COLUMNS = { "fault", "wait", "resume", "rollback" }
M.HEADINGS = { fault = "fault", wait = "wait", resume = "kill+resume", rollback = "kill+rollback" }

-- results: flat list; order: step names in run order. Returns the text.
function M.text(title, order, results, notes)
  local cell = {}
  for _, r in ipairs(results) do
    cell[r.step] = cell[r.step] or {}
    cell[r.step][r.scenario] = r.status
  end
  local width = 4
  for _, name in ipairs(order) do width = math.max(width, #name) end
  local lines = { title, "" }
  local head = ("%-" .. width .. "s"):format("step")
  for _, c in ipairs(M.COLUMNS) do head = head .. "  " .. ("%-13s"):format(M.HEADINGS[c]) end
  lines[#lines + 1] = head
  for _, name in ipairs(order) do
    local row = ("%-" .. width .. "s"):format(name)
    for _, c in ipairs(M.COLUMNS) do
      local v = cell[name] and cell[name][c] or "-"
      if v == "fail" then v = "FAIL" end
      row = row .. "  " .. ("%-13s"):format(v)
    end
    lines[#lines + 1] = row
  end
  lines[#lines + 1] = ""
  lines[#lines + 1] = "-: not applicable (the step changed nothing, has no wait, made no AWS call, or ran"
  lines[#lines + 1] = "   after the point of no return, where only resume is checked). In the point of no"
  lines[#lines + 1] = "   return itself a fault is checked by the exit code only: what it did is not undone."
  for _, n in ipairs(notes or {}) do lines[#lines + 1] = n end
  for _, r in ipairs(results) do
    if r.status ~= "pass" then
      lines[#lines + 1] = ""
      lines[#lines + 1] = ("FAIL %s: %s"):format(r.id, r.what or "")
      lines[#lines + 1] = "  " .. (r.message or "")
      for _, d in ipairs(r.diff or {}) do lines[#lines + 1] = d end
      if r.journal and #r.journal > 0 then
        lines[#lines + 1] = "  journal:"
        for _, j in ipairs(r.journal) do lines[#lines + 1] = "    " .. j end
      end
      if r.log and #r.log > 0 then
        lines[#lines + 1] = "  end of its log:"
        for _, l in ipairs(r.log) do lines[#lines + 1] = "    " .. l end
      end
      if r.dir then lines[#lines + 1] = "  files: " .. r.dir end
    end
  end
  return clog.sanitize(table.concat(lines, "\n")) .. "\n"
end

-- JUnit XML (dsl/junit.lua): one testsuite, one testcase per result (classname: the
-- workflow, name: "step scenario"), a failure with the diff and the journal excerpt.
function M.junit(path, suite, results, seconds)
  local cases = {}
  for _, r in ipairs(results) do
    local c = { classname = suite, name = r.step .. " " .. (M.HEADINGS[r.scenario] or r.scenario), time = r.seconds }
    if r.status ~= "pass" then
      local body = { r.what or "", r.message or "" }
      for _, d in ipairs(r.diff or {}) do body[#body + 1] = d end
      if r.journal then
        body[#body + 1] = "journal:"
        for _, j in ipairs(r.journal) do body[#body + 1] = "  " .. j end
      end
      c.failure = { message = r.message or "failed", type = r.scenario, text = table.concat(body, "\n") }
    end
    cases[#cases + 1] = c
  end
  junit.write(path, { { name = suite, cases = cases, time = seconds } }, { name = "wfrun test" })
end

return M
