# Primitives for workflows that need no cloud: re (PCRE2), json, log.
. "$WF_SOURCE_DIR/tests/e2e/lib.sh"
cat > wf.lua <<'WF'
workflow "prims" {}
step "a" { run = function()
  assert(re.test("^ami-[0-9a-f]+$", "ami-0abc12"))
  assert(not re.test("^ami-[0-9a-f]+$", "ami-xyz"))
  local y, m = re.match("(\\d{4})-(\\d{2})", "base-2024-05-01")
  assert(y == "2024" and m == "05", tostring(y))
  local s, e = re.find("é+", "abééc")
  assert(s == 3 and e == 6, s .. " " .. e)
  local ok, err = pcall(re.test, "(", "x")
  assert(not ok and err:find("bad pattern"), err)
  local t = json.decode('{"a":[1,2],"b":{}}')
  assert(#t.a == 2 and json.encode(json.array({})) == "[]")
  log.info("primitives ok")
end }
WF
expect_exit 0 "$WFRUN" wf.lua
contains err.txt "primitives ok"
finish
