-- Deploys a directory as a new release beside the old ones and switches a `current`
-- symlink to it, blue/green style; old releases beyond --keep are pruned at the end
-- (the point of no return). Runs anywhere, no cloud needed: the local tour of wfrun.
--
--   wfrun --yes workflows/examples/deploy-dir.lua docs /tmp/wfrun-demo
workflow "deploy-dir" {
  doc = "Deploy a directory as a new release and switch `current` to it",
  params = {
    source = param.path { position = 1, doc = "directory to deploy" },
    target = param.path { position = 2, doc = "where releases live (created if missing)" },
    keep = param.integer { doc = "how many releases to keep", default = 3 },
  },
}

-- A read-only command whose failure is an answer, not an error.
local function sh_quiet(...)
  local argv = { ... }
  argv.readonly, argv.check = true, false
  return sh.run(argv)
end

step "check-source" {
  doc = "The source is a non-empty directory",
  run = function(ctx)
    local r = sh_quiet("find", ctx.params.source, "-maxdepth", "1", "-type", "f")
    if r.code ~= 0 or r.stdout == "" then
      error(("source %s is not a directory with files in it"):format(ctx.params.source))
    end
    local previous = sh_quiet("readlink", ctx.params.target .. "/current").stdout:gsub("%s+$", "")
    return { previous = previous ~= "" and previous or nil }
  end,
}

step "stage" {
  needs = "check-source",
  doc = "Copy the source into releases/<timestamp>-<id>",
  run = function(ctx)
    -- The run id's random tail keeps two runs in the same second apart.
    local dir = ("%s/releases/%s-%s"):format(ctx.params.target, ctx.timestamp, ctx.run_id:match("[^-]+$"))
    ctx.save { dir = dir }               -- journaled before copying: undo finds it even after a crash
    sh.run { "mkdir", "-p", dir }
    sh.run { "cp", "-R", ctx.params.source .. "/.", dir }
    return { dir = dir }
  end,
  undo = function(ctx, out)
    sh.run { "rm", "-rf", out.dir }
  end,
}

step "checksum" {
  needs = "stage",
  doc = "Record a checksum of every file of the release",
  run = function(ctx)
    local dir = ctx.steps.stage.dir
    local r = sh.run { "sh", "-c", 'cd "$1" && find . -type f ! -name SHA256SUMS -exec sha256sum {} + > SHA256SUMS', "sh", dir }
    return { sums = dir .. "/SHA256SUMS", code = r.code }
  end,
}

step "switch" {
  needs = "checksum",
  doc = "Point `current` at the new release",
  run = function(ctx)
    sh.run { "ln", "-sfn", ctx.steps.stage.dir, ctx.params.target .. "/current" }
    return { current = ctx.steps.stage.dir }
  end,
  undo = function(ctx)
    local previous = ctx.steps["check-source"].previous
    if previous then
      sh.run { "ln", "-sfn", previous, ctx.params.target .. "/current" }
    else
      sh.run { "rm", "-f", ctx.params.target .. "/current" }
    end
  end,
}

step "verify" {
  needs = "switch",
  verify = true,
  doc = "The live release passes its checksums",
  retry = { attempts = 2, backoff = "1s" },
  run = function(ctx)
    sh.run { "sh", "-c", 'cd "$1/current" && sha256sum --quiet -c SHA256SUMS', "sh", ctx.params.target, readonly = true }
  end,
}

step "prune" {
  needs = "verify",
  irreversible = true,
  doc = "Delete releases beyond the newest --keep",
  run = function(ctx)
    local list = sh_quiet("ls", "-1", ctx.params.target .. "/releases").stdout
    local names = {}
    for name in list:gmatch("[^\n]+") do names[#names + 1] = name end
    table.sort(names)
    local removed = {}
    for i = 1, #names - ctx.params.keep do
      sh.run { "rm", "-rf", ctx.params.target .. "/releases/" .. names[i] }
      removed[#removed + 1] = names[i]
    end
    log.info(("kept %d release(s), removed %d"):format(math.min(#names, ctx.params.keep), #removed))
    return { removed = json.array(removed) }
  end,
}
