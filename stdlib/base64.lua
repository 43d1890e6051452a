-- Base64 (RFC 4648, with padding): RunInstances wants its UserData encoded so, and
-- unlike boto3 and the AWS CLI the aws primitive passes it as it is given.
--
--   local base64 = require "stdlib.base64"
--   base64.encode("#!/bin/sh\necho hi\n")   --> "IyEvYmluL3NoCmVjaG8gaGkK"
local M = {}

local ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

function M.encode(s)
  local out = {}
  for i = 1, #s, 3 do
    local a, b, c = s:byte(i, i + 2)
    local n = (a << 16) | ((b or 0) << 8) | (c or 0)
    local chars = {}
    for k = 1, 4 do
      local idx = (n >> (6 * (4 - k))) & 63
      chars[k] = ALPHABET:sub(idx + 1, idx + 1)
    end
    if not b then chars[3], chars[4] = "=", "=" elseif not c then chars[4] = "=" end
    out[#out + 1] = table.concat(chars)
  end
  return table.concat(out)
end

local DECODE = {}
for i = 1, #ALPHABET do DECODE[ALPHABET:byte(i)] = i - 1 end

-- The bytes of base64 text s, or nil and a reason when s is not base64.
function M.decode(s)
  s = s:gsub("%s", "")
  if #s % 4 ~= 0 then return nil, "length is not a multiple of 4" end
  local out = {}
  for i = 1, #s, 4 do
    local n, pad = 0, 0
    for k = 0, 3 do
      local ch = s:byte(i + k)
      local v = DECODE[ch]
      if ch == 61 and i + 4 > #s and k >= 2 then
        v, pad = 0, pad + 1
      elseif v == nil or pad > 0 then
        return nil, ("bad character at %d"):format(i + k)
      end
      n = (n << 6) | v
    end
    local bytes = string.char((n >> 16) & 255, (n >> 8) & 255, n & 255)
    out[#out + 1] = bytes:sub(1, 3 - pad)
  end
  return table.concat(out)
end

return M
