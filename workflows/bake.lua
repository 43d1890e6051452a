-- Bake an AMI, the job of Packer's amazon-ebs builder: launch a builder instance from a
-- source image, wait for its user-data to finish, run provisioner scripts on it through
-- SSM Run Command (their output streamed into the log), stop it, make an image of it,
-- tag the image and keep only the newest images of its family. The builder instance is
-- terminated at the end whatever happens; a failed bake leaves no image behind.
--
--   wfrun --yes bake.lua --name=api --source-pattern='^ubuntu/images/.*-24\.04-amd64-server-\d+$' \
--         --source-owners=099720109477 --instance-profile=ssm-builder --subnet=subnet-0abc \
--         --user-data=bake/user-data.sh --provisioners=bake/base.sh,bake/app.sh --keep=5
workflow "bake" {
  doc = "Build an AMI from a source image with user-data and provisioner scripts (run through SSM)",
  version = "1",
  lock = "name",
  params = {
    name = param.string { doc = "image family: the image is named NAME-<timestamp>" },
    source_ami = param.string { doc = "source image id (or use --source-pattern)", required = false },
    source_pattern = param.string { doc = "PCRE2 pattern of the source image name: the newest match is used", required = false },
    source_owners = param.string { doc = "owners of the source image, comma-separated", default = "self" },
    instance_type = param.string { doc = "builder instance type", default = "t3.small" },
    subnet = param.string { doc = "subnet of the builder (default: the default VPC's)", required = false },
    security_groups = param.string { doc = "security group ids of the builder, comma-separated", required = false },
    instance_profile = param.string { doc = "instance profile of the builder (it needs SSM access)", required = false },
    user_data = param.path { doc = "user-data file for the builder", required = false },
    signal_file = param.string { doc = "file the user-data writes: 1 when done, -1 when it failed (default per platform)", required = false },
    user_data_timeout = param.duration { doc = "how long the user-data may take", default = "30m" },
    provisioners = param.string { doc = "scripts to run in order, comma-separated (.ps1: PowerShell, else shell)", required = false },
    provision_timeout = param.duration { doc = "how long each provisioner may take", default = "1h" },
    tags = param.string { doc = "image tags, Key=Value,Key=Value", required = false },
    keep = param.integer { doc = "how many images of the family to keep", default = 5 },
    image_timeout = param.duration { doc = "how long creating the image may take", default = "60m" },
  },
}

local ami = require "stdlib.ami"
local ssm = require "stdlib.ssm"
local files = require "stdlib.files"
local base64 = require "stdlib.base64"
local pace = require "stdlib.pace"     -- waits go faster on a simulator that runs time faster

local SIGNAL_FILES = { linux = "/var/lib/wfrun/user-data.signal", windows = [[C:\ProgramData\wfrun\user-data.signal]] }

