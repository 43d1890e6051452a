-- AWS timestamps as numbers: "2026-11-26T09:37:47.000Z", "2026-11-26T09:37:47+00:00",
-- "2026-11-26T09:37:47.123000+01:00" (as the AWS CLI prints them) or an epoch number, to
-- seconds since 1970 (UTC), so they can be compared and subtracted.
--
--   local awstime = require "stdlib.awstime"
--   awstime.parse("2026-12-01T00:00:00.000Z") - awstime.now()   --> seconds until then
local M = {}

-- Days since 1970-01-01 of a civil date (proleptic Gregorian; Howard Hinnant's algorithm).
local function days_from_civil(y, m, d)
  y = m <= 2 and y - 1 or y
  local era = (y >= 0 and y or y - 399) // 400
  local yoe = y - era * 400
  local mp = (m + 9) % 12
  local doy = (153 * mp + 2) // 5 + d - 1
  local doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
  return era * 146097 + doe - 719468
end

-- Seconds since the epoch for an AWS timestamp, or nil, reason when it is not one.
function M.parse(s)
  if math.type(s) then return s end
  if type(s) ~= "string" then return nil, "not a timestamp: " .. tostring(s) end
  local y, mo, d, rest = s:match("^(%d%d%d%d)-(%d%d)-(%d%d)(.*)$")
  if not y then return nil, "not a timestamp: " .. s end
  local h, mi, sec, tail = 0, 0, 0, rest
  if rest ~= "" then
    local hh, mm, ss, t = rest:match("^[Tt ](%d%d):(%d%d):?(%d*)(.*)$")
    if not hh then return nil, "not a timestamp: " .. s end
    h, mi, sec, tail = tonumber(hh), tonumber(mm), tonumber(ss ~= "" and ss or "0"), t
  end
  local frac = tail:match("^%.(%d+)") or ""
  tail = tail:sub(#frac + (frac ~= "" and 2 or 1))
  local offset = 0
  if tail == "" or tail == "Z" or tail == "z" then
    offset = 0
  else
    local sign, oh, om = tail:match("^([+-])(%d%d):?(%d%d)$")
    if not sign then return nil, "not a timestamp: " .. s end
    offset = (tonumber(oh) * 3600 + tonumber(om) * 60) * (sign == "+" and 1 or -1)
  end
  local t = days_from_civil(tonumber(y), tonumber(mo), tonumber(d)) * 86400 + h * 3600 + mi * 60 + sec - offset
  if frac ~= "" then t = t + tonumber("0." .. frac) end
  return t
end

-- The current time in seconds since the epoch.
function M.now() return os.time() end

-- An epoch number as "2026-11-26T09:37:47Z".
function M.format(t)
  return os.date("!%Y-%m-%dT%H:%M:%SZ", math.floor(t))
end

return M
