/* Module "wf.interrupt": deadlines, signals, clocks and sleep for Lua; the interrupt error. */
#include "interrupt.h"
#include "duration.h"
#include "lua_modules.h"
#include <lauxlib.h>
#include <lua.h>
#include <math.h>
#include <string.h>

#define ERROR_MT "wf.interrupt.error"
/* Lua instructions between two looks at the interrupt flag: cheap, yet a pure-Lua loop
 * notices within microseconds. */
#define HOOK_COUNT 1000

static int error_tostring(lua_State *L)
{
    lua_getfield(L, 1, "message");
    if (!lua_isstring(L, -1)) {
        lua_pop(L, 1);
        lua_getfield(L, 1, "kind");
    }
    return 1;
}

/* Pushes a new {kind=, message=} error object. */
static void push_error(lua_State *L, const char *kind, const char *message)
{
    lua_createtable(L, 0, 2);
    lua_pushstring(L, kind);
    lua_setfield(L, -2, "kind");
    lua_pushstring(L, message);
    lua_setfield(L, -2, "message");
    if (luaL_newmetatable(L, ERROR_MT)) {
        lua_pushcfunction(L, error_tostring);
        lua_setfield(L, -2, "__tostring");
    }
    lua_setmetatable(L, -2);
}

int wf_interrupt_raise(lua_State *L, const wf_error *err)
{
    if (err->code == WF_EINTR)
        push_error(L, "interrupted", err->message);
    else if (err->code == WF_ETIMEOUT)
        push_error(L, "timeout", err->message);
    else
        return luaL_error(L, "%s", err->message);
    return lua_error(L);
}

const char *wf_interrupt_error_kind(lua_State *L, int idx)
{
    if (!lua_istable(L, idx) || !lua_getmetatable(L, idx))
        return NULL;
    luaL_getmetatable(L, ERROR_MT);
    int ours = lua_rawequal(L, -1, -2);
    lua_pop(L, 2);
    if (!ours)
        return NULL;
    lua_getfield(L, idx, "kind");
    const char *kind = lua_tostring(L, -1);
    const char *result = NULL;
    if (kind && strcmp(kind, "interrupted") == 0)
        result = "interrupted";
    else if (kind && strcmp(kind, "timeout") == 0)
        result = "timeout";
    lua_pop(L, 1);
    return result;
}

wf_status wf_lua_duration(lua_State *L, int idx, double *seconds, wf_error *err)
{
    if (lua_type(L, idx) == LUA_TNUMBER) {
        double v = lua_tonumber(L, idx);
        if (!isfinite(v) || v < 0)
            return wf_error_set(err, WF_EINVAL, "invalid duration %g: must be a number of seconds >= 0", v);
        *seconds = v;
        return WF_OK;
    }
    if (lua_type(L, idx) == LUA_TSTRING)
        return wf_duration_parse(lua_tostring(L, idx), seconds, err);
    return wf_error_set(err, WF_EINVAL, "invalid duration: expected a string like \"15s\" or a number of seconds, got %s",
                        luaL_typename(L, idx));
}

static void count_hook(lua_State *L, lua_Debug *ar)
{
    (void)ar;
    wf_error err;
    if (wf_interrupt_check(&err) != WF_OK)
        wf_interrupt_raise(L, &err);
}

void wf_interrupt_hook_lua(lua_State *L)
{
    lua_sethook(L, count_hook, LUA_MASKCOUNT, HOOK_COUNT);
}

/* Argument arg as a duration, raising an argument error with the parse message. */
static double check_duration(lua_State *L, int arg)
{
    wf_error err;
    double v = 0;
    if (wf_lua_duration(L, arg, &v, &err) != WF_OK)
        luaL_argerror(L, arg, err.message);
    return v;
}

/* push_deadline(seconds_or_duration, label) -> depth */
static int l_push_deadline(lua_State *L)
{
    double after = check_duration(L, 1);
    const char *label = luaL_optstring(L, 2, "deadline");
    lua_pushinteger(L, wf_deadline_push(wf_clock_monotonic() + after, label));
    return 1;
}

static int l_pop(lua_State *L)
{
    wf_deadline_pop((int)luaL_checkinteger(L, 1));
    return 0;
}

static int l_reset(lua_State *L)
{
    wf_deadline_reset();
    return 0;
}

static int l_check(lua_State *L)
{
    wf_error err;
    if (wf_interrupt_check(&err) != WF_OK)
        return wf_interrupt_raise(L, &err);
    return 0;
}

static int l_remaining(lua_State *L)
{
    lua_pushnumber(L, wf_deadline_remaining());
    return 1;
}

static int l_signal(lua_State *L)
{
    int sig = wf_interrupt_signal();
    if (sig)
        lua_pushinteger(L, sig);
    else
        lua_pushnil(L);
    return 1;
}

static int l_clear_signal(lua_State *L)
{
    wf_interrupt_clear_signal();
    return 0;
}

/* hold(on) -> the previous setting (see wf_interrupt_hold) */
static int l_hold(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TBOOLEAN);
    lua_pushboolean(L, wf_interrupt_hold(lua_toboolean(L, 1)));
    return 1;
}

static int l_now(lua_State *L)
{
    lua_pushnumber(L, wf_clock_monotonic());
    return 1;
}

static int l_wall(lua_State *L)
{
    lua_pushnumber(L, wf_clock_wall());
    return 1;
}

static int l_sleep(lua_State *L)
{
    wf_error err;
    if (wf_sleep(check_duration(L, 1), &err) != WF_OK)
        return wf_interrupt_raise(L, &err);
    return 0;
}

static int l_install_signals(lua_State *L)
{
    wf_interrupt_install();
    return 0;
}

static int l_hook(lua_State *L)
{
    wf_interrupt_hook_lua(L);
    return 0;
}

/* error_kind(v) -> "interrupted" | "timeout" | nil */
static int l_error_kind(lua_State *L)
{
    const char *kind = wf_interrupt_error_kind(L, 1);
    if (kind)
        lua_pushstring(L, kind);
    else
        lua_pushnil(L);
    return 1;
}

/* raise(kind, message): raises an interrupt error built in Lua (e.g. by the executor). */
static int l_raise(lua_State *L)
{
    static const char *const kinds[] = { "interrupted", "timeout", NULL };
    int k = luaL_checkoption(L, 1, NULL, kinds);
    wf_error err;
    wf_error_set(&err, k == 0 ? WF_EINTR : WF_ETIMEOUT, "%s", luaL_checkstring(L, 2));
    return wf_interrupt_raise(L, &err);
}

static const luaL_Reg interrupt_funcs[] = {
    { "push_deadline", l_push_deadline },
    { "pop", l_pop },
    { "reset", l_reset },
    { "check", l_check },
    { "remaining", l_remaining },
    { "signal", l_signal },
    { "clear_signal", l_clear_signal },
    { "hold", l_hold },
    { "now", l_now },
    { "wall", l_wall },
    { "sleep", l_sleep },
    { "install_signals", l_install_signals },
    { "hook", l_hook },
    { "error_kind", l_error_kind },
    { "raise", l_raise },
    { NULL, NULL }
};

int wf_open_interrupt(lua_State *L)
{
    luaL_newlib(L, interrupt_funcs);
    return 1;
}
