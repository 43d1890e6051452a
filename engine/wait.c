/* Module "wf.wait": wait.poll (check until true, with timeout, backoff and progress) and wait.seconds. */
#include "duration.h"
#include "interrupt.h"
#include "log.h"
#include "lua_modules.h"
#include <lauxlib.h>
#include <lua.h>
#include <string.h>

/* Progress lines during a long wait come at most this often (seconds). */
#define PROGRESS_EVERY_S 30.0
#define DEFAULT_TIMEOUT_S (30 * 60.0)
#define DEFAULT_EVERY_S 5.0
#define DEFAULT_MAX_EVERY_S 60.0

static const char *const poll_options[] = {
    "what", "check", "timeout", "every", "backoff", "max_every", NULL
};

static void check_poll_keys(lua_State *L)
{
    lua_pushnil(L);
    while (lua_next(L, 1)) {
        lua_pop(L, 1);
        int known = 0;
        if (lua_type(L, -1) == LUA_TSTRING)
            for (int i = 0; poll_options[i] && !known; i++)
                known = strcmp(poll_options[i], lua_tostring(L, -1)) == 0;
        if (!known)
            luaL_error(L, "wait.poll: unknown option %s%s%s (known: what, check, timeout, every, backoff, max_every)",
                       lua_type(L, -1) == LUA_TSTRING ? "'" : "",
                       lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : luaL_typename(L, -1),
                       lua_type(L, -1) == LUA_TSTRING ? "'" : " key");
    }
}

/* Field name of table 1 as a duration, def when absent. */
static double duration_field(lua_State *L, const char *name, double def)
{
    double v = def;
    if (lua_getfield(L, 1, name) != LUA_TNIL) {
        wf_error err;
        if (wf_lua_duration(L, -1, &v, &err) != WF_OK)
            luaL_error(L, "wait.poll: %s: %s", name, err.message);
    }
    lua_pop(L, 1);
    return v;
}

/* Raises the interrupt error when the sleep was cut short. */
static void sleep_or_raise(lua_State *L, double seconds)
{
    wf_error err;
    if (wf_sleep(seconds, &err) != WF_OK)
        wf_interrupt_raise(L, &err);
}

/* wait.poll{what=, check=function, timeout=, every=, backoff=, max_every=} -> check's values */
static int l_poll(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_settop(L, 1);
    check_poll_keys(L);

    if (lua_getfield(L, 1, "check") != LUA_TFUNCTION)
        luaL_error(L, "wait.poll: check must be a function, got %s", luaL_typename(L, -1));
    /* slot 2: check */
    lua_getfield(L, 1, "what");
    if (!lua_isnil(L, -1) && !lua_isstring(L, -1))
        luaL_error(L, "wait.poll: what must be a string, got %s", luaL_typename(L, -1));
    if (lua_isnil(L, -1)) {
        lua_pop(L, 1);
        lua_pushliteral(L, "condition");
    }
    const char *what = lua_tostring(L, 3);   /* slot 3: what */
    double timeout = duration_field(L, "timeout", DEFAULT_TIMEOUT_S);
    double every = duration_field(L, "every", DEFAULT_EVERY_S);
    double max_every = duration_field(L, "max_every", DEFAULT_MAX_EVERY_S);
    lua_getfield(L, 1, "backoff");
    double backoff = lua_isnil(L, -1) ? 1.0 : lua_tonumber(L, -1);
    if (!lua_isnil(L, -1) && (!lua_isnumber(L, -1) || !(backoff >= 1.0) || backoff > 100))
        luaL_error(L, "wait.poll: backoff must be a number from 1 to 100, got %s", luaL_tolstring(L, -1, NULL));
    lua_pop(L, 1);
    if (!(every > 0))
        luaL_error(L, "wait.poll: every must be more than 0 seconds");
    if (max_every < every)
        max_every = every;   /* a slow first interval is not cut down by the default cap */
    lua_pushnil(L);          /* slot 4: last status */
    const int status_idx = 4;

    double start = wf_clock_monotonic(), last_progress = -1, interval = every;
    for (;;) {
        int base = lua_gettop(L);
        lua_pushvalue(L, 2);
        lua_call(L, 0, LUA_MULTRET);   /* errors from check propagate as they are */
        int nres = lua_gettop(L) - base;
        if (nres > 0 && lua_toboolean(L, base + 1))
            return nres;
        if (nres >= 2 && lua_isstring(L, base + 2)) {
            lua_pushvalue(L, base + 2);
            lua_tostring(L, -1);
            lua_replace(L, status_idx);
        }
        lua_settop(L, base);

        double now = wf_clock_monotonic(), elapsed = now - start;
        const char *status = lua_tostring(L, status_idx);
        if (elapsed >= timeout) {
            char d[32];
            wf_duration_format(timeout, d, sizeof d);
            wf_error err;
            wf_error_set(&err, WF_ETIMEOUT, "timed out after %s waiting for %s%s%s%s", d, what,
                         status ? " (last status: " : "", status ? status : "", status ? ")" : "");
            return wf_interrupt_raise(L, &err);
        }
        if (last_progress < 0 || now - last_progress >= PROGRESS_EVERY_S) {
            if (status)
                lua_pushfstring(L, "%s (%s)", what, status);
            else
                lua_pushstring(L, what);
            wf_log_progress(NULL, lua_tostring(L, -1), elapsed, timeout);
            lua_pop(L, 1);
            last_progress = now;
        }
        double nap = interval < timeout - elapsed ? interval : timeout - elapsed;
        sleep_or_raise(L, nap);
        interval *= backoff;
        if (interval > max_every)
            interval = max_every;
    }
}

/* wait.seconds(n or "15s"): an interruptible sleep. */
static int l_seconds(lua_State *L)
{
    wf_error err;
    double v = 0;
    if (wf_lua_duration(L, 1, &v, &err) != WF_OK)
        return luaL_argerror(L, 1, err.message);
    sleep_or_raise(L, v);
    return 0;
}

static const luaL_Reg wait_funcs[] = {
    { "poll", l_poll },
    { "seconds", l_seconds },
    { NULL, NULL }
};

int wf_open_wait(lua_State *L)
{
    luaL_newlib(L, wait_funcs);
    return 1;
}
