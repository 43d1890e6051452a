-- What `wfrun apply` checks of a saved plan before it runs anything: that the workflow
-- file, wfrun and its DSL/stdlib are the ones that made the plan, and that every cloud
-- fact the plan pinned is still what it was (the plan is built again, read-only, with the
-- same params and timestamp, and the facts compared name by name).
local sources = require "wf.sources"
local sys = require "wf.sys"
local facts = require "dsl.facts"
local loader = require "dsl.loader"
local plan_mod = require "dsl.plan"

local M = {}

local function short(hash) return tostring(hash):sub(1, 16) end

-- The workflow file of a saved plan: its absolute path when it exists, else the name it
-- was given on the command line, looked up from here as `wfrun plan` does (a CI agent
-- that applies a plan usually has its own checkout). nil when neither is found.
function M.workflow_path(saved)
  if sys.exists(saved.file) == "file" then return saved.file end
  return saved.file_given and loader.find(saved.file_given) or nil
end

-- Differences of code: { { name =, planned =, current = } }, empty when the workflow file,
-- the wfrun version and the DSL/stdlib sources are those of the plan.
function M.code_changes(saved)
  local changes = {}
  local function add(name, planned, current) changes[#changes + 1] = { name = name, planned = planned, current = current } end
  local path = M.workflow_path(saved)
  local source = path and sys.read_file(path)
  if not source then
    add("workflow file " .. saved.file, "sha256 " .. short(saved.file_sha256), "missing")
  elseif sys.sha256_hex(source) ~= saved.file_sha256 then
    add("workflow file " .. path, "sha256 " .. short(saved.file_sha256), "sha256 " .. short(sys.sha256_hex(source)))
  end
  local version = require("dsl.main").VERSION
  if saved.wfrun_version ~= version then add("wfrun version", tostring(saved.wfrun_version), version) end
  local digest = sources.digest()
  if saved.dsl_sha256 ~= digest then
    add("DSL and stdlib sources", "sha256 " .. short(saved.dsl_sha256), "sha256 " .. short(digest))
  end
  return changes
end

-- Differences of facts between the saved plan and one built now: { { name =, planned =,
-- current = } } in the saved plan's order, then facts only the new plan found.
function M.fact_changes(saved_facts, current_facts)
  local now = {}
  for _, f in ipairs(current_facts) do now[f.name] = f end
  local changes, seen = {}, {}
  for _, f in ipairs(saved_facts) do
    seen[f.name] = true
    local c = now[f.name]
    if not c then
      changes[#changes + 1] = { name = f.name, planned = facts.render(f.value),
                                current = "not looked up any more (the workflow took another path)" }
    elseif not facts.same(f.value, c.value) then
      changes[#changes + 1] = { name = f.name, planned = facts.render(f.value), current = facts.render(c.value) }
    end
  end
  for _, c in ipairs(current_facts) do
    if not seen[c.name] then
      changes[#changes + 1] = { name = c.name, planned = "not looked up by the plan", current = facts.render(c.value) }
    end
  end
  return changes
end

-- Builds the plan again for spec and values as the saved one was built; returns the
-- fact changes and the steps that cannot be planned now.
function M.recheck(saved, spec, values, opts)
  local current = plan_mod.build(spec, values, { timestamp = saved.timestamp, opts = opts })
  return M.fact_changes(saved.facts, current.facts), plan_mod.errors(current), #current.facts
end

-- The lines of a refusal: "  - NAME: planned X; now Y".
function M.describe(changes)
  local lines = {}
  for _, c in ipairs(changes) do
    lines[#lines + 1] = ("  - %s: planned %s; now %s"):format(c.name, c.planned, c.current)
  end
  return table.concat(lines, "\n")
end

return M
