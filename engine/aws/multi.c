/* wf_aws_multi: AWS requests in flight together on one curl multi handle, each with its
 * own retries (see multi.h). */
#include "aws/multi.h"
#include "aws/call.h"
#include "aws/endpoints.h"
#include "aws/http_client.h"
#include "aws/retry.h"
#include "aws/serialize.h"
#include "aws/sigv4.h"
#include "interrupt.h"
#include "log.h"
#include <assert.h>
#include <curl/curl.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define DEFAULT_CONCURRENCY 32
#define THROTTLE_PAUSE_S 0.2     /* the window shrinks at most this often */
#define POLL_MAX_MS 200          /* wake up this often to notice signals */

typedef struct mreq {
    struct mreq *next;
    intptr_t tag;
    const wf_aws_model *model;
    const char *op;                 /* the model's */
    char service[32];
    char *region;
    int s3;
    const char *payload_hash;
    wf_aws_parse_options popts;
    wf_http_request http;
    char *origin, *host, *url;
    int attempt;
    double due;
    size_t slot;                    /* in inflight while running */
    /* the transfer */
    CURL *easy;
    struct curl_slist *headers;
    wf_http_response resp;
    size_t body_cap;
    int oom;
    char errbuf[CURL_ERROR_SIZE];
    int raw_response;
    char *raw;                      /* the answer's bytes, with raw_response */
    size_t raw_len;
    /* the outcome */
    wf_status status;
    cJSON *result;
    wf_aws_error aws_err;
    wf_error err;
} mreq;

typedef struct queue {
    mreq *head, *tail;
    size_t count;
} queue;

struct wf_aws_multi {
    wf_aws_client *client;
    CURLM *curl;
    wf_aws_retry retry;
    int concurrency;
    double window;
    double last_shrink;
    queue ready, waiting, done;
    size_t running;
    mreq **inflight;              /* running requests by slot (for dropping them) */
    size_t nrunning_slots;        /* = concurrency */
    CURL **idle;                  /* easy handles to reuse */
    size_t nidle;
    long connect_ms, total_ms;
    wf_aws_multi_stats stats;
};

static void push(queue *q, mreq *r)
{
    r->next = NULL;
    if (q->tail)
        q->tail->next = r;
    else
        q->head = r;
    q->tail = r;
    q->count++;
}

static mreq *pop(queue *q)
{
    mreq *r = q->head;
    if (r) {
        q->head = r->next;
        if (!q->head)
            q->tail = NULL;
        q->count--;
        r->next = NULL;
    }
    return r;
}

static void req_free(mreq *r)
{
    if (!r)
        return;
    wf_http_request_free(&r->http);
    wf_http_response_free(&r->resp);
    curl_slist_free_all(r->headers);
    free(r->origin);
    free(r->host);
    free(r->url);
    free(r->region);
    free(r->raw);
    cJSON_Delete(r->result);
    free(r);
}

wf_status wf_aws_multi_new(wf_aws_client *client, const wf_aws_multi_options *opts,
                           wf_aws_multi **out, wf_error *err)
{
    assert(client && out);
    *out = NULL;
    wf_aws_multi *m = calloc(1, sizeof *m);
    if (!m)
        return wf_error_set(err, WF_ENOMEM, "out of memory");
    m->client = client;
    m->concurrency = opts && opts->concurrency > 0 ? opts->concurrency : DEFAULT_CONCURRENCY;
    m->window = m->concurrency;
    int attempts = 0;
    wf_status st = wf_aws_retry_max_attempts(opts ? opts->max_attempts : 0,
                                             wf_aws_client_config(client), &attempts, err);
    if (st != WF_OK) {
        free(m);
        return st;
    }
    wf_aws_retry_init(&m->retry, attempts, opts ? opts->retry_base_s : 0);
    m->idle = calloc((size_t)m->concurrency, sizeof *m->idle);
    m->inflight = calloc((size_t)m->concurrency, sizeof *m->inflight);
    m->nrunning_slots = (size_t)m->concurrency;
    m->curl = curl_multi_init();
    if (!m->idle || !m->inflight || !m->curl) {
        wf_aws_multi_free(m);
        return wf_error_set(err, WF_ENOMEM, "cannot create a curl multi handle");
    }
    /* One connection per request in flight, kept alive between requests. */
    curl_multi_setopt(m->curl, CURLMOPT_MAX_HOST_CONNECTIONS, (long)m->concurrency);
    curl_multi_setopt(m->curl, CURLMOPT_MAXCONNECTS, (long)m->concurrency + 4);
    m->connect_ms = 10000;
    m->total_ms = 120000;
    *out = m;
    return WF_OK;
}

