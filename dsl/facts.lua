-- Cloud facts a saved plan pins: named values that its read-only lookups found (a stack's
-- id and status, the newest image of a family, a database's status). The stdlib lookups
-- and ctx.fact record them while a plan is built; `wfrun apply` builds the plan again and
-- refuses when one differs (dsl/plan_check.lua). Outside a plan recording does nothing.
local json = require "wf.json"
local util = require "dsl.util"

local M = {}

-- The value of a fact whose lookup found nothing (a stack that does not exist).
M.ABSENT = "absent"

local active   -- while a plan is built: { list = {...}, by_name = {}, step = name }

function M.start() active = { list = json.array({}), by_name = {} } end

-- The step being planned: each fact says which step found it.
function M.set_step(name) if active then active.step = name end end

-- Ends recording; returns the facts in the order they were found.
function M.stop()
  local list = active and active.list or json.array({})
  active = nil
  return list
end

-- A value stand-in of a planned, not made, call ("<create-temp.StackId>") is no fact.
local function has_placeholder(v)
  if type(v) == "string" then return v:find("<[^<>%s]+>") ~= nil end
  if type(v) == "table" then
    for k, x in pairs(v) do if has_placeholder(k) or has_placeholder(x) then return true end end
  end
  return false
end

-- Records fact name = value (a string, number or boolean, or a flat table of them; nil
-- records ABSENT) while a plan is built. The first value found for a name is kept: a later
-- lookup of the same thing in the same plan finds the world the plan assumes anyway.
-- Returns value.
function M.record(name, value)
  if not active then return value end
  if type(name) ~= "string" or name == "" then error("a fact needs a name (a string)", 2) end
  local v = value
  if v == nil then v = M.ABSENT end
  if type(v) == "table" then
    local flat = {}
    for k, x in pairs(v) do
      if type(k) ~= "string" or type(x) == "table" or type(x) == "function" then
        error(('fact "%s": a table value must map names to strings, numbers or booleans'):format(name), 2)
      end
      flat[k] = x
    end
    v = flat
  elseif type(v) == "function" then
    error(('fact "%s": a value must be plain data, not a function'):format(name), 2)
  end
  if has_placeholder(name) or has_placeholder(v) or active.by_name[name] then return value end
  local entry = { name = name, value = v, step = active.step }
  active.by_name[name] = entry
  active.list[#active.list + 1] = entry
  return value
end

-- One line for a fact value: "ami-0a91", "id=arn:..., status=CREATE_COMPLETE".
function M.render(v)
  if v == nil then return "(not found by this plan)" end
  if type(v) ~= "table" then return (tostring(v):gsub("\n", "\\n")) end
  local parts = {}
  for _, k in ipairs(util.sorted_keys(v)) do parts[#parts + 1] = ("%s=%s"):format(k, tostring(v[k])) end
  return table.concat(parts, ", ")
end

-- True when two fact values are the same (tables compared by their sorted JSON).
function M.same(a, b)
  if type(a) == "table" and type(b) == "table" then return json.encode(a) == json.encode(b) end
  return a == b
end

return M
