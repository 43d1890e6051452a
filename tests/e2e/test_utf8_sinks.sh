# A subprocess printing invalid UTF-8, truncated sequences and NUL bytes leaves every
# log sink (text, JSON lines, TeamCity) valid UTF-8.
. "$WF_SOURCE_DIR/tests/e2e/lib.sh"
cat > wf.lua <<'WF'
workflow "bytes" { params = {} }
step "noisy" { run = function()
  -- printf expands the octal escapes, so the bytes come from the subprocess itself
  sh.run { "printf", 'ok \\303\\251 bad \\377\\376 trunc \\342\\202 nul \\000 end\\n\\344' }
  sh.run { "sh", "-c", "printf 'err \\377 side\\n' >&2" }
  error("failure with bytes \xff\xfe")
end }
WF
for fmt in text json; do
    expect_exit 1 "$WFRUN" -v --log-format=$fmt wf.lua
    cp err.txt "err-$fmt.txt"
    valid_utf8 "err-$fmt.txt"
    contains "err-$fmt.txt" "ok é bad"
    contains "err-$fmt.txt" "err"
done
expect_exit 1 env TEAMCITY_VERSION=2024.1 "$WFRUN" -v wf.lua
cp err.txt err-tc.txt
cat out.txt >> err-tc.txt
valid_utf8 err-tc.txt
contains err-tc.txt "##teamcity[blockOpened name='noisy'"
contains err-tc.txt "##teamcity[buildProblem"
valid_utf8 .wfrun/runs/*/journal.jsonl
finish
