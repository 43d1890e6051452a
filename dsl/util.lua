-- Small helpers shared by the DSL modules.
local M = {}

function M.sorted_keys(t)
  local keys = {}
  for k in pairs(t) do keys[#keys + 1] = k end
  table.sort(keys, function(a, b) return tostring(a) < tostring(b) end)
  return keys
end

-- Edit distance, for did-you-mean suggestions.
function M.distance(a, b)
  local prev = {}
  for j = 0, #b do prev[j] = j end
  for i = 1, #a do
    local cur = { [0] = i }
    for j = 1, #b do
      local cost = a:sub(i, i) == b:sub(j, j) and 0 or 1
      cur[j] = math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
    end
    prev = cur
  end
  return prev[#b]
end

-- " (did you mean \"x\"?)" when some candidate is close to name, else "".
function M.did_you_mean(name, candidates)
  local best, best_d
  for _, c in ipairs(candidates) do
    local d = M.distance(name, c)
    if d <= math.max(2, #name // 3) and (not best_d or d < best_d) then best, best_d = c, d end
  end
  return best and (' (did you mean "%s"?)'):format(best) or ""
end

-- Deep copy of plain data; functions become "<function>" (plans show arguments).
function M.copy_data(v, seen)
  if type(v) == "function" then return "<function>" end
  if type(v) ~= "table" then return v end
  seen = seen or {}
  if seen[v] then return "<cycle>" end
  seen[v] = true
  local out = {}
  for k, x in pairs(v) do out[k] = M.copy_data(x, seen) end
  seen[v] = nil
  return setmetatable(out, getmetatable(v))
end

-- Lua-literal rendering of plain data for plans: {"make", "dist", check = false}.
function M.render(v, depth)
  depth = depth or 0
  if type(v) == "string" then return ("%q"):format(v):gsub("\\\n", "\\n") end
  if type(v) ~= "table" then return tostring(v) end
  if depth > 6 then return "{...}" end
  local parts, n = {}, #v
  for i = 1, n do parts[#parts + 1] = M.render(v[i], depth + 1) end
  for _, k in ipairs(M.sorted_keys(v)) do
    if not (math.type(k) == "integer" and k >= 1 and k <= n) then
      local key = (type(k) == "string" and k:match("^[%a_][%w_]*$")) and k or ("[" .. M.render(k) .. "]")
      parts[#parts + 1] = key .. " = " .. M.render(v[k], depth + 1)
    end
  end
  return "{" .. table.concat(parts, ", ") .. "}"
end

function M.split_lines(s)
  local lines = {}
  for line in (s .. "\n"):gmatch("(.-)\r?\n") do lines[#lines + 1] = line end
  return lines
end

return M
