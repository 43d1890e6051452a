# Protected environments: wfrun.config.lua (found upward from the current directory, or
# --config=FILE) protects environments by glob; there a point of no return needs
# --confirm=ENV spelled exactly, --yes is refused before anything runs (exit 2), a wrong
# name is refused, and plans (text, JSON, Markdown) mark the protected steps. On awssim
# with migrate.lua (its step "commit" is the point of no return).
. "$WF_SOURCE_DIR/tests/e2e/lib.sh"
WFSIM_LIB=1 . "$WF_SOURCE_DIR/tests/e2e/test_workflow_sim.sh"
M="$WORKFLOWS/migrate.lua"

# The project config sits two directories up from where wfrun runs.
mkdir -p project/deploy/ci
cat > project/wfrun.config.lua <<'CFG'
-- environments whose points of no return need --confirm=ENV
protect { "prod*", "de?o" }
CFG
cd project/deploy/ci || exit 1
CONFIG="$SCRATCH/project/wfrun.config.lua"

# no_journal: no run was started (nothing ran, not even a first step).
no_journal() {
    CHECKS=$((CHECKS + 1))
    if [ -d st/runs ] && [ -n "$(ls st/runs)" ]; then fail "$1: a run was started: $(ls st/runs)"; fi
}
no_mutation() {
    CHECKS=$((CHECKS + 1))
    if grep -q '"mutating": *true' "$SCRATCH/requests.jsonl"; then
        fail "$1 made a mutating call:"; grep '"mutating": *true' "$SCRATCH/requests.jsonl" | head -n 3 >&2
    fi
}

sim_start "$SEED"
cd "$SCRATCH/project/deploy/ci" || exit 1

# --- plans mark the protected point of no return ----------------------------------------
run_wf 0 "$WFRUN" plan "$M" demo
contains out.txt "environment demo is PROTECTED by de?o ($CONFIG:2): its points of no return need --confirm=demo (--yes is not enough)"
contains out.txt " 7. commit [POINT OF NO RETURN, PROTECTED: needs --confirm=demo]"
lacks out.txt "find-env [PROTECTED"
run_wf 0 "$WFRUN" plan "$M" demo -o plan.json
python3 -c 'import json,sys
d = json.load(open("plan.json"))
print(d["environment"], d["protected"], d["protected_by"])
print(",".join(s["name"] for s in d["steps"] if s.get("protected")))' > marks.txt
same "demo True de?o ($CONFIG:2)
commit" marks.txt
run_wf 0 "$WFRUN" plan plan.json --format=markdown
contains out.txt "| environment | \`demo\`, **PROTECTED** by de?o ($CONFIG:2) |"
contains out.txt "### 7. commit — **POINT OF NO RETURN, PROTECTED: needs --confirm=demo**"
contains out.txt "It is in a protected environment: it runs only with \`--confirm=demo\` (\`--yes\` is not enough)."

# --- --yes is not enough; a wrong name is refused; both before anything runs -------------
: > "$SCRATCH/requests.jsonl"
run_wf 2 "$WFRUN" --state-dir=st --yes "$M" demo
contains err.txt "environment \"demo\" is protected by de?o ($CONFIG:2): step \"commit\" is a point of no return; confirm it with --confirm=demo (--yes is not enough); nothing was run"
run_wf 2 "$WFRUN" --state-dir=st --confirm=Demo "$M" demo
contains err.txt "--confirm=Demo does not match this run's environment \"demo\"; nothing was run"
run_wf 2 "$WFRUN" --state-dir=st --yes --confirm=prod "$M" demo
contains err.txt "--confirm=prod does not match"
run_wf 2 "$WFRUN" --state-dir=st --yes apply plan.json
contains err.txt "(--yes is not enough)"
lacks err.txt "checking plan"          # refused before the facts are looked up
no_journal "a refused run"
no_mutation "a refused run"

# --- --confirm with the exact name: apply runs the plan -----------------------------------
run_wf 0 "$WFRUN" --state-dir=st --confirm=demo apply plan.json
contains err.txt "commit: succeeded"
contains err.txt "demo migrated"

# --- another config (--config) that does not protect demo: --yes is enough again --------
cat > "$SCRATCH/other.lua" <<'CFG'
protect { "production" }
CFG
run_wf 0 "$WFRUN" plan "$M" demo --config="$SCRATCH/other.lua"
contains out.txt "environment demo (not protected)"
lacks out.txt "PROTECTED"
sim_stop

