/* AWS Signature Version 4 signer: canonical request, string to sign, signing key,
 * Authorization header and presigned query. The verifier (sigv4_verify.c) reuses the steps. */
#include "sigv4.h"
#include "sigv4_internal.h"
#include "uri_encode.h"
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_SECRET_LEN WF_SIGV4_MAX_SECRET_LEN

/* The hex SHA-256 of nothing: the payload hash of every bodiless request. */
#define EMPTY_SHA256 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

typedef wf_sigv4_sbuf sbuf;

/* Room for n more bytes and a NUL; where they go, or NULL (then b is oom). */
static char *sb_room(sbuf *b, size_t n)
{
    if (b->oom)
        return NULL;
    if (n >= SIZE_MAX / 2 - b->len) {
        b->oom = true;
        return NULL;
    }
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *grown = realloc(b->p, cap);
        if (!grown) {
            b->oom = true;
            return NULL;
        }
        b->p = grown;
        b->cap = cap;
    }
    return b->p + b->len;
}

static void sb_putn(sbuf *b, const char *s, size_t n)
{
    char *d = sb_room(b, n);
    if (!d)
        return;
    if (n)
        memcpy(d, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

/* Empties b for reuse, keeping its memory. */
static void sb_clear(sbuf *b)
{
    b->len = 0;
    b->oom = false;
    if (b->p)
        b->p[0] = '\0';
}

static void sb_puts(sbuf *b, const char *s)
{
    sb_putn(b, s, strlen(s));
}

static void sb_putc(sbuf *b, char c)
{
    sb_putn(b, &c, 1);
}

/* Hands the string over to *out ("" when nothing was put), or reports ENOMEM. */
static wf_status sb_finish(sbuf *b, char **out, wf_error *err)
{
    sb_putn(b, "", 0);
    if (b->oom) {
        free(b->p);
        memset(b, 0, sizeof *b);
        return wf_error_set(err, WF_ENOMEM, "sigv4: out of memory");
    }
    *out = b->p;
    memset(b, 0, sizeof *b);
    return WF_OK;
}

static void sb_free(sbuf *b)
{
    free(b->p);
    memset(b, 0, sizeof *b);
}

static void to_hex(const unsigned char *bytes, size_t n, char *out)
{
    static const char hex[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = hex[bytes[i] >> 4];
        out[2 * i + 1] = hex[bytes[i] & 0x0f];
    }
    out[2 * n] = '\0';
}

static char ascii_lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* --- Dates ---------------------------------------------------------------------------- */

wf_status wf_sigv4_format_date(time_t t, char out[17])
{
    struct tm tm;
    if (!gmtime_r(&t, &tm) || tm.tm_year < -1900 || tm.tm_year > 9999 - 1900) {
        out[0] = '\0';
        return WF_EINVAL;
    }
    /* By hand rather than strftime: it runs for every request, and strftime consults the
     * locale for a format that has none of its parts. */
    const int parts[] = {tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                         tm.tm_hour, tm.tm_min, tm.tm_sec};
    const int widths[] = {4, 2, 2, 2, 2, 2};
    char *d = out;
    for (int i = 0; i < 6; i++) {
        if (i == 3)
            *d++ = 'T';
        for (int w = widths[i] - 1, v = parts[i]; w >= 0; w--, v /= 10)
            d[w] = (char)('0' + v % 10);
        d += widths[i];
    }
    *d++ = 'Z';
    *d = '\0';
    return WF_OK;
}

/* True when s is "YYYYMMDDTHHMMSSZ" by shape (digits, T, Z). */
static bool amz_date_shaped(const char *s)
{
    if (!s || strlen(s) != 16 || s[8] != 'T' || s[15] != 'Z')
        return false;
    for (int i = 0; i < 15; i++)
        if (i != 8 && (s[i] < '0' || s[i] > '9'))
            return false;
    return true;
}

static int digits(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++)
        v = v * 10 + (s[i] - '0');
    return v;
}

wf_status wf_sigv4_parse_date(const char *amz_date, time_t *out)
{
    if (!amz_date_shaped(amz_date))
        return WF_EINVAL;
    struct tm tm = {0};
    tm.tm_year = digits(amz_date, 4) - 1900;
    tm.tm_mon = digits(amz_date + 4, 2) - 1;
    tm.tm_mday = digits(amz_date + 6, 2);
    tm.tm_hour = digits(amz_date + 9, 2);
    tm.tm_min = digits(amz_date + 11, 2);
    tm.tm_sec = digits(amz_date + 13, 2);
    if (tm.tm_mon > 11 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 ||
        tm.tm_min > 59 || tm.tm_sec > 60)
        return WF_EINVAL;
    *out = timegm(&tm);
    return WF_OK;
}

/* --- Hashes ----------------------------------------------------------------------------- */

/* Hex SHA-256 on ctx (reused between calls) or on a context of its own (ctx NULL). */
static wf_status hex_sha256_on(EVP_MD_CTX *ctx, const void *data, size_t len, char out[65])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int md_len = 0;
    const EVP_MD *sha256 = wf_sigv4_sha256_md();
    bool ok;
    if (!sha256)
        ok = false;
    else if (ctx)
        ok = EVP_DigestInit_ex(ctx, sha256, NULL) && EVP_DigestUpdate(ctx, data, len) &&
             EVP_DigestFinal_ex(ctx, md, &md_len);
    else
        ok = EVP_Digest(len ? data : "", len, md, &md_len, sha256, NULL);
    if (!ok || md_len != 32) {
        out[0] = '\0';
        return WF_EIO;
    }
    to_hex(md, 32, out);
    return WF_OK;
}

