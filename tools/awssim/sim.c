/* The simulator core: set-up (models, keys, Lua world, state or seed) and the pipeline of
 * one AWS request: service -> SigV4 -> body -> codec decode -> faults -> Lua -> codec
 * encode -> request log. Lua runs under sim->lua_lock; everything else here only reads
 * shared state or goes through thread-safe modules (clock, faults, log). */
#include "sim.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <lauxlib.h>
#include <openssl/rand.h>

#include "aws/model_load.h"
#include "aws/models_embedded.h"
#include "aws/sigv4.h"
#include "aws/uri_encode.h"
#include "codec.h"
#include "lua_host.h"
#include "lua_json.h"
#include "sim_embedded.h"

#define DEFAULT_ACCOUNT "000000000000"
#define MAX_SKEW_SECONDS 900.0   /* AWS refuses signatures more than 15 minutes off */

/* ---- Lua sources: embedded, or AWSSIM_LUA_DIR while developing the models ---------- */

static int load_sim_module(lua_State *L, const char *name)
{
    const char *dir = getenv("AWSSIM_LUA_DIR");
    if (dir && *dir) {
        luaL_Buffer b;
        luaL_buffinit(L, &b);
        luaL_addstring(&b, dir);
        luaL_addchar(&b, '/');
        for (const char *p = name; *p; p++)
            luaL_addchar(&b, *p == '.' ? '/' : *p);
        luaL_addstring(&b, ".lua");
        luaL_pushresult(&b);
        const char *path = lua_tostring(L, -1);
        if (access(path, R_OK) == 0) {
            int rc = luaL_loadfilex(L, path, "t");
            lua_remove(L, -2);
            return rc;
        }
        lua_pop(L, 1);
    }
    for (const wf_sim_embedded_file *f = wf_sim_embedded_files; f->module; f++) {
        if (strcmp(f->module, name) != 0)
            continue;
        lua_pushfstring(L, "@%s", f->path);
        int rc = luaL_loadbufferx(L, f->bytes, f->length, lua_tostring(L, -1), "t");
        lua_remove(L, -2);
        return rc;
    }
    lua_pushfstring(L, "no module '%s' in awssim's embedded sources", name);
    return LUA_ERRFILE;
}

/* package.searchers entry for the simulator's own modules (sim, world, services.*). */
static int sim_searcher(lua_State *L)
{
    const char *name = luaL_checkstring(L, 1);
    int rc = load_sim_module(L, name);
    if (rc == LUA_ERRFILE) {
        lua_pushfstring(L, "\n\t%s", lua_tostring(L, -1));
        return 1;
    }
    if (rc != LUA_OK)
        return lua_error(L);   /* a syntax error in our own source: say so loudly */
    lua_pushstring(L, name);
    return 2;
}

/* Puts sim_searcher right after the preload searcher. */
static void install_searcher(lua_State *L)
{
    lua_getglobal(L, "package");
    lua_getfield(L, -1, "searchers");
    lua_Integer n = (lua_Integer)lua_rawlen(L, -1);
    for (lua_Integer i = n; i >= 2; i--) {
        lua_rawgeti(L, -1, i);
        lua_rawseti(L, -2, i + 1);
    }
    lua_pushcfunction(L, sim_searcher);
    lua_rawseti(L, -2, 2);
    lua_pop(L, 2);
}

/* Pushes sim.<name> (a function of lua/sim.lua). */
static void push_sim_fn(wf_sim *sim, const char *name)
{
    lua_rawgeti(sim->L, LUA_REGISTRYINDEX, sim->module_ref);
    lua_getfield(sim->L, -1, name);
    lua_remove(sim->L, -2);
}

/* The message of the error object on top of the stack (string, or an AWS error table). */
static const char *lua_error_text(lua_State *L)
{
    if (lua_type(L, -1) == LUA_TTABLE) {
        lua_getfield(L, -1, "message");
        const char *m = lua_tostring(L, -1);
        lua_pop(L, 1);   /* the table still anchors the string */
        if (m)
            return m;
    }
    const char *s = lua_tostring(L, -1);
    return s ? s : "(error object)";
}

/* ---- set-up ------------------------------------------------------------------------- */

static wf_status parse_credential(const char *spec, wf_sim_credential *c, wf_error *err)
{
    const char *colon = strchr(spec, ':');
    if (!colon || colon == spec || !colon[1])
        return wf_error_set(err, WF_EINVAL, "--credentials %s: expected KEY:SECRET[:ACCOUNT]",
                            spec);
    const char *secret = colon + 1;
    const char *colon2 = strchr(secret, ':');
    size_t secret_len = colon2 ? (size_t)(colon2 - secret) : strlen(secret);
    const char *account = colon2 ? colon2 + 1 : DEFAULT_ACCOUNT;
    if (secret_len == 0)
        return wf_error_set(err, WF_EINVAL, "--credentials: the secret of %.*s is empty",
                            (int)(colon - spec), spec);
    bool digits = strlen(account) == 12;
    for (const char *p = account; digits && *p; p++)
        digits = isdigit((unsigned char)*p);
    if (!digits)
        return wf_error_set(err, WF_EINVAL, "--credentials: account \"%s\" is not 12 digits",
                            account);
    c->access_key = strndup(spec, (size_t)(colon - spec));
    c->secret_key = strndup(secret, secret_len);
    c->account = strdup(account);
    if (!c->access_key || !c->secret_key || !c->account)
        return wf_error_set(err, WF_ENOMEM, "out of memory");
    return WF_OK;
}

static wf_status load_services(wf_sim *sim, wf_error *err)
{
    size_t n = 0;
    for (const wf_aws_embedded_model *m = wf_aws_embedded_models; m->service; m++)
        n++;
    sim->services = calloc(n ? n : 1, sizeof *sim->services);
    if (!sim->services)
        return wf_error_set(err, WF_ENOMEM, "out of memory");
    for (const wf_aws_embedded_model *m = wf_aws_embedded_models; m->service; m++) {
        wf_sim_service *s = &sim->services[sim->n_services++];
        s->name = m->service;
        wf_status st = wf_aws_model_load(m->service, &s->model, err);
        if (st != WF_OK)
            return st;
        s->protocol = wf_aws_model_protocol(&s->model);
        s->signing_name = wf_aws_model_meta(&s->model, "signingName");
        if (!s->signing_name)
            s->signing_name = wf_aws_model_meta(&s->model, "endpointPrefix");
        if (!s->signing_name)
            s->signing_name = s->name;
        s->target_prefix = wf_aws_model_meta(&s->model, "targetPrefix");
        if (!s->protocol)
            return wf_error_set(err, WF_EINVAL, "model %s has no protocol", s->name);
    }
    return WF_OK;
}

