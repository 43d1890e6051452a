-- STS: who the caller is (the account of the access key that signed the request, or the
-- role a temporary key was issued for) and AssumeRole, which issues temporary credentials
-- the simulator then accepts (see M.credentials) until they expire on the simulated clock.
--
-- Temporary credentials are kept in world.data("sts").sessions by access key id: they are
-- secrets, not resources, so the inventory does not list them.
local sim = require "sim"
local world = require "world"

local M = { ops = {}, hooks = {} }

local MIN_DURATION, MAX_DURATION, DEFAULT_DURATION = 900, 43200, 3600

local function sessions()
  local d = world.data("sts")
  d.sessions = d.sessions or {}
  return d.sessions
end

local UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"

-- n characters of [A-Z2-7] from random bytes (AWS key ids look like this).
local function random_upper(n)
  local hex = sim.random_hex(n * 2)
  local out = {}
  for i = 1, n do
    local v = tonumber(hex:sub(2 * i - 1, 2 * i), 16) % 32
    out[i] = UPPER:sub(v + 1, v + 1)
  end
  return table.concat(out)
end

-- The temporary credentials of access key id `key`, or nil: {secret, token, account,
-- arn, user_id, expiration (sim epoch seconds), expired (boolean)}. The server's SigV4
-- check calls this for keys it was not started with.
function M.credentials(key)
  local s = sessions()[key]
  if not s then return nil end
  return { secret = s.secret, token = s.token, account = s.account, arn = s.arn,
           user_id = s.user_id, expiration = s.expiration, expired = sim.now() >= s.expiration }
end

function M.ops.GetCallerIdentity(params, ctx)
  local s = ctx.access_key and sessions()[ctx.access_key]
  if s then
    return { UserId = s.user_id, Account = s.account, Arn = s.arn }
  end
  -- The simulator's own keys are the account's root credentials.
  return {
    UserId = ctx.account,
    Account = ctx.account,
    Arn = ("arn:aws:iam::%s:root"):format(ctx.account),
  }
end

function M.ops.AssumeRole(params, ctx)
  local account, role = (params.RoleArn or ""):match("^arn:aws:iam::(%d%d%d%d%d%d%d%d%d%d%d%d):role/(.+)$")
  if not account then
    sim.error("ValidationError", ("%s is not a valid role ARN"):format(tostring(params.RoleArn)))
  end
  local session = params.RoleSessionName or ""
  if #session < 2 or #session > 64 or not session:match("^[%w+=,.@%-]+$") then
    sim.error("ValidationError", ("1 validation error detected: Value '%s' at 'roleSessionName' "
              .. "failed to satisfy constraint: Member must satisfy regular expression pattern: "
              .. "[\\w+=,.@-]*"):format(session))
  end
  local seconds = params.DurationSeconds or DEFAULT_DURATION
  if seconds < MIN_DURATION or seconds > MAX_DURATION then
    sim.error("ValidationError", ("1 validation error detected: Value '%d' at 'durationSeconds' "
              .. "failed to satisfy constraint: Member must have value %s"):format(
                seconds, seconds < MIN_DURATION and "greater than or equal to 900"
                                                or "less than or equal to 43200"))
  end
  local role_name = role:match("([^/]+)$")
  local role_id = "AROA" .. sim.md5_hex("awssim-role:" .. params.RoleArn):sub(1, 17):upper()
  local key = "ASIA" .. random_upper(16)
  local secret = sim.base64_encode(sim.md5(sim.uuid()) .. sim.md5(sim.uuid())):sub(1, 40)
  local token = "FwoGZXIvYXdzE" .. sim.base64_encode(sim.md5(key) .. sim.md5(secret) .. sim.random_hex(64))
  local expiration = sim.now() + seconds
  local arn = ("arn:aws:sts::%s:assumed-role/%s/%s"):format(account, role_name, session)
  local user_id = role_id .. ":" .. session
  sessions()[key] = { secret = secret, token = token, account = account, arn = arn,
                      user_id = user_id, expiration = expiration, role = params.RoleArn,
                      source = ctx.access_key }
  local out = {
    Credentials = { AccessKeyId = key, SecretAccessKey = secret, SessionToken = token,
                    Expiration = expiration },
    AssumedRoleUser = { AssumedRoleId = user_id, Arn = arn },
    SourceIdentity = params.SourceIdentity,
  }
  if params.Policy then out.PackedPolicySize = math.min(100, #params.Policy // 20) end
  return out
end

return M