static void drop_queue(queue *q)
{
    mreq *r;
    while ((r = pop(q)))
        req_free(r);
}

/* Stops the transfers in flight and frees their requests. */
static void drop_running(wf_aws_multi *m)
{
    for (size_t i = 0; i < m->nrunning_slots; i++) {
        mreq *r = m->inflight[i];
        if (!r)
            continue;
        curl_multi_remove_handle(m->curl, r->easy);
        curl_easy_cleanup(r->easy);
        r->easy = NULL;
        req_free(r);
        m->inflight[i] = NULL;
    }
    m->running = 0;
}

void wf_aws_multi_free(wf_aws_multi *m)
{
    if (!m)
        return;
    if (m->curl && m->inflight)
        drop_running(m);
    drop_queue(&m->ready);
    drop_queue(&m->waiting);
    drop_queue(&m->done);
    for (size_t i = 0; i < m->nidle; i++)
        curl_easy_cleanup(m->idle[i]);
    free(m->idle);
    free(m->inflight);
    if (m->curl)
        curl_multi_cleanup(m->curl);
    free(m);
}

size_t wf_aws_multi_pending(const wf_aws_multi *m)
{
    return m->ready.count + m->waiting.count + m->done.count + m->running;
}

void wf_aws_multi_stats_get(const wf_aws_multi *m, wf_aws_multi_stats *out)
{
    *out = m->stats;
    out->window = (int)m->window;
}

void wf_aws_multi_result_free(wf_aws_multi_result *r)
{
    if (r) {
        cJSON_Delete(r->result);
        r->result = NULL;
        free(r->body);
        r->body = NULL;
    }
}

/* ---- building a request -------------------------------------------------------------- */

/* S3 listings ask for URL-encoded keys (any key survives XML) and decode them back, as
 * wf_aws_call and botocore do. */
static int listing(const char *service, const char *op)
{
    return strcmp(service, "s3") == 0 &&
           (strcmp(op, "ListObjectsV2") == 0 || strcmp(op, "ListObjects") == 0 ||
            strcmp(op, "ListObjectVersions") == 0);
}

