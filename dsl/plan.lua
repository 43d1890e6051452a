-- Plan mode (dry run): the same step bodies run with mutating primitives recorded instead
-- of made, read-only ones made for real, waits returning at once. The plan lists each
-- step with its calls, its undo's calls and the points of no return, and pins what a
-- saved plan is checked against before `wfrun apply` runs it: the workflow file's hash,
-- the DSL and stdlib in use, the params and the cloud facts its lookups found.
local clog = require "wf.log"
local interrupt = require "wf.interrupt"
local json = require "wf.json"
local sources = require "wf.sources"
local sys = require "wf.sys"
local context = require "dsl.context"
local errors = require "dsl.errors"
local executor = require "dsl.executor"
local facts = require "dsl.facts"
local params_mod = require "dsl.params"
local primitives = require "dsl.primitives"
local protection = require "dsl.protection"
local util = require "dsl.util"

local M = {}

-- What a saved plan file says it is; apply refuses any other.
M.FORMAT, M.FORMAT_VERSION = "wfrun-plan", 1

local Recorder = {}
Recorder.__index = Recorder

function Recorder:record(name, args, mutating, placeholder)
  local entry = self.current
  local list = self.in_undo and entry.undo_calls or entry.calls
  list[#list + 1] = { call = name, args = util.copy_data(args), text = util.render(args), mutating = mutating }
  self.mutating_count = self.mutating_count + (mutating and 1 or 0)
  if mutating then
    local ref = ("%s.%s#%d"):format(entry.name .. (self.in_undo and ".undo" or ""), name, #list)
    if placeholder then return placeholder(ref) end
    return "<" .. ref .. ">"
  end
end

-- Step outputs in a plan: what run returned, and a placeholder for anything else.
local function placeholder_outputs(name, returned)
  return setmetatable(type(returned) == "table" and returned or {}, {
    __index = function(_, k) return ("<%s.%s>"):format(name, tostring(k)) end,
  })
end

-- The names of the secret params that have a value other than their default: a saved
-- plan keeps only that they were given, and apply needs them again.
local function given_secrets(spec, values)
  local names = json.array({})
  for _, name in ipairs(util.sorted_keys(spec.params)) do
    local p = spec.params[name]
    if p.type == "secret" and values[name] ~= nil and values[name] ~= p.default then names[#names + 1] = name end
  end
  return names
end

-- The command-line words that bind to values again, leaving out params at their default
-- (a default is kept as declared, "50m", while a given value is converted, 3000).
local function plan_words(spec, values)
  local given = {}
  for name, v in pairs(values) do
    local p = spec.params[name]
    if p and (p.position or v ~= p.default) then given[name] = v end
  end
  return json.array(params_mod.words(spec, given))
end

-- Builds the plan of spec with bound params. Never raises for step errors: a step that
-- cannot be planned is listed with its error. options: timestamp (the run's start that
-- names are built from: apply passes the saved plan's so they come out the same), opts
-- (the command's options: --config for protected environments).
function M.build(spec, values, options)
  options = options or {}
  local rec = setmetatable({ mutating_count = 0 }, Recorder)
  local r = { spec = spec, params = values, outputs = {}, plan = true, id = "<run-id>",
              timestamp = options.timestamp or sys.compact_time(interrupt.wall()) }
  local env = executor.environment(spec, values)
  local protected = protection.of(env, options.opts)
  local plan = {
    format = M.FORMAT, format_version = M.FORMAT_VERSION,
    wfrun_version = require("dsl.main").VERSION, dsl_sha256 = (sources.digest()),
    created = sys.iso8601(interrupt.wall()), timestamp = r.timestamp,
    workflow = spec.name, file = sys.realpath(spec.file) or spec.file, file_sha256 = spec.source_sha256, doc = spec.doc,
    file_given = spec.file,   -- as named on the command line: found again from another checkout
    params = params_mod.redacted(spec, values), words = plan_words(spec, values),
    secret_params = given_secrets(spec, values),
    environment = env, protected = protected and true or false,
    protected_by = protected and protection.describe(protected) or nil,
    steps = json.array({}),
  }
  primitives.set_mode("plan", rec)
  facts.start()
  local ok_all, err_all = pcall(function()
    for i, step in ipairs(spec.order) do
      local entry = {
        index = i, name = step.name, doc = step.doc, needs = json.array(step.needs),
        irreversible = step.irreversible or false, always = step.always or false,
        has_undo = step.undo ~= nil, calls = json.array({}), undo_calls = json.array({}),
        protected = (step.irreversible and protected) and true or nil,
      }
      plan.steps[#plan.steps + 1] = entry
      rec.current, rec.in_undo = entry, false
      facts.set_step(step.name)
      local ctx = context.new(r, step, 1)
      local go = true
      if type(step.when) == "boolean" then
        go = step.when
      elseif type(step.when) == "function" then
        local ok, v = pcall(step.when, ctx)
        if not ok then entry.error = errors.message(v) go = false else go = v and true or false end
      end
      if not go then
        entry.skipped = true
        r.outputs[step.name] = placeholder_outputs(step.name, nil)
      else
        local ok, res = pcall(step.run, ctx)
        if not ok then entry.error = errors.message(res) res = nil end
        r.outputs[step.name] = placeholder_outputs(step.name, res)
        if step.undo then
          rec.in_undo = true
          local uok, uerr = pcall(step.undo, ctx, r.outputs[step.name])
          if not uok then entry.undo_error = errors.message(uerr) end
          rec.in_undo = false
        end
      end
    end
  end)
  primitives.set_mode("run")
  plan.facts = facts.stop()
  if not ok_all then error(err_all, 0) end
  plan.mutating_calls = rec.mutating_count
  return plan
end

-- The steps that could not be planned, as "step: error" lines (a saved plan with any
-- cannot be applied).
function M.errors(plan)
  local out = {}
  for _, s in ipairs(plan.steps or {}) do
    if s.error then out[#out + 1] = ('step "%s": %s'):format(s.name, s.error) end
    if s.undo_error then out[#out + 1] = ('undo of step "%s": %s'):format(s.name, s.undo_error) end
  end
  return out
end

-- One planned call: `aws.ec2.run_instances {...}`, read-only ones marked.
function M.render_call(c)
  return ("%s %s%s"):format(c.call, c.text or util.render(c.args), c.mutating and "" or "   (read-only)")
end

-- Plain data JSON can hold: a table with both list items and named keys ({"cat", f,
-- readonly = true}) becomes an object whose item keys are "1", "2", ...
local function json_safe(v)
  if type(v) ~= "table" then return v end
  local n, mixed = #v, false
  for k in pairs(v) do
    if not (math.type(k) == "integer" and k >= 1 and k <= n) then mixed = n > 0 end
  end
  local out = {}
  for k, x in pairs(v) do out[mixed and tostring(k) or k] = json_safe(x) end
  return setmetatable(out, getmetatable(v))
end
local render_call = M.render_call

-- "key=value, ..." of a plan's params (secrets as <secret>).
function M.param_words(plan)
  local words = {}
  for _, k in ipairs(util.sorted_keys(plan.params)) do words[#words + 1] = ("%s=%s"):format(k, tostring(plan.params[k])) end
  return words
end

-- One line on the plan's environment and whether it is protected.
function M.environment_line(plan)
  if not plan.protected then return ("environment %s (not protected)"):format(plan.environment) end
  return ("environment %s is PROTECTED by %s: its points of no return need --confirm=%s (--yes is not enough)")
    :format(plan.environment, plan.protected_by, plan.environment)
end

function M.render_text(plan)
  local out = {}
  local function add(s) out[#out + 1] = s end
  local words = M.param_words(plan)
  add(('Plan for workflow "%s" (%s)%s'):format(plan.workflow, plan.file,
    #words > 0 and (" with " .. table.concat(words, ", ")) or ""))
  if plan.doc then add("  " .. plan.doc) end
  add("  " .. M.environment_line(plan))
  add("")
  for _, s in ipairs(plan.steps) do
    local tags = {}
    if s.irreversible then tags[#tags + 1] = "POINT OF NO RETURN" end
    if s.protected then tags[#tags + 1] = "PROTECTED: needs --confirm=" .. plan.environment end
    if s.always then tags[#tags + 1] = "always" end
    if s.skipped then tags[#tags + 1] = "skipped" end
    add(("%2d. %s%s%s"):format(s.index, s.name, #tags > 0 and (" [" .. table.concat(tags, ", ") .. "]") or "",
      s.doc and (" - " .. s.doc) or ""))
    if #s.needs > 0 then add("      needs: " .. table.concat(s.needs, ", ")) end
    for _, c in ipairs(s.calls) do add("      " .. render_call(c)) end
    if #s.calls == 0 and not s.skipped then add("      (no calls)") end
    if s.error then add("      ! could not be planned: " .. s.error) end
    if s.has_undo then
      add("      undo:")
      for _, c in ipairs(s.undo_calls) do add("        " .. render_call(c)) end
      if #s.undo_calls == 0 then add("        (no calls)") end
      if s.undo_error then add("        ! could not be planned: " .. s.undo_error) end
    elseif not s.irreversible and not s.skipped and #s.calls > 0 then
      add("      undo: none declared")
    end
    if s.irreversible then
      add("      -- once this step has run, nothing before it is undone --")
    end
  end
  add("")
  if #plan.facts > 0 then
    add("Facts this plan pins (wfrun apply checks each again first):")
    for _, f in ipairs(plan.facts) do add(("  %s: %s"):format(f.name, facts.render(f.value))) end
    add("")
  end
  add(("%d mutating call(s) would be made; none was made."):format(plan.mutating_calls))
  -- Recorded arguments may hold secret param values: redact as every log does.
  return clog.sanitize(table.concat(out, "\n") .. "\n")
end

function M.render_json(plan)
  return clog.sanitize(json.encode(json_safe(plan), { pretty = true }) .. "\n")
end

return M
