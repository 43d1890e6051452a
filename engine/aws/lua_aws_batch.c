/* Module "wf.aws_batch": many AWS requests in flight from Lua (engine/aws/multi.h).
 *
 *   local batch = require "wf.aws_batch"
 *   local b = batch.new { concurrency = 64, max_attempts = 10, retry_base = 0.2,
 *                         profile =, region =, endpoint_url = }   -- as aws.configure
 *   b:submit(tag, "s3", "CopyObject", params, { region =, endpoint_url = })
 *   b:submit(tag, "s3", "PutObject", params, route, { body = bytes })   -- raw body out
 *   b:submit(tag, "s3", "GetObject", params, route, { raw = true })     -- result.Body: bytes
 *   local done, n = b:wait()  -- done[3i-2] = tag, done[3i-1] = result or false,
 *                             -- done[3i] = error or false (AWS error table or string)
 *   b:stats(), b:pending(), b:close();  batch.monotonic() -> seconds
 *
 * The batch has its own client (same configuration as the module "wf.aws" one, given in
 * new{}) so it never shares a curl handle with synchronous calls. Tags are kept in the
 * userdata's user value until their request is handed out. */
#include "aws/multi.h"
#include "interrupt.h"
#include "lua_json.h"
#include "lua_modules.h"
#include <lauxlib.h>
#include <lua.h>
#include <stdlib.h>
#include <string.h>

#define BATCH_MT "wf.aws_batch"
#define ERROR_MT "wf.aws.error"   /* shared with engine/aws/lua_aws.c's error tables */

typedef struct batch_ud {
    wf_aws_client *client;
    wf_aws_multi *multi;
    lua_Integer next_tag;
} batch_ud;

static void batch_clear(batch_ud *b)
{
    wf_aws_multi_free(b->multi);   /* before the client it borrows */
    wf_aws_client_free(b->client);
    b->multi = NULL;
    b->client = NULL;
}

static int l_gc(lua_State *L)
{
    batch_clear(luaL_checkudata(L, 1, BATCH_MT));
    return 0;
}

static batch_ud *check_open(lua_State *L)
{
    batch_ud *b = luaL_checkudata(L, 1, BATCH_MT);
    if (!b->multi)
        luaL_error(L, "aws batch: used after close()");
    return b;
}

/* String field of the table at idx, or NULL; raises when it is not a string. */
static const char *opt_string(lua_State *L, int idx, const char *name)
{
    int t = lua_getfield(L, idx, name);
    const char *v = NULL;
    if (t == LUA_TSTRING)
        v = lua_tostring(L, -1);
    else if (t != LUA_TNIL)
        luaL_error(L, "aws batch: %s must be a string, got %s", name, luaL_typename(L, -1));
    lua_pop(L, 1);   /* the table keeps the string alive */
    return v && *v ? v : NULL;
}

static lua_Number opt_number(lua_State *L, int idx, const char *name, lua_Number min,
                             lua_Number max)
{
    int t = lua_getfield(L, idx, name);
    lua_Number v = 0;
    if (t != LUA_TNIL) {
        int ok = 0;
        v = lua_tonumberx(L, -1, &ok);
        if (!ok || v < min || v > max)
            luaL_error(L, "aws batch: %s must be a number from %g to %g", name, (double)min,
                       (double)max);
    }
    lua_pop(L, 1);
    return v;
}

/* new{...} -> batch */
static int l_new(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    wf_aws_client_options co = {0};
    co.profile = opt_string(L, 1, "profile");
    co.region = opt_string(L, 1, "region");
    co.endpoint_url = opt_string(L, 1, "endpoint_url");
    co.max_attempts = (int)opt_number(L, 1, "max_attempts", 0, 100);
    co.retry_base_s = opt_number(L, 1, "retry_base", 0, 60);
    lua_getfield(L, 1, "verbose");
    co.verbose = lua_toboolean(L, -1);
    lua_pop(L, 1);
    wf_aws_multi_options mo = {
        .concurrency = (int)opt_number(L, 1, "concurrency", 0, 4096),
        .max_attempts = co.max_attempts,
        .retry_base_s = co.retry_base_s,
    };
    batch_ud *b = lua_newuserdatauv(L, sizeof *b, 1);
    memset(b, 0, sizeof *b);
    luaL_setmetatable(L, BATCH_MT);
    lua_newtable(L);
    lua_setiuservalue(L, -2, 1);   /* tag id -> tag */
    wf_error err = {0};
    wf_status st = wf_aws_client_new(&co, &b->client, &err);
    if (st == WF_OK)
        st = wf_aws_multi_new(b->client, &mo, &b->multi, &err);
    if (st != WF_OK) {
        batch_clear(b);
        return luaL_error(L, "aws batch: %s", err.message);
    }
    return 1;
}

