/* HTTP over libcurl: per-origin handles for keep-alive, timeouts, interruptible transfers.
 *
 * Per request cost matters (thousands of calls per run): a handle is set up once when it
 * is made, and a request only sets what changes (URL, method, headers); the header list
 * and the URL are built in buffers the client keeps, so a request allocates nothing here.
 * CURLOPT_NOSIGNAL: without it libcurl swaps the SIGPIPE handler around every transfer
 * (nine system calls per request); it needs no signals here, as its resolver is threaded
 * and it sends with MSG_NOSIGNAL, TLS included. */
#include "aws/http_client.h"
#include "interrupt.h"
#include <assert.h>
#include <curl/curl.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Endpoints a run talks to at once: a handful of services, STS, IMDS. Past this the
 * least recently used handle (and its connection) is closed. */
#define MAX_ORIGINS 16

/* State of one transfer, shared with the curl callbacks. */
typedef struct xfer {
    wf_http_response *resp;
    size_t body_cap;
    int oom;
    wf_status stop;         /* set when a signal or a deadline stopped the transfer */
    wf_error stop_err;
} xfer;

/* Sockets curl asked us to watch (one per connection attempt: a few at most). */
#define MAX_WATCHED 8

typedef struct watch_list {
    struct pollfd fds[MAX_WATCHED];
    int count;
    double timer_at;        /* monotonic time curl wants to be called back; < 0: none */
} watch_list;

typedef struct origin_handle {
    char *origin;
    CURL *curl;
    CURLM *multi;           /* drives curl's transfers; holds the live connection */
    unsigned long used;     /* tick of last use, for eviction */
    xfer *x;                /* the callbacks' state, at a fixed address for the handle */
    char *errbuf;           /* CURL_ERROR_SIZE bytes, the handle's CURLOPT_ERRORBUFFER */
    watch_list *watch;      /* the multi's sockets and timer, at a fixed address */
} origin_handle;

/* A buffer the client keeps between requests. */
typedef struct grow_buf {
    char *p;
    size_t cap;
} grow_buf;

struct wf_http_client {
    origin_handle handles[MAX_ORIGINS];
    size_t count;
    unsigned long tick;
    long connect_ms, total_ms;
    grow_buf url, lines;            /* the request's URL and header lines */
    struct curl_slist *nodes;       /* the header list, pointing into lines */
    size_t nodes_cap;
};

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

static void handle_close(origin_handle *h)
{
    if (h->multi)
        curl_multi_cleanup(h->multi);   /* the easy handle is never left added to it */
    if (h->curl)
        curl_easy_cleanup(h->curl);
    free(h->origin);
    free(h->x);
    free(h->errbuf);
    free(h->watch);
    memset(h, 0, sizeof *h);
}

void wf_http_client_free(wf_http_client *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->count; i++)
        handle_close(&c->handles[i]);
    free(c->url.p);
    free(c->lines.p);
    free(c->nodes);
    free(c);
}

static int grow(grow_buf *b, size_t need)
{
    if (need <= b->cap)
        return 1;
    size_t cap = b->cap ? b->cap : 512;
    while (cap < need)
        cap *= 2;
    char *p = realloc(b->p, cap);
    if (!p)
        return 0;
    b->p = p;
    b->cap = cap;
    return 1;
}

static size_t on_body(char *data, size_t size, size_t n, void *ud)
{
    xfer *x = ud;
    size_t len = size * n;
    wf_http_response *r = x->resp;
    if (r->body_len + len + 1 > x->body_cap) {
        /* First chunk: its size (most answers come in one), so a short answer stays a
         * small allocation that malloc serves from its per-thread cache. */
        size_t cap = x->body_cap ? x->body_cap : ((len + 1 + 255) & ~(size_t)255);
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
    char small[512];   /* header lines are short: no allocation for them */
    char *copy = end < sizeof small ? small : malloc(end + 1);
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
    if (copy != small)
        free(copy);
    if (st != WF_OK) {
        x->oom = 1;
        return 0;
    }
    return len;
}

void wf_http_setup_defaults(void *curl, long connect_ms, long total_ms)
{
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, connect_ms);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, total_ms);
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L);
    const char *ca = getenv("AWS_CA_BUNDLE");
    if (ca && *ca)
        curl_easy_setopt(curl, CURLOPT_CAINFO, ca);
    curl_easy_setopt(curl, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_USERAGENT, "wfrun");
}

