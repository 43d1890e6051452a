-- SSM: Run Command (SendCommand, GetCommandInvocation, ListCommandInvocations) and
-- GetParameter. A command's invocations go Pending -> InProgress -> Success / Failed /
-- TimedOut on the simulated clock, with the output of a script scripted in the seed
-- (exit code, stdout and stderr bytes, duration), revealed line by line while it runs.
-- Only when the seed says "execute": true (or AWSSIM_SSM_EXECUTE=1 is set) do shell
-- commands run for real, on this machine, as the awssim process.
--
-- Kinds (ids): ssm.parameter (Name). Commands are history, not resources: they live in
-- world.data("ssm").commands, and their states are computed from their times.
local sim = require "sim"
local world = require "world"
local describe = require "describe"

local M = { ops = {}, hooks = {} }

M.durations = {
  delivery = 2,        -- Pending: from SendCommand to the start of the script
  visible = 1,         -- GetCommandInvocation answers InvocationDoesNotExist this long
  script = 5,          -- how long a scripted command runs unless its script says
}

local OUTPUT_LIMIT = 24000      -- GetCommandInvocation's StandardOutputContent
local PLUGIN_OUTPUT_LIMIT = 2500  -- ListCommandInvocations' CommandPlugins[].Output

local PLUGINS = { ["AWS-RunShellScript"] = "aws:runShellScript",
                  ["AWS-RunPowerShellScript"] = "aws:runPowerShellScript" }

local function data()
  local d = world.data("ssm")
  d.commands = d.commands or {}
  d.order = d.order or {}
  d.scripts = d.scripts or {}
  d.uses = d.uses or {}
  return d
end

local function duration(name)
  local d = world.data("ssm").durations
  return (d and d[name]) or M.durations[name]
end

local function config() return sim.config() end

local function iso(t) return sim.iso8601(t) end

-- ---- scripted results -----------------------------------------------------------------

local function regex_test(pattern, subject)
  local ok, re = pcall(require, "wf.re")
  if ok then return re.test(pattern, subject) end
  return subject:find(pattern) ~= nil
end