/* submit(tag, service, operation, params, route, extra) */
static int l_submit(lua_State *L)
{
    batch_ud *b = check_open(L);
    luaL_checkany(L, 2);
    const char *service = luaL_checkstring(L, 3);
    const char *operation = luaL_checkstring(L, 4);
    for (int i = 5; i <= 7; i++)
        if (!lua_isnoneornil(L, i))
            luaL_checktype(L, i, LUA_TTABLE);
    lua_settop(L, 7);
    wf_aws_multi_extra extra = {0};
    if (!lua_isnil(L, 7)) {
        if (lua_getfield(L, 7, "body") == LUA_TSTRING)
            extra.body = lua_tolstring(L, -1, &extra.body_len);   /* kept alive by table 7 */
        lua_pop(L, 1);
        lua_getfield(L, 7, "raw");
        extra.raw_response = lua_toboolean(L, -1);
        lua_pop(L, 1);
    }
    wf_aws_route route = {0};
    if (!lua_isnil(L, 6)) {
        route.region = opt_string(L, 6, "region");
        route.endpoint_url = opt_string(L, 6, "endpoint_url");
    }
    wf_error err = {0};
    cJSON **params = wf_json_guard(L);   /* freed by the collector if anything raises */
    if (!lua_isnil(L, 5)) {
        *params = wf_lua_to_json(L, 5, &err);
        if (!*params)
            return luaL_error(L, "%s %s: params: %s", service, operation, err.message);
    }
    lua_Integer id = ++b->next_tag;
    wf_status st = wf_aws_multi_submit_ex(b->multi, service, operation, *params,
                                          route.region || route.endpoint_url ? &route : NULL,
                                          &extra, (intptr_t)id, &err);
    cJSON_Delete(*params);
    *params = NULL;
    if (st != WF_OK)
        return luaL_error(L, "aws batch: %s", err.message);
    lua_getiuservalue(L, 1, 1);
    lua_pushvalue(L, 2);
    lua_rawseti(L, -2, id);
    return 0;
}

static void set_string(lua_State *L, const char *name, const char *value)
{
    lua_pushstring(L, value);
    lua_setfield(L, -2, name);
}

static void set_integer(lua_State *L, const char *name, lua_Integer value)
{
    lua_pushinteger(L, value);
    lua_setfield(L, -2, name);
}

/* Pushes the error value of a finished request: a message when no answer came, else the
 * AWS error table wf.aws raises ({kind="aws", service, operation, code, message,
 * request_id, status}, plus attempts). */
static void push_error(lua_State *L, const wf_aws_multi_result *r)
{
    if (r->status != WF_OK) {
        lua_pushstring(L, r->err.message);
        return;
    }
    const wf_aws_error *ae = &r->aws_err;
    const char *fields[][2] = {{"kind", "aws"},         {"service", r->service},
                               {"operation", r->operation}, {"code", ae->code},
                               {"message", ae->message}, {"request_id", ae->request_id}};
    lua_createtable(L, 0, 8);
    for (size_t i = 0; i < sizeof fields / sizeof *fields; i++)
        set_string(L, fields[i][0], fields[i][1]);
    set_integer(L, "status", ae->status);
    set_integer(L, "attempts", r->attempts);
    /* The same metatable as wf.aws's error tables (made there, or left plain). */
    if (luaL_getmetatable(L, ERROR_MT) == LUA_TTABLE)
        lua_setmetatable(L, -2);
    else
        lua_pop(L, 1);
}

static int bytes_gc(lua_State *L)
{
    char **bytes = lua_touserdata(L, 1);
    free(*bytes);
    *bytes = NULL;
    return 0;
}

/* wait() -> done, n: every request finished by now, waiting for at least one when none
 * has; n = 0 when nothing is pending. Raises the interrupt error on SIGINT/SIGTERM. */