/* curl's socket callback: which sockets to wait for, and for what. */
static int on_socket(CURL *easy, curl_socket_t fd, int what, void *ud, void *sockp)
{
    (void)easy;
    (void)sockp;
    watch_list *w = ud;
    int i = 0;
    while (i < w->count && w->fds[i].fd != fd)
        i++;
    if (what == CURL_POLL_REMOVE) {
        if (i < w->count)
            w->fds[i] = w->fds[--w->count];
        return 0;
    }
    if (i == w->count) {
        if (w->count == MAX_WATCHED)
            return -1;   /* curl fails the transfer */
        w->count++;
    }
    w->fds[i].fd = fd;
    w->fds[i].events = (short)(((what & CURL_POLL_IN) ? POLLIN : 0) |
                               ((what & CURL_POLL_OUT) ? POLLOUT : 0));
    return 0;
}

/* curl's timer callback: when to call it back with CURL_SOCKET_TIMEOUT. */
static int on_timer(CURLM *multi, long timeout_ms, void *ud)
{
    (void)multi;
    watch_list *w = ud;
    w->timer_at = timeout_ms < 0 ? -1.0 : wf_clock_monotonic() + (double)timeout_ms / 1000.0;
    return 0;
}

/* Runs the handle's transfer on curl's socket interface: we poll the sockets curl names
 * and tell it which are ready, so it does not poll them again before reading (with
 * curl_multi_perform it does: one system call in six on a kept-alive connection). The
 * wait is at most a second, and a signal or a step deadline is checked after every
 * wake-up (so curl needs no progress callback: it called one seven times a request). */
static CURLcode perform(origin_handle *h)
{
    watch_list *w = h->watch;
    w->timer_at = -1.0;
    if (curl_multi_add_handle(h->multi, h->curl) != CURLM_OK)
        return CURLE_OUT_OF_MEMORY;
    int running = 1;
    CURLMcode mc = CURLM_OK;
    while (mc == CURLM_OK && running) {
        double now = wf_clock_monotonic();
        if (w->timer_at >= 0 && w->timer_at <= now) {
            w->timer_at = -1.0;   /* curl sets a new one when it needs one */
            mc = curl_multi_socket_action(h->multi, CURL_SOCKET_TIMEOUT, 0, &running);
            continue;
        }
        int wait_ms = 1000;
        if (w->timer_at >= 0 && (w->timer_at - now) * 1000.0 < wait_ms)
            wait_ms = (int)((w->timer_at - now) * 1000.0) + 1;
        for (int i = 0; i < w->count; i++)
            w->fds[i].revents = 0;
        int ready = poll(w->fds, (nfds_t)w->count, wait_ms);
        if (ready < 0 && errno != EINTR) {
            mc = CURLM_INTERNAL_ERROR;
            break;
        }
        wf_status stop = wf_interrupt_check(&h->x->stop_err);
        if (stop != WF_OK) {
            h->x->stop = stop;
            break;
        }
        if (ready <= 0) {
            /* A due timer; or a second without sockets or timer, where curl gets a call
             * anyway rather than the loop waiting on nothing. curl calls on_timer only
             * when its next deadline changes, so a pending one is never forgotten here. */
            int due = w->timer_at >= 0 && w->timer_at <= wf_clock_monotonic();
            if (due)
                w->timer_at = -1.0;
            if (due || (ready == 0 && w->timer_at < 0))
                mc = curl_multi_socket_action(h->multi, CURL_SOCKET_TIMEOUT, 0, &running);
            continue;
        }
        /* Copied first: curl may change the list while it handles one socket. */
        struct pollfd fired[MAX_WATCHED];
        int n = 0;
        for (int i = 0; i < w->count; i++)
            if (w->fds[i].revents)
                fired[n++] = w->fds[i];
        for (int i = 0; i < n && mc == CURLM_OK; i++) {
            int ev = ((fired[i].revents & POLLIN) ? CURL_CSELECT_IN : 0) |
                     ((fired[i].revents & POLLOUT) ? CURL_CSELECT_OUT : 0) |
                     ((fired[i].revents & (POLLERR | POLLHUP | POLLNVAL)) ? CURL_CSELECT_ERR : 0);
            mc = curl_multi_socket_action(h->multi, fired[i].fd, ev, &running);
        }
    }
    CURLcode rc = mc == CURLM_OUT_OF_MEMORY ? CURLE_OUT_OF_MEMORY : CURLE_BAD_FUNCTION_ARGUMENT;
    if (h->x->stop != WF_OK)
        rc = CURLE_ABORTED_BY_CALLBACK;
    int left = 0;
    CURLMsg *msg;
    while ((msg = curl_multi_info_read(h->multi, &left)))
        if (msg->msg == CURLMSG_DONE && msg->easy_handle == h->curl)
            rc = msg->data.result;
    curl_multi_remove_handle(h->multi, h->curl);   /* aborts a transfer still running */
    return rc;
}