wf_status wf_sigv4_hex_sha256(const void *data, size_t len, char out[65])
{
    return hex_sha256_on(NULL, data, len, out);
}

/* --- Parameters ------------------------------------------------------------------------- */

/* Credential scope parts and the access key go into a header unquoted: printable ASCII
 * without '/', ',' or ' ' keeps the Authorization header parseable. */
static bool scope_token_ok(const char *s)
{
    if (!s || !*s || strlen(s) > 128)
        return false;
    for (const unsigned char *c = (const unsigned char *)s; *c; c++)
        if (*c <= 0x20 || *c >= 0x7f || *c == '/' || *c == ',')
            return false;
    return true;
}

/* Values that become header values must not smuggle in line breaks. */
static bool header_value_ok(const char *s)
{
    for (const unsigned char *c = (const unsigned char *)s; *c; c++)
        if ((*c < 0x20 && *c != '\t') || *c == 0x7f)
            return false;
    return true;
}

static bool has_token(const wf_sigv4_params *p)
{
    return p->session_token && *p->session_token;
}

/* Checks what the scope and the string to sign need; never echoes a value. */
static wf_status check_scope(const wf_sigv4_params *p, wf_error *err)
{
    if (!p)
        return wf_error_set(err, WF_EINVAL, "sigv4: no signing parameters");
    if (!amz_date_shaped(p->amz_date))
        return wf_error_set(err, WF_EINVAL, "sigv4: amz_date is not YYYYMMDDTHHMMSSZ");
    if (!scope_token_ok(p->region))
        return wf_error_set(err, WF_EINVAL, "sigv4: region is missing or malformed");
    if (!scope_token_ok(p->service))
        return wf_error_set(err, WF_EINVAL, "sigv4: service is missing or malformed");
    return WF_OK;
}

static wf_status check_params(const wf_sigv4_params *p, wf_error *err)
{
    wf_status st = check_scope(p, err);
    if (st != WF_OK)
        return st;
    if (!scope_token_ok(p->access_key))
        return wf_error_set(err, WF_EINVAL, "sigv4: access key is missing or malformed");
    if (!p->secret_key || !*p->secret_key || strlen(p->secret_key) > MAX_SECRET_LEN)
        return wf_error_set(err, WF_EINVAL, "sigv4: secret key is missing or too long");
    if (has_token(p) && !header_value_ok(p->session_token))
        return wf_error_set(err, WF_EINVAL, "sigv4: session token holds control characters");
    if (p->payload_hash && (!*p->payload_hash || !header_value_ok(p->payload_hash)))
        return wf_error_set(err, WF_EINVAL, "sigv4: payload hash is empty or malformed");
    return WF_OK;
}

/* --- Canonical URI and query ------------------------------------------------------------- */

/* Removes "." and ".." and empty segments; keeps a trailing slash the path had (as
 * botocore does). The result is never longer than "/" + path. */
static char *normalize_path(const char *path)
{
    size_t len = strlen(path);
    char *out = malloc(len + 2);
    if (!out)
        return NULL;
    size_t n = 0;
    const char *p = path, *end = path + len;
    while (p < end) {
        const char *seg = p;
        while (p < end && *p != '/')
            p++;
        size_t seg_len = (size_t)(p - seg);
        if (p < end)
            p++;
        if (seg_len == 0 || (seg_len == 1 && seg[0] == '.'))
            continue;
        if (seg_len == 2 && seg[0] == '.' && seg[1] == '.') {
            while (n > 0 && out[n - 1] != '/')
                n--;
            if (n > 0)
                n--;
            continue;
        }
        out[n++] = '/';
        memcpy(out + n, seg, seg_len);
        n += seg_len;
    }
    if (n == 0 || (len > 0 && path[len - 1] == '/'))
        out[n++] = '/';
    out[n] = '\0';
    return out;
}

