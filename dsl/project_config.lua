-- The project config file: wfrun.config.lua in the current directory or the nearest
-- parent, or the file named by --config=FILE. It is Lua run in a sandbox (reading or
-- setting an unknown global is an error naming it, as in a workflow file), with one
-- declaration so far:
--
--   protect { "prod*", "live-*" }     -- environments whose points of no return need --confirm=ENV
--
-- Patterns are globs matched against the whole environment name: `*` is any run of
-- characters (none too), `?` one character, everything else itself (case matters).
local sys = require "wf.sys"
local errors = require "dsl.errors"

local M = {}

M.FILE_NAME = "wfrun.config.lua"

local function parent(dir)
  local up = dir:match("^(.*)/[^/]*$")
  if up == nil or up == "" then return "/" end
  return up
end

-- The nearest wfrun.config.lua from dir (default: the current directory) upward, or nil.
function M.find(dir)
  dir = sys.realpath(dir or ".")
  while dir do
    local path = (dir == "/" and "" or dir) .. "/" .. M.FILE_NAME
    if sys.exists(path) == "file" then return path end
    if dir == "/" then return nil end
    dir = parent(dir)
  end
end

-- The Lua pattern of a glob (pure): anchored, `*` and `?` as wildcards, the rest literal.
function M.glob_to_pattern(glob)
  local out = { "^" }
  for ch in glob:gmatch(".") do
    if ch == "*" then out[#out + 1] = ".*"
    elseif ch == "?" then out[#out + 1] = "."
    elseif ch:match("%p") then out[#out + 1] = "%" .. ch
    else out[#out + 1] = ch end
  end
  out[#out + 1] = "$"
  return table.concat(out)
end

-- True when name matches glob (pure).
function M.glob_match(glob, name)
  return tostring(name):match(M.glob_to_pattern(glob)) ~= nil
end

local function sandbox(config, path)
  local env = { string = string, table = table, math = math, ipairs = ipairs, pairs = pairs,
                tostring = tostring, tonumber = tonumber, type = type, error = error,
                os = { getenv = os.getenv } }
  env.protect = function(list)
    local line = debug.getinfo(2, "l").currentline
    local where = ("%s:%d"):format(path, line)
    if type(list) == "string" then list = { list } end
    if type(list) ~= "table" or #list == 0 then
      error(('%s: protect takes a list of environment patterns, e.g. protect { "prod*" }'):format(where), 0)
    end
    for k, p in pairs(list) do
      if math.type(k) ~= "integer" or type(p) ~= "string" or p == "" then
        error(("%s: protect: every pattern must be a non-empty string, not %s"):format(where, tostring(p)), 0)
      end
      config.protect[#config.protect + 1] = { pattern = p, where = where }
    end
  end
  return setmetatable(env, {
    __index = function(_, k) error(("unknown global '%s' (a config file can call: protect)"):format(tostring(k)), 2) end,
    __newindex = function(_, k) error(("assignment to undeclared global '%s' (use local)"):format(tostring(k)), 2) end,
  })
end

-- Loads the config at path: { file = path, protect = { { pattern =, where = "file:line" } } }.
-- Raises a usage error (exit 2) naming the file and line of a mistake.
function M.load_file(path)
  local source, err = sys.read_file(path)
  if not source then errors.raise_usage(("--config: %s"):format(err)) end
  local config = { file = path, protect = {} }
  local chunk, syntax = load(source, "@" .. path, "t", sandbox(config, path))
  if not chunk then errors.raise_usage(syntax) end
  local ok, run_err = pcall(chunk)
  if not ok then errors.raise_usage(errors.message(run_err)) end
  return config
end

local cache = {}

-- The project config of a command: --config=FILE (opts.config), else the nearest
-- wfrun.config.lua, else an empty one ({ protect = {} }). Loaded once per file.
function M.load(opts)
  local path = opts and opts.config
  if path and sys.exists(path) ~= "file" then
    errors.raise_usage(("--config: %s does not exist or is not a file"):format(path))
  end
  path = path or M.find()
  if not path then return { protect = {} } end
  local key = sys.realpath(path) or path
  if not cache[key] then cache[key] = M.load_file(path) end
  return cache[key]
end

-- The first protect pattern that matches environment name, or nil.
function M.protecting(config, name)
  for _, p in ipairs(config.protect) do
    if M.glob_match(p.pattern, name) then return p end
  end
  return nil
end

return M
