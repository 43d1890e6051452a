/* The scripted HTTP test server (see test_server.h), on libmicrohttpd. */
#define _GNU_SOURCE   /* memmem */
#include "test_server.h"
#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct reply {
    char *method, *path, *contains, *headers, *body;
    size_t body_len;
    int status;
    double delay_s;
    int drop;
    int left;               /* uses left; -1 forever */
} reply;

typedef struct recorded {
    wf_http_request req;
    size_t connection;
} recorded;

struct wf_test_server {
    struct MHD_Daemon *daemon;
    int port;
    char url[64];
    pthread_mutex_t lock;
    reply *replies;
    size_t nreplies, capreplies;
    recorded **requests;     /* pointers, so a borrowed request survives growth */
    size_t nrequests, caprequests;
    size_t connections;
    volatile int stopping;
};

/* Per-request state, born in the URI log callback (which sees the raw URI). */
typedef struct pending {
    char *uri;
    int started;
    char *body;
    size_t body_len, body_cap;
} pending;

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

static void sleep_s(double s)
{
    struct timespec ts = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
    nanosleep(&ts, NULL);
}

static void *on_uri(void *cls, const char *uri, struct MHD_Connection *c)
{
    pending *p = calloc(1, sizeof *p);
    if (p)
        p->uri = strdup(uri ? uri : "/");
    return p;
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    pending *p = *con_cls;
    if (p) {
        free(p->uri);
        free(p->body);
        free(p);
    }
    *con_cls = NULL;
}

static void on_connection(void *cls, struct MHD_Connection *c, void **socket_context,
                          enum MHD_ConnectionNotificationCode toe)
{
    wf_test_server *s = cls;
    if (toe != MHD_CONNECTION_NOTIFY_STARTED)
        return;
    pthread_mutex_lock(&s->lock);
    *socket_context = (void *)(uintptr_t)++s->connections;
    pthread_mutex_unlock(&s->lock);
}

static enum MHD_Result add_header(void *cls, enum MHD_ValueKind kind, const char *key,
                                  const char *value)
{
    wf_http_headers_add(cls, key, value ? value : "");
    return MHD_YES;
}

static int matches(const reply *r, const wf_http_request *q)
{
    if (r->left == 0)
        return 0;
    if (r->method && strcmp(r->method, q->method) != 0)
        return 0;
    if (r->path && strcmp(r->path, q->path) != 0)
        return 0;
    if (r->contains && !strstr(q->query, r->contains) &&
        !(q->body && memmem(q->body, q->body_len, r->contains, strlen(r->contains))))
        return 0;
    return 1;
}

/* Records the finished request and picks its reply; the reply is copied out so the lock
 * is not held while we delay. */
static void record(wf_test_server *s, struct MHD_Connection *c, const char *method,
                   pending *p, reply *out, int *found)
{
    recorded *rec = calloc(1, sizeof *rec);
    if (!rec)
        return;
    const char *q = strchr(p->uri, '?');
    rec->req.method = strdup(method);
    rec->req.path = q ? strndup(p->uri, (size_t)(q - p->uri)) : strdup(p->uri);
    rec->req.query = strdup(q ? q + 1 : "");
    MHD_get_connection_values(c, MHD_HEADER_KIND, add_header, &rec->req.headers);
    wf_http_request_set_body(&rec->req, p->body ? p->body : "", p->body_len);
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    rec->connection = ci ? (size_t)(uintptr_t)ci->socket_context : 0;

    pthread_mutex_lock(&s->lock);
    if (s->nrequests == s->caprequests) {
        size_t cap = s->caprequests ? s->caprequests * 2 : 16;
        recorded **grown = realloc(s->requests, cap * sizeof *grown);
        if (grown) {
            s->requests = grown;
            s->caprequests = cap;
        }
    }
    if (s->nrequests < s->caprequests) {
        s->requests[s->nrequests++] = rec;
    } else {
        wf_http_request_free(&rec->req);
        free(rec);
        rec = NULL;
    }
    *found = 0;
    for (size_t i = 0; rec && i < s->nreplies; i++) {
        reply *r = &s->replies[i];
        if (!matches(r, &rec->req))
            continue;
        if (r->left > 0)
            r->left--;
        out->status = r->status;
        out->delay_s = r->delay_s;
        out->drop = r->drop;
        out->headers = dup_or_null(r->headers);
        out->body_len = r->body_len;
        out->body = malloc(r->body_len + 1);
        if (out->body && r->body)
            memcpy(out->body, r->body, r->body_len);
        *found = 1;
        break;
    }
    pthread_mutex_unlock(&s->lock);
}