static wf_status prepare(wf_aws_multi *m, mreq *r, const char *service, const char *operation,
                         const cJSON *params, const wf_aws_route *route)
{
    wf_error e = {0};
    const wf_aws_config *cfg = wf_aws_client_config(m->client);
    wf_status st = wf_aws_client_model(m->client, service, &r->model, &e);
    if (st != WF_OK)
        return wf_error_set(&r->err, st, "aws %s: %s", service, e.message);
    r->op = wf_aws_operation_name(r->model, operation);
    if (!r->op)
        return wf_error_set(&r->err, WF_ENOTFOUND, "aws %s has no operation \"%s\"", service,
                            operation);
    const char *region = route && route->region && *route->region ? route->region : NULL;
    if (!region && (st = wf_aws_config_region(cfg, &region, &e)) != WF_OK)
        return wf_error_set(&r->err, st, "%s %s: %s", service, r->op, e.message);
    if (!(r->region = strdup(region)))
        return wf_error_set(&r->err, WF_ENOMEM, "out of memory");
    r->s3 = strcmp(service, "s3") == 0;

    cJSON *own = NULL;
    if (listing(service, r->op) && !cJSON_GetObjectItemCaseSensitive(params, "EncodingType")) {
        own = params ? cJSON_Duplicate(params, 1) : cJSON_CreateObject();
        if (!own || !cJSON_AddStringToObject(own, "EncodingType", "url")) {
            cJSON_Delete(own);
            return wf_error_set(&r->err, WF_ENOMEM, "out of memory");
        }
        params = own;
        r->popts.decode_listing_keys = 1;
    }
    wf_aws_endpoint ep = {0};
    st = wf_aws_serialize(r->model, r->op, params, &r->http, &e);
    if (st == WF_OK) {
        if (route && route->endpoint_url && *route->endpoint_url)
            st = wf_aws_endpoint_parse(route->endpoint_url, &ep, &e);
        else
            st = wf_aws_endpoint_resolve(cfg, r->model, r->region, &ep, &e);
    }
    if (st == WF_OK) {
        const cJSON *bucket = r->s3 ? cJSON_GetObjectItemCaseSensitive(params, "Bucket") : NULL;
        st = wf_aws_endpoint_apply(&ep, cfg->s3_addressing,
                                   cJSON_IsString(bucket) ? bucket->valuestring : NULL, &r->http,
                                   &r->origin, &r->host, &e);
    }
    char agent[160];   /* names the running step, as wf_aws_call does (wfrun test reads it) */
    wf_aws_user_agent(agent, sizeof agent);
    if (st == WF_OK && (wf_http_headers_set(&r->http.headers, "Host", r->host) != WF_OK ||
                        wf_http_headers_set(&r->http.headers, "User-Agent", agent) != WF_OK))
        st = wf_error_set(&e, WF_ENOMEM, "out of memory");
    if (st == WF_OK && r->s3 && strcmp(ep.scheme, "https") == 0 &&
        (strcmp(r->op, "PutObject") == 0 || strcmp(r->op, "UploadPart") == 0))
        r->payload_hash = WF_SIGV4_UNSIGNED_PAYLOAD;   /* TLS protects the body */
    if (st == WF_OK) {
        const char *path = r->http.path && r->http.path[0] ? r->http.path : "/";
        const char *query = r->http.query ? r->http.query : "";
        size_t len = strlen(r->origin) + strlen(path) + strlen(query) + 2;
        if (!(r->url = malloc(len)))
            st = wf_error_set(&e, WF_ENOMEM, "out of memory");
        else
            snprintf(r->url, len, "%s%s%s%s", r->origin, path, query[0] ? "?" : "", query);
    }
    wf_aws_endpoint_free(&ep);
    cJSON_Delete(own);
    if (st != WF_OK)
        return wf_error_set(&r->err, st, "%s %s: %s", service, r->op, e.message);
    return WF_OK;
}

wf_status wf_aws_multi_submit_ex(wf_aws_multi *m, const char *service, const char *operation,
                                 const cJSON *params, const wf_aws_route *route,
                                 const wf_aws_multi_extra *extra, intptr_t tag, wf_error *err)
{
    assert(m && service && operation);
    mreq *r = calloc(1, sizeof *r);
    if (!r)
        return wf_error_set(err, WF_ENOMEM, "out of memory");
    r->tag = tag;
    snprintf(r->service, sizeof r->service, "%s", service);
    r->status = prepare(m, r, service, operation, params, route);
    if (r->status == WF_OK && extra) {
        r->raw_response = extra->raw_response;
        if (extra->body && wf_http_request_set_body(&r->http, extra->body, extra->body_len) != WF_OK)
            r->status = wf_error_set(&r->err, WF_ENOMEM, "out of memory");
    }
    push(r->status == WF_OK ? &m->ready : &m->done, r);
    return WF_OK;
}

wf_status wf_aws_multi_submit(wf_aws_multi *m, const char *service, const char *operation,
                              const cJSON *params, const wf_aws_route *route, intptr_t tag,
                              wf_error *err)
{
    return wf_aws_multi_submit_ex(m, service, operation, params, route, NULL, tag, err);
}

