/* Module "wf.re": PCRE2 regular expressions for workflows (AMI name patterns, S3 sync
 * include/exclude): re.test, re.match, re.find. Patterns are UTF-8 aware. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <string.h>

#include <lauxlib.h>
#include <lua.h>

#include "lua_modules.h"

/* Compiles pattern or raises an error quoting it; the caller frees the code. */
static pcre2_code *compile(lua_State *L, int idx)
{
    size_t len;
    const char *pattern = luaL_checklstring(L, idx, &len);
    int code;
    PCRE2_SIZE offset;
    pcre2_code *re = pcre2_compile((PCRE2_SPTR)pattern, len, PCRE2_UTF | PCRE2_MATCH_INVALID_UTF,
                                   &code, &offset, NULL);
    if (!re) {
        PCRE2_UCHAR msg[256];
        pcre2_get_error_message(code, msg, sizeof msg);
        luaL_error(L, "re: bad pattern \"%s\" at offset %d: %s", pattern, (int)offset, (const char *)msg);
    }
    return re;
}

/* Runs pattern (arg 1) on subject (arg 2) from init (arg 3, 1-based); returns the number
 * of pairs in ovector (0 when no match) and leaves code/data for the caller to free. */
static int run(lua_State *L, pcre2_code **re_out, pcre2_match_data **md_out, size_t *init)
{
    size_t len;
    const char *subject = luaL_checklstring(L, 2, &len);
    lua_Integer start = luaL_optinteger(L, 3, 1);
    pcre2_code *re = compile(L, 1);
    pcre2_match_data *md = pcre2_match_data_create_from_pattern(re, NULL);
    if (!md) {
        pcre2_code_free(re);
        luaL_error(L, "re: out of memory");
    }
    if (start < 1)
        start = 1;
    *init = (size_t)start - 1;
    int rc = *init > len ? PCRE2_ERROR_NOMATCH
                         : pcre2_match(re, (PCRE2_SPTR)subject, len, *init, 0, md, NULL);
    *re_out = re;
    *md_out = md;
    if (rc == PCRE2_ERROR_NOMATCH)
        return 0;
    if (rc < 0) {
        PCRE2_UCHAR msg[256];
        pcre2_get_error_message(rc, msg, sizeof msg);
        pcre2_match_data_free(md);
        pcre2_code_free(re);
        luaL_error(L, "re: match failed: %s", (const char *)msg);
    }
    return rc == 0 ? (int)pcre2_get_ovector_count(md) : rc;
}

/* test(pattern, subject) -> boolean */
static int re_test(lua_State *L)
{
    pcre2_code *re;
    pcre2_match_data *md;
    size_t init;
    int n = run(L, &re, &md, &init);
    lua_pushboolean(L, n > 0);
    pcre2_match_data_free(md);
    pcre2_code_free(re);
    return 1;
}

/* match(pattern, subject [, init]) -> the captures (or the whole match when none), or nil */
static int re_match(lua_State *L)
{
    pcre2_code *re;
    pcre2_match_data *md;
    size_t init;
    int n = run(L, &re, &md, &init);
    const char *subject = lua_tostring(L, 2);
    PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
    int pushed = 0;
    if (n == 0) {
        lua_pushnil(L);
        pushed = 1;
    } else if (n == 1) {
        lua_pushlstring(L, subject + ov[0], ov[1] - ov[0]);
        pushed = 1;
    } else {
        for (int i = 1; i < n; i++) {
            if (ov[2 * i] == PCRE2_UNSET)
                lua_pushnil(L);
            else
                lua_pushlstring(L, subject + ov[2 * i], ov[2 * i + 1] - ov[2 * i]);
            pushed++;
        }
    }
    pcre2_match_data_free(md);
    pcre2_code_free(re);
    return pushed;
}

/* find(pattern, subject [, init]) -> start, end (1-based, inclusive) or nil */
static int re_find(lua_State *L)
{
    pcre2_code *re;
    pcre2_match_data *md;
    size_t init;
    int n = run(L, &re, &md, &init);
    PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
    if (n == 0) {
        lua_pushnil(L);
    } else {
        lua_pushinteger(L, (lua_Integer)ov[0] + 1);
        lua_pushinteger(L, (lua_Integer)ov[1]);
    }
    pcre2_match_data_free(md);
    pcre2_code_free(re);
    return n == 0 ? 1 : 2;
}

static const luaL_Reg re_functions[] = {
    {"test", re_test},
    {"match", re_match},
    {"find", re_find},
    {NULL, NULL}
};

int wf_open_re(lua_State *L)
{
    luaL_newlib(L, re_functions);
    return 1;
}
