/* Unit tests of Lua <-> JSON: round trips, numbers, strings, key order, errors with paths. */
#include "check.h"
#include "lua_json.h"
#include "lua_modules.h"
#include "utf8.h"
#include <lauxlib.h>
#include <lualib.h>
#include <stdlib.h>

static char result[8192];

/* Evaluates a Lua expression; returns its tostring(), or "ERROR: <message>". */
static const char *eval(lua_State *L, const char *expr)
{
    char code[4096];
    snprintf(code, sizeof code, "return %s", expr);
    if (luaL_loadstring(L, code) != LUA_OK || lua_pcall(L, 0, 1, 0) != LUA_OK) {
        snprintf(result, sizeof result, "ERROR: %s", lua_tostring(L, -1));
    } else {
        size_t len;
        const char *s = luaL_tolstring(L, -1, &len);
        if (len >= sizeof result)
            len = sizeof result - 1;
        memcpy(result, s, len);
        result[len] = '\0';
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
    return result;
}

/* Runs Lua statements; returns NULL on success or the error message. */
static const char *run(lua_State *L, const char *code)
{
    if (luaL_loadstring(L, code) != LUA_OK || lua_pcall(L, 0, 0, 0) != LUA_OK) {
        snprintf(result, sizeof result, "%s", lua_tostring(L, -1));
        lua_pop(L, 1);
        return result;
    }
    return NULL;
}

#define CHECK_EVAL(L, expr, expected) CHECK_STR_EQ(eval(L, expr), expected)
#define CHECK_RUN(L, code) do { const char *e_ = run(L, code); CHECK_STR_EQ(e_ ? e_ : "ok", "ok"); } while (0)

static lua_State *new_state(void)
{
    lua_State *L = luaL_newstate();
    luaL_openlibs(L);
    wf_open_json(L);
    lua_setglobal(L, "json");
    /* err(f, ...) -> the error message of f(...) */
    CHECK_RUN(L, "function err(f, ...) local ok, e = pcall(f, ...) "
                 "if ok then return 'no error' end return e end");
    return L;
}

static void test_encode_basics(lua_State *L)
{
    CHECK_EVAL(L, "json.encode({b = 1, a = {1, 2, 3}, c = 'x'})", "{\"a\":[1,2,3],\"b\":1,\"c\":\"x\"}");
    CHECK_EVAL(L, "json.encode({z = {y = {x = {}}}})", "{\"z\":{\"y\":{\"x\":{}}}}");
    CHECK_EVAL(L, "json.encode({list = json.array()})", "{\"list\":[]}");
    CHECK_EVAL(L, "json.encode(json.array({}))", "[]");
    CHECK_EVAL(L, "json.encode({})", "{}");
    CHECK_EVAL(L, "json.encode({true, false, json.null})", "[true,false,null]");
    CHECK_EVAL(L, "json.encode(nil)", "null");
    CHECK_EVAL(L, "json.encode('plain')", "\"plain\"");
    /* A table referenced twice (not a cycle) is written twice. */
    CHECK_EVAL(L, "(function() local s = {1} return json.encode({a = s, b = s}) end)()",
               "{\"a\":[1],\"b\":[1]}");
    CHECK_EVAL(L, "json.encode({a = {1, 2}, b = {}, c = json.array()}, {pretty = true})",
               "{\n  \"a\": [\n    1,\n    2\n  ],\n  \"b\": {},\n  \"c\": []\n}");
    CHECK_EVAL(L, "json.encode({a = 1}, {pretty = false})", "{\"a\":1}");
}

static void test_key_order(lua_State *L)
{
    /* Byte order, i.e. code point order: upper case before lower case. */
    CHECK_EVAL(L, "json.encode({zeta = 1, alpha = 2, Beta = 3, ['a b'] = 4, ['10'] = 5, ['9'] = 6})",
               "{\"10\":5,\"9\":6,\"Beta\":3,\"a b\":4,\"alpha\":2,\"zeta\":1}");
    /* Same output whatever order the table was filled in. */
    CHECK_RUN(L, "local a, b = {}, {} for i = 1, 100 do a['k' .. i] = i end "
                 "for i = 100, 1, -1 do b['k' .. i] = i end "
                 "assert(json.encode(a) == json.encode(b))");
}

static void test_numbers(lua_State *L)
{
    CHECK_EVAL(L, "json.encode({1, 1.5, -3, 0, 3.0, -0.0, 0.1, 1e300, -2.5e-7})",
               "[1,1.5,-3,0,3,0,0.1,1e+300,-2.5e-07]");
    /* Integral values within 2^53 are written as digits, never "1e+15". */
    CHECK_EVAL(L, "json.encode({10^15 // 1, math.tointeger(10^15), 2^53, -(2^53)})",
               "[1000000000000000,1000000000000000,9007199254740992,-9007199254740992]");
    CHECK_EVAL(L, "json.encode(2^53 - 1)", "9007199254740991");
    CHECK_EVAL(L, "json.encode(1/3)", "0.3333333333333333");
    CHECK_EVAL(L, "math.type(json.decode('42'))", "integer");
    CHECK_EVAL(L, "math.type(json.decode('-42'))", "integer");
    CHECK_EVAL(L, "math.type(json.decode('4.5'))", "float");
    CHECK_EVAL(L, "math.type(json.decode('2.0'))", "integer");   /* cJSON keeps no ".0" */
    CHECK_EVAL(L, "math.type(json.decode('1e3'))", "integer");
    CHECK_EVAL(L, "json.decode('9007199254740991') == 9007199254740991", "true");
    CHECK_EVAL(L, "math.type(json.decode('9007199254740991'))", "integer");
    CHECK_EVAL(L, "math.type(json.decode('-9007199254740991'))", "integer");
    /* Past 2^53 a double cannot say which integer the text meant: a float. */
    CHECK_EVAL(L, "math.type(json.decode('9007199254740993'))", "float");
    CHECK_EVAL(L, "math.type(json.decode('1e300'))", "float");
    /* Big Lua integers become the nearest double. */
    CHECK_EVAL(L, "json.encode(math.maxinteger)", "9.223372036854776e+18");
    CHECK_EVAL(L, "json.decode(json.encode(math.maxinteger)) == 2^63", "true");
    CHECK_EVAL(L, "math.type(json.decode(json.encode(math.mininteger)))", "float");
    CHECK_RUN(L, "for _, n in ipairs({0, 1, -1, 123456789, 2^31, -2^31 - 1, 2^40 + 7, 2^53 - 1}) do "
                 "local i = math.tointeger(n) local back = json.decode(json.encode(i)) "
                 "assert(math.type(back) == 'integer' and back == i, tostring(i)) end");
    CHECK_RUN(L, "for _, x in ipairs({0.5, -1e-300, 1.7976931348623157e308, 2^-1074, 123.456, 1/3}) do "
                 "local back = json.decode(json.encode(x)) "
                 "assert(math.type(back) == 'float' and back == x, tostring(x)) end");
}

static void test_strings(lua_State *L)
{
    CHECK_EVAL(L, "json.encode('line\\n\"q\"\\\\ \\t\\1')", "\"line\\n\\\"q\\\"\\\\ \\t\\u0001\"");
    CHECK_EVAL(L, "json.encode('caf\\u{e9} \\u{1F600}')", "\"caf\xc3\xa9 \xf0\x9f\x98\x80\"");
    /* NUL and invalid bytes become U+FFFD: the output is valid UTF-8. */
    CHECK_EVAL(L, "json.encode('a\\0b')", "\"a\xef\xbf\xbd" "b\"");
    CHECK_EVAL(L, "json.encode('\\xff\\xfe')", "\"\xef\xbf\xbd\xef\xbf\xbd\"");
    CHECK_EVAL(L, "json.encode({['k\\xff'] = 'v\\xc0'})", "{\"k\xef\xbf\xbd\":\"v\xef\xbf\xbd\"}");
    {
        const char *out = eval(L, "json.encode({s = '\\xed\\xa0\\x80 \\xf4\\x90\\x80\\x80 \\xc0\\xaf', "
                                  "t = {string.char(0, 1, 2, 127, 128, 255)}})");
        CHECK(wf_utf8_valid(out, strlen(out)));
        CHECK(strncmp(out, "ERROR", 5) != 0);
    }
    CHECK_EVAL(L, "json.decode('\"\\\\u00e9\\\\n\"') == '\\u{e9}\\n'", "true");
    CHECK_EVAL(L, "json.decode('\"\\\\ud83d\\\\ude00\"') == '\\u{1F600}'", "true");
    /* Keys that are equal once repaired would be duplicates in JSON. */
    CHECK_EVAL(L, "err(json.encode, {x = {['a\\xff'] = 1, ['a\\xfe'] = 2}})",
               "json: cannot encode two keys that are equal once invalid UTF-8 is replaced at x[\"a?\"]");
}

static void test_decode(lua_State *L)
{
    CHECK_RUN(L, "local v = json.decode('{\"a\":[1,2,{\"b\":null}],\"c\":true,\"d\":\"s\",\"e\":{}}') "
                 "assert(json.is_array(v.a) and #v.a == 3) "
                 "assert(v.a[3].b == json.null) "
                 "assert(v.c == true and v.d == 's') "
                 "assert(not json.is_array(v) and not json.is_array(v.e)) "
                 "assert(next(v.e) == nil)");
    CHECK_EVAL(L, "json.is_array(json.decode('[]'))", "true");
    CHECK_EVAL(L, "json.encode(json.decode('[]'))", "[]");
    CHECK_EVAL(L, "json.encode(json.decode('{}'))", "{}");
    CHECK_EVAL(L, "json.encode(json.decode('{\"a\":[]}'))", "{\"a\":[]}");
    CHECK_EVAL(L, "json.decode('null') == json.null", "true");
    CHECK_EVAL(L, "json.decode('  \\n true \\t')", "true");
    /* Round trips through text are exact for canonical (sorted, compact) JSON. */
    {
        const char *canonical =
            "{\"a\":[1,2.5,-3,[],{},[[]],\"x\"],\"b\":{\"c\":{\"d\":[true,false,null]}},"
            "\"e\":\"\xc3\xa9\\n\\u0001\",\"f\":9007199254740991,\"g\":-0.001}";
        char expr[1024];
        snprintf(expr, sizeof expr, "json.encode(json.decode([==[%s]==]))", canonical);
        CHECK_EVAL(L, expr, canonical);
    }
    /* Errors: position of the first bad byte, 1-based. */
    CHECK_EVAL(L, "err(json.decode, '{\"a\":}')", "json: invalid JSON at byte 6");
    CHECK_EVAL(L, "err(json.decode, '1 2')", "json: invalid JSON at byte 3");
    CHECK_EVAL(L, "err(json.decode, '')", "json: invalid JSON at byte 1 (unexpected end)");
    CHECK_EVAL(L, "err(json.decode, '[1,2')", "json: invalid JSON at byte 5 (unexpected end)");
    CHECK_EVAL(L, "err(json.decode, '\"a\\0\"')", "json: invalid JSON at byte 3 (NUL byte)");
    CHECK_EVAL(L, "err(json.decode, '[1]\\0')", "json: invalid JSON at byte 4 (NUL byte)");
    CHECK_EVAL(L, "select(2, pcall(json.decode, {}))",
               "bad argument #1 to '?' (string expected, got table)");
}

static void test_array_marker(lua_State *L)
{
    CHECK_EVAL(L, "json.is_array(json.array())", "true");
    CHECK_EVAL(L, "json.is_array({})", "false");
    CHECK_EVAL(L, "json.is_array({1, 2})", "false");    /* only the marker counts */
    CHECK_EVAL(L, "json.is_array('x')", "false");
    CHECK_EVAL(L, "(function() local t = {} return json.array(t) == t end)()", "true");
    CHECK_EVAL(L, "json.encode(json.array({1, 2}))", "[1,2]");
    CHECK_EVAL(L, "getmetatable(json.array()) == getmetatable(json.decode('[]'))", "true");
    CHECK_EVAL(L, "err(json.array, setmetatable({}, {}))",
               "json.array: the table already has a metatable");
    CHECK_EVAL(L, "json.is_array(json.array(json.array()))", "true");
    /* A marked array with object keys is a mixed table. */
    CHECK_EVAL(L, "err(json.encode, {a = json.array({x = 1})})",
               "json: cannot encode a table mixing array items and object keys at a");
}

static void test_encode_errors(lua_State *L)
{
    CHECK_EVAL(L, "err(json.encode, {outputs = {handler = print}})",
               "json: cannot encode function at outputs.handler");
    CHECK_EVAL(L, "err(json.encode, print)", "json: cannot encode function");
    CHECK_EVAL(L, "err(json.encode, {list = {1, {f = coroutine.create(print)}}})",
               "json: cannot encode thread at list[2].f");
    CHECK_EVAL(L, "err(json.encode, {['my key'] = {io.stdout}})",
               "json: cannot encode userdata at [\"my key\"][1]");
    CHECK_EVAL(L, "err(json.encode, {a = {['x\\n'] = print}})", "json: cannot encode function at a[\"x?\"]");
    CHECK_EVAL(L, "(function() local t = {} t.self = t return err(json.encode, t) end)()",
               "json: cannot encode a table that contains itself (cycle) at self");
    CHECK_EVAL(L, "(function() local t = {a = {}} t.a.b = {t} return err(json.encode, t) end)()",
               "json: cannot encode a table that contains itself (cycle) at a.b[1]");
    CHECK_EVAL(L, "err(json.encode, {1, 2, x = 3})",
               "json: cannot encode a table mixing array items and object keys");
    CHECK_EVAL(L, "err(json.encode, {a = {items = {1, x = 2}}})",
               "json: cannot encode a table mixing array items and object keys at a.items");
    CHECK_EVAL(L, "err(json.encode, {a = {[1] = 1, [3] = 3}})",
               "json: cannot encode a sparse array (integer keys are not 1..n) at a");
    CHECK_EVAL(L, "err(json.encode, {[0] = 'zero'})",
               "json: cannot encode a sparse array (integer keys are not 1..n)");
    CHECK_EVAL(L, "err(json.encode, {x = {[true] = 1}})", "json: cannot encode a table with a boolean key at x");
    CHECK_EVAL(L, "err(json.encode, {x = {[1.5] = 1}})",
               "json: cannot encode a table with a non-integer number key at x");
    CHECK_EVAL(L, "err(json.encode, {x = 0/0})", "json: cannot encode NaN at x");
    CHECK_EVAL(L, "err(json.encode, {x = {-math.huge}})", "json: cannot encode -inf at x[1]");
    CHECK_EVAL(L, "err(json.encode, {}, 'pretty')",
               "bad argument #2 to '?' (table expected, got string)");
    /* Nesting: 200 tables are fine, 201 are not. */
    CHECK_RUN(L, "function nest(n) local t = {} local top = t for i = 2, n do t.x = {} t = t.x end "
                 "return top end");
    CHECK_EVAL(L, "#json.encode(nest(200)) > 0", "true");
    CHECK_EVAL(L, "err(json.encode, nest(201)):match('^json: cannot encode tables nested deeper than 200 at x%.x')",
               "json: cannot encode tables nested deeper than 200 at x.x");
}

/* The C interface: errors without Lua, printing trees built in C, the guard. */
static void test_c_api(lua_State *L)
{
    wf_error err = {0};
    cJSON *tree;
    char *text;

    lua_newtable(L);
    lua_pushcfunction(L, luaopen_base);
    lua_setfield(L, -2, "fn");
    CHECK(wf_lua_to_json(L, -1, &err) == NULL);
    CHECK_INT_EQ(err.code, WF_EINVAL);
    CHECK_STR_EQ(err.message, "json: cannot encode function at fn");
    lua_pop(L, 1);
    CHECK_INT_EQ(lua_gettop(L), 0);     /* errors leave the stack as they found it */

    lua_createtable(L, 0, 0);
    wf_json_mark_array(L, -1);
    tree = wf_lua_to_json(L, -1, &err);
    CHECK(cJSON_IsArray(tree) && cJSON_GetArraySize(tree) == 0);
    cJSON_Delete(tree);
    lua_pop(L, 1);

    /* A tree built in C in any order still prints sorted. */
    tree = cJSON_CreateObject();
    cJSON_AddNumberToObject(tree, "b", 1e15);
    cJSON_AddStringToObject(tree, "a", "x\xff");
    cJSON_AddItemToObject(tree, "c", cJSON_CreateArray());
    text = wf_json_print(tree, 0);
    CHECK_STR_EQ(text, "{\"a\":\"x\xef\xbf\xbd\",\"b\":1000000000000000,\"c\":[]}");
    free(text);
    wf_json_push(L, tree);
    CHECK(lua_istable(L, -1));
    lua_getfield(L, -1, "b");
    CHECK(lua_isinteger(L, -1));
    CHECK_INT_EQ(lua_tointeger(L, -1), 1000000000000000LL);
    lua_pop(L, 2);
    cJSON_Delete(tree);

    text = wf_json_print(NULL, 1);
    CHECK_STR_EQ(text, "null");
    free(text);

    wf_json_push(L, NULL);
    CHECK(wf_json_is_null(L, -1));
    lua_pop(L, 1);

    /* A tree left in a guard is freed by the collector (ASan would see a leak). */
    *wf_json_guard(L) = cJSON_CreateString("left behind");
    lua_pop(L, 1);
    lua_gc(L, LUA_GCCOLLECT, 0);
}

int main(void)
{
    lua_State *L = new_state();
    test_encode_basics(L);
    test_key_order(L);
    test_numbers(L);
    test_strings(L);
    test_decode(L);
    test_array_marker(L);
    test_encode_errors(L);
    test_c_api(L);
    lua_close(L);
    return CHECK_DONE();
}
