/* SigV4 verifier (for awssim): reads header or presigned-query auth, recomputes the
 * signature with the signer's own steps and compares the two in constant time. */
#include "sigv4.h"
#include "uri_encode.h"
#include <openssl/crypto.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The auth fields as sent (decoded when they came in the query); all owned. */
typedef struct auth_fields {
    char *credential, *signed_headers, *signature, *amz_date, *expires, *token, *algorithm;
    char *query_for_canon;   /* the query minus X-Amz-Signature (presigned) */
    char *query_no_token;    /* ... and minus X-Amz-Security-Token */
} auth_fields;

static void fields_free(auth_fields *f)
{
    free(f->credential);
    free(f->signed_headers);
    free(f->signature);
    free(f->amz_date);
    free(f->expires);
    free(f->token);
    free(f->algorithm);
    free(f->query_for_canon);
    free(f->query_no_token);
    memset(f, 0, sizeof *f);
}

__attribute__((format(printf, 3, 4)))
static void verdict(wf_sigv4_verdict *v, wf_sigv4_result r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    v->result = r;
    vsnprintf(v->detail, sizeof v->detail, fmt, ap);
    va_end(ap);
}

/* Copies n bytes into a fixed field; false (and the field left "") when it does not fit. */
static bool copy_field(char *dst, size_t cap, const char *s, size_t n)
{
    if (n >= cap) {
        dst[0] = '\0';
        return false;
    }
    memcpy(dst, s, n);
    dst[n] = '\0';
    return true;
}