wf_status wf_sigv4_canonical_path(const char *path, bool s3_rules, bool keep_dots, char **out,
                                  wf_error *err)
{
    *out = NULL;
    if (!path || !*path)
        path = "/";
    if (s3_rules) {
        *out = strdup(path);
    } else {
        char *normal = keep_dots ? NULL : normalize_path(path);
        if (!keep_dots && !normal)
            return wf_error_set(err, WF_ENOMEM, "sigv4: out of memory");
        const char *src = normal ? normal : path;
        *out = wf_uri_encode(src, strlen(src), true);
        free(normal);
    }
    return *out ? WF_OK : wf_error_set(err, WF_ENOMEM, "sigv4: out of memory");
}

typedef struct qparam {
    char *name, *value;   /* canonically encoded */
} qparam;

static int qparam_cmp(const void *a, const void *b)
{
    const qparam *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    return c ? c : strcmp(x->value, y->value);
}

/* Decodes then re-encodes len bytes: the one canonical spelling of a name or value. */
static char *recode(const char *s, size_t len)
{
    size_t raw_len = 0;
    char *raw = wf_uri_decode(s, len, &raw_len);
    if (!raw)
        return NULL;
    char *enc = wf_uri_encode(raw, raw_len, false);
    free(raw);
    return enc;
}

wf_status wf_sigv4_canonical_query(const char *query, char **out, wf_error *err)
{
    *out = NULL;
    if (!query)
        query = "";
    size_t cap = 1;
    for (const char *c = query; *c; c++)
        cap += *c == '&';
    qparam *params = calloc(cap, sizeof *params);
    if (!params)
        return wf_error_set(err, WF_ENOMEM, "sigv4: out of memory");
    size_t count = 0;
    wf_status st = WF_OK;
    const char *p = query;
    while (*p) {
        const char *item = p;
        while (*p && *p != '&')
            p++;
        size_t item_len = (size_t)(p - item);
        if (*p)
            p++;
        if (item_len == 0)
            continue;   /* "a=1&&b=2": an empty item names nothing */
        const char *eq = memchr(item, '=', item_len);
        size_t name_len = eq ? (size_t)(eq - item) : item_len;
        params[count].name = recode(item, name_len);
        params[count].value = eq ? recode(eq + 1, item_len - name_len - 1) : strdup("");
        count++;
        if (!params[count - 1].name || !params[count - 1].value) {
            st = wf_error_set(err, WF_ENOMEM, "sigv4: out of memory");
            goto done;
        }
    }
    qsort(params, count, sizeof *params, qparam_cmp);
    sbuf b = {0};
    for (size_t i = 0; i < count; i++) {
        if (i)
            sb_putc(&b, '&');
        sb_puts(&b, params[i].name);
        sb_putc(&b, '=');
        sb_puts(&b, params[i].value);
    }
    st = sb_finish(&b, out, err);
done:
    for (size_t i = 0; i < count; i++) {
        free(params[i].name);
        free(params[i].value);
    }
    free(params);
    return st;
}

/* --- Canonical headers -------------------------------------------------------------------- */

typedef struct hentry {
    const char *name;     /* borrowed; compared and written lowercased */
    const char *value;    /* borrowed */
    size_t index;         /* original position: repeated names keep their order */
} hentry;

/* strcmp of the two names lowercased (ASCII only, whatever the locale). */
static int lname_cmp(const char *a, const char *b)
{
    for (;; a++, b++) {
        unsigned char x = (unsigned char)ascii_lower(*a), y = (unsigned char)ascii_lower(*b);
        if (x != y || !x)
            return (int)x - (int)y;
    }
}

static int hentry_cmp(const void *a, const void *b)
{
    const hentry *x = a, *y = b;
    int c = lname_cmp(x->name, y->name);
    if (c)
        return c;
    return x->index < y->index ? -1 : x->index > y->index;
}

/* Sorts by name, repeated names in their original order. Requests have a handful of
 * headers: insertion sort (stable) beats qsort's set-up for them. */
