# kill -9 of wfrun in the middle of a step, for the crash tests of the workflows on awssim
# (test_workflow_clone.sh, _migrate.sh, _bake_crash.sh). Sourced after lib.sh; runs are
# journaled under ./.wfrun (the default state directory).

# newest_journal: the journal of the newest run that was not there when crash_in started
# (CRASH_BEFORE lists those), or nothing. Not simply the newest file: until the new run has
# written its journal, that is an earlier run's, which may well have passed the step.
CRASH_BEFORE=
newest_journal() {
    for nj_run in $(ls -t .wfrun/runs 2>/dev/null); do
        case " $CRASH_BEFORE " in *" $nj_run "*) continue ;; esac
        if [ -f ".wfrun/runs/$nj_run/journal.jsonl" ]; then
            echo ".wfrun/runs/$nj_run/journal.jsonl"
            return
        fi
    done
}

# journal_has EVENT STEP: the newest run's journal has EVENT (step_started, step_succeeded,
# step_failed, ...) for STEP.
journal_has() {
    jh_file=$(newest_journal)
    [ -n "$jh_file" ] && grep "\"type\": *\"$1\"" "$jh_file" | grep -q "\"step\": *\"$2\""
}

# crash_in STEP WHEN CMD...: runs CMD (wfrun itself, not a shell function: the kill must
# reach wfrun) in the background and kills it with SIGKILL inside STEP: once the journal
# says STEP started and, when WHEN is not empty, a journal line matches the extended regex
# WHEN (outputs the step saved, say), plus half a second. Fails the test when STEP never
# gets there or had ended before the kill (the faults that slow the step down were too
# weak). Sets CRASH_ID to the run id.
crash_in() {
    crash_step=$1; crash_when=$2; shift 2
    CRASH_BEFORE=$(ls .wfrun/runs 2>/dev/null | tr '\n' ' ')
    "$@" > crash.out 2>&1 &
    crash_pid=$!
    crash_n=0
    CRASH_ID=
    while ! { journal_has step_started "$crash_step" &&
              { [ -z "$crash_when" ] || grep -qE -- "$crash_when" "$(newest_journal)"; }; }; do
        crash_n=$((crash_n + 1))
        if [ $crash_n -gt 300 ] || ! kill -0 $crash_pid 2>/dev/null; then
            CHECKS=$((CHECKS + 1))
            fail "step $crash_step never got to the kill point (${crash_when:-its start}): $*"
            cat crash.out >&2
            break
        fi
        sleep 0.1
    done
    sleep 0.5
    kill -9 $crash_pid 2>/dev/null
    wait $crash_pid 2>/dev/null
    CHECKS=$((CHECKS + 1))
    if journal_has step_succeeded "$crash_step" || journal_has step_failed "$crash_step"; then
        fail "step $crash_step had ended before the kill -9: $*"
    fi
    CRASH_ID=$(basename "$(dirname "$(newest_journal)")")
}

# sim_settle: waits until awssim has answered every call that a latency fault held when
# wfrun was killed. awssim applies such a call after its injected latency even though its
# caller is gone, as AWS would; but AWS applies what it received within milliseconds, long
# before anyone can start a rollback, while the simulator's 1.5-2 s window let the call
# land behind the back of a `wfrun rollback` started at once (a snapshot or stack made
# after the undo had found nothing to delete). Call it after crash_in, before rollback.
# Pending calls: the hits of latency rules (GET /_awssim/faults: fired) less the logged
# calls that carry latency_ms (GET /_awssim/requests); one latency rule per call assumed.
cat > "$SCRATCH/sim_pending.lua" <<'WF'
workflow "sim-pending" { params = {} }
step "pending" {
  run = function()
    local base = os.getenv("WFRUN_SIM_URL") .. "/_awssim/"
    local held = 0
    for _, r in ipairs(json.decode(http.get { url = base .. "faults" }.body)) do
      if r.latency_ms then held = held + (r.fired or 0) end
    end
    local answered = 0
    for line in http.get { url = base .. "requests" }.body:gmatch("[^\n]+") do
      if json.decode(line).latency_ms then answered = answered + 1 end
    end
    if held > answered then error(("%d delayed call(s) not answered yet"):format(held - answered), 0) end
  end,
}
WF
sim_settle() {
    ss_n=0
    until "$WFRUN" --state-dir="$SCRATCH/.settle-state" "$SCRATCH/sim_pending.lua" > /dev/null 2> settle.err; do
        ss_n=$((ss_n + 1))
        if [ $ss_n -gt 100 ]; then
            CHECKS=$((CHECKS + 1))
            fail "awssim still holds calls of the killed run: $(grep -v '^[0-9:]* run ' settle.err | tail -n 3)"
            return 1
        fi
        sleep 0.1
    done
}
