/* HTTP over libcurl: per-origin handles for keep-alive, timeouts, interruptible transfers. */
#include "aws/http_client.h"
#include "interrupt.h"
#include <assert.h>
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Endpoints a run talks to at once: a handful of services, STS, IMDS. Past this the
 * least recently used handle (and its connection) is closed. */
#define MAX_ORIGINS 16

typedef struct origin_handle {
    char *origin;
    CURL *curl;
    unsigned long used;     /* tick of last use, for eviction */
} origin_handle;

struct wf_http_client {
    origin_handle handles[MAX_ORIGINS];
    size_t count;
    unsigned long tick;
    long connect_ms, total_ms;
};

/* State of one transfer, shared with the curl callbacks. */
typedef struct xfer {
    wf_http_response *resp;
    size_t body_cap;
    int oom;
    wf_status stop;         /* set when the progress callback aborted the transfer */
    wf_error stop_err;
} xfer;

static int curl_ready;

wf_status wf_http_client_new(const wf_http_client_options *opts, wf_http_client **out,
                             wf_error *err)
{
    assert(out);
    *out = NULL;
    if (!curl_ready) {
        if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
            return wf_error_set(err, WF_EIO, "cannot initialise libcurl");
        curl_ready = 1;
    }
    wf_http_client *c = calloc(1, sizeof *c);
    if (!c)
        return wf_error_set(err, WF_ENOMEM, "out of memory");
    double connect = opts && opts->connect_timeout_s > 0 ? opts->connect_timeout_s : 10.0;
    double total = opts && opts->timeout_s > 0 ? opts->timeout_s : 120.0;
    c->connect_ms = (long)(connect * 1000.0);
    c->total_ms = (long)(total * 1000.0);
    if (c->connect_ms < 1)
        c->connect_ms = 1;
    if (c->total_ms < 1)
        c->total_ms = 1;
    *out = c;
    return WF_OK;
}

void wf_http_client_free(wf_http_client *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->count; i++) {
        curl_easy_cleanup(c->handles[i].curl);
        free(c->handles[i].origin);
    }
    free(c);
}

/* The handle for origin: reused (with its live connection) or made, evicting the least
 * recently used one when all slots are taken. */
static CURL *handle_for(wf_http_client *c, const char *origin)
{
    c->tick++;
    for (size_t i = 0; i < c->count; i++) {
        if (strcmp(c->handles[i].origin, origin) == 0) {
            c->handles[i].used = c->tick;
            return c->handles[i].curl;
        }
    }
    size_t slot = c->count;
    if (slot == MAX_ORIGINS) {
        slot = 0;
        for (size_t i = 1; i < c->count; i++)
            if (c->handles[i].used < c->handles[slot].used)
                slot = i;
        curl_easy_cleanup(c->handles[slot].curl);
        free(c->handles[slot].origin);
        c->handles[slot].curl = NULL;
        c->handles[slot].origin = NULL;
    }
    CURL *curl = curl_easy_init();
    char *name = strdup(origin);
    if (!curl || !name) {
        if (curl)
            curl_easy_cleanup(curl);
        free(name);
        if (slot < c->count) {   /* the evicted slot is empty now: close the gap */
            c->handles[slot] = c->handles[c->count - 1];
            c->count--;
        }
        return NULL;
    }
    c->handles[slot].curl = curl;
    c->handles[slot].origin = name;
    c->handles[slot].used = c->tick;
    if (slot == c->count)
        c->count++;
    return curl;
}

static size_t on_body(char *data, size_t size, size_t n, void *ud)
{
    xfer *x = ud;
    size_t len = size * n;
    wf_http_response *r = x->resp;
    if (r->body_len + len + 1 > x->body_cap) {
        size_t cap = x->body_cap ? x->body_cap : 4096;
        while (cap < r->body_len + len + 1)
            cap *= 2;
        char *grown = realloc(r->body, cap);
        if (!grown) {
            x->oom = 1;
            return 0;   /* makes curl fail the transfer */
        }
        r->body = grown;
        x->body_cap = cap;
    }
    memcpy(r->body + r->body_len, data, len);
    r->body_len += len;
    r->body[r->body_len] = '\0';
    return len;
}

