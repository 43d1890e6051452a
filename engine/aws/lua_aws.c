/* Module "wf.aws": AWS calls from Lua. configure{...} sets up the client, call() makes
 * one call and returns its result as a table (or raises an AWS error table), model()
 * gives a service's trimmed model as a table, services() the embedded services.
 * dsl/aws.lua builds the `aws` global of workflows on top of these. */
#include "aws/call.h"
#include "aws/lua_aws_params.h"
#include "aws/model_load.h"
#include "aws/models_embedded.h"
#include "interrupt.h"
#include "lua_json.h"
#include "lua_modules.h"
#include <lauxlib.h>
#include <lua.h>
#include <stdlib.h>
#include <string.h>

#define STATE_KEY "wf.aws.client"    /* registry: the module's state userdata */
#define STATE_MT "wf.aws.state_mt"
#define MODELS_KEY "wf.aws.models"   /* registry: service -> model table (cache) */
#define ERROR_MT "wf.aws.error"

/* The options of configure{} (owned copies) and the client made from them at the first
 * call, so a command that never calls AWS never reads the AWS configuration. The module's
 * functions hold it as their upvalue. */
typedef struct aws_state {
    char *profile, *region, *endpoint_url;
    int max_attempts;
    int verbose;
    wf_aws_client *client;   /* NULL until the first call after configure */
    /* The trees of the call in progress. A Lua error raised while they are live (out of
     * memory) leaves them here, freed by the next call or __gc: no guard per call. */
    cJSON *params, *result;
} aws_state;

static void drop_trees(aws_state *s)
{
    cJSON_Delete(s->params);
    cJSON_Delete(s->result);
    s->params = s->result = NULL;
}

static void state_clear(aws_state *s)
{
    drop_trees(s);
    wf_aws_client_free(s->client);
    free(s->profile);
    free(s->region);
    free(s->endpoint_url);
    memset(s, 0, sizeof *s);
}

static int state_gc(lua_State *L)
{
    state_clear(luaL_checkudata(L, 1, STATE_MT));
    return 0;
}

/* Pushes the module's state: made once per Lua state, kept in the registry, and the
 * upvalue of the module's functions. */
static void push_state(lua_State *L)
{
    if (lua_getfield(L, LUA_REGISTRYINDEX, STATE_KEY) != LUA_TUSERDATA) {
        lua_pop(L, 1);
        aws_state *s = lua_newuserdatauv(L, sizeof *s, 0);
        memset(s, 0, sizeof *s);
        if (luaL_newmetatable(L, STATE_MT)) {
            lua_pushcfunction(L, state_gc);
            lua_setfield(L, -2, "__gc");
        }
        lua_setmetatable(L, -2);
        lua_pushvalue(L, -1);
        lua_setfield(L, LUA_REGISTRYINDEX, STATE_KEY);
    }
}

#define STATE(L) ((aws_state *)lua_touserdata((L), lua_upvalueindex(1)))

/* ---- configure ----------------------------------------------------------------- */

static const char *const configure_keys[] = {
    "profile", "region", "endpoint_url", "max_attempts", "verbose", NULL
};

/* Copies string field name of table 1 into *out (NULL when absent or empty). */
static void string_option(lua_State *L, const char *name, char **out)
{
    int t = lua_getfield(L, 1, name);
    if (t != LUA_TNIL && t != LUA_TSTRING)
        luaL_error(L, "aws.configure: %s must be a string, got %s", name, luaL_typename(L, -1));
    const char *v = lua_tostring(L, -1);
    *out = (v && *v) ? strdup(v) : NULL;
    lua_pop(L, 1);
    if (v && *v && !*out)
        luaL_error(L, "aws.configure: out of memory");
}

/* configure{profile=, region=, endpoint_url=, max_attempts=, verbose=}: replaces the
 * client; nothing is read or contacted until the next call. */
