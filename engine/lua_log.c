/* Module "wf.log": the log's events for Lua. Thin wrappers: check arguments, call log.c. */
#include "log.h"
#include "lua_modules.h"
#include <lauxlib.h>
#include <lua.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A string argument that may hold NUL bytes, for a C API that takes C strings: cleaned
 * first (NUL becomes U+FFFD), so nothing after a NUL is lost. *owned is what to free.
 * Call only after every luaL_check*, since it allocates. NULL in, NULL out. */
static const char *c_string(const char *s, size_t len, char **owned)
{
    *owned = NULL;
    if (!s || memchr(s, '\0', len) == NULL)
        return s;
    *owned = wf_log_sanitize(s, len, NULL);
    return *owned ? *owned : "";
}

static const char *opt_step(lua_State *L, int idx, size_t *len)
{
    *len = 0;
    return lua_isnoneornil(L, idx) ? NULL : luaL_checklstring(L, idx, len);
}

static int message(lua_State *L, wf_log_level level)
{
    size_t len;
    const char *msg = luaL_checklstring(L, 1, &len);
    wf_log_message_len(level, NULL, msg, len);
    return 0;
}

static int l_debug(lua_State *L) { return message(L, WF_LOG_DEBUG); }
static int l_info(lua_State *L) { return message(L, WF_LOG_INFO); }
static int l_warn(lua_State *L) { return message(L, WF_LOG_WARN); }
static int l_error(lua_State *L) { return message(L, WF_LOG_ERROR); }

/* configure(format, verbose): the sink for this process. TeamCity reads service messages
 * from stdout; people and log shippers read the others on stderr. */
static int l_configure(lua_State *L)
{
    static const char *const formats[] = { "text", "json", "teamcity", NULL };
    static const wf_log_format values[] = { WF_LOG_TEXT, WF_LOG_JSON, WF_LOG_TEAMCITY };
    int format = luaL_checkoption(L, 1, NULL, formats);
    int verbose = lua_toboolean(L, 2);
    wf_log_configure(values[format], verbose, values[format] == WF_LOG_TEAMCITY ? stdout : stderr);
    return 0;
}

static int l_set_step(lua_State *L)
{
    size_t len;
    const char *step = opt_step(L, 1, &len);
    char *owned;
    wf_log_set_current_step(c_string(step, len, &owned));
    free(owned);
    return 0;
}

static int l_run_start(lua_State *L)
{
    const char *workflow = luaL_checkstring(L, 1);
    const char *run_id = luaL_checkstring(L, 2);
    const char *mode = luaL_checkstring(L, 3);
    wf_log_run_start(workflow, run_id, mode);
    return 0;
}

static int l_run_end(lua_State *L)
{
    const char *run_id = luaL_checkstring(L, 1);
    const char *outcome = luaL_checkstring(L, 2);
    lua_Integer code = luaL_checkinteger(L, 3);
    double elapsed = luaL_checknumber(L, 4);
    luaL_argcheck(L, code >= 0 && code <= 255, 3, "exit code out of range");
    wf_log_run_end(run_id, outcome, (int)code, elapsed);
    return 0;
}

static int l_step_start(lua_State *L)
{
    size_t step_len, doc_len = 0;
    const char *step = luaL_checklstring(L, 1, &step_len);
    const char *doc = luaL_optlstring(L, 2, NULL, &doc_len);
    char *owned_step, *owned_doc;
    const char *s = c_string(step, step_len, &owned_step);
    const char *d = c_string(doc, doc_len, &owned_doc);
    wf_log_step_start(s, d);
    free(owned_step);
    free(owned_doc);
    return 0;
}

static int l_step_end(lua_State *L)
{
    const char *step = luaL_checkstring(L, 1);
    const char *outcome = luaL_checkstring(L, 2);
    double elapsed = luaL_checknumber(L, 3);
    wf_log_step_end(step, outcome, elapsed);
    return 0;
}

static int l_undo_start(lua_State *L)
{
    wf_log_undo_start(luaL_checkstring(L, 1));
    return 0;
}

static int l_undo_end(lua_State *L)
{
    const char *step = luaL_checkstring(L, 1);
    const char *outcome = luaL_checkstring(L, 2);
    double elapsed = luaL_checknumber(L, 3);
    wf_log_undo_end(step, outcome, elapsed);
    return 0;
}