local function list(s)
  local out = {}
  for item in (s or ""):gmatch("[^,]+") do
    item = item:match("^%s*(.-)%s*$")
    if item ~= "" then out[#out + 1] = item end
  end
  return out
end

local function tag_list(s)
  local out = {}
  for _, kv in ipairs(list(s)) do
    local k, v = kv:match("^([^=]+)=(.*)$")
    if not k then error(("--tags: %q is not Key=Value"):format(kv)) end
    out[#out + 1] = { Key = k, Value = v }
  end
  return out
end

-- PCRE2 pattern matching NAME-<timestamp> exactly: the family of images this bake makes.
local function family_pattern(name)
  return "^" .. ami.quote(name) .. [[-\d{8}T\d{6}Z$]]
end

-- What the user-data signal file says: "done", "failed" or "running" (not there yet, or
-- the SSM agent not registered yet).
local function user_data_state(instance, platform, file)
  local script
  if platform == "windows" then
    script = ("if (Test-Path '%s') { Get-Content -Raw '%s' }"):format(file, file)
  else
    script = ("cat '%s' 2>/dev/null || true"):format(file)
  end
  local ok, r = pcall(ssm.run, { instance = instance, script = script, name = "user-data signal",
                                 kind = platform == "windows" and "powershell" or "shell", timeout = "2m", check = false })
  if not ok then
    if type(r) == "table" and r.code == "InvalidInstanceId" then return "running", "SSM agent not registered yet" end
    error(r, 0)
  end
  local v = (r.stdout or ""):match("^%s*(.-)%s*$")
  if v == "1" then return "done" end
  if v == "-1" then return "failed" end
  return "running", v == "" and "no signal yet" or ("signal " .. v)
end

step "resolve-source" {
  doc = "Find the source image: --source-ami, or the newest image matching --source-pattern",
  run = function(ctx)
    local p = ctx.params
    local img
    if p.source_ami then
      img = ami.image(p.source_ami)
      if not img then error(("source image %s does not exist"):format(p.source_ami)) end
      if img.State ~= "available" then error(("source image %s is %s"):format(p.source_ami, img.State)) end
    elseif p.source_pattern then
      img = ami.latest { pattern = p.source_pattern, owners = list(p.source_owners) }
    else
      error("give the source image: --source-ami=ID or --source-pattern=PCRE2 (with --source-owners)")
    end
    local platform = img.Platform == "windows" and "windows" or "linux"
    log.info(("source image %s (%s), %s"):format(img.ImageId, tostring(img.Name), platform))
    return { image = img.ImageId, image_name = img.Name, platform = platform,
             name = ("%s-%s"):format(p.name, ctx.timestamp) }
  end,
}

-- Terminates the builder and waits; one that is gone already (terminated instances vanish
-- after about an hour) counts as terminated.
local function terminate(id)
  local function gone(err) return type(err) == "table" and err.code == "InvalidInstanceID.NotFound" end
  local ok, err = pcall(aws.ec2.terminate_instances, { InstanceIds = { id } })
  if not ok and not gone(err) then error(err, 0) end
  ok, err = pcall(aws.ec2.wait, "instance_terminated", { InstanceIds = { id } }, pace.waiter("15m", "10s"))
  if not ok and not gone(err) then error(err, 0) end
end

step "launch" {
  needs = "resolve-source",
  doc = "Launch the builder instance from the source image",
  run = function(ctx)
    local p, src = ctx.params, ctx.steps["resolve-source"]
    -- journaled first: after a crash during RunInstances the undo finds the instance by it
    ctx.save { client_token = ctx.run_id .. "-builder" }
    local res = aws.ec2.run_instances {
      ImageId = src.image, InstanceType = p.instance_type, MinCount = 1, MaxCount = 1,
      SubnetId = p.subnet,
      SecurityGroupIds = p.security_groups and list(p.security_groups) or nil,
      IamInstanceProfile = p.instance_profile and { Name = p.instance_profile } or nil,
      UserData = p.user_data and base64.encode(files.read(p.user_data)) or nil,
      ClientToken = ctx.run_id .. "-builder",   -- run again after a crash: the same instance
      TagSpecifications = { { ResourceType = "instance", Tags = {
        { Key = "Name", Value = "bake " .. src.name }, { Key = "wfrun:run-id", Value = ctx.run_id } } } },
    }
    local id = res.Instances[1].InstanceId
    ctx.save { instance = id }
    log.info("builder instance " .. id)
    return { instance = id }
  end,
  undo = function(ctx, out)
    local ids = { out.instance }
    if not out.instance and out.client_token then
      for r in aws.ec2.items("describe_instances", { Filters = { { Name = "client-token", Values = { out.client_token } } } }) do
        for _, i in ipairs(r.Instances or {}) do ids[#ids + 1] = i.InstanceId end
      end
    end
    for _, id in ipairs(ids) do terminate(id) end
  end,
}

step "wait-running" {
  needs = "launch",
  doc = "Wait until the builder instance is running",
  run = function(ctx)
    aws.ec2.wait("instance_running", { InstanceIds = { ctx.steps.launch.instance } }, pace.waiter("15m", "5s"))
  end,
}

step "wait-user-data" {
  needs = "wait-running",
  when = function(ctx) return ctx.params.user_data ~= nil end,
  doc = "Wait for the user-data to write its signal file: 1 done, -1 failed (which aborts the bake)",
  run = function(ctx)
    local src = ctx.steps["resolve-source"]
    local file = ctx.params.signal_file or SIGNAL_FILES[src.platform]
    wait.poll(pace.poll {
      what = ("user-data of %s (%s)"):format(ctx.steps.launch.instance, file),
      timeout = ctx.params.user_data_timeout, every = "15s",
      check = function()
        local state, detail = user_data_state(ctx.steps.launch.instance, src.platform, file)
        if state == "failed" then error(("the user-data of %s failed (%s says -1)"):format(ctx.steps.launch.instance, file)) end
        return state == "done", detail
      end,
    })
  end,
}

step "provision" {
  needs = { "wait-running", "wait-user-data" },
  doc = "Run each provisioner script on the builder through SSM Run Command, in order",
  run = function(ctx)
    local ran = {}
    for i, path in ipairs(list(ctx.params.provisioners)) do
      local r = ssm.run { instance = ctx.steps.launch.instance, script = files.read(path), kind = ssm.kind_of(path),
                          name = ("provisioner %d (%s)"):format(i, path), timeout = ctx.params.provision_timeout }
      ran[#ran + 1] = path
      log.info(("provisioner %s: %s"):format(path, r.status))
    end
    return { provisioners = json.array(ran) }
  end,
}

step "stop" {
  needs = "provision",
  doc = "Stop the builder instance, so the image is made of quiet disks",
  run = function(ctx)
    aws.ec2.stop_instances { InstanceIds = { ctx.steps.launch.instance } }
    aws.ec2.wait("instance_stopped", { InstanceIds = { ctx.steps.launch.instance } }, pace.waiter("15m", "5s"))
  end,
}

step "create-image" {
  needs = "stop",
  doc = "Create the image NAME-<timestamp> of the builder and wait until it is available",
  run = function(ctx)
    local name, instance = ctx.steps["resolve-source"].name, ctx.steps.launch.instance
    ctx.save { name = name }
    -- run again after a crash: the image may already exist
    local existing = ami.images { pattern = "^" .. ami.quote(name) .. "$" }[1]
    local id
    if existing then
      if existing.SourceInstanceId and existing.SourceInstanceId ~= instance then
        error(("an image named %s already exists (%s), made from another instance"):format(name, existing.ImageId))
      end
      id = existing.ImageId
    else
      id = aws.ec2.create_image { InstanceId = instance, Name = name,
                                  Description = ("baked by wfrun run %s from %s"):format(ctx.run_id, ctx.steps["resolve-source"].image) }.ImageId
    end
    ctx.save { name = name, image = id }
    log.info(("image %s (%s)"):format(id, name))
    aws.ec2.wait("image_available", { ImageIds = { id } }, pace.waiter(ctx.params.image_timeout, "15s"))
    return { name = name, image = id }
  end,
  undo = function(ctx, out)
    local id = out.image
    if not id and out.name then
      local found = ami.images { pattern = "^" .. ami.quote(out.name) .. "$" }[1]
      id = found and found.ImageId
    end
    if id then ami.deregister(id) end   -- its snapshots too
  end,
}

step "tag" {
  needs = "create-image",
  doc = "Tag the image and its snapshots: source image, run id, workflow version, --tags",
  run = function(ctx)
    local id = ctx.steps["create-image"].image
    local img = ami.image(id)
    local resources = { id }
    for _, snap in ipairs(ami.snapshot_ids(img)) do resources[#resources + 1] = snap end
    local tags = {
      { Key = "Name", Value = ctx.steps["create-image"].name },
      { Key = "wfrun:source-ami", Value = ctx.steps["resolve-source"].image },
      { Key = "wfrun:run-id", Value = ctx.run_id },
      { Key = "wfrun:workflow-version", Value = "bake/1" },
    }
    for _, t in ipairs(tag_list(ctx.params.tags)) do tags[#tags + 1] = t end
    aws.ec2.create_tags { Resources = resources, Tags = tags }
    return { tagged = json.array(resources) }
  end,
}

step "retention" {
  needs = "tag",
  irreversible = true,
  doc = "Deregister images of the family beyond the newest --keep (with their snapshots), unless still in use",
  run = function(ctx)
    local r = ami.apply_retention { pattern = family_pattern(ctx.params.name), owners = { "self" },
                                    keep = ctx.params.keep, except = { ctx.steps["create-image"].image } }
    local gone = {}
    for _, img in ipairs(r.delete) do gone[#gone + 1] = img.ImageId end
    return { image = ctx.steps["create-image"].image, deregistered = json.array(gone) }
  end,
}

step "terminate-builder" {
  needs = "launch",
  always = true,
  doc = "Terminate the builder instance (on success and on failure)",
  run = function(ctx) terminate(ctx.steps.launch.instance) end,
}