static int l_configure(lua_State *L)
{
    if (lua_isnoneornil(L, 1)) {
        lua_settop(L, 0);
        lua_newtable(L);
    }
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_settop(L, 1);
    lua_pushnil(L);
    while (lua_next(L, 1)) {
        lua_pop(L, 1);
        int known = 0;
        if (lua_type(L, -1) == LUA_TSTRING)
            for (int i = 0; configure_keys[i] && !known; i++)
                known = strcmp(configure_keys[i], lua_tostring(L, -1)) == 0;
        if (!known)
            return luaL_error(L, "aws.configure: unknown option %s (known: profile, region, endpoint_url, max_attempts, verbose)",
                              luaL_tolstring(L, -1, NULL));
    }
    int max_attempts = 0;
    if (lua_getfield(L, 1, "max_attempts") != LUA_TNIL) {
        int isint = 0;
        lua_Integer n = lua_tointegerx(L, -1, &isint);
        if (!isint || n < 1 || n > 100)
            return luaL_error(L, "aws.configure: max_attempts must be an integer from 1 to 100");
        max_attempts = (int)n;
    }
    lua_pop(L, 1);
    lua_getfield(L, 1, "verbose");
    int verbose = lua_toboolean(L, -1);
    lua_pop(L, 1);

    aws_state *s = STATE(L);
    state_clear(s);
    s->max_attempts = max_attempts;
    s->verbose = verbose;
    string_option(L, "profile", &s->profile);
    string_option(L, "region", &s->region);
    string_option(L, "endpoint_url", &s->endpoint_url);
    return 0;
}

/* The client, made from the configured options on first use; raises on bad configuration. */
static wf_aws_client *get_client(lua_State *L)
{
    aws_state *s = STATE(L);
    if (s->client)
        return s->client;
    wf_aws_client_options opts = {0};
    opts.profile = s->profile;
    opts.region = s->region;
    opts.endpoint_url = s->endpoint_url;
    opts.max_attempts = s->max_attempts;
    opts.verbose = s->verbose;
    wf_error err = {0};
    if (wf_aws_client_new(&opts, &s->client, &err) != WF_OK) {
        s->client = NULL;
        lua_pushfstring(L, "aws: %s", err.message);
        lua_error(L);
        return NULL;   /* not reached */
    }
    return s->client;
}

/* settings(): the client's resolved { region =, profile =, profile_explicit = } (region nil
 * when none is configured), what a run records so resume talks to the same place. Reads
 * the configuration files but contacts nothing and resolves no credentials. */
static int l_settings(lua_State *L)
{
    const wf_aws_config *cfg = wf_aws_client_config(get_client(L));
    lua_createtable(L, 0, 3);
    if (cfg->region) {
        lua_pushstring(L, cfg->region);
        lua_setfield(L, -2, "region");
    }
    if (cfg->profile) {
        lua_pushstring(L, cfg->profile);
        lua_setfield(L, -2, "profile");
    }
    lua_pushboolean(L, cfg->profile_explicit);
    lua_setfield(L, -2, "profile_explicit");
    return 1;
}

/* ---- errors ---------------------------------------------------------------------- */

/* Field name of the table at idx as a string ("" when absent); the value stays pushed,
 * which keeps the string alive. */
static const char *field_string(lua_State *L, int idx, const char *name)
{
    lua_getfield(L, idx, name);
    return lua_isstring(L, -1) ? lua_tostring(L, -1) : "";
}

/* __tostring of an AWS error: "ec2 DescribeImages: Code: message (request id X)". */
static int error_tostring(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_settop(L, 1);
    const char *service = field_string(L, 1, "service");
    const char *operation = field_string(L, 1, "operation");
    const char *code = field_string(L, 1, "code");
    const char *message = field_string(L, 1, "message");
    const char *request_id = field_string(L, 1, "request_id");
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    lua_pushfstring(L, "%s %s: %s", service, operation, *code ? code : "error");
    luaL_addvalue(&b);
    if (*message) {
        luaL_addstring(&b, ": ");
        luaL_addstring(&b, message);
    }
    if (*request_id) {
        luaL_addstring(&b, " (request id ");
        luaL_addstring(&b, request_id);
        luaL_addchar(&b, ')');
    }
    luaL_pushresult(&b);
    return 1;
}