/* ---- one transfer ------------------------------------------------------------------- */

static size_t on_body(char *data, size_t size, size_t n, void *ud)
{
    mreq *r = ud;
    size_t len = size * n;
    if (r->resp.body_len + len + 1 > r->body_cap) {
        size_t cap = r->body_cap ? r->body_cap * 2 : 4096;
        while (cap < r->resp.body_len + len + 1)
            cap *= 2;
        char *grown = realloc(r->resp.body, cap);
        if (!grown) {
            r->oom = 1;
            return 0;
        }
        r->resp.body = grown;
        r->body_cap = cap;
    }
    memcpy(r->resp.body + r->resp.body_len, data, len);
    r->resp.body_len += len;
    r->resp.body[r->resp.body_len] = '\0';
    return len;
}

/* "Name: value" lines into resp.headers; a status line (after 100 Continue) starts over. */
static size_t on_header(char *line, size_t size, size_t n, void *ud)
{
    mreq *r = ud;
    size_t len = size * n;
    if (len >= 5 && memcmp(line, "HTTP/", 5) == 0) {
        wf_http_headers_free(&r->resp.headers);
        return len;
    }
    const char *colon = memchr(line, ':', len);
    if (!colon)
        return len;
    const char *v = colon + 1, *end = line + len;
    while (v < end && (*v == ' ' || *v == '\t'))
        v++;
    while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' ' || end[-1] == '\t'))
        end--;
    char name[256], value[8192];
    size_t nl = (size_t)(colon - line), vl = (size_t)(end - v);
    if (nl >= sizeof name || vl >= sizeof value)
        return len;   /* nothing AWS sends; not worth failing the transfer over */
    memcpy(name, line, nl);
    name[nl] = '\0';
    memcpy(value, v, vl);
    value[vl] = '\0';
    if (wf_http_headers_add(&r->resp.headers, name, value) != WF_OK) {
        r->oom = 1;
        return 0;
    }
    return len;
}

/* Removes every header called name (wiping values: it may be a session token). */
static void header_drop(wf_http_headers *h, const char *name)
{
    size_t w = 0;
    for (size_t i = 0; i < h->count; i++) {
        if (strcasecmp(h->items[i].name, name) == 0) {
            OPENSSL_cleanse(h->items[i].value, strlen(h->items[i].value));
            free(h->items[i].name);
            free(h->items[i].value);
        } else {
            h->items[w++] = h->items[i];
        }
    }
    h->count = w;
}

static wf_status sign(wf_aws_multi *m, mreq *r, wf_error *err)
{
    const wf_aws_credentials *cr = NULL;
    wf_status st = wf_aws_client_credentials(m->client, &cr, err);
    if (st != WF_OK)
        return st;
    header_drop(&r->http.headers, "X-Amz-Security-Token");
    char amz_date[17];
    if (wf_sigv4_format_date((time_t)wf_clock_wall(), amz_date) != WF_OK)
        return wf_error_set(err, WF_EINVAL, "the clock is out of range");
    const char *signing_name = wf_aws_model_meta(r->model, "signingName");
    if (!signing_name)
        signing_name = wf_aws_model_meta(r->model, "endpointPrefix");
    wf_sigv4_params sp = {
        .access_key = cr->access_key_id,
        .secret_key = cr->secret_access_key,
        .session_token = cr->session_token,
        .region = r->region,
        .service = signing_name,
        .amz_date = amz_date,
        .payload_hash = r->payload_hash,
        .s3_mode = r->s3,
    };
    return wf_sigv4_sign(&r->http, &sp, err);
}