static wf_status init_lua(wf_sim *sim, wf_error *err)
{
    sim->L = wf_host_new(err);
    if (!sim->L)
        return err ? err->code : WF_ENOMEM;
    lua_State *L = sim->L;
    wf_sim_lua_bind(L, sim);
    luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_PRELOAD_TABLE);
    lua_pushcfunction(L, wf_sim_open_core);
    lua_setfield(L, -2, "simcore");
    lua_pop(L, 1);
    install_searcher(L);

    lua_getglobal(L, "require");
    lua_pushstring(L, "sim");
    if (wf_host_pcall(L, 1, 1) != LUA_OK) {
        wf_status st = wf_error_set(err, WF_EINVAL, "loading the Lua models: %s",
                                    lua_error_text(L));
        lua_pop(L, 1);
        return st;
    }
    sim->module_ref = luaL_ref(L, LUA_REGISTRYINDEX);

    push_sim_fn(sim, "init");
    lua_createtable(L, 0, 3);
    lua_pushstring(L, sim->opts.region);
    lua_setfield(L, -2, "region");
    lua_pushstring(L, sim->credentials[0].account);
    lua_setfield(L, -2, "account");
    lua_createtable(L, (int)sim->n_services, 0);
    for (size_t i = 0; i < sim->n_services; i++) {
        lua_pushstring(L, sim->services[i].name);
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    lua_setfield(L, -2, "services");
    if (wf_host_pcall(L, 1, 0) != LUA_OK) {
        wf_status st = wf_error_set(err, WF_EINVAL, "sim.init: %s", lua_error_text(L));
        lua_pop(L, 1);
        return st;
    }
    return WF_OK;
}

wf_status wf_sim_init(wf_sim *sim, const wf_sim_options *opts, wf_error *err)
{
    memset(sim, 0, sizeof *sim);
    sim->opts = *opts;
    sim->module_ref = LUA_NOREF;
    if (!sim->opts.region)
        sim->opts.region = "us-east-1";
    if (!(sim->opts.time_scale > 0))
        sim->opts.time_scale = 1;
    if (!sim->opts.max_body)
        sim->opts.max_body = (size_t)512 << 20;
    pthread_mutex_init(&sim->lua_lock, NULL);
    wf_sim_clock_init(&sim->clock, sim->opts.time_scale);

    size_t n = opts->n_credentials ? opts->n_credentials : 1;
    sim->credentials = calloc(n, sizeof *sim->credentials);
    if (!sim->credentials)
        return wf_error_set(err, WF_ENOMEM, "out of memory");
    sim->n_credentials = n;
    for (size_t i = 0; i < n; i++) {
        wf_status st = parse_credential(opts->n_credentials ? opts->credentials[i]
                                                            : "testing:testing",
                                        &sim->credentials[i], err);
        if (st != WF_OK)
            return st;
    }
    sim->faults = wf_sim_faults_new(opts->fault_seed);
    if (!sim->faults)
        return wf_error_set(err, WF_ENOMEM, "out of memory");
    sim->log = wf_sim_request_log_new(opts->request_log_path, 0, err);
    if (!sim->log)
        return err ? err->code : WF_ENOMEM;
    wf_status st = load_services(sim, err);
    if (st == WF_OK)
        st = init_lua(sim, err);
    if (st != WF_OK)
        return st;
    if (opts->state_path && access(opts->state_path, F_OK) == 0)
        return wf_sim_load(sim, opts->state_path, err);
    if (opts->seed_path)
        return wf_sim_seed_file(sim, opts->seed_path, err);
    return WF_OK;
}

void wf_sim_free(wf_sim *sim)
{
    if (!sim)
        return;
    if (sim->L)
        lua_close(sim->L);
    for (size_t i = 0; i < sim->n_services; i++)
        wf_aws_model_free(&sim->services[i].model);
    free(sim->services);
    for (size_t i = 0; i < sim->n_credentials; i++) {
        free(sim->credentials[i].access_key);
        free(sim->credentials[i].secret_key);
        free(sim->credentials[i].account);
    }
    free(sim->credentials);
    wf_sim_faults_free(sim->faults);
    wf_sim_request_log_free(sim->log);
    if (sim->opts.time_scale > 0) {   /* set by a wf_sim_init that got that far */
        wf_sim_clock_destroy(&sim->clock);
        pthread_mutex_destroy(&sim->lua_lock);
    }
    memset(sim, 0, sizeof *sim);
}

/* ---- one AWS request ------------------------------------------------------------------ */

typedef struct aws_call {
    wf_sim *sim;
    const wf_http_request *req;     /* as received */
    wf_http_request view;           /* req, with aws-chunked framing removed */
    char *unchunked;                /* owned body of view, or NULL */
    const wf_sim_service *svc;
    const wf_sim_credential *cred;  /* the static key that signed, or NULL */
    char *temp_secret, *temp_token, *temp_account;  /* or temporary credentials a model
                                                       issued (sim.credentials), owned */
    bool temp_found, temp_expired;
    wf_sigv4_verdict verdict;
    char request_id[40];
    char bucket[256];               /* virtual-hosted S3 bucket, "" for path-style */
    char *operation;
    cJSON *params;
    bool mutating;
    char *payload;                  /* response payload bytes from Lua, or NULL */
    size_t payload_len;
    char code[128];                 /* AWS error to send, "" on success */
    char message[1024];
    int status;
    int fault_rule;
    unsigned latency_ms;            /* injected by fault rules */
    bool dropped;
    char step[128];                 /* the wfrun step of the User-Agent, "" for none */
} aws_call;

/* wfrun names the step making a call in its User-Agent ("wfrun wfrun-step/NAME"): the
 * request log records it and fault rules can match it. */
static void step_from_user_agent(const char *ua, char *out, size_t size)
{
    const char *p = ua ? strstr(ua, "wfrun-step/") : NULL;
    out[0] = '\0';
    if (!p)
        return;
    p += strlen("wfrun-step/");
    size_t n = strcspn(p, " \t");
    if (n >= size)
        n = size - 1;
    memcpy(out, p, n);
    out[n] = '\0';
}

