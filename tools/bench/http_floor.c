/* Reference clients for tools/bench/api-calls: the HTTP exchange of one sts
 * GetCallerIdentity call and nothing else, to show how much of a call's CPU is the
 * kernel's and libcurl's whatever the client does around them.
 *
 *   http_floor URL N raw    N requests on one kept-alive socket: send, poll, recv
 *   http_floor URL N http   N requests through wfrun's HTTP layer (wf_http_send: libcurl
 *                           as wf_aws_call drives it) with a request made once
 *
 * The request has the size and shape of wfrun's (the same headers, a signature-sized
 * Authorization), but it is not signed: the simulator answers 403 with an error body of
 * about the same size. No signing, no parsing, no result: a floor, not a client.
 * Prints "calls=N wall_s=W user_s=U sys_s=S" around the loop, as api_calls.c does.
 * Built by tools/bench/api-calls against <build>/libwfcore.a. */
#define _GNU_SOURCE
#include "aws/http_client.h"
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BODY "Action=GetCallerIdentity&Version=2011-06-15"
#define AUTH "Authorization: AWS4-HMAC-SHA256 Credential=testing/20261126/us-east-1/sts/" \
             "aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=" \
             "0000000000000000000000000000000000000000000000000000000000000000"

static double seconds(struct timeval t)
{
    return (double)t.tv_sec + (double)t.tv_usec / 1e6;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Reads one answer: headers, then Content-Length bytes of body. */
static int read_answer(int fd, char *buf, size_t cap)
{
    size_t got = 0, head = 0;
    long body = -1;
    for (;;) {
        struct pollfd p = {fd, POLLIN, 0};
        if (poll(&p, 1, 10000) != 1)
            return -1;
        ssize_t k = recv(fd, buf + got, cap - got - 1, 0);
        if (k <= 0)
            return -1;
        got += (size_t)k;
        buf[got] = '\0';
        if (body < 0) {
            char *end = strstr(buf, "\r\n\r\n");
            if (!end)
                continue;
            head = (size_t)(end + 4 - buf);
            char *cl = strcasestr(buf, "\r\ncontent-length:");
            body = cl ? atol(cl + 17) : 0;
        }
        if (got >= head + (size_t)body)
            return 0;
    }
}

static int run_raw(const char *url, long n)
{
    char host[256];
    int port = 0;
    if (sscanf(url, "http://%255[^:/]:%d", host, &port) != 2) {
        fprintf(stderr, "http_floor: raw needs http://HOST:PORT\n");
        return 2;
    }
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    if (inet_pton(AF_INET, host, &a.sin_addr) != 1) {
        fprintf(stderr, "http_floor: raw needs an IPv4 address\n");
        return 2;
    }
    char req[1024];
    int len = snprintf(req, sizeof req,
                       "POST / HTTP/1.1\r\nHost: %s:%d\r\nUser-Agent: wfrun\r\n"
                       "X-Amz-Date: 20261126T155637Z\r\n" AUTH "\r\n"
                       "Content-Length: %zu\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                       "\r\n" BODY, host, port, strlen(BODY));
    int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        perror("http_floor: connect");
        return 1;
    }
    static char buf[65536];
    for (long i = 0; i < n; i++) {
        if (send(fd, req, (size_t)len, MSG_NOSIGNAL) != len || read_answer(fd, buf, sizeof buf)) {
            fprintf(stderr, "http_floor: raw request %ld failed\n", i);
            return 1;
        }
    }
    close(fd);
    return 0;
}

static int run_http(const char *url, long n)
{
    char origin[256];
    if (snprintf(origin, sizeof origin, "%s", url) >= (int)sizeof origin) {
        fprintf(stderr, "http_floor: URL too long\n");
        return 2;
    }
    wf_http_client *c = NULL;
    wf_error err = {0};
    wf_http_request req = {0};
    req.method = strdup("POST");
    req.path = strdup("/");
    req.query = strdup("");
    const char *host = strstr(origin, "://") ? strstr(origin, "://") + 3 : origin;
    int ok = wf_http_client_new(NULL, &c, &err) == WF_OK && req.method && req.path && req.query &&
             wf_http_headers_set(&req.headers, "Host", host) == WF_OK &&
             wf_http_headers_set(&req.headers, "Content-Type",
                                 "application/x-www-form-urlencoded") == WF_OK &&
             wf_http_headers_set(&req.headers, "User-Agent", "wfrun") == WF_OK &&
             wf_http_headers_set(&req.headers, "X-Amz-Date", "20261126T155637Z") == WF_OK &&
             wf_http_headers_set(&req.headers, "Authorization",
                                 strchr(AUTH, ' ') + 1) == WF_OK &&
             wf_http_request_set_body(&req, BODY, strlen(BODY)) == WF_OK;
    for (long i = 0; ok && i < n; i++) {
        wf_http_response resp = {0};
        ok = wf_http_send(c, origin, &req, &resp, &err) == WF_OK && resp.status > 0;
        wf_http_response_free(&resp);
    }
    if (!ok)
        fprintf(stderr, "http_floor: http request failed: %s\n", err.message);
    wf_http_request_free(&req);
    wf_http_client_free(c);
    return ok ? 0 : 1;
}

int main(int argc, char **argv)
{
    if (argc != 4 || (strcmp(argv[3], "raw") != 0 && strcmp(argv[3], "http") != 0)) {
        fprintf(stderr, "usage: http_floor URL N raw|http\n");
        return 2;
    }
    long n = strtol(argv[2], NULL, 10);
    struct rusage r0, r1;
    double t0 = now_s();
    getrusage(RUSAGE_SELF, &r0);
    int rc = strcmp(argv[3], "raw") == 0 ? run_raw(argv[1], n) : run_http(argv[1], n);
    getrusage(RUSAGE_SELF, &r1);
    double t1 = now_s();
    if (rc == 0)
        printf("calls=%ld wall_s=%.6f user_s=%.6f sys_s=%.6f\n", n, t1 - t0,
               seconds(r1.ru_utime) - seconds(r0.ru_utime),
               seconds(r1.ru_stime) - seconds(r0.ru_stime));
    return rc;
}