static wf_status curl_headers(mreq *r)
{
    curl_slist_free_all(r->headers);
    r->headers = NULL;
    char line[8192 + 300];
    for (size_t i = 0; i < r->http.headers.count; i++) {
        const wf_http_header *h = &r->http.headers.items[i];
        if (strpbrk(h->value, "\r\n") || !h->name[0] || strpbrk(h->name, "\r\n: \t"))
            return WF_EINVAL;   /* a line break would smuggle in a header of its own */
        int n = h->value[0] ? snprintf(line, sizeof line, "%s: %s", h->name, h->value)
                            : snprintf(line, sizeof line, "%s;", h->name);
        if (n < 0 || (size_t)n >= sizeof line)
            return WF_EINVAL;
        struct curl_slist *more = curl_slist_append(r->headers, line);
        if (!more)
            return WF_ENOMEM;
        r->headers = more;
    }
    /* Nothing curl would add on its own: what goes out is what was signed (and no
     * "Accept: * / *", which AWS does not read). */
    static const char *const suppressed[] = {"Expect", "Content-Type", "Accept"};
    for (size_t i = 0; i < sizeof suppressed / sizeof *suppressed; i++) {
        if (wf_http_headers_get(&r->http.headers, suppressed[i]))
            continue;
        snprintf(line, sizeof line, "%s:", suppressed[i]);
        struct curl_slist *more = curl_slist_append(r->headers, line);
        if (!more)
            return WF_ENOMEM;
        r->headers = more;
    }
    return WF_OK;
}

static CURL *take_easy(wf_aws_multi *m)
{
    if (m->nidle > 0)
        return m->idle[--m->nidle];
    return curl_easy_init();
}

static void give_easy(wf_aws_multi *m, CURL *e)
{
    curl_easy_reset(e);   /* keeps DNS and TLS session caches; connections live in the multi */
    if (m->nidle < (size_t)m->concurrency)
        m->idle[m->nidle++] = e;
    else
        curl_easy_cleanup(e);
}

/* Signs and starts r; on failure r is finished (in the done queue). */
static void start(wf_aws_multi *m, mreq *r)
{
    r->attempt++;
    wf_http_response_free(&r->resp);
    memset(&r->resp, 0, sizeof r->resp);
    r->body_cap = 0;
    r->oom = 0;
    r->errbuf[0] = '\0';
    wf_error e = {0};
    wf_status st = sign(m, r, &e);
    if (st == WF_OK && (st = curl_headers(r)) != WF_OK)
        wf_error_set(&e, st, "a header has a line break or a bad name");
    CURL *c = st == WF_OK ? take_easy(m) : NULL;
    if (st == WF_OK && !c)
        st = wf_error_set(&e, WF_ENOMEM, "cannot create a curl handle");
    if (st != WF_OK) {
        r->status = wf_error_set(&r->err, st, "%s %s: %s", r->service, r->op, e.message);
        push(&m->done, r);
        return;
    }
    r->easy = c;
    curl_easy_setopt(c, CURLOPT_URL, r->url);
    curl_easy_setopt(c, CURLOPT_PRIVATE, (char *)r);
    wf_http_setup_defaults(c, m->connect_ms, m->total_ms);   /* as the synchronous client */
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, r->headers);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, r);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, r);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, r->errbuf);
    const char *method = r->http.method;
    if (strcmp(method, "HEAD") == 0) {
        curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
    } else if ((strcmp(method, "GET") == 0 || strcmp(method, "DELETE") == 0) &&
               r->http.body_len == 0) {
        curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
        if (method[0] == 'D')
            curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    } else {
        /* POST, PUT (S3 wants Content-Length: 0 even when empty), anything with a body. */
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)r->http.body_len);
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, r->http.body ? r->http.body : "");
        if (strcmp(method, "POST") != 0)
            curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    }
    if (curl_multi_add_handle(m->curl, c) != CURLM_OK) {
        r->easy = NULL;
        give_easy(m, c);
        r->status = wf_error_set(&r->err, WF_EIO, "%s %s: cannot start the transfer", r->service,
                                 r->op);
        push(&m->done, r);
        return;
    }
    for (size_t i = 0; i < m->nrunning_slots; i++) {
        if (!m->inflight[i]) {
            m->inflight[i] = r;
            r->slot = i;
            break;
        }
    }
    m->running++;
    m->stats.requests++;
}