__attribute__((format(printf, 4, 5)))
static void fail(aws_call *c, const char *code, int status, const char *fmt, ...)
{
    snprintf(c->code, sizeof c->code, "%s", code);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->message, sizeof c->message, fmt, ap);
    va_end(ap);
    c->status = status;
}

static bool proto_is(const aws_call *c, const char *p)
{
    return strcmp(c->svc->protocol, p) == 0;
}

static bool is_s3(const aws_call *c)
{
    return proto_is(c, "rest-xml");
}

/* Dups the string field `name` of the table on top of the stack, or NULL. */
static char *dup_field(lua_State *L, const char *name)
{
    lua_getfield(L, -1, name);
    const char *v = lua_tostring(L, -1);
    char *copy = v ? strdup(v) : NULL;
    lua_pop(L, 1);
    return copy;
}

/* sim.credentials(key): temporary credentials a model issued (sts AssumeRole), copied
 * into c->temp_*; false when the models know no such key. */
static bool lua_temp_credentials(aws_call *c, const char *access_key)
{
    wf_sim *sim = c->sim;
    lua_State *L = sim->L;
    pthread_mutex_lock(&sim->lua_lock);
    int top = lua_gettop(L);
    push_sim_fn(sim, "credentials");
    if (lua_isfunction(L, -1)) {
        lua_pushstring(L, access_key);
        if (wf_host_pcall(L, 1, 1) != LUA_OK) {
            fprintf(stderr, "awssim: sim.credentials: %s\n", lua_error_text(L));
        } else if (lua_istable(L, -1)) {
            c->temp_secret = dup_field(L, "secret");
            c->temp_token = dup_field(L, "token");
            c->temp_account = dup_field(L, "account");
            lua_getfield(L, -1, "expired");
            c->temp_expired = lua_toboolean(L, -1);
            lua_pop(L, 1);
            c->temp_found = c->temp_secret && c->temp_account;
        }
    }
    lua_settop(L, top);
    pthread_mutex_unlock(&sim->lua_lock);
    return c->temp_found;
}

static const char *lookup_secret(const char *access_key, void *ud)
{
    aws_call *c = ud;
    for (size_t i = 0; i < c->sim->n_credentials; i++) {
        if (strcmp(c->sim->credentials[i].access_key, access_key) == 0) {
            c->cred = &c->sim->credentials[i];
            return c->cred->secret_key;
        }
    }
    return lua_temp_credentials(c, access_key) ? c->temp_secret : NULL;
}

/* The account the request acts in. */
static const char *call_account(const aws_call *c)
{
    if (c->cred)
        return c->cred->account;
    if (c->temp_found)
        return c->temp_account;
    return c->sim->credentials[0].account;
}

/* The value of name in an "a=b&c=d" string, decoded, into out; false when absent. */
static bool form_value(const char *s, size_t len, const char *name, char *out, size_t size)
{
    size_t nlen = strlen(name);
    const char *end = s + len;
    for (const char *p = s; p < end;) {
        const char *amp = memchr(p, '&', (size_t)(end - p));
        const char *item_end = amp ? amp : end;
        if ((size_t)(item_end - p) > nlen && strncmp(p, name, nlen) == 0 && p[nlen] == '=') {
            char *v = wf_uri_decode(p + nlen + 1, (size_t)(item_end - p - nlen - 1), NULL);
            if (!v)
                return false;
            snprintf(out, size, "%s", v);
            free(v);
            return true;
        }
        p = amp ? amp + 1 : end;
    }
    return false;
}

/* The service named by the credential scope ("AKID/20240101/us-east-1/sts/aws4_request")
 * of the Authorization header or of a presigned query. */
static bool scope_service(const wf_http_request *req, char *out, size_t size)
{
    char cred[512] = "";
    const char *auth = wf_http_headers_get(&req->headers, "Authorization");
    const char *p = auth ? strstr(auth, "Credential=") : NULL;
    if (p) {
        p += strlen("Credential=");
        size_t n = strcspn(p, ", ");
        snprintf(cred, sizeof cred, "%.*s", (int)(n < sizeof cred ? n : sizeof cred - 1), p);
    } else if (!form_value(req->query, strlen(req->query), "X-Amz-Credential", cred,
                           sizeof cred)) {
        return false;
    }
    const char *field = cred;
    for (int i = 0; i < 3; i++) {
        field = strchr(field, '/');
        if (!field)
            return false;
        field++;
    }
    size_t n = strcspn(field, "/");
    if (n == 0 || n >= size)
        return false;
    memcpy(out, field, n);
    out[n] = '\0';
    return true;
}

static const wf_sim_service *find_service(const wf_sim *sim, const char *name)
{
    for (size_t i = 0; i < sim->n_services; i++)
        if (strcmp(sim->services[i].name, name) == 0)
            return &sim->services[i];
    return NULL;
}

/* Which service the request is for: the signature's scope, else X-Amz-Target (json), else
 * an Action naming an operation of a query model, else S3 (plain REST paths). */
static const wf_sim_service *detect_service(const wf_sim *sim, const wf_http_request *req)
{
    char name[64];
    if (scope_service(req, name, sizeof name)) {
        for (size_t i = 0; i < sim->n_services; i++)
            if (strcmp(sim->services[i].signing_name, name) == 0)
                return &sim->services[i];
    }
    const char *target = wf_http_headers_get(&req->headers, "X-Amz-Target");
    if (target) {
        for (size_t i = 0; i < sim->n_services; i++) {
            const wf_sim_service *s = &sim->services[i];
            size_t n = s->target_prefix ? strlen(s->target_prefix) : 0;
            if (n && strncmp(target, s->target_prefix, n) == 0 && target[n] == '.')
                return s;
        }
    }
    char action[128];
    if (form_value(req->query, strlen(req->query), "Action", action, sizeof action) ||
        form_value(req->body, req->body_len, "Action", action, sizeof action)) {
        for (size_t i = 0; i < sim->n_services; i++) {
            const wf_sim_service *s = &sim->services[i];
            if ((strcmp(s->protocol, "query") == 0 || strcmp(s->protocol, "ec2") == 0) &&
                wf_aws_model_operation(&s->model, action))
                return s;
        }
    }
    return find_service(sim, "s3");
}

/* The bucket of a virtual-hosted S3 request: "<bucket>.s3.<anything>" or
 * "<bucket>.localhost" (port ignored). */
