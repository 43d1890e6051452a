/* Lua values <-> cJSON <-> JSON text, and the "wf.json" module built on them. */
#include "lua_json.h"
#include "lua_modules.h"
#include "utf8.h"
#include <assert.h>
#include <lauxlib.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 200
#define ARRAY_MT "wf.json.array"    /* registry key of the shared array marker */
#define GUARD_MT "wf.json.guard"
#define MAX_EXACT 9007199254740992.0 /* 2^53: every integer up to here is a double */

/* json.null is the address of this byte: unique, and never equal to a Lua value. */
static const char null_sentinel;

/* ---- Lua -> cJSON ---------------------------------------------------------------- */

/* One step of the path from the root to the value being converted, kept on the C stack
 * so that error messages can name "outputs.items[3]" without allocating. */
typedef struct path_seg {
    const struct path_seg *up;
    const char *key;        /* object member (not NUL-terminated), or NULL for an index */
    size_t key_len;
    lua_Integer index;      /* 1-based array index when key is NULL */
} path_seg;

typedef struct conv {
    lua_State *L;
    wf_error *err;
    const void *open[MAX_DEPTH];    /* tables on the current path: a repeat is a cycle */
    int depth;
} conv;

typedef struct member {
    const char *key;        /* NUL-terminated valid UTF-8: the Lua string, or `owned` */
    size_t len;
    char *owned;            /* sanitised copy when the Lua key was not valid UTF-8 */
    const char *lua_key;    /* the key as Lua has it, for messages */
    size_t lua_len;
    cJSON *value;
} member;

