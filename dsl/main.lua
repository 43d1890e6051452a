-- wfrun's command line: global options, the command, and the exit code.
-- Called by engine/main.c as require("dsl.main").main(argv).
local clog = require "wf.log"
local interrupt = require "wf.interrupt"
local sys = require "wf.sys"
local errors = require "dsl.errors"
local loader = require "dsl.loader"
local params_mod = require "dsl.params"
local executor = require "dsl.executor"
local runs = require "dsl.runs"

local M = {}

-- Version and git commit, recorded at build time (engine/main.c registers wf.build).
local build_ok, build = pcall(require, "wf.build")
if not build_ok then build = { version = "0.1.0", commit = "unknown" } end
M.VERSION = build.version
M.COMMIT = build.commit

local USAGE = [[
usage: wfrun [options] WORKFLOW.lua [PARAMS...]     run a workflow
       wfrun plan WORKFLOW.lua [PARAMS...]          dry run: list every call and undo
       wfrun plan PLAN.json --format=markdown       show a saved plan again (for review)
       wfrun resume RUN-ID [--force]                continue a stopped or crashed run
       wfrun rollback RUN-ID [--force]              undo what a run finished
                                                    (both with the run's region, profile and
                                                    endpoint; --force: a differing option wins)
       wfrun status [RUN-ID]                        steps of a run (default: the latest)
       wfrun runs                                   all runs, oldest first
       wfrun help WORKFLOW.lua                      a workflow's parameters and steps
       wfrun call SERVICE OPERATION [JSON-ARGS]     one AWS call, printed as `aws --output json` does
       wfrun apply PLAN.json [--SECRET=VALUE...]    run a saved plan after checking its facts again
       wfrun test WORKFLOW.lua [PARAMS...]          prove every undo of a workflow on awssim
       wfrun s3 sync|verify SRC DST [options]       copy or compare S3 prefixes (wfrun s3 --help)
       wfrun unlock ENV --force --reason TEXT       break a stuck lock, recording who and why

options:
  -y, --yes              confirm points of no return without asking
      --no-rollback      on SIGINT/SIGTERM stop and keep the run resumable
      --dry-run          same as the plan command
      --state-dir=DIR    journals and locks (default .wfrun, or $WFRUN_STATE_DIR)
      --state=URL        journals and locks: a directory or s3://bucket/prefix, shared by
                         every agent (default $WFRUN_STATE; see docs/operations.md)
      --confirm=ENV      confirm a point of no return in a protected environment (--yes is not enough)
      --config=FILE      project config (protected environments; default: wfrun.config.lua, searched upward)
      --junit=FILE       write verification and smoke results as JUnit XML
      --log-format=FMT   text (default) or json; TeamCity messages when TEAMCITY_VERSION is set
  -v, --verbose          debug messages and subprocess output
      --sim              run against a fresh local AWS simulator (awssim) on a loopback port
      --seed=FILE        the simulator's starting world (default: workflows/examples/seed.json)
      --time-scale=N     simulated time runs N times faster (default 60)
      --sim-state=FILE   keep the simulator's world in FILE between runs (for resume)
      --format=FMT       plan output: text (default), json (what apply takes) or markdown
  -o, --output=FILE      write the plan to FILE instead of stdout
      --region=REGION    AWS region (default: AWS_REGION, AWS_DEFAULT_REGION, the profile)
      --profile=NAME     AWS profile of ~/.aws/config and ~/.aws/credentials (default: AWS_PROFILE)
      --endpoint-url=URL AWS endpoint for every service (default: AWS_ENDPOINT_URL[_<SERVICE>])
  -h, --help             this text
      --version          print the version and the git commit it was built from

exit codes: 0 done, 1 failed and rolled back, 2 bad input, 3 rollback incomplete or
stopped after the point of no return, 4 another run holds the lock.]]

local COMMANDS = { run = true, plan = true, resume = true, rollback = true, status = true, runs = true, help = true,
                   call = true }

-- Commands that live in a module of their own: module.run(opts, words) -> exit code.
-- Each module parses its own options from words (unknown global options land there).
local COMMAND_MODULES = { apply = "dsl.cmd_apply", test = "dsl.cmd_test", s3 = "dsl.cmd_s3", unlock = "dsl.cmd_unlock" }
for name in pairs(COMMAND_MODULES) do COMMANDS[name] = true end

