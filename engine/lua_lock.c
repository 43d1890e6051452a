/* "wf.lock": the run lock for Lua, lock.acquire(path, run_id) and lock.release(path, run_id). */
#include "lock.h"
#include "lua_modules.h"
#include <lauxlib.h>

static void push_holder(lua_State *L, const wf_lock_holder *h)
{
    lua_createtable(L, 0, 4);
    lua_pushstring(L, h->run_id);
    lua_setfield(L, -2, "run_id");
    lua_pushstring(L, h->host);
    lua_setfield(L, -2, "host");
    lua_pushinteger(L, (lua_Integer)h->pid);
    lua_setfield(L, -2, "pid");
    lua_pushstring(L, h->started);
    lua_setfield(L, -2, "started");
}

/* lock.acquire(path, run_id) -> true, took_stale [, stale_holder] | false, holder */
static int l_acquire(lua_State *L)
{
    const char *path = luaL_checkstring(L, 1);
    const char *run_id = luaL_checkstring(L, 2);
    wf_lock_holder holder;
    int took_stale = 0;
    wf_error err;
    wf_status st = wf_lock_acquire(path, run_id, &holder, &took_stale, &err);

    if (st == WF_OK) {
        lua_pushboolean(L, 1);
        lua_pushboolean(L, took_stale);
        if (!took_stale)
            return 2;
        push_holder(L, &holder);
        return 3;
    }
    if (st == WF_EBUSY) {
        lua_pushboolean(L, 0);
        push_holder(L, &holder);
        return 2;
    }
    return luaL_error(L, "%s", err.message);
}

/* lock.release(path, run_id) -> true | false, why (not ours, or no lock) */
static int l_release(lua_State *L)
{
    const char *path = luaL_checkstring(L, 1);
    const char *run_id = luaL_checkstring(L, 2);
    wf_error err;
    wf_status st = wf_lock_release(path, run_id, &err);

    if (st == WF_OK) {
        lua_pushboolean(L, 1);
        return 1;
    }
    if (st == WF_EBUSY || st == WF_ENOTFOUND) {
        lua_pushboolean(L, 0);
        lua_pushstring(L, err.message);
        return 2;
    }
    return luaL_error(L, "%s", err.message);
}

static const luaL_Reg lock_funcs[] = {
    {"acquire", l_acquire},
    {"release", l_release},
    {NULL, NULL}
};

int wf_open_lock(lua_State *L)
{
    luaL_newlib(L, lock_funcs);
    return 1;
}
