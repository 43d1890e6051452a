-- The world: every simulated resource, by kind ("ec2.instance") and id, and the timed
-- transitions that move resources through their states. Saved and restored as JSON.
--
-- Time is lazy: nothing runs in the background. A transition scheduled with world.after
-- is applied by world.advance(now), which sim.handle calls before every request and
-- sim.inventory before every dump, in time order; while a transition is applied,
-- world.now() is the transition's own time, so chains (pending -> running -> ...) keep
-- their spacing however late the next request comes.
--
-- Conventions for resource tables: plain data (strings, numbers, booleans, tables);
-- fields whose name starts with "_" are internal (saved, but not in the inventory), e.g.
-- an S3 object's "_body". Strings may hold any bytes: dump() writes those that are not
-- valid UTF-8 (or hold NUL) as {"$bytes": base64} and restore() turns them back.
local simcore = require "simcore"
local json = require "wf.json"

local world = {}

local state            -- see empty()
local clock_override   -- the time of the transition being applied, or nil

-- How sim.lua turns a hook name ("ec2.instance_running") into a function; set by sim.init.
world.hook_resolver = function(name) error("world: no hook resolver for " .. name) end

local function empty()
  return {
    version = 1,
    salt = "awssim",      -- ids are md5(salt:n): the same seed gives the same ids
    next_id = 1,
    next_seq = 1,
    resources = {},       -- kind -> id -> resource
    events = json.array {},  -- pending transitions, sorted by (at, seq)
    data = {},            -- service -> free-form persistent table (world.data)
  }
end

state = empty()

