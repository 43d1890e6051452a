-- EC2 launch templates and their versions: $Latest / $Default resolution,
-- DescribeLaunchTemplates, DescribeLaunchTemplateVersions, CreateLaunchTemplateVersion,
-- and creation and deletion for CloudFormation and seeds.
local sim = require "sim"
local world = require "world"
local describe = require "describe"

-- Installs this part into the EC2 model M (services/ec2.lua); base holds the helpers the
-- parts share, and receives the ones this part offers.
return function(M, base)
  local data, owner, iso = base.data, base.owner, base.iso

  -- ---- launch templates -----------------------------------------------------------------

  local function template_by_name(name)
    for _, lt in ipairs(world.list("ec2.launch_template")) do
      if lt.LaunchTemplateName == name then return lt end
    end
  end

  -- The launch template named by id or name, or the AWS error for a missing one.
  function M.get_launch_template(id, name)
    if id then
      local lt = world.get("ec2.launch_template", id)
      if not lt then
        sim.error("InvalidLaunchTemplateId.NotFound",
                  ("The specified launch template, with template ID %s, does not exist."):format(id))
      end
      return lt
    end
    if name then
      local lt = template_by_name(name)
      if not lt then
        sim.error("InvalidLaunchTemplateName.NotFoundException",
                  ("The specified launch template, with template name %s, does not exist."):format(name))
      end
      return lt
    end
    sim.error("MissingParameter", "The request must contain the parameter LaunchTemplateName or LaunchTemplateId")
  end

  local function version_number(lt, spec)
    if spec == nil or spec == "$Default" then return lt.DefaultVersionNumber end
    if spec == "$Latest" then return lt.LatestVersionNumber end
    local n = tonumber(spec)
    if not n then
      sim.error("InvalidLaunchTemplateId.VersionNotFound",
                ("Could not find launch template version %s for launch template with ID %s."):format(
                  tostring(spec), lt.LaunchTemplateId))
    end
    return math.tointeger(n) or n
  end

  -- The version record a launch template specification ({LaunchTemplateId | Name,
  -- Version}) resolves to.
  function M.resolve_launch_template(spec)
    local lt = M.get_launch_template(spec.LaunchTemplateId, spec.LaunchTemplateName)
    local n = version_number(lt, spec.Version)
    local v = world.get("ec2.launch_template_version", lt.LaunchTemplateId .. ":" .. n)
    if not v then
      sim.error("InvalidLaunchTemplateId.VersionNotFound",
                ("Could not find launch template version %s for launch template with ID %s."):format(
                  tostring(spec.Version or n), lt.LaunchTemplateId))
    end
    return v, lt
  end

  local function add_template_version(lt, data, description, created_by)
    local n = (lt.LatestVersionNumber or 0) + 1
    lt.LatestVersionNumber = n
    local v = {
      LaunchTemplateId = lt.LaunchTemplateId,
      LaunchTemplateName = lt.LaunchTemplateName,
      VersionNumber = n,
      VersionDescription = description,
      CreateTime = sim.now(),
      CreatedBy = created_by,
      DefaultVersion = n == lt.DefaultVersionNumber,
      LaunchTemplateData = data or {},
    }
    world.put("ec2.launch_template_version", lt.LaunchTemplateId .. ":" .. n, v)
    return v
  end

  -- Creates a launch template with its first version (CloudFormation and seeds use this).
  -- fields: LaunchTemplateName, LaunchTemplateData, VersionDescription, Tags.
  function M.create_launch_template(fields, ctx)
    local name = fields.LaunchTemplateName
    if template_by_name(name) then
      sim.error("InvalidLaunchTemplateName.AlreadyExistsException",
                ("Launch template name already in use."))
    end
    local id = fields.LaunchTemplateId or world.new_id("lt-")
    local created_by = ("arn:aws:iam::%s:root"):format(owner(ctx))
    local lt = world.put("ec2.launch_template", id, {
      LaunchTemplateId = id, LaunchTemplateName = name, CreateTime = sim.now(),
      CreatedBy = created_by, DefaultVersionNumber = 1, LatestVersionNumber = 0,
      Tags = fields.Tags or sim.array {},
    })
    add_template_version(lt, fields.LaunchTemplateData, fields.VersionDescription, created_by)
    return lt
  end

  -- Removes a launch template and all its versions.
  function M.delete_launch_template(id)
    local lt = world.get("ec2.launch_template", id)
    if not lt then return end
    for n = 1, lt.LatestVersionNumber do world.remove("ec2.launch_template_version", id .. ":" .. n) end
    world.remove("ec2.launch_template", id)
  end

  local LT_FILTERS = {
    ["launch-template-name"] = function(t) return t.LaunchTemplateName end,
    ["create-time"] = function(t) return iso(t.CreateTime) end,
  }

  function M.ops.DescribeLaunchTemplates(params, ctx)
    local out = {}
    if params.LaunchTemplateIds and #params.LaunchTemplateIds > 0 then
      for _, id in ipairs(params.LaunchTemplateIds) do
        out[#out + 1] = M.get_launch_template(id)
      end
    elseif params.LaunchTemplateNames and #params.LaunchTemplateNames > 0 then
      for _, name in ipairs(params.LaunchTemplateNames) do
        out[#out + 1] = M.get_launch_template(nil, name)
      end
    else
      out = world.list("ec2.launch_template")
    end
    local kept = {}
    for _, lt in ipairs(out) do
      if describe.matches(lt, params.Filters, LT_FILTERS) then kept[#kept + 1] = lt end
    end
    local page, token = describe.page(kept, params.NextToken, params.MaxResults)
    return { LaunchTemplates = describe.map(page, world.public), NextToken = token }
  end

  local LTV_FILTERS = {
    ["image-id"] = function(v) return v.LaunchTemplateData.ImageId end,
    ["instance-type"] = function(v) return v.LaunchTemplateData.InstanceType end,
    ["is-default-version"] = function(v) return tostring(v.DefaultVersion) end,
    ["key-name"] = function(v) return v.LaunchTemplateData.KeyName end,
    ["create-time"] = function(v) return iso(v.CreateTime) end,
  }

  local function version_view(v)
    local lt = world.get("ec2.launch_template", v.LaunchTemplateId)
    local out = world.public(v)
    out.DefaultVersion = lt ~= nil and lt.DefaultVersionNumber == v.VersionNumber
    return out
  end

  function M.ops.DescribeLaunchTemplateVersions(params, ctx)
    local templates
    if params.LaunchTemplateId or params.LaunchTemplateName then
      templates = { M.get_launch_template(params.LaunchTemplateId, params.LaunchTemplateName) }
    else
      templates = world.list("ec2.launch_template")
    end
    local out = {}
    local min_v = params.MinVersion and tonumber(params.MinVersion)
    local max_v = params.MaxVersion and tonumber(params.MaxVersion)
    for _, lt in ipairs(templates) do
      local numbers = {}
      if params.Versions and #params.Versions > 0 then
        local seen = {}
        for _, spec in ipairs(params.Versions) do
          local n = version_number(lt, spec)
          if not world.get("ec2.launch_template_version", lt.LaunchTemplateId .. ":" .. n) then
            sim.error("InvalidLaunchTemplateId.VersionNotFound",
                      ("Could not find launch template version %s for launch template with ID %s."):format(
                        tostring(spec), lt.LaunchTemplateId))
          end
          if not seen[n] then seen[n] = true; numbers[#numbers + 1] = n end
        end
      else
        for n = 1, lt.LatestVersionNumber do numbers[#numbers + 1] = n end
      end
      for _, n in ipairs(numbers) do
        local v = world.get("ec2.launch_template_version", lt.LaunchTemplateId .. ":" .. n)
        if v and (not min_v or n >= min_v) and (not max_v or n <= max_v)
           and describe.matches(v, params.Filters, LTV_FILTERS) then
          out[#out + 1] = v
        end
      end
    end
    local page, token = describe.page(out, params.NextToken, params.MaxResults)
    return { LaunchTemplateVersions = describe.map(page, version_view), NextToken = token }
  end

  function M.ops.CreateLaunchTemplateVersion(params, ctx)
    local lt = M.get_launch_template(params.LaunchTemplateId, params.LaunchTemplateName)
    local data = {}
    if params.SourceVersion then
      local src = world.get("ec2.launch_template_version",
                            lt.LaunchTemplateId .. ":" .. version_number(lt, params.SourceVersion))
      if not src then
        sim.error("InvalidLaunchTemplateId.VersionNotFound",
                  ("Could not find launch template version %s for launch template with ID %s."):format(
                    params.SourceVersion, lt.LaunchTemplateId))
      end
      data = describe.copy(src.LaunchTemplateData)
    end
    for k, v in pairs(params.LaunchTemplateData or {}) do data[k] = v end
    if data.ImageId then M.get_image(data.ImageId) end
    local v = add_template_version(lt, data, params.VersionDescription,
                                   ("arn:aws:iam::%s:root"):format(ctx.account))
    return { LaunchTemplateVersion = version_view(v) }
  end

  base.add_template_version = add_template_version
end
