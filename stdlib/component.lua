-- Component files: what an environment is built from. A component (workflows/components/
-- api.lua) names its CloudFormation template, the template's parameters, how its stacks are
-- named (`api-<env>`), which parameter takes the DB snapshot id to restore from, and which
-- output is the smoke-test URL. The file format is documented in docs/workflows.md.
--
--   local component = require "stdlib.component"
--   local api = component.load("api")          -- workflows/components/api.lua
--   api:stack_name("prod")                     --> "api-prod"
--   api:template_parameters("prod", { snapshot = "prod-for-clone-to-qa-20261126t093747z" })
local sys = require "wf.sys"
local util = require "dsl.util"

local M = {}

-- The fields a component declares, as data: kind and one line of doc (unknown fields are
-- errors with a did-you-mean, like the DSL's own declarations).
M.FIELDS = {
  doc                = { kind = "string", doc = "what the component is" },
  template           = { kind = "string", required = true, doc = "CloudFormation template file (JSON or YAML), relative to the component file" },
  stack              = { kind = "string", doc = "stack name pattern; {env} is the environment name (default \"<component>-{env}\")" },
  parameters         = { kind = "table",  doc = "template parameters: Name = \"value\" ({env} is replaced) or function(env) -> value" },
  snapshot_parameter = { kind = "string", required = true, doc = "the template parameter that takes the DB snapshot id to restore from" },
  smoke              = { kind = "table",  required = true, doc = "{ output = \"SmokeTestUrl\", status = 200, attempts = 20, every = \"15s\", timeout = \"10s\" }" },
  image              = { kind = "table",  doc = "{ parameter = \"ImageId\", pattern = PCRE2, owners = {\"self\"} }: the newest matching AMI fills the parameter" },
  capabilities       = { kind = "table",  doc = "CloudFormation capabilities, e.g. {\"CAPABILITY_IAM\"}" },
  tags               = { kind = "table",  doc = "stack tags, Key = \"value\" ({env} is replaced)" },
  create_timeout     = { kind = "string", doc = "how long stack creation may take (default \"60m\")" },
}

M.SMOKE_FIELDS = {
  output = { kind = "string", required = true, doc = "the stack output holding the URL" },
  status = { kind = "number", doc = "the expected HTTP status (default 200)" },
  attempts = { kind = "number", doc = "how many tries before failing (default 20)" },
  every = { kind = "string", doc = "pause between tries (default \"15s\")" },
  timeout = { kind = "string", doc = "limit of one request (default \"10s\")" },
  contains = { kind = "string", doc = "text the body must contain (optional)" },
}

M.IMAGE_FIELDS = {
  parameter = { kind = "string", required = true, doc = "the template parameter that takes the AMI id" },
  pattern = { kind = "string", required = true, doc = "PCRE2 pattern the image name must match" },
  owners = { kind = "table", doc = "image owners (default {\"self\"})" },
}

local Component = {}
Component.__index = Component

local function dirname(path)
  local dir = path:match("^(.*)/[^/]*$")
  if dir == nil then return "." end
  if dir == "" then return "/" end
  return dir
end

-- The directory of the workflow file being run: the nearest Lua frame on the stack that
-- is not part of wfrun itself (dsl/, stdlib/).
local function workflow_dir()
  local own = debug.getinfo(1, "S").source
  local root = own:match("^@(.-)stdlib/component%.lua$") or ""
  for level = 2, 60 do
    local info = debug.getinfo(level, "S")
    if not info then break end
    local src = info.source
    if src:sub(1, 1) == "@" then
      local path = src:sub(2)
      local rel = path:sub(1, #root) == root and path:sub(#root + 1) or nil
      if not (rel and (rel:match("^dsl/") or rel:match("^stdlib/"))) then
        return dirname(path)
      end
    end
  end
  return nil
end

-- Where component files are looked for, in order.
function M.search_path()
  local dirs = {}
  local env = sys.getenv("WFRUN_COMPONENTS_PATH")
  if env then for d in env:gmatch("[^:]+") do dirs[#dirs + 1] = d end end
  local wdir = workflow_dir()
  if wdir then dirs[#dirs + 1] = wdir .. "/components" end
  for _, share in ipairs(require("dsl.paths").share_dirs()) do dirs[#dirs + 1] = share .. "/workflows/components" end
  return dirs
end

-- The path of the component file for name ("api", or a path to a .lua file).
function M.find(name)
  if name:find("/") or name:match("%.lua$") then
    if sys.exists(name) == "file" then return name end
    return nil, ("component file %s not found"):format(name)
  end
  local dirs = M.search_path()
  for _, dir in ipairs(dirs) do
    local path = dir .. "/" .. name .. ".lua"
    if sys.exists(path) == "file" then return path end
  end
  return nil, ("component %q not found (looked for %s.lua in %s)"):format(name, name, table.concat(dirs, ", "))
end

local function check_fields(file, what, vocab, body, errs)
  for k in pairs(body) do
    if type(k) ~= "string" or not vocab[k] then
      errs[#errs + 1] = ('%s: %s: unknown field "%s"%s'):format(file, what, tostring(k),
        util.did_you_mean(tostring(k), util.sorted_keys(vocab)))
    end
  end
  for name, f in pairs(vocab) do
    local v = body[name]
    if v == nil then
      if f.required then errs[#errs + 1] = ('%s: %s: field "%s" is required (%s)'):format(file, what, name, f.doc) end
    else
      local ok = (f.kind == "number" and math.type(v) ~= nil) or type(v) == f.kind
      if not ok then
        errs[#errs + 1] = ("%s: %s: field %s must be a %s, not a %s"):format(file, what, name, f.kind, type(v))
      end
    end
  end
end

-- Runs a component file in a small sandbox: it may only call `component "name" { ... }`
-- and use string, table, math and os.getenv.
local function run_file(path)
  local source, err = sys.read_file(path)
  if not source then error(("cannot read component file %s: %s"):format(path, tostring(err)), 0) end
  local declared
  local env = { string = string, table = table, math = math, tostring = tostring, tonumber = tonumber,
                ipairs = ipairs, pairs = pairs, type = type, error = error, os = { getenv = os.getenv } }
  env.component = function(name)
    local info = debug.getinfo(2, "l")
    return function(body)
      if declared then error(("%s:%d: a component file declares one component"):format(path, info.currentline), 0) end
      declared = { name = name, body = body, line = info.currentline }
    end
  end
  setmetatable(env, {
    __index = function(_, k) error(("unknown global '%s'"):format(tostring(k)), 2) end,
    __newindex = function(_, k) error(("assignment to undeclared global '%s' (use local)"):format(tostring(k)), 2) end,
  })
  local chunk, syntax = load(source, "@" .. path, "t", env)
  if not chunk then error(syntax, 0) end
  local ok, run_err = pcall(chunk)
  if not ok then error(run_err, 0) end
  if not declared then error(('%s:1: no component declared (add: component "name" { ... })'):format(path), 0) end
  return declared, source
end

-- Loads, checks and returns the component named name (see M.find). Errors name the file.
function M.load(name)
  local path, why = M.find(name)
  if not path then error(why, 0) end
  local decl, source = run_file(path)
  local where = ("%s:%d"):format(path, decl.line)
  local errs = {}
  if type(decl.name) ~= "string" or not decl.name:match("^[%a][%w-]*$") then
    errs[#errs + 1] = ("%s: component name must be a word like \"api\", got %s"):format(where, util.render(decl.name))
  end
  if type(decl.body) ~= "table" then
    error(("%s: component takes a table { ... }"):format(where), 0)
  end
  local body = decl.body
  check_fields(where, "component", M.FIELDS, body, errs)
  if type(body.smoke) == "table" then check_fields(where, "smoke", M.SMOKE_FIELDS, body.smoke, errs) end
  if type(body.image) == "table" then check_fields(where, "image", M.IMAGE_FIELDS, body.image, errs) end
  for k, v in pairs(type(body.parameters) == "table" and body.parameters or {}) do
    if type(k) ~= "string" or not (type(v) == "string" or type(v) == "function" or math.type(v)) then
      errs[#errs + 1] = ("%s: parameters: %s must be a string, a number or a function(env)"):format(where, tostring(k))
    end
  end
  if #errs > 0 then error(table.concat(errs, "\n"), 0) end

  local c = setmetatable({}, Component)
  c.name, c.file, c.dir, c.doc = decl.name, path, dirname(path), body.doc
  c.template_file = body.template:sub(1, 1) == "/" and body.template or (c.dir .. "/" .. body.template)
  local text, terr = sys.read_file(c.template_file)
  if not text then error(("%s: template %s: %s"):format(where, c.template_file, tostring(terr)), 0) end
  c.template_body = text
  -- a saved plan notices a component or template edited between plan and apply
  require("dsl.facts").record("component " .. c.name,
    { sha256 = sys.sha256_hex(source), template_sha256 = sys.sha256_hex(text) })
  c.stack_pattern = body.stack or (decl.name .. "-{env}")
  c.parameters = body.parameters or {}
  c.snapshot_parameter = body.snapshot_parameter
  c.smoke = {
    output = body.smoke.output, status = body.smoke.status or 200, attempts = body.smoke.attempts or 20,
    every = body.smoke.every or "15s", timeout = body.smoke.timeout or "10s", contains = body.smoke.contains,
  }
  c.image = body.image and { parameter = body.image.parameter, pattern = body.image.pattern,
                             owners = body.image.owners or { "self" } } or nil
  c.capabilities = body.capabilities or {}
  c.tags = body.tags or {}
  c.create_timeout = body.create_timeout or "60m"
  local declared_params = M.template_parameter_names(text)
  if declared_params then
    local function must_exist(pname, what)
      if not declared_params[pname] then
        errs[#errs + 1] = ("%s: %s %q is not a parameter of %s%s"):format(where, what, pname, c.template_file,
          util.did_you_mean(pname, util.sorted_keys(declared_params)))
      end
    end
    must_exist(c.snapshot_parameter, "snapshot_parameter")
    if c.image then must_exist(c.image.parameter, "image.parameter") end
    for _, pname in ipairs(util.sorted_keys(c.parameters)) do must_exist(pname, "parameter") end
  end
  if #errs > 0 then error(table.concat(errs, "\n"), 0) end
  return c
end

-- The parameter names a JSON template declares (a set), or nil when the template is not
-- JSON (YAML templates are passed through unchecked).
function M.template_parameter_names(text)
  local json = require "wf.json"
  local ok, doc = pcall(json.decode, text)
  if not ok or type(doc) ~= "table" then return nil end
  local names = {}
  for k in pairs(type(doc.Parameters) == "table" and doc.Parameters or {}) do names[k] = true end
  return names
end

local function expand(value, env)
  if type(value) == "function" then value = value(env) end
  if math.type(value) then value = tostring(value) end
  if type(value) ~= "string" then
    error(("component parameter value must be a string, got %s"):format(type(value)), 0)
  end
  return (value:gsub("{env}", env))
end

-- The stack name of environment env ("api-prod").
function Component:stack_name(env)
  return expand(self.stack_pattern, env)
end

-- The template parameters for environment env as CloudFormation wants them, sorted by
-- name. opts.snapshot: the DB snapshot to restore from; opts.image: the AMI id for
-- image.parameter; opts.overrides: Name = value pairs that win over the component's.
function Component:template_parameters(env, opts)
  opts = opts or {}
  local values = {}
  for k, v in pairs(self.parameters) do values[k] = expand(v, env) end
  if opts.image and self.image then values[self.image.parameter] = opts.image end
  if opts.snapshot then values[self.snapshot_parameter] = opts.snapshot end
  for k, v in pairs(opts.overrides or {}) do values[k] = expand(v, env) end
  local list = {}
  for _, k in ipairs(util.sorted_keys(values)) do
    list[#list + 1] = { ParameterKey = k, ParameterValue = values[k] }
  end
  return list
end

-- Stack tags for environment env, with extra Key = value pairs, as a sorted {Key, Value} list.
function Component:stack_tags(env, extra)
  local values = {}
  for k, v in pairs(self.tags) do values[k] = expand(v, env) end
  for k, v in pairs(extra or {}) do values[k] = v end
  local list = {}
  for _, k in ipairs(util.sorted_keys(values)) do list[#list + 1] = { Key = k, Value = values[k] } end
  return list
end

return M
