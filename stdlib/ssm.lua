-- SSM Run Command: run a shell or PowerShell script on an instance, streaming what it
-- prints into the log, and fail when the script fails. What provisioners of a bake use.
--
--   local ssm = require "stdlib.ssm"
--   local r = ssm.run { instance = "i-0123456789abcdef0", script = "apt-get -y install nginx\n" }
--   r.status, r.code, r.stdout
--
-- GetCommandInvocation returns at most the first 24,000 characters of each stream; a
-- longer output is cut there (send it to S3 or CloudWatch in the script if it matters).
local awscall = require "stdlib.awscall"
local primitives = require "dsl.primitives"
local pace = require "stdlib.pace"

local M = {}

M.DOCUMENTS = { shell = "AWS-RunShellScript", powershell = "AWS-RunPowerShellScript" }
local DONE = { Success = true, Cancelled = true, TimedOut = true, Failed = true,
               ["Delivery Timed Out"] = true, ["Execution Timed Out"] = true, Undeliverable = true, Terminated = true }

local function aws() return awscall.client() end
local function log() return primitives.public.log end
local function wait_poll(a) return primitives.public.wait.poll(pace.poll(a)) end

-- The kind of a script file by its name: "powershell" for .ps1, else "shell" (pure).
function M.kind_of(path)
  return tostring(path):lower():match("%.ps1$") and "powershell" or "shell"
end

-- New complete lines of text beyond `seen` characters (pure): lines, new seen count.
-- A last line without its newline waits for the next call unless final is true.
function M.new_lines(text, seen, final)
  text = text or ""
  local lines = {}
  local pos = seen + 1
  while true do
    local nl = text:find("\n", pos, true)
    if not nl then break end
    lines[#lines + 1] = text:sub(pos, nl - 1):gsub("\r$", "")
    pos = nl + 1
  end
  if final and pos <= #text then
    lines[#lines + 1] = text:sub(pos)
    pos = #text + 1
  end
  return lines, pos - 1
end

-- Sends a script to one instance. opts: instance, script (text), kind ("shell" or
-- "powershell"), timeout (default "1h"), comment. Returns the command id.
function M.send(opts)
  local seconds = opts.timeout or "1h"
  if type(seconds) == "string" then seconds = require("wf.args").convert("duration", seconds) end
  local res = aws().ssm.send_command {
    InstanceIds = { opts.instance },
    DocumentName = M.DOCUMENTS[opts.kind or "shell"],
    Comment = opts.comment and opts.comment:sub(1, 100) or nil,
    Parameters = { commands = { opts.script }, executionTimeout = { tostring(math.floor(seconds)) } },
  }
  return res.Command.CommandId
end

-- The invocation of command id on instance, or nil while SSM does not know it yet.
function M.invocation(id, instance)
  return awscall.unless({ "InvocationDoesNotExist" }, aws().ssm.get_command_invocation,
    { CommandId = id, InstanceId = instance })
end

-- Runs a script on an instance and waits for it, logging each line of its output as it
-- appears (name: a label for the log lines). Returns { status, code, stdout, stderr };
-- a script that does not succeed is an error with the end of its error output, unless
-- opts.check == false.
function M.run(opts)
  assert(type(opts) == "table" and opts.instance and opts.script, "ssm.run{ instance =, script = }")
  local name = opts.name or "script"
  local id = M.send(opts)
  if awscall.planning() then return { status = "Success", code = 0, stdout = "", stderr = "", planned = true } end
  log().info(("%s: SSM command %s on %s"):format(name, id, opts.instance))
  local seen_out, seen_err, inv = 0, 0, nil
  local function stream(final)
    if not inv then return end
    local lines
    lines, seen_out = M.new_lines(inv.StandardOutputContent, seen_out, final)
    for _, l in ipairs(lines) do log().info(name .. ": " .. l) end
    lines, seen_err = M.new_lines(inv.StandardErrorContent, seen_err, final)
    for _, l in ipairs(lines) do log().warn(name .. ": " .. l) end
  end
  wait_poll {
    what = ("%s on %s (SSM command %s)"):format(name, opts.instance, id),
    timeout = opts.wait_timeout or opts.timeout or "1h", every = opts.every or "5s", max_every = "15s",
    check = function()
      inv = M.invocation(id, opts.instance)
      if not inv then return false, "not delivered yet" end
      stream(false)
      return DONE[inv.Status] or false, inv.Status
    end,
  }
  stream(true)
  local result = { status = inv.Status, code = inv.ResponseCode, stdout = inv.StandardOutputContent or "",
                   stderr = inv.StandardErrorContent or "" }
  if inv.Status ~= "Success" and opts.check ~= false then
    local tail = result.stderr ~= "" and result.stderr or result.stdout
    if #tail > 500 then tail = "..." .. tail:sub(-500) end
    error(("%s failed on %s: %s (exit code %s)%s"):format(name, opts.instance, tostring(inv.StatusDetails or inv.Status),
      tostring(inv.ResponseCode), tail ~= "" and (":\n" .. tail) or ""), 2)
  end
  return result
end

return M