static void bucket_from_host(const char *host, char *out, size_t size)
{
    out[0] = '\0';
    if (!host || host[0] == '[')
        return;
    char h[256];
    snprintf(h, sizeof h, "%s", host);
    char *colon = strrchr(h, ':');
    if (colon)
        *colon = '\0';
    for (char *p = h; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    size_t len = strlen(h);
    char *s3 = NULL;
    for (char *p = strstr(h, ".s3."); p; p = strstr(p + 1, ".s3."))
        s3 = p;
    if (!s3)
        s3 = strstr(h, ".s3-");   /* legacy "<bucket>.s3-us-west-2.amazonaws.com" */
    size_t n = 0;
    if (s3) {
        n = (size_t)(s3 - h);
    } else if (len > 10 && strcmp(h + len - 10, ".localhost") == 0) {
        n = len - 10;
        if (strncmp(h, "s3.", 3) == 0 || (n == 2 && strncmp(h, "s3", 2) == 0))
            n = 0;
    }
    if (n > 0 && n < size) {
        memcpy(out, h, n);
        out[n] = '\0';
    }
}

static void new_request_id(bool s3, char out[40])
{
    unsigned char b[16];
    if (RAND_bytes(b, sizeof b) != 1)
        memset(b, 0x5a, sizeof b);
    if (s3) {
        for (int i = 0; i < 8; i++)
            snprintf(out + 2 * i, 3, "%02X", b[i]);
        return;
    }
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
    snprintf(out, 40, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
             b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12],
             b[13], b[14], b[15]);
}

/* Checks the signature; on failure sets the protocol's error and returns false. */
static bool authenticate(aws_call *c)
{
    wf_error err = {0};
    if (wf_sigv4_verify(c->req, lookup_secret, c, c->svc->signing_name, &c->verdict, &err) !=
        WF_OK) {
        fail(c, is_s3(c) ? "InternalError" : "InternalFailure", 500, "%s", err.message);
        return false;
    }
    const wf_sigv4_verdict *v = &c->verdict;
    bool ec2 = proto_is(c, "ec2");
    switch (v->result) {
    case WF_SIGV4_OK:
        break;
    case WF_SIGV4_MISSING_AUTH:
        if (is_s3(c))
            fail(c, "AccessDenied", 403, "Access Denied");
        else
            fail(c, "MissingAuthenticationToken", 403, "Request is missing Authentication Token");
        return false;
    case WF_SIGV4_MALFORMED:
        fail(c, is_s3(c) ? (v->presigned ? "AuthorizationQueryParametersError"
                                         : "AuthorizationHeaderMalformed")
                         : "IncompleteSignature",
             400, "%s", v->detail);
        return false;
    case WF_SIGV4_UNKNOWN_KEY:
        if (is_s3(c))
            fail(c, "InvalidAccessKeyId", 403,
                 "The AWS Access Key Id you provided does not exist in our records.");
        else if (ec2)
            fail(c, "AuthFailure", 401, "AWS was not able to validate the provided access "
                 "credentials");
        else
            fail(c, "InvalidClientTokenId", 403,
                 "The security token included in the request is invalid.");
        return false;
    case WF_SIGV4_MISMATCH:
        fail(c, "SignatureDoesNotMatch", 403, "%s", v->detail);
        return false;
    case WF_SIGV4_PAYLOAD_MISMATCH:
        if (is_s3(c))
            fail(c, "XAmzContentSHA256Mismatch", 400, "%s", v->detail);
        else
            fail(c, "SignatureDoesNotMatch", 403, "%s", v->detail);
        return false;
    }
    /* Temporary credentials need their session token, and expire on the sim clock. */
    if (c->temp_found) {
        const char *token = v->session_token;
        if (!token || !c->temp_token || strcmp(token, c->temp_token) != 0) {
            if (is_s3(c))
                fail(c, "InvalidToken", 400, "The provided token is malformed or otherwise "
                     "invalid.");
            else
                fail(c, "InvalidClientTokenId", 403,
                     "The security token included in the request is invalid.");
            return false;
        }
        if (c->temp_expired) {
            if (is_s3(c))
                fail(c, "ExpiredToken", 400, "The provided token has expired.");
            else if (proto_is(c, "json"))
                fail(c, "ExpiredTokenException", 400,
                     "The security token included in the request is expired");
            else
                fail(c, "ExpiredToken", 403,
                     "The security token included in the request is expired");
            return false;
        }
    }
    /* The signature is good; now its time. Real time: clients sign with their clock. */
    time_t signed_at;
    if (wf_sigv4_parse_date(v->amz_date, &signed_at) != WF_OK) {
        fail(c, "IncompleteSignature", 400, "bad X-Amz-Date");
        return false;
    }
    double now = wf_sim_real_now();
    if (v->presigned) {
        if (now > (double)signed_at + v->expires) {
            fail(c, "AccessDenied", 403, "Request has expired");
            return false;
        }
    } else if (fabs(now - (double)signed_at) > MAX_SKEW_SECONDS) {
        if (is_s3(c))
            fail(c, "RequestTimeTooSkewed", 403, "The difference between the request time "
                 "and the current time is too large.");
        else if (ec2)
            fail(c, "RequestExpired", 400, "Request has expired.");
        else if (proto_is(c, "json"))
            fail(c, "InvalidSignatureException", 400, "Signature expired: %s", v->amz_date);
        else
            fail(c, "SignatureDoesNotMatch", 403, "Signature expired: %s", v->amz_date);
        return false;
    }
    return true;
}

/* Undoes aws-chunked framing ("<hex size>[;chunk-signature=...]\r\n<data>\r\n", a zero
 * chunk, trailers) when the payload hash says STREAMING-*. Chunk signatures are not
 * checked: the seed signature over the headers was. */
static bool unchunk(aws_call *c)
{
    c->view = *c->req;
    const char *sha = wf_http_headers_get(&c->req->headers, "x-amz-content-sha256");
    if (!sha || strncmp(sha, "STREAMING-", 10) != 0)
        return true;
    const char *p = c->req->body, *end = c->req->body + c->req->body_len;
    char *out = malloc(c->req->body_len + 1);
    if (!out) {
        fail(c, "InternalError", 500, "out of memory");
        return false;
    }
    size_t n = 0;
    for (;;) {
        char *size_end = NULL;
        if (p >= end || !isxdigit((unsigned char)*p))
            goto bad;
        unsigned long long size = strtoull(p, &size_end, 16);
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        if (!eol || size_end > eol)
            goto bad;
        p = eol + 1;
        if (size == 0)
            break;
        if (size > (unsigned long long)(end - p))
            goto bad;
        memcpy(out + n, p, (size_t)size);
        n += (size_t)size;
        p += size;
        if (end - p >= 2 && p[0] == '\r' && p[1] == '\n')
            p += 2;
        else
            goto bad;
    }
    out[n] = '\0';
    c->unchunked = out;
    c->view.body = out;
    c->view.body_len = n;
    return true;
bad:
    free(out);
    fail(c, is_s3(c) ? "IncompleteBody" : "SerializationException", 400,
         "the aws-chunked body is malformed");
    return false;
}