/* Pushes the error table of an AWS error answer; details are the modeled error's
 * members (may be NULL). */
static void push_aws_error(lua_State *L, const char *service, const char *operation,
                           const wf_aws_error *ae, const cJSON *details)
{
    lua_createtable(L, 0, 8);
    lua_pushliteral(L, "aws");
    lua_setfield(L, -2, "kind");
    lua_pushstring(L, service);
    lua_setfield(L, -2, "service");
    lua_pushstring(L, operation);
    lua_setfield(L, -2, "operation");
    lua_pushstring(L, ae->code);
    lua_setfield(L, -2, "code");
    lua_pushstring(L, ae->message);
    lua_setfield(L, -2, "message");
    lua_pushstring(L, ae->request_id);
    lua_setfield(L, -2, "request_id");
    lua_pushinteger(L, ae->status);
    lua_setfield(L, -2, "status");
    if (details) {
        wf_json_push(L, details);
        lua_setfield(L, -2, "details");
    }
    if (luaL_newmetatable(L, ERROR_MT)) {
        lua_pushcfunction(L, error_tostring);
        lua_setfield(L, -2, "__tostring");
    }
    lua_setmetatable(L, -2);
}

/* ---- call ------------------------------------------------------------------------ */

/* call(service, operation, params) -> result, {status=, request_id=, attempts=}.
 * operation is the API name or its snake_case form. An AWS error answer raises a table
 * {kind="aws", service, operation, code, message, request_id, status, details}; a signal
 * or deadline raises the interrupt error; anything else (no credentials, connection
 * failures after retries) a string naming service and operation. */
static int l_call(lua_State *L)
{
    const char *service = luaL_checkstring(L, 1);
    const char *operation = luaL_checkstring(L, 2);
    if (!lua_isnoneornil(L, 3))
        luaL_checktype(L, 3, LUA_TTABLE);
    lua_settop(L, 3);
    wf_aws_client *client = get_client(L);
    aws_state *s = STATE(L);
    drop_trees(s);   /* what an error raised during the last call left */

    wf_error err = {0};
    wf_aws_error ae;
    memset(&ae, 0, sizeof ae);
    /* An empty table is sent as no parameters, which the serializer treats alike. */
    if (!lua_isnil(L, 3) && (lua_pushnil(L), lua_next(L, 3))) {
        lua_settop(L, 3);
        s->params = wf_aws_flat_params(L, 3);
        if (!s->params)
            s->params = wf_lua_to_json(L, 3, &err);
        if (!s->params)
            return luaL_error(L, "%s %s: params: %s", service, operation, err.message);
    }
    lua_settop(L, 3);
    wf_status st = wf_aws_call(client, service, operation, s->params, &s->result, &ae, &err);
    cJSON_Delete(s->params);
    s->params = NULL;
    if (st != WF_OK) {
        drop_trees(s);
        if (st == WF_EINTR || st == WF_ETIMEOUT)
            return wf_interrupt_raise(L, &err);
        lua_pushstring(L, err.message);
        return lua_error(L);
    }

    if (ae.is_error) {
        /* The model's spelling of the operation, for error tables and messages. */
        const wf_aws_model *model = NULL;
        const char *api_name = operation;
        if (wf_aws_client_model(client, service, &model, &err) == WF_OK) {
            const char *name = wf_aws_operation_name(model, operation);
            if (name)
                api_name = name;
        }
        push_aws_error(L, service, api_name, &ae, s->result);
        drop_trees(s);
        return lua_error(L);
    }
    if (s->result)
        wf_json_push(L, s->result);
    else
        lua_newtable(L);
    drop_trees(s);
    lua_createtable(L, 0, 3);
    lua_pushinteger(L, ae.status);
    lua_setfield(L, -2, "status");
    lua_pushstring(L, ae.request_id);
    lua_setfield(L, -2, "request_id");
    lua_pushinteger(L, wf_aws_client_last_attempts(client));
    lua_setfield(L, -2, "attempts");
    return 2;
}

