-- Audit the AMIs in use: every Auto Scaling group, launch template version in use and
-- launch configuration whose image no longer exists, is deprecated, or will be deprecated
-- within --days days. Read-only. Exits 0 when all is well and 1 with the list otherwise:
-- the CI job that catches a group that could no longer launch an instance before it
-- has to.
--
--   wfrun audit-amis.lua --days=30
workflow "audit-amis" {
  doc = "Find ASGs, launch template versions and launch configurations whose AMI is gone or (soon) deprecated",
  version = "1",
  params = {
    days = param.integer { doc = "warn about deprecation this many days ahead", default = 14 },
    all_versions = param.bool { doc = "check every launch template version, not only those in use" },
  },
}

local ami = require "stdlib.ami"
local awstime = require "stdlib.awstime"

local BATCH = 200   -- image ids per DescribeImages filter

-- The images ids as DescribeImages sees them (missing ones are absent), by id.
local function describe(ids)
  local found = {}
  for first = 1, #ids, BATCH do
    local batch = {}
    for i = first, math.min(first + BATCH - 1, #ids) do batch[#batch + 1] = ids[i] end
    for img in aws.ec2.items("describe_images", { Filters = { { Name = "image-id", Values = batch } },
                                                  IncludeDeprecated = true, IncludeDisabled = true }) do
      if type(img.ImageId) == "string" then found[img.ImageId] = img end
    end
  end
  return found
end

-- What is wrong with an image (nil when nothing), given the time now and the horizon.
local function problem(img, now, horizon)
  if not img or img.State == "deregistered" then return "no longer exists" end
  if img.State ~= "available" then return "is " .. tostring(img.State) end
  local t = img.DeprecationTime and awstime.parse(img.DeprecationTime)
  if t and t <= now then return "is deprecated since " .. img.DeprecationTime end
  if t and t <= horizon then
    return ("will be deprecated on %s (in %d day(s))"):format(img.DeprecationTime, math.ceil((t - now) / 86400))
  end
  return nil
end

step "find-uses" {
  doc = "List the images used by Auto Scaling groups, launch template versions and launch configurations",
  run = function(ctx)
    -- what the groups will launch from, not what their running instances came from
    local uses = {}
    for _, u in ipairs(ami.usage { all_versions = ctx.params.all_versions }) do
      if u.kind ~= "asg" then uses[#uses + 1] = u end
    end
    local images = {}
    for _, u in ipairs(uses) do images[u.image] = true end
    local n = 0
    for _ in pairs(images) do n = n + 1 end
    log.info(("%d use(s) of %d image(s)"):format(#uses, n))
    return { uses = json.array(uses) }
  end,
}

step "check-images" {
  needs = "find-uses",
  doc = "Check each image: it exists, is available, and is not deprecated within --days days",
  run = function(ctx)
    local uses = ctx.steps["find-uses"].uses
    local ids, seen = {}, {}
    for _, u in ipairs(uses) do
      if not seen[u.image] then seen[u.image] = true; ids[#ids + 1] = u.image end
    end
    table.sort(ids)
    local found = describe(ids)
    local now = awstime.now()
    local horizon = now + ctx.params.days * 86400
    local findings = {}
    for _, u in ipairs(uses) do
      local why = problem(found[u.image], now, horizon)
      if why then
        findings[#findings + 1] = { kind = u.kind, name = u.name, detail = u.detail, image = u.image, problem = why }
      end
    end
    return { checked = #ids, findings = json.array(findings) }
  end,
}

step "report" {
  needs = "check-images",
  doc = "List the findings; fail when there is any",
  run = function(ctx)
    local r = ctx.steps["check-images"]
    if #r.findings == 0 then
      log.info(("all %d image(s) in use exist and none is deprecated within %d day(s)"):format(r.checked, ctx.params.days))
      return
    end
    local lines = {}
    for _, f in ipairs(r.findings) do
      lines[#lines + 1] = ("%s %s (%s): image %s %s"):format(f.kind, f.name, f.detail, f.image, f.problem)
      log.warn(lines[#lines])
    end
    error(("%d use(s) of images that are gone or (soon) deprecated:\n  %s"):format(#lines, table.concat(lines, "\n  ")), 0)
  end,
}
