-- CloudFormation templates: parsing (JSON, and the common YAML subset through
-- cfn_yaml), parameter values and their constraints, conditions, the dependency graph, and
-- the intrinsic functions (Ref, Fn::GetAtt, Fn::Sub, Fn::Join, Fn::If, Fn::Select,
-- Fn::Split, Fn::Base64, Fn::GetAZs, Fn::FindInMap, Fn::ImportValue, Fn::Equals, Fn::Not,
-- Fn::And, Fn::Or). Knows nothing of resources: the stack engine (services/
-- cloudformation.lua) supplies what a Ref or Fn::GetAtt of a resource gives.
local sim = require "sim"
local json = require "wf.json"

local T = {}

-- What Ref AWS::NoValue gives: the property (or list item) holding it is left out.
T.NO_VALUE = setmetatable({}, { __name = "AWS::NoValue" })

local function invalid(msg) sim.error("ValidationError", msg, 400) end

local function format_error(msg) invalid("Template format error: " .. msg) end

local function is_list(v) return type(v) == "table" and (json.is_array(v) or v[1] ~= nil) end

-- The single key of a one-key table ({"Fn::Join": [...]}), or nil.
local function only_key(v)
  if type(v) ~= "table" or is_list(v) then return nil end
  local k = next(v)
  if k == nil or next(v, k) ~= nil then return nil end
  return k
end

-- ---- parsing --------------------------------------------------------------------------

-- The template of a TemplateBody: a JSON object, or YAML when it does not start with "{".
function T.parse(body)
  if type(body) ~= "string" or body:match("^%s*$") then
    invalid("Either Template URL or Template Body must be specified.")
  end
  local tpl
  if body:match("^%s*{") then
    local ok, v = pcall(json.decode, body)
    if not ok then
      format_error("JSON not well-formed. (" .. tostring(v):gsub("^.-json: ", "") .. ")")
    end
    tpl = v
  else
    local ok, v = pcall(require("cfn_yaml").decode, body)
    if not ok then
      format_error("YAML not well-formed. (" .. (type(v) == "table" and v.message or tostring(v)) .. ")")
    end
    tpl = v
  end
  if type(tpl) ~= "table" or is_list(tpl) then format_error("the template must be an object") end
  T.validate(tpl)
  return tpl
end

local TOP_LEVEL = { AWSTemplateFormatVersion = true, Description = true, Metadata = true,
                    Parameters = true, Rules = true, Mappings = true, Conditions = true,
                    Transform = true, Resources = true, Outputs = true }

local PSEUDO = { ["AWS::Region"] = true, ["AWS::AccountId"] = true, ["AWS::StackName"] = true,
                 ["AWS::StackId"] = true, ["AWS::NoValue"] = true, ["AWS::URLSuffix"] = true,
                 ["AWS::Partition"] = true, ["AWS::NotificationARNs"] = true }

-- Every name a value refers to: refs (Ref and Sub variables: parameters, resources or
-- pseudo parameters) and the resources of Fn::GetAtt. out[name] = true.
local function references(v, out)
  if type(v) ~= "table" then return out end
  local k = only_key(v)
  if k == "Ref" and type(v.Ref) == "string" then
    out[v.Ref] = true
  elseif k == "Fn::GetAtt" then
    local a = v[k]
    local res = type(a) == "string" and a:match("^([^.]+)%.") or (is_list(a) and a[1])
    if type(res) == "string" then out[res] = true end
    if is_list(a) then references(a[2], out) end
  elseif k == "Fn::Sub" then
    local a = v[k]
    local s, vars = a, {}
    if is_list(a) then s, vars = a[1], a[2] or {} end
    if type(s) == "string" then
      for name in s:gmatch("%${([^!}][^}]*)}") do
        local base = name:match("^([^.]+)%.") or name
        if vars[name] == nil and vars[base] == nil then out[base] = true end
      end
    end
    if type(vars) == "table" then
      for _, x in pairs(vars) do references(x, out) end
    end
  else
    for _, x in pairs(v) do references(x, out) end
  end
  return out
end
T.references = references

