-- The declarations a workflow file makes: `workflow`, `step` and `param.TYPE`.
-- Each captures the file:line of its caller so every later error points at the user's
-- line; field values are checked against dsl/vocabulary.lua as they are declared.
local vocabulary = require "dsl.vocabulary"
local util = require "dsl.util"
local args = require "wf.args"

local M = {}

local function where(level)
  local info = debug.getinfo(level + 1, "Sl")
  if not info or info.currentline < 0 then return { file = "?", line = 0 } end
  local file = info.source:sub(1, 1) == "@" and info.source:sub(2) or info.short_src
  return { file = file, line = info.currentline }
end

function M.location(loc)
  return ("%s:%d"):format(loc.file, loc.line)
end

-- Records an error against a declaration; loading continues so all errors are shown.
local function add_error(spec, loc, message)
  spec.errors[#spec.errors + 1] = M.location(loc) .. ": " .. message
end

local function is_list_of_strings(v)
  if type(v) ~= "table" then return false end
  local n = 0
  for _ in pairs(v) do n = n + 1 end
  if n ~= #v then return false end
  for _, x in ipairs(v) do if type(x) ~= "string" then return false end end
  return true
end

-- Checks one field value against its kind; returns the normalised value or nil, reason.
local function check_kind(kind, v)
  if kind == "any" then return v end
  if kind == "list" then
    if type(v) == "string" then return { v } end
    if is_list_of_strings(v) then return v end
    return nil, "must be a list of strings"
  end
  if kind == "duration" then
    if math.type(v) and v >= 0 then return v end
    if type(v) == "string" then
      local seconds, err = args.convert("duration", v)
      if seconds then return seconds end
      return nil, err
    end
    return nil, 'must be a duration like "15s", "50m" or a number of seconds'
  end
  if kind == "condition" then
    if type(v) == "function" or type(v) == "boolean" then return v end
    return nil, "must be a function(ctx) or a boolean"
  end
  if kind == "retry" then
    if type(v) ~= "table" then return nil, "must be a table { attempts = N, backoff = \"5s\" }" end
    local out = { attempts = 1, backoff = 1 }
    for k, x in pairs(v) do
      local field = vocabulary.retry[k]
      if not field then
        return nil, ('has unknown field "%s"%s'):format(tostring(k), util.did_you_mean(tostring(k), util.sorted_keys(vocabulary.retry)))
      end
      local value, why = check_kind(field.kind, x)
      if value == nil then return nil, ("field %s %s"):format(k, why) end
      out[k] = value
    end
    if math.type(out.attempts) ~= "integer" and out.attempts ~= math.floor(out.attempts) or out.attempts < 1 then
      return nil, "attempts must be a whole number >= 1"
    end
    out.attempts = math.tointeger(out.attempts)
    return out
  end
  if kind == "number" then
    if math.type(v) then return v end
    return nil, "must be a number"
  end
  if type(v) ~= kind then return nil, ("must be a %s, not a %s"):format(kind, type(v)) end
  return v
end

-- Validates body against a vocabulary table; returns the checked copy.
local function check_fields(spec, loc, what, vocab, body)
  local out = {}
  for k, v in pairs(body) do
    local field = type(k) == "string" and vocab[k]
    if not field then
      add_error(spec, loc, ('%s: unknown field "%s"%s'):format(what, tostring(k),
        util.did_you_mean(tostring(k), util.sorted_keys(vocab))))
    else
      local value, why = check_kind(field.kind, v)
      if value == nil then
        add_error(spec, loc, ("%s: field %s %s"):format(what, k, why))
      else
        out[k] = value
      end
    end
  end
  for name, field in pairs(vocab) do
    if field.required and out[name] == nil and body[name] == nil then
      add_error(spec, loc, ('%s: field "%s" is required (%s)'):format(what, name, field.doc))
    end
  end
  return out
end

local param_mt = {}

local function make_param(spec, ptype)
  return function(body)
    local loc = where(2)
    body = body or {}
    if type(body) ~= "table" then
      add_error(spec, loc, ("param.%s takes a table { ... }"):format(ptype))
      body = {}
    end
    local p = check_fields(spec, loc, "param." .. ptype, vocabulary.param, body)
    p.type, p.loc = ptype, loc
    if p.choices and ptype ~= "enum" then
      add_error(spec, loc, ("param.%s: choices only apply to param.enum"):format(ptype))
    end
    if ptype == "enum" and not p.choices then
      add_error(spec, loc, 'param.enum: field "choices" is required')
    end
    return setmetatable(p, param_mt)
  end
end

function M.is_param(v) return getmetatable(v) == param_mt end

-- A fresh spec and the declaration functions bound to it.
function M.new(file)
  local spec = { file = file, steps = {}, step_by_name = {}, params = {}, errors = {} }

  local param = setmetatable({}, {
    __index = function(_, ptype)
      add_error(spec, where(2), ('unknown parameter type param.%s (types: %s)%s'):format(
        tostring(ptype), table.concat(vocabulary.param_types, ", "),
        util.did_you_mean(tostring(ptype), vocabulary.param_types)))
      return make_param(spec, "string")
    end,
  })
  for _, t in ipairs(vocabulary.param_types) do rawset(param, t, make_param(spec, t)) end

  local function workflow(name)
    local loc = where(2)
    return function(body)
      if type(name) ~= "string" or not name:match("^[%w][%w_.-]*$") then
        add_error(spec, loc, ("workflow name must be a word like \"clone\", got %s"):format(util.render(name)))
        name = "?"
      end
      if spec.name then
        add_error(spec, loc, ('workflow "%s" declared again (first at line %d); a file declares one workflow')
          :format(name, spec.loc.line))
        return
      end
      if type(body) ~= "table" then
        add_error(spec, loc, ('workflow "%s" takes a table { ... }'):format(name))
        body = {}
      end
      local w = check_fields(spec, loc, ('workflow "%s"'):format(name), vocabulary.workflow, body)
      spec.name, spec.loc, spec.doc, spec.timeout, spec.version = name, loc, w.doc, w.timeout, w.version
      spec.lock_param = w.lock
      spec.leaves_behind = w.leaves_behind or {}
      for pname, p in pairs(w.params or {}) do
        if type(pname) ~= "string" or not pname:match("^[%a][%w_]*$") then
          add_error(spec, loc, ("param names are words like source_env, got %s"):format(util.render(pname)))
        elseif not M.is_param(p) then
          add_error(spec, loc, ('param "%s" must be declared with param.TYPE { ... }'):format(pname))
        else
          p.name = pname
          spec.params[pname] = p
        end
      end
    end
  end

  local function step(name)
    local loc = where(2)
    return function(body)
      if type(name) ~= "string" or not name:match("^[%w][%w_.-]*$") then
        add_error(spec, loc, ("step name must be a word like \"snapshot-db\", got %s"):format(util.render(name)))
        return
      end
      if spec.step_by_name[name] then
        add_error(spec, loc, ('step "%s" declared twice (first at line %d)'):format(name, spec.step_by_name[name].loc.line))
        return
      end
      if type(body) ~= "table" then
        add_error(spec, loc, ('step "%s" takes a table { run = function(ctx) ... end }'):format(name))
        return
      end
      local s = check_fields(spec, loc, ('step "%s"'):format(name), vocabulary.step, body)
      s.name, s.loc, s.index = name, loc, #spec.steps + 1
      s.needs = s.needs or {}
      s.retry = s.retry or { attempts = 1, backoff = 1 }
      spec.steps[#spec.steps + 1] = s
      spec.step_by_name[name] = s
    end
  end

  return spec, { workflow = workflow, step = step, param = param }
end

return M
