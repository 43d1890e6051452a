-- AMIs: the newest image whose name matches a PCRE2 pattern; who uses which image
-- (Auto Scaling groups, launch template versions, launch configurations); retention of an
-- image family (keep the N newest, never an image still referenced); deregistering an
-- image together with its EBS snapshots.
--
--   local ami = require "stdlib.ami"
--   local img = ami.latest { pattern = [[^api-base-\d{8}T\d{6}Z$]], owners = { "self" } }
--   ami.apply_retention { pattern = [[^api-base-\d{8}T\d{6}Z$]], keep = 5 }
local awscall = require "stdlib.awscall"
local awstime = require "stdlib.awstime"
local primitives = require "dsl.primitives"
local facts = require "dsl.facts"

local M = {}

local function aws() return awscall.client() end
local function log() return primitives.public.log end

-- True when name matches the PCRE2 pattern (the `re` primitive).
function M.matches(pattern, name)
  if type(name) ~= "string" then return false end
  return primitives.public.re.test(pattern, name)
end

-- name with every PCRE2 metacharacter escaped: a pattern matching name literally (pure).
function M.quote(name)
  return (name:gsub("[%^%$%(%)%.%[%]%*%+%-%?{}|\\/]", "\\%0"))
end

-- Newest first: by CreationDate, then by image id so the order is total (pure).
function M.sort_newest_first(images)
  table.sort(images, function(a, b)
    local ta, tb = awstime.parse(a.CreationDate) or 0, awstime.parse(b.CreationDate) or 0
    if ta ~= tb then return ta > tb end
    return tostring(a.ImageId) > tostring(b.ImageId)
  end)
  return images
end

