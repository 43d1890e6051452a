# A failing step undoes every finished step in reverse order of completion, exit 1.
. "$WF_SOURCE_DIR/tests/e2e/lib.sh"

expect_exit 1 "$WFRUN" "$DATA/workflows/chain.lua" dev --trace=trace.txt --fail-at=d
ts=$(sed -n 's/.*"timestamp":"\([0-9TZ]*\)".*/\1/p' .wfrun/runs/*/journal.jsonl | head -n 1)
same "run:a
run:b
run:c
run:d
undo:c:c-$ts
undo:b:b-$ts
undo:a:a-$ts" trace.txt
contains err.txt 'injected failure in d'
contains err.txt 'rolled back'

# retry: b fails once, its second attempt succeeds; nothing undone.
rm -f trace.txt
expect_exit 0 "$WFRUN" "$DATA/workflows/chain.lua" dev --trace=trace.txt --fail-at=b --fail-times=1
same "run:a
run:b
run:b
run:c
run:d" trace.txt
contains err.txt "retrying"

# ctx.saved: a retry sees what the failed attempt saved
cat > saved.lua <<'WF'
workflow "saved" {}
step "make" { retry = { attempts = 2, backoff = "10ms" }, run = function(ctx)
  if ctx.attempt == 1 then
    ctx.save { id = "thing-1" }
    error("failed after creating thing-1")
  end
  log.info("second attempt adopts " .. tostring(ctx.saved and ctx.saved.id) .. " in " .. ctx.workflow_file)
  return { id = ctx.saved.id }
end }
WF
expect_exit 0 "$WFRUN" saved.lua
contains err.txt "second attempt adopts thing-1 in saved.lua"
finish