static void sort_entries(hentry *e, size_t count)
{
    if (count > 16) {
        qsort(e, count, sizeof *e, hentry_cmp);
        return;
    }
    for (size_t i = 1; i < count; i++) {
        hentry cur = e[i];
        size_t j = i;
        while (j > 0 && lname_cmp(e[j - 1].name, cur.name) > 0) {
            e[j] = e[j - 1];
            j--;
        }
        e[j] = cur;
    }
}

static void put_lower(sbuf *b, const char *s)
{
    size_t n = strlen(s);
    char *d = sb_room(b, n);
    if (!d)
        return;
    for (size_t i = 0; i < n; i++)
        d[i] = ascii_lower(s[i]);
    b->len += n;
    b->p[b->len] = '\0';
}

/* Trims and collapses whitespace runs (folded continuation lines included) to one space. */
static void put_trimmed(sbuf *b, const char *v)
{
    while (is_space(*v))
        v++;
    size_t n = strlen(v);
    while (n > 0 && is_space(v[n - 1]))
        n--;
    bool plain = true;   /* the usual case: nothing inside to collapse */
    for (size_t i = 0; i < n && plain; i++)
        plain = !is_space(v[i]) || (v[i] == ' ' && !is_space(v[i + 1]));
    if (plain) {
        sb_putn(b, v, n);
        return;
    }
    bool pending = false;
    for (size_t i = 0; i < n; i++) {
        if (is_space(v[i])) {
            pending = true;
            continue;
        }
        if (pending)
            sb_putc(b, ' ');
        sb_putc(b, v[i]);
        pending = false;
    }
}

/* "name:v1,v2\n" lines into canon and "a;b" into names. */
static wf_status canonical_headers(const wf_http_headers *h, sbuf *canon, sbuf *names,
                                   wf_error *err)
{
    size_t count = h ? h->count : 0;
    hentry small[16];
    hentry *e = count <= 16 ? small : calloc(count, sizeof *e);
    if (!e)
        return wf_error_set(err, WF_ENOMEM, "sigv4: out of memory");
    for (size_t i = 0; i < count; i++) {
        e[i].name = h->items[i].name ? h->items[i].name : "";
        e[i].value = h->items[i].value ? h->items[i].value : "";
        e[i].index = i;
    }
    sort_entries(e, count);
    for (size_t i = 0; i < count; i++) {
        bool same = i > 0 && lname_cmp(e[i].name, e[i - 1].name) == 0;
        if (same) {
            sb_putc(canon, ',');
        } else {
            if (i > 0) {
                sb_putc(canon, '\n');
                sb_putc(names, ';');
            }
            put_lower(canon, e[i].name);
            sb_putc(canon, ':');
            put_lower(names, e[i].name);
        }
        put_trimmed(canon, e[i].value);
    }
    if (count)
        sb_putc(canon, '\n');
    if (e != small)
        free(e);
    return WF_OK;
}

/* Appends the canonical request to b (and the signed names to names), both empty. */
static wf_status canonical_into(const char *method, const char *path, const char *query,
                                const wf_http_headers *headers, const char *payload_hash,
                                bool s3_rules, bool keep_dots, sbuf *b, sbuf *names,
                                wf_error *err)
{
    if (!method || !payload_hash)
        return wf_error_set(err, WF_EINVAL, "sigv4: no method or payload hash");
    sb_puts(b, method);
    sb_putc(b, '\n');
    if (!path || !*path)
        path = "/";
    if (s3_rules || strcmp(path, "/") == 0) {   /* nothing to normalise or encode */
        sb_puts(b, path);
    } else {
        char *cpath = NULL;
        wf_status st = wf_sigv4_canonical_path(path, s3_rules, keep_dots, &cpath, err);
        if (st != WF_OK)
            return st;
        sb_puts(b, cpath);
        free(cpath);
    }
    sb_putc(b, '\n');
    if (query && *query) {
        char *cquery = NULL;
        wf_status st = wf_sigv4_canonical_query(query, &cquery, err);
        if (st != WF_OK)
            return st;
        sb_puts(b, cquery);
        free(cquery);
    }
    sb_putc(b, '\n');
    wf_status st = canonical_headers(headers, b, names, err);
    if (st != WF_OK)
        return st;
    sb_putc(b, '\n');
    sb_putn(b, names->p ? names->p : "", names->len);
    sb_putc(b, '\n');
    sb_puts(b, payload_hash);
    if (b->oom || names->oom)
        return wf_error_set(err, WF_ENOMEM, "sigv4: out of memory");
    return WF_OK;
}

