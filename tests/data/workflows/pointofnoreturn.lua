-- Test workflow: a point of no return between two reversible steps.
workflow "ponr" {
  doc = "prepare, then delete (irreversible), then finish",
  params = {
    env = param.string { position = 1 },
    trace = param.path { required = true },
    fail_after = param.bool { doc = "make finish fail while TRACE.block exists" },
  },
}

local function mark(ctx, what)
  sh.run { "sh", "-c", 'printf "%s\\n" "$1" >> "$2"', "sh", what, ctx.params.trace }
end

step "prepare" {
  run = function(ctx) mark(ctx, "run:prepare") return { ok = true } end,
  undo = function(ctx) mark(ctx, "undo:prepare") end,
}
step "delete" {
  needs = "prepare", irreversible = true, doc = "delete the original",
  run = function(ctx) mark(ctx, "run:delete") end,
}
step "finish" {
  needs = "delete",
  run = function(ctx)
    mark(ctx, "run:finish")
    if ctx.params.fail_after and sh.run { "test", "-e", ctx.params.trace .. ".block", check = false, readonly = true }.code == 0 then
      error("finish failed")
    end
  end,
  undo = function(ctx) mark(ctx, "undo:finish") end,
}
step "cleanup" {
  needs = "prepare", always = true, doc = "runs on success and failure",
  run = function(ctx) mark(ctx, "run:cleanup") end,
}
