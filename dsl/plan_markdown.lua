-- A plan as Markdown, for review in a pull request or as a CI artifact: a summary table,
-- the point of no return and the protection called out, each step with its calls and its
-- undo, and the cloud facts the plan pins.
local clog = require "wf.log"
local facts = require "dsl.facts"
local plan_mod = require "dsl.plan"

local M = {}

-- Text inside a table cell: pipes escaped, newlines as spaces.
local function cell(s)
  return (tostring(s):gsub("\r?\n", " "):gsub("|", "\\|"))
end

-- Inline code that survives backticks inside: a longer fence than any run inside.
local function code(s)
  s = tostring(s)
  local longest = 0
  for run in s:gmatch("`+") do longest = math.max(longest, #run) end
  local fence = ("`"):rep(longest + 1)
  local pad = (s:sub(1, 1) == "`" or s:sub(-1) == "`") and " " or ""
  return fence .. pad .. s .. pad .. fence
end

-- A fenced block whose fence is longer than any run of backticks in the lines.
local function block(lines)
  local longest = 2
  for _, l in ipairs(lines) do for run in l:gmatch("`+") do longest = math.max(longest, #run) end end
  local fence = ("`"):rep(longest + 1)
  return fence .. "\n" .. table.concat(lines, "\n") .. "\n" .. fence
end

local function call_lines(calls)
  local lines = {}
  for _, c in ipairs(calls) do lines[#lines + 1] = plan_mod.render_call(c) end
  return lines
end

local function params_cell(plan)
  local words = plan_mod.param_words(plan)
  if #words == 0 then return "(none)" end
  for i, w in ipairs(words) do words[i] = code(w) end
  return table.concat(words, " ")
end

local function summary(plan, add)
  add(("# Plan: %s"):format(plan.workflow))
  add("")
  if plan.doc then add(plan.doc) add("") end
  add("| | |")
  add("|---|---|")
  add(("| workflow | %s, sha256 %s |"):format(code(plan.file), code(plan.file_sha256)))
  add(("| params | %s |"):format(cell(params_cell(plan))))
  if #(plan.secret_params or {}) > 0 then
    add(("| secret params | %s (not stored: give them again to `wfrun apply`) |")
      :format(cell(table.concat(plan.secret_params, ", "))))
  end
  if plan.protected then
    add(("| environment | %s, **PROTECTED** by %s |"):format(code(plan.environment), cell(plan.protected_by)))
  else
    add(("| environment | %s (not protected) |"):format(code(plan.environment)))
  end
  add(("| wfrun | %s, DSL and stdlib sha256 %s |"):format(code(plan.wfrun_version), code(plan.dsl_sha256)))
  add(("| planned at | %s |"):format(cell(plan.created)))
  add(("| mutating calls | %d would be made (none was made by the plan) |"):format(plan.mutating_calls))
  add("")
end

local function warnings(plan, add)
  local problems = plan_mod.errors(plan)
  if #problems > 0 then
    add("> **This plan has steps that could not be planned; `wfrun apply` refuses it:**")
    for _, p in ipairs(problems) do add("> - " .. cell(p)) end
    add("")
  end
  for _, s in ipairs(plan.steps) do
    if s.irreversible then
      add(("> **Point of no return: step %d %s.** Once it has run, nothing before it is undone; a later failure stops the run (exit 3) instead of rolling back.")
        :format(s.index, code(s.name)))
      if s.protected then
        add(("> It is in a protected environment: it runs only with %s (`--yes` is not enough).")
          :format(code("--confirm=" .. plan.environment)))
      end
      add("")
    end
  end
end

local function step_section(plan, s, add)
  local tags = {}
  if s.irreversible then tags[#tags + 1] = "POINT OF NO RETURN" end
  if s.protected then tags[#tags + 1] = "PROTECTED: needs --confirm=" .. plan.environment end
  if s.always then tags[#tags + 1] = "always" end
  if s.skipped then tags[#tags + 1] = "skipped" end
  add(("### %d. %s%s"):format(s.index, s.name, #tags > 0 and (" — **" .. table.concat(tags, ", ") .. "**") or ""))
  add("")
  if s.doc then add(s.doc) add("") end
  if #s.needs > 0 then
    local names = {}
    for i, n in ipairs(s.needs) do names[i] = code(n) end
    add("Needs: " .. table.concat(names, ", "))
    add("")
  end
  if s.error then add("**Could not be planned:** " .. cell(s.error)) add("") end
  if #s.calls > 0 then
    add("Calls:")
    add("")
    add(block(call_lines(s.calls)))
  elseif not s.skipped then
    add("Calls: none.")
  end
  add("")
  if s.has_undo then
    if #s.undo_calls > 0 then
      add("Undo:")
      add("")
      add(block(call_lines(s.undo_calls)))
    else
      add("Undo: declared, makes no call in this plan.")
    end
    if s.undo_error then add("") add("**Undo could not be planned:** " .. cell(s.undo_error)) end
    add("")
  elseif not s.irreversible and not s.skipped and #s.calls > 0 then
    add("Undo: none declared.")
    add("")
  end
end

local function facts_section(plan, add)
  add("## Facts pinned")
  add("")
  if #plan.facts == 0 then
    add("None: the plan's lookups recorded no cloud fact.")
    add("")
    return
  end
  add("`wfrun apply` looks each of these up again first and refuses to run if one changed.")
  add("")
  add("| fact | value | found by step |")
  add("|---|---|---|")
  for _, f in ipairs(plan.facts) do
    add(("| %s | %s | %s |"):format(cell(code(f.name)), cell(code(facts.render(f.value))), f.step and code(f.step) or ""))
  end
  add("")
end

function M.render(plan)
  local out = {}
  local function add(s) out[#out + 1] = s end
  summary(plan, add)
  warnings(plan, add)
  add("## Steps")
  add("")
  for _, s in ipairs(plan.steps) do step_section(plan, s, add) end
  facts_section(plan, add)
  -- Recorded arguments may hold secret param values: redact as every log does.
  return clog.sanitize(table.concat(out, "\n"))
end

return M
