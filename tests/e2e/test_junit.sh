# --junit FILE: verification steps (verify = true) and checks recorded with stdlib.check
# become JUnit test cases — passed, failed with their message (XML-escaped, secrets
# redacted), or skipped when the run never reached them; the file is well-formed XML
# whatever the messages hold, and is written on success, on rollback and on resume.
# In TeamCity mode every finished step reports its duration as a build statistic. On
# awssim, clone.lua reports its verify step and the bucket, database and smoke checks.
. "$WF_SOURCE_DIR/tests/e2e/lib.sh"

cat > wf.lua <<'WF'
workflow "jt" { params = {
  env = param.string { position = 1 },
  token = param.secret { doc = "an API token" },
  fail_at = param.string { default = "" },
} }
local check = require "stdlib.check"
step "prepare" { run = function() end, undo = function() end }
step "data-ok" {
  needs = "prepare", verify = true, doc = "the data is all there",
  run = function(ctx)
    check.record("rows copied", true, "42 rows")
    check.record("odd <name> & \"quotes\"", true, "bytes \1\2 and \239\191\190 and \255")
    if ctx.params.fail_at == "data-ok" then
      check.that("checksum of " .. ctx.params.env, false, "expected <abc> & got 'xyz' with token " .. ctx.params.token)
    end
  end,
}
step "commit" { needs = "data-ok", irreversible = true, run = function() end }
step "smoke" {
  needs = "commit", verify = true,
  run = function(ctx)
    if os.getenv("JT_FAIL_SMOKE") then error("smoke failed]]> <b>" .. ctx.params.token .. "</b>\nsecond line") end
  end,
}
step "never-checked" { needs = "smoke", verify = true, run = function() end }
WF
S=tok-Very-Secret-123

# xml_check FILE EXPR: FILE parses as XML; prints the Python expression over its root `t`.
xml_check() {
    python3 -c '
import sys, xml.etree.ElementTree as ET
t = ET.parse(sys.argv[1]).getroot()
cases = t.findall(".//testcase")
print(eval(sys.argv[2]))' "$1" "$2"
}

# --- success: three verification cases and the two checks of data-ok ------------------
expect_exit 0 "$WFRUN" --yes --junit=ok.xml wf.lua dev --token=$S
expect_exit 0 xml_check ok.xml '[(c.get("classname"), c.get("name"), len(list(c))) for c in cases]'
same "[('jt', 'data-ok', 1), ('jt.data-ok', 'rows copied', 1), ('jt.data-ok', 'odd <name> & \"quotes\"', 1), ('jt', 'smoke', 0), ('jt', 'never-checked', 0)]" out.txt
expect_exit 0 xml_check ok.xml '(t.get("tests"), t.get("failures"), t.find("testsuite").get("name"), t.find(".//property").get("name"))'
same "('5', '0', 'jt', 'run_id')" out.txt
contains ok.xml '&lt;name&gt; &amp; &quot;quotes&quot;'

# --- a failed verification step: rollback, exit 1; later steps skipped ---------------------
expect_exit 1 "$WFRUN" --yes --junit=fail.xml wf.lua dev --token=$S --fail_at=data-ok
lacks fail.xml "$S"
contains fail.xml "***"
expect_exit 0 xml_check fail.xml '[(c.get("name"), [(e.tag, e.get("message")) for e in c if e.tag != "system-out"]) for c in cases]'
contains out.txt "('checksum of dev', [('failure', \"expected <abc> & got 'xyz' with token ***\")])"
contains out.txt "('data-ok', [('failure', "
contains out.txt "('smoke', [('skipped', 'not run')])"
contains out.txt "('never-checked', [('skipped', 'not run')])"
expect_exit 0 xml_check fail.xml '(t.get("tests"), t.get("failures"), t.get("skipped"))'
same "('6', '2', '2')" out.txt

