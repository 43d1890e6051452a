-- Paginators, interpreted from the models' paginator definitions (botocore's
-- paginators-1.json: input_token, output_token, more_results, limit_key, result_key):
--   for page in aws.s3.pages("list_objects_v2", { Bucket = b }) do ... end
--   for item in aws.ec2.items("describe_images", { Owners = { "self" } }) do ... end
-- items() walks the first result_key only (for ListObjectsV2 that is Contents, not
-- CommonPrefixes); use pages() for the others.
local jmespath = require "dsl.jmespath"
local placeholder = require "dsl.aws_placeholder"

local M = {}

local function as_list(v)
  if v == nil then return {} end
  if type(v) == "table" then return v end
  return { v }
end

local function shallow_copy(t)
  local out = {}
  for k, v in pairs(t or {}) do out[k] = v end
  return out
end

-- The paginator of operation (an API name) in model, or nil.
function M.config(model, operation)
  return model.paginators and model.paginators[operation] or nil
end

-- The input parameters that steer pagination (tokens and the page size): when a caller
-- sets one, it pages by hand (the CLI then turns its own pagination off).
function M.steering_params(cfg)
  local names = {}
  for _, n in ipairs(as_list(cfg.input_token)) do names[#names + 1] = n end
  if cfg.limit_key then names[#names + 1] = cfg.limit_key end
  return names
end

-- The next request's token values from page, or nil when page is the last one.
local function next_tokens(cfg, page)
  if cfg.more_results and not jmespath.truthy(jmespath.search(cfg.more_results, page)) then
    return nil
  end
  local tokens, any = {}, false
  for i, expr in ipairs(as_list(cfg.output_token)) do
    local v = jmespath.search(expr, page)
    if v == "" then v = nil end
    tokens[i] = v
    any = any or v ~= nil
  end
  return any and tokens or nil
end

local function token_key(tokens, n)
  local parts = {}
  for i = 1, n do parts[i] = tostring(tokens[i]) end
  return table.concat(parts, "\0")
end

-- An iterator over the pages of operation: send(params) makes one call and returns its
-- result. opts.page_size sets the limit_key. In a plan, a placeholder page ends the walk.
function M.pages(cfg, send, params, opts, what)
  opts = opts or {}
  local inputs = as_list(cfg.input_token)
  local request = shallow_copy(params)
  if opts.page_size ~= nil then
    if not cfg.limit_key then error(what .. ": page_size given, but the operation has no page size", 3) end
    request[cfg.limit_key] = opts.page_size
  end
  local done, previous = false, nil
  return function()
    if done then return nil end
    local page = send(request)
    if placeholder.is_proxy(page) then
      done = true
      return page
    end
    local tokens = next_tokens(cfg, page)
    if not tokens then
      done = true
      return page
    end
    local key = token_key(tokens, #inputs)
    if key == previous then
      error(("%s: the same next token was received twice (%s)"):format(what, (key:gsub("%z", ", "))), 0)
    end
    previous = key
    request = shallow_copy(request)
    for i, name in ipairs(inputs) do request[name] = tokens[i] end
    return page
  end
end

-- An iterator over the elements of the first result_key across all pages.
function M.items(cfg, send, params, opts, what)
  local result_key = as_list(cfg.result_key)[1]
  local next_page = M.pages(cfg, send, params, opts, what)
  local list, i = nil, 0
  return function()
    while true do
      if list then
        i = i + 1
        local v = list[i]
        if v ~= nil then return v end
      end
      local page = next_page()
      if page == nil then return nil end
      local v = jmespath.search(result_key, page)
      if v == nil and placeholder.is_proxy(page) then v = page[result_key] end
      if type(v) == "table" then
        list, i = v, 0
      elseif v ~= nil then
        list, i = { v }, 0
      else
        list = nil
      end
    end
  end
end

return M
