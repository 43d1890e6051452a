-- Error values the DSL raises and how they map to exit codes and messages.
-- Plain strings are ordinary Lua errors (they carry the workflow's file:line);
-- tables carry a kind: "usage" (exit 2), "timeout"/"interrupted" (from wf.interrupt),
-- "aws" (from the AWS layer).
local M = {}

local usage_mt = { __tostring = function(e) return e.message end }

-- A bad input from the user (command line, workflow file, params): exit 2.
function M.usage(message, usage_text)
  return setmetatable({ kind = "usage", message = message, usage = usage_text }, usage_mt)
end

function M.raise_usage(message, usage_text)
  error(M.usage(message, usage_text), 0)
end

function M.kind(e)
  if type(e) == "table" then return e.kind end
  return nil
end

-- A readable one-line (or few-line) message for any error value.
function M.message(e)
  if type(e) == "string" then return e end
  if type(e) == "table" then
    local mt = getmetatable(e)
    if mt and mt.__tostring then return tostring(e) end
    if e.message then
      if e.code then return ("%s: %s"):format(e.code, e.message) end
      return tostring(e.message)
    end
  end
  return tostring(e)
end

return M
