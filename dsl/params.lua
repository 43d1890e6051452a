-- Binding command-line words to a workflow's declared params: positionals by position,
-- --name=value by name (dashes and underscores alike), typed by wf.args.convert.
local args = require "wf.args"
local clog = require "wf.log"
local errors = require "dsl.errors"
local util = require "dsl.util"

local M = {}

local function positional_params(spec)
  local list = {}
  for _, p in pairs(spec.params) do if p.position then list[#list + 1] = p end end
  table.sort(list, function(a, b) return a.position < b.position end)
  return list
end

function M.positional_params(spec) return positional_params(spec) end

local function optional(p) return p.default ~= nil or p.required == false or p.type == "bool" end

-- "wfrun clone.lua SOURCE TARGET [--dry=BOOL]" style usage and a table of params.
function M.usage(spec, program)
  local parts = { program or ("wfrun " .. spec.file) }
  for _, p in ipairs(positional_params(spec)) do
    local word = p.name:upper()
    parts[#parts + 1] = optional(p) and ("[" .. word .. "]") or word
  end
  local lines = {}
  for _, name in ipairs(util.sorted_keys(spec.params)) do
    local p = spec.params[name]
    if not p.position then
      local word = ("--%s=%s"):format(name:gsub("_", "-"), p.type:upper())
      parts[#parts + 1] = optional(p) and ("[" .. word .. "]") or word
    end
  end
  lines[1] = "usage: " .. table.concat(parts, " ")
  if spec.doc then lines[#lines + 1] = "\n" .. spec.doc end
  if next(spec.params) then
    lines[#lines + 1] = "\nparameters:"
    local ordered = positional_params(spec)
    for _, name in ipairs(util.sorted_keys(spec.params)) do
      if not spec.params[name].position then ordered[#ordered + 1] = spec.params[name] end
    end
    for _, p in ipairs(ordered) do
      local label = p.position and p.name:upper() or ("--" .. p.name:gsub("_", "-"))
      local extra = {}
      extra[#extra + 1] = p.type
      if p.choices then extra[#extra + 1] = "one of " .. table.concat(p.choices, "|") end
      if p.default ~= nil and p.type ~= "secret" then extra[#extra + 1] = "default " .. tostring(p.default) end
      if not optional(p) then extra[#extra + 1] = "required" end
      lines[#lines + 1] = ("  %-22s %s (%s)"):format(label, p.doc or "", table.concat(extra, ", "))
    end
  end
  return table.concat(lines, "\n")
end

local function convert(spec, p, text)
  local value, why = args.convert(p.type, text, p.choices)
  if value == nil then
    errors.raise_usage(('param %s: %s'):format(p.position and p.name:upper() or ("--" .. p.name:gsub("_", "-")), why),
      M.usage(spec))
  end
  return value
end

-- Returns the params table. Raises a usage error (exit 2, with the usage) on a wrong,
-- unknown or missing param. Secret values are registered with the log for redaction.
function M.bind(spec, words)
  local ok, split = pcall(args.split, words)
  if not ok then errors.raise_usage(errors.message(split), M.usage(spec)) end
  local values, seen = {}, {}
  local positionals = positional_params(spec)
  local pos = 0
  local names = util.sorted_keys(spec.params)
  for _, a in ipairs(split) do
    if a.kind == "positional" then
      pos = pos + 1
      local p = positionals[pos]
      if not p then
        errors.raise_usage(('unexpected argument "%s": workflow "%s" takes %d positional parameter%s')
          :format(a.value, spec.name, #positionals, #positionals == 1 and "" or "s"), M.usage(spec))
      end
      values[p.name] = convert(spec, p, a.value)
      seen[p.name] = true
    else
      local name = a.name:gsub("-", "_")
      local negated = false
      local p = spec.params[name]
      if not p and name:match("^no_") and spec.params[name:sub(4)] and spec.params[name:sub(4)].type == "bool" then
        p, negated = spec.params[name:sub(4)], true
      end
      if not p then
        errors.raise_usage(('unknown parameter --%s%s'):format(a.name, util.did_you_mean(name, names)), M.usage(spec))
      end
      if seen[p.name] then
        errors.raise_usage(('parameter %s given twice'):format(p.name), M.usage(spec))
      end
      local text = a.value
      if text == nil then
        if p.type ~= "bool" then
          errors.raise_usage(('parameter --%s needs a value: --%s=%s'):format(a.name, a.name, p.type:upper()), M.usage(spec))
        end
        text = negated and "false" or "true"
      elseif negated then
        errors.raise_usage(('--%s takes no value'):format(a.name), M.usage(spec))
      end
      values[p.name] = convert(spec, p, text)
      seen[p.name] = true
    end
  end
  for _, name in ipairs(names) do
    local p = spec.params[name]
    if values[name] == nil then
      if p.default ~= nil then
        values[name] = p.default
      elseif p.type == "bool" and p.required ~= true then
        values[name] = false
      elseif p.required ~= false then
        local how = p.position and name:upper() or ("--" .. name:gsub("_", "-") .. "=" .. p.type:upper())
        errors.raise_usage(("missing parameter %s%s"):format(how, p.doc and (" (" .. p.doc .. ")") or ""), M.usage(spec))
      end
    end
    if p.type == "secret" and type(values[name]) == "string" then clog.add_secret(values[name]) end
  end
  return values
end

-- Params as they may be written down (journal, plan): secrets replaced.
function M.redacted(spec, values)
  local out = {}
  for k, v in pairs(values) do
    local p = spec.params[k]
    out[k] = (p and p.type == "secret") and "<secret>" or v
  end
  return out
end

-- The command-line words that reproduce values (for resume messages and the journal).
function M.words(spec, values)
  local words = {}
  for _, p in ipairs(positional_params(spec)) do
    if values[p.name] ~= nil then words[#words + 1] = tostring(values[p.name]) end
  end
  for _, name in ipairs(util.sorted_keys(spec.params)) do
    local p = spec.params[name]
    if not p.position and values[name] ~= nil and p.type ~= "secret" then
      words[#words + 1] = ("--%s=%s"):format(name:gsub("_", "-"), tostring(values[name]))
    end
  end
  return words
end

return M
