/* Tests of the libcurl HTTP client against the scripted server on 127.0.0.1: methods,
 * headers and bodies both ways, keep-alive, proxies from the environment, and every way a
 * transfer fails (refused, dropped, its own timeout, a signal, a step deadline). */
#include "aws/http_client.h"
#include "check.h"
#include "interrupt.h"
#include "test_server.h"
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const vars[] = {"http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY",
                                   "ALL_PROXY", "all_proxy", "NO_PROXY", "no_proxy", NULL};
static char *saved[16];

static void save_env(void)
{
    for (int i = 0; vars[i]; i++) {
        const char *v = getenv(vars[i]);
        saved[i] = v ? strdup(v) : NULL;
        unsetenv(vars[i]);   /* the tests talk to 127.0.0.1 directly */
    }
}

static void restore_env(void)
{
    for (int i = 0; vars[i]; i++) {
        if (saved[i])
            setenv(vars[i], saved[i], 1);
        else
            unsetenv(vars[i]);
        free(saved[i]);
    }
}

static void make_request(wf_http_request *r, const char *method, const char *path,
                         const char *query, const char *body)
{
    memset(r, 0, sizeof *r);
    r->method = strdup(method);
    r->path = strdup(path);
    r->query = strdup(query);
    if (body)
        wf_http_request_set_body(r, body, strlen(body));
}

static int has_header(const wf_http_request *r, const char *name)
{
    return r && wf_http_headers_get(&r->headers, name) != NULL;
}

