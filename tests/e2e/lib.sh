# Helpers for end-to-end tests: a scratch directory, assertions that print what they saw.
set -u
: "${WFRUN:?WFRUN must name the wfrun binary}"
: "${WF_SOURCE_DIR:?}"
DATA="$WF_SOURCE_DIR/tests/data"
SCRATCH=$(mktemp -d "${TMPDIR:-/tmp}/wfrun-e2e.XXXXXX")
cd "$SCRATCH" || exit 1
trap 'cd /; rm -rf "$SCRATCH"' EXIT
FAILURES=0
CHECKS=0

fail() { FAILURES=$((FAILURES + 1)); echo "FAIL: $*" >&2; }

# expect_exit CODE CMD...: runs CMD with output in out.txt/err.txt, checks the exit code.
expect_exit() {
    want=$1; shift
    CHECKS=$((CHECKS + 1))
    "$@" >out.txt 2>err.txt
    got=$?
    if [ "$got" -ne "$want" ]; then
        fail "exit $got, expected $want: $*"
        echo "--- stdout" >&2; cat out.txt >&2; echo "--- stderr" >&2; cat err.txt >&2
    fi
}

# contains FILE TEXT: FILE has TEXT (fixed string).
contains() {
    CHECKS=$((CHECKS + 1))
    if ! grep -qF -- "$2" "$1"; then fail "$1 lacks: $2"; echo "--- $1" >&2; cat "$1" >&2; fi
}

lacks() {
    CHECKS=$((CHECKS + 1))
    if grep -qF -- "$2" "$1"; then fail "$1 has: $2"; echo "--- $1" >&2; cat "$1" >&2; fi
}

# same TEXT FILE: FILE's content is exactly TEXT (lines).
same() {
    CHECKS=$((CHECKS + 1))
    printf '%s\n' "$1" >expected.txt
    if ! cmp -s expected.txt "$2"; then fail "$2 differs"; diff expected.txt "$2" >&2; fi
}

# wait_for FILE TEXT [SECONDS]: until FILE contains TEXT.
wait_for() {
    n=0; limit=$(( ${3:-20} * 10 ))
    while ! grep -qF -- "$2" "$1" 2>/dev/null; do
        n=$((n + 1))
        if [ $n -gt $limit ]; then fail "timed out waiting for '$2' in $1"; return 1; fi
        sleep 0.1
    done
}

valid_utf8() {
    CHECKS=$((CHECKS + 1))
    if ! iconv -f UTF-8 -t UTF-8 "$1" >/dev/null 2>&1; then fail "$1 is not valid UTF-8"; od -c "$1" | head -20 >&2; fi
}

finish() {
    echo "$((CHECKS - FAILURES)) passed, $FAILURES failed"
    [ "$FAILURES" -eq 0 ]
    exit $?
}
