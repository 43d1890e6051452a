/* Many AWS calls in flight at once, on libcurl's multi interface: each request is
 * serialized, routed and signed as wf_aws_call does it (same serializers, signer,
 * endpoints and parsers, same client for configuration and credentials), sent over
 * kept-alive connections, retried on its own (throttling, 5xx, dropped connections:
 * capped exponential backoff with full jitter, re-signed each attempt), and parsed.
 * A failed request never stops the others. Throttling answers halve the number of
 * requests in flight (at most every 200 ms); successes grow it back to the maximum.
 *
 * Ownership: the batch borrows the client (which must outlive it) and owns its requests.
 * wf_aws_multi_submit only reads params. A finished request handed out by
 * wf_aws_multi_next belongs to the caller: free it with wf_aws_multi_result_free.
 * Not thread-safe; one batch per thread. */
#ifndef WF_AWS_MULTI_H
#define WF_AWS_MULTI_H
#include <stdint.h>
#include <cjson/cJSON.h>
#include "aws/call.h"
#include "wf.h"

typedef struct wf_aws_multi wf_aws_multi;

typedef struct wf_aws_multi_options {
    int concurrency;         /* requests in flight at most; <= 0: 32 */
    int max_attempts;        /* per request; <= 0: the client's setting (3 by default) */
    double retry_base_s;     /* first backoff bound; <= 0: 1 s */
} wf_aws_multi_options;

/* Where one request goes when not where the client's configuration says: region signs
 * and routes it (the regional endpoint unless one is configured), endpoint_url replaces
 * the endpoint. NULL fields (or a NULL route) keep the client's. */
typedef struct wf_aws_route {
    const char *region;
    const char *endpoint_url;
} wf_aws_route;

/* Raw bytes around the serializer, for copying objects between two S3 services (where
 * no server-side copy is possible): body replaces the serialized body of the request
 * (PutObject, UploadPart: the object's bytes, any byte included); raw_response hands the
 * answer's body out as bytes (GetObject) instead of parsing it into the result. */
typedef struct wf_aws_multi_extra {
    const char *body;        /* copied at submit; NULL: the serializer's body */
    size_t body_len;
    int raw_response;
} wf_aws_multi_extra;

/* A finished request. status/aws_err/result mean what they mean for wf_aws_call. */
typedef struct wf_aws_multi_result {
    intptr_t tag;            /* the caller's, from submit */
    wf_status status;
    cJSON *result;           /* output or modeled error members; may be NULL */
    wf_aws_error aws_err;
    wf_error err;            /* message when status != WF_OK */
    int attempts;
    char *body;              /* with raw_response: the answer's bytes (malloc'd), else NULL */
    size_t body_len;
    char service[32];
    char operation[64];      /* the model's name of the operation */
} wf_aws_multi_result;

typedef struct wf_aws_multi_stats {
    unsigned long requests;  /* attempts sent */
    unsigned long retries;
    unsigned long throttled; /* attempts answered with a throttling error */
    int window;              /* requests it lets in flight now */
} wf_aws_multi_stats;

wf_status wf_aws_multi_new(wf_aws_client *client, const wf_aws_multi_options *opts,
                           wf_aws_multi **out, wf_error *err);
/* Stops every transfer and frees every request; accepts NULL. */
void wf_aws_multi_free(wf_aws_multi *m);

/* Queues operation of service with params. Never fails for the request's own reasons:
 * bad params, an unknown operation or a bad route finish it at once with that status
 * (it comes out of wf_aws_multi_next like any other). WF_ENOMEM only. */
wf_status wf_aws_multi_submit(wf_aws_multi *m, const char *service, const char *operation,
                              const cJSON *params, const wf_aws_route *route, intptr_t tag,
                              wf_error *err);
/* The same with raw bytes in or out (extra may be NULL). */
wf_status wf_aws_multi_submit_ex(wf_aws_multi *m, const char *service, const char *operation,
                                 const cJSON *params, const wf_aws_route *route,
                                 const wf_aws_multi_extra *extra, intptr_t tag, wf_error *err);

/* Hands out one finished request in *out (*got = 1). When none is finished yet and wait
 * is set, drives the transfers until one is; *got = 0 when nothing is pending at all (or
 * none finished and wait is 0). WF_EINTR / WF_ETIMEOUT: a signal or deadline; every
 * request still pending is dropped. */
wf_status wf_aws_multi_next(wf_aws_multi *m, int wait, wf_aws_multi_result *out, int *got,
                            wf_error *err);

/* Requests submitted and not yet handed out. */
size_t wf_aws_multi_pending(const wf_aws_multi *m);
void wf_aws_multi_stats_get(const wf_aws_multi *m, wf_aws_multi_stats *out);

void wf_aws_multi_result_free(wf_aws_multi_result *r);

#endif
