/* Module "wf.sh": sh.run, running a program (or a /bin/sh command line) from a workflow. */
#include "interrupt.h"
#include "log.h"
#include "lua_modules.h"
#include "process.h"
#include <lauxlib.h>
#include <lua.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RESULT_MT "wf.sh.result"
/* Lines of stderr quoted in the error of a failed command, and bytes kept of each. */
#define TAIL_LINES 5
#define TAIL_LINE_MAX 300

static const char *const known_options[] = {
    "check", "cwd", "env", "stdin", "timeout", "readonly", "quiet", NULL
};

/* __gc of the userdata that owns a wf_process_result: frees it if an error unwound us. */
static int result_gc(lua_State *L)
{
    wf_process_result_free(luaL_checkudata(L, 1, RESULT_MT));
    return 0;
}

/* Pushes an empty result owner, created before the run so that nothing allocated after
 * it can leak when a later Lua call raises. */
static wf_process_result *push_result_owner(lua_State *L)
{
    wf_process_result *res = lua_newuserdatauv(L, sizeof *res, 0);
    memset(res, 0, sizeof *res);
    if (luaL_newmetatable(L, RESULT_MT)) {
        lua_pushcfunction(L, result_gc);
        lua_setfield(L, -2, "__gc");
    }
    lua_setmetatable(L, -2);
    return res;
}

/* Keeps value at the top alive (popping it) in the anchor table, and returns it as a string. */
static const char *anchor(lua_State *L, int anchor_idx, size_t *len)
{
    const char *s = lua_tolstring(L, -1, len);
    lua_rawseti(L, anchor_idx, (lua_Integer)lua_rawlen(L, anchor_idx) + 1);
    return s;
}

static int is_known_option(const char *key)
{
    for (int i = 0; known_options[i]; i++)
        if (strcmp(known_options[i], key) == 0)
            return 1;
    return 0;
}

/* Rejects keys that are neither options nor (when argv_len > 0) argv positions. */
static void check_keys(lua_State *L, int opts, lua_Integer argv_len)
{
    lua_pushnil(L);
    while (lua_next(L, opts)) {
        lua_pop(L, 1);
        if (lua_type(L, -1) == LUA_TSTRING) {
            if (!is_known_option(lua_tostring(L, -1)))
                luaL_error(L, "sh.run: unknown option '%s' (known: check, cwd, env, stdin, timeout, readonly, quiet)",
                           lua_tostring(L, -1));
        } else if (!lua_isinteger(L, -1) || lua_tointeger(L, -1) < 1 || lua_tointeger(L, -1) > argv_len) {
            luaL_error(L, "sh.run: unexpected %s key in the options table", luaL_typename(L, -1));
        }
    }
}

/* The env option as "NAME=value" / "NAME" (false: unset) entries, anchored; NULL-terminated
 * array in a userdata left on the stack. */
static const char **collect_env(lua_State *L, int opts, int anchor_idx)
{
    lua_getfield(L, opts, "env");
    if (lua_isnil(L, -1)) {
        lua_pop(L, 1);
        return NULL;
    }
    if (!lua_istable(L, -1))
        luaL_error(L, "sh.run: env must be a table of NAME = value, got %s", luaL_typename(L, -1));
    int env = lua_gettop(L);
    size_t n = 0;
    lua_pushnil(L);
    while (lua_next(L, env)) {
        lua_pop(L, 1);
        n++;
    }
    const char **entries = lua_newuserdatauv(L, (n + 1) * sizeof *entries, 0);
    size_t k = 0;
    lua_pushnil(L);
    while (lua_next(L, env)) {
        if (lua_type(L, -2) != LUA_TSTRING)
            luaL_error(L, "sh.run: env keys must be variable names, got %s", luaL_typename(L, -2));
        const char *name = lua_tostring(L, -2);
        if (!*name || strchr(name, '='))
            luaL_error(L, "sh.run: env: bad variable name \"%s\"", name);
        if (lua_type(L, -1) == LUA_TSTRING || lua_type(L, -1) == LUA_TNUMBER)
            lua_pushfstring(L, "%s=%s", name, lua_tostring(L, -1));
        else if (lua_isboolean(L, -1) && !lua_toboolean(L, -1))
            lua_pushstring(L, name);   /* false unsets */
        else
            luaL_error(L, "sh.run: env.%s must be a string, a number or false, got %s", name,
                       luaL_typename(L, -1));
        entries[k++] = anchor(L, anchor_idx, NULL);
        lua_pop(L, 1);
    }
    entries[k] = NULL;
    lua_replace(L, env);   /* keep the array, drop the env table (opts still holds it) */
    return entries;
}

/* Appends the last TAIL_LINES lines of stderr, made safe for logs, to msg. */
static void append_stderr_tail(char *msg, size_t size, const char *err, size_t len)
{
    while (len > 0 && (err[len - 1] == '\n' || err[len - 1] == '\r'))
        len--;
    if (len == 0)
        return;
    size_t start = len;
    for (int lines = 0; start > 0; start--)
        if (err[start - 1] == '\n' && ++lines == TAIL_LINES)
            break;
    size_t used = strlen(msg);
    snprintf(msg + used, size - used, "; stderr:");
    for (size_t p = start; p < len;) {
        const char *nl = memchr(err + p, '\n', len - p);
        size_t n = nl ? (size_t)(nl - (err + p)) : len - p;
        size_t shown = n > TAIL_LINE_MAX ? TAIL_LINE_MAX : n;
        char *clean = wf_log_sanitize(err + p, shown, NULL);
        used = strlen(msg);
        if (used + 1 < size)
            snprintf(msg + used, size - used, "\n  %s%s", clean ? clean : "?", shown < n ? "..." : "");
        free(clean);
        p += n + 1;
    }
}

