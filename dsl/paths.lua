-- Where wfrun's shared files are (workflows/, with components/ and examples/seed.json):
-- found from the binary's own path as premake does, so an install under any prefix, or a
-- relocated one (an extracted .deb), finds its own workflows before anything else.
local sys = require "wf.sys"

local M = {}

local function dirname(p) return (p:gsub("/[^/]*$", "")) end

-- The share directories, most specific first, each once: $WFRUN_SHARE_DIR,
-- <dir of the binary>/../share/wfrun (when it exists), /usr/local/share/wfrun, /usr/share/wfrun.
function M.share_dirs()
  local dirs, seen = {}, {}
  local function add(d)
    if d and d ~= "" and not seen[d] then
      seen[d] = true
      dirs[#dirs + 1] = d
    end
  end
  add(sys.getenv("WFRUN_SHARE_DIR"))
  local exe = sys.exe_path()
  if exe then add(sys.realpath(dirname(exe) .. "/../share/wfrun")) end
  add("/usr/local/share/wfrun")
  add("/usr/share/wfrun")
  return dirs
end

-- The source tree's workflows/ when the binary sits in a build directory inside it, else nil.
function M.source_workflows()
  local exe = sys.exe_path()
  if not exe then return nil end
  local dir = sys.realpath(dirname(exe) .. "/../workflows")
  if dir and sys.exists(dir .. "/examples/seed.json") == "file" then return dir end
  return nil
end

return M
