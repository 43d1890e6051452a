/* Module "wf.args": Lua face of args.c (splitting words, converting typed values). */
#include <lauxlib.h>
#include <lua.h>
#include <math.h>
#include <stdlib.h>

#include "args.h"
#include "duration.h"
#include "lua_modules.h"

/* split{words...} -> { {kind=, name=, value=, short=}... } | raises a message */
static int args_split(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    int argc = (int)luaL_len(L, 1);
    const char **argv = NULL;
    wf_arg *args = NULL;
    size_t count = 0;
    wf_error err = {0};
    if (argc > 0) {
        argv = calloc((size_t)argc, sizeof *argv);
        if (!argv)
            return luaL_error(L, "out of memory");
    }
    for (int i = 0; i < argc; i++) {
        lua_rawgeti(L, 1, i + 1);
        argv[i] = lua_tostring(L, -1);   /* kept alive by the table */
        lua_pop(L, 1);
        if (!argv[i]) {
            free(argv);
            return luaL_error(L, "argument %d is not a string", i + 1);
        }
    }
    wf_status st = wf_args_split(argc, argv, &args, &count, &err);
    free(argv);
    if (st != WF_OK)
        return luaL_error(L, "%s", err.message);
    lua_createtable(L, (int)count, 0);
    for (size_t i = 0; i < count; i++) {
        lua_createtable(L, 0, 4);
        lua_pushstring(L, args[i].kind == WF_ARG_OPTION ? "option" : "positional");
        lua_setfield(L, -2, "kind");
        if (args[i].name) {
            lua_pushstring(L, args[i].name);
            lua_setfield(L, -2, "name");
        }
        if (args[i].value) {
            lua_pushstring(L, args[i].value);
            lua_setfield(L, -2, "value");
        }
        lua_pushboolean(L, args[i].short_form);
        lua_setfield(L, -2, "short");
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    wf_args_free(args, count);
    return 1;
}

/* convert(type, text [, choices]) -> value | nil, message */
static int args_convert(lua_State *L)
{
    const char *type = luaL_checkstring(L, 1);
    const char *text = luaL_checkstring(L, 2);
    const char *choices[65] = {0};
    if (lua_istable(L, 3)) {
        lua_Integer n = luaL_len(L, 3);
        for (lua_Integer i = 1; i <= n && i <= 64; i++) {
            lua_rawgeti(L, 3, i);
            choices[i - 1] = lua_tostring(L, -1);
            lua_pop(L, 1);
        }
    }
    wf_value v;
    wf_error err = {0};
    if (wf_param_convert(type, text, choices, &v, &err) != WF_OK) {
        lua_pushnil(L);
        lua_pushstring(L, err.message);
        return 2;
    }
    switch (v.kind) {
    case WF_VALUE_NUMBER:
        if (v.number >= -9.0e15 && v.number <= 9.0e15 && v.number == floor(v.number))
            lua_pushinteger(L, (lua_Integer)v.number);
        else
            lua_pushnumber(L, v.number);
        break;
    case WF_VALUE_BOOL:
        lua_pushboolean(L, v.boolean);
        break;
    default:
        lua_pushvalue(L, 2);
    }
    return 1;
}

/* format_duration(seconds) -> "2m10s" */
static int args_format_duration(lua_State *L)
{
    char buf[64];
    wf_duration_format(luaL_checknumber(L, 1), buf, sizeof buf);
    lua_pushstring(L, buf);
    return 1;
}

static const luaL_Reg args_functions[] = {
    {"format_duration", args_format_duration},
    {"split", args_split},
    {"convert", args_convert},
    {NULL, NULL}
};

int wf_open_args(lua_State *L)
{
    luaL_newlib(L, args_functions);
    return 1;
}