static size_t on_header(char *line, size_t size, size_t n, void *ud)
{
    xfer *x = ud;
    size_t len = size * n;
    wf_http_headers *h = &x->resp->headers;
    if (len >= 5 && strncmp(line, "HTTP/", 5) == 0) {
        wf_http_headers_free(h);   /* a new response (after a 100 Continue): start over */
        return len;
    }
    size_t end = len;
    while (end > 0 && (line[end - 1] == '\r' || line[end - 1] == '\n'))
        end--;
    if (end == 0)
        return len;
    char *copy = malloc(end + 1);
    if (!copy) {
        x->oom = 1;
        return 0;
    }
    memcpy(copy, line, end);
    copy[end] = '\0';
    wf_status st = WF_OK;
    if ((copy[0] == ' ' || copy[0] == '\t') && h->count > 0) {
        /* An obsolete folded line continues the previous value. */
        wf_http_header *last = &h->items[h->count - 1];
        char *v = copy;
        while (*v == ' ' || *v == '\t')
            v++;
        size_t old = strlen(last->value), add = strlen(v);
        char *joined = realloc(last->value, old + add + 2);
        if (joined) {
            joined[old] = ' ';
            memcpy(joined + old + 1, v, add + 1);
            last->value = joined;
        } else {
            st = WF_ENOMEM;
        }
    } else {
        char *colon = strchr(copy, ':');
        if (colon) {
            *colon = '\0';
            char *v = colon + 1;
            while (*v == ' ' || *v == '\t')
                v++;
            char *e = v + strlen(v);
            while (e > v && (e[-1] == ' ' || e[-1] == '\t'))
                *--e = '\0';
            st = wf_http_headers_add(h, copy, v);
        }
    }
    free(copy);
    if (st != WF_OK) {
        x->oom = 1;
        return 0;
    }
    return len;
}

/* Called by curl at least once a second, and often while data flows: the point where a
 * signal or a step deadline stops a transfer. */
static int on_progress(void *ud, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                       curl_off_t ulnow)
{
    xfer *x = ud;
    wf_status st = wf_interrupt_check(&x->stop_err);
    if (st != WF_OK) {
        x->stop = st;
        return 1;
    }
    return 0;
}

static int valid_method(const char *m)
{
    if (!m || !*m)
        return 0;
    for (; *m; m++)
        if (*m < 'A' || *m > 'Z')
            return 0;
    return 1;
}

/* A line break in a header would let a value (say, S3 metadata from a workflow) inject
 * headers of its own; curl sends whatever it is given, so refuse it here. */
static const char *bad_header(const wf_http_request *req)
{
    for (size_t i = 0; i < req->headers.count; i++) {
        const wf_http_header *h = &req->headers.items[i];
        if (!h->name[0] || strpbrk(h->name, "\r\n: \t") || strpbrk(h->value, "\r\n"))
            return h->name;
    }
    return NULL;
}

static wf_status build_headers(const wf_http_request *req, struct curl_slist **out)
{
    struct curl_slist *list = NULL, *next;
    int has_expect = 0, has_type = 0;
    for (size_t i = 0; i < req->headers.count; i++) {
        const wf_http_header *h = &req->headers.items[i];
        has_expect |= strcasecmp(h->name, "Expect") == 0;
        has_type |= strcasecmp(h->name, "Content-Type") == 0;
        size_t len = strlen(h->name) + strlen(h->value) + 3;
        char *line = malloc(len);
        if (!line)
            goto oom;
        /* "Name;" is curl's way to send a header with an empty value. */
        if (h->value[0])
            snprintf(line, len, "%s: %s", h->name, h->value);
        else
            snprintf(line, len, "%s;", h->name);
        next = curl_slist_append(list, line);
        free(line);
        if (!next)
            goto oom;
        list = next;
    }
    /* No "Expect: 100-continue" round trip for bodies, and no Content-Type that curl would
     * invent for a POST (it would go out unsigned and could confuse the service). */
    if (!has_expect) {
        next = curl_slist_append(list, "Expect:");
        if (!next)
            goto oom;
        list = next;
    }
    if (!has_type) {
        next = curl_slist_append(list, "Content-Type:");
        if (!next)
            goto oom;
        list = next;
    }
    *out = list;
    return WF_OK;
oom:
    curl_slist_free_all(list);
    return WF_ENOMEM;
}