static void test_methods_and_headers(wf_test_server *srv)
{
    wf_test_server_clear(srv);
    wf_http_client *c = NULL;
    wf_error err = {0};
    CHECK_INT_EQ(wf_http_client_new(NULL, &c, &err), WF_OK);

    /* GET: our headers go out as given; the answer's headers and body come back. */
    wf_test_server_reply(srv, 201, "X-Amz-Request-Id: req-1\nX-Multi: a b", "hello");
    wf_http_request req;
    make_request(&req, "GET", "/a%20b/c", "x=1&y=%2F", NULL);
    wf_http_headers_add(&req.headers, "X-Amz-Date", "20300101T000000Z");
    wf_http_headers_add(&req.headers, "X-Empty", "");
    wf_http_response resp = {0};
    CHECK_INT_EQ(wf_http_send(c, wf_test_server_url(srv), &req, &resp, &err), WF_OK);
    CHECK_INT_EQ(resp.status, 201);
    CHECK_STR_EQ(resp.body, "hello");
    CHECK_INT_EQ(resp.body_len, 5);
    CHECK_STR_EQ(wf_http_headers_get(&resp.headers, "x-amz-request-id"), "req-1");
    CHECK_STR_EQ(wf_http_headers_get(&resp.headers, "X-Multi"), "a b");
    const wf_http_request *seen = wf_test_server_request(srv, 0);
    CHECK(seen != NULL);
    if (seen) {
        CHECK_STR_EQ(seen->method, "GET");
        CHECK_STR_EQ(seen->path, "/a%20b/c");
        CHECK_STR_EQ(seen->query, "x=1&y=%2F");
        CHECK_STR_EQ(wf_http_headers_get(&seen->headers, "X-Amz-Date"), "20300101T000000Z");
        CHECK_STR_EQ(wf_http_headers_get(&seen->headers, "X-Empty"), "");
    }
    wf_http_request_free(&req);
    wf_http_response_free(&resp);

    /* POST: the body as given; curl invents no Content-Type and no Expect. */
    wf_test_server_reply(srv, 200, NULL, "ok");
    make_request(&req, "POST", "/", "", "Action=DescribeImages&Version=2016-11-15");
    memset(&resp, 0, sizeof resp);
    CHECK_INT_EQ(wf_http_send(c, wf_test_server_url(srv), &req, &resp, &err), WF_OK);
    seen = wf_test_server_request(srv, 1);
    CHECK(seen && seen->body_len == strlen(req.body) && strcmp(seen->body, req.body) == 0);
    CHECK(!has_header(seen, "Content-Type"));
    CHECK(!has_header(seen, "Expect"));
    CHECK_STR_EQ(seen ? wf_http_headers_get(&seen->headers, "Content-Length") : NULL, "40");
    wf_http_request_free(&req);
    wf_http_response_free(&resp);

    /* PUT with a 2 MB body: no Expect: 100-continue round trip, every byte arrives. */
    size_t big = 2u << 20;
    char *data = malloc(big + 1);
    for (size_t i = 0; i < big; i++)
        data[i] = (char)('a' + i % 26);
    data[big] = '\0';
    wf_test_server_reply(srv, 200, "ETag: \"e1\"", NULL);
    make_request(&req, "PUT", "/bucket/key", "", NULL);
    wf_http_request_set_body(&req, data, big);
    wf_http_headers_add(&req.headers, "Content-Type", "application/octet-stream");
    memset(&resp, 0, sizeof resp);
    CHECK_INT_EQ(wf_http_send(c, wf_test_server_url(srv), &req, &resp, &err), WF_OK);
    CHECK_INT_EQ(resp.status, 200);
    CHECK(resp.body && resp.body_len == 0);   /* an empty body, never NULL */
    seen = wf_test_server_request(srv, 2);
    CHECK(seen && seen->body_len == big && memcmp(seen->body, data, big) == 0);
    CHECK(!has_header(seen, "Expect"));
    CHECK_STR_EQ(seen ? wf_http_headers_get(&seen->headers, "Content-Type") : NULL,
                 "application/octet-stream");
    free(data);
    wf_http_request_free(&req);
    wf_http_response_free(&resp);

    /* An empty PUT still says Content-Length: 0 (S3 wants it); DELETE; HEAD. */
    wf_test_server_reply(srv, 200, NULL, NULL);
    wf_test_server_reply(srv, 204, NULL, NULL);
    wf_test_server_reply(srv, 200, "Content-Type: text/plain", "not sent for HEAD");
    const char *methods[] = {"PUT", "DELETE", "HEAD"};
    int want[] = {200, 204, 200};
    for (int i = 0; i < 3; i++) {
        make_request(&req, methods[i], "/b", "", NULL);
        memset(&resp, 0, sizeof resp);
        CHECK_INT_EQ(wf_http_send(c, wf_test_server_url(srv), &req, &resp, &err), WF_OK);
        CHECK_INT_EQ(resp.status, want[i]);
        seen = wf_test_server_request(srv, 3 + (size_t)i);
        CHECK_STR_EQ(seen ? seen->method : NULL, methods[i]);
        if (i == 0)
            CHECK_STR_EQ(seen ? wf_http_headers_get(&seen->headers, "Content-Length") : NULL,
                         "0");
        if (i == 2)
            CHECK(resp.body_len == 0);
        wf_http_request_free(&req);
        wf_http_response_free(&resp);
    }

    /* Keep-alive: all of the above went over one connection. */
    CHECK_INT_EQ(wf_test_server_connections(srv), 1);
    for (size_t i = 0; i < wf_test_server_count(srv); i++)
        CHECK_INT_EQ(wf_test_server_request_connection(srv, i), 1);

    /* Another origin (same server by another name) gets its own handle. */
    char other[64];
    snprintf(other, sizeof other, "http://localhost:%d", wf_test_server_port(srv));
    wf_test_server_reply(srv, 200, NULL, "x");
    make_request(&req, "GET", "/", "", NULL);
    memset(&resp, 0, sizeof resp);
    wf_status st = wf_http_send(c, other, &req, &resp, &err);
    if (st == WF_OK)   /* localhost may resolve to ::1 only on some hosts; then skip */
        CHECK_INT_EQ(wf_test_server_connections(srv), 2);
    wf_http_request_free(&req);
    wf_http_response_free(&resp);

    /* Bad input is refused before anything is sent. */
    size_t before = wf_test_server_count(srv);
    make_request(&req, "GET", "/", "", NULL);
    memset(&resp, 0, sizeof resp);
    CHECK_INT_EQ(wf_http_send(c, "ftp://127.0.0.1", &req, &resp, &err), WF_EINVAL);
    free(req.method);
    req.method = strdup("get it");
    CHECK_INT_EQ(wf_http_send(c, wf_test_server_url(srv), &req, &resp, &err), WF_EINVAL);
    free(req.method);
    req.method = strdup("GET");
    wf_http_headers_add(&req.headers, "x-amz-meta-note", "a\r\nX-Injected: 1");
    CHECK_INT_EQ(wf_http_send(c, wf_test_server_url(srv), &req, &resp, &err), WF_EINVAL);
    CHECK(strstr(err.message, "x-amz-meta-note") != NULL);
    wf_http_headers_free(&req.headers);
    wf_http_headers_add(&req.headers, "Bad Name", "v");
    CHECK_INT_EQ(wf_http_send(c, wf_test_server_url(srv), &req, &resp, &err), WF_EINVAL);
    CHECK_INT_EQ(wf_test_server_count(srv), before);
    wf_http_request_free(&req);
    wf_http_response_free(&resp);
    wf_http_client_free(c);
}

