-- STS: who the caller is (the account of the access key that signed the request).
local M = { ops = {} }

function M.ops.GetCallerIdentity(params, ctx)
  -- Root credentials, as AWS answers for an account's own keys.
  return {
    UserId = ctx.account,
    Account = ctx.account,
    Arn = ("arn:aws:iam::%s:root"):format(ctx.account),
  }
end

return M
