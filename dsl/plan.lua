-- Plan mode (dry run): the same step bodies run with mutating primitives recorded instead
-- of made, read-only ones made for real, waits returning at once. The plan lists each
-- step with its calls, its undo's calls and the points of no return.
local clog = require "wf.log"
local interrupt = require "wf.interrupt"
local json = require "wf.json"
local sys = require "wf.sys"
local context = require "dsl.context"
local errors = require "dsl.errors"
local params_mod = require "dsl.params"
local primitives = require "dsl.primitives"
local util = require "dsl.util"

local M = {}

local Recorder = {}
Recorder.__index = Recorder

function Recorder:record(name, args, mutating, placeholder)
  local entry = self.current
  local list = self.in_undo and entry.undo_calls or entry.calls
  list[#list + 1] = { call = name, args = util.copy_data(args), mutating = mutating }
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

-- Builds the plan of spec with bound params. Never raises for step errors: a step that
-- cannot be planned is listed with its error.
function M.build(spec, values)
  local rec = setmetatable({ mutating_count = 0 }, Recorder)
  local r = { spec = spec, params = values, outputs = {}, plan = true, id = "<run-id>",
              timestamp = sys.compact_time(interrupt.wall()) }
  local plan = {
    workflow = spec.name, file = spec.file, file_sha256 = spec.source_sha256, doc = spec.doc,
    params = params_mod.redacted(spec, values), steps = json.array({}),
  }
  primitives.set_mode("plan", rec)
  local ok_all, err_all = pcall(function()
    for i, step in ipairs(spec.order) do
      local entry = {
        index = i, name = step.name, doc = step.doc, needs = json.array(step.needs),
        irreversible = step.irreversible or false, always = step.always or false,
        has_undo = step.undo ~= nil, calls = json.array({}), undo_calls = json.array({}),
      }
      plan.steps[#plan.steps + 1] = entry
      rec.current, rec.in_undo = entry, false
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
  if not ok_all then error(err_all, 0) end
  plan.mutating_calls = rec.mutating_count
  return plan
end

local function render_call(c)
  local args = c.args
  local text
  if type(args) == "table" then text = util.render(args) else text = util.render(args) end
  return ("%s %s%s"):format(c.call, text, c.mutating and "" or "   (read-only)")
end

function M.render_text(plan)
  local out = {}
  local function add(s) out[#out + 1] = s end
  local words = {}
  for _, k in ipairs(util.sorted_keys(plan.params)) do words[#words + 1] = ("%s=%s"):format(k, tostring(plan.params[k])) end
  add(('Plan for workflow "%s" (%s)%s'):format(plan.workflow, plan.file,
    #words > 0 and (" with " .. table.concat(words, ", ")) or ""))
  if plan.doc then add("  " .. plan.doc) end
  add("")
  for _, s in ipairs(plan.steps) do
    local tags = {}
    if s.irreversible then tags[#tags + 1] = "POINT OF NO RETURN" end
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
  add(("%d mutating call(s) would be made; none was made."):format(plan.mutating_calls))
  -- Recorded arguments may hold secret param values: redact as every log does.
  return clog.sanitize(table.concat(out, "\n") .. "\n")
end

function M.render_json(plan)
  return clog.sanitize(json.encode(plan, { pretty = true }) .. "\n")
end

return M