static bool decode(aws_call *c)
{
    wf_error err = {0};
    wf_status st = wf_sim_decode_request(&c->svc->model, &c->view, c->bucket[0] ? c->bucket : NULL,
                                         &c->operation, &c->params, &err);
    if (st == WF_OK)
        return true;
    bool ec2 = proto_is(c, "ec2"), query = proto_is(c, "query"), json = proto_is(c, "json");
    switch (st) {
    case WF_ENOTFOUND:
        if (ec2 || query)
            fail(c, "InvalidAction", 400, "%s", err.message);
        else if (json)
            fail(c, "UnknownOperationException", 400, "%s", err.message);
        else
            fail(c, "MethodNotAllowed", 405, "%s", err.message);
        break;
    case WF_EINVAL:
        fail(c, ec2 ? "InvalidParameterValue" : query ? "ValidationError"
                : json ? "ValidationException" : "InvalidArgument", 400, "%s", err.message);
        break;
    case WF_EPARSE:
        fail(c, (ec2 || query) ? "MalformedQueryString" : json ? "SerializationException"
                : "MalformedXML", 400, "%s", err.message);
        break;
    default:
        fail(c, is_s3(c) || ec2 ? "InternalError" : "InternalFailure", 500, "%s", err.message);
        break;
    }
    return false;
}

/* The operation's input or output member that is a blob payload (see codec.h), or NULL. */
static const char *payload_blob_member(const wf_aws_model *m, const char *operation,
                                       const char *direction)
{
    const cJSON *op = wf_aws_model_operation(m, operation);
    const cJSON *ref = op ? cJSON_GetObjectItemCaseSensitive(op, direction) : NULL;
    const cJSON *shape_name = ref ? cJSON_GetObjectItemCaseSensitive(ref, "shape") : NULL;
    const cJSON *shape = cJSON_IsString(shape_name)
                             ? wf_aws_model_shape(m, shape_name->valuestring) : NULL;
    const cJSON *payload = shape ? cJSON_GetObjectItemCaseSensitive(shape, "payload") : NULL;
    if (!cJSON_IsString(payload))
        return NULL;
    const cJSON *members = cJSON_GetObjectItemCaseSensitive(shape, "members");
    const cJSON *member = cJSON_GetObjectItemCaseSensitive(members, payload->valuestring);
    const cJSON *mshape_name = member ? cJSON_GetObjectItemCaseSensitive(member, "shape") : NULL;
    const cJSON *mshape = cJSON_IsString(mshape_name)
                              ? wf_aws_model_shape(m, mshape_name->valuestring) : NULL;
    const cJSON *type = mshape ? cJSON_GetObjectItemCaseSensitive(mshape, "type") : NULL;
    if (cJSON_IsString(type) && strcmp(type->valuestring, "blob") == 0)
        return payload->valuestring;
    return NULL;
}

/* sim.is_mutating(service, operation); true when the Lua side cannot say. */
static bool lua_is_mutating(wf_sim *sim, const char *service, const char *operation)
{
    lua_State *L = sim->L;
    pthread_mutex_lock(&sim->lua_lock);
    push_sim_fn(sim, "is_mutating");
    lua_pushstring(L, service);
    lua_pushstring(L, operation);
    bool mutating = true;
    if (wf_host_pcall(L, 2, 1) == LUA_OK)
        mutating = lua_toboolean(L, -1);
    else
        fprintf(stderr, "awssim: sim.is_mutating: %s\n", lua_error_text(L));
    lua_pop(L, 1);
    pthread_mutex_unlock(&sim->lua_lock);
    return mutating;
}

static void push_context(aws_call *c, const char *payload_in, const char *payload_out)
{
    lua_State *L = c->sim->L;
    lua_createtable(L, 0, 16);
#define SET_STR(k, v) (lua_pushstring(L, (v)), lua_setfield(L, -2, (k)))
    SET_STR("request_id", c->request_id);
    SET_STR("service", c->svc->name);
    SET_STR("operation", c->operation);
    SET_STR("region", c->verdict.region[0] ? c->verdict.region : c->sim->opts.region);
    SET_STR("account", call_account(c));
    SET_STR("access_key", c->verdict.access_key);
    SET_STR("method", c->req->method);
    SET_STR("path", c->req->path);
    SET_STR("query", c->req->query);
    const char *host = wf_http_headers_get(&c->req->headers, "Host");
    if (host)
        SET_STR("host", host);
    if (c->bucket[0])
        SET_STR("bucket", c->bucket);
    if (payload_in)
        SET_STR("payload_in", payload_in);
    if (payload_out)
        SET_STR("payload_out", payload_out);
#undef SET_STR
    lua_pushnumber(L, wf_sim_clock_now(&c->sim->clock));
    lua_setfield(L, -2, "now");
    /* Headers by lower-case name; repeats joined with ",", as HTTP allows. */
    lua_createtable(L, 0, (int)c->req->headers.count);
    for (size_t i = 0; i < c->req->headers.count; i++) {
        const wf_http_header *h = &c->req->headers.items[i];
        luaL_Buffer b;
        luaL_buffinit(L, &b);
        for (const char *p = h->name; *p; p++)
            luaL_addchar(&b, (char)tolower((unsigned char)*p));
        luaL_pushresult(&b);
        lua_pushvalue(L, -1);
        if (lua_rawget(L, -3) == LUA_TSTRING) {
            lua_pushliteral(L, ",");
            lua_pushstring(L, h->value);
            lua_concat(L, 3);
        } else {
            lua_pop(L, 1);
            lua_pushstring(L, h->value);
        }
        lua_rawset(L, -3);
    }
    lua_setfield(L, -2, "headers");
}