static void test_proxy_from_environment(wf_test_server *srv)
{
    /* The test server plays an HTTP proxy: curl must send it the absolute URL. The
     * target name is never resolved (the proxy would do that), so nothing leaves the host. */
    wf_test_server_clear(srv);
    setenv("http_proxy", wf_test_server_url(srv), 1);
    wf_http_client *c = NULL;
    wf_error err = {0};
    CHECK_INT_EQ(wf_http_client_new(NULL, &c, &err), WF_OK);
    wf_test_server_reply(srv, 200, NULL, "via proxy");
    wf_http_request req;
    make_request(&req, "GET", "/p", "q=1", NULL);
    wf_http_response resp = {0};
    CHECK_INT_EQ(wf_http_send(c, "http://ec2.example.invalid", &req, &resp, &err), WF_OK);
    CHECK_STR_EQ(resp.body, "via proxy");
    const wf_http_request *seen = wf_test_server_request(srv, 0);
    CHECK_STR_EQ(seen ? seen->path : NULL, "http://ec2.example.invalid/p");
    wf_http_request_free(&req);
    wf_http_response_free(&resp);

    /* NO_PROXY exempts a host: with a proxy that is not there, a request to an exempt
     * host still arrives, directly. */
    setenv("http_proxy", "http://127.0.0.1:1", 1);
    setenv("NO_PROXY", "127.0.0.1", 1);
    wf_test_server_reply(srv, 200, NULL, "direct");
    make_request(&req, "GET", "/d", "", NULL);
    memset(&resp, 0, sizeof resp);
    CHECK_INT_EQ(wf_http_send(c, wf_test_server_url(srv), &req, &resp, &err), WF_OK);
    CHECK_STR_EQ(resp.body, "direct");
    seen = wf_test_server_request(srv, 1);
    CHECK_STR_EQ(seen ? seen->path : NULL, "/d");
    wf_http_request_free(&req);
    wf_http_response_free(&resp);
    /* Without the exemption the dead proxy is used, and the request fails. The client
     * reads the variables when it first talks to an origin: a new client sees the change. */
    unsetenv("NO_PROXY");
    wf_http_client_free(c);
    c = NULL;
    CHECK_INT_EQ(wf_http_client_new(NULL, &c, &err), WF_OK);
    make_request(&req, "GET", "/d", "", NULL);
    memset(&resp, 0, sizeof resp);
    CHECK_INT_EQ(wf_http_send(c, wf_test_server_url(srv), &req, &resp, &err), WF_EIO);
    CHECK_INT_EQ(wf_test_server_count(srv), 2);
    wf_http_request_free(&req);
    wf_http_response_free(&resp);
    unsetenv("NO_PROXY");
    unsetenv("http_proxy");
    wf_http_client_free(c);
}

static void *send_sigterm(void *arg)
{
    usleep(300 * 1000);
    kill(getpid(), SIGTERM);
    return NULL;
}

