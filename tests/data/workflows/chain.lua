-- Test workflow: four steps a -> (b, c) -> d that append what they do to a trace file,
-- with knobs to fail, sleep or block an undo at a chosen step.
workflow "chain" {
  doc = "A chain of steps that record their runs and undos in a trace file",
  params = {
    env = param.string { position = 1, doc = "environment (the lock key)" },
    trace = param.path { doc = "file the steps append to", required = true },
    fail_at = param.string { doc = "step whose run fails", default = "" },
    fail_times = param.integer { doc = "how many attempts of fail_at fail (0: all)", default = 0 },
    undo_fail = param.string { doc = "step whose undo fails while TRACE.block exists", default = "" },
    sleep_in = param.string { doc = "step that sleeps before finishing", default = "" },
    sleep_undo = param.string { doc = "step whose undo sleeps first", default = "" },
    seconds = param.number { doc = "how long sleeping steps sleep", default = 30 },
  },
}

local function mark(ctx, what)
  sh.run { "sh", "-c", 'printf "%s\\n" "$1" >> "$2"', "sh", what, ctx.params.trace }
end

local function exists(path)
  return sh.run { "test", "-e", path, check = false, readonly = true }.code == 0
end

local function body(name)
  return function(ctx)
    mark(ctx, "run:" .. name)
    if ctx.params.sleep_in == name then wait.seconds(ctx.params.seconds) end
    if ctx.params.fail_at == name and (ctx.params.fail_times == 0 or ctx.attempt <= ctx.params.fail_times) then
      error("injected failure in " .. name)
    end
    return { id = name .. "-" .. ctx.timestamp, from = ctx.steps.a and ctx.steps.a.id or "none" }
  end
end

local function undo(name)
  return function(ctx, out)
    if ctx.params.sleep_undo == name then wait.seconds(ctx.params.seconds) end
    if ctx.params.undo_fail == name and exists(ctx.params.trace .. ".block") then
      error("injected undo failure in " .. name)
    end
    mark(ctx, "undo:" .. name .. ":" .. tostring(out.id))
  end
end

step "a" { doc = "first", run = body("a"), undo = undo("a") }
step "b" { doc = "second", needs = "a", run = body("b"), undo = undo("b"), retry = { attempts = 2, backoff = "10ms" } }
step "c" { doc = "third", needs = { "a" }, run = body("c"), undo = undo("c") }
step "d" { doc = "last", needs = { "b", "c" }, run = body("d"), undo = undo("d") }
