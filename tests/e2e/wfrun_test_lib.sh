# Helpers for the `wfrun test` end-to-end tests (test_wfrun_test_*.sh), sourced after
# lib.sh: wfrun test finds awssim beside the wfrun binary (or $WFRUN_AWSSIM) and spawns
# its own simulators, so these tests only need both binaries built.
SEED="$WF_SOURCE_DIR/workflows/examples/seed.json"
WORKFLOWS="$WF_SOURCE_DIR/workflows"
BROKEN="$WF_SOURCE_DIR/tests/data/workflows/broken"
JOBS=${WFRUN_TEST_JOBS:-2}
SCALE=${WFRUN_TEST_SCALE:-6000}

for c in "${WFRUN_AWSSIM:-}" "${WF_BUILD_DIR:-/nonexistent}/awssim" "$(dirname "$WFRUN")/awssim"; do
    if [ -n "$c" ] && [ -x "$c" ]; then WFRUN_AWSSIM=$c; break; fi
done
if [ -z "${WFRUN_AWSSIM:-}" ] || [ ! -x "$WFRUN_AWSSIM" ]; then echo "SKIP: awssim is not built"; exit 77; fi
export WFRUN_AWSSIM
unset AWS_PROFILE AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_ENDPOINT_URL

# wf_test CODE WORKFLOW ARGS...: `wfrun test` with the example seed; the report in
# report.txt, progress in progress.txt, JUnit in junit.xml; checks the exit code.
wf_test() {
    want=$1; shift
    CHECKS=$((CHECKS + 1))
    "$WFRUN" test "$@" --seed="$SEED" --jobs="$JOBS" --time-scale="$SCALE" --junit="$SCRATCH/junit.xml" \
        > report.txt 2> progress.txt
    got=$?
    if [ "$got" -ne "$want" ]; then
        fail "wfrun test exit $got, expected $want: $*"
        cat report.txt >&2; tail -n 30 progress.txt >&2
    fi
}

# cell STEP COLUMN: the report table's cell (fault, wait, kill+resume, kill+rollback).
cell() {
    awk -v step="$1" -v col="$2" '
        /^step / { for (i = 1; i <= NF; i++) h[$i] = i; next }
        $1 == step && (col in h) { print $(h[col]); exit }' report.txt
}

# expect_cell STEP COLUMN VALUE
expect_cell() {
    CHECKS=$((CHECKS + 1))
    got=$(cell "$1" "$2")
    [ "$got" = "$3" ] || fail "report: $1 $2 is '$got', expected '$3'"
}

# junit_counts: "tests failures" of junit.xml (python3 parses it: it must be well-formed).
junit_counts() {
    python3 -c '
import sys, xml.etree.ElementTree as ET
r = ET.parse(sys.argv[1]).getroot()
print(r.get("tests"), r.get("failures"))' "$SCRATCH/junit.xml"
}