/* The proxy variables, read as libcurl reads them (lower case first; never HTTP_PROXY,
 * for CGI safety) but once per origin: left to itself libcurl makes five getenv calls,
 * each a scan of the environment, for every request. */
static void set_proxy_from_env(CURL *curl, const char *origin)
{
    int https = strncmp(origin, "https://", 8) == 0;
    const char *proxy = getenv(https ? "https_proxy" : "http_proxy");
    if (!proxy && https)
        proxy = getenv("HTTPS_PROXY");
    if (!proxy)
        proxy = getenv("all_proxy");
    if (!proxy)
        proxy = getenv("ALL_PROXY");
    const char *no_proxy = getenv("no_proxy");
    if (!no_proxy)
        no_proxy = getenv("NO_PROXY");
    /* "" is libcurl's "no proxy" and "exempt nothing", and stops it reading the variables. */
    curl_easy_setopt(curl, CURLOPT_PROXY, proxy ? proxy : "");
    curl_easy_setopt(curl, CURLOPT_NOPROXY, no_proxy ? no_proxy : "");
}

/* Everything that stays the same for every request on the handle. */
static void setup_handle(wf_http_client *c, origin_handle *h)
{
    CURL *curl = h->curl;
    wf_http_setup_defaults(curl, c->connect_ms, c->total_ms);
    set_proxy_from_env(curl, h->origin);
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, h->x);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, h->x);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, h->errbuf);
    curl_multi_setopt(h->multi, CURLMOPT_SOCKETFUNCTION, on_socket);
    curl_multi_setopt(h->multi, CURLMOPT_SOCKETDATA, h->watch);
    curl_multi_setopt(h->multi, CURLMOPT_TIMERFUNCTION, on_timer);
    curl_multi_setopt(h->multi, CURLMOPT_TIMERDATA, h->watch);
}

/* The handle for origin: reused (with its live connection) or made, evicting the least
 * recently used one when all slots are taken. */