-- Commands whose runs --junit reports (dsl/checks.lua); `wfrun test` writes its own.
local JUNIT_COMMANDS = { run = true, resume = true, rollback = true, apply = true }
local function reports_junit(opts, words)
  local cmd = words[1]
  if not (cmd and COMMANDS[cmd] and not cmd:match("%.lua$")) then cmd = "run" end
  return opts.junit and not opts.help and JUNIT_COMMANDS[cmd]
end

-- Global options: name -> { field, takes_value }
local OPTIONS = {
  ["yes"] = { "yes" }, ["y"] = { "yes" },
  ["no-rollback"] = { "no_rollback" },
  ["dry-run"] = { "dry_run" },
  ["state-dir"] = { "state_dir", true },
  ["log-format"] = { "log_format", true },
  ["verbose"] = { "verbose" }, ["v"] = { "verbose" },
  ["format"] = { "format", true },
  ["output"] = { "output", true }, ["o"] = { "output", true },
  ["help"] = { "help" }, ["h"] = { "help" },
  ["version"] = { "version" },
  ["region"] = { "region", true },
  ["profile"] = { "profile", true },
  ["endpoint-url"] = { "endpoint_url", true },
  ["sim"] = { "sim" },
  ["seed"] = { "seed", true },
  ["time-scale"] = { "time_scale", true },
  ["sim-state"] = { "sim_state", true },
  ["state"] = { "state", true },
  ["junit"] = { "junit", true },
  ["confirm"] = { "confirm", true },
  ["config"] = { "config", true },
}

