-- The api component: what an `api` environment is made of and how the shipped workflows
-- (clone, migrate) handle it. The format is documented in docs/workflows.md.
--
-- An environment NAME of this component is the CloudFormation stack api-NAME, created from
-- api.json. Its persistent data are the stack's RDS instance (restored from a snapshot
-- through the DBSnapshotIdentifier parameter) and its S3 bucket; everything else is made
-- anew from the template. Its health is a GET of the SmokeTestUrl output.
component "api" {
  doc = "App servers (launch template + Auto Scaling group), a PostgreSQL database, an assets bucket",
  template = "api.json",
  stack = "api-{env}",
  parameters = {
    EnvName = "{env}",
    InstanceType = "t3.small",
    InstanceCount = function(env) return env == "prod" and "3" or "2" end,
    DBInstanceClass = function(env) return env == "prod" and "db.m6g.large" or "db.t4g.micro" end,
    -- Where the environment answers. WFRUN_API_PUBLIC_URL ({env} is replaced) points the
    -- smoke tests elsewhere. On the simulator (WFRUN_SIM_URL set) they ask awssim for the
    -- stack's health, 200 only while its group has an instance InService; awssim answers
    -- "{awssim}" as its own URL, so the stack outlives a restart on another port.
    PublicUrl = function(env)
      if os.getenv("WFRUN_API_PUBLIC_URL") then return os.getenv("WFRUN_API_PUBLIC_URL") end
      if os.getenv("WFRUN_SIM_URL") then return "{awssim}/_awssim/apps/api-{env}" end
      return "https://{env}.api.example.com"
    end,
  },
  -- The newest image from bake.lua (`--name=api`) fills ImageId.
  image = { parameter = "ImageId", pattern = [[^api-\d{8}T\d{6}Z$]], owners = { "self" } },
  snapshot_parameter = "DBSnapshotIdentifier",
  smoke = { output = "SmokeTestUrl", status = 200, attempts = 20, every = "15s", timeout = "10s" },
  tags = { Component = "api", Environment = "{env}" },
}
