-- Local files a workflow reads as inputs: user-data, provisioner scripts. Read-only; a
-- missing or unreadable file is an error naming it.
--
--   local files = require "stdlib.files"
--   local script = files.read("provision/install.sh")
local sys = require "wf.sys"

local M = {}

-- The whole content of the file at path.
function M.read(path)
  if type(path) ~= "string" or path == "" then error("files.read: a path is needed", 2) end
  local text, err = sys.read_file(path)
  if not text then error(("cannot read %s: %s"):format(path, tostring(err)), 0) end
  return text
end

-- True when path names a regular file.
function M.exists(path)
  return sys.exists(path) == "file"
end

return M