wf_status wf_sigv4_canonical_request_over(const char *method, const char *path,
                                          const char *query, const wf_http_headers *headers,
                                          const char *payload_hash, bool s3_rules,
                                          bool keep_dots, char **out, char **signed_headers,
                                          wf_error *err)
{
    *out = NULL;
    if (signed_headers)
        *signed_headers = NULL;
    sbuf b = {0}, names = {0};
    wf_status st = canonical_into(method, path, query, headers, payload_hash, s3_rules,
                                  keep_dots, &b, &names, err);
    if (st == WF_OK)
        st = sb_finish(&b, out, err);
    if (st == WF_OK && signed_headers) {
        st = sb_finish(&names, signed_headers, err);
        if (st != WF_OK) {
            free(*out);
            *out = NULL;
        }
    }
    sb_free(&b);
    sb_free(&names);
    return st;
}

/* --- The signed header set ---------------------------------------------------------------- */

/* Headers never signed: hop-by-hop or rewritten by proxies and HTTP stacks (the list
 * the AWS SDKs keep), and an Authorization left from an earlier signing. */
static const char *const unsigned_headers[] = {
    "authorization", "user-agent", "x-amzn-trace-id", "expect", "transfer-encoding",
    "connection",
};

static bool header_is_unsigned(const char *name)
{
    for (size_t i = 0; i < sizeof unsigned_headers / sizeof *unsigned_headers; i++)
        if (strcasecmp(name, unsigned_headers[i]) == 0)
            return true;
    return false;
}

static bool adds_content_sha256(const wf_sigv4_params *p)
{
    return p->s3_mode || p->sign_content_sha256;
}

/* The headers a signature covers, as a borrowed view: items point into req and p and
 * only the items array is owned (free(view->items), never wf_http_headers_free). The
 * auth headers sign() is about to set replace any old ones. */
#define VIEW_SMALL 16

/* small (VIEW_SMALL items, nullable) holds the view when it fits; free the items only when
 * they are not small. */
static wf_status signed_view(const wf_http_request *req, const wf_sigv4_params *p,
                             bool presign, const char *payload_hash, wf_http_headers *view,
                             wf_http_header *small, wf_error *err)
{
    memset(view, 0, sizeof *view);
    size_t cap = req->headers.count + 3;
    view->items = small && cap <= VIEW_SMALL ? small : calloc(cap, sizeof *view->items);
    if (!view->items)
        return wf_error_set(err, WF_ENOMEM, "sigv4: out of memory");
    view->capacity = cap;
    bool host = false;
    for (size_t i = 0; i < req->headers.count; i++) {
        const wf_http_header *h = &req->headers.items[i];
        if (!h->name || !h->value || header_is_unsigned(h->name))
            continue;
        if (strcasecmp(h->name, "x-amz-date") == 0)
            continue;
        if (has_token(p) && strcasecmp(h->name, "x-amz-security-token") == 0)
            continue;
        if (!presign && adds_content_sha256(p) &&
            strcasecmp(h->name, "x-amz-content-sha256") == 0)
            continue;
        host = host || strcasecmp(h->name, "host") == 0;
        view->items[view->count++] = *h;
    }
    if (!host) {
        if (view->items != small)
            free(view->items);
        memset(view, 0, sizeof *view);
        return wf_error_set(err, WF_EINVAL, "sigv4: the request has no host header");
    }
    if (presign)
        return WF_OK;
    view->items[view->count++] = (wf_http_header){"x-amz-date", (char *)p->amz_date};
    if (has_token(p) && !p->unsigned_session_token)
        view->items[view->count++] =
            (wf_http_header){"x-amz-security-token", (char *)p->session_token};
    if (adds_content_sha256(p))
        view->items[view->count++] =
            (wf_http_header){"x-amz-content-sha256", (char *)payload_hash};
    return WF_OK;
}

static wf_status check_request(const wf_http_request *req, wf_error *err)
{
    if (!req || !req->method || !*req->method)
        return wf_error_set(err, WF_EINVAL, "sigv4: the request has no method");
    return WF_OK;
}

/* The payload hash: given, or the body's (hashed on md, nullable). hex must hold 65 bytes. */
static wf_status payload_hash_of(const wf_http_request *req, const wf_sigv4_params *p,
                                 bool presign, EVP_MD_CTX *md, char *hex, const char **out,
                                 wf_error *err)
{
    if (p->payload_hash) {
        *out = p->payload_hash;
        return WF_OK;
    }
    if (presign && p->s3_mode) {
        *out = WF_SIGV4_UNSIGNED_PAYLOAD;   /* S3 presigned URLs never sign the body */
        return WF_OK;
    }
    if (!req->body || !req->body_len) {
        *out = EMPTY_SHA256;
        return WF_OK;
    }
    if (hex_sha256_on(md, req->body, req->body_len, hex) != WF_OK)
        return wf_error_set(err, WF_EIO, "sigv4: OpenSSL SHA-256 failed");
    *out = hex;
    return WF_OK;
}