/* sh.run{"prog", "arg", ..., opt = ...} | sh.run("command line"[, opts]) -> result table */
static int l_run(lua_State *L)
{
    int shell_form = lua_type(L, 1) == LUA_TSTRING;
    int opts = 0;
    lua_Integer argc = 0;
    if (shell_form) {
        if (!lua_isnoneornil(L, 2)) {
            luaL_checktype(L, 2, LUA_TTABLE);
            opts = 2;
        }
    } else {
        luaL_argexpected(L, lua_istable(L, 1), 1, "table or string");
        if (!lua_isnoneornil(L, 2))
            luaL_error(L, "sh.run: options go in the same table as the command: sh.run{\"prog\", \"arg\", check = false}");
        opts = 1;
        argc = (lua_Integer)lua_rawlen(L, 1);
        if (argc < 1)
            luaL_error(L, "sh.run: no program given (expected sh.run{\"prog\", \"arg\", ...})");
    }
    lua_settop(L, 2);
    lua_newtable(L);
    int anchor_idx = lua_gettop(L);   /* keeps every borrowed string alive */

    wf_process_spec spec;
    memset(&spec, 0, sizeof spec);
    int check = 1;
    if (shell_form) {
        spec.shell = lua_tostring(L, 1);
    } else {
        const char **argv = lua_newuserdatauv(L, (size_t)(argc + 1) * sizeof *argv, 0);
        for (lua_Integer i = 1; i <= argc; i++) {
            int t = lua_rawgeti(L, 1, i);
            if (t != LUA_TSTRING && t != LUA_TNUMBER)
                luaL_error(L, "sh.run: argument %d must be a string, got %s", (int)i, luaL_typename(L, -1));
            lua_pushvalue(L, -1);
            lua_tostring(L, -1);   /* numbers become their text, on the copy only */
            argv[i - 1] = anchor(L, anchor_idx, NULL);
            lua_pop(L, 1);
        }
        argv[argc] = NULL;
        spec.argv = argv;
    }
    if (opts) {
        check_keys(L, opts, shell_form ? 0 : argc);
        lua_getfield(L, opts, "check");
        check = lua_isnil(L, -1) ? 1 : lua_toboolean(L, -1);
        lua_getfield(L, opts, "quiet");
        spec.quiet = lua_toboolean(L, -1);
        lua_pop(L, 2);
        if (lua_getfield(L, opts, "cwd") != LUA_TNIL) {
            if (lua_type(L, -1) != LUA_TSTRING)
                luaL_error(L, "sh.run: cwd must be a string, got %s", luaL_typename(L, -1));
            spec.cwd = anchor(L, anchor_idx, NULL);
        } else {
            lua_pop(L, 1);
        }
        if (lua_getfield(L, opts, "stdin") != LUA_TNIL) {
            if (lua_type(L, -1) != LUA_TSTRING)
                luaL_error(L, "sh.run: stdin must be a string, got %s", luaL_typename(L, -1));
            spec.stdin_bytes = anchor(L, anchor_idx, &spec.stdin_len);
        } else {
            lua_pop(L, 1);
        }
        if (lua_getfield(L, opts, "timeout") != LUA_TNIL) {
            wf_error derr;
            if (wf_lua_duration(L, -1, &spec.timeout, &derr) != WF_OK)
                luaL_error(L, "sh.run: timeout: %s", derr.message);
        }
        lua_pop(L, 1);
        spec.env = collect_env(L, opts, anchor_idx);
    }

    char display[256];
    wf_process_display(&spec, display, sizeof display);
    if (!spec.quiet)
        wf_log_message(WF_LOG_DEBUG, NULL, "running `%s`", display);

    /* From here on, the output is owned by a userdata, so a raise cannot leak it. */
    wf_process_result *res = push_result_owner(L);
    wf_error err;
    wf_status rc = wf_process_run(&spec, res, &err);
    if (rc == WF_ETIMEOUT || rc == WF_EINTR) {
        wf_process_result_free(res);
        wf_error e2;
        wf_error_set(&e2, rc, "sh.run: %s", err.message);
        return wf_interrupt_raise(L, &e2);
    }
    if (rc != WF_OK) {
        wf_process_result_free(res);
        return luaL_error(L, "sh.run: %s", err.message);
    }
    if (check && res->code != 0) {
        char msg[2048];
        if (res->signal)
            snprintf(msg, sizeof msg, "sh.run: `%s` was killed by signal %d (code %d)", display, res->signal,
                     res->code);
        else
            snprintf(msg, sizeof msg, "sh.run: `%s` exited with code %d", display, res->code);
        append_stderr_tail(msg, sizeof msg, res->err, res->err_len);
        wf_process_result_free(res);
        return luaL_error(L, "%s", msg);
    }

    lua_createtable(L, 0, 4);
    lua_pushinteger(L, res->code);
    lua_setfield(L, -2, "code");
    lua_pushlstring(L, res->out, res->out_len);
    lua_setfield(L, -2, "stdout");
    lua_pushlstring(L, res->err, res->err_len);
    lua_setfield(L, -2, "stderr");
    if (res->signal) {
        lua_pushinteger(L, res->signal);
        lua_setfield(L, -2, "signal");
    }
    wf_process_result_free(res);
    return 1;
}

static const luaL_Reg sh_funcs[] = {
    { "run", l_run },
    { NULL, NULL }
};

int wf_open_sh(lua_State *L)
{
    luaL_newlib(L, sh_funcs);
    return 1;
}
