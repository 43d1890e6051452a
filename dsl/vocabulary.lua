-- Every field that `workflow`, `step` and each param type accept, registered once as data
-- (premake's api.register style): the loader checks declarations against it, the help
-- and docs list it, and unknown fields get a did-you-mean.
local M = {}

-- kind: what the value must be; doc: one line for `wfrun help` and docs/dsl.md.
M.workflow = {
  doc      = { kind = "string",   doc = "what the workflow does, shown by wfrun help" },
  params   = { kind = "table",    doc = "the parameters, name = param.TYPE { ... }" },
  timeout  = { kind = "duration", doc = "limit for the whole run, e.g. \"2h\"" },
  lock     = { kind = "string",   doc = "param whose value names the locked environment (default: the first positional)" },
  version  = { kind = "string",   doc = "the workflow's own version, recorded in the journal" },
  leaves_behind = { kind = "list", doc = "what a rolled-back run may leave (\"KIND:ID-GLOB\", e.g. \"s3.object:logs-*/*\"); wfrun test ignores it" },
}

M.step = {
  run          = { kind = "function", required = true, doc = "function(ctx) doing the work; returns a table of outputs" },
  undo         = { kind = "function", doc = "function(ctx, outputs) putting the world back" },
  needs        = { kind = "list",     doc = "names of steps that must finish first" },
  doc          = { kind = "string",   doc = "what the step does, shown in logs and plans" },
  timeout      = { kind = "duration", doc = "limit for one attempt of run (and of undo), e.g. \"50m\"" },
  retry        = { kind = "retry",    doc = "{ attempts = N, backoff = \"5s\" }: re-run run/undo after an error" },
  when         = { kind = "condition", doc = "function(ctx) or boolean: the step is skipped unless true" },
  irreversible = { kind = "boolean",  doc = "point of no return: confirmation first, nothing before it is undone once it ran" },
  always       = { kind = "boolean",  doc = "runs at the end whether the run succeeds or fails (cleanup)" },
  verify       = { kind = "boolean",  doc = "a verification step: its outcome is a test case of --junit" },
}

M.retry = {
  attempts = { kind = "number",   doc = "how many attempts in all (default 1)" },
  backoff  = { kind = "duration", doc = "pause before the second attempt, doubling after (default 1s)" },
}

-- Parameter types and the fields every param accepts.
M.param_types = { "string", "number", "integer", "bool", "enum", "path", "secret", "duration" }

M.param = {
  position = { kind = "number",  doc = "1-based position on the command line; else --name=value" },
  doc      = { kind = "string",  doc = "one line for wfrun help" },
  default  = { kind = "any",     doc = "value when not given (the param becomes optional)" },
  required = { kind = "boolean", doc = "false makes it optional without a default (nil)" },
  choices  = { kind = "list",    doc = "allowed values (enum only)" },
}

return M