static wf_status header_canonical(const wf_http_request *req, const wf_sigv4_params *p,
                                  const char *payload_hash, char **out, char **signed_headers,
                                  wf_error *err)
{
    wf_http_headers view;
    wf_http_header small[VIEW_SMALL];
    wf_status st = signed_view(req, p, false, payload_hash, &view, small, err);
    if (st != WF_OK)
        return st;
    st = wf_sigv4_canonical_request_over(req->method, req->path, req->query, &view,
                                         payload_hash, p->s3_mode, p->keep_path_dots, out,
                                         signed_headers, err);
    if (view.items != small)
        free(view.items);
    return st;
}

wf_status wf_sigv4_canonical_request(const wf_http_request *req, const wf_sigv4_params *p,
                                     char **out, char **signed_headers, wf_error *err)
{
    *out = NULL;
    if (signed_headers)
        *signed_headers = NULL;
    char hex[65];
    const char *payload = NULL;
    wf_status st = check_request(req, err);
    if (st == WF_OK)
        st = check_params(p, err);
    if (st == WF_OK)
        st = payload_hash_of(req, p, false, NULL, hex, &payload, err);
    if (st != WF_OK)
        return st;
    return header_canonical(req, p, payload, out, signed_headers, err);
}

/* --- String to sign and signature -------------------------------------------------------- */

static void put_scope(sbuf *b, const wf_sigv4_params *p)
{
    sb_putn(b, p->amz_date, 8);
    sb_putc(b, '/');
    sb_puts(b, p->region);
    sb_putc(b, '/');
    sb_puts(b, p->service);
    sb_puts(b, "/aws4_request");
}

/* "AWS4-HMAC-SHA256\n<amz_date>\n<scope>\n<hex sha256 of the canonical request>" into b. */
static void put_string_to_sign(sbuf *b, const wf_sigv4_params *p, const char *creq_hash)
{
    sb_puts(b, WF_SIGV4_ALGORITHM "\n");
    sb_puts(b, p->amz_date);
    sb_putc(b, '\n');
    put_scope(b, p);
    sb_putc(b, '\n');
    sb_puts(b, creq_hash);
}

wf_status wf_sigv4_string_to_sign(const wf_sigv4_params *p, const char *canonical_request,
                                  char **out, wf_error *err)
{
    *out = NULL;
    wf_status st = check_scope(p, err);
    if (st != WF_OK)
        return st;
    if (!canonical_request)
        return wf_error_set(err, WF_EINVAL, "sigv4: no canonical request");
    char hash[65];
    if (wf_sigv4_hex_sha256(canonical_request, strlen(canonical_request), hash) != WF_OK)
        return wf_error_set(err, WF_EIO, "sigv4: OpenSSL SHA-256 failed");
    sbuf b = {0};
    put_string_to_sign(&b, p, hash);
    return sb_finish(&b, out, err);
}

wf_status wf_sigv4_signature(const wf_sigv4_params *p, const char *string_to_sign,
                             char out[65], wf_error *err)
{
    out[0] = '\0';
    wf_status st = check_scope(p, err);
    if (st != WF_OK)
        return st;
    if (!p->secret_key || !*p->secret_key || strlen(p->secret_key) > MAX_SECRET_LEN)
        return wf_error_set(err, WF_EINVAL, "sigv4: secret key is missing or too long");
    if (!string_to_sign)
        return wf_error_set(err, WF_EINVAL, "sigv4: no string to sign");
    EVP_MAC_CTX *ctx = wf_sigv4_hmac_new();
    unsigned char k[32], sig[32];
    bool ok = ctx && wf_sigv4_derive_key(ctx, p, k) &&
              wf_sigv4_hmac(ctx, k, sizeof k, string_to_sign, strlen(string_to_sign), sig);
    OPENSSL_cleanse(k, sizeof k);
    EVP_MAC_CTX_free(ctx);
    if (!ok)
        return wf_error_set(err, WF_EIO, "sigv4: OpenSSL HMAC-SHA256 failed");
    to_hex(sig, sizeof sig, out);
    return WF_OK;
}