/* After throttling: half the window, at most once per THROTTLE_PAUSE_S. */
static void shrink(wf_aws_multi *m, double now)
{
    if (now - m->last_shrink < THROTTLE_PAUSE_S)
        return;
    m->last_shrink = now;
    m->window = m->window / 2 < 1 ? 1 : m->window / 2;
}

/* One DEBUG line per attempt (shown with -v): operation, region, outcome; never a secret. */
static void log_attempt(const wf_aws_multi *m, const mreq *r, wf_status sent, double delay)
{
    char retry[48] = "";
    if (delay >= 0)
        snprintf(retry, sizeof retry, "; retrying in %.2f s", delay);
    if (sent != WF_OK)
        wf_log_message(WF_LOG_DEBUG, NULL, "aws %s %s attempt %d/%d (%s): %s%s", r->service,
                       r->op, r->attempt, m->retry.max_attempts, r->region, r->err.message, retry);
    else
        wf_log_message(WF_LOG_DEBUG, NULL, "aws %s %s attempt %d/%d (%s, %s): HTTP %d%s%s%s",
                       r->service, r->op, r->attempt, m->retry.max_attempts, r->region,
                       r->origin, r->resp.status, r->aws_err.is_error ? ", error " : "",
                       r->aws_err.code, retry);
}

/* A transfer ended with rc: parse, then retry (into waiting) or finish (into done). */
static void finished(wf_aws_multi *m, mreq *r, CURLcode rc)
{
    long code = 0;
    curl_easy_getinfo(r->easy, CURLINFO_RESPONSE_CODE, &code);
    curl_multi_remove_handle(m->curl, r->easy);
    give_easy(m, r->easy);
    r->easy = NULL;
    m->inflight[r->slot] = NULL;
    m->running--;

    cJSON_Delete(r->result);
    r->result = NULL;
    memset(&r->aws_err, 0, sizeof r->aws_err);
    r->status = WF_OK;
    wf_status sent = WF_OK;
    if (r->oom) {
        r->status = wf_error_set(&r->err, WF_ENOMEM, "%s %s: out of memory reading the answer",
                                 r->service, r->op);
        push(&m->done, r);
        return;
    }
    if (rc != CURLE_OK) {
        sent = WF_EIO;
        wf_error_set(&r->err, WF_EIO, "%s %s: %s %s: %s", r->service, r->op, r->http.method,
                     r->origin, r->errbuf[0] ? r->errbuf : curl_easy_strerror(rc));
    } else {
        r->resp.status = (int)code;
        if (!r->resp.body && !(r->resp.body = calloc(1, 1))) {
            r->status = wf_error_set(&r->err, WF_ENOMEM, "out of memory");
            push(&m->done, r);
            return;
        }
        if (r->raw_response && code >= 200 && code < 300) {
            /* The bytes go out as they are; the parser sees an empty payload (headers only). */
            free(r->raw);
            r->raw = r->resp.body;
            r->raw_len = r->resp.body_len;
            if (!(r->resp.body = calloc(1, 1))) {
                r->status = wf_error_set(&r->err, WF_ENOMEM, "out of memory");
                push(&m->done, r);
                return;
            }
            r->resp.body_len = 0;
        }
        wf_error e = {0};
        wf_status st = wf_aws_parse_response_ex(r->model, r->op, &r->resp, &r->popts, &r->result,
                                                &r->aws_err, &e);
        if (st != WF_OK) {
            r->status = wf_error_set(&r->err, st, "%s %s: HTTP %ld: %s", r->service, r->op, code,
                                     e.message);
            push(&m->done, r);
            return;
        }
    }
    wf_aws_retry_kind kind = wf_aws_retry_classify(sent, &r->aws_err);
    double now = wf_clock_monotonic();
    if (kind == WF_AWS_RETRY_THROTTLE) {
        m->stats.throttled++;
        shrink(m, now);
    } else if (kind == WF_AWS_RETRY_NONE && m->window < m->concurrency) {
        m->window += 1.0 / m->window;   /* additive increase: one more per window's worth */
        if (m->window > m->concurrency)
            m->window = m->concurrency;
    }
    if (kind != WF_AWS_RETRY_NONE && r->attempt < m->retry.max_attempts) {
        double delay = wf_aws_retry_delay(&m->retry, r->attempt);
        log_attempt(m, r, sent, delay);
        m->stats.retries++;
        r->due = now + delay;
        push(&m->waiting, r);
        return;
    }
    if (sent != WF_OK) {
        r->status = sent;
        if (r->attempt > 1) {
            size_t n = strlen(r->err.message);
            snprintf(r->err.message + n, sizeof r->err.message - n, " (after %d attempts)",
                     r->attempt);
        }
    }
    log_attempt(m, r, sent, -1);
    push(&m->done, r);
}