-- Sim time in epoch seconds (the transition's time while one is being applied).
function world.now()
  return clock_override or simcore.now()
end

-- ---- resources ----------------------------------------------------------------------

local function kind_table(kind, create)
  local t = state.resources[kind]
  if not t and create then
    t = {}
    state.resources[kind] = t
  end
  return t
end

-- Stores res (a table) as kind/id, replacing any previous one; returns res.
function world.put(kind, id, res)
  assert(type(kind) == "string" and type(id) == "string" and type(res) == "table",
         "world.put(kind, id, table)")
  if not res._seq then
    res._seq = state.next_seq
    state.next_seq = state.next_seq + 1
  end
  kind_table(kind, true)[id] = res
  return res
end

-- The resource kind/id, or nil.
function world.get(kind, id)
  local t = kind_table(kind)
  return t and t[id]
end

-- Removes kind/id and its pending transitions; returns the removed resource or nil.
function world.remove(kind, id)
  local t = kind_table(kind)
  local res = t and t[id]
  if res then
    t[id] = nil
    world.cancel(kind, id)
  end
  return res
end

-- The resources of kind in creation order, optionally only those for which keep(res, id)
-- is true.
function world.list(kind, keep)
  local out = {}
  local t = kind_table(kind)
  if t then
    for id, res in pairs(t) do
      if not keep or keep(res, id) then out[#out + 1] = res end
    end
    table.sort(out, function(a, b) return a._seq < b._seq end)
  end
  return out
end

-- The ids of kind, sorted as strings (S3 keys list this way).
function world.ids(kind)
  local out = {}
  local t = kind_table(kind)
  if t then
    for id in pairs(t) do out[#out + 1] = id end
    table.sort(out)
  end
  return out
end

function world.count(kind)
  local n = 0
  local t = kind_table(kind)
  if t then for _ in pairs(t) do n = n + 1 end end
  return n
end

-- A new id: prefix followed by `digits` (default 17) hex digits, as EC2 ids look
-- ("i-0123456789abcdef0"). Deterministic for a given salt and history.
function world.new_id(prefix, digits)
  digits = digits or 17
  local n = state.next_id
  state.next_id = n + 1
  local hex = ""
  local round = 0
  while #hex < digits do
    hex = hex .. simcore.md5_hex(state.salt .. ":" .. n .. ":" .. round)
    round = round + 1
  end
  return (prefix or "") .. hex:sub(1, digits)
end

-- A service's own persistent table (counters, settings): world.data("s3").
function world.data(service)
  local d = state.data[service]
  if not d then
    d = {}
    state.data[service] = d
  end
  return d
end

-- ---- transitions --------------------------------------------------------------------

local function event_before(a, b)
  if a.at ~= b.at then return a.at < b.at end
  return a.seq < b.seq
end

-- After `seconds` of sim time, merges `changes` into kind/id (if it still exists) and then
-- calls the hook named `hook` ("service.name", a function in services.<service>.hooks)
-- as hook(res, event), with world.now() = the transition's time. changes may be nil;
-- changes._delete = true removes the resource instead (the hook still runs, with the
-- removed resource). Returns the transition's number.
function world.after(seconds, kind, id, changes, hook)
  assert(type(seconds) == "number" and seconds >= 0, "world.after: seconds >= 0")
  local ev = { at = world.now() + seconds, seq = state.next_seq, kind = kind, id = id,
               set = changes, hook = hook }
  state.next_seq = state.next_seq + 1
  local events = state.events
  local i = #events
  while i >= 1 and event_before(ev, events[i]) do i = i - 1 end
  table.insert(events, i + 1, ev)
  return ev.seq
end

-- Drops the pending transitions of kind/id.
function world.cancel(kind, id)
  local events = state.events
  for i = #events, 1, -1 do
    if events[i].kind == kind and events[i].id == id then table.remove(events, i) end
  end
end

-- The pending transitions of kind/id, earliest first.
function world.pending(kind, id)
  local out = {}
  for _, ev in ipairs(state.events) do
    if ev.kind == kind and ev.id == id then out[#out + 1] = ev end
  end
  return out
end

-- Applies every transition due at or before now, in time order.
function world.advance(now)
  local events = state.events
  while events[1] and events[1].at <= now do
    local ev = table.remove(events, 1)
    clock_override = ev.at
    local ok, err = pcall(function()
      local res = world.get(ev.kind, ev.id)
      if res and ev.set then
        if ev.set._delete then
          world.remove(ev.kind, ev.id)
        else
          for k, v in pairs(ev.set) do res[k] = v end
        end
      end
      if ev.hook then world.hook_resolver(ev.hook)(res, ev) end
    end)
    clock_override = nil
    if not ok then error(err, 0) end
  end
end

-- ---- inventory, save, restore ---------------------------------------------------------

local function public_copy(v)
  if type(v) ~= "table" then return v end
  local out = json.is_array(v) and json.array {} or {}
  for k, x in pairs(v) do
    if not (type(k) == "string" and k:sub(1, 1) == "_") then out[k] = public_copy(x) end
  end
  return out
end

-- A deep copy of v without the internal ("_") fields: what a result may show of a
-- resource.
world.public = public_copy

-- {time = ISO-8601 sim time, pending_transitions = n, resources = {kind = {id = res}}},
-- internal fields left out.
function world.inventory()
  local resources = {}
  for kind, t in pairs(state.resources) do
    local copy = {}
    for id, res in pairs(t) do copy[id] = public_copy(res) end
    if next(copy) then resources[kind] = copy end
  end
  return { time = simcore.iso8601(world.now()), pending_transitions = #state.events,
           resources = resources }
end

local function is_text(s)
  return utf8.len(s) ~= nil and not s:find("\0", 1, true)
end

-- A copy JSON can carry: byte strings as {"$bytes": base64}.
local function encode_bytes(v)
  local t = type(v)
  if t == "string" then
    if is_text(v) then return v end
    return { ["$bytes"] = simcore.base64_encode(v) }
  elseif t ~= "table" then
    return v
  end
  local out = json.is_array(v) and json.array {} or {}
  for k, x in pairs(v) do out[k] = encode_bytes(x) end
  return out
end

local function decode_bytes(v)
  if type(v) ~= "table" then return v end
  local b = v["$bytes"]
  if type(b) == "string" and next(v, next(v)) == nil then
    local bytes = simcore.base64_decode(b)
    if not bytes then error("world.restore: bad $bytes value") end
    return bytes
  end
  local out = json.is_array(v) and json.array {} or {}
  for k, x in pairs(v) do out[k] = decode_bytes(x) end
  return out
end

-- The whole world as a JSON-ready table (see docs/awssim.md, "State file").
function world.dump()
  local out = encode_bytes(state)
  out.time = world.now()
  return out
end

-- Replaces the world with a dump.
function world.restore(t)
  if type(t) ~= "table" or t.version ~= 1 then
    error("not an awssim state (version 1) document", 0)
  end
  local s = decode_bytes(t)
  s.time = nil
  s.resources = s.resources or {}
  s.events = s.events or json.array {}
  s.data = s.data or {}
  s.salt = s.salt or "awssim"
  s.next_id = s.next_id or 1
  s.next_seq = s.next_seq or 1
  table.sort(s.events, event_before)
  state = s
end

-- An empty world.
function world.reset()
  state = empty()
end

-- Changes the id salt (a seed's "world": {"salt": ...}).
function world.set_salt(salt)
  state.salt = tostring(salt)
end

return world
