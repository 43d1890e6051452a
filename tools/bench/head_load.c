/* Load generator for tools/bench/api-calls: the same HEAD request (a presigned S3
 * HeadObject URL) over C kept-alive connections, one thread each, for S seconds; prints
 * how many answers came back, how many were 200, and the rate. wrk cannot be used for
 * this: Debian's wrk 4.1 waits for a body after a HEAD answer's Content-Length.
 *
 *   head_load http://127.0.0.1:PORT/PATH?QUERY SECONDS CONNECTIONS
 *
 * Prints "requests=N ok=M seconds=S rate=R". Exit 1 when no request succeeded. */
#define _GNU_SOURCE   /* strcasestr */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static struct sockaddr_in addr;
static char request[8192];
static size_t request_len;
static double deadline;
static atomic_long total, ok;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int connect_one(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    if (fd < 0)
        return -1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

/* One connection: request, read the head of the answer (a HEAD answer has no body),
 * again, until the deadline; reconnects when the server closes. */
static void *worker(void *arg)
{
    (void)arg;
    char buf[16384];
    int fd = connect_one();
    while (fd >= 0 && now_s() < deadline) {
        if (send(fd, request, request_len, MSG_NOSIGNAL) != (ssize_t)request_len)
            goto reconnect;
        size_t have = 0;
        char *end = NULL;
        while (!end) {
            ssize_t n = recv(fd, buf + have, sizeof buf - 1 - have, 0);
            if (n <= 0)
                goto reconnect;
            have += (size_t)n;
            buf[have] = '\0';
            end = strstr(buf, "\r\n\r\n");
            if (!end && have >= sizeof buf - 1)
                goto reconnect;
        }
        atomic_fetch_add(&total, 1);
        if (strncmp(buf, "HTTP/1.1 200", 12) == 0)
            atomic_fetch_add(&ok, 1);
        if (strcasestr(buf, "\r\nConnection: close"))
            goto reconnect;
        continue;
    reconnect:
        close(fd);
        fd = now_s() < deadline ? connect_one() : -1;
    }
    if (fd >= 0)
        close(fd);
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: head_load URL SECONDS CONNECTIONS\n");
        return 2;
    }
    const char *url = argv[1];
    double seconds = atof(argv[2]);
    int conns = atoi(argv[3]);
    char host[256];
    int port = 80;
    const char *p = strncmp(url, "http://", 7) == 0 ? url + 7 : NULL;
    const char *path = p ? strchr(p, '/') : NULL;
    if (!p || !path || (size_t)(path - p) >= sizeof host || seconds <= 0 || seconds > 600 ||
        conns < 1 || conns > 256) {
        fprintf(stderr, "head_load: expected http://HOST:PORT/PATH, 0 < SECONDS <= 600, 1..256 connections\n");
        return 2;
    }
    memcpy(host, p, (size_t)(path - p));
    host[path - p] = '\0';
    char *colon = strchr(host, ':');
    char ip[256];
    snprintf(ip, sizeof ip, "%s", host);
    if (colon) {
        ip[colon - host] = '\0';
        port = atoi(colon + 1);
    }
    addr.sin_family = AF_INET;
    addr.sin_port = htons((unsigned short)port);
    if (inet_pton(AF_INET, ip, &addr.sin_addr) != 1) {
        fprintf(stderr, "head_load: %s is not an IPv4 address\n", ip);
        return 2;
    }
    int n = snprintf(request, sizeof request, "HEAD %s HTTP/1.1\r\nHost: %s\r\n\r\n", path, host);
    if (n < 0 || (size_t)n >= sizeof request) {
        fprintf(stderr, "head_load: URL too long\n");
        return 2;
    }
    request_len = (size_t)n;

    pthread_t *threads = calloc((size_t)conns, sizeof *threads);
    double start = now_s();
    deadline = start + seconds;
    for (int i = 0; i < conns; i++)
        pthread_create(&threads[i], NULL, worker, NULL);
    for (int i = 0; i < conns; i++)
        pthread_join(threads[i], NULL);
    double took = now_s() - start;
    free(threads);
    long t = atomic_load(&total), k = atomic_load(&ok);
    printf("requests=%ld ok=%ld seconds=%.3f rate=%.0f\n", t, k, took, (double)k / took);
    return k > 0 ? 0 : 1;
}
