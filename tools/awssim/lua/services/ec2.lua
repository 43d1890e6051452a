-- EC2 (minimal, to prove the plumbing): the images of the seed, with DescribeImages and its
-- ImageIds / Owners / Filters. Kind: "ec2.image" (id: the ImageId).
local sim = require "sim"
local world = require "world"

local M = { ops = {} }

-- EC2 filter values may use * and ? wildcards.
local function glob_match(pattern, s)
  local lua = "^" .. pattern:gsub("[%^%$%(%)%%%.%[%]%+%-]", "%%%0"):gsub("%*", ".*"):gsub("%?", ".") .. "$"
  return s ~= nil and tostring(s):match(lua) ~= nil
end

local function tag_value(res, key)
  for _, t in ipairs(res.Tags or {}) do
    if t.Key == key then return t.Value end
  end
end

-- The value of a DescribeImages filter name on an image.
local function filter_field(img, name)
  local tag = name:match("^tag:(.+)$")
  if tag then return tag_value(img, tag) end
  local fields = { ["image-id"] = "ImageId", name = "Name", state = "State",
                   ["owner-id"] = "OwnerId", architecture = "Architecture",
                   ["image-type"] = "ImageType", ["is-public"] = "Public",
                   ["root-device-type"] = "RootDeviceType", description = "Description" }
  local f = fields[name]
  if not f then sim.error("InvalidParameterValue", ("The filter '%s' is invalid"):format(name)) end
  local v = img[f]
  if type(v) == "boolean" then v = tostring(v) end
  return v
end

local function matches_filters(img, filters)
  for _, f in ipairs(filters or {}) do
    local value = filter_field(img, f.Name)
    local any = false
    for _, want in ipairs(f.Values or {}) do
      if glob_match(want, value) then any = true; break end
    end
    if not any then return false end
  end
  return true
end

function M.ops.DescribeImages(params, ctx)
  local wanted
  if params.ImageIds and #params.ImageIds > 0 then
    wanted = {}
    for _, id in ipairs(params.ImageIds) do
      if not id:match("^ami%-%x+$") then
        sim.error("InvalidAMIID.Malformed", ("Invalid id: \"%s\""):format(id))
      end
      if not world.get("ec2.image", id) then
        sim.error("InvalidAMIID.NotFound", ("The image id '[%s]' does not exist"):format(id))
      end
      wanted[id] = true
    end
  end
  local owners
  if params.Owners and #params.Owners > 0 then
    owners = {}
    for _, o in ipairs(params.Owners) do owners[o == "self" and ctx.account or o] = true end
  end
  local out = sim.array {}
  for _, img in ipairs(world.list("ec2.image")) do
    if (not wanted or wanted[img.ImageId]) and (not owners or owners[img.OwnerId])
       and matches_filters(img, params.Filters) then
      out[#out + 1] = world.public(img)
    end
  end
  return { Images = out }
end

-- Seed: {"images": [{"ImageId": "ami-...", "Name": "...", "State": "available",
--        "CreationDate": "2024-01-01T00:00:00.000Z", "OwnerId": "...", "Tags": [...], ...}]}
-- Missing ImageId, State, OwnerId, CreationDate, Architecture get defaults.
function M.seed(section)
  for _, img in ipairs(section.images or {}) do
    local copy = {}
    for k, v in pairs(img) do copy[k] = v end
    copy.ImageId = copy.ImageId or world.new_id("ami-", 17)
    copy.State = copy.State or "available"
    copy.OwnerId = copy.OwnerId or sim.config().account
    copy.CreationDate = copy.CreationDate or sim.iso8601(sim.now())
    copy.Architecture = copy.Architecture or "x86_64"
    copy.ImageType = copy.ImageType or "machine"
    copy.RootDeviceType = copy.RootDeviceType or "ebs"
    copy.Public = copy.Public or false
    if not copy.Name then error("ec2 images need a Name", 0) end
    world.put("ec2.image", copy.ImageId, copy)
  end
end

return M