static char *dup_n(const char *s, size_t n)
{
    char *d = malloc(n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

static bool is_ows(char c)
{
    return c == ' ' || c == '\t';
}

/* Sets *slot to a copy of [s, s+n) unless already set; 1 ok, 0 duplicate, -1 ENOMEM. */
static int take(char **slot, const char *s, size_t n)
{
    if (*slot)
        return 0;
    *slot = dup_n(s, n);
    return *slot ? 1 : -1;
}

/* "AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=..." */
static wf_status parse_auth_header(const char *h, auth_fields *f, wf_sigv4_verdict *v,
                                   wf_error *err)
{
    while (is_ows(*h))
        h++;
    size_t alg_len = strlen(WF_SIGV4_ALGORITHM);
    if (strncmp(h, WF_SIGV4_ALGORITHM, alg_len) != 0 || !is_ows(h[alg_len])) {
        verdict(v, WF_SIGV4_MALFORMED, "Unsupported Authorization Type");
        return WF_OK;
    }
    const char *p = h + alg_len;
    while (*p) {
        while (is_ows(*p) || *p == ',')
            p++;
        const char *item = p;
        while (*p && *p != ',')
            p++;
        const char *end = p;
        while (end > item && is_ows(end[-1]))
            end--;
        size_t item_len = end > item ? (size_t)(end - item) : 0;   /* never negative: tells -O2 too */
        const char *eq = item_len ? memchr(item, '=', item_len) : NULL;
        if (!eq) {
            if (end > item) {
                verdict(v, WF_SIGV4_MALFORMED, "Authorization header has a part without '='");
                return WF_OK;
            }
            continue;
        }
        size_t key_len = (size_t)(eq - item), val_len = (size_t)(end - eq - 1);
        char **slot = NULL;
        if (key_len == 10 && strncmp(item, "Credential", 10) == 0)
            slot = &f->credential;
        else if (key_len == 13 && strncmp(item, "SignedHeaders", 13) == 0)
            slot = &f->signed_headers;
        else if (key_len == 9 && strncmp(item, "Signature", 9) == 0)
            slot = &f->signature;
        if (!slot)
            continue;   /* AWS ignores parts it does not know */
        int r = take(slot, eq + 1, val_len);
        if (r < 0)
            return wf_error_set(err, WF_ENOMEM, "sigv4: out of memory");
        if (r == 0) {
            verdict(v, WF_SIGV4_MALFORMED, "Authorization header repeats '%.*s'",
                    (int)key_len, item);
            return WF_OK;
        }
    }
    if (!f->credential || !f->signed_headers || !f->signature) {
        verdict(v, WF_SIGV4_MALFORMED,
                "Authorization header requires 'Credential', 'SignedHeaders' and "
                "'Signature' parameters");
        return WF_OK;
    }
    return WF_OK;
}

/* Collects the X-Amz-* auth parameters of the query and the query to canonicalise (all
 * items but X-Amz-Signature, as sent). *found tells whether the query carries auth. */
static wf_status parse_auth_query(const char *query, auth_fields *f, bool *found,
                                  wf_sigv4_verdict *v, wf_error *err)
{
    static const char *const names[] = {
        "X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-Expires",
        "X-Amz-SignedHeaders", "X-Amz-Signature", "X-Amz-Security-Token",
    };
    *found = false;
    size_t qlen = strlen(query);
    f->query_for_canon = malloc(qlen + 1);
    f->query_no_token = malloc(qlen + 1);
    if (!f->query_for_canon || !f->query_no_token)
        return wf_error_set(err, WF_ENOMEM, "sigv4: out of memory");
    size_t n_canon = 0, n_notok = 0;
    const char *p = query;
    while (*p) {
        const char *item = p;
        while (*p && *p != '&')
            p++;
        size_t item_len = (size_t)(p - item);
        if (*p)
            p++;
        const char *eq = memchr(item, '=', item_len);
        size_t name_len = eq ? (size_t)(eq - item) : item_len;
        char *name = wf_uri_decode(item, name_len, NULL);
        if (!name)
            return wf_error_set(err, WF_ENOMEM, "sigv4: out of memory");
        char **slots[] = {&f->algorithm, &f->credential, &f->amz_date, &f->expires,
                          &f->signed_headers, &f->signature, &f->token};
        int which = -1;
        for (int i = 0; i < (int)(sizeof names / sizeof *names); i++)
            if (strcmp(name, names[i]) == 0)
                which = i;
        free(name);
        if (which >= 0) {
            /* Only these make it query auth; a lone X-Amz-Date or token does not. */
            *found = *found || which == 0 || which == 1 || which == 5;
            if (*slots[which]) {
                verdict(v, WF_SIGV4_MALFORMED, "query parameter %s is repeated", names[which]);
                return WF_OK;
            }
            *slots[which] = eq ? wf_uri_decode(eq + 1, item_len - name_len - 1, NULL)
                               : strdup("");
            if (!*slots[which])
                return wf_error_set(err, WF_ENOMEM, "sigv4: out of memory");
        }
        if (which == 5)
            continue;
        if (n_canon)
            f->query_for_canon[n_canon++] = '&';
        memcpy(f->query_for_canon + n_canon, item, item_len);
        n_canon += item_len;
        if (which == 6)
            continue;
        if (n_notok)
            f->query_no_token[n_notok++] = '&';
        memcpy(f->query_no_token + n_notok, item, item_len);
        n_notok += item_len;
    }
    f->query_for_canon[n_canon] = '\0';
    f->query_no_token[n_notok] = '\0';
    return WF_OK;
}

/* "AKID/20150830/us-east-1/service/aws4_request" into the verdict's fields. */
static bool parse_credential(const char *cred, wf_sigv4_verdict *v, char date[9])
{
    const char *part[5];
    size_t len[5];
    const char *p = cred;
    for (int i = 0; i < 5; i++) {
        const char *slash = (i < 4) ? strchr(p, '/') : NULL;
        if (i < 4 && !slash)
            return false;
        part[i] = p;
        len[i] = slash ? (size_t)(slash - p) : strlen(p);
        p = slash ? slash + 1 : p + len[i];
    }
    if (len[4] != 12 || strncmp(part[4], "aws4_request", 12) != 0 || len[1] != 8)
        return false;
    for (int i = 0; i < 4; i++)
        if (len[i] == 0)
            return false;
    memcpy(date, part[1], 8);
    date[8] = '\0';
    return copy_field(v->access_key, sizeof v->access_key, part[0], len[0]) &&
           copy_field(v->region, sizeof v->region, part[2], len[2]) &&
           copy_field(v->service, sizeof v->service, part[3], len[3]);
}

/* The request headers named in the SignedHeaders list, as a borrowed view (free only
 * view->items). Returns false with a verdict when the list is unusable. */
static bool signed_view(const wf_http_request *req, const char *list, wf_http_headers *view,
                        wf_sigv4_verdict *v, bool *oom)
{
    memset(view, 0, sizeof *view);
    *oom = false;
    size_t n = req->headers.count;
    view->items = calloc(n ? n : 1, sizeof *view->items);
    bool *used = calloc(n ? n : 1, sizeof *used);
    if (!view->items || !used) {
        free(view->items);
        free(used);
        view->items = NULL;
        *oom = true;
        return false;
    }
    bool ok = true, host = false;
    const char *p = list;
    if (!*p) {
        verdict(v, WF_SIGV4_MALFORMED, "SignedHeaders is empty");
        ok = false;
    }
    while (ok && *p) {
        const char *name = p;
        while (*p && *p != ';')
            p++;
        size_t name_len = (size_t)(p - name);
        if (*p)
            p++;
        if (name_len == 0) {
            verdict(v, WF_SIGV4_MALFORMED, "SignedHeaders has an empty name");
            ok = false;
            break;
        }
        host = host || (name_len == 4 && strncasecmp(name, "host", 4) == 0);
        bool present = false;
        for (size_t i = 0; i < n; i++) {
            const wf_http_header *h = &req->headers.items[i];
            if (!h->name || !h->value || strlen(h->name) != name_len ||
                strncasecmp(h->name, name, name_len) != 0)
                continue;
            present = true;
            if (used[i]) {
                verdict(v, WF_SIGV4_MALFORMED, "SignedHeaders names '%.*s' twice",
                        (int)(name_len > 64 ? 64 : name_len), name);
                ok = false;
                break;
            }
            used[i] = true;
        }
        if (ok && !present) {
            verdict(v, WF_SIGV4_MISMATCH, "signed header '%.*s' is not in the request",
                    (int)(name_len > 64 ? 64 : name_len), name);
            ok = false;
        }
    }
    if (ok && !host) {
        verdict(v, WF_SIGV4_MALFORMED, "'Host' must be a 'SignedHeader' in the AWS Authorization");
        ok = false;
    }
    /* Keep the request's order: repeated headers are joined in the order sent. */
    for (size_t i = 0; ok && i < n; i++)
        if (used[i])
            view->items[view->count++] = req->headers.items[i];
    view->capacity = n;
    free(used);
    if (!ok) {
        free(view->items);
        memset(view, 0, sizeof *view);
    }
    return ok;
}

static bool is_hex64(const char *s)
{
    if (strlen(s) != 64)
        return false;
    for (; *s; s++)
        if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f') || (*s >= 'A' && *s <= 'F')))
            return false;
    return true;
}

/* Recomputes the signature over query; *match when it equals the one sent. */
static wf_status recompute(const wf_http_request *req, const wf_http_headers *view,
                           const char *query, const char *payload, bool s3_rules,
                           const wf_sigv4_params *p, const char *sent, bool *match,
                           wf_sigv4_verdict *v, wf_error *err)
{
    char *creq = NULL, *sts = NULL, sig[65];
    *match = false;
    wf_status st = wf_sigv4_canonical_request_over(req->method, req->path, query, view,
                                                   payload, s3_rules, false, &creq, NULL, err);
    if (st == WF_OK)
        st = wf_sigv4_string_to_sign(p, creq, &sts, err);
    if (st == WF_OK)
        st = wf_sigv4_signature(p, sts, sig, err);
    if (st == WF_OK) {
        *match = strlen(sent) == 64 && CRYPTO_memcmp(sig, sent, 64) == 0;
        free(v->canonical_request);
        free(v->string_to_sign);
        v->canonical_request = creq;
        v->string_to_sign = sts;
        creq = sts = NULL;
    }
    OPENSSL_cleanse(sig, sizeof sig);
    free(creq);
    free(sts);
    return st;
}

wf_status wf_sigv4_verify(const wf_http_request *req, wf_sigv4_secret_fn lookup_secret,
                          void *ud, const char *service_hint, wf_sigv4_verdict *out,
                          wf_error *err)
{
    memset(out, 0, sizeof *out);
    if (!req || !req->method || !lookup_secret)
        return wf_error_set(err, WF_EINVAL, "sigv4: verify needs a request and a key lookup");
    auth_fields f = {0};
    wf_http_headers view = {0};
    wf_sigv4_verdict *v = out;
    bool in_query = false, oom = false;
    const char *auth = wf_http_headers_get(&req->headers, "authorization");
    wf_status st = parse_auth_query(req->query ? req->query : "", &f, &in_query, v, err);
    if (st != WF_OK || v->result != WF_SIGV4_OK)
        goto done;
    if (auth && in_query) {
        verdict(v, WF_SIGV4_MALFORMED, "Only one auth mechanism allowed");
        goto done;
    }
    if (!auth && !in_query) {
        verdict(v, WF_SIGV4_MISSING_AUTH, "Missing Authentication Token");
        goto done;
    }
    v->presigned = in_query;
    if (in_query) {
        if (!f.algorithm || !f.credential || !f.amz_date || !f.expires || !f.signed_headers ||
            !f.signature) {
            verdict(v, WF_SIGV4_MALFORMED,
                    "Query-string authentication requires the X-Amz-Algorithm, "
                    "X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders "
                    "and X-Amz-Expires parameters");
            goto done;
        }
        if (strcmp(f.algorithm, WF_SIGV4_ALGORITHM) != 0) {
            verdict(v, WF_SIGV4_MALFORMED, "X-Amz-Algorithm only supports \"%s\"",
                    WF_SIGV4_ALGORITHM);
            goto done;
        }
        char *end = NULL;
        unsigned long e = strtoul(f.expires, &end, 10);
        if (!*f.expires || *end || f.expires[0] == '-' || e < 1 || e > WF_SIGV4_MAX_EXPIRES) {
            verdict(v, WF_SIGV4_MALFORMED, "X-Amz-Expires must be 1..%u seconds",
                    WF_SIGV4_MAX_EXPIRES);
            goto done;
        }
        v->expires = (unsigned)e;
    } else {
        /* Header auth: stray X-Amz-* query parameters are only parameters. */
        char *keep_canon = f.query_for_canon, *keep_notok = f.query_no_token;
        f.query_for_canon = f.query_no_token = NULL;
        fields_free(&f);
        f.query_for_canon = keep_canon;
        f.query_no_token = keep_notok;
        st = parse_auth_header(auth, &f, v, err);
        if (st != WF_OK || v->result != WF_SIGV4_OK)
            goto done;
        const char *date = wf_http_headers_get(&req->headers, "x-amz-date");
        const char *token = wf_http_headers_get(&req->headers, "x-amz-security-token");
        free(f.amz_date);
        f.amz_date = date ? strdup(date) : NULL;
        f.token = token ? strdup(token) : NULL;
        oom = (date && !f.amz_date) || (token && !f.token);
        if (oom)
            goto done;
        if (!f.amz_date) {
            verdict(v, WF_SIGV4_MALFORMED,
                    "Authorization header requires existence of a 'X-Amz-Date' header");
            goto done;
        }
    }
    time_t when;
    if (wf_sigv4_parse_date(f.amz_date, &when) != WF_OK) {
        verdict(v, WF_SIGV4_MALFORMED, "X-Amz-Date must be in the ISO8601 basic format");
        goto done;
    }
    memcpy(v->amz_date, f.amz_date, 17);
    if (f.token) {
        v->session_token = strdup(f.token);
        oom = !v->session_token;
        if (oom)
            goto done;
    }
    char scope_date[9];
    if (!parse_credential(f.credential, v, scope_date)) {
        verdict(v, WF_SIGV4_MALFORMED, "Credential should be "
                "<access key>/<YYYYMMDD>/<region>/<service>/aws4_request");
        goto done;
    }
    if (strncmp(scope_date, f.amz_date, 8) != 0) {
        verdict(v, WF_SIGV4_MALFORMED,
                "Date in Credential scope does not match YYYYMMDD from X-Amz-Date");
        goto done;
    }
    if (service_hint && strcmp(service_hint, v->service) != 0) {
        verdict(v, WF_SIGV4_MISMATCH, "Credential should be scoped to correct service: '%.64s'",
                service_hint);
        goto done;
    }
    const char *secret = lookup_secret(v->access_key, ud);
    if (!secret) {
        verdict(v, WF_SIGV4_UNKNOWN_KEY, "The access key is not known");
        goto done;
    }
    if (!signed_view(req, f.signed_headers, &view, v, &oom))
        goto done;
    v->session_token_signed = in_query ? f.token != NULL
                                       : wf_http_headers_get(&view, "x-amz-security-token") != NULL;

    bool s3_rules = strcmp(service_hint ? service_hint : v->service, "s3") == 0;
    char body_hash[65];
    const char *payload = wf_http_headers_get(&req->headers, "x-amz-content-sha256");
    if (!payload || is_hex64(payload)) {
        if (wf_sigv4_hex_sha256(req->body, req->body ? req->body_len : 0, body_hash) != WF_OK) {
            st = wf_error_set(err, WF_EIO, "sigv4: OpenSSL SHA-256 failed");
            goto done;
        }
        if (payload && strcasecmp(payload, body_hash) != 0) {
            verdict(v, WF_SIGV4_PAYLOAD_MISMATCH,
                    "The provided 'x-amz-content-sha256' header does not match what was computed");
            goto done;
        }
    }
    if (!payload)
        payload = (in_query && s3_rules) ? WF_SIGV4_UNSIGNED_PAYLOAD : body_hash;

    wf_sigv4_params p = {
        .access_key = v->access_key, .secret_key = secret, .region = v->region,
        .service = v->service, .amz_date = v->amz_date,
    };
    bool match = false;
    st = recompute(req, &view, in_query ? f.query_for_canon : req->query, payload, s3_rules,
                   &p, f.signature, &match, v, err);
    if (st == WF_OK && !match && in_query && f.token) {
        /* A token added after signing (AWS IoT does this) is outside the signature. */
        st = recompute(req, &view, f.query_no_token, payload, s3_rules, &p, f.signature,
                       &match, v, err);
        if (st == WF_OK && match)
            v->session_token_signed = false;
    }
    if (st == WF_OK && !match)
        verdict(v, WF_SIGV4_MISMATCH, "The request signature we calculated does not match "
                "the signature you provided. Check your AWS Secret Access Key and signing "
                "method.");
done:
    if (oom)
        st = wf_error_set(err, WF_ENOMEM, "sigv4: out of memory");
    if (st != WF_OK)
        wf_sigv4_verdict_free(out);
    free(view.items);
    fields_free(&f);
    return st;
}

void wf_sigv4_verdict_free(wf_sigv4_verdict *v)
{
    if (!v)
        return;
    free(v->session_token);
    free(v->canonical_request);
    free(v->string_to_sign);
    v->session_token = v->canonical_request = v->string_to_sign = NULL;
}