/* ---- models ---------------------------------------------------------------------- */

/* Adds member_order (the member names in model order, which a Lua table loses) to every
 * structure shape of the model table at idx, walking the cJSON shapes beside it. */
static void add_member_orders(lua_State *L, int idx, const cJSON *shapes)
{
    lua_getfield(L, idx, "shapes");
    const cJSON *shape;
    cJSON_ArrayForEach(shape, shapes) {
        const cJSON *members = cJSON_GetObjectItemCaseSensitive(shape, "members");
        if (!cJSON_IsObject(members))
            continue;
        if (lua_getfield(L, -1, shape->string) != LUA_TTABLE) {
            lua_pop(L, 1);
            continue;
        }
        lua_createtable(L, cJSON_GetArraySize(members), 0);
        int i = 0;
        const cJSON *m;
        cJSON_ArrayForEach(m, members) {
            lua_pushstring(L, m->string);
            lua_rawseti(L, -2, ++i);
        }
        wf_json_mark_array(L, -1);
        lua_setfield(L, -2, "member_order");
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
}

/* model(service) -> the embedded model as a table (metadata, operations, shapes with
 * member_order, waiters, paginators). Cached: every caller gets the same table, which
 * must not be modified. */
static int l_model(lua_State *L)
{
    const char *service = luaL_checkstring(L, 1);
    lua_settop(L, 1);
    if (lua_getfield(L, LUA_REGISTRYINDEX, MODELS_KEY) != LUA_TTABLE) {
        lua_pop(L, 1);
        lua_newtable(L);
        lua_pushvalue(L, -1);
        lua_setfield(L, LUA_REGISTRYINDEX, MODELS_KEY);
    }
    if (lua_getfield(L, 2, service) == LUA_TTABLE)
        return 1;
    lua_pop(L, 1);

    cJSON **root = wf_json_guard(L);   /* slot 3 */
    wf_aws_model m;
    wf_error err = {0};
    if (wf_aws_model_load(service, &m, &err) != WF_OK) {
        wf_aws_model_free(&m);
        return luaL_error(L, "aws.model: %s", err.message);
    }
    *root = m.root;   /* the guard owns the tree from here */
    m.root = NULL;
    wf_aws_model_free(&m);   /* the rest: the shape index */
    wf_json_push(L, *root);
    add_member_orders(L, lua_gettop(L), cJSON_GetObjectItemCaseSensitive(*root, "shapes"));
    cJSON_Delete(*root);
    *root = NULL;
    lua_pushvalue(L, -1);
    lua_setfield(L, 2, service);
    return 1;
}

/* services() -> the names of the embedded service models, sorted. */
static int l_services(lua_State *L)
{
    lua_newtable(L);
    int n = 0;
    for (const wf_aws_embedded_model *m = wf_aws_embedded_models; m->service; m++) {
        lua_pushstring(L, m->service);
        lua_rawseti(L, -2, ++n);
    }
    /* Sorted with table.sort-like insertion: the list is short. */
    for (int i = 2; i <= n; i++) {
        for (int j = i; j > 1; j--) {
            lua_rawgeti(L, -1, j - 1);
            lua_rawgeti(L, -2, j);
            int swap = strcmp(lua_tostring(L, -2), lua_tostring(L, -1)) > 0;
            if (swap) {
                lua_rawseti(L, -3, j - 1);
                lua_rawseti(L, -2, j);
            } else {
                lua_pop(L, 2);
                break;
            }
        }
    }
    wf_json_mark_array(L, -1);
    return 1;
}

static const luaL_Reg aws_funcs[] = {
    {"configure", l_configure},
    {"settings", l_settings},
    {"call", l_call},
    {"model", l_model},
    {"services", l_services},
    {NULL, NULL}
};

int wf_open_aws(lua_State *L)
{
    luaL_newlibtable(L, aws_funcs);
    push_state(L);
    luaL_setfuncs(L, aws_funcs, 1);
    return 1;
}
