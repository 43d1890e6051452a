/* Unit tests of wf_aws_flat_params (engine/aws/lua_aws_params.c): for every flat table it
 * makes the same tree as wf_lua_to_json (same members, same order), pointing into the Lua
 * strings; for everything else it gives NULL, so the call falls back to wf_lua_to_json. */
#include "aws/lua_aws_params.h"
#include "check.h"
#include "lua_json.h"
#include "lua_modules.h"
#include <lauxlib.h>
#include <lualib.h>
#include <stdlib.h>

/* Pushes the value of a Lua expression (json is the wf.json module). */
static void push_expr(lua_State *L, const char *expr)
{
    char code[8192];
    snprintf(code, sizeof code, "return %s", expr);
    if (luaL_loadstring(L, code) != LUA_OK || lua_pcall(L, 0, 1, 0) != LUA_OK) {
        fprintf(stderr, "bad test expression %s: %s\n", expr, lua_tostring(L, -1));
        exit(2);
    }
}

/* The table of expr converts flat, to exactly what the general conversion prints. */
static void check_flat(lua_State *L, const char *expr, const char *expected)
{
    push_expr(L, expr);
    int top = lua_gettop(L);
    wf_error err = {0};
    cJSON *flat = wf_aws_flat_params(L, top);
    CHECK_INT_EQ(lua_gettop(L), top);
    cJSON *general = wf_lua_to_json(L, top, &err);
    CHECK(flat != NULL && general != NULL);
    if (flat && general) {
        char *a = cJSON_PrintUnformatted(flat), *b = cJSON_PrintUnformatted(general);
        CHECK_STR_EQ(a, b);
        CHECK_STR_EQ(a, expected);
        free(a);
        free(b);
        /* Keys and strings are the Lua strings themselves, not copies. */
        for (const cJSON *m = flat->child; m; m = m->next) {
            CHECK(m->type & cJSON_StringIsConst);
            if (cJSON_IsString(m))
                CHECK(m->type & cJSON_IsReference);
        }
    }
    cJSON_Delete(flat);
    cJSON_Delete(general);
    lua_pop(L, 1);
}

/* The table of expr is not flat: NULL, the stack as it was. */
static void check_not_flat(lua_State *L, const char *expr)
{
    push_expr(L, expr);
    int top = lua_gettop(L);
    cJSON *flat = wf_aws_flat_params(L, top);
    if (flat)
        fprintf(stderr, "flat, but should not be: %s\n", expr);
    CHECK(flat == NULL);
    CHECK_INT_EQ(lua_gettop(L), top);
    cJSON_Delete(flat);
    lua_pop(L, 1);
}

int main(void)
{
    lua_State *L = luaL_newstate();
    luaL_openlibs(L);
    wf_open_json(L);
    lua_setglobal(L, "json");

    check_flat(L, "{ Bucket = 'bench', Key = 'object.txt' }",
               "{\"Bucket\":\"bench\",\"Key\":\"object.txt\"}");
    /* Sorted by bytes, a prefix first; numbers, booleans, an empty key, UTF-8. */
    check_flat(L, "{ b = 1, a = 2.5, ab = true, aa = false, ['a b'] = 'x', [''] = 'e', "
                  "Z = -7, big = 3000000000, ['k\\u{e9}y'] = 'caf\\u{e9}' }",
               "{\"\":\"e\",\"Z\":-7,\"a\":2.5,\"a b\":\"x\",\"aa\":false,\"ab\":true,"
               "\"b\":1,\"big\":3000000000,\"k\xc3\xa9y\":\"caf\xc3\xa9\"}");
    check_flat(L, "{ MaxKeys = 1000, Prefix = '', Delimiter = '/' }",
               "{\"Delimiter\":\"/\",\"MaxKeys\":1000,\"Prefix\":\"\"}");
    /* 32 members: still flat. */
    {
        char expr[4096] = "{", expected[4096] = "{";
        for (int i = 0; i < 32; i++) {
            char m[64];
            snprintf(m, sizeof m, "%sk%02d = %d", i ? ", " : "", i, i);
            strcat(expr, m);
            snprintf(m, sizeof m, "%s\"k%02d\":%d", i ? "," : "", i, i);
            strcat(expected, m);
        }
        strcat(expr, "}");
        strcat(expected, "}");
        check_flat(L, expr, expected);
    }

    check_not_flat(L, "(function() local t = {} for i = 1, 33 do t['k' .. i] = i end return t end)()");
    check_not_flat(L, "{ Tags = { { Key = 'a', Value = 'b' } } }");   /* nested */
    check_not_flat(L, "{ Metadata = {} }");
    check_not_flat(L, "{ 'a', 'b' }");
    check_not_flat(L, "{ a = 1, [1] = 2 }");
    check_not_flat(L, "{ [1.5] = 'x' }");
    check_not_flat(L, "{ [true] = 'x' }");
    check_not_flat(L, "setmetatable({ a = 1 }, {})");
    check_not_flat(L, "setmetatable({ a = 1 }, getmetatable(json.array {}))");
    check_not_flat(L, "{ a = 0/0 }");
    check_not_flat(L, "{ a = math.huge }");
    check_not_flat(L, "{ a = -math.huge }");
    check_not_flat(L, "{ a = 'x\\0y' }");
    check_not_flat(L, "{ a = '\\xff' }");
    check_not_flat(L, "{ ['\\xff'] = 'x' }");
    check_not_flat(L, "{ a = json.null }");
    check_not_flat(L, "{ a = print }");
    check_not_flat(L, "{ b = 'ok', a = io.stdout }");   /* after members already made */

    lua_close(L);
    return CHECK_DONE();
}
