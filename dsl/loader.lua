-- Loading a workflow file: find it, run it in a sandbox whose globals are an allow list
-- (reading an unknown global is an error naming it), collect declarations, validate.
local declare = require "dsl.declare"
local validate = require "dsl.validate"
local primitives = require "dsl.primitives"
local errors = require "dsl.errors"
local sys = require "wf.sys"

local M = {}

local SAFE_GLOBALS = {
  "assert", "error", "ipairs", "next", "pairs", "pcall", "rawequal", "rawget", "rawlen",
  "rawset", "select", "setmetatable", "getmetatable", "tonumber", "tostring", "type",
  "xpcall", "string", "table", "math", "utf8", "coroutine",
}

-- Where a workflow named on the command line is looked for, in order.
function M.search_path()
  local dirs = {}
  local env = sys.getenv("WFRUN_WORKFLOWS_PATH")
  if env then for d in env:gmatch("[^:]+") do dirs[#dirs + 1] = d end end
  for _, share in ipairs(require("dsl.paths").share_dirs()) do dirs[#dirs + 1] = share .. "/workflows" end
  return dirs
end

function M.find(name)
  if sys.exists(name) == "file" then return name end
  if not name:find("/") then
    local candidates = { name }
    if not name:match("%.lua$") then candidates[2] = name .. ".lua" end
    for _, dir in ipairs(M.search_path()) do
      for _, c in ipairs(candidates) do
        local path = dir .. "/" .. c
        if sys.exists(path) == "file" then return path end
      end
    end
  end
  return nil
end

local function sandbox(decls)
  local env = {}
  for _, name in ipairs(SAFE_GLOBALS) do env[name] = _G[name] end
  env.os = { time = os.time, date = os.date, clock = os.clock, getenv = os.getenv }
  for k, v in pairs(primitives.public) do env[k] = v end
  env.aws = require("dsl.aws").public
  env.workflow, env.step, env.param = decls.workflow, decls.step, decls.param
  env.require = function(name)
    if type(name) ~= "string" or not name:match("^stdlib%.[%w_.]+$") then
      error(("require: only stdlib modules can be required from a workflow, not %q"):format(tostring(name)), 2)
    end
    return require(name)
  end
  return setmetatable(env, {
    __index = function(_, k)
      error(("unknown global '%s'"):format(tostring(k)), 2)
    end,
    __newindex = function(_, k)
      error(("assignment to undeclared global '%s' (use local)"):format(tostring(k)), 2)
    end,
  })
end

-- Loads and validates the workflow at path. Returns the spec, or raises a usage error
-- (exit 2) listing every problem with its file:line.
function M.load(path)
  local source, read_err = sys.read_file(path)
  if not source then errors.raise_usage(read_err) end
  local spec, decls = declare.new(path)
  local chunk, syntax_err = load(source, "@" .. path, "t", sandbox(decls))
  if not chunk then errors.raise_usage(syntax_err) end
  local ok, run_err = pcall(chunk)
  if not ok then
    errors.raise_usage(errors.message(run_err))
  end
  validate.check(spec)
  if #spec.errors > 0 then
    errors.raise_usage(table.concat(spec.errors, "\n"))
  end
  spec.source_sha256 = sys.sha256_hex(source)
  spec.order = validate.order(spec)
  return spec
end

return M
