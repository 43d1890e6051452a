-- The YAML CloudFormation templates are written in, read into the same tables as their
-- JSON form: block mappings and sequences, flow [..] and {..}, plain, 'single' and
-- "double" quoted scalars, | and > block scalars, comments, and the short forms of the
-- intrinsic functions (!Ref X, !GetAtt A.B, !Sub '...', !If [...], ...). Not a general
-- YAML reader: no anchors, aliases, documents or multi-line plain scalars.
local sim = require "sim"

local Y = {}

local function fail(line, msg)
  error({ code = "ValidationError", message = ("line %d: %s"):format(line, msg) }, 0)
end

-- "!Ref X" -> {Ref = X}; "!GetAtt A.B" -> {"Fn::GetAtt" = "A.B"}; "!Condition C" ->
-- {Condition = C}; any other "!Name v" -> {"Fn::Name" = v}.
local function tagged(tag, value)
  if tag == "Ref" or tag == "Condition" then return { [tag] = value } end
  return { ["Fn::" .. tag] = value }
end

-- Plain scalars: numbers and booleans typed as YAML reads them, the rest text.
local function plain(s)
  if s == "true" or s == "True" then return true end
  if s == "false" or s == "False" then return false end
  if s == "null" or s == "~" or s == "" then return nil end
  if s:match("^[-+]?%d+$") and #s < 16 then return math.tointeger(tonumber(s)) end
  if s:match("^[-+]?%d*%.%d+$") or s:match("^[-+]?%d+%.%d*$") then return tonumber(s) end
  return s
end

local ESCAPES = { n = "\n", t = "\t", r = "\r", ['"'] = '"', ["\\"] = "\\", ["/"] = "/",
                  ["0"] = "\0", [" "] = " ", e = "\27" }

