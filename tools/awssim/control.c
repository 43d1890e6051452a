/* The control endpoint under /_awssim/ (a path no AWS API uses): faults, request log,
 * inventory, application health, clock, seed, save and reset, for tests and for people. JSON in, JSON out,
 * unsigned: awssim only listens on loopback. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lua_json.h"
#include "sim.h"

#define PREFIX "/_awssim"

bool wf_sim_is_control_path(const char *path)
{
    size_t n = strlen(PREFIX);
    return strncmp(path, PREFIX, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

static void reply_text(wf_sim_reply *reply, int status, const char *type, char *body,
                       size_t len)
{
    reply->response.status = status;
    reply->response.body = body;   /* taken over */
    reply->response.body_len = body ? len : 0;
    wf_http_headers_set(&reply->response.headers, "Content-Type", type);
}

/* Sends json (taken over) pretty-printed. */
static void reply_json(wf_sim_reply *reply, int status, cJSON *json)
{
    char *text = json ? wf_json_print(json, 1) : NULL;
    cJSON_Delete(json);
    if (!text) {
        reply->response.status = 500;
        return;
    }
    size_t len = strlen(text);
    char *body = realloc(text, len + 2);   /* a final newline, for shells */
    if (!body) {
        free(text);
        reply->response.status = 500;
        return;
    }
    body[len] = '\n';
    body[len + 1] = '\0';
    reply_text(reply, status, "application/json", body, len + 1);
}

static void reply_error(wf_sim_reply *reply, int status, const char *message)
{
    cJSON *o = cJSON_CreateObject();
    if (o)
        cJSON_AddStringToObject(o, "error", message);
    reply_json(reply, status, o);
}

static void reply_ok(wf_sim_reply *reply)
{
    cJSON *o = cJSON_CreateObject();
    if (o)
        cJSON_AddBoolToObject(o, "ok", 1);
    reply_json(reply, 200, o);
}

static bool method_is(const wf_http_request *req, const char *m)
{
    return strcmp(req->method, m) == 0;
}

/* The JSON body, or NULL after answering 400. */
static cJSON *json_body(const wf_http_request *req, wf_sim_reply *reply)
{
    cJSON *j = cJSON_ParseWithLength(req->body, req->body_len);
    if (!j)
        reply_error(reply, 400, "the body is not valid JSON");
    return j;
}

/* ?since=N of GET /_awssim/requests */
static unsigned long since_param(const char *query)
{
    const char *p = strstr(query, "since=");
    if (!p || (p != query && p[-1] != '&'))
        return 0;
    return strtoul(p + 6, NULL, 10);
}

static void faults(wf_sim *sim, const wf_http_request *req, const char *rest,
                   wf_sim_reply *reply)
{
    wf_error err = {0};
    if (*rest == '/' && method_is(req, "DELETE")) {
        char *end = NULL;
        long id = strtol(rest + 1, &end, 10);
        if (id <= 0 || *end) {
            reply_error(reply, 400, "DELETE /_awssim/faults/ID: ID is a rule number");
        } else if (wf_sim_faults_remove(sim->faults, (int)id) != WF_OK) {
            reply_error(reply, 404, "no fault rule with that id");
        } else {
            reply_ok(reply);
        }
        return;
    }
    if (*rest) {
        reply_error(reply, 404, "unknown control path");
    } else if (method_is(req, "GET")) {
        reply_json(reply, 200, wf_sim_faults_to_json(sim->faults));
    } else if (method_is(req, "DELETE")) {
        wf_sim_faults_remove(sim->faults, 0);
        reply_ok(reply);
    } else if (method_is(req, "POST")) {
        cJSON *rules = json_body(req, reply);
        if (!rules)
            return;
        int first = 0;
        wf_status st = wf_sim_faults_add_json(sim->faults, rules, &first, &err);
        int n = cJSON_IsArray(rules) ? cJSON_GetArraySize(rules) : 1;
        cJSON_Delete(rules);
        if (st != WF_OK) {
            reply_error(reply, 400, err.message);
            return;
        }
        cJSON *o = cJSON_CreateObject();
        cJSON *ids = cJSON_AddArrayToObject(o, "ids");
        for (int i = 0; ids && i < n; i++)
            cJSON_AddItemToArray(ids, cJSON_CreateNumber(first + i));
        reply_json(reply, 200, o);
    } else {
        reply_error(reply, 405, "faults: GET, POST or DELETE");
    }
}

static void requests(wf_sim *sim, const wf_http_request *req, wf_sim_reply *reply)
{
    if (method_is(req, "DELETE")) {
        wf_sim_request_log_clear(sim->log);
        reply_ok(reply);
    } else if (method_is(req, "GET")) {
        size_t len = 0;
        char *lines = wf_sim_request_log_dump(sim->log, since_param(req->query), &len);
        if (!lines)
            reply->response.status = 500;
        else
            reply_text(reply, 200, "application/x-ndjson", lines, len);
    } else {
        reply_error(reply, 405, "requests: GET or DELETE");
    }
}

static cJSON *clock_json(wf_sim *sim)
{
    cJSON *o = cJSON_CreateObject();
    if (o) {
        cJSON_AddNumberToObject(o, "now", wf_sim_clock_now(&sim->clock));
        cJSON_AddNumberToObject(o, "real_now", wf_sim_real_now());
        cJSON_AddNumberToObject(o, "time_scale", wf_sim_clock_scale(&sim->clock));
    }
    return o;
}