-- Checks the template's structure and that every reference resolves.
function T.validate(tpl)
  for k in pairs(tpl) do
    if not TOP_LEVEL[k] then format_error(("Invalid template property or properties [%s]"):format(k)) end
  end
  if tpl.AWSTemplateFormatVersion and tpl.AWSTemplateFormatVersion ~= "2010-09-09" then
    format_error("'" .. tostring(tpl.AWSTemplateFormatVersion) .. "' is not a supported version")
  end
  if type(tpl.Resources) ~= "table" or next(tpl.Resources) == nil then
    format_error("At least one Resources member must be defined.")
  end
  local params = tpl.Parameters or {}
  for name, p in pairs(params) do
    if type(p) ~= "table" or type(p.Type) ~= "string" then
      format_error(("Every Parameters object must contain a Type member. (%s)"):format(name))
    end
  end
  local unresolved = {}
  for name, r in pairs(tpl.Resources) do
    if type(r) ~= "table" or type(r.Type) ~= "string" then
      format_error(("[/Resources/%s] Every Resources object must contain a Type member."):format(name))
    end
    if r.Condition and not (tpl.Conditions or {})[r.Condition] then
      format_error(("Unresolved dependencies [%s]. Cannot reference resources in the Conditions "
                    .. "block of the template"):format(r.Condition))
    end
    local refs = references(r.Properties or {}, {})
    local deps = r.DependsOn
    if type(deps) == "string" then deps = { deps } end
    for _, d in ipairs(deps or {}) do
      if not tpl.Resources[d] then
        format_error(("Unresolved resource dependencies [%s] in the Resources block of the template"):format(d))
      end
    end
    for ref in pairs(refs) do
      if not tpl.Resources[ref] and not params[ref] and not PSEUDO[ref] then
        unresolved[#unresolved + 1] = ref
      end
    end
  end
  if #unresolved > 0 then
    table.sort(unresolved)
    format_error(("Unresolved resource dependencies [%s] in the Resources block of the template"):format(
      table.concat(unresolved, ", ")))
  end
  for name, o in pairs(tpl.Outputs or {}) do
    if type(o) ~= "table" or o.Value == nil then
      format_error(("Every Outputs member must contain a Value object (%s)"):format(name))
    end
    for ref in pairs(references(o.Value, {})) do
      if not tpl.Resources[ref] and not params[ref] and not PSEUDO[ref] then
        format_error(("Unresolved resource dependencies [%s] in the Outputs block of the template"):format(ref))
      end
    end
  end
end

-- The IAM capability a template needs, or nil.
function T.required_capability(tpl)
  local need
  for _, r in pairs(tpl.Resources) do
    local t = r.Type
    if t == "AWS::IAM::Role" or t == "AWS::IAM::User" or t == "AWS::IAM::Group"
       or t == "AWS::IAM::Policy" or t == "AWS::IAM::ManagedPolicy" or t == "AWS::IAM::InstanceProfile"
       or t == "AWS::IAM::AccessKey" or t == "AWS::IAM::UserToGroupAddition" then
      local props = r.Properties or {}
      if props.RoleName or props.UserName or props.GroupName or props.ManagedPolicyName
         or props.InstanceProfileName then
        return "CAPABILITY_NAMED_IAM"
      end
      need = "CAPABILITY_IAM"
    end
  end
  return need
end

-- ---- parameters -----------------------------------------------------------------------

local LIST_TYPES = { CommaDelimitedList = true }

local function is_list_type(t)
  return LIST_TYPES[t] or (type(t) == "string" and t:match("^List<") ~= nil)
end

local function check_value(name, p, value)
  local function fail(what)
    invalid(p.ConstraintDescription and ("Parameter '%s' %s"):format(name, p.ConstraintDescription)
            or ("Parameter '%s' %s"):format(name, what))
  end
  if p.Type == "Number" then
    if not tonumber(value) then fail("must be a number") end
    local n = tonumber(value)
    if p.MinValue and n < tonumber(p.MinValue) then fail("must be a number not less than " .. p.MinValue) end
    if p.MaxValue and n > tonumber(p.MaxValue) then fail("must be a number not greater than " .. p.MaxValue) end
  end
  if p.Type == "String" or not is_list_type(p.Type) then
    if p.MinLength and #value < tonumber(p.MinLength) then
      fail("must contain at least " .. p.MinLength .. " characters")
    end
    if p.MaxLength and #value > tonumber(p.MaxLength) then
      fail("must contain at most " .. p.MaxLength .. " characters")
    end
    if p.AllowedPattern then
      -- CloudFormation anchors the pattern at both ends.
      local pattern = "^(?:" .. p.AllowedPattern .. ")$"
      if not require("wf.re").test(pattern, value) then
        fail("must match pattern " .. p.AllowedPattern)
      end
    end
  end
  if p.AllowedValues then
    local ok = false
    for _, a in ipairs(p.AllowedValues) do
      if tostring(a) == value then ok = true end
    end
    if not ok then
      local list = {}
      for _, a in ipairs(p.AllowedValues) do list[#list + 1] = tostring(a) end
      fail("value '" .. value .. "' is not allowed. Allowed values are: [" .. table.concat(list, ", ") .. "]")
    end
  end
end

-- The values of the template's parameters from a CreateStack/UpdateStack Parameters list
-- ({ParameterKey, ParameterValue, UsePreviousValue}); previous: the values the stack had.
-- Returns values (name -> string, or list for list types) and the Parameters list a
-- DescribeStacks shows (NoEcho values as ****).
function T.parameters(tpl, given, previous)
  local declared = tpl.Parameters or {}
  local raw = {}
  local unknown = {}
  for _, p in ipairs(given or {}) do
    local key = p.ParameterKey
    if not declared[key] then
      unknown[#unknown + 1] = tostring(key)
    elseif p.UsePreviousValue then
      if not previous or previous[key] == nil then
        invalid(("Invalid input for parameter key %s. Cannot specify usePreviousValue as true for "
                 .. "a parameter key not in the previous template"):format(key))
      end
      raw[key] = previous[key]
    else
      raw[key] = p.ParameterValue == nil and "" or tostring(p.ParameterValue)
    end
  end
  if #unknown > 0 then
    table.sort(unknown)
    invalid(("Parameters: [%s] do not exist in the template"):format(table.concat(unknown, ", ")))
  end
  local missing = {}
  local names = {}
  for name in pairs(declared) do names[#names + 1] = name end
  table.sort(names)
  local values, shown = {}, sim.array {}
  for _, name in ipairs(names) do
    local p = declared[name]
    local v = raw[name]
    if v == nil and p.Default ~= nil then
      v = type(p.Default) == "table" and table.concat(p.Default, ",") or tostring(p.Default)
    end
    if v == nil then
      missing[#missing + 1] = name
    else
      if type(v) == "table" then v = table.concat(v, ",") end
      if is_list_type(p.Type) then
        local list = sim.array {}
        for item in (v .. ","):gmatch("([^,]*),") do
          if v ~= "" then list[#list + 1] = item:match("^%s*(.-)%s*$") end
        end
        for _, item in ipairs(list) do check_value(name, { Type = "String" }, item) end
        values[name] = list
      else
        check_value(name, p, v)
        values[name] = v
      end
      shown[#shown + 1] = { ParameterKey = name,
                            ParameterValue = (p.NoEcho == true or p.NoEcho == "true") and "****" or v }
    end
  end
  if #missing > 0 then
    invalid(("Parameters: [%s] must have values"):format(table.concat(missing, ", ")))
  end
  return values, shown, raw
end

-- ---- evaluation -----------------------------------------------------------------------

-- env: params (name -> value), pseudo (name -> value), conditions (name -> bool, filled by
-- T.conditions), ref(logical) -> physical id, getatt(logical, attribute) -> value,
-- mappings (tpl.Mappings), azs (list), import(name) -> value.
local resolve

-- The value of condition `name`, evaluated on first use (conditions may use others).
function T.condition(env, name)
  local c = env.conditions[name]
  if c ~= nil then return c end
  local def = (env.condition_defs or {})[name]
  if def == nil then format_error("Unresolved condition " .. tostring(name)) end
  if env.busy_conditions[name] then format_error("Circular condition dependency: " .. name) end
  env.busy_conditions[name] = true
  c = T.condition_value(def, env)
  env.busy_conditions[name] = nil
  env.conditions[name] = c
  return c
end

local function condition_value(v, env)
  if type(v) == "boolean" then return v end
  if type(v) == "string" then return v == "true" end
  local k = only_key(v)
  if k == "Condition" then return T.condition(env, v.Condition) end
  local r = resolve(v, env)
  return r == true or r == "true"
end

local function as_string(v)
  if type(v) == "number" then
    return math.type(v) == "integer" and tostring(v) or tostring(v):gsub("%.0$", "")
  end
  if type(v) == "boolean" then return tostring(v) end
  return v
end

local function sub(args, env)
  local s, vars = args, {}
  if is_list(args) then s, vars = args[1], args[2] or {} end
  if type(s) ~= "string" then format_error("Fn::Sub expects a string") end
  return (s:gsub("%${([^}]*)}", function(name)
    if name:sub(1, 1) == "!" then return "${" .. name:sub(2) .. "}" end
    if vars[name] ~= nil then return tostring(as_string(resolve(vars[name], env))) end
    local base, attr = name:match("^([^.]+)%.(.+)$")
    if base and vars[base] == nil and not env.params[name] and not env.pseudo[name] then
      return tostring(as_string(env.getatt(base, attr)))
    end
    local v = resolve({ Ref = name }, env)
    if type(v) == "table" then v = table.concat(v, ",") end
    return tostring(as_string(v))
  end))
end

local FUNCTIONS = {}

FUNCTIONS["Ref"] = function(name, env)
  if env.pseudo[name] ~= nil then
    if name == "AWS::NoValue" then return T.NO_VALUE end
    return env.pseudo[name]
  end
  if env.params[name] ~= nil then return env.params[name] end
  return env.ref(name)
end

FUNCTIONS["Fn::GetAtt"] = function(a, env)
  local res, attr
  if type(a) == "string" then
    res, attr = a:match("^([^.]+)%.(.+)$")
  elseif is_list(a) then
    res, attr = a[1], resolve(a[2], env)
  end
  if type(res) ~= "string" or type(attr) ~= "string" then
    format_error("Fn::GetAtt expects [LogicalName, Attribute]")
  end
  return env.getatt(res, attr)
end

FUNCTIONS["Fn::Sub"] = sub

FUNCTIONS["Fn::Join"] = function(a, env)
  if not is_list(a) or #a ~= 2 then format_error("Fn::Join expects [delimiter, [values]]") end
  local list = resolve(a[2], env)
  if type(list) ~= "table" then format_error("Fn::Join expects a list of values") end
  local parts = {}
  for _, x in ipairs(list) do parts[#parts + 1] = tostring(as_string(x)) end
  return table.concat(parts, resolve(a[1], env))
end

FUNCTIONS["Fn::If"] = function(a, env)
  if not is_list(a) or #a ~= 3 then format_error("Fn::If expects [condition, then, else]") end
  return resolve(T.condition(env, a[1]) and a[2] or a[3], env)
end

FUNCTIONS["Fn::Select"] = function(a, env)
  local i = tonumber(resolve(a[1], env))
  local list = resolve(a[2], env)
  if not i or type(list) ~= "table" or i < 0 or i >= #list then
    format_error("Fn::Select cannot select nonexistent value at index " .. tostring(a[1]))
  end
  return list[i + 1]
end

FUNCTIONS["Fn::Split"] = function(a, env)
  local delim, s = resolve(a[1], env), resolve(a[2], env)
  local out = sim.array {}
  local start = 1
  while true do
    local i, j = s:find(delim, start, true)
    if not i then out[#out + 1] = s:sub(start); break end
    out[#out + 1] = s:sub(start, i - 1)
    start = j + 1
  end
  return out
end

FUNCTIONS["Fn::Base64"] = function(a, env)
  return sim.base64_encode(tostring(as_string(resolve(a, env))))
end

FUNCTIONS["Fn::GetAZs"] = function(a, env)
  return env.azs
end

FUNCTIONS["Fn::FindInMap"] = function(a, env)
  local map = (env.mappings or {})[resolve(a[1], env)]
  local top = map and map[resolve(a[2], env)]
  local v = top and top[resolve(a[3], env)]
  if v == nil then
    if a[4] and a[4].DefaultValue ~= nil then return resolve(a[4].DefaultValue, env) end
    format_error("Unable to get mapping for " .. tostring(a[1]) .. "::" .. tostring(a[2]) .. "::"
                 .. tostring(a[3]))
  end
  return v
end

FUNCTIONS["Fn::ImportValue"] = function(a, env)
  return env.import(resolve(a, env))
end

T.condition_value = condition_value

FUNCTIONS["Fn::Equals"] = function(a, env)
  local x, y = as_string(resolve(a[1], env)), as_string(resolve(a[2], env))
  return x == y
end

FUNCTIONS["Fn::Not"] = function(a, env)
  return not condition_value(a[1], env)
end

FUNCTIONS["Fn::And"] = function(a, env)
  for _, c in ipairs(a) do
    if not condition_value(c, env) then return false end
  end
  return true
end

FUNCTIONS["Fn::Or"] = function(a, env)
  for _, c in ipairs(a) do
    if condition_value(c, env) then return true end
  end
  return false
end

FUNCTIONS["Condition"] = function(name, env)
  return condition_value({ Condition = name }, env)
end

-- The value with every intrinsic function applied; AWS::NoValue items disappear.
resolve = function(v, env)
  if type(v) ~= "table" then return v end
  local k = only_key(v)
  local fn = k and FUNCTIONS[k]
  if fn then return fn(v[k], env) end
  local out = {}
  if is_list(v) then
    out = sim.array {}
    for _, x in ipairs(v) do
      local r = resolve(x, env)
      if r ~= T.NO_VALUE then out[#out + 1] = r end
    end
  else
    for key, x in pairs(v) do
      local r = resolve(x, env)
      if r ~= T.NO_VALUE then out[key] = r end
    end
  end
  return out
end
T.resolve = resolve

-- Evaluates every condition of the template into env.conditions (name -> boolean).
function T.conditions(tpl, env)
  env.condition_defs = tpl.Conditions or {}
  env.conditions = {}
  env.busy_conditions = {}
  local names = {}
  for name in pairs(env.condition_defs) do names[#names + 1] = name end
  table.sort(names)
  for _, name in ipairs(names) do T.condition(env, name) end
  return env.conditions
end

-- The resources that exist under the conditions: logical id -> definition.
function T.active_resources(tpl, conditions)
  local out = {}
  for name, r in pairs(tpl.Resources) do
    if not r.Condition or conditions[r.Condition] then out[name] = r end
  end
  return out
end

-- logical id -> set of logical ids it needs first (refs, GetAtt, Sub, DependsOn), among
-- the active resources. Raises on a cycle.
function T.dependencies(resources)
  local deps = {}
  for name, r in pairs(resources) do
    local d = {}
    for ref in pairs(references(r.Properties or {}, {})) do
      if resources[ref] and ref ~= name then d[ref] = true end
    end
    local on = r.DependsOn
    if type(on) == "string" then on = { on } end
    for _, x in ipairs(on or {}) do
      if resources[x] then d[x] = true end
    end
    deps[name] = d
  end
  -- Cycle check (depth-first).
  local state = {}
  local function visit(n, path)
    if state[n] == "done" then return end
    if state[n] == "busy" then
      invalid("Circular dependency between resources: [" .. table.concat(path, ", ") .. "]")
    end
    state[n] = "busy"
    path[#path + 1] = n
    local names = {}
    for x in pairs(deps[n]) do names[#names + 1] = x end
    table.sort(names)
    for _, x in ipairs(names) do visit(x, path) end
    path[#path] = nil
    state[n] = "done"
  end
  local names = {}
  for n in pairs(deps) do names[#names + 1] = n end
  table.sort(names)
  for _, n in ipairs(names) do visit(n, {}) end
  return deps
end

-- The stack's Outputs list under env (conditions applied).
function T.outputs(tpl, env)
  local out = sim.array {}
  local names = {}
  for name in pairs(tpl.Outputs or {}) do names[#names + 1] = name end
  table.sort(names)
  for _, name in ipairs(names) do
    local o = tpl.Outputs[name]
    if not o.Condition or T.condition(env, o.Condition) then
      local v = resolve(o.Value, env)
      if type(v) == "table" then v = table.concat(v, ",") end
      local entry = { OutputKey = name, OutputValue = tostring(as_string(v)), Description = o.Description }
      if o.Export and o.Export.Name then entry.ExportName = tostring(resolve(o.Export.Name, env)) end
      out[#out + 1] = entry
    end
  end
  return out
end

T.as_string = as_string

return T
