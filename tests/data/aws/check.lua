-- Assertions for the Lua-level AWS tests: each prints what it saw when it fails, and
-- finish() prints the count and returns the exit code.
local json = require "wf.json"

local M = { checks = 0, failures = 0 }

local function show(v)
  if type(v) == "table" then
    local ok, s = pcall(json.encode, v)
    if ok then return s end
  end
  if type(v) == "string" then return ("%q"):format(v) end
  return tostring(v)
end
M.show = show

-- The test script's line that made the failing check.
local function where()
  for level = 3, 20 do
    local info = debug.getinfo(level, "Sl")
    if not info then break end
    if info.currentline > 0 and not info.short_src:find("check.lua", 1, true) then
      return info.short_src .. ":" .. info.currentline
    end
  end
  return "?"
end

function M.fail(what)
  M.failures = M.failures + 1
  io.stderr:write("FAIL: ", where(), ": ", what, "\n")
end

function M.ok(cond, what)
  M.checks = M.checks + 1
  if not cond then M.fail(what or "condition is false") end
  return cond
end

local function deep_equal(a, b)
  if type(a) ~= "table" or type(b) ~= "table" then return a == b end
  for k, v in pairs(a) do if not deep_equal(v, b[k]) then return false end end
  for k in pairs(b) do if a[k] == nil then return false end end
  return true
end
M.deep_equal = deep_equal

function M.eq(got, want, what)
  M.checks = M.checks + 1
  if not deep_equal(got, want) then
    M.fail(("%s: got %s, want %s"):format(what or "values differ", show(got), show(want)))
    return false
  end
  return true
end

-- fn must raise an error whose message (tostring) contains text.
function M.raises(fn, text, what)
  M.checks = M.checks + 1
  local ok, e = pcall(fn)
  if ok then
    M.fail((what or "call") .. ": no error raised; want one containing " .. show(text))
    return nil
  end
  local msg = tostring(type(e) == "table" and (getmetatable(e) and getmetatable(e).__tostring and tostring(e) or e.message or e.waiter_failure) or e)
  if not msg:find(text, 1, true) then
    M.fail(("%s: error %s lacks %s"):format(what or "call", show(msg), show(text)))
  end
  return e
end

function M.contains(s, text, what)
  M.checks = M.checks + 1
  if type(s) ~= "string" or not s:find(text, 1, true) then
    M.fail(("%s: %s lacks %s"):format(what or "text", show(s), show(text)))
  end
end

function M.finish(name)
  io.stdout:write(("%s: %d passed, %d failed\n"):format(name, M.checks - M.failures, M.failures))
  return M.failures == 0 and 0 or 1
end

return M