-- The images of owners (default {"self"}) whose Name matches pattern, newest first.
-- opts: pattern, owners, states (default: any state), include_deprecated (default true).
function M.images(opts)
  local params = { Owners = opts.owners or { "self" }, IncludeDeprecated = opts.include_deprecated ~= false }
  local out = {}
  for img in aws().ec2.items("describe_images", params) do
    if awscall.is_placeholder(img) then break end
    if M.matches(opts.pattern, img.Name) and (not opts.states or opts.states[img.State]) then
      out[#out + 1] = img
    end
  end
  return M.sort_newest_first(out)
end

-- The newest available image whose name matches opts.pattern among opts.owners; an error
-- naming the pattern, the owners and what was found when there is none. A plan pins the
-- image id it resolved to.
function M.latest(opts)
  assert(type(opts) == "table" and opts.pattern, "ami.latest{ pattern = , owners = }")
  local all = M.images { pattern = opts.pattern, owners = opts.owners }
  local owners = table.concat(opts.owners or { "self" }, ", ")
  for _, img in ipairs(all) do
    if img.State == "available" then
      facts.record(("newest image /%s/ of %s"):format(opts.pattern, owners), img.ImageId)
      return img
    end
  end
  if #all == 0 then
    error(("no image whose name matches /%s/ is owned by %s"):format(opts.pattern, owners), 0)
  end
  local seen = {}
  for i = 1, math.min(#all, 5) do seen[i] = ("%s (%s, %s)"):format(all[i].ImageId, all[i].Name, all[i].State) end
  error(("no available image whose name matches /%s/ is owned by %s; found: %s"):format(opts.pattern, owners,
    table.concat(seen, ", ")), 0)
end

-- The image id (DescribeImages' element, deprecated and disabled ones included), or nil.
function M.image(id)
  local res = awscall.unless({ "InvalidAMIID.NotFound", "InvalidAMIID.Unavailable" },
    aws().ec2.describe_images, { ImageIds = { id }, IncludeDeprecated = true, IncludeDisabled = true })
  local img = res and awscall.list(res, "Images")[1] or nil
  facts.record("image " .. tostring(id), img and img.State or nil)
  return img
end

local function is_ami(v) return type(v) == "string" and v:match("^ami%-") ~= nil end

-- Every use of an image, as a list of { image =, kind =, name =, detail = }:
-- kind "asg" (an Auto Scaling group's running instances), "asg-launch-template" (the
-- launch template version a group launches from), "asg-launch-configuration",
-- "launch-template" (each template's default version; every version with
-- opts.all_versions), "launch-configuration". Values that are not AMI ids (e.g.
-- resolve:ssm:...) are left out.
function M.usage(opts)
  opts = opts or {}
  local uses = {}
  local function add(image, kind, name, detail)
    if is_ami(image) then uses[#uses + 1] = { image = image, kind = kind, name = name, detail = detail } end
  end

  -- Launch configurations.
  local lc_image = {}
  for lc in aws().autoscaling.items("describe_launch_configurations", {}) do
    if awscall.is_placeholder(lc) then break end
    lc_image[lc.LaunchConfigurationName] = lc.ImageId
    add(lc.ImageId, "launch-configuration", lc.LaunchConfigurationName, "launch configuration")
  end

  -- Launch templates: every version, or the default and latest ones.
  local versions = {}   -- template id -> { [version number] = image }, and "$Default"/"$Latest"
  local names = {}
  for lt in aws().ec2.items("describe_launch_templates", {}) do
    if awscall.is_placeholder(lt) then break end
    local id = lt.LaunchTemplateId
    names[id], names[lt.LaunchTemplateName] = lt.LaunchTemplateName, id
    local v = { ["$Default"] = lt.DefaultVersionNumber, ["$Latest"] = lt.LatestVersionNumber }
    versions[id] = v
    local params = { LaunchTemplateId = id }
    if not opts.all_versions then params.Versions = { "$Default" } end
    for ver in aws().ec2.items("describe_launch_template_versions", params) do
      if awscall.is_placeholder(ver) then break end
      local image = ver.LaunchTemplateData and ver.LaunchTemplateData.ImageId
      v[ver.VersionNumber] = image or false
      local which = {}
      if ver.VersionNumber == lt.DefaultVersionNumber then which[#which + 1] = "default" end
      if ver.VersionNumber == lt.LatestVersionNumber then which[#which + 1] = "latest" end
      add(image, "launch-template", lt.LaunchTemplateName,
        ("version %s%s"):format(tostring(ver.VersionNumber), #which > 0 and (" (" .. table.concat(which, ", ") .. ")") or ""))
    end
  end

  -- What a group's launch template specification resolves to.
  local function template_image(spec)
    if type(spec) ~= "table" then return nil end
    local id = spec.LaunchTemplateId or names[spec.LaunchTemplateName]
    local ver = spec.Version or "$Default"
    local v = id and versions[id]
    if not v then return nil, id or spec.LaunchTemplateName, ver end
    local num = tonumber(ver) or v[ver]
    local image = v[num]
    if image == nil and id then
      -- a version outside the default/latest ones: ask for it
      local res = aws().ec2.describe_launch_template_versions { LaunchTemplateId = id, Versions = { tostring(num or ver) } }
      local found = awscall.list(res, "LaunchTemplateVersions")[1]
      image = found and found.LaunchTemplateData and found.LaunchTemplateData.ImageId or false
      if num then v[num] = image end
    end
    return image or nil, names[id] or id, ver .. (num and tostring(num) ~= ver and (" = " .. num) or "")
  end

  for g in aws().autoscaling.items("describe_auto_scaling_groups", {}) do
    if awscall.is_placeholder(g) then break end
    local name = g.AutoScalingGroupName
    if g.LaunchConfigurationName then
      add(lc_image[g.LaunchConfigurationName], "asg-launch-configuration", name,
        "launch configuration " .. g.LaunchConfigurationName)
    end
    local specs = {}
    if g.LaunchTemplate then specs[#specs + 1] = g.LaunchTemplate end
    local mip = g.MixedInstancesPolicy and g.MixedInstancesPolicy.LaunchTemplate
    if mip then
      specs[#specs + 1] = mip.LaunchTemplateSpecification
      for _, o in ipairs(mip.Overrides or {}) do
        if o.LaunchTemplateSpecification then specs[#specs + 1] = o.LaunchTemplateSpecification end
        if o.ImageId then add(o.ImageId, "asg-launch-template", name, "override for " .. tostring(o.InstanceType)) end
      end
    end
    for _, spec in ipairs(specs) do
      local image, tname, ver = template_image(spec)
      add(image, "asg-launch-template", name, ("launch template %s version %s"):format(tostring(tname), tostring(ver)))
    end
    for _, inst in ipairs(g.Instances or {}) do
      add(inst.ImageId, "asg", name, "instance " .. inst.InstanceId)
    end
  end
  return uses
end

-- { [image id] = { "asg api-prod-Group: launch template ... version 3", ... } } (pure).
function M.references(uses)
  local refs = {}
  for _, u in ipairs(uses) do
    refs[u.image] = refs[u.image] or {}
    table.insert(refs[u.image], ("%s %s: %s"):format(u.kind, u.name, u.detail))
  end
  return refs
end

-- Which images of a family to deregister (pure): images newest first (as from M.images),
-- keep how many of the newest to keep, refs as from M.references. Returns
-- { keep = {images}, delete = {images}, protected = { {image =, why = {...}} } }:
-- beyond the newest `keep`, an image still referenced anywhere is protected, and so is
-- one that is not available (pending: a bake in progress).
function M.retention(images, keep, refs)
  local out = { keep = {}, delete = {}, protected = {} }
  for i, img in ipairs(images) do
    if i <= keep then
      out.keep[#out.keep + 1] = img
    elseif refs[img.ImageId] then
      out.protected[#out.protected + 1] = { image = img, why = refs[img.ImageId] }
    elseif img.State ~= "available" and img.State ~= "failed" then
      out.protected[#out.protected + 1] = { image = img, why = { "state " .. tostring(img.State) } }
    else
      out.delete[#out.delete + 1] = img
    end
  end
  return out
end

-- The EBS snapshot ids of an image's block device mappings (pure).
function M.snapshot_ids(image)
  local ids = {}
  for _, bdm in ipairs(image and image.BlockDeviceMappings or {}) do
    if bdm.Ebs and bdm.Ebs.SnapshotId then ids[#ids + 1] = bdm.Ebs.SnapshotId end
  end
  return ids
end

-- Deregisters image id and deletes its EBS snapshots (they are not deleted with it).
-- opts.snapshots: snapshot ids to delete when the image is already gone. Returns the
-- snapshot ids deleted. Nothing to do for an image that does not exist.
function M.deregister(id, opts)
  opts = opts or {}
  local img = M.image(id)
  local snapshots = img and M.snapshot_ids(img) or opts.snapshots or {}
  if img and img.State ~= "deregistered" then
    aws().ec2.deregister_image { ImageId = id }
    log().info(("deregistered image %s (%s)"):format(id, tostring(img.Name)))
  else
    log().info(("image %s does not exist: nothing to deregister"):format(id))
  end
  local deleted = {}
  for _, snap in ipairs(snapshots) do
    local _, err = awscall.unless({ "InvalidSnapshot.NotFound" }, aws().ec2.delete_snapshot, { SnapshotId = snap })
    if not err then deleted[#deleted + 1] = snap end
  end
  if #deleted > 0 then log().info(("deleted snapshot(s) %s of image %s"):format(table.concat(deleted, ", "), id)) end
  return deleted
end

-- Applies retention to the family of images matching opts.pattern (owners default
-- {"self"}): keeps the opts.keep newest, deregisters older ones (with their snapshots)
-- unless a launch template version, launch configuration or Auto Scaling group still
-- uses them. opts.except: image ids never to touch. Returns the retention (see M.retention).
function M.apply_retention(opts)
  assert(type(opts) == "table" and opts.pattern and opts.keep, "ami.apply_retention{ pattern = , keep = }")
  local images = M.images { pattern = opts.pattern, owners = opts.owners }
  local refs = M.references(M.usage { all_versions = true })
  for _, id in ipairs(opts.except or {}) do refs[id] = refs[id] or { "excepted by the caller" } end
  local r = M.retention(images, opts.keep, refs)
  for _, p in ipairs(r.protected) do
    log().info(("keeping %s (%s): %s"):format(p.image.ImageId, tostring(p.image.Name), table.concat(p.why, "; ")))
  end
  for _, img in ipairs(r.delete) do M.deregister(img.ImageId) end
  log().info(("retention of /%s/: %d image(s), kept the %d newest, %d still in use, deregistered %d")
    :format(opts.pattern, #images, #r.keep, #r.protected, #r.delete))
  return r
end

return M
