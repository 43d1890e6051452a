/* "wf.journal": the run journal for Lua, journal.open(path):append(record), journal.read(path)
 * and journal.parse(text). */
#include "journal.h"
#include "lua_json.h"
#include "lua_modules.h"
#include <lauxlib.h>

#define JOURNAL_MT "wf.journal"

/* The userdata holds the open journal; its user value 1 is the path, for messages. */
typedef struct ljournal {
    wf_journal *j;
} ljournal;

static const char *path_of(lua_State *L, int idx)
{
    const char *path;
    lua_getiuservalue(L, idx, 1);
    path = lua_tostring(L, -1);     /* anchored by the userdata */
    lua_pop(L, 1);
    return path ? path : "?";
}

/* journal.open(path) -> journal */
static int l_open(lua_State *L)
{
    const char *path = luaL_checkstring(L, 1);
    ljournal *u = lua_newuserdatauv(L, sizeof *u, 1);
    wf_error err;

    u->j = NULL;
    luaL_setmetatable(L, JOURNAL_MT);
    lua_pushvalue(L, 1);
    lua_setiuservalue(L, -2, 1);
    if (wf_journal_open(path, &u->j, &err) != WF_OK)
        return luaL_error(L, "%s", err.message);
    return 1;
}

/* journal:append(record): one JSON line, fsync'ed before it returns */
static int l_append(lua_State *L)
{
    ljournal *u = luaL_checkudata(L, 1, JOURNAL_MT);
    const char *path = path_of(L, 1);
    cJSON **record;
    wf_error err;
    wf_status st;

    luaL_checktype(L, 2, LUA_TTABLE);
    if (!u->j)
        return luaL_error(L, "journal %s: closed", path);
    record = wf_json_guard(L);
    *record = wf_lua_to_json(L, 2, &err);
    if (!*record)
        return luaL_error(L, "journal %s: %s", path, err.message);
    st = wf_journal_append(u->j, *record, &err);
    cJSON_Delete(*record);
    *record = NULL;
    if (st != WF_OK)
        return luaL_error(L, "%s", err.message);
    return 0;
}

/* journal:close(), also __gc and __close; closing twice is fine */
static int l_close(lua_State *L)
{
    ljournal *u = luaL_checkudata(L, 1, JOURNAL_MT);
    wf_journal_close(u->j);
    u->j = NULL;
    return 0;
}

static int l_tostring(lua_State *L)
{
    ljournal *u = luaL_checkudata(L, 1, JOURNAL_MT);
    lua_pushfstring(L, "journal %s%s", path_of(L, 1), u->j ? "" : " (closed)");
    return 1;
}

typedef struct collector {
    cJSON *records;
    int oom;
} collector;

/* Copies each record into a cJSON array: no Lua call here, so nothing can longjmp out of
 * wf_journal_read and leak its buffers. */
static int collect(const cJSON *record, void *userdata)
{
    collector *c = userdata;
    cJSON *copy = cJSON_Duplicate(record, 1);
    if (!copy || !cJSON_AddItemToArray(c->records, copy)) {
        cJSON_Delete(copy);
        c->oom = 1;
        return 1;
    }
    return 0;
}

/* Pushes records (an array of tables) and torn (boolean) from the journal file path, or,
 * when path is NULL, from the len bytes of text. */
static int push_records(lua_State *L, const char *path, const char *text, size_t len)
{
    cJSON **records = wf_json_guard(L);
    collector c = {NULL, 0};
    int torn = 0;
    wf_error err;
    wf_status st;

    *records = c.records = cJSON_CreateArray();
    if (!*records)
        return luaL_error(L, "journal %s: out of memory", path ? path : "text");
    if (path)
        st = wf_journal_read(path, collect, &c, &torn, &err);
    else
        st = wf_journal_parse(text, len, collect, &c, &torn, &err);
    if (st != WF_OK)
        return luaL_error(L, "%s", err.message);
    if (c.oom)
        return luaL_error(L, "journal %s: out of memory", path ? path : "text");
    wf_json_push(L, *records);
    cJSON_Delete(*records);
    *records = NULL;
    lua_pushboolean(L, torn);
    return 2;
}

/* journal.read(path) -> records (an array of tables), torn (boolean) */
static int l_read(lua_State *L)
{
    return push_records(L, luaL_checkstring(L, 1), NULL, 0);
}

/* journal.parse(text) -> records, torn: as read(), on a journal's bytes (a copy kept
 * elsewhere, such as an S3 object) */
static int l_parse(lua_State *L)
{
    size_t len;
    const char *text = luaL_checklstring(L, 1, &len);
    return push_records(L, NULL, text, len);
}

static const luaL_Reg journal_methods[] = {
    {"append", l_append},
    {"close", l_close},
    {NULL, NULL}
};

static const luaL_Reg journal_funcs[] = {
    {"open", l_open},
    {"read", l_read},
    {"parse", l_parse},
    {NULL, NULL}
};

int wf_open_journal(lua_State *L)
{
    if (luaL_newmetatable(L, JOURNAL_MT)) {
        luaL_newlib(L, journal_methods);
        lua_setfield(L, -2, "__index");
        lua_pushcfunction(L, l_close);
        lua_setfield(L, -2, "__gc");
        lua_pushcfunction(L, l_close);
        lua_setfield(L, -2, "__close");
        lua_pushcfunction(L, l_tostring);
        lua_setfield(L, -2, "__tostring");
    }
    lua_pop(L, 1);
    luaL_newlib(L, journal_funcs);
    return 1;
}