# --- after the point of no return: exit 3, then resume; the cases say what passed before --
expect_exit 3 env JT_FAIL_SMOKE=1 "$WFRUN" --yes --junit=stop.xml wf.lua dev --token=$S
id=$(sed -n 's/.*wfrun resume \(jt-[^ ]*\).*/\1/p' err.txt | head -n 1)
lacks stop.xml "$S"
expect_exit 0 xml_check stop.xml '[(c.get("name"), [e.tag for e in c]) for c in cases if c.get("classname") == "jt"]'
same "[('data-ok', ['system-out']), ('smoke', ['failure']), ('never-checked', ['skipped'])]" out.txt
expect_exit 0 xml_check stop.xml '[c.find("failure").text for c in cases if c.get("name") == "smoke"][0]'
same "wf.lua:22: smoke failed]]> <b>***</b>
second line" out.txt
CHECKS=$((CHECKS + 1))
[ -n "$id" ] || fail "no resume hint"
expect_exit 0 "$WFRUN" --yes --junit=resume.xml resume "$id" --token=$S
expect_exit 0 xml_check resume.xml '[(c.get("name"), [e.tag for e in c], (c.findtext("system-out") or "").startswith("passed in an earlier attempt")) for c in cases]'
same "[('data-ok', ['system-out'], True), ('smoke', [], False), ('never-checked', [], False)]" out.txt

# --- bad input: a file that cannot be written is exit 2 before anything runs -----------------
expect_exit 2 "$WFRUN" --yes --junit=no/such/dir/x.xml wf.lua dev --token=$S
contains err.txt "--junit no/such/dir/x.xml"
CHECKS=$((CHECKS + 1))
[ "$(ls .wfrun/runs | wc -l)" -eq 3 ] || fail "a run started although --junit could not be written"

# --- TeamCity: a build statistic per finished step ------------------------------------------
expect_exit 0 env TEAMCITY_VERSION=2024.1 "$WFRUN" --yes wf.lua dev --token=$S
for step in prepare data-ok commit smoke never-checked; do
    CHECKS=$((CHECKS + 1))
    grep -Eq "^##teamcity\[buildStatisticValue key='wfrun\.step\.$step\.seconds' value='[0-9]+(\.[0-9]+)?'\]" out.txt ||
        fail "no duration statistic for step $step"
done
expect_exit 0 "$WFRUN" --yes --log-format=json wf.lua dev --token=$S
lacks err.txt '"statistic"'

# --- on awssim: clone's verify step and its checks; then a smoke test that fails ---------------
WFSIM_LIB=1 . "$WF_SOURCE_DIR/tests/e2e/test_workflow_sim.sh"
sim_start "$SEED"
run_wf 0 "$WFRUN" --junit=clone.xml "$WORKFLOWS/clone.lua" demo qa
expect_exit 0 xml_check clone.xml '[(c.get("classname"), c.get("name").split(" GET ")[0], [e.tag for e in c]) for c in cases]'
same "[('clone', 'verify', ['system-out']), ('clone.verify', 'bucket Assets of api-qa holds the objects of api-demo', ['system-out']), ('clone.verify', 'database of api-qa restored from the snapshot', ['system-out']), ('clone.verify', 'smoke test', ['system-out'])]" out.txt
contains clone.xml "name=\"smoke test GET $SIM_URL/_awssim/apps/api-qa/health\""
run_wf 1 env WFRUN_API_PUBLIC_URL=http://127.0.0.1:9/nothing "$WFRUN" --junit=clone-fail.xml "$WORKFLOWS/clone.lua" demo qa2
expect_exit 0 xml_check clone-fail.xml '[(c.get("name").split(" GET ")[0], [e.tag for e in c]) for c in cases]'
same "[('verify', ['failure']), ('bucket Assets of api-qa2 holds the objects of api-demo', ['system-out']), ('database of api-qa2 restored from the snapshot', ['system-out']), ('smoke test', ['failure'])]" out.txt
expect_exit 0 xml_check clone-fail.xml '[c.find("failure").get("message") for c in cases if c.get("name").startswith("smoke")][0]'
contains out.txt "(after 20 attempt(s))"
sim_stop
finish
