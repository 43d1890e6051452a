-- What the Describe*/List* operations of the resource models share: EC2-style filters
-- (with * and ? wildcards, tag:KEY, tag-key, tag-value), tag lists, and page tokens.
local sim = require "sim"
local json = require "wf.json"

local describe = {}

-- ---- wildcards --------------------------------------------------------------------------

local glob_cache = {}

-- The Lua pattern of an EC2 filter value: * any run, ? one character, \ escapes them.
local function glob_pattern(glob)
  local p = glob_cache[glob]
  if p then return p end
  local out, i = { "^" }, 1
  while i <= #glob do
    local c = glob:sub(i, i)
    if c == "\\" and i < #glob then
      i = i + 1
      out[#out + 1] = "%" .. glob:sub(i, i)
    elseif c == "*" then
      out[#out + 1] = ".*"
    elseif c == "?" then
      out[#out + 1] = "."
    elseif c:match("%W") then
      out[#out + 1] = "%" .. c
    else
      out[#out + 1] = c
    end
    i = i + 1
  end
  out[#out + 1] = "$"
  p = table.concat(out)
  glob_cache[glob] = p
  return p
end

-- Whether value (a string, number or boolean) matches the EC2 filter value glob.
function describe.glob_match(glob, value)
  if value == nil then return false end
  return tostring(value):match(glob_pattern(glob)) ~= nil
end

-- ---- tags -----------------------------------------------------------------------------

-- The value of tag key in a boto3 tag list ({Key, Value}), or nil.
function describe.tag(tags, key)
  for _, t in ipairs(tags or {}) do
    if t.Key == key then return t.Value end
  end
end

-- Sets or replaces tags (a list of {Key, Value}) in the list `into`; returns into.
function describe.merge_tags(into, tags)
  into = into or sim.array {}
  for _, t in ipairs(tags or {}) do
    local found = false
    for _, have in ipairs(into) do
      if have.Key == t.Key then
        have.Value = t.Value or ""
        found = true
        break
      end
    end
    if not found then into[#into + 1] = { Key = t.Key, Value = t.Value or "" } end
  end
  return into
end

-- Removes tags from the list: a tag with a Value only when the value matches (EC2's
-- DeleteTags rule), a tag without one whatever its value.
function describe.remove_tags(list, tags)
  for _, t in ipairs(tags or {}) do
    for i = #list, 1, -1 do
      if list[i].Key == t.Key and (t.Value == nil or t.Value == list[i].Value) then
        table.remove(list, i)
      end
    end
  end
  return list
end

-- The tags of an EC2 TagSpecifications list that apply to resource_type, as a new list.
function describe.tags_for(tag_specs, resource_type)
  local out = sim.array {}
  for _, spec in ipairs(tag_specs or {}) do
    if spec.ResourceType == resource_type then describe.merge_tags(out, spec.Tags) end
  end
  return out
end

-- A deep copy of a plain table (lists keep their array mark through sim.array).
function describe.copy(v)
  if type(v) ~= "table" then return v end
  local out = {}
  for k, x in pairs(v) do out[k] = describe.copy(x) end
  if json.is_array(v) then sim.array(out) end
  return out
end

-- ---- filters --------------------------------------------------------------------------

-- Whether res passes every filter. fields maps a filter name to a function(res) returning
-- the value, or a list of values, the filter is matched against; tag:KEY, tag-key and
-- tag-value work on res.Tags. An unknown filter name is InvalidParameterValue, as EC2
-- answers.
function describe.matches(res, filters, fields, error_code)
  for _, f in ipairs(filters or {}) do
    local name = f.Name or ""
    local values
    local tag_key = name:match("^tag:(.+)$")
    if tag_key then
      values = { describe.tag(res.Tags, tag_key) }
    elseif name == "tag-key" or name == "tag-value" then
      values = {}
      for _, t in ipairs(res.Tags or {}) do
        values[#values + 1] = name == "tag-key" and t.Key or t.Value
      end
    else
      local get = fields[name]
      if not get then
        sim.error(error_code or "InvalidParameterValue",
                  ("The filter '%s' is invalid"):format(name))
      end
      local v = get(res)
      values = type(v) == "table" and v or { v }
    end
    local any = false
    for _, want in ipairs(f.Values or {}) do
      for _, have in ipairs(values) do
        if describe.glob_match(want, have) then any = true; break end
      end
      if any then break end
    end
    if not any then return false end
  end
  return true
end

-- ---- pages ----------------------------------------------------------------------------

-- One page of items: from the position a previous page's token names, at most max_items
-- (nil: all). Returns the page (an array) and the next token, or nil at the end. A token
-- that is not one of ours is error_code (InvalidNextToken unless given).
function describe.page(items, token, max_items, error_code)
  local start = 1
  if token and token ~= "" then
    local decoded = sim.base64_decode(token)
    local n = decoded and tonumber(decoded:match("^awssim:page:(%d+)$"))
    if not n then
      sim.error(error_code or "InvalidNextToken", "The specified token is not valid.")
    end
    start = n
  end
  local out = sim.array {}
  local last = #items
  if max_items and max_items > 0 then last = math.min(#items, start + max_items - 1) end
  for i = start, last do out[#out + 1] = items[i] end
  local next_token
  if last < #items then
    next_token = sim.base64_encode("awssim:page:" .. (last + 1))
  end
  return out, next_token
end

-- ---- odds and ends --------------------------------------------------------------------

-- A set (value -> true) of a list, or nil when the list is nil or empty.
function describe.set(list)
  if not list or #list == 0 then return nil end
  local s = {}
  for _, v in ipairs(list) do s[v] = true end
  return s
end

-- The values of list (ordered) mapped through fn, as an array.
function describe.map(list, fn)
  local out = sim.array {}
  for _, v in ipairs(list or {}) do out[#out + 1] = fn(v) end
  return out
end

return describe