-- The result a script gives: from the first seed script whose pattern matches the
-- commands (and document / instance when the script names them); a script with a list
-- of results gives them in turn, repeating the last.
local function scripted_result(document, instance_id, text)
  local d = data()
  for i, s in ipairs(d.scripts) do
    local match = s.match == nil or regex_test(s.match, text)
    if match and (not s.document or s.document == document)
       and (not s.instance or s.instance == instance_id) then
      if s.results and #s.results > 0 then
        local n = (d.uses[tostring(i)] or 0) + 1
        d.uses[tostring(i)] = n
        return s.results[math.min(n, #s.results)]
      end
      return s
    end
  end
  return {}
end

local function bytes_of(r, field)
  if r[field .. "_base64"] then
    local b = sim.base64_decode(r[field .. "_base64"])
    if b then return b end
  end
  return r[field] or ""
end

local function execution_enabled()
  return world.data("ssm").execute == true or os.getenv("AWSSIM_SSM_EXECUTE") == "1"
end

-- Runs the commands with sh, here and now; returns stdout, stderr, exit code and the
-- real time it took (awssim waits: only for tests that ask for it).
local function execute(document, commands, working_dir)
  if document ~= "AWS-RunShellScript" then
    return "", document .. " cannot run on this machine\n", 1, 0
  end
  local script = os.tmpname()
  local out, err = os.tmpname(), os.tmpname()
  local f = assert(io.open(script, "wb"))
  if working_dir and working_dir ~= "" then f:write("cd '", working_dir:gsub("'", "'\\''"), "' || exit 1\n") end
  f:write(commands, "\n")
  f:close()
  local started = require("simcore").real_now()
  local ok, how, code = os.execute(("sh %s >%s 2>%s"):format(script, out, err))
  local elapsed = require("simcore").real_now() - started
  local function slurp(path)
    local h = io.open(path, "rb")
    local s = h and h:read("a") or ""
    if h then h:close() end
    os.remove(path)
    return s
  end
  local stdout, stderr = slurp(out), slurp(err)
  os.remove(script)
  if how == "signal" then code = 128 + code end
  return stdout, stderr, ok and 0 or code or 1, elapsed
end

-- ---- invocations ------------------------------------------------------------------------

-- The state of an invocation at the current time.
local function status_of(inv)
  local t = sim.now()
  if t < inv._start then return "Pending", "Pending" end
  if t < inv._end then return "InProgress", "InProgress" end
  if inv._timed_out then return "TimedOut", "Execution Timed Out" end
  if inv._exit == 0 then return "Success", "Success" end
  return "Failed", "Failed"
end

-- The part of the output written by now: whole lines, in proportion to the time run.
local function output_so_far(inv, text)
  local t = sim.now()
  if t >= inv._end then return text end
  if t < inv._start then return "" end
  local share = (t - inv._start) / math.max(inv._end - inv._start, 1e-9)
  local cut = math.floor(#text * share)
  local nl = text:sub(1, cut):match(".*()\n")
  return nl and text:sub(1, nl) or ""
end

local function elapsed_text(seconds)
  return ("PT%.3fS"):format(math.max(0, seconds))
end

local function invocation_view(cmd, inv, details)
  local status, detail = status_of(inv)
  local running = status == "Pending" or status == "InProgress"
  local stdout = output_so_far(inv, inv._stdout)
  local stderr = output_so_far(inv, inv._stderr)
  local out = {
    CommandId = cmd.CommandId, InstanceId = inv.InstanceId, InstanceName = inv.InstanceName or "",
    Comment = cmd.Comment or "", DocumentName = cmd.DocumentName, DocumentVersion = cmd.DocumentVersion,
    RequestedDateTime = cmd.RequestedDateTime, Status = status, StatusDetails = detail,
    TraceOutput = "", StandardOutputUrl = "", StandardErrorUrl = "",
    ServiceRole = cmd.ServiceRole or "", NotificationConfig = { NotificationArn = "", NotificationEvents = sim.array {}, NotificationType = "" },
    CloudWatchOutputConfig = { CloudWatchLogGroupName = "", CloudWatchOutputEnabled = false },
  }
  if details then
    local plugin = {
      Name = PLUGINS[cmd.DocumentName] or "aws:runShellScript", Status = status, StatusDetails = detail,
      ResponseCode = running and -1 or inv._exit,
      Output = (stdout .. (stderr ~= "" and ("\n----------ERROR-------\n" .. stderr) or "")):sub(1, PLUGIN_OUTPUT_LIMIT),
      StandardOutputUrl = "", StandardErrorUrl = "", OutputS3Region = config().region,
      OutputS3BucketName = "", OutputS3KeyPrefix = "",
    }
    if status ~= "Pending" then plugin.ResponseStartDateTime = inv._start end
    if not running then plugin.ResponseFinishDateTime = inv._end end
    out.CommandPlugins = sim.array { plugin }
  else
    out.CommandPlugins = sim.array {}
  end
  return out, stdout, stderr, status, detail, running
end

local function instance_running(id)
  local inst = world.get("ec2.instance", id)
  return inst and inst.State.Name == "running"
end

-- The instance ids a SendCommand targets (InstanceIds, or Targets by instance ids or tags).
local function targets(params)
  local ids = {}
  for _, id in ipairs(params.InstanceIds or {}) do ids[#ids + 1] = id end
  for _, t in ipairs(params.Targets or {}) do
    if t.Key == "InstanceIds" then
      for _, id in ipairs(t.Values or {}) do ids[#ids + 1] = id end
    else
      local tag = (t.Key or ""):match("^tag:(.+)$")
      if not tag and t.Key ~= "tag-key" then
        sim.error("InvalidParameters", ("Target key %s is not supported by awssim"):format(tostring(t.Key)))
      end
      local wanted = describe.set(t.Values) or {}
      for _, inst in ipairs(world.list("ec2.instance")) do
        if inst.State.Name == "running" then
          local hit = false
          for _, x in ipairs(inst.Tags or {}) do
            if (tag and x.Key == tag and wanted[x.Value]) or (not tag and wanted[x.Key]) then hit = true end
          end
          if hit then ids[#ids + 1] = inst.InstanceId end
        end
      end
    end
  end
  return ids
end

function M.ops.SendCommand(params, ctx)
  local document = params.DocumentName
  if not PLUGINS[document] then
    sim.error("InvalidDocument", ("Document with name %s does not exist."):format(tostring(document)))
  end
  local ids = targets(params)
  if #ids == 0 then
    sim.error("InvalidParameters", "Either InstanceIds or Targets must be specified, and match instances.")
  end
  local seen, bad = {}, {}
  for _, id in ipairs(ids) do
    if seen[id] then sim.error("DuplicateInstanceId", "Instance Id " .. id .. " is a duplicate") end
    seen[id] = true
    if not id:match("^m?i%-%x+$") or not instance_running(id) then bad[#bad + 1] = id end
  end
  if #bad > 0 then
    sim.error("InvalidInstanceId", ("Instances [[%s]] not in a valid state for account %s"):format(
      table.concat(bad, ", "), ctx.account))
  end
  local cmd_params = params.Parameters or {}
  local commands = cmd_params.commands or {}
  if type(commands) == "string" then commands = { commands } end
  local text = table.concat(commands, "\n")
  local timeout = tonumber(cmd_params.executionTimeout and cmd_params.executionTimeout[1]) or 3600
  local now = sim.now()
  local id = sim.uuid()
  local cmd = {
    CommandId = id, DocumentName = document, DocumentVersion = params.DocumentVersion or "$DEFAULT",
    Comment = params.Comment or "", ExpiresAfter = now + (params.TimeoutSeconds or 3600),
    Parameters = cmd_params, InstanceIds = sim.array {}, Targets = params.Targets or sim.array {},
    RequestedDateTime = now, Status = "Pending", StatusDetails = "Pending",
    OutputS3Region = params.OutputS3Region or config().region, OutputS3BucketName = params.OutputS3BucketName or "",
    OutputS3KeyPrefix = params.OutputS3KeyPrefix or "", MaxConcurrency = params.MaxConcurrency or "50",
    MaxErrors = params.MaxErrors or "0", TargetCount = #ids, CompletedCount = 0, ErrorCount = 0,
    DeliveryTimedOutCount = 0, ServiceRole = params.ServiceRoleArn or "",
    NotificationConfig = params.NotificationConfig or { NotificationArn = "", NotificationEvents = sim.array {}, NotificationType = "" },
    CloudWatchOutputConfig = params.CloudWatchOutputConfig or { CloudWatchLogGroupName = "", CloudWatchOutputEnabled = false },
    TimeoutSeconds = params.TimeoutSeconds or 3600,
    _invocations = {},
  }
  for _, iid in ipairs(ids) do
    cmd.InstanceIds[#cmd.InstanceIds + 1] = iid
    local stdout, stderr, exit, runtime
    if execution_enabled() then
      stdout, stderr, exit, runtime = execute(document, text, cmd_params.workingDirectory and cmd_params.workingDirectory[1])
      runtime = math.max(runtime, 0.1)
    else
      local r = scripted_result(document, iid, text)
      stdout, stderr = bytes_of(r, "stdout"), bytes_of(r, "stderr")
      exit = r.exit_code or 0
      runtime = r.duration or duration("script")
    end
    local start = now + duration("delivery")
    local inv = { InstanceId = iid, _start = start, _end = start + math.min(runtime, timeout),
                  _exit = exit, _stdout = stdout, _stderr = stderr, _timed_out = runtime > timeout,
                  _visible = now + duration("visible") }
    if inv._timed_out then inv._exit = -1 end
    local inst = world.get("ec2.instance", iid)
    inv.InstanceName = inst and describe.tag(inst.Tags, "Name") or ""
    cmd._invocations[iid] = inv
  end
  local d = data()
  d.commands[id] = cmd
  d.order[#d.order + 1] = id
  local out = world.public(cmd)
  return { Command = out }
end

local function get_command(id)
  return type(id) == "string" and data().commands[id] or nil
end

function M.ops.GetCommandInvocation(params, ctx)
  if type(params.CommandId) ~= "string" or #params.CommandId ~= 36 then
    sim.error("InvalidCommandId", "")
  end
  if not (params.InstanceId or ""):match("^m?i%-%x+$") then
    sim.error("InvalidInstanceId", "")
  end
  local cmd = get_command(params.CommandId)
  local inv = cmd and cmd._invocations[params.InstanceId]
  if not inv or sim.now() < inv._visible then
    sim.error("InvocationDoesNotExist", "")
  end
  if params.PluginName and params.PluginName ~= PLUGINS[cmd.DocumentName] then
    sim.error("InvalidPluginName", "")
  end
  local view, stdout, stderr, status, detail, running = invocation_view(cmd, inv, false)
  local out = {
    CommandId = cmd.CommandId, InstanceId = inv.InstanceId, Comment = cmd.Comment,
    DocumentName = cmd.DocumentName, DocumentVersion = cmd.DocumentVersion,
    PluginName = PLUGINS[cmd.DocumentName], ResponseCode = running and -1 or inv._exit,
    Status = status, StatusDetails = detail,
    StandardOutputContent = stdout:sub(1, OUTPUT_LIMIT), StandardOutputUrl = "",
    StandardErrorContent = stderr:sub(1, OUTPUT_LIMIT), StandardErrorUrl = "",
    CloudWatchOutputConfig = { CloudWatchLogGroupName = "", CloudWatchOutputEnabled = false },
    ExecutionStartDateTime = "", ExecutionElapsedTime = "", ExecutionEndDateTime = "",
  }
  if status ~= "Pending" then
    out.ExecutionStartDateTime = iso(inv._start)
    out.ExecutionElapsedTime = elapsed_text((running and sim.now() or inv._end) - inv._start)
  end
  if not running then out.ExecutionEndDateTime = iso(inv._end) end
  return out
end

local INVOCATION_FILTERS = { InvokedAfter = true, InvokedBefore = true, Status = true,
                             ExecutionStage = true, DocumentName = true }

function M.ops.ListCommandInvocations(params, ctx)
  local d = data()
  for _, f in ipairs(params.Filters or {}) do
    if not INVOCATION_FILTERS[f.key] then sim.error("InvalidFilterKey", "") end
  end
  if params.MaxResults and (params.MaxResults < 1 or params.MaxResults > 50) then
    sim.error("ValidationException", "1 validation error detected: Value at 'maxResults' failed "
              .. "to satisfy constraint: Member must have value between 1 and 50")
  end
  local ids = params.CommandId and { params.CommandId } or d.order
  local out = {}
  for i = #ids, 1, -1 do   -- newest first
    local cmd = d.commands[ids[i]]
    if cmd then
      local instances = {}
      for iid in pairs(cmd._invocations) do instances[#instances + 1] = iid end
      table.sort(instances)
      for _, iid in ipairs(instances) do
        local inv = cmd._invocations[iid]
        if (not params.InstanceId or params.InstanceId == iid) and sim.now() >= inv._visible then
          local view = invocation_view(cmd, inv, params.Details)
          local keep = true
          for _, f in ipairs(params.Filters or {}) do
            if f.key == "Status" and view.Status ~= f.value then keep = false end
            if f.key == "DocumentName" and cmd.DocumentName ~= f.value then keep = false end
            if f.key == "ExecutionStage" then
              local executing = view.Status == "Pending" or view.Status == "InProgress"
              if (f.value == "Executing") ~= executing then keep = false end
            end
            local t = (f.key == "InvokedAfter" or f.key == "InvokedBefore") and sim.parse_time(f.value)
            if f.key == "InvokedAfter" and t and cmd.RequestedDateTime < t then keep = false end
            if f.key == "InvokedBefore" and t and cmd.RequestedDateTime > t then keep = false end
          end
          if keep then out[#out + 1] = view end
        end
      end
    end
  end
  local page, token = describe.page(out, params.NextToken, params.MaxResults or 50, "InvalidNextToken")
  return { CommandInvocations = page, NextToken = token }
end

-- ---- parameters ---------------------------------------------------------------------------

local function parameter_arn(name)
  return ("arn:aws:ssm:%s:%s:parameter/%s"):format(config().region, config().account, name:gsub("^/", ""))
end

function M.ops.GetParameter(params, ctx)
  local name = params.Name or ""
  name = name:match("^arn:aws:ssm:[^:]*:[^:]*:parameter(/.*)$") or name:match("^arn:aws:ssm:[^:]*:[^:]*:parameter/(.*)$") or name
  local base, selector = name:match("^(.-):([^:/]+)$")
  if not base then base = name end
  local p = world.get("ssm.parameter", base)
  if not p then sim.error("ParameterNotFound", "") end
  if selector and tostring(p.Version) ~= selector then
    sim.error("ParameterVersionNotFound", ("Systems Manager could not find version %s of %s. "
              .. "Verify the version and try again."):format(selector, base))
  end
  local value = p.Value
  if p.Type == "SecureString" and not params.WithDecryption then
    value = sim.base64_encode("awssim-kms:" .. value)
  end
  return { Parameter = { Name = p.Name, Type = p.Type, Value = value, Version = p.Version,
                         Selector = selector and (":" .. selector) or nil,
                         LastModifiedDate = p.LastModifiedDate, ARN = p.ARN, DataType = p.DataType } }
end

-- ---- seed ---------------------------------------------------------------------------------

-- Seed section (docs/awssim-resources.md):
-- { "execute": false, "durations": {...},
--   "parameters": [{ Name, Value, Type? (String), DataType?, Version? }],
--   "scripts": [{ "match": PCRE on the commands, "document"?, "instance"?,
--                 "stdout" | "stdout_base64", "stderr" | "stderr_base64", "exit_code"?,
--                 "duration"? (sim seconds), or "results": [ {stdout, exit_code, ...}, ... ]
--                 given in turn }] }
function M.seed(section)
  local d = data()
  if section.execute ~= nil then d.execute = section.execute end
  if section.durations then
    d.durations = d.durations or {}
    for k, v in pairs(section.durations) do d.durations[k] = v end
  end
  for _, s in ipairs(section.scripts or {}) do
    if s.match ~= nil and type(s.match) ~= "string" then error("ssm script match must be a string", 0) end
    d.scripts[#d.scripts + 1] = s
  end
  for _, p in ipairs(section.parameters or {}) do
    if type(p.Name) ~= "string" or p.Value == nil then error("ssm parameters need Name and Value", 0) end
    local value = p.Value
    if type(value) == "table" then value = table.concat(value, ",") end
    world.put("ssm.parameter", p.Name, {
      Name = p.Name, Type = p.Type or "String", Value = tostring(value), Version = p.Version or 1,
      DataType = p.DataType or "text", LastModifiedDate = sim.now(), ARN = parameter_arn(p.Name),
    })
  end
end

return M