/* Reads the AWS error table (or message) on top of the stack into c. */
static void take_lua_error(aws_call *c)
{
    lua_State *L = c->sim->L;
    if (lua_type(L, -1) == LUA_TTABLE) {
        lua_getfield(L, -1, "code");
        lua_getfield(L, -2, "message");
        lua_getfield(L, -3, "status");
        const char *code = lua_tostring(L, -3);
        const char *msg = lua_tostring(L, -2);
        lua_Integer status = lua_tointeger(L, -1);
        if (code && *code) {
            fail(c, code, status >= 100 && status <= 599 ? (int)status : 400, "%s",
                 msg ? msg : "");
            lua_pop(L, 3);
            return;
        }
        lua_pop(L, 3);
    }
    const char *text = lua_error_text(L);
    fprintf(stderr, "awssim: %s:%s: Lua error: %s\n", c->svc->name, c->operation, text);
    fail(c, is_s3(c) || proto_is(c, "ec2") ? "InternalError" : "InternalFailure", 500,
         "awssim: %s", text);
}

/* sim.handle(service, operation, params, ctx) -> result[, payload bytes]. On success
 * *result is the output as JSON; on an AWS error c->code is set. */
static void call_handler(aws_call *c, cJSON **result)
{
    *result = NULL;
    const char *payload_in = payload_blob_member(&c->svc->model, c->operation, "input");
    const char *payload_out = payload_blob_member(&c->svc->model, c->operation, "output");
    wf_sim *sim = c->sim;
    lua_State *L = sim->L;
    pthread_mutex_lock(&sim->lua_lock);
    int top = lua_gettop(L);
    push_sim_fn(sim, "handle");
    lua_pushstring(L, c->svc->name);
    lua_pushstring(L, c->operation);
    wf_json_push(L, c->params);
    if (payload_in && lua_istable(L, -1)) {
        lua_pushlstring(L, c->view.body, c->view.body_len);
        lua_setfield(L, -2, payload_in);
    }
    push_context(c, payload_in, payload_out);
    if (wf_host_pcall(L, 4, 2) != LUA_OK) {
        take_lua_error(c);
    } else {
        if (payload_out && lua_type(L, -1) == LUA_TSTRING) {
            size_t len;
            const char *bytes = lua_tolstring(L, -1, &len);
            c->payload = malloc(len + 1);
            if (c->payload) {
                memcpy(c->payload, bytes, len);
                c->payload[len] = '\0';
                c->payload_len = len;
            }
        }
        wf_error err = {0};
        if (lua_isnil(L, -2)) {
            *result = cJSON_CreateObject();
        } else {
            *result = wf_lua_to_json(L, -2, &err);
        }
        if (!*result || (payload_out && lua_type(L, -1) == LUA_TSTRING && !c->payload))
            fail(c, is_s3(c) ? "InternalError" : "InternalFailure", 500,
                 "awssim: %s:%s returned a result that is not JSON: %s", c->svc->name,
                 c->operation, err.message[0] ? err.message : "out of memory");
        else if (!cJSON_IsObject(*result))
            fail(c, is_s3(c) ? "InternalError" : "InternalFailure", 500,
                 "awssim: %s:%s returned a %s, not a table", c->svc->name, c->operation,
                 cJSON_IsArray(*result) ? "list" : "scalar");
    }
    lua_settop(L, top);
    pthread_mutex_unlock(&sim->lua_lock);
}

static void apply_fault(aws_call *c, const wf_sim_fault_outcome *f)
{
    c->fault_rule = f->rule_id;
    c->latency_ms = f->latency_ms;
    if (f->latency_ms) {
        struct timespec ts = {f->latency_ms / 1000, (long)(f->latency_ms % 1000) * 1000000L};
        while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
            ;
    }
    switch (f->kind) {
    case WF_SIM_FAULT_NONE:
        break;
    case WF_SIM_FAULT_DROP:
        c->dropped = true;
        break;
    case WF_SIM_FAULT_ERROR:
        fail(c, f->code, f->status ? f->status : 400, "%s", f->message);
        break;
    case WF_SIM_FAULT_THROTTLE:
        if (f->code[0])
            fail(c, f->code, f->status ? f->status : 400, "%s", f->message);
        else if (is_s3(c))
            fail(c, "SlowDown", f->status ? f->status : 503, "Please reduce your request rate.");
        else if (proto_is(c, "ec2"))
            fail(c, "RequestLimitExceeded", f->status ? f->status : 503,
                 "Request limit exceeded.");
        else if (proto_is(c, "json"))
            fail(c, "ThrottlingException", f->status ? f->status : 400, "Rate exceeded");
        else
            fail(c, "Throttling", f->status ? f->status : 400, "Rate exceeded");
        break;
    }
}

static void add_time(cJSON *o, const char *key, double t)
{
    time_t secs = (time_t)t;
    struct tm tm;
    char buf[96];
    if (!gmtime_r(&secs, &tm))
        return;
    snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
             tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
             (int)((t - (double)secs) * 1000));
    cJSON_AddStringToObject(o, key, buf);
}

static void log_call(aws_call *c, int status, double started)
{
    cJSON *e = cJSON_CreateObject();
    if (!e)
        return;
    add_time(e, "time", started);
    add_time(e, "sim_time", wf_sim_clock_now(&c->sim->clock));
    cJSON_AddStringToObject(e, "request_id", c->request_id);
    cJSON_AddStringToObject(e, "service", c->svc->name);
    if (c->operation)
        cJSON_AddStringToObject(e, "operation", c->operation);
    else
        cJSON_AddNullToObject(e, "operation");
    cJSON *params = wf_sim_redact(c->params);
    if (params)
        cJSON_AddItemToObject(e, "params", params);
    else
        cJSON_AddNullToObject(e, "params");
    cJSON_AddBoolToObject(e, "mutating", c->mutating);
    if (c->dropped)
        cJSON_AddNullToObject(e, "status");
    else
        cJSON_AddNumberToObject(e, "status", status);
    if (c->code[0]) {
        cJSON_AddStringToObject(e, "error", c->code);
        cJSON_AddStringToObject(e, "message", c->message);
    } else {
        cJSON_AddNullToObject(e, "error");
    }
    if (c->dropped)
        cJSON_AddBoolToObject(e, "dropped", 1);
    if (c->fault_rule)
        cJSON_AddNumberToObject(e, "fault", c->fault_rule);
    if (c->latency_ms)
        cJSON_AddNumberToObject(e, "latency_ms", c->latency_ms);
    if (c->verdict.access_key[0])
        cJSON_AddStringToObject(e, "access_key", c->verdict.access_key);
    if (c->step[0])
        cJSON_AddStringToObject(e, "step", c->step);
    cJSON_AddNumberToObject(e, "duration_ms",
                            floor((wf_sim_real_now() - started) * 1e4 + 0.5) / 10);
    wf_sim_request_log_add(c->sim->log, e);
}

