/* HTTP message bookkeeping: header lists and owned bodies. */
#include "http_message.h"
#include <stdlib.h>
#include <string.h>
#include <strings.h>

wf_status wf_http_headers_add(wf_http_headers *h, const char *name, const char *value)
{
    if (h->count == h->capacity) {
        size_t cap = h->capacity ? h->capacity * 2 : 8;
        wf_http_header *grown = realloc(h->items, cap * sizeof *grown);
        if (!grown)
            return WF_ENOMEM;
        h->items = grown;
        h->capacity = cap;
    }
    char *n = strdup(name), *v = strdup(value);
    if (!n || !v) {
        free(n);
        free(v);
        return WF_ENOMEM;
    }
    h->items[h->count].name = n;
    h->items[h->count].value = v;
    h->count++;
    return WF_OK;
}

wf_status wf_http_headers_set(wf_http_headers *h, const char *name, const char *value)
{
    for (size_t i = 0; i < h->count; i++) {
        if (strcasecmp(h->items[i].name, name) == 0) {
            char *v = strdup(value);
            if (!v)
                return WF_ENOMEM;
            free(h->items[i].value);
            h->items[i].value = v;
            return WF_OK;
        }
    }
    return wf_http_headers_add(h, name, value);
}

const char *wf_http_headers_get(const wf_http_headers *h, const char *name)
{
    for (size_t i = 0; i < h->count; i++)
        if (strcasecmp(h->items[i].name, name) == 0)
            return h->items[i].value;
    return NULL;
}

void wf_http_headers_free(wf_http_headers *h)
{
    for (size_t i = 0; i < h->count; i++) {
        free(h->items[i].name);
        free(h->items[i].value);
    }
    free(h->items);
    memset(h, 0, sizeof *h);
}

wf_status wf_http_request_set_body(wf_http_request *r, const char *body, size_t len)
{
    char *copy = malloc(len + 1);
    if (!copy)
        return WF_ENOMEM;
    if (len)
        memcpy(copy, body, len);
    copy[len] = '\0';
    free(r->body);
    r->body = copy;
    r->body_len = len;
    return WF_OK;
}

void wf_http_request_free(wf_http_request *r)
{
    free(r->method);
    free(r->path);
    free(r->query);
    free(r->host_prefix);
    free(r->body);
    wf_http_headers_free(&r->headers);
    memset(r, 0, sizeof *r);
}

void wf_http_response_free(wf_http_response *r)
{
    free(r->body);
    wf_http_headers_free(&r->headers);
    memset(r, 0, sizeof *r);
}
