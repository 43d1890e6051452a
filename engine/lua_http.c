/* Module "wf.http": plain HTTP GET for workflows (smoke tests of a deployed environment),
 * on the AWS layer's libcurl client: interruptible, timeouts, proxies from the environment. */
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <lauxlib.h>
#include <lua.h>

#include "aws/http_client.h"
#include "lua_modules.h"

/* Splits url into "scheme://host[:port]" and the path and query as on the wire. */
static int split_url(const char *url, char **origin, char **path, char **query)
{
    CURLU *u = curl_url();
    char *scheme = NULL, *host = NULL, *port = NULL, *p = NULL, *q = NULL;
    int ok = u && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
             curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
             curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
             curl_url_get(u, CURLUPART_PATH, &p, 0) == CURLUE_OK;
    if (ok) {
        curl_url_get(u, CURLUPART_PORT, &port, 0);
        curl_url_get(u, CURLUPART_QUERY, &q, 0);
        size_t n = strlen(scheme) + strlen(host) + (port ? strlen(port) : 0) + 8;
        *origin = malloc(n);
        if (*origin)
            snprintf(*origin, n, "%s://%s%s%s", scheme, host, port ? ":" : "", port ? port : "");
        *path = strdup(p);
        *query = strdup(q ? q : "");
        ok = *origin && *path && *query;
    }
    curl_free(scheme);
    curl_free(host);
    curl_free(port);
    curl_free(p);
    curl_free(q);
    curl_url_cleanup(u);
    return ok;
}

/* get{url=, timeout=seconds, headers={name=value}, method="GET", body=""}
 *   -> {status=, body=, headers={...}}
 * method and body are for local control endpoints (`wfrun test` drives awssim's). */
static int http_get(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_getfield(L, 1, "url");
    const char *url = luaL_checkstring(L, -1);
    lua_getfield(L, 1, "timeout");
    double timeout = luaL_optnumber(L, -1, 30);
    lua_pop(L, 1);

    wf_http_request req = {0};
    wf_http_response resp = {0};
    wf_http_client *client = NULL;
    wf_error err = {0};
    char *origin = NULL;
    int failed = 0;
    if (!split_url(url, &origin, &req.path, &req.query)) {
        wf_error_set(&err, WF_EINVAL, "not a URL");
        failed = 1;
        goto done;
    }
    lua_getfield(L, 1, "method");
    req.method = strdup(luaL_optstring(L, -1, "GET"));
    lua_pop(L, 1);
    lua_getfield(L, 1, "body");
    if (lua_isstring(L, -1)) {
        size_t blen = 0;
        const char *b = lua_tolstring(L, -1, &blen);
        req.body = malloc(blen + 1);
        if (req.body) {
            memcpy(req.body, b, blen);
            req.body[blen] = '\0';
            req.body_len = blen;
        }
    }
    lua_pop(L, 1);
    lua_getfield(L, 1, "headers");
    if (lua_istable(L, -1)) {
        lua_pushnil(L);
        while (lua_next(L, -2)) {
            if (lua_type(L, -2) == LUA_TSTRING && lua_isstring(L, -1))
                wf_http_headers_add(&req.headers, lua_tostring(L, -2), lua_tostring(L, -1));
            lua_pop(L, 1);
        }
    }
    lua_pop(L, 1);
    wf_http_client_options opts = {.connect_timeout_s = timeout < 10 ? timeout : 10, .timeout_s = timeout};
    if (!req.method || wf_http_client_new(&opts, &client, &err) != WF_OK ||
        wf_http_send(client, origin, &req, &resp, &err) != WF_OK)
        failed = 1;
done:
    if (!failed) {
        lua_createtable(L, 0, 3);
        lua_pushinteger(L, resp.status);
        lua_setfield(L, -2, "status");
        lua_pushlstring(L, resp.body ? resp.body : "", resp.body_len);
        lua_setfield(L, -2, "body");
        lua_createtable(L, 0, (int)resp.headers.count);
        for (size_t i = 0; i < resp.headers.count; i++) {
            char *name = strdup(resp.headers.items[i].name);   /* keys lower-cased */
            if (!name)
                continue;
            for (char *c = name; *c; c++)
                if (*c >= 'A' && *c <= 'Z')
                    *c = (char)(*c - 'A' + 'a');
            lua_pushstring(L, resp.headers.items[i].value);
            lua_setfield(L, -2, name);
            free(name);
        }
        lua_setfield(L, -2, "headers");
    }
    free(origin);
    wf_http_request_free(&req);
    wf_http_response_free(&resp);
    wf_http_client_free(client);
    if (failed)
        return luaL_error(L, "http.get %s: %s", url, err.message);
    return 1;
}

static const luaL_Reg http_functions[] = {
    {"get", http_get},
    {NULL, NULL}
};

int wf_open_http(lua_State *L)
{
    luaL_newlib(L, http_functions);
    return 1;
}