/* The codec's response plus request-id headers and the payload. */
static void finish_response(aws_call *c, cJSON *result, wf_http_response *out)
{
    wf_error err = {0};
    if (!c->code[0]) {
        wf_status st = wf_sim_encode_response(&c->svc->model, c->operation, result,
                                              c->request_id, out, &err);
        if (st != WF_OK) {
            fprintf(stderr, "awssim: encoding %s:%s: %s\n", c->svc->name, c->operation,
                    err.message);
            wf_http_response_free(out);
            memset(out, 0, sizeof *out);
            fail(c, is_s3(c) || proto_is(c, "ec2") ? "InternalError" : "InternalFailure", 500,
                 "awssim could not encode the answer: %s", err.message);
        } else {
            /* S3 answers a byte range (Range or PartNumber) with 206 Partial Content. */
            if (is_s3(c) && out->status == 200 && wf_http_headers_get(&out->headers, "Content-Range"))
                out->status = 206;
            if (c->payload) {
                free(out->body);
                out->body = c->payload;
                out->body_len = c->payload_len;
                c->payload = NULL;
            }
        }
    }
    if (c->code[0]) {
        memset(&err, 0, sizeof err);
        if (wf_sim_encode_error(&c->svc->model, c->code, c->message, c->status, c->request_id,
                                out, &err) != WF_OK) {
            fprintf(stderr, "awssim: encoding error %s: %s\n", c->code, err.message);
            wf_http_response_free(out);
            memset(out, 0, sizeof *out);
            out->status = c->status ? c->status : 500;
        }
        if (!out->status)
            out->status = c->status ? c->status : 400;
    }
    if (is_s3(c)) {
        if (!wf_http_headers_get(&out->headers, "x-amz-request-id"))
            wf_http_headers_set(&out->headers, "x-amz-request-id", c->request_id);
        if (!wf_http_headers_get(&out->headers, "x-amz-id-2")) {
            char id2[80];
            snprintf(id2, sizeof id2, "awssim/%s=", c->request_id);
            wf_http_headers_set(&out->headers, "x-amz-id-2", id2);
        }
    } else if (!wf_http_headers_get(&out->headers, "x-amzn-RequestId")) {
        wf_http_headers_set(&out->headers, "x-amzn-RequestId", c->request_id);
    }
}

static void handle_aws(wf_sim *sim, const wf_http_request *req, wf_sim_reply *reply)
{
    double started = wf_sim_real_now();
    aws_call c = {.sim = sim, .req = req};
    cJSON *result = NULL;
    c.svc = detect_service(sim, req);
    if (!c.svc) {   /* no S3 model embedded: nothing sensible to answer with */
        reply->response.status = 400;
        return;
    }
    new_request_id(is_s3(&c), c.request_id);
    if (is_s3(&c))
        bucket_from_host(wf_http_headers_get(&req->headers, "Host"), c.bucket, sizeof c.bucket);
    c.view = *req;
    if (authenticate(&c) && unchunk(&c) && decode(&c)) {
        c.mutating = lua_is_mutating(sim, c.svc->name, c.operation);
        step_from_user_agent(wf_http_headers_get(&req->headers, "User-Agent"), c.step,
                             sizeof c.step);
        wf_sim_fault_call call = {c.svc->name, c.operation, c.step[0] ? c.step : NULL,
                                  c.mutating};
        wf_sim_fault_outcome fault;
        wf_sim_faults_check(sim->faults, &call, &fault);
        apply_fault(&c, &fault);
        if (!c.dropped && !c.code[0])
            call_handler(&c, &result);
    }
    if (c.dropped) {
        reply->drop = true;
        log_call(&c, 0, started);
    } else {
        finish_response(&c, result, &reply->response);
        log_call(&c, reply->response.status, started);
    }
    cJSON_Delete(result);
    cJSON_Delete(c.params);
    free(c.operation);
    free(c.payload);
    free(c.unchunked);
    free(c.temp_secret);
    free(c.temp_token);
    free(c.temp_account);
    wf_sigv4_verdict_free(&c.verdict);
}

void wf_sim_handle(void *ud, const wf_http_request *req, wf_sim_reply *reply)
{
    wf_sim *sim = ud;
    if (wf_sim_is_control_path(req->path))
        wf_sim_control(sim, req, reply);
    else
        handle_aws(sim, req, reply);
}

/* ---- the world as a whole: save, load, seed, reset, inventory ------------------------- */

/* Calls sim.<fn> with the JSON argument (or none) under the lock; with want_result, the
 * first result as JSON in *out. */
static wf_status call_world(wf_sim *sim, const char *fn, const cJSON *arg, bool want_result,
                            cJSON **out, wf_error *err)
{
    if (out)
        *out = NULL;
    lua_State *L = sim->L;
    wf_status st = WF_OK;
    pthread_mutex_lock(&sim->lua_lock);
    int top = lua_gettop(L);
    push_sim_fn(sim, fn);
    if (arg)
        wf_json_push(L, arg);
    if (wf_host_pcall(L, arg ? 1 : 0, want_result ? 1 : 0) != LUA_OK) {
        st = wf_error_set(err, WF_EINVAL, "%s", lua_error_text(L));
    } else if (want_result) {
        *out = wf_lua_to_json(L, -1, err);
        if (!*out)
            st = err ? err->code : WF_EINVAL;
    }
    lua_settop(L, top);
    pthread_mutex_unlock(&sim->lua_lock);
    return st;
}