static int is_identifier(const char *s, size_t n)
{
    if (n == 0 || !(s[0] == '_' || (s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z')))
        return 0;
    for (size_t i = 1; i < n; i++) {
        char c = s[i];
        if (!(c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')))
            return 0;
    }
    return 1;
}

/* Writes the path as Lua would spell it: a.b[2]["odd key"]; "" for the root. */
static void format_path(const path_seg *at, char *out, size_t cap)
{
    const path_seg *segs[MAX_DEPTH + 1];
    int n = 0;
    size_t used = 0;

    for (; at && n < MAX_DEPTH + 1; at = at->up)
        segs[n++] = at;
    out[0] = '\0';
    while (n-- > 0 && used < cap) {
        const path_seg *s = segs[n];
        int w;
        if (!s->key) {
            w = snprintf(out + used, cap - used, "[%lld]", (long long)s->index);
        } else if (is_identifier(s->key, s->key_len)) {
            w = snprintf(out + used, cap - used, "%s%.*s", used ? "." : "", (int)s->key_len, s->key);
        } else {
            char shown[48];
            size_t k = 0;
            /* Keys may hold any bytes: show printable ASCII, '?' for the rest, cut long ones. */
            for (size_t i = 0; i < s->key_len && k < 40; i++) {
                unsigned char c = (unsigned char)s->key[i];
                shown[k++] = (c >= 0x20 && c < 0x7f && c != '"') ? (char)c : '?';
            }
            shown[k] = '\0';
            w = snprintf(out + used, cap - used, "[\"%s%s\"]", shown, s->key_len > 40 ? "..." : "");
        }
        if (w < 0)
            break;
        used += (size_t)w;
    }
}

static cJSON *fail_at(conv *c, wf_status code, const path_seg *at, const char *what)
{
    char path[512];
    format_path(at, path, sizeof path);
    if (path[0])
        wf_error_set(c->err, code, "json: %s at %s", what, path);
    else
        wf_error_set(c->err, code, "json: %s", what);
    return NULL;
}

static cJSON *oom(conv *c)
{
    wf_error_set(c->err, WF_ENOMEM, "json: out of memory");
    return NULL;
}

/* A string as valid UTF-8: invalid bytes (and NUL, which cJSON cannot hold) -> U+FFFD. */
static cJSON *make_string(conv *c, const char *s, size_t len)
{
    cJSON *item;
    if (wf_utf8_valid(s, len))
        item = cJSON_CreateString(s);
    else {
        char *clean = wf_utf8_sanitize(s, len, NULL);
        if (!clean)
            return oom(c);
        item = cJSON_CreateString(clean);
        free(clean);
    }
    return item ? item : oom(c);
}

static int has_array_marker(lua_State *L, int idx)
{
    int marked = 0;
    if (lua_getmetatable(L, idx)) {
        luaL_getmetatable(L, ARRAY_MT);
        marked = lua_rawequal(L, -1, -2);
        lua_pop(L, 2);
    }
    return marked;
}

static int member_cmp(const void *a, const void *b)
{
    const member *x = a, *y = b;
    int r = memcmp(x->key, y->key, x->len < y->len ? x->len : y->len);
    if (r)
        return r;
    return (x->len > y->len) - (x->len < y->len);
}

static cJSON *convert(conv *c, int idx, const path_seg *at);

static cJSON *convert_array(conv *c, int idx, const path_seg *at, lua_Integer n)
{
    lua_State *L = c->L;
    cJSON *arr = cJSON_CreateArray();
    if (!arr)
        return oom(c);
    for (lua_Integer i = 1; i <= n; i++) {
        path_seg seg = {at, NULL, 0, i};
        lua_rawgeti(L, idx, i);
        cJSON *item = convert(c, lua_gettop(L), &seg);
        lua_pop(L, 1);
        if (!item)
            goto fail;
        if (!cJSON_AddItemToArray(arr, item)) {
            cJSON_Delete(item);
            oom(c);
            goto fail;
        }
    }
    return arr;
fail:
    cJSON_Delete(arr);
    return NULL;
}

/* Converts every member first (no Lua allocation can happen, so no longjmp can leak the
 * partial tree), then sorts them by key so output is deterministic. */
static cJSON *convert_object(conv *c, int idx, const path_seg *at, size_t n)
{
    lua_State *L = c->L;
    member *m = calloc(n ? n : 1, sizeof *m);
    cJSON *obj = NULL;
    size_t got = 0;

    if (!m)
        return oom(c);
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        size_t len;
        const char *key = lua_tolstring(L, -2, &len);   /* a string: the scan checked */
        path_seg seg = {at, key, len, 0};
        assert(got < n);
        m[got].key = m[got].lua_key = key;
        m[got].len = m[got].lua_len = len;
        if (!wf_utf8_valid(key, len)) {
            m[got].owned = wf_utf8_sanitize(key, len, &m[got].len);
            if (!m[got].owned) {
                lua_pop(L, 2);
                oom(c);
                goto fail;
            }
            m[got].key = m[got].owned;
        }
        m[got].value = convert(c, lua_gettop(L), &seg);
        got++;
        lua_pop(L, 1);
        if (!m[got - 1].value) {
            lua_pop(L, 1);
            goto fail;
        }
    }
    qsort(m, got, sizeof *m, member_cmp);
    for (size_t i = 1; i < got; i++) {
        if (member_cmp(&m[i - 1], &m[i]) == 0) {
            path_seg seg = {at, m[i].lua_key, m[i].lua_len, 0};
            fail_at(c, WF_EINVAL, &seg, "cannot encode two keys that are equal once invalid UTF-8 is replaced");
            goto fail;
        }
    }
    obj = cJSON_CreateObject();
    if (!obj) {
        oom(c);
        goto fail;
    }
    for (size_t i = 0; i < got; i++) {
        if (!cJSON_AddItemToObject(obj, m[i].key, m[i].value)) {
            oom(c);
            goto fail;
        }
        m[i].value = NULL;      /* owned by obj now */
    }
    for (size_t i = 0; i < got; i++)
        free(m[i].owned);
    free(m);
    return obj;
fail:
    for (size_t i = 0; i < got; i++) {
        cJSON_Delete(m[i].value);
        free(m[i].owned);
    }
    free(m);
    cJSON_Delete(obj);
    return NULL;
}

static cJSON *convert_table(conv *c, int idx, const path_seg *at)
{
    lua_State *L = c->L;
    const void *self = lua_topointer(L, idx);
    size_t nstr = 0;
    lua_Integer nint = 0, lo = 0, hi = 0;
    const char *badkey = NULL;
    cJSON *result;

    if (c->depth >= MAX_DEPTH)
        return fail_at(c, WF_EINVAL, at, "cannot encode tables nested deeper than 200");
    for (int i = 0; i < c->depth; i++)
        if (c->open[i] == self)
            return fail_at(c, WF_EINVAL, at, "cannot encode a table that contains itself (cycle)");
    if (!lua_checkstack(L, 8))
        return fail_at(c, WF_ENOMEM, at, "Lua stack exhausted");

    lua_pushnil(L);
    while (lua_next(L, idx)) {
        int kt = lua_type(L, -2);
        if (kt == LUA_TSTRING) {
            nstr++;
        } else if (kt == LUA_TNUMBER && lua_isinteger(L, -2)) {
            lua_Integer k = lua_tointeger(L, -2);
            if (nint == 0 || k < lo) lo = k;
            if (nint == 0 || k > hi) hi = k;
            nint++;
        } else if (!badkey) {
            badkey = kt == LUA_TNUMBER ? "non-integer number" : lua_typename(L, kt);
        }
        lua_pop(L, 1);
    }
    if (badkey) {
        char what[96];
        snprintf(what, sizeof what, "cannot encode a table with a %s key", badkey);
        return fail_at(c, WF_EINVAL, at, what);
    }
    if (nstr && (nint || has_array_marker(L, idx)))
        return fail_at(c, WF_EINVAL, at, "cannot encode a table mixing array items and object keys");
    if (nint && (lo != 1 || hi != nint))
        return fail_at(c, WF_EINVAL, at, "cannot encode a sparse array (integer keys are not 1..n)");

    c->open[c->depth++] = self;
    if (nint || (nstr == 0 && has_array_marker(L, idx)))
        result = convert_array(c, idx, at, nint);
    else
        result = convert_object(c, idx, at, nstr);
    c->depth--;
    return result;
}

static cJSON *convert(conv *c, int idx, const path_seg *at)
{
    lua_State *L = c->L;
    cJSON *item = NULL;
    char what[96];

    switch (lua_type(L, idx)) {
    case LUA_TNIL:
        item = cJSON_CreateNull();
        break;
    case LUA_TBOOLEAN:
        item = cJSON_CreateBool(lua_toboolean(L, idx));
        break;
    case LUA_TNUMBER:
        if (lua_isinteger(L, idx)) {
            /* Beyond +-2^53 this is the nearest double: cJSON stores only doubles. */
            item = cJSON_CreateNumber((double)lua_tointeger(L, idx));
        } else {
            double d = lua_tonumber(L, idx);
            if (isnan(d))
                return fail_at(c, WF_EINVAL, at, "cannot encode NaN");
            if (isinf(d))
                return fail_at(c, WF_EINVAL, at, d > 0 ? "cannot encode inf" : "cannot encode -inf");
            item = cJSON_CreateNumber(d);
        }
        break;
    case LUA_TSTRING: {
        size_t len;
        const char *s = lua_tolstring(L, idx, &len);
        return make_string(c, s, len);
    }
    case LUA_TTABLE:
        return convert_table(c, idx, at);
    case LUA_TLIGHTUSERDATA:
        if (lua_touserdata(L, idx) == (void *)&null_sentinel) {
            item = cJSON_CreateNull();
            break;
        }
        /* fall through */
    default:
        snprintf(what, sizeof what, "cannot encode %s", luaL_typename(L, idx));
        return fail_at(c, WF_EINVAL, at, what);
    }
    return item ? item : oom(c);
}

cJSON *wf_lua_to_json(lua_State *L, int idx, wf_error *err)
{
    conv c;
    assert(L);
    c.L = L;
    c.err = err;
    c.depth = 0;
    return convert(&c, lua_absindex(L, idx), NULL);
}

/* ---- cJSON -> Lua ---------------------------------------------------------------- */

static void push_array_marker(lua_State *L)
{
    luaL_newmetatable(L, ARRAY_MT);     /* creates it on first use, pushes it always */
}

void wf_json_mark_array(lua_State *L, int idx)
{
    idx = lua_absindex(L, idx);
    luaL_checktype(L, idx, LUA_TTABLE);
    push_array_marker(L);
    lua_setmetatable(L, idx);
}

int wf_json_is_null(lua_State *L, int idx)
{
    return lua_touserdata(L, idx) == (void *)&null_sentinel;
}

static void push_number(lua_State *L, double d)
{
    /* cJSON kept only a double. Below 2^53 an integral one was that integer in the text;
     * from 2^53 on, neighbouring integers share a double, so say float. */
    if (d == floor(d) && fabs(d) < MAX_EXACT)
        lua_pushinteger(L, (lua_Integer)d);
    else
        lua_pushnumber(L, d);
}

void wf_json_push(lua_State *L, const cJSON *json)
{
    luaL_checkstack(L, 4, "json: nesting too deep");
    if (!json) {
        lua_pushlightuserdata(L, (void *)&null_sentinel);
        return;
    }
    switch (json->type & 0xFF) {
    case cJSON_False:
        lua_pushboolean(L, 0);
        break;
    case cJSON_True:
        lua_pushboolean(L, 1);
        break;
    case cJSON_Number:
        push_number(L, json->valuedouble);
        break;
    case cJSON_String:
    case cJSON_Raw:
        lua_pushstring(L, json->valuestring ? json->valuestring : "");
        break;
    case cJSON_Array: {
        int n = cJSON_GetArraySize(json);
        lua_Integer i = 1;
        lua_createtable(L, n, 0);
        for (const cJSON *e = json->child; e; e = e->next) {
            wf_json_push(L, e);
            lua_rawseti(L, -2, i++);
        }
        wf_json_mark_array(L, -1);
        break;
    }
    case cJSON_Object: {
        lua_createtable(L, 0, cJSON_GetArraySize(json));
        for (const cJSON *e = json->child; e; e = e->next) {
            if (!e->string)
                continue;
            lua_pushstring(L, e->string);
            wf_json_push(L, e);
            lua_rawset(L, -3);      /* a repeated key: the last one wins */
        }
        break;
    }
    default:    /* cJSON_NULL, cJSON_Invalid */
        lua_pushlightuserdata(L, (void *)&null_sentinel);
        break;
    }
}

/* ---- cJSON -> text --------------------------------------------------------------- */

typedef struct sbuf {
    char *p;
    size_t len, cap;
    int failed;
} sbuf;

static void put(sbuf *b, const char *s, size_t n)
{
    if (b->failed)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (b->len + n + 1 > cap)
            cap *= 2;
        char *p = realloc(b->p, cap);
        if (!p) {
            b->failed = 1;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void put_str(sbuf *b, const char *s)
{
    put(b, s, strlen(s));
}

static void put_string(sbuf *b, const char *s)
{
    char *clean = NULL;
    size_t len = strlen(s), run = 0;

    if (!wf_utf8_valid(s, len)) {   /* trees built outside wf_lua_to_json may hold any bytes */
        clean = wf_utf8_sanitize(s, len, &len);
        if (!clean) {
            b->failed = 1;
            return;
        }
        s = clean;
    }
    put(b, "\"", 1);
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)s[i];
        char esc[8];
        if (ch >= 0x20 && ch != '"' && ch != '\\')
            continue;
        put(b, s + run, i - run);
        run = i + 1;
        switch (ch) {
        case '"':  put(b, "\\\"", 2); break;
        case '\\': put(b, "\\\\", 2); break;
        case '\b': put(b, "\\b", 2); break;
        case '\f': put(b, "\\f", 2); break;
        case '\n': put(b, "\\n", 2); break;
        case '\r': put(b, "\\r", 2); break;
        case '\t': put(b, "\\t", 2); break;
        default:
            snprintf(esc, sizeof esc, "\\u%04x", ch);
            put_str(b, esc);
        }
    }
    put(b, s + run, len - run);
    put(b, "\"", 1);
    free(clean);
}

static void put_number(sbuf *b, double d)
{
    char num[40];
    if (!isfinite(d)) {
        put_str(b, "null");
        return;
    }
    if (d == floor(d) && fabs(d) <= MAX_EXACT) {
        snprintf(num, sizeof num, "%lld", (long long)d);
    } else {
        /* The shortest of %.15g..%.17g that reads back as the same double. */
        for (int prec = 15; prec <= 17; prec++) {
            snprintf(num, sizeof num, "%.*g", prec, d);
            if (strtod(num, NULL) == d)
                break;
        }
    }
    put_str(b, num);
}

static void put_indent(sbuf *b, int pretty, int level)
{
    if (!pretty)
        return;
    put(b, "\n", 1);
    for (int i = 0; i < level; i++)
        put(b, "  ", 2);
}

typedef struct kid {
    const cJSON *item;
    int pos;
} kid;

/* By key, then by position, so that repeated keys keep their order. */
static int kid_cmp(const void *a, const void *b)
{
    const kid *x = a, *y = b;
    int r = strcmp(x->item->string ? x->item->string : "", y->item->string ? y->item->string : "");
    return r ? r : (x->pos > y->pos) - (x->pos < y->pos);
}

static void put_value(sbuf *b, const cJSON *j, int pretty, int level);

static void put_object(sbuf *b, const cJSON *j, int pretty, int level)
{
    int n = cJSON_GetArraySize(j), i = 0;
    kid *kids;

    if (n == 0) {
        put(b, "{}", 2);
        return;
    }
    kids = malloc((size_t)n * sizeof *kids);
    if (!kids) {
        b->failed = 1;
        return;
    }
    for (const cJSON *e = j->child; e && i < n; e = e->next, i++) {
        kids[i].item = e;
        kids[i].pos = i;
    }
    /* Sorted output even for trees that were not built sorted (wf_lua_to_json's are). */
    qsort(kids, (size_t)n, sizeof *kids, kid_cmp);
    put(b, "{", 1);
    for (i = 0; i < n; i++) {
        const cJSON *e = kids[i].item;
        if (i)
            put(b, ",", 1);
        put_indent(b, pretty, level + 1);
        put_string(b, e->string ? e->string : "");
        put(b, pretty ? ": " : ":", pretty ? 2 : 1);
        put_value(b, e, pretty, level + 1);
    }
    put_indent(b, pretty, level);
    put(b, "}", 1);
    free(kids);
}

static void put_value(sbuf *b, const cJSON *j, int pretty, int level)
{
    switch (j->type & 0xFF) {
    case cJSON_False:
        put_str(b, "false");
        break;
    case cJSON_True:
        put_str(b, "true");
        break;
    case cJSON_Number:
        put_number(b, j->valuedouble);
        break;
    case cJSON_String:
        put_string(b, j->valuestring ? j->valuestring : "");
        break;
    case cJSON_Raw:
        put_str(b, j->valuestring ? j->valuestring : "null");
        break;
    case cJSON_Array:
        if (!j->child) {
            put(b, "[]", 2);
            break;
        }
        put(b, "[", 1);
        for (const cJSON *e = j->child; e; e = e->next) {
            if (e != j->child)
                put(b, ",", 1);
            put_indent(b, pretty, level + 1);
            put_value(b, e, pretty, level + 1);
        }
        put_indent(b, pretty, level);
        put(b, "]", 1);
        break;
    case cJSON_Object:
        put_object(b, j, pretty, level);
        break;
    default:
        put_str(b, "null");
        break;
    }
}

char *wf_json_print(const cJSON *json, int pretty)
{
    sbuf b = {NULL, 0, 0, 0};
    if (!json)
        put_str(&b, "null");
    else
        put_value(&b, json, pretty, 0);
    if (b.failed) {
        free(b.p);
        return NULL;
    }
    return b.p;
}

/* ---- guards ---------------------------------------------------------------------- */

/* Owns a cJSON tree and a text while Lua code that may raise runs; __gc frees what the
 * normal path did not (it clears the fields once it has freed them itself). */
typedef struct json_guard {
    cJSON *json;
    char *text;
} json_guard;

static int guard_gc(lua_State *L)
{
    json_guard *g = luaL_checkudata(L, 1, GUARD_MT);
    cJSON_Delete(g->json);
    free(g->text);
    g->json = NULL;
    g->text = NULL;
    return 0;
}

static json_guard *push_guard(lua_State *L)
{
    json_guard *g = lua_newuserdatauv(L, sizeof *g, 0);
    g->json = NULL;
    g->text = NULL;
    if (luaL_newmetatable(L, GUARD_MT)) {
        lua_pushcfunction(L, guard_gc);
        lua_setfield(L, -2, "__gc");
    }
    lua_setmetatable(L, -2);
    return g;
}

cJSON **wf_json_guard(lua_State *L)
{
    return &push_guard(L)->json;
}

/* ---- the "wf.json" module -------------------------------------------------------- */

/* json.encode(value [, {pretty=bool}]) -> string */
static int l_encode(lua_State *L)
{
    int pretty = 0;
    json_guard *g;
    wf_error err;

    luaL_checkany(L, 1);
    if (!lua_isnoneornil(L, 2)) {
        luaL_checktype(L, 2, LUA_TTABLE);
        lua_getfield(L, 2, "pretty");
        pretty = lua_toboolean(L, -1);
        lua_pop(L, 1);
    }
    g = push_guard(L);
    g->json = wf_lua_to_json(L, 1, &err);
    if (!g->json)
        return luaL_error(L, "%s", err.message);
    g->text = wf_json_print(g->json, pretty);
    if (!g->text)
        return luaL_error(L, "json: out of memory");
    lua_pushstring(L, g->text);
    cJSON_Delete(g->json);
    free(g->text);
    g->json = NULL;
    g->text = NULL;
    return 1;
}

/* json.decode(text) -> value */
static int l_decode(lua_State *L)
{
    size_t len;
    const char *s = luaL_checklstring(L, 1, &len);
    const char *nul = memchr(s, '\0', len);
    const char *end = NULL;
    json_guard *g;

    if (nul)    /* cJSON would stop there, or cut a string short */
        return luaL_error(L, "json: invalid JSON at byte %I (NUL byte)", (lua_Integer)(nul - s) + 1);
    g = push_guard(L);
    /* Lua strings end with a NUL: len + 1 lets cJSON check nothing follows the value. */
    g->json = cJSON_ParseWithLengthOpts(s, len + 1, &end, 1);
    if (!g->json) {
        size_t at = end && end >= s && end <= s + len ? (size_t)(end - s) : 0;
        return luaL_error(L, "json: invalid JSON at byte %I%s", (lua_Integer)at + 1,
                          at >= len ? " (unexpected end)" : "");
    }
    wf_json_push(L, g->json);
    cJSON_Delete(g->json);
    g->json = NULL;
    return 1;
}

/* json.array([t]) -> t, marked as an array (a new one when t is nil) */
static int l_array(lua_State *L)
{
    if (lua_isnoneornil(L, 1)) {
        lua_settop(L, 0);
        lua_newtable(L);
    } else {
        luaL_checktype(L, 1, LUA_TTABLE);
        lua_settop(L, 1);
        if (lua_getmetatable(L, 1)) {
            push_array_marker(L);
            if (!lua_rawequal(L, -1, -2))
                return luaL_error(L, "json.array: the table already has a metatable");
            lua_pop(L, 2);
        }
    }
    wf_json_mark_array(L, 1);
    return 1;
}

/* json.is_array(v) -> boolean */
static int l_is_array(lua_State *L)
{
    lua_pushboolean(L, lua_type(L, 1) == LUA_TTABLE && has_array_marker(L, 1));
    return 1;
}

static const luaL_Reg json_funcs[] = {
    {"encode", l_encode},
    {"decode", l_decode},
    {"array", l_array},
    {"is_array", l_is_array},
    {NULL, NULL}
};

int wf_open_json(lua_State *L)
{
    luaL_newlib(L, json_funcs);
    lua_pushlightuserdata(L, (void *)&null_sentinel);
    lua_setfield(L, -2, "null");
    return 1;
}