/* canonical request -> string to sign -> hex signature. */
static wf_status sign_canonical(const wf_sigv4_params *p, const char *creq, char sig[65],
                                wf_error *err)
{
    char *sts = NULL;
    wf_status st = wf_sigv4_string_to_sign(p, creq, &sts, err);
    if (st == WF_OK)
        st = wf_sigv4_signature(p, sts, sig, err);
    free(sts);
    return st;
}

/* --- Header signing ---------------------------------------------------------------------- */

wf_status wf_sigv4_sign(wf_http_request *req, const wf_sigv4_params *p, wf_error *err)
{
    wf_sigv4_signer *s = NULL;
    wf_status st = check_request(req, err);
    if (st == WF_OK)
        st = wf_sigv4_signer_new(&s, err);
    if (st == WF_OK)
        st = wf_sigv4_signer_sign(s, req, p, err);
    wf_sigv4_signer_free(s);
    return st;
}

wf_status wf_sigv4_signer_sign(wf_sigv4_signer *s, wf_http_request *req,
                               const wf_sigv4_params *p, wf_error *err)
{
    char hex[65], hash[65], sig[65];
    unsigned char mac[32];
    const char *payload = NULL;
    wf_http_header small[VIEW_SMALL];
    wf_http_headers view = {0};
    sb_clear(&s->creq);
    sb_clear(&s->names);
    sb_clear(&s->auth);
    wf_status st = check_request(req, err);
    if (st == WF_OK)
        st = check_params(p, err);
    if (st == WF_OK)
        st = payload_hash_of(req, p, false, s->md, hex, &payload, err);
    if (st == WF_OK)
        st = signed_view(req, p, false, payload, &view, small, err);
    if (st == WF_OK) {
        st = canonical_into(req->method, req->path, req->query, &view, payload, p->s3_mode,
                            p->keep_path_dots, &s->creq, &s->names, err);
        if (view.items != small)
            free(view.items);
    }
    if (st == WF_OK && hex_sha256_on(s->md, s->creq.p, s->creq.len, hash) != WF_OK)
        st = wf_error_set(err, WF_EIO, "sigv4: OpenSSL SHA-256 failed");
    if (st == WF_OK)
        st = wf_sigv4_signer_key(s, p, err);
    if (st != WF_OK)
        return st;
    put_string_to_sign(&s->auth, p, hash);   /* auth's buffer, before the header's turn */
    if (s->auth.oom)
        return wf_error_set(err, WF_ENOMEM, "sigv4: out of memory");
    if (!wf_sigv4_hmac(s->mac, NULL, 0, s->auth.p, s->auth.len, mac))
        return wf_error_set(err, WF_EIO, "sigv4: OpenSSL HMAC-SHA256 failed");
    to_hex(mac, sizeof mac, sig);

    /* In the order the suite's signed requests show them. */
    if (has_token(p))
        st = wf_http_headers_set(&req->headers, "X-Amz-Security-Token", p->session_token);
    if (st == WF_OK)
        st = wf_http_headers_set(&req->headers, "X-Amz-Date", p->amz_date);
    if (st == WF_OK && adds_content_sha256(p))
        st = wf_http_headers_set(&req->headers, "x-amz-content-sha256", payload);
    if (st != WF_OK)
        return wf_error_set(err, WF_ENOMEM, "sigv4: out of memory");
    sb_clear(&s->auth);
    sb_puts(&s->auth, WF_SIGV4_ALGORITHM " Credential=");
    sb_puts(&s->auth, p->access_key);
    sb_putc(&s->auth, '/');
    put_scope(&s->auth, p);
    sb_puts(&s->auth, ", SignedHeaders=");
    sb_putn(&s->auth, s->names.p, s->names.len);
    sb_puts(&s->auth, ", Signature=");
    sb_puts(&s->auth, sig);
    if (s->auth.oom || wf_http_headers_set(&req->headers, "Authorization", s->auth.p) != WF_OK)
        return wf_error_set(err, WF_ENOMEM, "sigv4: out of memory");
    return WF_OK;
}

/* --- Query signing (presigned URLs) ------------------------------------------------------- */

/* Appends "&name=" + value encoded as a query value (or without '&' when b is empty). */
static void put_param(sbuf *b, const char *name, const char *value)
{
    char *enc = wf_uri_encode(value, strlen(value), false);
    if (!enc) {
        b->oom = true;
        return;
    }
    if (b->len)
        sb_putc(b, '&');
    sb_puts(b, name);
    sb_putc(b, '=');
    sb_puts(b, enc);
    free(enc);
}

