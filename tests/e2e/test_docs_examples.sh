# The complete example in docs/dsl.md runs as documented: plan, run, failure rollback.
. "$WF_SOURCE_DIR/tests/e2e/lib.sh"
awk '/^```lua$/{f++; next} /^```$/{if (f==1) exit} f==1' "$WF_SOURCE_DIR/docs/dsl.md" > greet.lua
contains greet.lua 'workflow "greet"'

expect_exit 0 "$WFRUN" plan greet.lua world --out="$SCRATCH/g0"
contains out.txt 'sh.run {"mkdir", "-p"'
test ! -e "$SCRATCH/g0" || fail "plan created the directory"

expect_exit 0 "$WFRUN" greet.lua world --out="$SCRATCH/g1" --shout
contains err.txt 'the file says: HELLO, WORLD'
CHECKS=$((CHECKS + 1))
ls "$SCRATCH"/g1/greeting-*.txt >/dev/null 2>&1 || fail "no greeting file"

# the deploy-dir example used by the README
mkdir -p site && echo hi > site/index.html
expect_exit 0 "$WFRUN" --yes "$WF_SOURCE_DIR/workflows/examples/deploy-dir.lua" site "$SCRATCH/deploy"
contains "$SCRATCH/deploy/current/index.html" hi
expect_exit 0 "$WFRUN" --yes "$WF_SOURCE_DIR/workflows/examples/deploy-dir.lua" site "$SCRATCH/deploy" --keep=1
contains err.txt 'kept 1 release(s), removed 1'
finish
