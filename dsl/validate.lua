-- Whole-workflow checks that need every declaration: needs that name no step, cycles,
-- positions, undo on an irreversible step. Each error names the file:line it is about.
local declare = require "dsl.declare"
local util = require "dsl.util"

local M = {}

function M.check(spec)
  local errors = spec.errors
  local function err(loc, msg) errors[#errors + 1] = declare.location(loc) .. ": " .. msg end

  if not spec.name then
    errors[#errors + 1] = spec.file .. ':1: no workflow declared (add: workflow "name" { doc = "..." })'
  end
  if #spec.steps == 0 then
    errors[#errors + 1] = spec.file .. ':1: no steps declared (add: step "name" { run = function(ctx) ... end })'
  end

  -- leaves_behind: "KIND:ID-GLOB", the kind as awssim's inventory names it (or *).
  for _, pattern in ipairs(spec.leaves_behind or {}) do
    if not pattern:match("^[%w_*]+%.?[%w_*]*:.+$") then
      err(spec.loc, ('workflow "%s": leaves_behind "%s" must read KIND:ID-GLOB, e.g. "s3.object:logs-*/*"')
        :format(spec.name or "?", pattern))
    end
  end

  local names = {}
  for _, s in ipairs(spec.steps) do names[#names + 1] = s.name end
  for _, s in ipairs(spec.steps) do
    for _, need in ipairs(s.needs) do
      if not spec.step_by_name[need] then
        err(s.loc, ('step "%s": needs "%s", which is not declared%s'):format(s.name, need, util.did_you_mean(need, names)))
      elseif need == s.name then
        err(s.loc, ('step "%s": needs itself'):format(s.name))
      end
    end
    if s.irreversible and s.undo then
      err(s.loc, ('step "%s": an irreversible step cannot have an undo (it is the point of no return)'):format(s.name))
    end
    if s.irreversible and s.always then
      err(s.loc, ('step "%s": a step cannot be both irreversible and always'):format(s.name))
    end
  end

  -- Cycles: depth-first search reporting the path.
  local state, stack = {}, {}
  local function visit(s)
    if state[s.name] == "done" then return end
    if state[s.name] == "active" then
      local from
      for i, n in ipairs(stack) do if n == s.name then from = i end end
      local cycle = { table.unpack(stack, from) }
      cycle[#cycle + 1] = s.name
      err(s.loc, ('step "%s": needs form a cycle: %s'):format(s.name, table.concat(cycle, " -> ")))
      return true
    end
    state[s.name] = "active"
    stack[#stack + 1] = s.name
    for _, need in ipairs(s.needs) do
      local dep = spec.step_by_name[need]
      if dep and dep ~= s and visit(dep) then return true end
    end
    stack[#stack] = nil
    state[s.name] = "done"
  end
  for _, s in ipairs(spec.steps) do
    if visit(s) then break end
  end

  -- Positions: 1..n without gaps or duplicates.
  local by_pos = {}
  for _, name in ipairs(util.sorted_keys(spec.params)) do
    local p = spec.params[name]
    if p.position then
      if math.type(p.position) ~= "integer" or p.position < 1 then
        err(p.loc, ('param "%s": position must be a whole number >= 1'):format(name))
      elseif by_pos[p.position] then
        err(p.loc, ('param "%s": position %d is also taken by "%s"'):format(name, p.position, by_pos[p.position]))
      else
        by_pos[p.position] = name
      end
    end
    if p.default ~= nil and p.required then
      err(p.loc, ('param "%s": a param with a default is not required'):format(name))
    end
  end
  for i = 1, #by_pos do
    if not by_pos[i] then
      errors[#errors + 1] = ('%s: param positions must run 1..%d without gaps (position %d is missing)')
        :format(declare.location(spec.loc or { file = spec.file, line = 1 }), #by_pos, i)
      break
    end
  end
  if spec.lock_param and not spec.params[spec.lock_param] then
    err(spec.loc, ('workflow "%s": lock names param "%s", which is not declared'):format(spec.name, spec.lock_param))
  end
  return #errors == 0
end

-- Steps in dependency order; ties keep declaration order, so runs are deterministic.
function M.order(spec)
  local done, order = {}, {}
  while #order < #spec.steps do
    local progressed = false
    for _, s in ipairs(spec.steps) do
      if not done[s.name] then
        local ready = true
        for _, need in ipairs(s.needs) do
          if not done[need] then ready = false break end
        end
        if ready then
          done[s.name] = true
          order[#order + 1] = s
          progressed = true
          break   -- restart from the first declared step: earliest ready step wins
        end
      end
    end
    if not progressed then error("internal: cycle survived validation") end
  end
  return order
end

return M
