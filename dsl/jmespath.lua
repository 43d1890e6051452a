-- JMESPath (https://jmespath.org/specification.html), the subset AWS waiters and
-- paginators use: fields (a.b, "quoted"), indexes ([0], [-1]), flatten ([]), list and
-- object projections ([*], *), filters ([?Status == `available`]), pipes, comparisons
-- (== != < <= > >=), && || !, literals (`json`, 'raw'), @, multi-select lists
-- ([a, b]) and the functions length() and contains(). Anything else is a parse error
-- naming where the expression stops making sense.
--
-- Values are the Lua tables AWS results become (wf.json arrays carry the array marker);
-- JSON null and a missing member are both nil. An object projection (*) walks the keys
-- in sorted order, since Lua tables keep none (JMESPath leaves that order open too).
local json = require "wf.json"

local M = {}

-- ---- values ------------------------------------------------------------------------

local function is_list(v)
  if type(v) ~= "table" then return false end
  if json.is_array(v) then return true end
  -- Unmarked tables: a list when it has element 1, or when it is empty (an empty AWS
  -- list and an empty object project to the same nothing).
  return rawget(v, 1) ~= nil or next(v) == nil
end

local function is_object(v)
  return type(v) == "table" and not is_list(v)
end

local function new_list()
  return json.array({})
end

local function truthy(v)
  if v == nil or v == false or v == json.null then return false end
  if v == "" then return false end
  if type(v) == "table" then return next(v) ~= nil end
  return true
end

local function deep_equal(a, b)
  if a == json.null then a = nil end
  if b == json.null then b = nil end
  if type(a) ~= "table" or type(b) ~= "table" then
    return a == b
  end
  if is_list(a) ~= is_list(b) then return false end
  for k, v in pairs(a) do
    if not deep_equal(v, b[k]) then return false end
  end
  for k in pairs(b) do
    if a[k] == nil then return false end
  end
  return true
end
M.equal = deep_equal

-- ---- lexer -------------------------------------------------------------------------

local SIMPLE = {
  ["."] = "dot", ["*"] = "star", ["]"] = "rbracket", [","] = "comma", [":"] = "colon",
  ["@"] = "current", ["("] = "lparen", [")"] = "rparen", ["{"] = "lbrace", ["}"] = "rbrace",
}

local function lex_error(expr, pos, what)
  error(("jmespath: %s at column %d of %q"):format(what, pos, expr), 0)
end

-- Reads a delimited token (`...`, '...', "...") starting at pos; returns body, next pos.
local function delimited(expr, pos, quote)
  local i = pos + 1
  local parts = {}
  while true do
    local c = expr:sub(i, i)
    if c == "" then lex_error(expr, pos, "unterminated " .. quote) end
    if c == "\\" and expr:sub(i + 1, i + 1) == quote then
      parts[#parts + 1] = quote
      i = i + 2
    elseif c == "\\" and quote == '"' then
      parts[#parts + 1] = expr:sub(i, i + 1)
      i = i + 2
    elseif c == quote then
      return table.concat(parts), i + 1
    else
      parts[#parts + 1] = c
      i = i + 1
    end
  end
end

local function decode_json(text, expr, pos)
  local ok, v = pcall(json.decode, text)
  if not ok then lex_error(expr, pos, "bad JSON literal " .. text) end
  if v == json.null then return nil end
  return v
end

local function tokenize(expr)
  local tokens = {}
  local pos = 1
  local function push(kind, value, at) tokens[#tokens + 1] = { kind = kind, value = value, pos = at } end
  while pos <= #expr do
    local c = expr:sub(pos, pos)
    local two = expr:sub(pos, pos + 1)
    if c:match("%s") then
      pos = pos + 1
    elseif c:match("[%a_]") then
      local word = expr:match("^[%w_]+", pos)
      push("unquoted_identifier", word, pos)
      pos = pos + #word
    elseif c:match("[%d%-]") then
      local num = expr:match("^%-?%d+", pos)
      if not num then lex_error(expr, pos, "unexpected '-'") end
      push("number", math.tointeger(tonumber(num)), pos)
      pos = pos + #num
    elseif two == "[]" then
      push("flatten", nil, pos); pos = pos + 2
    elseif two == "[?" then
      push("filter", nil, pos); pos = pos + 2
    elseif c == "[" then
      push("lbracket", nil, pos); pos = pos + 1
    elseif two == "==" then
      push("eq", nil, pos); pos = pos + 2
    elseif two == "!=" then
      push("ne", nil, pos); pos = pos + 2
    elseif two == "<=" then
      push("lte", nil, pos); pos = pos + 2
    elseif two == ">=" then
      push("gte", nil, pos); pos = pos + 2
    elseif two == "&&" then
      push("and", nil, pos); pos = pos + 2
    elseif two == "||" then
      push("or", nil, pos); pos = pos + 2
    elseif c == "<" then
      push("lt", nil, pos); pos = pos + 1
    elseif c == ">" then
      push("gt", nil, pos); pos = pos + 1
    elseif c == "!" then
      push("not", nil, pos); pos = pos + 1
    elseif c == "|" then
      push("pipe", nil, pos); pos = pos + 1
    elseif c == "&" then
      push("expref", nil, pos); pos = pos + 1
    elseif SIMPLE[c] then
      push(SIMPLE[c], nil, pos); pos = pos + 1
    elseif c == "`" then
      local body, nxt = delimited(expr, pos, "`")
      push("literal", decode_json(body, expr, pos), pos)
      pos = nxt
    elseif c == "'" then
      local body, nxt = delimited(expr, pos, "'")
      push("literal", body, pos)
      pos = nxt
    elseif c == '"' then
      local body, nxt = delimited(expr, pos, '"')
      push("quoted_identifier", decode_json('"' .. body .. '"', expr, pos), pos)
      pos = nxt
    else
      lex_error(expr, pos, "unexpected character '" .. c .. "'")
    end
  end
  push("eof", nil, #expr + 1)
  return tokens
end

-- ---- parser (top-down operator precedence, as jmespath.py does it) -----------------

local BINDING = {
  eof = 0, unquoted_identifier = 0, quoted_identifier = 0, literal = 0, rbracket = 0,
  rparen = 0, comma = 0, rbrace = 0, number = 0, current = 0, expref = 0, colon = 0,
  pipe = 1, ["or"] = 2, ["and"] = 3,
  eq = 5, ne = 5, gt = 5, lt = 5, gte = 5, lte = 5,
  flatten = 9, star = 20, filter = 21, dot = 40, ["not"] = 45, lbrace = 50,
  lbracket = 55, lparen = 60,
}

-- Projections stop at tokens binding less than this (pipes, comparisons, ...).
local PROJECTION_STOP = 10

local Parser = {}
Parser.__index = Parser

function Parser:peek(n) return self.tokens[self.i + (n or 0)] end

function Parser:fail(what)
  local t = self:peek()
  error(("jmespath: %s at column %d of %q"):format(what, t.pos, self.expr), 0)
end

function Parser:advance()
  local t = self.tokens[self.i]
  self.i = self.i + 1
  return t
end

function Parser:match(kind)
  if self:peek().kind ~= kind then self:fail(("expected %s, found %s"):format(kind, self:peek().kind)) end
  return self:advance()
end

local IDENTITY = { type = "current" }

function Parser:expression(bp)
  local token = self:advance()
  local nud = self["nud_" .. token.kind]
  if not nud then
    self.i = self.i - 1
    self:fail("unexpected " .. token.kind)
  end
  local left = nud(self, token)
  while bp < BINDING[self:peek().kind] do
    local t = self:advance()
    local led = self["led_" .. t.kind]
    if not led then
      self.i = self.i - 1
      self:fail("unexpected " .. t.kind)
    end
    left = led(self, left, t)
  end
  return left
end

function Parser:nud_literal(t) return { type = "literal", value = t.value } end
function Parser:nud_unquoted_identifier(t) return { type = "field", name = t.value } end
function Parser:nud_quoted_identifier(t)
  if self:peek().kind == "lparen" then self:fail("a quoted identifier cannot name a function") end
  return { type = "field", name = t.value }
end
function Parser:nud_current() return IDENTITY end
function Parser:nud_not() return { type = "not", child = self:expression(BINDING["not"]) } end
function Parser:nud_lparen()
  local e = self:expression(0)
  self:match("rparen")
  return e
end
function Parser:nud_star()
  return { type = "value_projection", left = IDENTITY, right = self:projection_rhs(BINDING.star) }
end
function Parser:nud_flatten()
  return { type = "projection", left = { type = "flatten", child = IDENTITY },
           right = self:projection_rhs(BINDING.flatten) }
end
function Parser:nud_filter() return self:led_filter(IDENTITY) end
function Parser:nud_lbracket()
  local k = self:peek().kind
  if k == "number" then
    local n = self:advance().value
    self:match("rbracket")
    return { type = "index", index = n }
  elseif k == "star" and self:peek(1).kind == "rbracket" then
    self:advance(); self:advance()
    return { type = "projection", left = IDENTITY, right = self:projection_rhs(BINDING.star) }
  end
  return self:multi_select_list()
end

function Parser:multi_select_list()
  local items = {}
  repeat
    items[#items + 1] = self:expression(0)
    local more = self:peek().kind == "comma"
    if more then self:advance() end
  until not more
  self:match("rbracket")
  return { type = "multi_list", items = items }
end

function Parser:dot_rhs(bp)
  local k = self:peek().kind
  if k == "unquoted_identifier" or k == "quoted_identifier" or k == "star" then
    return self:expression(bp)
  elseif k == "lbracket" then
    self:advance()
    return self:multi_select_list()
  end
  self:fail("expected an identifier after '.'")
end

function Parser:projection_rhs(bp)
  local k = self:peek().kind
  if BINDING[k] < PROJECTION_STOP then return IDENTITY end
  if k == "lbracket" or k == "filter" or k == "flatten" then return self:expression(bp) end
  if k == "dot" then
    self:advance()
    return self:dot_rhs(bp)
  end
  self:fail("unexpected " .. k .. " after a projection")
end

function Parser:led_dot(left)
  if self:peek().kind == "star" then
    self:advance()
    return { type = "value_projection", left = left, right = self:projection_rhs(BINDING.dot) }
  end
  return { type = "sub", left = left, right = self:dot_rhs(BINDING.dot) }
end
function Parser:led_pipe(left) return { type = "pipe", left = left, right = self:expression(BINDING.pipe) } end
function Parser:led_or(left) return { type = "or", left = left, right = self:expression(BINDING["or"]) } end
function Parser:led_and(left) return { type = "and", left = left, right = self:expression(BINDING["and"]) } end
function Parser:led_flatten(left)
  return { type = "projection", left = { type = "flatten", child = left },
           right = self:projection_rhs(BINDING.flatten) }
end
function Parser:led_filter(left)
  local condition = self:expression(0)
  self:match("rbracket")
  return { type = "filter_projection", left = left, condition = condition,
           right = self:projection_rhs(BINDING.filter) }
end
function Parser:led_lbracket(left)
  local k = self:peek().kind
  if k == "number" then
    local n = self:advance().value
    self:match("rbracket")
    return { type = "sub", left = left, right = { type = "index", index = n } }
  end
  self:match("star")
  self:match("rbracket")
  return { type = "projection", left = left, right = self:projection_rhs(BINDING.star) }
end
function Parser:led_lparen(left)
  if left.type ~= "field" then self:fail("only a name can be called") end
  local args = {}
  while self:peek().kind ~= "rparen" do
    args[#args + 1] = self:expression(0)
    if self:peek().kind == "comma" then self:advance() end
  end
  self:match("rparen")
  return { type = "call", name = left.name, args = args }
end
for _, op in ipairs({ "eq", "ne", "lt", "lte", "gt", "gte" }) do
  Parser["led_" .. op] = function(self, left)
    return { type = "compare", op = op, left = left, right = self:expression(BINDING[op]) }
  end
end

local cache = setmetatable({}, { __mode = "v" })

-- The syntax tree of expr (cached); raises "jmespath: ..." for what it cannot parse.
function M.compile(expr)
  local tree = cache[expr]
  if tree then return tree end
  local p = setmetatable({ tokens = tokenize(expr), i = 1, expr = expr }, Parser)
  tree = p:expression(0)
  if p:peek().kind ~= "eof" then p:fail("unexpected " .. p:peek().kind) end
  cache[expr] = tree
  return tree
end

-- ---- evaluation --------------------------------------------------------------------

local FUNCTIONS = {}

local function utf8_len(s)
  return utf8.len(s) or #s
end

FUNCTIONS.length = function(args, name)
  local v = args[1]
  if type(v) == "string" then return utf8_len(v) end
  if type(v) == "table" then
    if is_list(v) then return #v end
    local n = 0
    for _ in pairs(v) do n = n + 1 end
    return n
  end
  error(("jmespath: %s() expects a string, array or object, got %s"):format(name, v == nil and "null" or type(v)), 0)
end

FUNCTIONS.contains = function(args, name)
  local subject, search = args[1], args[2]
  if type(subject) == "string" then
    return type(search) == "string" and subject:find(search, 1, true) ~= nil
  end
  if is_list(subject) then
    for _, x in ipairs(subject) do
      if deep_equal(x, search) then return true end
    end
    return false
  end
  error(("jmespath: %s() expects a string or array first"):format(name), 0)
end

local COMPARE = {
  eq = function(a, b) return deep_equal(a, b) end,
  ne = function(a, b) return not deep_equal(a, b) end,
  lt = function(a, b) return a < b end,
  lte = function(a, b) return a <= b end,
  gt = function(a, b) return a > b end,
  gte = function(a, b) return a >= b end,
}

local eval

local function project(base, right)
  local out = new_list()
  for _, el in ipairs(base) do
    local r = eval(right, el)
    if r ~= nil then out[#out + 1] = r end
  end
  return out
end

function eval(node, value)
  local t = node.type
  if value == json.null then value = nil end
  if t == "current" then
    return value
  elseif t == "field" then
    if is_object(value) then
      local v = value[node.name]
      if v == json.null then return nil end
      return v
    end
    return nil
  elseif t == "sub" then
    local left = eval(node.left, value)
    if left == nil then return nil end
    return eval(node.right, left)
  elseif t == "index" then
    if not is_list(value) then return nil end
    local i = node.index
    if i < 0 then i = #value + i end
    return value[i + 1]
  elseif t == "literal" then
    return node.value
  elseif t == "flatten" then
    local base = eval(node.child, value)
    if not is_list(base) then return nil end
    local out = new_list()
    for _, el in ipairs(base) do
      if is_list(el) then
        for _, x in ipairs(el) do out[#out + 1] = x end
      elseif el ~= json.null then
        out[#out + 1] = el
      end
    end
    return out
  elseif t == "projection" then
    local base = eval(node.left, value)
    if not is_list(base) then return nil end
    return project(base, node.right)
  elseif t == "value_projection" then
    local base = eval(node.left, value)
    if not is_object(base) then return nil end
    local keys = {}
    for k in pairs(base) do keys[#keys + 1] = k end
    table.sort(keys)
    local values = {}
    for i, k in ipairs(keys) do values[i] = base[k] end
    return project(values, node.right)
  elseif t == "filter_projection" then
    local base = eval(node.left, value)
    if not is_list(base) then return nil end
    local kept = {}
    for _, el in ipairs(base) do
      if truthy(eval(node.condition, el)) then kept[#kept + 1] = el end
    end
    return project(kept, node.right)
  elseif t == "pipe" then
    return eval(node.right, eval(node.left, value))
  elseif t == "or" then
    local left = eval(node.left, value)
    if truthy(left) then return left end
    return eval(node.right, value)
  elseif t == "and" then
    local left = eval(node.left, value)
    if not truthy(left) then return left end
    return eval(node.right, value)
  elseif t == "not" then
    return not truthy(eval(node.child, value))
  elseif t == "compare" then
    local a, b = eval(node.left, value), eval(node.right, value)
    if node.op ~= "eq" and node.op ~= "ne" and not (type(a) == "number" and type(b) == "number") then
      return nil   -- ordering is defined for numbers only
    end
    return COMPARE[node.op](a, b)
  elseif t == "multi_list" then
    if value == nil then return nil end
    local out = new_list()
    for i, item in ipairs(node.items) do
      local r = eval(item, value)
      out[i] = r == nil and json.null or r
    end
    return out
  elseif t == "call" then
    local fn = FUNCTIONS[node.name]
    if not fn then error(("jmespath: unknown function %s()"):format(node.name), 0) end
    local args = {}
    for i, a in ipairs(node.args) do args[i] = eval(a, value) end
    return fn(args, node.name)
  end
  error("jmespath: internal error: node " .. tostring(t), 0)
end

-- The value expr selects from data (nil when nothing matches).
function M.search(expr, data)
  return eval(M.compile(expr), data)
end

M.is_list = is_list
M.truthy = truthy
return M
