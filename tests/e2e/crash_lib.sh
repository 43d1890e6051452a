# kill -9 of wfrun in the middle of a step, for the crash tests of the workflows on awssim
# (test_workflow_clone.sh, _migrate.sh, _bake_crash.sh). Sourced after lib.sh; runs are
# journaled under ./.wfrun (the default state directory).

# newest_journal: the journal of the newest run, or nothing.
newest_journal() {
    ls -t .wfrun/runs/*/journal.jsonl 2>/dev/null | head -n 1
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