static origin_handle *handle_for(wf_http_client *c, const char *origin)
{
    c->tick++;
    for (size_t i = 0; i < c->count; i++) {
        if (strcmp(c->handles[i].origin, origin) == 0) {
            c->handles[i].used = c->tick;
            return &c->handles[i];
        }
    }
    size_t slot = c->count;
    if (slot == MAX_ORIGINS) {
        slot = 0;
        for (size_t i = 1; i < c->count; i++)
            if (c->handles[i].used < c->handles[slot].used)
                slot = i;
        handle_close(&c->handles[slot]);
    }
    origin_handle *h = &c->handles[slot];
    h->curl = curl_easy_init();
    h->multi = curl_multi_init();
    h->origin = strdup(origin);
    h->x = calloc(1, sizeof *h->x);
    h->errbuf = calloc(1, CURL_ERROR_SIZE);
    h->watch = calloc(1, sizeof *h->watch);
    if (!h->curl || !h->multi || !h->origin || !h->x || !h->errbuf || !h->watch) {
        handle_close(h);
        if (slot < c->count) {   /* the evicted slot is empty now: close the gap */
            c->handles[slot] = c->handles[c->count - 1];
            memset(&c->handles[c->count - 1], 0, sizeof *h);
            c->count--;
        }
        return NULL;
    }
    setup_handle(c, h);
    h->used = c->tick;
    if (slot == c->count)
        c->count++;
    return h;
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

/* Appends one header line to the client's line buffer: "Name: value", "Name;" for an
 * empty value (curl's way to send one) or "Name:" for value NULL (curl's way to leave out
 * a header of its own). Returns its offset, or (size_t)-1 when out of memory. */
static size_t put_line(wf_http_client *c, size_t *used, const char *name, const char *value)
{
    size_t nl = strlen(name), vl = value ? strlen(value) : 0, at = *used;
    if (!grow(&c->lines, at + nl + vl + 3))
        return (size_t)-1;
    char *d = c->lines.p + at;
    memcpy(d, name, nl);
    d += nl;
    if (!value) {
        *d++ = ':';
    } else if (vl) {
        *d++ = ':';
        *d++ = ' ';
        memcpy(d, value, vl);
        d += vl;
    } else {
        *d++ = ';';
    }
    *d++ = '\0';
    *used = (size_t)(d - c->lines.p);
    return at;
}

/* The Content-Type curl adds to a POST that has none of its own. */
#define CURL_FORM_TYPE "application/x-www-form-urlencoded"
/* Bodies up to this size never get curl's "Expect: 100-continue" (libcurl's
 * EXPECT_100_THRESHOLD is 1 MiB; a smaller figure here would only cost a line). */
#define EXPECT_100_MIN (1024 * 1024 - 1)

/* Whether the body goes to curl as POST fields (every method but HEAD, and GET and DELETE
 * without a body): curl then treats it as its simple POST. set_method and build_headers
 * both decide by it. */
static int sends_post_fields(const wf_http_request *req)
{
    const char *m = req->method;
    if (strcmp(m, "HEAD") == 0)
        return 0;
    if (req->body_len == 0 && (strcmp(m, "GET") == 0 || strcmp(m, "DELETE") == 0))
        return 0;
    return 1;
}

/* The request's headers as a curl_slist made of the client's own nodes and lines (curl
 * only reads the list during the transfer), so no allocation once the buffers have grown. */
static wf_status build_headers(wf_http_client *c, const wf_http_request *req,
                               struct curl_slist **out)
{
    size_t n = req->headers.count + 3, used = 0;
    if (n > c->nodes_cap) {
        struct curl_slist *grown = realloc(c->nodes, n * sizeof *grown);
        if (!grown)
            return WF_ENOMEM;
        c->nodes = grown;
        c->nodes_cap = n;
    }
    size_t offsets[64], *off = n <= 64 ? offsets : malloc(n * sizeof *off);
    if (!off)
        return WF_ENOMEM;
    size_t k = 0;
    int has_expect = 0, has_type = 0, has_accept = 0;
    int posts = sends_post_fields(req);
    for (size_t i = 0; i < req->headers.count; i++) {
        const wf_http_header *h = &req->headers.items[i];
        has_expect |= strcasecmp(h->name, "Expect") == 0;
        has_accept |= strcasecmp(h->name, "Accept") == 0;
        if (strcasecmp(h->name, "Content-Type") == 0) {
            has_type = 1;
            /* curl writes this very line itself for a POST, without its printf: a Query
             * call's head is that much cheaper to make, and the same bytes are signed. */
            if (posts && strcmp(h->value, CURL_FORM_TYPE) == 0)
                continue;
        }
        off[k++] = put_line(c, &used, h->name, h->value);
    }
    /* No "Expect: 100-continue" round trip for bodies (curl asks for one only past
     * EXPECT_100_MIN), and no Content-Type that curl would invent for a POST (it would go
     * out unsigned and could confuse the service). No "Accept: * / *" either: AWS does not
     * read it, and curl formats every header byte by byte. */
    if (!has_expect && req->body_len > EXPECT_100_MIN)
        off[k++] = put_line(c, &used, "Expect", NULL);
    if (!has_type)
        off[k++] = put_line(c, &used, "Content-Type", NULL);
    if (!has_accept)
        off[k++] = put_line(c, &used, "Accept", NULL);
    wf_status st = WF_OK;
    for (size_t i = 0; i < k && st == WF_OK; i++) {
        if (off[i] == (size_t)-1) {
            st = WF_ENOMEM;
            break;
        }
        /* Offsets, not pointers, until here: lines may have moved while growing. */
        c->nodes[i].data = c->lines.p + off[i];
        c->nodes[i].next = i + 1 < k ? &c->nodes[i + 1] : NULL;
    }
    if (st == WF_OK)
        *out = k ? c->nodes : NULL;
    if (off != offsets)
        free(off);
    return st;
}

static const char *build_url(wf_http_client *c, const char *origin,
                             const wf_http_request *req)
{
    const char *path = req->path && req->path[0] ? req->path : "/";
    const char *query = req->query ? req->query : "";
    size_t ol = strlen(origin), pl = strlen(path), ql = strlen(query);
    if (!grow(&c->url, ol + pl + ql + 2))
        return NULL;
    char *d = c->url.p;
    memcpy(d, origin, ol);
    memcpy(d + ol, path, pl);
    d += ol + pl;
    if (ql) {
        *d++ = '?';
        memcpy(d, query, ql);
        d += ql;
    }
    *d = '\0';
    return c->url.p;
}

/* Sets every option the method decides, so nothing is left from the handle's last
 * request (HEAD's NOBODY, a custom verb, POST fields). */
static void set_method(CURL *curl, const wf_http_request *req)
{
    const char *m = req->method;
    const char *custom = NULL;
    if (sends_post_fields(req)) {
        /* POST, PUT (even empty: S3 wants Content-Length: 0) and anything with a body. */
        curl_easy_setopt(curl, CURLOPT_NOBODY, 0L);
        curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len);
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, req->body ? req->body : "");
        if (strcmp(m, "POST") != 0)
            custom = m;
    } else if (strcmp(m, "HEAD") == 0) {
        curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
    } else {   /* GET or DELETE without a body */
        curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
        if (strcmp(m, "DELETE") == 0)
            custom = m;
    }
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, custom);
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

    origin_handle *h = handle_for(c, origin);
    if (!h)
        return wf_error_set(err, WF_ENOMEM, "cannot create a curl handle");
    CURL *curl = h->curl;
    struct curl_slist *headers = NULL;
    const char *url = build_url(c, origin, req);
    if (!url || build_headers(c, req, &headers) != WF_OK)
        return wf_error_set(err, WF_ENOMEM, "out of memory");

    xfer *x = h->x;
    memset(x, 0, sizeof *x);
    x->resp = resp;
    x->stop = WF_OK;
    h->errbuf[0] = '\0';
    /* The handle keeps its connection, DNS cache and TLS sessions between requests. */
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    set_method(curl, req);

    CURLcode rc = perform(h);
    long status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);

    const char *path = req->path && req->path[0] ? req->path : "/";
    if (x->stop != WF_OK) {
        st = wf_error_set(err, x->stop, "%s", x->stop_err.message);
    } else if (x->oom) {
        st = wf_error_set(err, WF_ENOMEM, "out of memory reading the answer of %s", origin);
    } else if (rc != CURLE_OK) {
        const char *why = h->errbuf[0] ? h->errbuf : curl_easy_strerror(rc);
        st = wf_error_set(err, WF_EIO, "%s %s%s: %s", req->method, origin, path, why);
    } else {
        resp->status = (int)status;
        if (!resp->body) {   /* never NULL after success, as the parsers expect */
            resp->body = calloc(1, 1);
            if (!resp->body)
                st = wf_error_set(err, WF_ENOMEM, "out of memory");
        }
    }
    x->resp = NULL;
    return st;
}