/* Builds the canonical request of a presigned req and the query that goes on the wire
 * (everything but X-Amz-Signature). */
static wf_status presign_build(const wf_http_request *req, const wf_sigv4_params *p,
                               unsigned expires, char **creq, char **signed_headers,
                               char **wire_query, wf_error *err)
{
    *creq = NULL;
    if (signed_headers)
        *signed_headers = NULL;
    if (wire_query)
        *wire_query = NULL;
    char hex[65];
    const char *payload = NULL;
    wf_http_headers view = {0};
    sbuf canon = {0}, names = {0}, q = {0}, wire = {0};
    char *names_str = NULL, *query = NULL, *credential_str = NULL;
    wf_status st = check_request(req, err);
    if (st == WF_OK)
        st = check_params(p, err);
    if (st == WF_OK && (expires < 1 || expires > WF_SIGV4_MAX_EXPIRES))
        st = wf_error_set(err, WF_EINVAL, "sigv4: presign expiry must be 1..%u seconds",
                          WF_SIGV4_MAX_EXPIRES);
    if (st == WF_OK)
        st = payload_hash_of(req, p, true, NULL, hex, &payload, err);
    if (st == WF_OK)
        st = signed_view(req, p, true, payload, &view, NULL, err);
    if (st == WF_OK)   /* for the signed names: they go into the query being signed */
        st = canonical_headers(&view, &canon, &names, err);
    if (st == WF_OK)
        st = sb_finish(&names, &names_str, err);
    if (st != WF_OK)
        goto done;

    /* The wire order is the SDKs'; the canonical query sorts anyway. */
    char expires_str[16];
    snprintf(expires_str, sizeof expires_str, "%u", expires);
    sbuf credential = {0};
    sb_puts(&credential, p->access_key);
    sb_putc(&credential, '/');
    put_scope(&credential, p);
    st = sb_finish(&credential, &credential_str, err);
    if (st != WF_OK)
        goto done;
    if (req->query && *req->query)
        sb_puts(&q, req->query);
    put_param(&q, "X-Amz-Algorithm", WF_SIGV4_ALGORITHM);
    put_param(&q, "X-Amz-Credential", credential_str);
    put_param(&q, "X-Amz-Date", p->amz_date);
    put_param(&q, "X-Amz-SignedHeaders", names_str);
    put_param(&q, "X-Amz-Expires", expires_str);
    sb_putn(&wire, q.p ? q.p : "", q.len);
    if (has_token(p)) {
        if (!p->unsigned_session_token)
            put_param(&q, "X-Amz-Security-Token", p->session_token);
        put_param(&wire, "X-Amz-Security-Token", p->session_token);
    }
    st = sb_finish(&q, &query, err);
    if (st == WF_OK)
        st = wf_sigv4_canonical_request_over(req->method, req->path, query, &view, payload,
                                             p->s3_mode, p->keep_path_dots, creq, NULL, err);
    if (st == WF_OK && wire_query)
        st = sb_finish(&wire, wire_query, err);
    if (st == WF_OK && signed_headers) {
        *signed_headers = names_str;
        names_str = NULL;
    }
    if (st != WF_OK) {
        free(*creq);
        *creq = NULL;
        if (wire_query) {
            free(*wire_query);
            *wire_query = NULL;
        }
    }
done:
    free(view.items);
    sb_free(&canon);
    sb_free(&names);
    sb_free(&q);
    sb_free(&wire);
    free(names_str);
    free(query);
    free(credential_str);
    return st;
}

wf_status wf_sigv4_presign_canonical_request(const wf_http_request *req,
                                             const wf_sigv4_params *p, unsigned expires,
                                             char **out, char **signed_headers, wf_error *err)
{
    return presign_build(req, p, expires, out, signed_headers, NULL, err);
}

wf_status wf_sigv4_presign(wf_http_request *req, const wf_sigv4_params *p, unsigned expires,
                           wf_error *err)
{
    char *creq = NULL, *wire = NULL, sig[65];
    sbuf q = {0};
    wf_status st = presign_build(req, p, expires, &creq, NULL, &wire, err);
    if (st == WF_OK)
        st = sign_canonical(p, creq, sig, err);
    if (st == WF_OK) {
        sb_puts(&q, wire);
        sb_puts(&q, "&X-Amz-Signature=");
        sb_puts(&q, sig);
        char *query = NULL;
        st = sb_finish(&q, &query, err);
        if (st == WF_OK) {
            free(req->query);
            req->query = query;
        }
    }
    sb_free(&q);
    free(creq);
    free(wire);
    return st;
}
