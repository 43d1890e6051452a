/* A small HTTP server for C tests (libmicrohttpd): listens on 127.0.0.1 on a free port,
 * answers with scripted replies and records every request exactly as it came in.
 *
 * Replies are matched in the order they were added: the first whose method, path and
 * "contains" filters fit the request and that has uses left answers it. A request that
 * nothing matches gets 404 with the body "no scripted reply".
 *
 * Ownership: the server copies every reply it is given; recorded requests are owned by
 * the server and stay valid until wf_test_server_clear or wf_test_server_stop.
 * Each connection is served on its own thread, so a delayed reply does not hold up others;
 * the functions below may be called from the test's thread at any time. */
#ifndef WF_TEST_SERVER_H
#define WF_TEST_SERVER_H
#include <stddef.h>
#include "aws/http_message.h"

typedef struct wf_test_server wf_test_server;

typedef struct wf_test_reply {
    const char *method;     /* match: "GET", "PUT", ...; NULL matches any */
    const char *path;       /* match: the raw path without the query; NULL matches any */
    const char *contains;   /* match: a substring of the raw query or the body; NULL: any */
    int status;             /* 0 means 200 */
    const char *headers;    /* "Name: value" lines separated by '\n', or NULL */
    const char *body;       /* NULL: empty */
    size_t body_len;        /* 0: strlen(body) */
    double delay_s;         /* wait this long before answering (or dropping) */
    int drop;               /* close the connection without any answer */
    int times;              /* uses before the reply is spent: 0 means 1; -1 forever */
} wf_test_reply;

/* Starts a server; NULL (after printing why to stderr) when it cannot. */
wf_test_server *wf_test_server_start(void);
/* Stops the server and frees everything it holds; accepts NULL. */
void wf_test_server_stop(wf_test_server *s);

int wf_test_server_port(const wf_test_server *s);
/* "http://127.0.0.1:<port>" (owned by the server). */
const char *wf_test_server_url(const wf_test_server *s);

/* Adds a reply (copied). */
void wf_test_server_add(wf_test_server *s, const wf_test_reply *r);
/* Shorthand: a reply to the next request whatever it is, used once. */
void wf_test_server_reply(wf_test_server *s, int status, const char *headers,
                          const char *body);
/* Forgets every reply and every recorded request; counters restart at zero. */
void wf_test_server_clear(wf_test_server *s);

/* Requests received so far (dropped ones included) and TCP connections accepted. */
size_t wf_test_server_count(wf_test_server *s);
size_t wf_test_server_connections(wf_test_server *s);
/* The i-th request received (0-based) as on the wire: method, raw path, raw query ("" when
 * none), headers as sent, body. NULL when there is no such request. Borrowed. */
const wf_http_request *wf_test_server_request(wf_test_server *s, size_t i);
/* Which connection (1-based, in accept order) carried the i-th request; 0 if none. */
size_t wf_test_server_request_connection(wf_test_server *s, size_t i);

#endif
