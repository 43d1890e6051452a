/* HTTP requests and responses as the AWS layer builds, signs, sends and parses them.
 * Ownership: a message owns every string in it; wf_http_*_free releases them all and
 * accepts half-built (zeroed) messages. */
#ifndef WF_HTTP_MESSAGE_H
#define WF_HTTP_MESSAGE_H
#include <stddef.h>
#include "wf.h"

typedef struct wf_http_header {
    char *name;    /* as given; compare case-insensitively */
    char *value;
} wf_http_header;

typedef struct wf_http_headers {
    wf_http_header *items;
    size_t count, capacity;
} wf_http_headers;

typedef struct wf_http_request {
    char *method;          /* "GET", "POST", ... */
    char *path;            /* on-the-wire path, percent-encoded: "/bucket/my%20key" */
    char *query;           /* on-the-wire query without '?', percent-encoded; "" when none */
    char *host_prefix;     /* expanded endpoint hostPrefix, or NULL */
    wf_http_headers headers;
    char *body;            /* may contain NUL bytes; body_len counts them */
    size_t body_len;
} wf_http_request;

typedef struct wf_http_response {
    int status;
    wf_http_headers headers;
    char *body;
    size_t body_len;
} wf_http_response;

/* Appends a header (copies both strings). */
wf_status wf_http_headers_add(wf_http_headers *h, const char *name, const char *value);
/* Replaces the first header of that name (case-insensitive) or appends it. */
wf_status wf_http_headers_set(wf_http_headers *h, const char *name, const char *value);
/* First value of that name (case-insensitive), or NULL. */
const char *wf_http_headers_get(const wf_http_headers *h, const char *name);
void wf_http_headers_free(wf_http_headers *h);

/* Copies body (len bytes, NUL-terminated for convenience). */
wf_status wf_http_request_set_body(wf_http_request *r, const char *body, size_t len);
void wf_http_request_free(wf_http_request *r);
void wf_http_response_free(wf_http_response *r);

#endif
