/* wf.aws call()'s parameters as cJSON without copies for what most calls carry (a flat
 * table): the tree lua_json.c's general conversion makes, with fewer allocations. */
#include "aws/lua_aws_params.h"
#include "lua_json.h"
#include "utf8.h"
#include <math.h>
#include <string.h>

#define FLAT_MAX 32   /* more members than this: the general path */

typedef struct flat_member {
    const char *key;
    size_t len;
    cJSON *value;
} flat_member;

/* lua_json.c's member order: bytes, then length. */
static int key_before(const flat_member *a, const flat_member *b)
{
    int r = memcmp(a->key, b->key, a->len < b->len ? a->len : b->len);
    return r ? r < 0 : a->len < b->len;
}

/* The value at the top of the stack as a cJSON scalar pointing into the Lua string; NULL
 * for anything wf_lua_to_json would treat otherwise (tables, invalid UTF-8, NaN, ...). */
static cJSON *flat_value(lua_State *L)
{
    switch (lua_type(L, -1)) {
    case LUA_TSTRING: {
        size_t len;
        const char *s = lua_tolstring(L, -1, &len);
        return wf_utf8_valid(s, len) ? cJSON_CreateStringReference(s) : NULL;
    }
    case LUA_TNUMBER: {
        if (lua_isinteger(L, -1))
            return cJSON_CreateNumber((double)lua_tointeger(L, -1));
        double d = lua_tonumber(L, -1);
        return isfinite(d) ? cJSON_CreateNumber(d) : NULL;
    }
    case LUA_TBOOLEAN:
        return cJSON_CreateBool(lua_toboolean(L, -1));
    default:
        return NULL;
    }
}

cJSON *wf_aws_flat_params(lua_State *L, int idx)
{
    flat_member m[FLAT_MAX];
    int n = 0, flat = 1;
    cJSON *obj = NULL;

    if (lua_getmetatable(L, idx)) {   /* json.array{}, or anything else unusual */
        lua_pop(L, 1);
        return NULL;
    }
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        size_t len = 0;
        const char *key = lua_type(L, -2) == LUA_TSTRING ? lua_tolstring(L, -2, &len) : NULL;
        cJSON *v = NULL;
        if (n == FLAT_MAX || !key || !wf_utf8_valid(key, len) || !(v = flat_value(L))) {
            lua_pop(L, 2);
            flat = 0;
            break;
        }
        lua_pop(L, 1);
        /* Insertion sort: a call has a handful of parameters. */
        int i = n++;
        flat_member cur = {key, len, v};
        for (; i > 0 && key_before(&cur, &m[i - 1]); i--)
            m[i] = m[i - 1];
        m[i] = cur;
    }
    if (flat)
        obj = cJSON_CreateObject();
    for (int i = 0; i < n; i++) {
        /* The key stays the Lua string's: the table outlives the tree. */
        if (!obj || !cJSON_AddItemToObjectCS(obj, m[i].key, m[i].value)) {
            cJSON_Delete(m[i].value);
            flat = 0;
        }
    }
    if (!flat) {
        cJSON_Delete(obj);
        return NULL;
    }
    return obj;
}
