-- `wfrun apply PLAN.json [--SECRET=VALUE...]`: runs a saved plan, once it has checked that
-- nothing the plan relied on changed: the workflow file, wfrun's DSL and stdlib, and the
-- cloud facts its lookups found. Any difference refuses the plan with the list of what
-- changed (exit 2) before anything runs; otherwise the workflow runs with the plan's
-- params, as `wfrun WORKFLOW.lua PARAMS` would (same executor, journal, lock, confirmations).
local clog = require "wf.log"
local json = require "wf.json"
local errors = require "dsl.errors"
local executor = require "dsl.executor"
local loader = require "dsl.loader"
local params_mod = require "dsl.params"
local plan_check = require "dsl.plan_check"
local plan_file = require "dsl.plan_file"
local plan_mod = require "dsl.plan"
local protection = require "dsl.protection"

local M = {}

M.USAGE = [[
usage: wfrun apply PLAN.json [--SECRET=VALUE...] [--yes | --confirm=ENV]

Runs the plan written by `wfrun plan WORKFLOW.lua PARAMS -o PLAN.json` after checking that
the workflow file, wfrun's DSL and stdlib, and every cloud fact the plan pinned are still
what they were; if any changed it refuses (exit 2) and lists them. Secret params are not
stored in a plan: give each one again. Points of no return need --yes, or --confirm=ENV in
a protected environment, as for `wfrun WORKFLOW.lua`.]]

local function command_of(saved)
  local words = { "wfrun", "plan", saved.file }
  for _, w in ipairs(saved.words) do words[#words + 1] = w end
  return table.concat(words, " ")
end

-- The secret params given on the apply command line, as words for params.bind. Anything
-- else is refused: the plan pins every other param.
local function secret_words(spec, saved, extra)
  local given = {}
  for _, w in ipairs(extra) do
    local name = w:match("^%-%-([%w_-]+)=")
    local p = name and spec.params[name:gsub("-", "_")]
    if not (p and p.type == "secret") then
      errors.raise_usage(("apply takes only the plan's secret params again; %q is not one (the plan pins every other param)")
        :format(w), M.USAGE)
    end
    given[p.name] = true
  end
  for _, name in ipairs(saved.secret_params or {}) do
    if not given[name] then
      local option = "--" .. name:gsub("_", "-")
      errors.raise_usage(("the plan was made with secret param %s, which a plan does not store: give it again (wfrun apply PLAN.json %s=VALUE)")
        :format(option, option), M.USAGE)
    end
  end
  return extra
end

-- Refuses the plan (exit 2): what changed, and the steps that cannot be planned now.
local function refuse(path, saved, what, changes, unplannable)
  local lines = { ("plan %s is out of date: %s; nothing was run."):format(path, what) }
  if #changes > 0 then lines[#lines + 1] = plan_check.describe(changes) end
  if unplannable and #unplannable > 0 then
    lines[#lines + 1] = "Steps that cannot be planned now:"
    for _, e in ipairs(unplannable) do lines[#lines + 1] = "  - " .. e:match("^[^\n]*") end
  end
  lines[#lines + 1] = "Make a new plan, review it and apply that:"
  lines[#lines + 1] = ("  %s -o %s%s"):format(command_of(saved), path,
    #(saved.secret_params or {}) > 0 and " (with its secret params)" or "")
  errors.raise_usage(table.concat(lines, "\n"))
end

function M.run(opts, words)
  if opts.help then
    require("wf.sys").write_stdout(M.USAGE .. "\n")
    return 0
  end
  local path = words[1]
  if not path then errors.raise_usage("apply needs a saved plan: wfrun apply PLAN.json", M.USAGE) end
  local saved = plan_file.read(path)
  local problems = plan_mod.errors(saved)
  if #problems > 0 then
    errors.raise_usage(("plan %s has steps that could not be planned, so it cannot be applied:\n  %s")
      :format(path, table.concat(problems, "\n  ")))
  end
  local code_changes = plan_check.code_changes(saved)
  if #code_changes > 0 then refuse(path, saved, "the code that made it changed", code_changes) end

  local spec = loader.load(plan_check.workflow_path(saved))
  local extra = {}
  for i = 2, #words do extra[#extra + 1] = words[i] end
  local bind_words = {}
  for _, w in ipairs(saved.words) do bind_words[#bind_words + 1] = w end
  for _, w in ipairs(secret_words(spec, saved, extra)) do bind_words[#bind_words + 1] = w end
  local values = params_mod.bind(spec, bind_words)
  if json.encode(params_mod.redacted(spec, values)) ~= json.encode(saved.params) then
    errors.raise_usage(("plan %s: its params do not bind to the same values any more; make a new plan"):format(path))
  end

  -- Refuse a missing or wrong --confirm before the facts are looked up (the run would).
  protection.check({ spec = spec, opts = opts, steps = {} }, executor.environment(spec, values))

  clog.info(("checking plan %s: building it again as a dry run (no change is made) to look up its %d fact(s)")
    :format(path, #saved.facts))
  local changes, now_errors, count = plan_check.recheck(saved, spec, values, opts)
  if #changes > 0 then
    refuse(path, saved, ("%d fact(s) changed since it was made"):format(#changes), changes, now_errors)
  elseif #now_errors > 0 then
    refuse(path, saved, ("%d step(s) cannot be planned now"):format(#now_errors), changes, now_errors)
  end
  clog.info(("plan %s: the workflow file, the DSL and all %d fact(s) are as planned; running it"):format(path, count))
  return executor.start(spec, values, opts)
end

return M
