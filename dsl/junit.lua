-- JUnit XML, the format CI servers (TeamCity, Jenkins, GitLab) read test results from.
-- A plain writer any command can use: it knows suites and cases, not runs. Every text goes
-- through wf.log's sanitize first (valid UTF-8, secrets replaced by ***), then loses the
-- characters XML 1.0 cannot hold, then is escaped; attributes keep their newlines as &#10;.
--
--   junit.write("results.xml", {
--     { name = "migrate", timestamp = "2026-11-26T10:15:00Z", hostname = "agent-1",
--       properties = { { "run_id", "migrate-2026..." } },
--       cases = {
--         { classname = "migrate", name = "test-temp", time = 12.5 },
--         { classname = "migrate", name = "smoke-env", time = 3,
--           failure = { message = "status 503", type = "step failed", text = "full text" } },
--         { classname = "migrate", name = "test-env", skipped = "not run: recreate-env failed" },
--       } },
--   })
local clog = require "wf.log"
local sys = require "wf.sys"

local M = {}

local ENTITIES = { ["&"] = "&amp;", ["<"] = "&lt;", [">"] = "&gt;", ['"'] = "&quot;", ["'"] = "&apos;" }

-- Text fit for XML element content: sanitized, no control characters but tab, LF, CR (XML
-- 1.0 forbids them even as references), no U+FFFE/U+FFFF, markup characters escaped.
function M.escape(s)
  s = clog.sanitize(tostring(s == nil and "" or s))
  s = s:gsub("[%z\1-\8\11\12\14-\31\127]", "\239\191\189")   -- U+FFFD
  s = s:gsub("\239\191[\190\191]", "\239\191\189")
  return (s:gsub("[&<>\"']", ENTITIES))
end

-- Text fit for an attribute value: as escape, and tab, LF, CR as character references,
-- which attribute-value normalisation would otherwise turn into spaces.
function M.attr(s)
  return (M.escape(s):gsub("[\t\n\r]", { ["\t"] = "&#9;", ["\n"] = "&#10;", ["\r"] = "&#13;" }))
end

local function seconds(t) return ("%.3f"):format(tonumber(t) or 0) end

local function counts(cases)
  local failures, skipped, time = 0, 0, 0
  for _, c in ipairs(cases) do
    if c.failure then failures = failures + 1 end
    if c.skipped then skipped = skipped + 1 end
    time = time + (tonumber(c.time) or 0)
  end
  return failures, skipped, time
end

local function render_case(out, c)
  local open = ('    <testcase classname="%s" name="%s" time="%s"'):format(M.attr(c.classname or ""), M.attr(c.name),
    seconds(c.time))
  if not (c.failure or c.skipped or c.system_out) then
    out[#out + 1] = open .. "/>"
    return
  end
  out[#out + 1] = open .. ">"
  if c.failure then
    local f = c.failure
    out[#out + 1] = ('      <failure message="%s" type="%s">%s</failure>'):format(M.attr(f.message or "failed"),
      M.attr(f.type or "failure"), M.escape(f.text or f.message or ""))
  elseif c.skipped then
    out[#out + 1] = ('      <skipped message="%s"/>'):format(M.attr(c.skipped == true and "skipped" or c.skipped))
  end
  if c.system_out then out[#out + 1] = "      <system-out>" .. M.escape(c.system_out) .. "</system-out>" end
  out[#out + 1] = "    </testcase>"
end

-- The XML document for suites (see the top of this file); opts.name names <testsuites>.
function M.render(suites, opts)
  opts = opts or {}
  local all_tests, all_failures, all_skipped, all_time = 0, 0, 0, 0
  local body = {}
  for _, suite in ipairs(suites) do
    local failures, skipped, time = counts(suite.cases)
    if suite.time then time = suite.time end
    all_tests, all_failures = all_tests + #suite.cases, all_failures + failures
    all_skipped, all_time = all_skipped + skipped, all_time + time
    local head = ('  <testsuite name="%s" tests="%d" failures="%d" errors="0" skipped="%d" time="%s"')
      :format(M.attr(suite.name), #suite.cases, failures, skipped, seconds(time))
    if suite.timestamp then head = head .. (' timestamp="%s"'):format(M.attr(suite.timestamp)) end
    if suite.hostname then head = head .. (' hostname="%s"'):format(M.attr(suite.hostname)) end
    body[#body + 1] = head .. ">"
    if suite.properties and #suite.properties > 0 then
      body[#body + 1] = "    <properties>"
      for _, p in ipairs(suite.properties) do
        body[#body + 1] = ('      <property name="%s" value="%s"/>'):format(M.attr(p[1]), M.attr(p[2]))
      end
      body[#body + 1] = "    </properties>"
    end
    for _, c in ipairs(suite.cases) do render_case(body, c) end
    body[#body + 1] = "  </testsuite>"
  end
  local out = {
    '<?xml version="1.0" encoding="UTF-8"?>',
    ('<testsuites name="%s" tests="%d" failures="%d" errors="0" skipped="%d" time="%s">')
      :format(M.attr(opts.name or "wfrun"), all_tests, all_failures, all_skipped, seconds(all_time)),
  }
  for _, line in ipairs(body) do out[#out + 1] = line end
  out[#out + 1] = "</testsuites>"
  return table.concat(out, "\n") .. "\n"
end

-- Writes the document to path; raises a usage error (exit 2) naming --junit when it cannot.
function M.write(path, suites, opts)
  local ok, err = pcall(sys.write_file, path, M.render(suites, opts))
  if not ok then
    require("dsl.errors").raise_usage(("--junit %s: %s"):format(path, tostring(err)))
  end
end

return M
