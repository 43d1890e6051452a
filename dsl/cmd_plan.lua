-- `wfrun plan WORKFLOW.lua [PARAMS...]`: a dry run, as text, JSON (what `wfrun apply`
-- takes) or Markdown (for review); `wfrun plan PLAN.json` renders a saved plan again
-- without looking anything up.
local sys = require "wf.sys"
local errors = require "dsl.errors"
local params_mod = require "dsl.params"
local plan_mod = require "dsl.plan"
local plan_file = require "dsl.plan_file"

local M = {}

M.FORMATS = { text = true, json = true, markdown = true }

-- --format, else what -o's file name says (.json, .md), else text.
local function format_of(opts)
  if opts.format then
    if not M.FORMATS[opts.format] then
      errors.raise_usage(("--format must be text, json or markdown, not %q"):format(opts.format))
    end
    return opts.format
  end
  local out = opts.output or ""
  if out:match("%.json$") then return "json" end
  if out:match("%.md$") then return "markdown" end
  return "text"
end

function M.render(plan, fmt)
  if fmt == "json" then return plan_mod.render_json(plan) end
  if fmt == "markdown" then return require("dsl.plan_markdown").render(plan) end
  return plan_mod.render_text(plan)
end

local function write_output(opts, text)
  if opts.output then
    local ok, err = pcall(sys.write_file, opts.output, text)
    if not ok then errors.raise_usage(("--output: %s"):format(errors.message(err))) end
    sys.write_stderr(("wfrun: plan written to %s\n"):format(opts.output))
  else
    sys.write_stdout(text)
  end
end

function M.run(opts, words, load_workflow)
  local fmt = format_of(opts)
  if plan_file.is_plan_file(words[1]) then
    if #words > 1 then errors.raise_usage("a saved plan takes no params: wfrun plan PLAN.json [--format=markdown]") end
    write_output(opts, M.render(plan_file.read(words[1]), fmt))
    return 0
  end
  local spec = load_workflow(words[1])
  local rest = {}
  for i = 2, #words do rest[#rest + 1] = words[i] end
  local values = params_mod.bind(spec, rest)
  local plan = plan_mod.build(spec, values, { opts = opts })
  write_output(opts, M.render(plan, fmt))
  local problems = plan_mod.errors(plan)
  if opts.output and #problems > 0 then
    sys.write_stderr(("wfrun: %d step(s) could not be planned; wfrun apply will refuse this plan\n"):format(#problems))
  end
  return 0
end

return M