-- Splits argv into global options and the remaining words (command and params).
local function parse_global(argv)
  local opts = { state_dir = sys.getenv("WFRUN_STATE_DIR") or ".wfrun" }
  local rest = {}
  local i = 1
  local only_words = false
  while i <= #argv do
    local w = argv[i]
    if only_words then
      rest[#rest + 1] = w
    elseif w == "--" then
      only_words = true
      rest[#rest + 1] = w
    else
      local name, value = w:match("^%-%-?([%w-]+)=(.*)$")
      if not name then name = w:match("^%-%-([%w-]+)$") or w:match("^%-(%w)$") end
      local opt = name and OPTIONS[name]
      if opt then
        if opt[2] then
          if value == nil then
            i = i + 1
            value = argv[i]
            if value == nil then errors.raise_usage(("option %s needs a value"):format(w), USAGE) end
          end
          opts[opt[1]] = value
        else
          if value ~= nil then errors.raise_usage(("option --%s takes no value"):format(name), USAGE) end
          opts[opt[1]] = true
        end
      else
        rest[#rest + 1] = w
      end
    end
    i = i + 1
  end
  return opts, rest
end

local function configure_logging(opts)
  local format = opts.log_format or "text"
  if format ~= "text" and format ~= "json" then
    errors.raise_usage(("--log-format must be text or json, not %q"):format(format), USAGE)
  end
  if format == "text" and (sys.getenv("TEAMCITY_VERSION") or "") ~= "" then format = "teamcity" end
  clog.configure(format, opts.verbose and true or false)
end

local function load_workflow(name)
  if not name then errors.raise_usage("no workflow given", USAGE) end
  local path = loader.find(name)
  if not path then
    errors.raise_usage(("workflow %s not found (looked in the current directory and %s)")
      :format(name, table.concat(loader.search_path(), ", ")))
  end
  return loader.load(path)
end

local function tail(list, from)
  local out = {}
  for i = from, #list do out[#out + 1] = list[i] end
  return out
end

-- Loads the workflow named on the command line (also for dsl/cmd_apply.lua).
M.load_workflow = load_workflow

local function cmd_plan(opts, words)
  return require("dsl.cmd_plan").run(opts, words, load_workflow)
end

local function cmd_run(opts, words)
  if opts.dry_run then return cmd_plan(opts, words) end
  local spec = load_workflow(words[1])
  local values = params_mod.bind(spec, tail(words, 2))
  return executor.start(spec, values, opts)
end

local function cmd_help(opts, words)
  if not words[1] then
    sys.write_stdout(USAGE .. "\n")
    return 0
  end
  local spec = load_workflow(words[1])
  local lines = { params_mod.usage(spec, "wfrun " .. words[1]), "", "steps:" }
  for i, s in ipairs(spec.order) do
    local tags = {}
    if s.irreversible then tags[#tags + 1] = "point of no return" end
    if s.always then tags[#tags + 1] = "always" end
    if s.undo then tags[#tags + 1] = "undo" end
    lines[#lines + 1] = ("  %2d. %-24s %s%s"):format(i, s.name, s.doc or "",
      #tags > 0 and (" [" .. table.concat(tags, ", ") .. "]") or "")
  end
  sys.write_stdout(table.concat(lines, "\n") .. "\n")
  return 0
end

local function need_id(words, cmd)
  if not words[1] then errors.raise_usage(("%s needs a run id (see: wfrun runs)"):format(cmd), USAGE) end
  return words[1]
end

local dispatch_configured

local function dispatch(argv)
  local opts, words = parse_global(argv)
  if opts.version then
    sys.write_stdout(("wfrun %s (commit %s)\n"):format(M.VERSION, M.COMMIT))
    return 0
  end
  if opts.help and #words == 0 then
    sys.write_stdout(USAGE .. "\n")
    return 0
  end
  configure_logging(opts)
  if reports_junit(opts, words) then require("dsl.checks").prepare_junit(opts.junit) end
  if opts.sim then
    local stop = require("dsl.sim").start(opts)
    opts.sim = nil
    local ok, code = xpcall(dispatch_configured, function(e) return e end, opts, words)
    stop()
    if not ok then error(code, 0) end
    return code
  end
  return dispatch_configured(opts, words)
end

dispatch_configured = function(opts, words)
  require("dsl.aws").configure { profile = opts.profile, region = opts.region,
                                 endpoint_url = opts.endpoint_url, verbose = opts.verbose or false }
  interrupt.hook()
  local cmd = words[1]
  if cmd and COMMANDS[cmd] and not (cmd:match("%.lua$")) then
    words = tail(words, 2)
  else
    cmd = "run"
  end
  if words[1] == "--" then words = tail(words, 2) end
  if cmd == "call" then return require("dsl.aws_cli").run(words, opts) end
  if COMMAND_MODULES[cmd] then
    local ok, mod = pcall(require, COMMAND_MODULES[cmd])
    if not ok then
      -- a module that is there but fails to load is a bug to show, not a missing command
      if not tostring(mod):find("module '" .. COMMAND_MODULES[cmd] .. "' not found", 1, true) then error(mod, 0) end
      errors.raise_usage(("command %s is not available in this build"):format(cmd), USAGE)
    end
    return mod.run(opts, words)
  end
  if opts.help then return cmd_help(opts, cmd == "run" and words or { words[1] }) end
  if cmd == "run" then return cmd_run(opts, words) end
  if cmd == "plan" then return cmd_plan(opts, words) end
  if cmd == "help" then return cmd_help(opts, words) end
  if cmd == "resume" then return executor.resume(need_id(words, cmd), opts, tail(words, 2)) end
  if cmd == "rollback" then return executor.rollback(need_id(words, cmd), opts, tail(words, 2)) end
  if cmd == "status" then return runs.status(opts, words[1]) end
  if cmd == "runs" then return runs.list(opts) end
  errors.raise_usage("unknown command " .. tostring(cmd), USAGE)
end

local function report(e)
  local kind = errors.kind(e)
  local msg = clog.sanitize(errors.message(e))
  if kind == "usage" then
    sys.write_stderr("wfrun: " .. msg .. "\n")
    if e.usage then sys.write_stderr("\n" .. e.usage .. "\n") end
    return 2
  elseif kind == "locked" then
    sys.write_stderr("wfrun: " .. msg .. "\n")
    return 4
  end
  sys.write_stderr("wfrun: " .. msg .. "\n")
  if type(e) == "string" and (sys.getenv("WFRUN_DEBUG") or "") == "" then
    sys.write_stderr("       (set WFRUN_DEBUG=1 for a traceback)\n")
  end
  return 3
end

function M.main(argv)
  local ok, code = xpcall(dispatch, function(e)
    if type(e) == "string" and (sys.getenv("WFRUN_DEBUG") or "") ~= "" then return debug.traceback(e, 2) end
    return e
  end, argv)
  local junit_ok, junit_err = require("dsl.checks").finish_junit()
  if not junit_ok then sys.write_stderr("wfrun: --junit: " .. junit_err .. "\n") end
  if ok then return code end
  return report(code)
end

return M
