-- dsl/jmespath.lua: the expression forms it supports, and every waiter path of the
-- embedded models against sample documents (tests/data/aws/waiter_paths.json; a waiter
-- path without samples fails the test, so a new waiter brings its samples).
local check = require "tests.data.aws.check"
local jmespath = require "dsl.jmespath"
local json = require "wf.json"
local sys = require "wf.sys"
local caws = require "wf.aws"

local source = sys.getenv("WF_SOURCE_DIR") or "."

local function doc(text) return json.decode(text) end
local function search(expr, text) return jmespath.search(expr, doc(text)) end

-- Results are compared as JSON text, so lists and objects compare by value.
local function same(expr, text, want_json)
  local got = search(expr, text)
  local want = json.decode(want_json)
  if want == json.null then want = nil end
  check.ok(jmespath.equal(got, want) and (got == nil) == (want == nil),
    ("%s on %s: got %s, want %s"):format(expr, text, check.show(got), want_json))
end

-- Fields, subexpressions, quoted identifiers, indexes.
same("a", '{"a": "x"}', '"x"')
same("a.b.c", '{"a": {"b": {"c": 1}}}', "1")
same("a.b.c", '{"a": {"b": 5}}', "null")
same('"with space".x', '{"with space": {"x": true}}', "true")
same("a[0]", '{"a": [10, 20]}', "10")
same("a[-1]", '{"a": [10, 20]}', "20")
same("a[5]", '{"a": [10, 20]}', "null")
same("[0]", "[7, 8]", "7")
same("missing.x", "{}", "null")
same("a", '{"a": null}', "null")

-- Flatten and projections.
same("a[]", '{"a": [[1, 2], 3, [4]]}', "[1, 2, 3, 4]")
same("a[].b", '{"a": [{"b": 1}, {"c": 2}, {"b": 3}]}', "[1, 3]")
same("r[*].i[*].s", '{"r": [{"i": [{"s": "a"}, {"s": "b"}]}, {"i": [{"s": "c"}]}]}', '[["a", "b"], ["c"]]')
same("r[].i[].s", '{"r": [{"i": [{"s": "a"}, {"s": "b"}]}, {"i": [{"s": "c"}]}]}', '["a", "b", "c"]')
same("a[*].b | [0]", '{"a": [{"b": 1}, {"b": 2}]}', "1")
same("a[*]", '{"a": "not a list"}', "null")
same("m.*.x", '{"m": {"k1": {"x": 1}, "k2": {"x": 2}}}', "[1, 2]")
same("[]", "[[1], [2]]", "[1, 2]")

-- Filters, comparisons, boolean operators, literals.
same("p[?age > `20`].name", '{"p": [{"name": "a", "age": 10}, {"name": "b", "age": 30}]}', '["b"]')
same("p[?state == 'on'].id", '{"p": [{"id": 1, "state": "on"}, {"id": 2, "state": "off"}]}', "[1]")
same("p[?state != `\"on\"`].id", '{"p": [{"id": 1, "state": "on"}, {"id": 2, "state": "off"}]}', "[2]")
same("p[?a == `1` && b == `2`].id", '{"p": [{"id": 1, "a": 1, "b": 2}, {"id": 2, "a": 1, "b": 3}]}', "[1]")
same("p[?a == `1` || b == `3`].id", '{"p": [{"id": 1, "a": 1, "b": 2}, {"id": 2, "a": 0, "b": 3}, {"id": 3}]}', "[1, 2]")
same("p[?!done].id", '{"p": [{"id": 1, "done": true}, {"id": 2, "done": false}]}', "[2]")
same("p[?tags].id", '{"p": [{"id": 1, "tags": []}, {"id": 2, "tags": ["x"]}]}', "[2]")
same("a < b", '{"a": 1, "b": 2}', "true")
same("a >= b", '{"a": 1, "b": 2}', "false")
same("a <= `1`", '{"a": 1}', "true")
same("a < b", '{"a": "x", "b": "y"}', "null")
same("a || b", '{"b": "fallback"}', '"fallback"')
same("a || b", '{"a": "", "b": "fallback"}', '"fallback"')
same("a && b", '{"a": 1, "b": 2}', "2")
same("a && b", '{"a": [], "b": 2}', "[]")
same("!a", '{"a": false}', "true")
same("`[1, 2]`", "{}", "[1, 2]")
same("`null`", "{}", "null")
same("'raw'", "{}", '"raw"')
same("a == `{\"x\": [1]}`", '{"a": {"x": [1]}}', "true")
same("(a || b).c", '{"b": {"c": 3}}', "3")
same("@", '{"x": 1}', '{"x": 1}')
same("[a, b]", '{"a": 1, "b": 2}', "[1, 2]")
same("NextMarker || Contents[-1].Key", '{"Contents": [{"Key": "a"}, {"Key": "b"}]}', '"b"')
same("NextMarker || Contents[-1].Key", '{"NextMarker": "m", "Contents": [{"Key": "a"}]}', '"m"')