/* Moves retries that are due to the front of ready; returns ms until the next is due. */
static long wake_due(wf_aws_multi *m, double now)
{
    double next = -1;
    queue keep = {0};
    mreq *r;
    while ((r = pop(&m->waiting))) {
        if (r->due <= now) {
            r->next = m->ready.head;   /* a retry goes before new work */
            m->ready.head = r;
            if (!m->ready.tail)
                m->ready.tail = r;
            m->ready.count++;
        } else {
            if (next < 0 || r->due < next)
                next = r->due;
            push(&keep, r);
        }
    }
    m->waiting = keep;
    if (next < 0)
        return POLL_MAX_MS;
    long ms = (long)((next - now) * 1000.0) + 1;
    return ms < POLL_MAX_MS ? ms : POLL_MAX_MS;
}

static void hand_out(mreq *r, wf_aws_multi_result *out)
{
    memset(out, 0, sizeof *out);
    out->tag = r->tag;
    out->status = r->status;
    out->result = r->result;
    r->result = NULL;
    out->aws_err = r->aws_err;
    out->err = r->err;
    out->attempts = r->attempt;
    out->body = r->raw;
    out->body_len = r->raw_len;
    r->raw = NULL;
    snprintf(out->service, sizeof out->service, "%s", r->service);
    snprintf(out->operation, sizeof out->operation, "%s", r->op ? r->op : "");
    req_free(r);
}

wf_status wf_aws_multi_next(wf_aws_multi *m, int wait, wf_aws_multi_result *out, int *got,
                            wf_error *err)
{
    assert(m && out && got);
    *got = 0;
    for (;;) {
        mreq *r = pop(&m->done);
        if (r) {
            hand_out(r, out);
            *got = 1;
            return WF_OK;
        }
        if (wf_aws_multi_pending(m) == 0)
            return WF_OK;
        wf_status st = wf_interrupt_check(err);
        if (st != WF_OK) {
            drop_running(m);
            drop_queue(&m->ready);
            drop_queue(&m->waiting);
            return st;
        }
        long timeout = wake_due(m, wf_clock_monotonic());
        while (m->ready.head && (double)m->running < m->window)
            start(m, pop(&m->ready));
        int still = 0;
        curl_multi_perform(m->curl, &still);
        CURLMsg *msg;
        int left = 0;
        while ((msg = curl_multi_info_read(m->curl, &left))) {
            if (msg->msg != CURLMSG_DONE)
                continue;
            mreq *done = NULL;
            curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&done);
            CURLcode rc = msg->data.result;
            finished(m, done, rc);
        }
        if (m->done.head)
            continue;
        if (!wait)
            return WF_OK;
        if (m->running > 0 || m->waiting.head)
            curl_multi_poll(m->curl, NULL, 0, (int)timeout, NULL);
    }
}
