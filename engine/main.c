/* wfrun's entry point: a Lua host running dsl/main.lua, which reads the command line. */
#include <stdio.h>
#include <lauxlib.h>
#include <lua.h>

#include "interrupt.h"
#include "log.h"
#include "lua_host.h"
#include "wf_build_info.h"

/* package.loaded["wf.build"] = { version = ..., commit = ... }: what --version prints.
 * Only this file sees the generated header, so a new commit relinks wfrun, not wfcore. */
static void register_build_info(lua_State *L)
{
    luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE);
    lua_createtable(L, 0, 2);
    lua_pushstring(L, WF_BUILD_VERSION);
    lua_setfield(L, -2, "version");
    lua_pushstring(L, WF_BUILD_COMMIT);
    lua_setfield(L, -2, "commit");
    lua_setfield(L, -2, "wf.build");
    lua_pop(L, 1);
}

int main(int argc, char **argv)
{
    wf_error err = {0};
    lua_State *L = wf_host_new(&err);
    if (!L) {
        fprintf(stderr, "wfrun: %s\n", err.message);
        return WF_EXIT_INCOMPLETE;
    }
    register_build_info(L);
    wf_interrupt_install();
    int code = wf_host_run_main(L, "dsl.main", argc - 1, argv + 1);
    lua_close(L);
    wf_log_shutdown();
    return code;
}
