-- `wfrun test`: awssim inventories made comparable, and their differences by kind and id.
--
-- Normalisation (docs/testing.md#how-inventories-are-compared):
--   * history is not world state: kinds whose name holds activit, event, command,
--     invocation, request, change_set or operation are left out;
--   * gone is absent: a resource in a terminal state (DELETE_COMPLETE, terminated,
--     deregistered, deleted) is left out;
--   * volatile fields are dropped: names ending in Time, Date or Timestamp, LastModified,
--     addresses and DNS names, numbers that look like epoch seconds;
--   * generated tokens are placeholders: a run of 8+ hex digits with a digit, an upper-case
--     code of 10+ letters and digits, a compact timestamp (20261126T124526Z) or a run id's
--     random tail becomes <hex>/<code>/<ts>, unless the token already existed in the
--     reference world (the seed; awssim derives ids from the seed's salt, so a seeded id
--     is the same on every simulator and is compared as itself); a UUID is always <uuid>
--     (random on every simulator, seeded stacks included);
--   * the simulator's own URL (its port differs per scenario) becomes <sim>.
-- Two resources are the same when their kind and normalised id match; a pair with equal
-- normalised bodies is equal, a pair with different ones is changed; what is left over is
-- added or removed, reported with its real id.
local json = require "wf.json"

local M = {}

local HISTORY = { "activit", "event", "command", "invocation", "request", "change_set", "operation" }
local GONE = { DELETE_COMPLETE = true, terminated = true, deregistered = true, deleted = true,
               Terminated = true }
local VOLATILE_KEY_SUFFIXES = { "Time", "Date", "Timestamp", "LastModified", "IpAddress", "DnsName" }
local VOLATILE_KEYS = { UserData = true, DbiResourceId = true, Progress = true, PercentProgress = true }

local function is_history(kind)
  local k = kind:lower()
  for _, h in ipairs(HISTORY) do if k:find(h, 1, true) then return true end end
  return false
end

local function state_of(r)
  if type(r.State) == "table" then return r.State.Name end
  return r.StackStatus or r.DBInstanceStatus or r.State or r.Status or r.LifecycleState
end

local function volatile_key(k)
  if type(k) ~= "string" then return false end
  if VOLATILE_KEYS[k] then return true end
  for _, suffix in ipairs(VOLATILE_KEY_SUFFIXES) do
    if #k >= #suffix and k:sub(-#suffix) == suffix then return true end
  end
  return false
end

local UUID = "%x%x%x%x%x%x%x%x%-%x%x%x%x%-%x%x%x%x%-%x%x%x%x%-%x%x%x%x%x%x%x%x%x%x%x%x"

-- The class of a generated-looking word, or nil.
local function token_class(w)
  if w:match("^%d%d%d%d%d%d%d%d[tT]%d%d%d%d%d%d[zZ]$") then return "ts" end
  if #w >= 8 and w:match("^%x+$") and w:find("%d") then return "hex" end
  if #w >= 10 and w:match("^[%u%d]+$") and w:find("%d") and w:find("%u") then return "code" end
  return nil
end

-- Every generated-looking token of a string (UUIDs and words), into set.
local function collect_tokens(s, set)
  for w in s:gmatch("%w+") do
    if token_class(w) then set[w] = true end
  end
end

local function normalise_string(s, keep)
  s = s:gsub("https?://127%.0%.0%.1:%d+", "<sim>"):gsub("https?://localhost:%d+", "<sim>")
  s = s:gsub(UUID, "<uuid>")   -- random on every simulator, seeded or not (stack ids)
  s = s:gsub("(%d%d%d%d%d%d%d%d[tT]%d%d%d%d%d%d[zZ])%-(%x%x%x%x%x%x)%f[%W]",
    function(ts, tail) if keep[ts] then return nil end return "<ts>-<tail>" end)
  s = s:gsub("%w+", function(w)
    if keep[w] then return nil end
    local class = token_class(w)
    return class and ("<" .. class .. ">") or nil
  end)
  return s
end

local function normalise_value(v, keep)
  local t = type(v)
  if t == "string" then return normalise_string(v, keep) end
  if t == "number" then
    if v > 1e9 and v < 1e11 then return "<time>" end   -- epoch seconds
    return v
  end
  if t ~= "table" then
    if v == json.null then return nil end
    return v
  end
  local out = {}
  if json.is_array(v) or (#v > 0 and next(v, #v) == nil) then
    for i, x in ipairs(v) do out[i] = normalise_value(x, keep) end
    -- lists of resources come in creation order, which differs between runs
    local texts = {}
    for i, x in ipairs(out) do texts[i] = { x = x, t = json.encode(x) } end
    table.sort(texts, function(a, b) return a.t < b.t end)
    for i, e in ipairs(texts) do out[i] = e.x end
    return out
  end
  for k, x in pairs(v) do
    if not volatile_key(k) then out[k] = normalise_value(x, keep) end
  end
  return out
end

-- The tokens of a raw inventory that stay as they are (ids that exist in the seed world).
function M.reference_tokens(inventory)
  local set = {}
  local function walk(v)
    if type(v) == "string" then collect_tokens(v, set)
    elseif type(v) == "table" then
      for k, x in pairs(v) do
        if type(k) == "string" then collect_tokens(k, set) end
        walk(x)
      end
    end
  end
  walk(inventory.resources or {})
  return set
end

-- A raw inventory (GET /_awssim/inventory, decoded) as { kind = { entries } } where an
-- entry is { id =, nid =, body =, text = }; keep: reference_tokens of the seed.
function M.normalise(inventory, keep)
  local out = {}
  for kind, resources in pairs(inventory.resources or {}) do
    if not is_history(kind) then
      local list = {}
      for id, r in pairs(resources) do
        if not GONE[state_of(r) or ""] then
          local body = normalise_value(r, keep)
          list[#list + 1] = { id = id, nid = normalise_string(id, keep), body = body, text = json.encode(body) }
        end
      end
      table.sort(list, function(a, b) return a.id < b.id end)
      if #list > 0 then out[kind] = list end
    end
  end
  return out
end

-- "KIND:GLOB" patterns (leaves_behind) as a matcher of (kind, id).
function M.matcher(patterns)
  local compiled = {}
  for _, p in ipairs(patterns or {}) do
    local kind, glob = p:match("^([^:]+):(.+)$")
    if kind then
      local function lua_pattern(g)
        return "^" .. g:gsub("[%^%$%(%)%%%.%[%]%+%-%?]", "%%%0"):gsub("%*", ".*") .. "$"
      end
      compiled[#compiled + 1] = { kind = lua_pattern(kind), id = lua_pattern(glob) }
    end
  end
  return function(kind, id)
    for _, c in ipairs(compiled) do
      if kind:match(c.kind) and id:match(c.id) then return true end
    end
    return false
  end
end

-- Paths where two normalised bodies differ: { "MinSize: 2 -> 0", ... } (at most limit).
local function field_changes(a, b, limit)
  local out = {}
  local function show(v)
    if v == nil then return "(none)" end
    local s = type(v) == "table" and json.encode(v) or tostring(v)
    if #s > 80 then s = s:sub(1, 77) .. "..." end
    return s
  end
  local function walk(x, y, path)
    if #out >= limit then return end
    if type(x) == "table" and type(y) == "table" then
      local keys, seen = {}, {}
      for k in pairs(x) do keys[#keys + 1] = k; seen[k] = true end
      for k in pairs(y) do if not seen[k] then keys[#keys + 1] = k end end
      table.sort(keys, function(p, q) return tostring(p) < tostring(q) end)
      for _, k in ipairs(keys) do
        local sub = type(k) == "number" and ("%s[%d]"):format(path, k) or (path == "" and k or path .. "." .. k)
        walk(x[k], y[k], sub)
      end
    elseif json.encode(x == nil and json.null or x) ~= json.encode(y == nil and json.null or y) then
      out[#out + 1] = ("%s: %s -> %s"):format(path == "" and "(value)" or path, show(x), show(y))
    end
  end
  walk(a, b, "")
  return out
end

-- The differences from want to got (both normalised):
--   { added = {{kind, id, state}}, removed = {...}, changed = {{kind, id, changes}}, allowed = {...} }
-- allowed(kind, id) says which added resources a rollback may leave (they go to .allowed).
function M.diff(want, got, allowed)
  local d = { added = {}, removed = {}, changed = {}, allowed = {} }
  local kinds, seen = {}, {}
  for k in pairs(want) do kinds[#kinds + 1] = k; seen[k] = true end
  for k in pairs(got) do if not seen[k] then kinds[#kinds + 1] = k end end
  table.sort(kinds)
  for _, kind in ipairs(kinds) do
    local a, b = {}, {}
    for _, e in ipairs(want[kind] or {}) do a[#a + 1] = e end
    for _, e in ipairs(got[kind] or {}) do b[#b + 1] = e end
    -- equal pairs first
    local by_text = {}
    for i, e in ipairs(b) do
      local key = e.nid .. "\0" .. e.text
      by_text[key] = by_text[key] or {}
      table.insert(by_text[key], i)
    end
    local used_a, used_b = {}, {}
    for i, e in ipairs(a) do
      local slot = by_text[e.nid .. "\0" .. e.text]
      if slot and #slot > 0 then
        used_a[i], used_b[table.remove(slot, 1)] = true, true
      end
    end
    -- then the same normalised id: changed
    for i, e in ipairs(a) do
      if not used_a[i] then
        for j, f in ipairs(b) do
          if not used_b[j] and f.nid == e.nid then
            used_a[i], used_b[j] = true, true
            local id = e.id == f.id and e.id or (e.id .. " (now " .. f.id .. ")")
            d.changed[#d.changed + 1] = { kind = kind, id = id, changes = field_changes(e.body, f.body, 8) }
            break
          end
        end
      end
    end
    for i, e in ipairs(a) do
      if not used_a[i] then d.removed[#d.removed + 1] = { kind = kind, id = e.id, state = state_of(e.body) } end
    end
    for j, f in ipairs(b) do
      if not used_b[j] then
        local entry = { kind = kind, id = f.id, state = state_of(f.body) }
        if allowed and allowed(kind, f.id) then d.allowed[#d.allowed + 1] = entry
        else d.added[#d.added + 1] = entry end
      end
    end
  end
  return d
end

function M.empty(d)
  return #d.added == 0 and #d.removed == 0 and #d.changed == 0
end

-- The diff as text lines: "added   rds.db_snapshot demo-... (available)".
function M.render(d, indent)
  indent = indent or "  "
  local lines = {}
  local function state(e) return e.state and (" (" .. tostring(e.state) .. ")") or "" end
  for _, e in ipairs(d.added) do lines[#lines + 1] = ("%sadded    %s %s%s"):format(indent, e.kind, e.id, state(e)) end
  for _, e in ipairs(d.removed) do lines[#lines + 1] = ("%sremoved  %s %s%s"):format(indent, e.kind, e.id, state(e)) end
  for _, e in ipairs(d.changed) do
    lines[#lines + 1] = ("%schanged  %s %s"):format(indent, e.kind, e.id)
    for _, c in ipairs(e.changes) do lines[#lines + 1] = indent .. "           " .. c end
  end
  for _, e in ipairs(d.allowed) do
    lines[#lines + 1] = ("%sleft     %s %s%s (declared in leaves_behind)"):format(indent, e.kind, e.id, state(e))
  end
  return lines
end

return M