static void test_failures(wf_test_server *srv)
{
    wf_test_server_clear(srv);
    wf_http_client_options o = {.connect_timeout_s = 2, .timeout_s = 0.5};
    wf_http_client *c = NULL;
    wf_error err = {0};
    CHECK_INT_EQ(wf_http_client_new(&o, &c, &err), WF_OK);
    wf_http_request req;
    wf_http_response resp = {0};
    make_request(&req, "GET", "/slow", "", NULL);

    /* Refused: WF_EIO with curl's reason and where we tried. */
    CHECK_INT_EQ(wf_http_send(c, "http://127.0.0.1:1", &req, &resp, &err), WF_EIO);
    CHECK(strstr(err.message, "GET http://127.0.0.1:1/slow") != NULL);
    wf_http_response_free(&resp);
    memset(&resp, 0, sizeof resp);

    /* Dropped without an answer. */
    wf_test_reply drop = {.drop = 1};
    wf_test_server_add(srv, &drop);
    CHECK_INT_EQ(wf_http_send(c, wf_test_server_url(srv), &req, &resp, &err), WF_EIO);
    wf_http_response_free(&resp);
    memset(&resp, 0, sizeof resp);

    /* The client's own timeout (0.5 s) against a 3 s answer: WF_EIO, so it is retryable. */
    wf_test_reply slow = {.delay_s = 3, .body = "late"};
    wf_test_server_add(srv, &slow);
    double t0 = wf_clock_monotonic();
    CHECK_INT_EQ(wf_http_send(c, wf_test_server_url(srv), &req, &resp, &err), WF_EIO);
    CHECK(wf_clock_monotonic() - t0 < 2.0);
    CHECK(strstr(err.message, "timed out") != NULL);
    wf_http_response_free(&resp);
    memset(&resp, 0, sizeof resp);
    wf_http_client_free(c);

    /* SIGTERM during a slow answer stops the transfer: WF_EINTR within about a second. */
    CHECK_INT_EQ(wf_http_client_new(NULL, &c, &err), WF_OK);
    wf_interrupt_install();
    slow.delay_s = 5;
    wf_test_server_add(srv, &slow);
    pthread_t th;
    pthread_create(&th, NULL, send_sigterm, NULL);
    t0 = wf_clock_monotonic();
    CHECK_INT_EQ(wf_http_send(c, wf_test_server_url(srv), &req, &resp, &err), WF_EINTR);
    CHECK(wf_clock_monotonic() - t0 < 2.5);
    CHECK(strstr(err.message, "SIGTERM") != NULL);
    pthread_join(th, NULL);
    wf_http_response_free(&resp);
    memset(&resp, 0, sizeof resp);

    /* While the signal stands, nothing more is sent. */
    size_t before = wf_test_server_count(srv);
    CHECK_INT_EQ(wf_http_send(c, wf_test_server_url(srv), &req, &resp, &err), WF_EINTR);
    CHECK_INT_EQ(wf_test_server_count(srv), before);
    wf_interrupt_clear_signal();

    /* A step deadline stops it too: WF_ETIMEOUT naming the deadline. */
    wf_test_server_add(srv, &slow);
    int depth = wf_deadline_push(wf_clock_monotonic() + 0.3, "step upload timeout 0.3s");
    t0 = wf_clock_monotonic();
    CHECK_INT_EQ(wf_http_send(c, wf_test_server_url(srv), &req, &resp, &err), WF_ETIMEOUT);
    CHECK(wf_clock_monotonic() - t0 < 2.5);
    CHECK(strstr(err.message, "step upload timeout") != NULL);
    wf_deadline_pop(depth);
    wf_http_response_free(&resp);

    wf_http_request_free(&req);
    wf_http_client_free(c);
}

int main(void)
{
    save_env();
    wf_test_server *srv = wf_test_server_start();
    if (!srv)
        return 1;
    test_methods_and_headers(srv);
    test_proxy_from_environment(srv);
    test_failures(srv);
    wf_test_server_stop(srv);
    restore_env();
    return CHECK_DONE();
}