static char *build_url(const char *origin, const wf_http_request *req)
{
    const char *path = req->path && req->path[0] ? req->path : "/";
    const char *query = req->query ? req->query : "";
    size_t len = strlen(origin) + strlen(path) + strlen(query) + 2;
    char *url = malloc(len);
    if (url)
        snprintf(url, len, "%s%s%s%s", origin, path, query[0] ? "?" : "", query);
    return url;
}

static void set_method(CURL *curl, const wf_http_request *req)
{
    const char *m = req->method;
    if (strcmp(m, "HEAD") == 0) {
        curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
    } else if (strcmp(m, "GET") == 0 && req->body_len == 0) {
        curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
    } else if (strcmp(m, "DELETE") == 0 && req->body_len == 0) {
        curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
        curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, m);
    } else {
        /* POST, PUT (even empty: S3 wants Content-Length: 0) and anything with a body. */
        curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len);
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, req->body ? req->body : "");
        if (strcmp(m, "POST") != 0)
            curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, m);
    }
}

wf_status wf_http_send(wf_http_client *c, const char *origin, const wf_http_request *req,
                       wf_http_response *resp, wf_error *err)
{
    assert(c && origin && req && resp);
    if (strncmp(origin, "http://", 7) != 0 && strncmp(origin, "https://", 8) != 0)
        return wf_error_set(err, WF_EINVAL, "endpoint \"%s\" is not an http(s) URL", origin);
    if (!valid_method(req->method))
        return wf_error_set(err, WF_EINVAL, "bad HTTP method \"%s\"",
                            req->method ? req->method : "");
    const char *bad = bad_header(req);
    if (bad)
        return wf_error_set(err, WF_EINVAL, "header \"%.100s\" has a line break or a bad name",
                            bad);
    wf_status st = wf_interrupt_check(err);
    if (st != WF_OK)
        return st;

    CURL *curl = handle_for(c, origin);
    if (!curl)
        return wf_error_set(err, WF_ENOMEM, "cannot create a curl handle");
    struct curl_slist *headers = NULL;
    char *url = build_url(origin, req);
    if (!url || build_headers(req, &headers) != WF_OK) {
        free(url);
        return wf_error_set(err, WF_ENOMEM, "out of memory");
    }

    xfer x = {.resp = resp, .stop = WF_OK};
    char errbuf[CURL_ERROR_SIZE] = "";
    /* Reset keeps the live connection, the DNS cache and TLS sessions: keep-alive. */
    curl_easy_reset(curl);
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, c->connect_ms);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, c->total_ms);
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L);
    const char *ca = getenv("AWS_CA_BUNDLE");
    if (ca && *ca)
        curl_easy_setopt(curl, CURLOPT_CAINFO, ca);
    curl_easy_setopt(curl, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(curl, CURLOPT_USERAGENT, "wfrun");
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, &x);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &x);
    curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, on_progress);
    curl_easy_setopt(curl, CURLOPT_XFERINFODATA, &x);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
    set_method(curl, req);

    CURLcode rc = curl_easy_perform(curl);
    long status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    /* The handle keeps pointers to these until its next reset: clear them now. */
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, NULL);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, NULL);
    curl_slist_free_all(headers);

    const char *path = req->path && req->path[0] ? req->path : "/";
    if (x.stop != WF_OK) {
        st = wf_error_set(err, x.stop, "%s", x.stop_err.message);
    } else if (x.oom) {
        st = wf_error_set(err, WF_ENOMEM, "out of memory reading the answer of %s", origin);
    } else if (rc != CURLE_OK) {
        const char *why = errbuf[0] ? errbuf : curl_easy_strerror(rc);
        st = wf_error_set(err, WF_EIO, "%s %s%s: %s", req->method, origin, path, why);
    } else {
        resp->status = (int)status;
        if (!resp->body) {   /* never NULL after success, as the parsers expect */
            resp->body = calloc(1, 1);
            if (!resp->body)
                st = wf_error_set(err, WF_ENOMEM, "out of memory");
        }
    }
    free(url);
    return st;
}
