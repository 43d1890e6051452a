/* Fuzz target: arbitrary bytes as method, path, query, headers and body through the SigV4
 * canonicaliser, signer, presigner and verifier. Must never crash or leak; and whatever a
 * well-formed request signs, the verifier must accept.
 * Input: one flag byte, then "method\npath\nquery\nname:value\n...\n\nbody". */
#include "aws/sigv4.h"
#include "aws/uri_encode.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum {
    F_S3 = 1, F_KEEP_DOTS = 2, F_CONTENT_SHA = 4, F_TOKEN = 8, F_UNSIGNED_TOKEN = 16,
    F_ADD_HOST = 32, F_UNSIGNED_PAYLOAD = 64,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Next '\n'-terminated field of [*p, end), NUL bytes included. */
static char *next_line(const char **p, const char *end)
{
    const char *s = *p;
    const char *nl = memchr(s, '\n', (size_t)(end - s));
    const char *e = nl ? nl : end;
    *p = nl ? nl + 1 : end;
    return strndup(s, (size_t)(e - s));
}

static const char *lookup(const char *access_key, void *ud)
{
    (void)ud;
    return strcmp(access_key, "AKIDFUZZ") == 0 ? "fuzz-secret" : NULL;
}

/* Header names the round trip can hold: tokens, none of the auth headers. */
static bool roundtrip_safe_name(const char *n)
{
    if (!*n)
        return false;
    for (const char *c = n; *c; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
              (*c >= '0' && *c <= '9') || *c == '-'))
            return false;
    static const char *const auth[] = {
        "authorization", "x-amz-date", "x-amz-security-token", "x-amz-content-sha256",
    };
    for (size_t i = 0; i < sizeof auth / sizeof *auth; i++)
        if (strcasecmp(n, auth[i]) == 0)
            return false;
    return true;
}

static void check_roundtrip(const wf_http_request *signed_req, bool expect_ok)
{
    wf_sigv4_verdict v;
    wf_error err;
    if (wf_sigv4_verify(signed_req, lookup, NULL, NULL, &v, &err) == WF_OK) {
        if (expect_ok && v.result != WF_SIGV4_OK)
            abort();   /* signed by us, refused by us */
        wf_sigv4_verdict_free(&v);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    unsigned flags = data[0];
    const char *p = (const char *)data + 1, *end = (const char *)data + size;
    wf_http_request req = {0};
    req.method = next_line(&p, end);
    req.path = next_line(&p, end);
    req.query = next_line(&p, end);
    bool safe = !(flags & F_KEEP_DOTS) || (flags & F_S3);
    while (p < end && *p != '\n') {
        char *line = next_line(&p, end);
        char *colon = line ? strchr(line, ':') : NULL;
        if (colon)
            *colon = '\0';
        if (line) {
            safe = safe && roundtrip_safe_name(line);
            wf_http_headers_add(&req.headers, line, colon ? colon + 1 : "");
        }
        free(line);
    }
    if (p < end)
        p++;
    if (flags & F_ADD_HOST)
        wf_http_headers_add(&req.headers, "Host", "fuzz.example");
    wf_http_request_set_body(&req, p, (size_t)(end - p));
    if (!req.method || !req.path || !req.query)
        goto done;

    /* A query that decodes to auth parameters is another request shape, not a signing one. */
    char *decoded = wf_uri_decode(req.query, strlen(req.query), NULL);
    safe = safe && decoded && !strstr(decoded, "X-Amz-");
    free(decoded);

    wf_error err;
    char *out = NULL, *names = NULL;
    if (wf_sigv4_canonical_path(req.path, flags & F_S3, flags & F_KEEP_DOTS, &out, &err) == WF_OK)
        free(out);
    if (wf_sigv4_canonical_query(req.query, &out, &err) == WF_OK)
        free(out);

    wf_sigv4_params params = {
        .access_key = "AKIDFUZZ", .secret_key = "fuzz-secret", .region = "us-east-1",
        .service = (flags & F_S3) ? "s3" : "service", .amz_date = "20150830T123600Z",
        .session_token = (flags & F_TOKEN) ? "fuzz/token+=" : NULL,
        .payload_hash = (flags & F_UNSIGNED_PAYLOAD) ? WF_SIGV4_UNSIGNED_PAYLOAD : NULL,
        .s3_mode = flags & F_S3, .keep_path_dots = flags & F_KEEP_DOTS,
        .sign_content_sha256 = flags & F_CONTENT_SHA,
        .unsigned_session_token = flags & F_UNSIGNED_TOKEN,
    };
    if (wf_sigv4_canonical_request(&req, &params, &out, &names, &err) == WF_OK) {
        free(out);
        free(names);
    }
    if (wf_sigv4_presign_canonical_request(&req, &params, 60, &out, &names, &err) == WF_OK) {
        free(out);
        free(names);
    }

    /* Unsigned payloads outside S3 are verified against the body hash: not a round trip. */
    bool body_ok = !(flags & F_UNSIGNED_PAYLOAD) || (flags & (F_S3 | F_CONTENT_SHA));
    wf_http_request copy = {0};
    copy.method = strdup(req.method);
    copy.path = strdup(req.path);
    copy.query = strdup(req.query);
    for (size_t i = 0; i < req.headers.count; i++)
        wf_http_headers_add(&copy.headers, req.headers.items[i].name, req.headers.items[i].value);
    wf_http_request_set_body(&copy, req.body, req.body_len);
    if (copy.method && copy.path && copy.query &&
        wf_sigv4_sign(&copy, &params, &err) == WF_OK)
        check_roundtrip(&copy, safe && body_ok && copy.headers.count == req.headers.count + 2 +
                               ((flags & F_TOKEN) != 0) + ((flags & (F_S3 | F_CONTENT_SHA)) != 0));
    wf_http_request_free(&copy);

    bool presign_body_ok = !(flags & F_UNSIGNED_PAYLOAD) || (flags & F_S3);
    if (wf_sigv4_presign(&req, &params, 60, &err) == WF_OK)
        check_roundtrip(&req, safe && presign_body_ok);
    /* Verifying unsigned garbage must be harmless too. */
    check_roundtrip(&req, false);
done:
    wf_http_request_free(&req);
    return 0;
}
