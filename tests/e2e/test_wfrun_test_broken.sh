# wfrun test catches deliberately broken workflows (tests/data/workflows/broken/): exit 1,
# and the failing scenario's diff names the orphaned or missing resource.
. "$WF_SOURCE_DIR/tests/e2e/lib.sh"
. "$WF_SOURCE_DIR/tests/e2e/wfrun_test_lib.sh"

# section FILE SCENARIO: the report's FAIL section of SCENARIO (up to its journal)
section() { awk -v head="FAIL $2:" 'index($0, head) == 1 { on = 1 } on && /^  journal:/ { exit } on' "$1"; }

# an undo that forgets the image's snapshot: a rollback leaves the ec2.snapshot
wf_test 1 "$BROKEN/forgets-snapshot.lua" demo
expect_cell tag fault FAIL
section report.txt tag/fault > s.txt
contains s.txt "the world is not as the seed left it"
contains s.txt "added    ec2.snapshot snap-"
lacks s.txt "ec2.image"                       # the image itself was deregistered
contains report.txt "undo_succeeded image"    # the journal excerpt: the undo "worked"
read tests failures <<EOT
$(junit_counts)
EOT
CHECKS=$((CHECKS + 1)); [ "$failures" -ge 1 ] || fail "junit: no failure"
contains "$SCRATCH/junit.xml" "added    ec2.snapshot snap-"

# an undo that deletes the wrong resource: the seeded image is missing, the new one stays
wf_test 1 "$BROKEN/deletes-wrong.lua" demo
section report.txt tag/fault > s.txt
contains s.txt "removed  ec2.image ami-0a910000000000003"
contains s.txt "removed  ec2.snapshot snap-0a910000000000003"
contains s.txt "added    ec2.image ami-"

# a step without undo that creates something: the bucket stays
wf_test 1 "$BROKEN/no-undo.lua" demo
expect_cell readme fault FAIL
section report.txt readme/fault > s.txt
contains s.txt "added    s3.bucket demo-logs-"
expect_cell bucket kill+rollback FAIL

# ... unless the workflow declares it may leave them: then they are reported as left
sed 's|^  doc = "A log bucket|  leaves_behind = { "s3.bucket:*-logs-*", "s3.object:*-logs-*/*" },\n  doc = "A log bucket|' \
    "$BROKEN/no-undo.lua" > leaves.lua
contains leaves.lua 'leaves_behind = {'
wf_test 0 leaves.lua demo
contains report.txt ", 0 failed"
# a malformed declaration is an error at its line
sed 's|"s3.bucket:\*-logs-\*"|"just-a-name"|' leaves.lua > bad-leaves.lua
expect_exit 2 "$WFRUN" help bad-leaves.lua
contains err.txt 'bad-leaves.lua:3: workflow "broken-no-undo": leaves_behind "just-a-name" must read KIND:ID-GLOB'

# a retry that launches a second instance: the first one is orphaned
wf_test 1 "$BROKEN/retry-second-instance.lua" demo
expect_cell launch wait FAIL
section report.txt launch/wait > s.txt
contains s.txt "added    ec2.instance i-"
contains s.txt "(running)"
contains report.txt "step_started launch #2"

# bad input: exit 2 with the parameter named
expect_exit 2 "$WFRUN" test "$WORKFLOWS/clone.lua" demo qa --seed=/nonexistent/seed.json
contains err.txt "--seed: no such file /nonexistent/seed.json"
expect_exit 2 "$WFRUN" test "$WORKFLOWS/clone.lua" demo qa --jobs=0
contains err.txt "--jobs must be a whole number >= 1"
expect_exit 2 "$WFRUN" test "$WORKFLOWS/clone.lua" demo
contains err.txt "target"
expect_exit 2 "$WFRUN" test "$WORKFLOWS/clone.lua" demo qa --step=nope
contains err.txt '--step: the workflow has no step "nope"'
expect_exit 2 "$WFRUN" test
contains err.txt "no workflow given"
finish
