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
  -- compiled patterns are cached: the same answers on reuse, past the cache's 64
  -- entries, after a bad pattern, and with a pattern that looks like a number
  for round = 1, 2 do
    for i = 1, 150 do
      assert(re.test("^k" .. i .. "$", "k" .. i) and not re.test("^k" .. i .. "$", "k" .. i .. "x"))
    end
    assert(re.match("(\\d{4})-(\\d{2})", "base-2024-05-01") == "2024")
    assert(not pcall(re.find, "(", "x"))
  end
  assert(re.test("1", "a1b") and re.find("1", "x1") == 2)
  local t = json.decode('{"a":[1,2],"b":{}}')
  assert(#t.a == 2 and json.encode(json.array({})) == "[]")
  log.info("primitives ok")
end }
WF
expect_exit 0 "$WFRUN" wf.lua
contains err.txt "primitives ok"

# http.get against a local server (python3's http.server on a loopback port)
mkdir www && echo "smoke ok" > www/health.txt
python3 -u -m http.server 0 --bind 127.0.0.1 --directory www > http.log 2>&1 &
server=$!
wait_for http.log "port"
port=$(sed -n 's/.*port \([0-9]*\).*/\1/p' http.log | head -n 1)
cat > get.lua <<'WF'
workflow "get" { params = { url = param.string { position = 1 } } }
step "smoke" { run = function(ctx)
  local r = http.get { url = ctx.params.url .. "/health.txt", timeout = 5 }
  assert(r.status == 200, "status " .. r.status)
  assert(r.body == "smoke ok\n", r.body)
  assert(r.headers["content-type"], "no content-type")
  local missing = http.get { url = ctx.params.url .. "/nope" }
  log.info("got " .. r.status .. " and " .. missing.status)
  local ok, err = pcall(http.get, { url = "http://127.0.0.1:1/", timeout = 2 })
  assert(not ok and err:find("http.get"), tostring(err))
end }
WF
expect_exit 0 "$WFRUN" get.lua "http://127.0.0.1:$port"
contains err.txt "got 200 and 404"
expect_exit 0 "$WFRUN" plan get.lua "http://127.0.0.1:$port"
contains out.txt "http.get"
contains out.txt "(read-only)"
kill $server
finish
