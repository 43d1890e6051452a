/* Runs a Lua script in wfrun's own Lua host (every engine module preloaded, dsl/ and
 * stdlib/ loadable), for the Lua-level tests of the AWS layer (tests/data/aws/test_*.lua)
 * and for tools/gen_primitives_doc.lua:
 *
 *     test_aws_lua SCRIPT.lua [ARGS...]
 *
 * Lua modules come from the source tree (WFRUN_LUA_DIR, default $WF_SOURCE_DIR), so
 * require "tests.data.aws.check" finds the test helpers too. The script gets its
 * arguments in `arg` (arg[0] is the script); the exit code is 0 when it returns nothing
 * or true, its integer when it returns one, and 1 when it raises. */
#include "lua_host.h"
#include <lauxlib.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s SCRIPT.lua [ARGS...]\n", argv[0]);
        return 2;
    }
    const char *source = getenv("WF_SOURCE_DIR");
    const char *lua_dir = getenv("WFRUN_LUA_DIR");
    if ((!lua_dir || !*lua_dir) && source && *source)
        setenv("WFRUN_LUA_DIR", source, 1);

    wf_error err = {0};
    lua_State *L = wf_host_new(&err);
    if (!L) {
        fprintf(stderr, "%s\n", err.message);
        return 1;
    }
    lua_createtable(L, argc - 2, 1);
    for (int i = 1; i < argc; i++) {
        lua_pushstring(L, argv[i]);
        lua_rawseti(L, -2, i - 1);
    }
    lua_setglobal(L, "arg");

    int code = 0;
    if (luaL_loadfilex(L, argv[1], "t") != LUA_OK || wf_host_pcall(L, 0, 1) != LUA_OK) {
        const char *msg = luaL_tolstring(L, -1, NULL);
        fprintf(stderr, "%s: %s\n", argv[1], msg ? msg : "(error object)");
        code = 1;
    } else if (lua_isinteger(L, -1)) {
        code = (int)lua_tointeger(L, -1);
    } else if (lua_isboolean(L, -1) && !lua_toboolean(L, -1)) {
        code = 1;
    }
    lua_close(L);
    return code;
}
