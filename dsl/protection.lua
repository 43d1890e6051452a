-- Protected environments: when the project config (dsl/project_config.lua) protects a
-- run's environment, its points of no return run only with --confirm=ENV spelled exactly
-- (or the name typed at a terminal); --yes is not enough. The environment is the one the
-- lock uses: the workflow's `lock` param, else its first positional param.
local sys = require "wf.sys"
local errors = require "dsl.errors"
local project_config = require "dsl.project_config"

local M = {}

-- { env =, pattern =, where = "file:line" } when environment env is protected for a
-- command with opts (opts.config), else nil.
function M.of(env, opts)
  local p = project_config.protecting(project_config.load(opts), env)
  if not p then return nil end
  return { env = env, pattern = p.pattern, where = p.where }
end

-- How a plan or a message names the rule: `prod*` (wfrun.config.lua:3).
function M.describe(info)
  return ("%s (%s)"):format(info.pattern, info.where)
end

local function pending_point_of_no_return(r)
  for _, step in ipairs(r.spec.order) do
    local s = r.steps[step.name]
    if step.irreversible and not (s and (s.status == "succeeded" or s.status == "skipped")) then return step end
  end
end

-- Checks a run before anything runs (a new run, or a resume); env is its environment.
-- Raises a usage error (exit 2) when --confirm names another environment, or when a
-- protected environment has a point of no return ahead and neither --confirm=ENV nor a
-- terminal to type it at. Returns true when --confirm=ENV confirmed the run.
function M.check(r, env)
  r.environment = env
  r.protection = M.of(env, r.opts)
  local given = r.opts.confirm
  if given ~= nil and given ~= env then
    errors.raise_usage(('--confirm=%s does not match this run\'s environment "%s"; nothing was run')
      :format(given, env))
  end
  if given == env then return true end
  -- a resume that only continues a rollback runs no point of no return
  local rolling_back = r.phase == "rolling_back" or r.stopped_in == "rolling_back"
  local step = r.protection and not rolling_back and pending_point_of_no_return(r)
  if step and not sys.isatty(0) then
    errors.raise_usage(('environment "%s" is protected by %s: step "%s" is a point of no return; ' ..
      'confirm it with --confirm=%s (--yes is not enough); nothing was run')
      :format(env, M.describe(r.protection), step.name, env))
  end
  return false
end

-- Confirms point of no return step of run r (after M.check): --confirm=ENV, or in a
-- protected environment the environment's name typed at the terminal. Returns true, or
-- false and why.
function M.confirm(r, step)
  if r.opts.confirm == r.environment then return true end
  if not sys.isatty(0) then
    return false, ('step "%s" is a point of no return in protected environment "%s": pass --confirm=%s')
      :format(step.name, r.environment, r.environment)
  end
  sys.write_stderr(('\nStep "%s" is the point of no return: %s\nEnvironment "%s" is protected by %s.\n' ..
    'Nothing before this step can be undone once it has run.\nType the environment name (%s) to continue: ')
    :format(step.name, step.doc or "(no doc)", r.environment, M.describe(r.protection), r.environment))
  local answer = sys.read_line()
  if answer == r.environment then return true end
  return false, ('step "%s" was not confirmed (the environment name was not typed)'):format(step.name)
end

return M