static int l_wait(lua_State *L)
{
    batch_ud *b = check_open(L);
    lua_settop(L, 1);
    lua_getiuservalue(L, 1, 1);   /* 2: tags */
    lua_newtable(L);              /* 3: done */
    char **bytes = lua_newuserdatauv(L, sizeof *bytes, 0);   /* 4: frees raw bytes on a raise */
    *bytes = NULL;
    if (luaL_newmetatable(L, "wf.aws_batch.bytes")) {
        lua_pushcfunction(L, bytes_gc);
        lua_setfield(L, -2, "__gc");
    }
    lua_setmetatable(L, -2);
    int n = 0;
    for (;;) {
        wf_aws_multi_result r;
        int got = 0;
        wf_error err = {0};
        wf_status st = wf_aws_multi_next(b->multi, n == 0, &r, &got, &err);
        if (st == WF_EINTR || st == WF_ETIMEOUT)
            return wf_interrupt_raise(L, &err);
        if (st != WF_OK)
            return luaL_error(L, "aws batch: %s", err.message);
        if (!got)
            break;
        /* Guard the result tree while Lua allocates (a raise would leak it otherwise). */
        cJSON **guard = wf_json_guard(L);
        *guard = r.result;
        r.result = NULL;
        lua_Integer id = (lua_Integer)r.tag;
        lua_rawgeti(L, 2, id);
        lua_rawseti(L, 3, 3 * n + 1);
        lua_pushnil(L);
        lua_rawseti(L, 2, id);
        if (r.status == WF_OK && !r.aws_err.is_error) {
            if (*guard)
                wf_json_push(L, *guard);
            else
                lua_newtable(L);
            if (r.body) {
                *bytes = r.body;
                r.body = NULL;
                lua_pushlstring(L, *bytes, r.body_len);
                lua_setfield(L, -2, "Body");
            }
            lua_rawseti(L, 3, 3 * n + 2);
            lua_pushboolean(L, 0);
            lua_rawseti(L, 3, 3 * n + 3);
        } else {
            lua_pushboolean(L, 0);
            lua_rawseti(L, 3, 3 * n + 2);
            push_error(L, &r);
            lua_rawseti(L, 3, 3 * n + 3);
        }
        free(r.body);   /* an error answer's bytes are not handed out */
        free(*bytes);
        *bytes = NULL;
        cJSON_Delete(*guard);
        *guard = NULL;
        lua_pop(L, 1);   /* the guard */
        n++;
    }
    lua_settop(L, 3);
    lua_pushinteger(L, n);
    return 2;
}

static int l_pending(lua_State *L)
{
    batch_ud *b = check_open(L);
    lua_pushinteger(L, (lua_Integer)wf_aws_multi_pending(b->multi));
    return 1;
}

static int l_stats(lua_State *L)
{
    batch_ud *b = check_open(L);
    wf_aws_multi_stats s;
    wf_aws_multi_stats_get(b->multi, &s);
    lua_createtable(L, 0, 4);
    set_integer(L, "requests", (lua_Integer)s.requests);
    set_integer(L, "retries", (lua_Integer)s.retries);
    set_integer(L, "throttled", (lua_Integer)s.throttled);
    set_integer(L, "window", s.window);
    return 1;
}

static int l_close(lua_State *L)
{
    batch_clear(luaL_checkudata(L, 1, BATCH_MT));
    return 0;
}

static int l_monotonic(lua_State *L)
{
    lua_pushnumber(L, wf_clock_monotonic());
    return 1;
}

static const luaL_Reg batch_methods[] = {
    {"submit", l_submit},
    {"wait", l_wait},
    {"pending", l_pending},
    {"stats", l_stats},
    {"close", l_close},
    {NULL, NULL}
};

static const luaL_Reg batch_funcs[] = {
    {"new", l_new},
    {"monotonic", l_monotonic},
    {NULL, NULL}
};

int wf_open_aws_batch(lua_State *L)
{
    if (luaL_newmetatable(L, BATCH_MT)) {
        luaL_newlib(L, batch_methods);
        lua_setfield(L, -2, "__index");
        lua_pushcfunction(L, l_gc);
        lua_setfield(L, -2, "__gc");
    }
    lua_pop(L, 1);
    luaL_newlib(L, batch_funcs);
    return 1;
}
