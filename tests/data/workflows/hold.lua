-- Test workflow for shared state: four steps a -> b -> c -> d that append what they do to a
-- trace file; the step named by hold_in waits while the file TRACE.hold exists, so a test
-- can keep a run (and its lock) in a step for as long as it needs, then kill or release it.
workflow "hold" {
  doc = "Steps that record their runs and undos in a trace file, one of them held by a file",
  params = {
    env = param.string { position = 1, doc = "environment (the lock key)" },
    trace = param.path { doc = "file the steps append to", required = true },
    hold_in = param.string { doc = "step that waits while TRACE.hold exists", default = "" },
  },
}

local function mark(ctx, what)
  sh.run { "sh", "-c", 'printf "%s\\n" "$1" >> "$2"', "sh", what, ctx.params.trace }
end

local function body(name)
  return function(ctx)
    mark(ctx, "run:" .. name)
    if ctx.params.hold_in == name then
      sh.run { "sh", "-c", 'while [ -e "$1" ]; do sleep 0.05; done', "sh", ctx.params.trace .. ".hold" }
    end
    return { id = name .. "-" .. ctx.timestamp }
  end
end

local function undo(name)
  return function(ctx, out) mark(ctx, "undo:" .. name .. ":" .. tostring(out.id)) end
end

step "a" { doc = "first", run = body("a"), undo = undo("a") }
step "b" { doc = "second", needs = "a", run = body("b"), undo = undo("b") }
step "c" { doc = "third", needs = "b", run = body("c"), undo = undo("c") }
step "d" { doc = "last", needs = "c", run = body("d"), undo = undo("d") }