/* POST /_awssim/clock {"advance": seconds, "time_scale": n} */
static void clock_set(wf_sim *sim, const wf_http_request *req, wf_sim_reply *reply)
{
    cJSON *body = json_body(req, reply);
    if (!body)
        return;
    const cJSON *advance = cJSON_GetObjectItemCaseSensitive(body, "advance");
    const cJSON *scale = cJSON_GetObjectItemCaseSensitive(body, "time_scale");
    if ((advance && (!cJSON_IsNumber(advance) || !(advance->valuedouble >= 0) ||
                     !isfinite(advance->valuedouble))) ||
        (scale && (!cJSON_IsNumber(scale) || !(scale->valuedouble > 0) ||
                   !isfinite(scale->valuedouble)))) {
        cJSON_Delete(body);
        reply_error(reply, 400, "clock: advance must be seconds >= 0, time_scale a number > 0");
        return;
    }
    if (scale)
        wf_sim_clock_set_scale(&sim->clock, scale->valuedouble);
    if (advance)
        wf_sim_clock_advance(&sim->clock, advance->valuedouble);
    cJSON_Delete(body);
    reply_json(reply, 200, clock_json(sim));
}

/* GET /_awssim/apps/<stack-name>/health: 200 while the stack's Auto Scaling group has an
 * instance InService, else 503 (lua/app_health.lua); rest is "<stack-name>/health". */
static void app_health(wf_sim *sim, const wf_http_request *req, const char *rest,
                       wf_sim_reply *reply)
{
    const char *slash = strchr(rest, '/');
    size_t len = slash ? (size_t)(slash - rest) : 0;
    if (!slash || strcmp(slash, "/health") != 0) {
        reply_error(reply, 404, "apps: GET /_awssim/apps/<stack-name>/health");
        return;
    }
    if (!method_is(req, "GET")) {
        reply_error(reply, 405, "apps/<stack-name>/health: GET");
        return;
    }
    /* A stack name: a letter, then letters, digits and hyphens, at most 128 characters. */
    char name[129];
    bool ok = len >= 1 && len < sizeof name && ((rest[0] >= 'A' && rest[0] <= 'Z') ||
                                                (rest[0] >= 'a' && rest[0] <= 'z'));
    for (size_t i = 0; ok && i < len; i++)
        ok = (rest[i] >= 'A' && rest[i] <= 'Z') || (rest[i] >= 'a' && rest[i] <= 'z') ||
             (rest[i] >= '0' && rest[i] <= '9') || rest[i] == '-';
    if (!ok) {
        reply_error(reply, 400, "apps/<stack-name>/health: not a stack name");
        return;
    }
    memcpy(name, rest, len);
    name[len] = '\0';
    wf_error err = {0};
    cJSON *health = wf_sim_app_health(sim, name, &err);
    if (!health) {
        reply_error(reply, 500, err.message);
        return;
    }
    const cJSON *status = cJSON_GetObjectItemCaseSensitive(health, "status");
    reply_json(reply, cJSON_IsNumber(status) && status->valueint == 200 ? 200 : 503, health);
}

void wf_sim_control(wf_sim *sim, const wf_http_request *req, wf_sim_reply *reply)
{
    const char *what = req->path + strlen(PREFIX);
    if (*what == '/')
        what++;
    wf_error err = {0};
    if (strcmp(what, "health") == 0 && method_is(req, "GET")) {
        reply_ok(reply);
    } else if (strncmp(what, "apps/", 5) == 0) {
        app_health(sim, req, what + 5, reply);
    } else if (strncmp(what, "faults", 6) == 0 && (what[6] == '\0' || what[6] == '/')) {
        faults(sim, req, what + 6, reply);
    } else if (strcmp(what, "requests") == 0) {
        requests(sim, req, reply);
    } else if (strcmp(what, "inventory") == 0 && method_is(req, "GET")) {
        cJSON *inv = wf_sim_inventory(sim, &err);
        if (inv)
            reply_json(reply, 200, inv);
        else
            reply_error(reply, 500, err.message);
    } else if (strcmp(what, "clock") == 0 && method_is(req, "GET")) {
        reply_json(reply, 200, clock_json(sim));
    } else if (strcmp(what, "clock") == 0 && method_is(req, "POST")) {
        clock_set(sim, req, reply);
    } else if (strcmp(what, "save") == 0 && method_is(req, "POST")) {
        if (!sim->opts.state_path)
            reply_error(reply, 409, "awssim was started without --state FILE");
        else if (wf_sim_save(sim, sim->opts.state_path, &err) != WF_OK)
            reply_error(reply, 500, err.message);
        else
            reply_ok(reply);
    } else if (strcmp(what, "reset") == 0 && method_is(req, "POST")) {
        if (wf_sim_reset(sim, &err) != WF_OK)
            reply_error(reply, 500, err.message);
        else
            reply_ok(reply);
    } else if (strcmp(what, "seed") == 0 && method_is(req, "POST")) {
        cJSON *seed = json_body(req, reply);
        if (!seed)
            return;
        wf_status st = wf_sim_seed_json(sim, seed, &err);
        cJSON_Delete(seed);
        if (st != WF_OK)
            reply_error(reply, 400, err.message);
        else
            reply_ok(reply);
    } else {
        reply_error(reply, 404, "unknown control request; see docs/awssim.md: GET health, "
                    "GET apps/<stack-name>/health, GET|POST|DELETE faults, "
                    "GET|DELETE requests, GET inventory, GET|POST clock, POST save, "
                    "POST reset, POST seed");
    }
}
