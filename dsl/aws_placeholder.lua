-- Placeholder results of AWS calls in a plan: the call was recorded, not made, so its
-- result is a stand-in shaped by the operation's output shape. Reading a string member
-- gives a placeholder string naming where it came from
-- (`out.Instances[1].InstanceId` -> "<build.aws.ec2.run_instances#1.Instances[1].InstanceId>"),
-- a list has one element, numbers read 0 and booleans false, and a member the shape does
-- not have reads nil, as it would in a real run.
local M = {}

-- Proxies made here (weak), so pages() and callers can tell a placeholder from a result.
local proxies = setmetatable({}, { __mode = "k" })

function M.is_proxy(v)
  return proxies[v] ~= nil
end

-- The placeholder text for path: "<path>".
local function text(path) return "<" .. path .. ">" end

local value_of

local function proxy(path, index_fn, len)
  local p = {}
  proxies[p] = true
  return setmetatable(p, {
    __index = function(t, k)
      local v = index_fn(k)
      if v ~= nil then rawset(t, k, v) end
      return v
    end,
    __len = function() return len end,
    __tostring = function() return text(path) end,
    __concat = function(a, b)
      return (M.is_proxy(a) and text(path) or tostring(a)) .. (M.is_proxy(b) and text(path) or tostring(b))
    end,
    __name = "placeholder",
    __placeholder = true,   -- how stdlib/awscall.lua tells placeholders apart
  })
end

local function member_path(path, key)
  if type(key) == "string" and key:match("^[%a_][%w_]*$") then return path .. "." .. key end
  return ("%s[%q]"):format(path, tostring(key))
end

-- The stand-in for a value of shape_name at path.
function value_of(model, shape_name, path)
  local shape = shape_name and model.shapes[shape_name]
  if not shape then return text(path) end
  local t = shape.type
  if t == "structure" then
    local members = shape.members or {}
    return proxy(path, function(k)
      local m = members[k]
      if not m then return nil end
      return value_of(model, m.shape, member_path(path, k))
    end, 0)
  elseif t == "list" then
    return proxy(path, function(k)
      if k ~= 1 then return nil end
      return value_of(model, shape.member.shape, path .. "[1]")
    end, 1)
  elseif t == "map" then
    return proxy(path, function(k)
      return value_of(model, shape.value.shape, member_path(path, k))
    end, 0)
  elseif t == "integer" or t == "long" or t == "float" or t == "double" then
    return 0
  elseif t == "boolean" then
    return false
  end
  return text(path)   -- string, timestamp, blob
end

-- The placeholder result of operation (an API name) of the service whose model is
-- given; ref names the call ("build.aws.ec2.run_instances#1").
function M.result(model, operation, ref)
  local op = model.operations[operation]
  local output = op and op.output and op.output.shape
  if not output then return proxy(ref, function() return nil end, 0) end
  return value_of(model, output, ref)
end

-- True when v (any depth) holds a placeholder: a proxy, or a string with "<...>" in it
-- such as "<make-db.snapshot>" or "<build.sh.run#2.stdout>". A read-only call with such
-- arguments cannot be sent in a plan: what it names does not exist yet.
function M.contains(v, seen)
  if type(v) == "string" then return v:find("<[^<>%s]+>") ~= nil end
  if type(v) ~= "table" then return false end
  if proxies[v] then return true end
  seen = seen or {}
  if seen[v] then return false end
  seen[v] = true
  for k, x in pairs(v) do
    if M.contains(k, seen) or M.contains(x, seen) then return true end
  end
  return false
end

return M