# --- the config file itself: errors name the file and line; glob semantics ---------------
cd "$SCRATCH" || exit 1
cat > local.lua <<'WF'
workflow "local" { params = { env = param.string { position = 1 } } }
step "prepare" { run = function() end }
step "cut-over" { needs = "prepare", irreversible = true, run = function() end }
WF
printf 'protect { "prod*" }\nretain { "x" }\n' > bad.lua
run_wf 2 "$WFRUN" --config=bad.lua plan local.lua prod
contains err.txt "bad.lua:2: unknown global 'retain' (a config file can call: protect)"
printf 'protect { "prod*", 42 }\n' > bad2.lua
run_wf 2 "$WFRUN" --config=bad2.lua plan local.lua prod
contains err.txt "bad2.lua:1: protect: every pattern must be a non-empty string, not 42"
printf 'protect { "prod*"\n' > bad3.lua
run_wf 2 "$WFRUN" --config=bad3.lua plan local.lua prod
contains err.txt "bad3.lua:"
run_wf 2 "$WFRUN" --config=nowhere.lua plan local.lua prod
contains err.txt "--config: nowhere.lua does not exist"
printf 'protect { "prod*", "live-?" }\n' > globs.lua
for env in prod prod-eu production live-1; do
    run_wf 2 "$WFRUN" --config=globs.lua --state-dir=st --yes local.lua "$env"
    contains err.txt "environment \"$env\" is protected"
done
for env in preprod live-12 qa; do
    run_wf 0 "$WFRUN" --config=globs.lua --state-dir=st --yes local.lua "$env"
    contains err.txt "cut-over: succeeded"
done
run_wf 0 "$WFRUN" --config=globs.lua --state-dir=st --confirm=prod-eu local.lua prod-eu
contains err.txt "cut-over: succeeded"

# --- resume is checked too: a run killed before its point of no return -------------------
cat > slow.lua <<'WF'
workflow "slow" { params = { env = param.string { position = 1 } } }
step "prepare" { run = function() sh.run { "sh", "-c", 'touch started; [ -f go ] || { echo $$ > sleeper.pid; exec sleep 30; }' } end }
step "cut-over" { needs = "prepare", irreversible = true, run = function() end }
WF
"$WFRUN" --config=globs.lua --state-dir=rs --confirm=prod slow.lua prod > slow.out 2>&1 &
slow_pid=$!
n=0; while [ ! -s sleeper.pid ] && [ $n -lt 200 ]; do sleep 0.1; n=$((n + 1)); done
kill -9 "$slow_pid"; wait "$slow_pid" 2>/dev/null
kill "$(cat sleeper.pid)" 2>/dev/null
touch go
id=$(ls rs/runs | head -n 1)
run_wf 2 "$WFRUN" --config=globs.lua --state-dir=rs --yes resume "$id"
contains err.txt "environment \"prod\" is protected by prod*"
run_wf 0 "$WFRUN" --config=globs.lua --state-dir=rs --confirm=prod resume "$id"
contains err.txt "cut-over: succeeded"

# a resume that only continues a rollback runs no point of no return: no --confirm needed
cat > undo-slow.lua <<'WF'
workflow "undo-slow" { params = { env = param.string { position = 1 } } }
step "prepare" {
  run = function() end,
  undo = function() sh.run { "sh", "-c", '[ -f go2 ] || { echo $$ > undoer.pid; exec sleep 30; }' } end,
}
step "break" { needs = "prepare", run = function() error("boom") end }
step "cut-over" { needs = "break", irreversible = true, run = function() end }
WF
"$WFRUN" --config=globs.lua --state-dir=us --confirm=prod undo-slow.lua prod > undo-slow.out 2>&1 &
slow_pid=$!
n=0; while [ ! -s undoer.pid ] && [ $n -lt 200 ]; do sleep 0.1; n=$((n + 1)); done
kill -9 "$slow_pid"; wait "$slow_pid" 2>/dev/null
kill "$(cat undoer.pid)" 2>/dev/null
touch go2
id=$(ls us/runs | head -n 1)
run_wf 1 "$WFRUN" --config=globs.lua --state-dir=us resume "$id"
contains err.txt "prepare: undone"
contains err.txt "was rolled back"
finish