-- A quoted scalar starting at pos (its quote); returns the text and the position after it.
local function quoted(s, pos, line)
  local q = s:sub(pos, pos)
  local out, i = {}, pos + 1
  while true do
    local c = s:sub(i, i)
    if c == "" then fail(line, "unterminated quoted string") end
    if q == "'" then
      if c == "'" then
        if s:sub(i + 1, i + 1) == "'" then out[#out + 1] = "'"; i = i + 2 else return table.concat(out), i + 1 end
      else
        out[#out + 1] = c; i = i + 1
      end
    else
      if c == '"' then return table.concat(out), i + 1 end
      if c == "\\" then
        local e = s:sub(i + 1, i + 1)
        if e == "u" then
          out[#out + 1] = utf8.char(tonumber(s:sub(i + 2, i + 5), 16) or 63)
          i = i + 6
        else
          out[#out + 1] = ESCAPES[e] or e
          i = i + 2
        end
      else
        out[#out + 1] = c; i = i + 1
      end
    end
  end
end

local flow_value

-- A plain scalar of a flow collection: up to , ] } (and : followed by a space in a map).
local function flow_plain(s, pos, in_map_key)
  local i = pos
  while i <= #s do
    local c = s:sub(i, i)
    if c == "," or c == "]" or c == "}" then break end
    if in_map_key and c == ":" and (s:sub(i + 1, i + 1):match("[%s,}]") or i == #s) then break end
    i = i + 1
  end
  return s:sub(pos, i - 1):match("^%s*(.-)%s*$"), i
end

local function skip_space(s, pos)
  return (s:find("[^%s]", pos)) or #s + 1
end

flow_value = function(s, pos, line, in_map_key)
  pos = skip_space(s, pos)
  local c = s:sub(pos, pos)
  if c == "[" then
    local list = sim.array {}
    pos = skip_space(s, pos + 1)
    if s:sub(pos, pos) == "]" then return list, pos + 1 end
    while true do
      local v
      v, pos = flow_value(s, pos, line, false)
      if v ~= nil then list[#list + 1] = v end
      pos = skip_space(s, pos)
      local d = s:sub(pos, pos)
      if d == "," then
        pos = pos + 1
        if s:sub(skip_space(s, pos), skip_space(s, pos)) == "]" then return list, skip_space(s, pos) + 1 end
      elseif d == "]" then
        return list, pos + 1
      else
        fail(line, "expected , or ] in a flow sequence")
      end
    end
  elseif c == "{" then
    local map = {}
    pos = skip_space(s, pos + 1)
    if s:sub(pos, pos) == "}" then return map, pos + 1 end
    while true do
      local k
      k, pos = flow_value(s, pos, line, true)
      pos = skip_space(s, pos)
      if s:sub(pos, pos) ~= ":" then fail(line, "expected : in a flow mapping") end
      local v
      v, pos = flow_value(s, pos + 1, line, false)
      map[tostring(k)] = v
      pos = skip_space(s, pos)
      local d = s:sub(pos, pos)
      if d == "," then pos = pos + 1
      elseif d == "}" then return map, pos + 1
      else fail(line, "expected , or } in a flow mapping") end
    end
  elseif c == "'" or c == '"' then
    return quoted(s, pos, line)
  elseif c == "!" then
    local tag = s:match("^!([%w:]+)", pos)
    if not tag then fail(line, "bad tag") end
    local v
    v, pos = flow_value(s, pos + 1 + #tag, line, in_map_key)
    return tagged(tag, v), pos
  end
  local text, after = flow_plain(s, pos, in_map_key)
  if in_map_key then return text, after end
  return plain(text), after
end

-- Whether the brackets of a flow value are all closed (quotes skipped).
local function balanced(s)
  local depth, i, q = 0, 1, nil
  while i <= #s do
    local c = s:sub(i, i)
    if q then
      if c == q then
        if q == "'" and s:sub(i + 1, i + 1) == "'" then i = i + 1 else q = nil end
      elseif c == "\\" and q == '"' then
        i = i + 1
      end
    elseif c == "'" or c == '"' then q = c
    elseif c == "[" or c == "{" then depth = depth + 1
    elseif c == "]" or c == "}" then depth = depth - 1 end
    i = i + 1
  end
  return depth <= 0
end

-- The content of a line without its comment (a # at the start or after a space, outside
-- quotes).
local function strip_comment(s)
  local i, q = 1, nil
  while i <= #s do
    local c = s:sub(i, i)
    if q then
      if c == q then
        if q == "'" and s:sub(i + 1, i + 1) == "'" then i = i + 1 else q = nil end
      elseif c == "\\" and q == '"' then
        i = i + 1
      end
    elseif (c == "'" or c == '"') and (i == 1 or s:sub(i - 1, i - 1):match("[%s%[{,:!]")) then
      q = c
    elseif c == "#" and (i == 1 or s:sub(i - 1, i - 1):match("%s")) then
      return s:sub(1, i - 1)
    end
    i = i + 1
  end
  return s
end

-- The key of a "key: value" line and the rest, or nil when the line is no mapping entry.
local function split_key(s)
  local c = s:sub(1, 1)
  if c == "'" or c == '"' then
    local ok, key, after = pcall(quoted, s, 1, 0)
    if ok and s:sub(after, after) == ":" and (after == #s or s:sub(after + 1, after + 1):match("%s")) then
      return key, s:sub(after + 1):match("^%s*(.-)%s*$")
    end
    return nil
  end
  if c == "[" or c == "{" or c == "!" or c == "-" and s:sub(2, 2):match("%s") then return nil end
  local i = 1
  while true do
    local at = s:find(":", i, true)
    if not at then return nil end
    if at == #s or s:sub(at + 1, at + 1):match("%s") then
      return s:sub(1, at - 1):match("^%s*(.-)%s*$"), s:sub(at + 1):match("^%s*(.-)%s*$")
    end
    i = at + 1
  end
end

function Y.decode(text)
  local lines = {}
  local n = 0
  for raw in (text:gsub("\r\n", "\n") .. "\n"):gmatch("(.-)\n") do
    n = n + 1
    if raw:find("\t", 1, true) and raw:match("^%s*\t") then fail(n, "tabs cannot indent YAML") end
    local content = strip_comment(raw)
    local indent = #content:match("^( *)")
    lines[#lines + 1] = { n = n, raw = raw, indent = indent,
                          text = content:sub(indent + 1):match("^(.-)%s*$") }
  end

  local pos = 1
  local function skip_blank()
    while lines[pos] and (lines[pos].text == "" or lines[pos].text == "---") do pos = pos + 1 end
  end

  local parse_block

  -- A | or > scalar whose lines are indented more than `parent`.
  local function block_scalar(header, parent)
    local style, chomp = header:sub(1, 1), header:match("[+-]") or ""
    local body, indent = {}, nil
    while lines[pos] do
      local l = lines[pos]
      local blank = l.raw:match("^%s*$")
      local ind = #l.raw:match("^( *)")
      if not blank and ind <= parent then break end
      if not blank and not indent then indent = ind end
      body[#body + 1] = blank and "" or l.raw:sub((indent or ind) + 1)
      pos = pos + 1
    end
    local text
    if style == "|" then
      text = table.concat(body, "\n")
    else
      local parts, para = {}, {}
      for _, b in ipairs(body) do
        if b == "" then
          parts[#parts + 1] = table.concat(para, " ")
          para = {}
        else
          para[#para + 1] = b
        end
      end
      parts[#parts + 1] = table.concat(para, " ")
      text = table.concat(parts, "\n")
    end
    if chomp == "-" then return (text:gsub("\n+$", "")) end
    if chomp == "+" then return text .. "\n" end
    return (text:gsub("\n*$", "")) .. "\n"
  end

  -- The value after "key:" or "- " on the current line (rest), continued on later lines
  -- when needed; `indent` is the column of the line's key or dash.
  local function inline(rest, indent, line)
    local tag
    local t, after = rest:match("^!([%w:]+)%s*(.*)$")
    if t then tag, rest = t, after end
    local value
    if rest == "" then
      skip_blank()
      local l = lines[pos]
      if l and (l.indent > indent or (l.indent == indent and l.text:match("^%-%s") or l.text == "-")) then
        value = parse_block(l.indent)
      else
        value = nil
      end
    elseif rest:match("^[|>][+-]?%d*$") then
      value = block_scalar(rest, indent)
    elseif rest:sub(1, 1) == "[" or rest:sub(1, 1) == "{" then
      while not balanced(rest) and lines[pos] do
        rest = rest .. " " .. lines[pos].text
        pos = pos + 1
      end
      local v, after_value = flow_value(rest, 1, line, false)
      if rest:sub(after_value):match("%S") then fail(line, "unexpected text after a flow value") end
      value = v
    elseif rest:sub(1, 1) == "'" or rest:sub(1, 1) == '"' then
      local v, after_value = quoted(rest, 1, line)
      if rest:sub(after_value):match("%S") then fail(line, "unexpected text after a quoted string") end
      value = v
    else
      value = plain(rest)
    end
    if tag then return tagged(tag, value) end
    return value
  end

  parse_block = function(indent)
    skip_blank()
    local l = lines[pos]
    if l.text:match("^%-%s") or l.text == "-" then
      local list = sim.array {}
      while true do
        skip_blank()
        l = lines[pos]
        if not l or l.indent ~= indent or not (l.text:match("^%-%s") or l.text == "-") then break end
        local rest = l.text:match("^%-%s*(.*)$")
        local column = indent + (#l.text - #rest)
        if rest ~= "" and split_key(rest) then
          -- "- key: value": a mapping whose first entry shares the dash's line.
          l.text, l.indent = rest, column
          list[#list + 1] = parse_block(column)
        else
          pos = pos + 1
          local v = inline(rest, indent, l.n)
          if v ~= nil then list[#list + 1] = v end
        end
      end
      return list
    end
    local map = {}
    local any = false
    while true do
      skip_blank()
      l = lines[pos]
      if not l or l.indent ~= indent then
        if l and l.indent > indent then fail(l.n, "bad indentation") end
        break
      end
      local key, rest = split_key(l.text)
      if not key then
        if any then fail(l.n, "expected \"key: value\"") end
        pos = pos + 1
        return inline(l.text, indent - 1, l.n)
      end
      any = true
      pos = pos + 1
      map[key] = inline(rest, indent, l.n)
    end
    return map
  end

  skip_blank()
  if not lines[pos] then fail(1, "the template is empty") end
  local doc = parse_block(lines[pos].indent)
  skip_blank()
  if lines[pos] then fail(lines[pos].n, "unexpected text") end
  return doc
end

return Y