static int l_progress(lua_State *L)
{
    size_t step_len, what_len;
    const char *step = opt_step(L, 1, &step_len);
    const char *what = luaL_checklstring(L, 2, &what_len);
    double elapsed = luaL_checknumber(L, 3);
    double timeout = luaL_optnumber(L, 4, 0);
    char *owned_step, *owned;
    const char *st = c_string(step, step_len, &owned_step);
    wf_log_progress(st, c_string(what, what_len, &owned), elapsed, timeout);
    free(owned_step);
    free(owned);
    return 0;
}

static int l_output(lua_State *L)
{
    static const char *const streams[] = { "stdout", "stderr", NULL };
    size_t step_len, len;
    const char *step = opt_step(L, 1, &step_len);
    int stream = luaL_checkoption(L, 2, NULL, streams);
    const char *bytes = luaL_checklstring(L, 3, &len);
    char *owned_step;
    wf_log_output(c_string(step, step_len, &owned_step), streams[stream], bytes, len);
    free(owned_step);
    return 0;
}

static int l_problem(lua_State *L)
{
    size_t step_len, len;
    const char *step = opt_step(L, 1, &step_len);
    const char *description = luaL_checklstring(L, 2, &len);
    char *owned_step, *owned;
    const char *st = c_string(step, step_len, &owned_step);
    wf_log_problem(st, c_string(description, len, &owned));
    free(owned_step);
    free(owned);
    return 0;
}

static int l_statistic(lua_State *L)
{
    const char *key = luaL_checkstring(L, 1);
    double value = luaL_checknumber(L, 2);
    wf_log_statistic(key, value);
    return 0;
}

static int l_add_secret(lua_State *L)
{
    size_t len;
    const char *secret = luaL_checklstring(L, 1, &len);
    wf_log_add_secret_len(secret, len);
    return 0;
}

/* Runs in a protected call, so a memory error while pushing cannot leak the buffer. */
static int push_buffer(lua_State *L)
{
    const char *p = lua_touserdata(L, 1);
    size_t len = (size_t)lua_tointeger(L, 2);
    lua_pushlstring(L, p, len);
    return 1;
}

static int l_sanitize(lua_State *L)
{
    size_t len, out_len;
    const char *s = luaL_checklstring(L, 1, &len);
    luaL_checkstack(L, 3, NULL);
    char *clean = wf_log_sanitize(s, len, &out_len);
    if (!clean)
        return luaL_error(L, "out of memory");
    lua_pushcfunction(L, push_buffer);
    lua_pushlightuserdata(L, clean);
    lua_pushinteger(L, (lua_Integer)out_len);
    int rc = lua_pcall(L, 2, 1, 0);
    free(clean);
    if (rc != LUA_OK)
        return lua_error(L);
    return 1;
}

static int l_is_verbose(lua_State *L)
{
    lua_pushboolean(L, wf_log_is_verbose());
    return 1;
}

static int l_format(lua_State *L)
{
    switch (wf_log_current_format()) {
    case WF_LOG_JSON: lua_pushliteral(L, "json"); break;
    case WF_LOG_TEAMCITY: lua_pushliteral(L, "teamcity"); break;
    case WF_LOG_TEXT:
    default: lua_pushliteral(L, "text"); break;
    }
    return 1;
}

static const luaL_Reg log_funcs[] = {
    { "debug", l_debug },
    { "info", l_info },
    { "warn", l_warn },
    { "error", l_error },
    { "configure", l_configure },
    { "set_step", l_set_step },
    { "run_start", l_run_start },
    { "run_end", l_run_end },
    { "step_start", l_step_start },
    { "step_end", l_step_end },
    { "undo_start", l_undo_start },
    { "undo_end", l_undo_end },
    { "progress", l_progress },
    { "output", l_output },
    { "problem", l_problem },
    { "statistic", l_statistic },
    { "add_secret", l_add_secret },
    { "sanitize", l_sanitize },
    { "is_verbose", l_is_verbose },
    { "format", l_format },
    { NULL, NULL }
};

int wf_open_log(lua_State *L)
{
    luaL_newlib(L, log_funcs);
    return 1;
}
