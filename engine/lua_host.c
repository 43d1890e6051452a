/* The Lua host: state creation, module preloading, embedded sources, protected calls. */
#include "lua_host.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>
#include <lualib.h>

#include "embedded.h"
#include "lua_modules.h"

static const luaL_Reg engine_modules[] = {
    {"wf.sys", wf_open_sys},
    {"wf.log", wf_open_log},
    {"wf.interrupt", wf_open_interrupt},
    {"wf.sh", wf_open_sh},
    {"wf.wait", wf_open_wait},
    {"wf.json", wf_open_json},
    {"wf.journal", wf_open_journal},
    {"wf.lock", wf_open_lock},
    {"wf.args", wf_open_args},
    {"wf.re", wf_open_re},
    {"wf.http", wf_open_http},
    {"wf.aws", wf_open_aws},
    {"wf.aws_batch", wf_open_aws_batch},
    {"wf.sources", wf_open_sources},
    {NULL, NULL}
};

static const wf_embedded_file *find_embedded(const char *name)
{
    for (const wf_embedded_file *f = wf_embedded_files; f->module; f++)
        if (strcmp(f->module, name) == 0)
            return f;
    return NULL;
}

int wf_host_load_module(lua_State *L, const char *name)
{
    const char *dir = getenv("WFRUN_LUA_DIR");
    if (dir && *dir) {
        /* Development override: dsl.plan -> $WFRUN_LUA_DIR/dsl/plan.lua */
        luaL_Buffer b;
        luaL_buffinit(L, &b);
        luaL_addstring(&b, dir);
        luaL_addchar(&b, '/');
        for (const char *p = name; *p; p++)
            luaL_addchar(&b, *p == '.' ? '/' : *p);
        luaL_addstring(&b, ".lua");
        luaL_pushresult(&b);
        const char *path = lua_tostring(L, -1);
        FILE *f = fopen(path, "r");
        if (f) {
            fclose(f);
            int rc = luaL_loadfilex(L, path, "t");
            lua_remove(L, -2);
            return rc;
        }
        lua_pop(L, 1);
    }
    const wf_embedded_file *f = find_embedded(name);
    if (!f) {
        lua_pushfstring(L, "no module '%s' in wfrun's embedded sources", name);
        return LUA_ERRFILE;
    }
    lua_pushfstring(L, "@%s", f->path);
    int rc = luaL_loadbufferx(L, f->bytes, f->length, lua_tostring(L, -1), "t");
    lua_remove(L, -2);
    return rc;
}

/* package.searchers entry: finds dsl.* and stdlib.* modules. */
static int embedded_searcher(lua_State *L)
{
    const char *name = luaL_checkstring(L, 1);
    if (wf_host_load_module(L, name) != LUA_OK) {
        lua_pushfstring(L, "\n\t%s", lua_tostring(L, -1));
        return 1;
    }
    lua_pushstring(L, name);
    return 2;
}

static int message_handler(lua_State *L)
{
    if (!lua_isstring(L, 1))
        return 1;   /* error objects (tables) travel unchanged */
    const char *debug = getenv("WFRUN_DEBUG");
    if (debug && *debug && strcmp(debug, "0") != 0)
        luaL_traceback(L, L, lua_tostring(L, 1), 1);
    return 1;
}

int wf_host_pcall(lua_State *L, int nargs, int nresults)
{
    int base = lua_gettop(L) - nargs;
    lua_pushcfunction(L, message_handler);
    lua_insert(L, base);
    int rc = lua_pcall(L, nargs, nresults, base);
    lua_remove(L, base);
    return rc;
}

lua_State *wf_host_new(wf_error *err)
{
    lua_State *L = luaL_newstate();
    if (!L) {
        wf_error_set(err, WF_ENOMEM, "cannot create a Lua state");
        return NULL;
    }
    luaL_openlibs(L);

    /* Preload the engine's C modules. */
    luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_PRELOAD_TABLE);
    for (const luaL_Reg *m = engine_modules; m->name; m++) {
        lua_pushcfunction(L, m->func);
        lua_setfield(L, -2, m->name);
    }
    lua_pop(L, 1);

    /* Only embedded (or WFRUN_LUA_DIR) Lua sources: never a stray file on LUA_PATH. */
    lua_getglobal(L, "package");
    lua_pushstring(L, "");
    lua_setfield(L, -2, "path");
    lua_pushstring(L, "");
    lua_setfield(L, -2, "cpath");
    lua_getfield(L, -1, "searchers");
    lua_createtable(L, 2, 0);
    lua_rawgeti(L, -2, 1);            /* the preload searcher */
    lua_rawseti(L, -2, 1);
    lua_pushcfunction(L, embedded_searcher);
    lua_rawseti(L, -2, 2);
    lua_setfield(L, -3, "searchers");
    lua_pop(L, 2);
    return L;
}

int wf_host_run_main(lua_State *L, const char *module, int argc, char **argv)
{
    lua_getglobal(L, "require");
    lua_pushstring(L, module);
    if (wf_host_pcall(L, 1, 1) != LUA_OK) {
        fprintf(stderr, "wfrun: internal error loading %s: %s\n", module,
                lua_tostring(L, -1) ? lua_tostring(L, -1) : "(error object)");
        return WF_EXIT_INCOMPLETE;
    }
    lua_getfield(L, -1, "main");
    lua_createtable(L, argc, 0);
    for (int i = 0; i < argc; i++) {
        lua_pushstring(L, argv[i]);
        lua_rawseti(L, -2, i + 1);
    }
    if (wf_host_pcall(L, 1, 1) != LUA_OK) {
        /* dsl.main handles its own errors; reaching here is a bug in wfrun itself. */
        const char *msg = lua_tostring(L, -1);
        if (!msg && luaL_callmeta(L, -1, "__tostring"))
            msg = lua_tostring(L, -1);
        fprintf(stderr, "wfrun: internal error: %s\n", msg ? msg : "(error object)");
        return WF_EXIT_INCOMPLETE;
    }
    int isnum = 0;
    lua_Integer code = lua_tointegerx(L, -1, &isnum);
    lua_pop(L, 2);
    return isnum ? (int)code : WF_EXIT_INCOMPLETE;
}
