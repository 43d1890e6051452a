/* libmicrohttpd glue: loopback listen socket, raw URI capture, body accumulation, and the
 * reply turned into an MHD response (or a dropped connection). */
#include "server.h"
#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

struct wf_sim_server {
    struct MHD_Daemon *daemon;
    wf_sim_handler_fn handler;
    void *ud;
    size_t max_body;
    char url[80];
};

/* One request in flight on a connection. */
typedef struct conn_req {
    char *uri;              /* as on the wire, with the query */
    bool started;           /* the headers have been seen */
    bool too_large;
    char *body;
    size_t len, cap;
} conn_req;

wf_status wf_sim_parse_listen(const char *spec, struct sockaddr_storage *addr,
                              socklen_t *addr_len, wf_error *err)
{
    memset(addr, 0, sizeof *addr);
    const char *colon = strrchr(spec, ':');
    if (!colon || !colon[1])
        return wf_error_set(err, WF_EINVAL, "--listen %s: expected HOST:PORT, e.g. 127.0.0.1:0",
                            spec);
    char *end = NULL;
    errno = 0;
    unsigned long port = strtoul(colon + 1, &end, 10);
    if (errno || *end || port > 65535 || colon[1] == '-' || colon[1] == '+')
        return wf_error_set(err, WF_EINVAL, "--listen %s: bad port \"%s\"", spec, colon + 1);
    char host[64];
    size_t host_len = (size_t)(colon - spec);
    if (host_len >= sizeof host)
        return wf_error_set(err, WF_EINVAL, "--listen %s: refusing a non-loopback address: "
                            "awssim only listens on 127.0.0.0/8 or ::1", spec);
    memcpy(host, spec, host_len);
    host[host_len] = '\0';
    if (host_len >= 2 && host[0] == '[' && host[host_len - 1] == ']') {
        memmove(host, host + 1, host_len - 2);
        host[host_len - 2] = '\0';
    }
    if (strcasecmp(host, "localhost") == 0)
        strcpy(host, "127.0.0.1");
    struct sockaddr_in *in4 = (struct sockaddr_in *)addr;
    struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)addr;
    if (inet_pton(AF_INET, host, &in4->sin_addr) == 1) {
        if ((ntohl(in4->sin_addr.s_addr) >> 24) != 127)
            goto refuse;
        in4->sin_family = AF_INET;
        in4->sin_port = htons((unsigned short)port);
        *addr_len = sizeof *in4;
        return WF_OK;
    }
    if (inet_pton(AF_INET6, host, &in6->sin6_addr) == 1) {
        if (!IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr))
            goto refuse;
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons((unsigned short)port);
        *addr_len = sizeof *in6;
        return WF_OK;
    }
refuse:
    memset(addr, 0, sizeof *addr);
    return wf_error_set(err, WF_EINVAL, "--listen %s: refusing a non-loopback address: awssim "
                        "only listens on 127.0.0.0/8 or ::1", spec);
}

/* Called by MHD with the request line's URI before it unescapes anything: the raw path
 * and query are what the client signed. The result becomes the request's context. */
static void *uri_logger(void *cls, const char *uri, struct MHD_Connection *conn)
{
    conn_req *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->uri = strdup(uri ? uri : "/");
    if (!r->uri) {
        free(r);
        return NULL;
    }
    return r;
}

static void request_completed(void *cls, struct MHD_Connection *conn, void **req_cls,
                              enum MHD_RequestTerminationCode toe)
{
    conn_req *r = *req_cls;
    if (!r)
        return;
    free(r->uri);
    free(r->body);
    free(r);
    *req_cls = NULL;
}

static enum MHD_Result collect_header(void *cls, enum MHD_ValueKind kind, const char *key,
                                      const char *value)
{
    wf_http_headers *h = cls;
    if (wf_http_headers_add(h, key, value ? value : "") != WF_OK)
        return MHD_NO;
    return MHD_YES;
}

/* A HEAD answer announces a length but has no body: MHD never calls this. */
static ssize_t no_body_reader(void *cls, uint64_t pos, char *buf, size_t max)
{
    return MHD_CONTENT_READER_END_WITH_ERROR;
}

static bool is_server_header(const char *name)
{
    return strcasecmp(name, "Content-Length") == 0 ||
           strcasecmp(name, "Transfer-Encoding") == 0 ||
           strcasecmp(name, "Connection") == 0 || strcasecmp(name, "Date") == 0;
}

static enum MHD_Result send_reply(struct MHD_Connection *conn, const char *method,
                                  wf_http_response *resp)
{
    struct MHD_Response *mr = NULL;
    const char *length = wf_http_headers_get(&resp->headers, "Content-Length");
    if (strcmp(method, "HEAD") == 0 && length) {
        unsigned long long n = strtoull(length, NULL, 10);
        mr = MHD_create_response_from_callback(n, 4096, no_body_reader, NULL, NULL);
    } else if (resp->body && resp->body_len) {
        mr = MHD_create_response_from_buffer(resp->body_len, resp->body, MHD_RESPMEM_MUST_FREE);
        if (mr)
            resp->body = NULL;   /* MHD frees it now */
    } else {
        mr = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
    }
    if (!mr)
        return MHD_NO;
    for (size_t i = 0; i < resp->headers.count; i++) {
        const wf_http_header *h = &resp->headers.items[i];
        if (!is_server_header(h->name))
            MHD_add_response_header(mr, h->name, h->value);
    }
    enum MHD_Result ret = MHD_queue_response(conn, resp->status ? (unsigned)resp->status : 500, mr);
    MHD_destroy_response(mr);
    return ret;
}