static void add_reply_headers(struct MHD_Response *resp, const char *headers)
{
    for (const char *line = headers; line && *line;) {
        const char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) : strlen(line);
        char *copy = strndup(line, len);
        char *colon = copy ? strchr(copy, ':') : NULL;
        if (colon) {
            *colon = '\0';
            const char *value = colon + 1;
            while (*value == ' ')
                value++;
            MHD_add_response_header(resp, copy, value);
        }
        free(copy);
        line = end ? end + 1 : line + len;
    }
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_data_size,
                                  void **con_cls)
{
    wf_test_server *s = cls;
    pending *p = *con_cls;
    if (!p)
        return MHD_NO;
    if (!p->started) {           /* headers only; the body (if any) comes next */
        p->started = 1;
        return MHD_YES;
    }
    if (*upload_data_size) {
        size_t need = p->body_len + *upload_data_size;
        if (need > p->body_cap) {
            size_t cap = need * 2;
            char *grown = realloc(p->body, cap);
            if (!grown)
                return MHD_NO;
            p->body = grown;
            p->body_cap = cap;
        }
        memcpy(p->body + p->body_len, upload_data, *upload_data_size);
        p->body_len += *upload_data_size;
        *upload_data_size = 0;
        return MHD_YES;
    }

    reply r = {0};
    int found = 0;
    record(s, c, method, p, &r, &found);
    if (!found) {
        r.status = 404;
        r.body = strdup("no scripted reply");
        r.body_len = r.body ? strlen(r.body) : 0;
    }
    /* Sleep in slices so stopping the server is not held up by a long delay. */
    for (double waited = 0; waited < r.delay_s && !s->stopping; waited += 0.01)
        sleep_s(0.01);
    enum MHD_Result rc = MHD_NO;
    if (!r.drop && !s->stopping) {
        struct MHD_Response *resp = MHD_create_response_from_buffer(
            r.body_len, r.body ? r.body : (char *)"", MHD_RESPMEM_MUST_COPY);
        if (resp) {
            add_reply_headers(resp, r.headers);
            rc = MHD_queue_response(c, r.status ? (unsigned)r.status : 200u, resp);
            MHD_destroy_response(resp);
        }
    }
    free(r.headers);
    free(r.body);
    return rc;   /* MHD_NO closes the connection: that is how a drop is made */
}

wf_test_server *wf_test_server_start(void)
{
    wf_test_server *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    pthread_mutex_init(&s->lock, NULL);
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = 0;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    s->daemon = MHD_start_daemon(
        MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD, 0, NULL, NULL,
        on_request, s,
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
        MHD_OPTION_URI_LOG_CALLBACK, on_uri, s,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
        MHD_OPTION_NOTIFY_CONNECTION, on_connection, s,
        MHD_OPTION_END);
    if (!s->daemon) {
        fprintf(stderr, "test server: cannot start libmicrohttpd on 127.0.0.1\n");
        pthread_mutex_destroy(&s->lock);
        free(s);
        return NULL;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
    s->port = info ? info->port : 0;
    snprintf(s->url, sizeof s->url, "http://127.0.0.1:%d", s->port);
    return s;
}

static void free_replies(wf_test_server *s)
{
    for (size_t i = 0; i < s->nreplies; i++) {
        reply *r = &s->replies[i];
        free(r->method);
        free(r->path);
        free(r->contains);
        free(r->headers);
        free(r->body);
    }
    s->nreplies = 0;
}

static void free_requests(wf_test_server *s)
{
    for (size_t i = 0; i < s->nrequests; i++) {
        wf_http_request_free(&s->requests[i]->req);
        free(s->requests[i]);
    }
    s->nrequests = 0;
}

void wf_test_server_stop(wf_test_server *s)
{
    if (!s)
        return;
    s->stopping = 1;
    MHD_stop_daemon(s->daemon);
    free_replies(s);
    free_requests(s);
    free(s->replies);
    free(s->requests);
    pthread_mutex_destroy(&s->lock);
    free(s);
}

int wf_test_server_port(const wf_test_server *s)
{
    return s->port;
}

const char *wf_test_server_url(const wf_test_server *s)
{
    return s->url;
}

void wf_test_server_add(wf_test_server *s, const wf_test_reply *in)
{
    pthread_mutex_lock(&s->lock);
    if (s->nreplies == s->capreplies) {
        size_t cap = s->capreplies ? s->capreplies * 2 : 16;
        reply *grown = realloc(s->replies, cap * sizeof *grown);
        if (!grown) {
            pthread_mutex_unlock(&s->lock);
            return;
        }
        s->replies = grown;
        s->capreplies = cap;
    }
    reply *r = &s->replies[s->nreplies++];
    memset(r, 0, sizeof *r);
    r->method = dup_or_null(in->method);
    r->path = dup_or_null(in->path);
    r->contains = dup_or_null(in->contains);
    r->headers = dup_or_null(in->headers);
    r->body_len = in->body ? (in->body_len ? in->body_len : strlen(in->body)) : 0;
    r->body = malloc(r->body_len + 1);
    if (r->body && in->body)
        memcpy(r->body, in->body, r->body_len);
    r->status = in->status ? in->status : 200;
    r->delay_s = in->delay_s;
    r->drop = in->drop;
    r->left = in->times == 0 ? 1 : in->times;
    pthread_mutex_unlock(&s->lock);
}

void wf_test_server_reply(wf_test_server *s, int status, const char *headers, const char *body)
{
    wf_test_reply r = {.status = status, .headers = headers, .body = body};
    wf_test_server_add(s, &r);
}

void wf_test_server_clear(wf_test_server *s)
{
    pthread_mutex_lock(&s->lock);
    free_replies(s);
    free_requests(s);
    s->connections = 0;
    pthread_mutex_unlock(&s->lock);
}

size_t wf_test_server_count(wf_test_server *s)
{
    pthread_mutex_lock(&s->lock);
    size_t n = s->nrequests;
    pthread_mutex_unlock(&s->lock);
    return n;
}

size_t wf_test_server_connections(wf_test_server *s)
{
    pthread_mutex_lock(&s->lock);
    size_t n = s->connections;
    pthread_mutex_unlock(&s->lock);
    return n;
}

const wf_http_request *wf_test_server_request(wf_test_server *s, size_t i)
{
    pthread_mutex_lock(&s->lock);
    const wf_http_request *r = i < s->nrequests ? &s->requests[i]->req : NULL;
    pthread_mutex_unlock(&s->lock);
    return r;
}

size_t wf_test_server_request_connection(wf_test_server *s, size_t i)
{
    pthread_mutex_lock(&s->lock);
    size_t n = i < s->nrequests ? s->requests[i]->connection : 0;
    pthread_mutex_unlock(&s->lock);
    return n;
}
