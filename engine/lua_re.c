/* Module "wf.re": PCRE2 regular expressions for workflows (AMI name patterns, S3 sync
 * include/exclude): re.test, re.match, re.find. Patterns are UTF-8 aware. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <string.h>

#include <lauxlib.h>
#include <lua.h>

#include "lua_modules.h"

/* A compiled pattern and its match data, owned by a full userdata (freed by __gc). The
 * module keeps them in a cache keyed by the pattern text: an S3 sync tests the same
 * include/exclude patterns on every key, and compiling costs far more than matching. */
typedef struct compiled {
    pcre2_code *re;
    pcre2_match_data *md;
} compiled;

#define COMPILED_META "wf.re.compiled"
#define CACHE_MAX 64   /* patterns kept; past this the cache starts over */

static int compiled_gc(lua_State *L)
{
    compiled *c = luaL_checkudata(L, 1, COMPILED_META);
    pcre2_match_data_free(c->md);
    pcre2_code_free(c->re);
    c->md = NULL;
    c->re = NULL;
    return 0;
}

/* Empties the cache table at idx, its count (integer key 1) included. */
static void cache_clear(lua_State *L, int idx)
{
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        lua_pop(L, 1);
        lua_pushvalue(L, -1);
        lua_pushnil(L);
        lua_rawset(L, idx);   /* clearing a field during the traversal is allowed */
    }
}

/* The compiled form of the pattern at arg 1, from the cache (upvalue 1: pattern text ->
 * compiled, and at integer key 1 how many it holds) or compiled now; raises an error
 * quoting a bad pattern. */
static compiled *compiled_pattern(lua_State *L)
{
    size_t len;
    const char *pattern = luaL_checklstring(L, 1, &len);
    lua_pushvalue(L, 1);
    if (lua_rawget(L, lua_upvalueindex(1)) == LUA_TUSERDATA) {
        compiled *c = lua_touserdata(L, -1);
        lua_pop(L, 1);   /* the cache keeps it alive */
        return c;
    }
    lua_pop(L, 1);
    int cache = lua_upvalueindex(1);
    lua_rawgeti(L, cache, 1);
    lua_Integer count = lua_tointeger(L, -1);
    lua_pop(L, 1);
    if (count >= CACHE_MAX) {
        cache_clear(L, cache);
        count = 0;
    }
    compiled *c = lua_newuserdatauv(L, sizeof *c, 0);
    c->re = NULL;
    c->md = NULL;
    luaL_setmetatable(L, COMPILED_META);
    int code;
    PCRE2_SIZE offset;
    c->re = pcre2_compile((PCRE2_SPTR)pattern, len, PCRE2_UTF | PCRE2_MATCH_INVALID_UTF, &code,
                          &offset, NULL);
    if (!c->re) {
        PCRE2_UCHAR msg[256];
        pcre2_get_error_message(code, msg, sizeof msg);
        luaL_error(L, "re: bad pattern \"%s\" at offset %d: %s", pattern, (int)offset,
                   (const char *)msg);
    }
    c->md = pcre2_match_data_create_from_pattern(c->re, NULL);
    if (!c->md)
        luaL_error(L, "re: out of memory");
    lua_pushvalue(L, 1);
    lua_pushvalue(L, -2);
    lua_rawset(L, cache);
    lua_pushinteger(L, count + 1);
    lua_rawseti(L, cache, 1);
    lua_pop(L, 1);
    return c;
}

/* Runs pattern (arg 1) on subject (arg 2) from init (arg 3, 1-based); returns the number
 * of pairs in the ovector (0 when no match) and the ovector. */
static int run(lua_State *L, PCRE2_SIZE **ov)
{
    size_t len;
    const char *subject = luaL_checklstring(L, 2, &len);
    lua_Integer start = luaL_optinteger(L, 3, 1);
    compiled *c = compiled_pattern(L);
    if (start < 1)
        start = 1;
    size_t init = (size_t)start - 1;
    int rc = init > len ? PCRE2_ERROR_NOMATCH
                        : pcre2_match(c->re, (PCRE2_SPTR)subject, len, init, 0, c->md, NULL);
    *ov = pcre2_get_ovector_pointer(c->md);
    if (rc == PCRE2_ERROR_NOMATCH)
        return 0;
    if (rc < 0) {
        PCRE2_UCHAR msg[256];
        pcre2_get_error_message(rc, msg, sizeof msg);
        luaL_error(L, "re: match failed: %s", (const char *)msg);
    }
    return rc == 0 ? (int)pcre2_get_ovector_count(c->md) : rc;
}

/* test(pattern, subject) -> boolean */
static int re_test(lua_State *L)
{
    PCRE2_SIZE *ov;
    lua_pushboolean(L, run(L, &ov) > 0);
    return 1;
}

/* match(pattern, subject [, init]) -> the captures (or the whole match when none), or nil */
static int re_match(lua_State *L)
{
    PCRE2_SIZE *ov;
    int n = run(L, &ov);
    const char *subject = lua_tostring(L, 2);
    if (n == 0) {
        lua_pushnil(L);
        return 1;
    }
    if (n == 1) {
        lua_pushlstring(L, subject + ov[0], ov[1] - ov[0]);
        return 1;
    }
    for (int i = 1; i < n; i++) {
        if (ov[2 * i] == PCRE2_UNSET)
            lua_pushnil(L);
        else
            lua_pushlstring(L, subject + ov[2 * i], ov[2 * i + 1] - ov[2 * i]);
    }
    return n - 1;
}

/* find(pattern, subject [, init]) -> start, end (1-based, inclusive) or nil */
static int re_find(lua_State *L)
{
    PCRE2_SIZE *ov;
    if (run(L, &ov) == 0) {
        lua_pushnil(L);
        return 1;
    }
    lua_pushinteger(L, (lua_Integer)ov[0] + 1);
    lua_pushinteger(L, (lua_Integer)ov[1]);
    return 2;
}

static const luaL_Reg re_functions[] = {
    {"test", re_test},
    {"match", re_match},
    {"find", re_find},
    {NULL, NULL}
};

int wf_open_re(lua_State *L)
{
    if (luaL_newmetatable(L, COMPILED_META)) {
        lua_pushcfunction(L, compiled_gc);
        lua_setfield(L, -2, "__gc");
    }
    lua_pop(L, 1);
    luaL_newlibtable(L, re_functions);
    lua_newtable(L);   /* the cache, shared by the functions as their upvalue */
    luaL_setfuncs(L, re_functions, 1);
    return 1;
}
