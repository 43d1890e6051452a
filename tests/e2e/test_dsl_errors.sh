# Workflow mistakes are exit 2 with file:line before anything runs.
. "$WF_SOURCE_DIR/tests/e2e/lib.sh"

check() { # check FILE-CONTENT EXPECTED-TEXT
    printf '%s\n' "$1" > bad.lua
    expect_exit 2 "$WFRUN" bad.lua
    contains err.txt "$2"
}

check 'workflow "w" {}
step "a" { run = function() end, undos = 1 }' 'bad.lua:2: step "a": unknown field "undos" (did you mean "undo"?)'
check 'workflow "w" {}
step "a" { run = function() end }
step "b" { needs = "find-db", run = function() end }' 'bad.lua:3: step "b": needs "find-db", which is not declared'
check 'workflow "w" {}
step "a" { needs = "b", run = function() end }
step "b" { needs = "a", run = function() end }' 'needs form a cycle: a -> b -> a'
check 'workflow "w" {}
step "a" { irreversible = true, run = function() end, undo = function() end }' 'bad.lua:2: step "a": an irreversible step cannot have an undo'
check 'workflow "w" {}
step "a" { run = 42 }' 'bad.lua:2: step "a": field run must be a function, not a number'
check 'workflow "w" {}
step "a" { doc = "no run" }' 'bad.lua:2: step "a": field "run" is required'
check 'workflow "w" {}
step "a" { run = function() end ' "bad.lua:3:"
check 'workflow "w" {}
local x = undefined_thing
step "a" { run = function() end }' "bad.lua:2: unknown global 'undefined_thing'"
check 'workflow "w" { params = { n = param.number { position = 1 } } }
step "a" { run = function() end, timeout = "5 minutes" }' 'bad.lua:2: step "a": field timeout'
check 'workflow "w" { params = { n = param.nubmer { } } }
step "a" { run = function() end }' 'bad.lua:1: unknown parameter type param.nubmer'

# a runtime error in a step names the workflow's file:line
printf '%s\n' 'workflow "w" {}' 'step "a" { run = function(ctx)' '  local t = nil' '  return t.x' 'end }' > rt.lua
expect_exit 1 "$WFRUN" rt.lua
contains err.txt "rt.lua:4:"

# params: wrong type, missing, unknown -> exit 2 with the usage
cat > p.lua <<'WF'
workflow "p" { doc = "params test", params = {
  env = param.string { position = 1, doc = "environment" },
  count = param.integer { doc = "how many", default = 1 },
  mode = param.enum { choices = { "fast", "safe" }, default = "safe" },
} }
step "a" { run = function(ctx) log.info("count " .. ctx.params.count .. " mode " .. ctx.params.mode) end }
WF
expect_exit 2 "$WFRUN" p.lua
contains err.txt "missing parameter ENV"
contains err.txt "usage: wfrun p.lua ENV"
expect_exit 2 "$WFRUN" p.lua dev --count=many
contains err.txt 'param --count: expected a number, got "many"'
expect_exit 2 "$WFRUN" p.lua dev --mode=slow
contains err.txt 'expected one of fast, safe'
expect_exit 2 "$WFRUN" p.lua dev --cuont=2
contains err.txt 'unknown parameter --cuont (did you mean "count"?)'
expect_exit 2 "$WFRUN" p.lua dev extra
contains err.txt 'unexpected argument "extra"'
expect_exit 0 "$WFRUN" p.lua dev --count=3 --mode=fast
contains err.txt 'count 3 mode fast'
expect_exit 0 "$WFRUN" help p.lua
contains out.txt "--count"
contains out.txt "params test"
expect_exit 2 "$WFRUN" nonexistent.lua
contains err.txt "nonexistent.lua not found"
finish