-- Functions.
same("length(a)", '{"a": [1, 2, 3]}', "3")
same("length(a)", '{"a": "héllo"}', "5")
same("length(a)", '{"a": {"x": 1, "y": 2}}', "2")
same("length(a[?b > `1`]) == `1`", '{"a": [{"b": 1}, {"b": 2}]}', "true")
same("contains(a, 'x')", '{"a": ["x", "y"]}', "true")
same("contains(a, 'z')", '{"a": ["x", "y"]}', "false")
same("contains(s, 'ell')", '{"s": "hello"}', "true")
same("contains(`[1, 2]`, `2`)", "{}", "true")

-- Errors name the expression and where it stops making sense.
check.raises(function() jmespath.compile("a[") end, "jmespath:", "unterminated bracket")
check.raises(function() jmespath.compile("a.") end, "jmespath:", "dangling dot")
check.raises(function() jmespath.compile("a ^ b") end, "unexpected character '^'", "unknown operator")
check.raises(function() jmespath.search("nope(a)", {}) end, "unknown function nope()", "unknown function")
check.raises(function() jmespath.search("length(a)", {}) end, "length() expects", "length of null")

-- Every waiter path of every embedded model, against its samples.
local samples = json.decode(assert(sys.read_file(source .. "/tests/data/aws/waiter_paths.json")))
local covered = 0
for _, service in ipairs(caws.services()) do
  local model = caws.model(service)
  for name, def in pairs(model.waiters or {}) do
    for i, a in ipairs(def.acceptors) do
      if a.argument then
        local cases = samples[a.argument]
        if check.ok(cases ~= nil, ("%s waiter %s acceptor %d: no samples for path %q in waiter_paths.json")
            :format(service, name, i, a.argument)) then
          for _, c in ipairs(cases) do
            local want = c.want
            if want == json.null then want = nil end
            local got = jmespath.search(a.argument, c.doc)
            check.ok(jmespath.equal(got, want) and (got == nil) == (want == nil),
              ("%s on %s: got %s, want %s"):format(a.argument, check.show(c.doc), check.show(got), check.show(c.want)))
          end
          covered = covered + 1
        end
      end
    end
    -- And paginator expressions compile.
  end
  for name, p in pairs(model.paginators or {}) do
    for _, key in ipairs({ "input_token", "output_token", "result_key", "more_results", "non_aggregate_keys" }) do
      local v = p[key]
      for _, expr in ipairs(type(v) == "table" and v or { v }) do
        local ok, e = pcall(jmespath.compile, expr)
        check.ok(ok, ("%s paginator %s %s %q: %s"):format(service, name, key, tostring(expr), tostring(e)))
      end
    end
  end
end
check.ok(covered > 50, "waiter acceptors with paths were found (" .. covered .. ")")

return check.finish("test_jmespath")
