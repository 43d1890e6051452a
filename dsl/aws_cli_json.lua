-- JSON text as `aws ... --output json` prints a result: Python's json.dumps(indent=4,
-- ensure_ascii=False). Members come in the order botocore's parsers produce them, which
-- the model gives (Lua tables keep no order): a structure's members in model order (for
-- rest-xml answers: the header and status members first, then the payload or body);
-- floats and doubles as Python prints floats ("2.0", "1e-05"). Map keys, whose order on
-- the wire is lost, come sorted.
local json = require "wf.json"

local M = {}

local ESCAPES = { ['"'] = '\\"', ["\\"] = "\\\\", ["\b"] = "\\b", ["\f"] = "\\f",
                  ["\n"] = "\\n", ["\r"] = "\\r", ["\t"] = "\\t" }

function M.string(s)
  return '"' .. s:gsub('[%z\1-\31"\\]', function(c)
    return ESCAPES[c] or ("\\u%04x"):format(c:byte())
  end) .. '"'
end

-- Python's repr() of a float: the shortest digits that read back the same, fixed
-- notation for 1e-4 <= |x| < 1e16 (with ".0" when integral), else d.ddde+XX.
function M.python_float(x)
  if x ~= x then return "NaN" end
  if x == math.huge then return "Infinity" end
  if x == -math.huge then return "-Infinity" end
  if x == 0 then return (1 / x < 0) and "-0.0" or "0.0" end
  local sci
  for p = 0, 16 do
    sci = ("%." .. p .. "e"):format(x)
    if tonumber(sci) == x then break end
  end
  local sign, lead, frac, exp = sci:match("^(%-?)(%d)%.?(%d*)e([-+]%d+)$")
  local digits = (lead .. frac):gsub("0+$", "")
  if digits == "" then digits = "0" end
  local point = tonumber(exp) + 1   -- digits are 0.d1d2... x 10^point
  local out
  if point > -4 and point <= 16 then
    if point <= 0 then
      out = "0." .. ("0"):rep(-point) .. digits
    elseif point >= #digits then
      out = digits .. ("0"):rep(point - #digits) .. ".0"
    else
      out = digits:sub(1, point) .. "." .. digits:sub(point + 1)
    end
  else
    local e = point - 1
    out = digits:sub(1, 1) .. (#digits > 1 and ("." .. digits:sub(2)) or "")
      .. ("e%s%02d"):format(e < 0 and "-" or "+", math.abs(e))
  end
  return sign .. out
end

local function integer_text(v)
  if math.type(v) == "integer" then return tostring(v) end
  if v == math.floor(v) and v > -2^63 and v < 2^63 then return ("%d"):format(v) end
  return M.python_float(v)
end

local function is_list(v)
  return json.is_array(v) or rawget(v, 1) ~= nil
end

local function sorted_keys(t)
  local keys = {}
  for k in pairs(t) do keys[#keys + 1] = k end
  table.sort(keys, function(a, b) return tostring(a) < tostring(b) end)
  return keys
end

local write

-- Writes an object whose members come in `keys` order; shape_of(k) gives a member's shape.
local function write_object(out, shapes, t, keys, shape_of, indent)
  if #keys == 0 then
    out[#out + 1] = "{}"
    return
  end
  local inner = indent .. "    "
  out[#out + 1] = "{\n"
  for i, k in ipairs(keys) do
    out[#out + 1] = inner .. M.string(tostring(k)) .. ": "
    write(out, shapes, t[k], shape_of(k), inner)
    out[#out + 1] = i < #keys and ",\n" or "\n"
  end
  out[#out + 1] = indent .. "}"
end

-- The order a structure's present members print in. rest_top: the top-level answer of
-- a REST protocol, where botocore reads the header (and status code) members first, then
-- the payload or the body members.
local function structure_keys(shape, t, rest_top)
  local keys, listed = {}, {}
  local members = shape.members or {}
  local order = shape.member_order or sorted_keys(members)
  local function add(k)
    if t[k] ~= nil and not listed[k] then
      keys[#keys + 1] = k
      listed[k] = true
    end
  end
  if rest_top then
    for _, k in ipairs(order) do
      if members[k].location then add(k) end
    end
    if shape.payload then add(shape.payload) end
  end
  for _, k in ipairs(order) do add(k) end
  for _, k in ipairs(sorted_keys(t)) do add(k) end   -- anything the model lacks, last
  return keys
end

-- Appends v's text to out; shape (a model shape table, or nil) says how to print it.
function write(out, shapes, v, shape, indent, rest_top)
  if v == nil or v == json.null then
    out[#out + 1] = "null"
    return
  end
  local t = type(v)
  local kind = shape and shape.type
  if t == "boolean" then
    out[#out + 1] = tostring(v)
  elseif t == "number" then
    if kind == "float" or kind == "double" then
      out[#out + 1] = M.python_float(v + 0.0)
    else
      out[#out + 1] = integer_text(v)
    end
  elseif t == "string" then
    out[#out + 1] = M.string(v)
  elseif t ~= "table" then
    out[#out + 1] = M.string(tostring(v))
  elseif kind == "structure" then
    local members = shape.members or {}
    write_object(out, shapes, v, structure_keys(shape, v, rest_top), function(k)
      return members[k] and shapes[members[k].shape]
    end, indent)
  elseif kind == "map" then
    local value_shape = shape.value and shapes[shape.value.shape]
    write_object(out, shapes, v, sorted_keys(v), function() return value_shape end, indent)
  elseif kind == "list" or (kind == nil and is_list(v)) then
    if #v == 0 then
      out[#out + 1] = "[]"
      return
    end
    local element = kind == "list" and shape.member and shapes[shape.member.shape] or nil
    local inner = indent .. "    "
    out[#out + 1] = "[\n"
    for i = 1, #v do
      out[#out + 1] = inner
      write(out, shapes, v[i], element, inner)
      out[#out + 1] = i < #v and ",\n" or "\n"
    end
    out[#out + 1] = indent .. "]"
  else
    write_object(out, shapes, v, sorted_keys(v), function() return nil end, indent)
  end
end

-- The CLI's text for result, the answer to operation (an API name) of model. keys, when
-- given, fixes the top-level member order (a paginated full result: its result keys,
-- then its non-aggregate keys). Returns "" for an empty result, which the CLI does not
-- print at all; otherwise the text ends with a newline.
function M.render(model, operation, result, keys)
  if type(result) == "table" and next(result) == nil then return "" end
  local op = model.operations[operation]
  local shape = op and op.output and model.shapes[op.output.shape]
  local protocol = model.metadata and model.metadata.protocol
  local out = {}
  if keys then
    local members = shape and shape.members or {}
    write_object(out, model.shapes, result, keys, function(k)
      return members[k] and model.shapes[members[k].shape]
    end, "")
  else
    write(out, model.shapes, result, shape, "", protocol == "rest-xml" or protocol == "rest-json")
  end
  return table.concat(out) .. "\n"
end

return M