static enum MHD_Result plain_reply(struct MHD_Connection *conn, unsigned status,
                                   const char *text)
{
    struct MHD_Response *mr =
        MHD_create_response_from_buffer(strlen(text), (void *)text, MHD_RESPMEM_PERSISTENT);
    if (!mr)
        return MHD_NO;
    MHD_add_response_header(mr, "Content-Type", "text/plain");
    enum MHD_Result ret = MHD_queue_response(conn, status, mr);
    MHD_destroy_response(mr);
    return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_data_size,
                                  void **req_cls)
{
    wf_sim_server *s = cls;
    conn_req *r = *req_cls;
    if (!r)
        return MHD_NO;
    if (!r->started) {
        /* Headers only; returning now lets MHD answer "Expect: 100-continue". */
        r->started = true;
        return MHD_YES;
    }
    if (*upload_data_size) {
        size_t n = *upload_data_size;
        *upload_data_size = 0;
        if (r->too_large || r->len + n > s->max_body) {
            r->too_large = true;
            return MHD_YES;   /* keep reading, then answer 413 */
        }
        if (r->len + n + 1 > r->cap) {
            size_t cap = r->cap ? r->cap : 4096;
            while (cap < r->len + n + 1)
                cap *= 2;
            char *grown = realloc(r->body, cap);
            if (!grown)
                return MHD_NO;
            r->body = grown;
            r->cap = cap;
        }
        memcpy(r->body + r->len, upload_data, n);
        r->len += n;
        r->body[r->len] = '\0';
        return MHD_YES;
    }
    if (r->too_large)
        return plain_reply(conn, 413, "request body too large for awssim\n");

    wf_http_request req = {0};
    wf_sim_reply reply = {0};
    enum MHD_Result ret = MHD_NO;
    const char *q = strchr(r->uri, '?');
    req.method = strdup(method);
    req.path = q ? strndup(r->uri, (size_t)(q - r->uri)) : strdup(r->uri);
    req.query = strdup(q ? q + 1 : "");
    if (!req.method || !req.path || !req.query)
        goto done;
    if (MHD_get_connection_values(conn, MHD_HEADER_KIND, collect_header, &req.headers) < 0)
        goto done;
    /* The request takes the body over; an empty one is "" so handlers need not check. */
    req.body = r->body ? r->body : strdup("");
    req.body_len = r->len;
    r->body = NULL;
    r->len = r->cap = 0;
    if (!req.body)
        goto done;
    s->handler(s->ud, &req, &reply);
    ret = reply.drop ? MHD_NO : send_reply(conn, method, &reply.response);
done:
    wf_http_request_free(&req);
    wf_http_response_free(&reply.response);
    return ret;
}

static int open_listener(const struct sockaddr_storage *addr, socklen_t len, char *url,
                         size_t url_size, wf_error *err)
{
    int fd = socket(addr->ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        wf_error_set(err, WF_EIO, "socket: %s", strerror(errno));
        return -1;
    }
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_storage bound;
    socklen_t bound_len = sizeof bound;
    char host[INET6_ADDRSTRLEN] = "";
    if (bind(fd, (const struct sockaddr *)addr, len) != 0 || listen(fd, 128) != 0 ||
        getsockname(fd, (struct sockaddr *)&bound, &bound_len) != 0) {
        wf_error_set(err, WF_EIO, "cannot listen: %s", strerror(errno));
        close(fd);
        return -1;
    }
    if (bound.ss_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)&bound;
        inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof host);
        snprintf(url, url_size, "http://[%s]:%u", host, ntohs(in6->sin6_port));
    } else {
        const struct sockaddr_in *in4 = (const struct sockaddr_in *)&bound;
        inet_ntop(AF_INET, &in4->sin_addr, host, sizeof host);
        snprintf(url, url_size, "http://%s:%u", host, ntohs(in4->sin_port));
    }
    return fd;
}

wf_sim_server *wf_sim_server_start(const char *listen_spec, size_t max_body,
                                   wf_sim_handler_fn handler, void *ud, wf_error *err)
{
    struct sockaddr_storage addr;
    socklen_t addr_len = 0;
    if (wf_sim_parse_listen(listen_spec, &addr, &addr_len, err) != WF_OK)
        return NULL;
    wf_sim_server *s = calloc(1, sizeof *s);
    if (!s) {
        wf_error_set(err, WF_ENOMEM, "out of memory");
        return NULL;
    }
    s->handler = handler;
    s->ud = ud;
    s->max_body = max_body;
    int fd = open_listener(&addr, addr_len, s->url, sizeof s->url, err);
    if (fd < 0) {
        free(s);
        return NULL;
    }
    /* Thread per connection: a handler sleeping for injected latency holds up only its
     * own connection; the simulator serialises the Lua work itself. */
    unsigned flags = MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD |
                     MHD_USE_POLL | (addr.ss_family == AF_INET6 ? MHD_USE_IPv6 : 0);
    s->daemon = MHD_start_daemon(flags, 0, NULL, NULL, on_request, s,
                                 MHD_OPTION_LISTEN_SOCKET, (MHD_socket)fd,
                                 MHD_OPTION_URI_LOG_CALLBACK, uri_logger, (void *)s,
                                 MHD_OPTION_NOTIFY_COMPLETED, request_completed, (void *)s,
                                 MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)120,
                                 MHD_OPTION_END);
    if (!s->daemon) {
        wf_error_set(err, WF_EIO, "libmicrohttpd could not start on %s", s->url);
        close(fd);
        free(s);
        return NULL;
    }
    return s;
}

const char *wf_sim_server_url(const wf_sim_server *s)
{
    return s->url;
}

void wf_sim_server_stop(wf_sim_server *s)
{
    if (!s)
        return;
    MHD_stop_daemon(s->daemon);   /* also closes the listening socket */
    free(s);
}
