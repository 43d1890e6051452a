-- single(list, pred, what): the one element of list that matches pred; anything else (none,
-- or several) is an error naming what was looked for and what was found.
--
--   local single = require "stdlib.single"
--   local db = single(resources, { ResourceType = "AWS::RDS::DBInstance" }, "database of stack api-prod")
--
-- pred is a function(item) -> boolean, a table of field = value that must all be equal, or
-- nil (the list itself must hold exactly one element). The error is raised at the caller's
-- line, so it points at the workflow, not at this file.

-- Fields that name an AWS resource, in the order they are tried when describing an element.
local NAME_FIELDS = {
  "LogicalResourceId", "StackName", "DBInstanceIdentifier", "DBSnapshotIdentifier",
  "AutoScalingGroupName", "LaunchTemplateName", "LaunchConfigurationName", "InstanceId",
  "ImageId", "Name", "Key", "Bucket", "OutputKey", "name", "id",
}

local MAX_SHOWN = 8

-- A short label for one element: its name field (with the image name for images), or the value.
local function label(item)
  if type(item) ~= "table" then return tostring(item) end
  for _, f in ipairs(NAME_FIELDS) do
    local v = item[f]
    if type(v) == "string" or math.type(v) then
      if f == "ImageId" and type(item.Name) == "string" then return ("%s (%s)"):format(v, item.Name) end
      if f == "LogicalResourceId" and type(item.PhysicalResourceId) == "string" then
        return ("%s (%s)"):format(v, item.PhysicalResourceId)
      end
      return tostring(v)
    end
  end
  return "{...}"
end

local function labels(list, limit)
  local out = {}
  for i, item in ipairs(list) do
    if i > limit then
      out[#out + 1] = ("and %d more"):format(#list - limit)
      break
    end
    out[#out + 1] = label(item)
  end
  return table.concat(out, ", ")
end

local function describe_pred(pred)
  if type(pred) ~= "table" then return nil end
  local keys = {}
  for k in pairs(pred) do keys[#keys + 1] = k end
  table.sort(keys)
  local parts = {}
  for _, k in ipairs(keys) do parts[#parts + 1] = ("%s = %s"):format(k, tostring(pred[k])) end
  return table.concat(parts, ", ")
end

local function matcher(pred)
  if pred == nil then return function() return true end end
  if type(pred) == "function" then return pred end
  if type(pred) == "table" then
    return function(item)
      if type(item) ~= "table" then return false end
      for k, v in pairs(pred) do
        if item[k] ~= v then return false end
      end
      return true
    end
  end
  error(("single: pred must be a function, a table of field = value, or nil, not a %s"):format(type(pred)), 3)
end

local function single(list, pred, what)
  if type(list) ~= "table" then
    error(("single: expected a list of %s, got %s"):format(what or "elements", type(list)), 2)
  end
  what = what or "element"
  local match = matcher(pred)
  local found = {}
  for _, item in ipairs(list) do
    if match(item) then found[#found + 1] = item end
  end
  if #found == 1 then return found[1] end
  local criteria = describe_pred(pred)
  local looked = criteria and ("%s (%s)"):format(what, criteria) or what
  if #found == 0 then
    if #list == 0 then
      error(("expected exactly one %s, found nothing (the list was empty)"):format(looked), 2)
    end
    error(("expected exactly one %s, found none among %d: %s"):format(looked, #list, labels(list, MAX_SHOWN)), 2)
  end
  error(("expected exactly one %s, found %d: %s"):format(looked, #found, labels(found, MAX_SHOWN)), 2)
end

return single