static wf_status write_all(int fd, const char *data, size_t len)
{
    while (len) {
        ssize_t n = write(fd, data, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return WF_EIO;
        data += n;
        len -= (size_t)n;
    }
    return WF_OK;
}

wf_status wf_sim_save(wf_sim *sim, const char *path, wf_error *err)
{
    cJSON *world = NULL;
    wf_status st = call_world(sim, "dump", NULL, true, &world, err);
    if (st != WF_OK)
        return st;
    char *text = wf_json_print(world, 0);
    cJSON_Delete(world);
    if (!text)
        return wf_error_set(err, WF_ENOMEM, "save: out of memory");
    char tmp[PATH_MAX];
    if (snprintf(tmp, sizeof tmp, "%s.XXXXXX", path) >= (int)sizeof tmp) {
        free(text);
        return wf_error_set(err, WF_EINVAL, "save: path too long");
    }
    int fd = mkstemp(tmp);
    if (fd < 0) {
        free(text);
        return wf_error_set(err, WF_EIO, "save %s: %s", path, strerror(errno));
    }
    /* Temporary file, fsync, rename, fsync the directory: a crash leaves the old or the
     * new state, never half of one. */
    st = write_all(fd, text, strlen(text));
    if (st == WF_OK)
        st = write_all(fd, "\n", 1);
    if (st == WF_OK && fsync(fd) != 0)
        st = WF_EIO;
    int saved_errno = errno;
    close(fd);
    free(text);
    if (st == WF_OK && rename(tmp, path) != 0) {
        st = WF_EIO;
        saved_errno = errno;
    }
    if (st != WF_OK) {
        unlink(tmp);
        return wf_error_set(err, WF_EIO, "save %s: %s", path, strerror(saved_errno));
    }
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash)
        *(slash == dir ? slash + 1 : slash) = '\0';
    else
        strcpy(dir, ".");
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
    return WF_OK;
}

static char *read_file(const char *path, size_t *len, wf_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        wf_error_set(err, errno == ENOENT ? WF_ENOTFOUND : WF_EIO, "%s: %s", path,
                     strerror(errno));
        return NULL;
    }
    size_t cap = 65536, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        size_t got = fread(buf + n, 1, cap - n - 1, f);
        n += got;
        if (n + 1 < cap)
            break;
        char *grown = realloc(buf, cap * 2);
        if (!grown) {
            free(buf);
            buf = NULL;
            break;
        }
        buf = grown;
        cap *= 2;
    }
    bool failed = ferror(f);
    fclose(f);
    if (!buf || failed) {
        free(buf);
        wf_error_set(err, buf ? WF_EIO : WF_ENOMEM, "%s: cannot read", path);
        return NULL;
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}

wf_status wf_sim_load(wf_sim *sim, const char *path, wf_error *err)
{
    size_t len = 0;
    char *text = read_file(path, &len, err);
    if (!text)
        return err ? err->code : WF_EIO;
    cJSON *state = cJSON_ParseWithLength(text, len);
    free(text);
    if (!cJSON_IsObject(state)) {
        cJSON_Delete(state);
        return wf_error_set(err, WF_EPARSE, "state %s: not a JSON object (is it an awssim "
                            "state file?)", path);
    }
    cJSON *time = cJSON_GetObjectItemCaseSensitive(state, "time");
    if (cJSON_IsNumber(time))
        wf_sim_clock_not_before(&sim->clock, time->valuedouble);
    wf_error inner = {0};
    wf_status st = call_world(sim, "restore", state, false, NULL, &inner);
    cJSON_Delete(state);
    if (st != WF_OK)
        wf_error_set(err, st, "state %s: %s", path, inner.message);
    return st;
}

wf_status wf_sim_seed_json(wf_sim *sim, const cJSON *seed, wf_error *err)
{
    if (!cJSON_IsObject(seed))
        return wf_error_set(err, WF_EINVAL, "a seed must be a JSON object");
    return call_world(sim, "seed", seed, false, NULL, err);
}

/* Runs a .lua seed in an empty environment; it returns the seed table. */
static wf_status lua_seed_to_json(const char *path, cJSON **out, wf_error *err)
{
    *out = NULL;
    lua_State *L = luaL_newstate();
    if (!L)
        return wf_error_set(err, WF_ENOMEM, "out of memory");
    wf_status st = WF_OK;
    if (luaL_loadfilex(L, path, "t") != LUA_OK) {
        st = wf_error_set(err, WF_EINVAL, "seed: %s", lua_tostring(L, -1));
    } else {
        lua_newtable(L);   /* no globals: a seed is data */
        lua_setupvalue(L, -2, 1);
        if (lua_pcall(L, 0, 1, 0) != LUA_OK)
            st = wf_error_set(err, WF_EINVAL, "seed %s: %s", path,
                              lua_tostring(L, -1) ? lua_tostring(L, -1) : "error");
        else if (!lua_istable(L, -1))
            st = wf_error_set(err, WF_EINVAL, "seed %s: must return a table", path);
        else if (!(*out = wf_lua_to_json(L, -1, err)))
            st = err ? err->code : WF_EINVAL;
    }
    lua_close(L);
    return st;
}

wf_status wf_sim_seed_file(wf_sim *sim, const char *path, wf_error *err)
{
    cJSON *seed = NULL;
    size_t plen = strlen(path);
    if (plen > 4 && strcmp(path + plen - 4, ".lua") == 0) {
        wf_status st = lua_seed_to_json(path, &seed, err);
        if (st != WF_OK)
            return st;
    } else {
        size_t len = 0;
        char *text = read_file(path, &len, err);
        if (!text)
            return err ? err->code : WF_EIO;
        seed = cJSON_ParseWithLength(text, len);
        free(text);
        if (!seed)
            return wf_error_set(err, WF_EPARSE, "seed %s: not valid JSON", path);
    }
    wf_error inner = {0};
    wf_status st = wf_sim_seed_json(sim, seed, &inner);
    cJSON_Delete(seed);
    if (st != WF_OK)
        wf_error_set(err, st, "seed %s: %s", path, inner.message);
    return st;
}

wf_status wf_sim_reset(wf_sim *sim, wf_error *err)
{
    wf_status st = call_world(sim, "reset", NULL, false, NULL, err);
    if (st == WF_OK && sim->opts.seed_path)
        st = wf_sim_seed_file(sim, sim->opts.seed_path, err);
    return st;
}

cJSON *wf_sim_inventory(wf_sim *sim, wf_error *err)
{
    cJSON *inv = NULL;
    if (call_world(sim, "inventory", NULL, true, &inv, err) != WF_OK)
        return NULL;
    return inv;
}

cJSON *wf_sim_app_health(wf_sim *sim, const char *stack_name, wf_error *err)
{
    cJSON *name = cJSON_CreateString(stack_name);
    if (!name) {
        wf_error_set(err, WF_ENOMEM, "out of memory");
        return NULL;
    }
    cJSON *health = NULL;
    wf_status st = call_world(sim, "app_health", name, true, &health, err);
    cJSON_Delete(name);
    return st == WF_OK ? health : NULL;
}
