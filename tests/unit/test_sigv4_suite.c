/* Runs cases of the official SigV4 test suite (tests/data/sigv4/v4/<case>): canonical
 * request, string to sign, signature and signed request, for header and query signing,
 * each step checked against the case's files; then the verifier on what was signed.
 * Usage: test_sigv4_suite [CASE_DIR...]; with no argument, every case of the suite. */
#include "aws/sigv4.h"
#include "check.h"
#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Cases that cannot pass, with the reason. Empty: every case passes. */
static const struct {
    const char *name, *reason;
} skip_list[] = {
    {NULL, NULL},
};

typedef struct suite_case {
    const char *name;
    char access_key[128], secret_key[128], region[64], service[64], amz_date[17];
    char *token;
    bool normalize, sign_body, omit_token;
    unsigned expires;
} suite_case;

/* Whole file, CRs removed (the suite mixes line ends); NULL when absent. */
static char *read_text(const char *dir, const char *file)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap);
    for (int c = buf ? getc(f) : EOF; c != EOF; c = getc(f)) {
        if (c == '\r')
            continue;
        if (len + 1 == cap) {
            char *grown = realloc(buf, cap *= 2);
            if (!grown) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = grown;
        }
        buf[len++] = (char)c;
    }
    fclose(f);
    if (buf)
        buf[len] = '\0';
    return buf;
}

static void rstrip(char *s)
{
    size_t n = strlen(s);
    while (n && (s[n - 1] == '\n' || s[n - 1] == ' '))
        s[--n] = '\0';
}

/* Prints both texts line by line, marking the lines that differ. */
static void print_diff(const char *what, const char *expected, const char *actual)
{
    fprintf(stderr, "--- %s: expected (-) vs actual (+)\n", what);
    const char *e = expected, *a = actual;
    while (*e || *a) {
        size_t el = strcspn(e, "\n"), al = strcspn(a, "\n");
        if (el == al && memcmp(e, a, el) == 0) {
            fprintf(stderr, "  %.*s\n", (int)el, e);
        } else {
            if (*e)
                fprintf(stderr, "- %.*s\n", (int)el, e);
            if (*a)
                fprintf(stderr, "+ %.*s\n", (int)al, a);
        }
        e += el + (e[el] == '\n');
        a += al + (a[al] == '\n');
    }
}

/* Compares a step's output with the case's file (when the case has one). */
static void check_step(const char *case_name, const char *dir, const char *file,
                       const char *actual, bool signature)
{
    char *expected = read_text(dir, file);
    if (!expected)
        return;
    if (signature)
        rstrip(expected);
    check_count++;
    if (!actual || strcmp(expected, actual) != 0) {
        check_failures++;
        fprintf(stderr, "%s: %s differs\n", case_name, file);
        print_diff(file, expected, actual ? actual : "");
    }
    free(expected);
}

static bool json_str(const cJSON *obj, const char *key, char *out, size_t cap)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!cJSON_IsString(item) || strlen(item->valuestring) >= cap)
        return false;
    strcpy(out, item->valuestring);
    return true;
}

static bool json_bool(const cJSON *obj, const char *key)
{
    return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(obj, key));
}

/* context.json: credentials, region, service, "2015-08-30T12:36:00Z" and the flags. */
static bool load_context(const char *dir, suite_case *c)
{
    char *text = read_text(dir, "context.json");
    cJSON *root = text ? cJSON_Parse(text) : NULL;
    free(text);
    if (!root)
        return false;
    const cJSON *cred = cJSON_GetObjectItemCaseSensitive(root, "credentials");
    char stamp[32];
    bool ok = json_str(cred, "access_key_id", c->access_key, sizeof c->access_key) &&
              json_str(cred, "secret_access_key", c->secret_key, sizeof c->secret_key) &&
              json_str(root, "region", c->region, sizeof c->region) &&
              json_str(root, "service", c->service, sizeof c->service) &&
              json_str(root, "timestamp", stamp, sizeof stamp);
    const cJSON *token = cJSON_GetObjectItemCaseSensitive(cred, "token");
    if (cJSON_IsString(token))
        c->token = strdup(token->valuestring);
    const cJSON *expires = cJSON_GetObjectItemCaseSensitive(root, "expiration_in_seconds");
    c->expires = cJSON_IsNumber(expires) ? (unsigned)expires->valuedouble : 3600;
    c->normalize = json_bool(root, "normalize");
    c->sign_body = json_bool(root, "sign_body");
    c->omit_token = json_bool(root, "omit_session_token");
    cJSON_Delete(root);
    /* Through wf_sigv4_format_date, so the suite covers it too. */
    struct tm tm = {0};
    if (ok && sscanf(stamp, "%4d-%2d-%2dT%2d:%2d:%2dZ", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                     &tm.tm_hour, &tm.tm_min, &tm.tm_sec) == 6) {
        tm.tm_year -= 1900;
        tm.tm_mon -= 1;
        ok = wf_sigv4_format_date(timegm(&tm), c->amz_date) == WF_OK;
    } else {
        ok = false;
    }
    return ok;
}

/* request.txt: "METHOD target HTTP/1.1", "Name:value" lines (a line starting with
 * whitespace continues the previous value), a blank line, the body. The target may hold
 * spaces: it runs to the last space of the line. */
static bool parse_request(const char *text, wf_http_request *req)
{
    const char *eol = strchr(text, '\n');
    size_t line_len = eol ? (size_t)(eol - text) : strlen(text);
    const char *sp1 = memchr(text, ' ', line_len), *sp2 = text + line_len;
    while (sp2 > text && sp2[-1] != ' ')
        sp2--;
    if (!sp1 || sp2 <= sp1 + 1)
        return false;
    const char *target = sp1 + 1, *target_end = sp2 - 1;
    const char *q = memchr(target, '?', (size_t)(target_end - target));
    req->method = strndup(text, (size_t)(sp1 - text));
    req->path = strndup(target, (size_t)((q ? q : target_end) - target));
    req->query = q ? strndup(q + 1, (size_t)(target_end - q - 1)) : strdup("");
    const char *p = eol ? eol + 1 : text + line_len;
    while (*p && *p != '\n') {
        size_t len = strcspn(p, "\n");
        if ((*p == ' ' || *p == '\t') && req->headers.count) {
            wf_http_header *last = &req->headers.items[req->headers.count - 1];
            size_t old = strlen(last->value);
            char *joined = realloc(last->value, old + 1 + len + 1);
            if (!joined)
                return false;
            joined[old] = '\n';
            memcpy(joined + old + 1, p, len);
            joined[old + 1 + len] = '\0';
            last->value = joined;
        } else {
            const char *colon = memchr(p, ':', len);
            if (!colon)
                return false;
            char *name = strndup(p, (size_t)(colon - p));
            char *value = strndup(colon + 1, len - (size_t)(colon - p) - 1);
            wf_status st = wf_http_headers_add(&req->headers, name, value);
            free(name);
            free(value);
            if (st != WF_OK)
                return false;
        }
        p += len + (p[len] == '\n');
    }
    if (*p == '\n')
        p++;
    return req->method && req->path && req->query &&
           wf_http_request_set_body(req, p, strlen(p)) == WF_OK;
}

static bool copy_request(const wf_http_request *from, wf_http_request *to)
{
    memset(to, 0, sizeof *to);
    to->method = strdup(from->method);
    to->path = strdup(from->path);
    to->query = strdup(from->query);
    for (size_t i = 0; i < from->headers.count; i++)
        if (wf_http_headers_add(&to->headers, from->headers.items[i].name,
                                from->headers.items[i].value) != WF_OK)
            return false;
    return to->method && to->path && to->query &&
           wf_http_request_set_body(to, from->body, from->body_len) == WF_OK;
}

/* The request as the suite writes it (the inverse of parse_request). */
static char *format_request(const wf_http_request *req)
{
    size_t cap = strlen(req->method) + strlen(req->path) + strlen(req->query) + req->body_len + 64;
    for (size_t i = 0; i < req->headers.count; i++)
        cap += strlen(req->headers.items[i].name) + strlen(req->headers.items[i].value) + 2;
    char *out = malloc(cap);
    if (!out)
        return NULL;
    size_t n = (size_t)snprintf(out, cap, "%s %s%s%s HTTP/1.1\n", req->method, req->path,
                                *req->query ? "?" : "", req->query);
    for (size_t i = 0; i < req->headers.count; i++)
        n += (size_t)snprintf(out + n, cap - n, "%s:%s\n", req->headers.items[i].name,
                              req->headers.items[i].value);
    n += (size_t)snprintf(out + n, cap - n, "\n");
    memcpy(out + n, req->body, req->body_len);
    out[n + req->body_len] = '\0';
    return out;
}

static const char *lookup(const char *access_key, void *ud)
{
    const suite_case *c = ud;
    return strcmp(access_key, c->access_key) == 0 ? c->secret_key : NULL;
}

/* Would the verifier (which normalises every path outside S3) see the signed path? */
static bool verifier_sees_same_path(const suite_case *c, const wf_http_request *req)
{
    if (c->normalize)
        return true;
    char *kept = NULL, *normal = NULL;
    bool same = wf_sigv4_canonical_path(req->path, false, true, &kept, NULL) == WF_OK &&
                wf_sigv4_canonical_path(req->path, false, false, &normal, NULL) == WF_OK &&
                strcmp(kept, normal) == 0;
    free(kept);
    free(normal);
    return same;
}

/* Verifies a signed request; then again with one signature digit changed. */
static void check_verify(const suite_case *c, const wf_http_request *signed_req,
                         const char *mode)
{
    wf_sigv4_verdict v;
    wf_error err = {0};
    bool expect_ok = verifier_sees_same_path(c, signed_req);
    CHECK_INT_EQ(wf_sigv4_verify(signed_req, lookup, (void *)c, c->service, &v, &err), WF_OK);
    if ((v.result == WF_SIGV4_OK) != expect_ok) {
        fprintf(stderr, "%s: %s verify gave %d (%s), expected %s\n", c->name, mode, v.result,
                v.detail, expect_ok ? "ok" : "a mismatch (path signed unnormalised)");
        if (v.canonical_request)
            fprintf(stderr, "verifier's canonical request:\n%s\n", v.canonical_request);
    }
    CHECK((v.result == WF_SIGV4_OK) == expect_ok);
    CHECK_STR_EQ(v.access_key, c->access_key);
    CHECK_STR_EQ(v.amz_date, c->amz_date);
    CHECK_INT_EQ(v.session_token_signed, c->token && !c->omit_token);
    wf_sigv4_verdict_free(&v);

    /* Flip the signature's last hex digit, wherever it is. */
    wf_http_request bad;
    CHECK(copy_request(signed_req, &bad));
    char *sig = NULL;
    const char *auth = wf_http_headers_get(&bad.headers, "Authorization");
    if (auth)
        sig = (char *)auth + strlen(auth) - 1;
    else
        sig = bad.query + strlen(bad.query) - 1;
    *sig = *sig == '0' ? '1' : '0';
    CHECK_INT_EQ(wf_sigv4_verify(&bad, lookup, (void *)c, c->service, &v, &err), WF_OK);
    CHECK_INT_EQ(v.result, WF_SIGV4_MISMATCH);
    wf_sigv4_verdict_free(&v);
    wf_http_request_free(&bad);
}

/* One signing mode: canonical request, string to sign, signature, signed request. */
static void run_mode(const suite_case *c, const char *dir, const wf_http_request *req,
                     const wf_sigv4_params *p, bool presign)
{
    const char *prefix = presign ? "query" : "header";
    char file[64];
    snprintf(file, sizeof file, "%s-canonical-request.txt", prefix);
    char *probe = read_text(dir, file);
    if (!probe)
        return;
    free(probe);
    wf_error err = {0};
    char *creq = NULL, *sts = NULL, *text = NULL, sig[65] = "";
    wf_status st = presign ? wf_sigv4_presign_canonical_request(req, p, c->expires, &creq, NULL, &err)
                           : wf_sigv4_canonical_request(req, p, &creq, NULL, &err);
    CHECK_INT_EQ(st, WF_OK);
    if (st != WF_OK)
        fprintf(stderr, "%s: %s\n", c->name, err.message);
    check_step(c->name, dir, file, creq, false);
    CHECK_INT_EQ(wf_sigv4_string_to_sign(p, creq ? creq : "", &sts, &err), WF_OK);
    snprintf(file, sizeof file, "%s-string-to-sign.txt", prefix);
    check_step(c->name, dir, file, sts, false);
    CHECK_INT_EQ(wf_sigv4_signature(p, sts ? sts : "", sig, &err), WF_OK);
    snprintf(file, sizeof file, "%s-signature.txt", prefix);
    check_step(c->name, dir, file, sig, true);

    wf_http_request signed_req;
    CHECK(copy_request(req, &signed_req));
    st = presign ? wf_sigv4_presign(&signed_req, p, c->expires, &err)
                 : wf_sigv4_sign(&signed_req, p, &err);
    CHECK_INT_EQ(st, WF_OK);
    text = format_request(&signed_req);
    snprintf(file, sizeof file, "%s-signed-request.txt", prefix);
    check_step(c->name, dir, file, text, false);
    check_verify(c, &signed_req, prefix);

    wf_http_request_free(&signed_req);
    free(creq);
    free(sts);
    free(text);
}

static void run_case(const char *dir)
{
    const char *name = strrchr(dir, '/');
    name = name && name[1] ? name + 1 : dir;
    for (size_t i = 0; skip_list[i].name; i++) {
        if (strcmp(skip_list[i].name, name) == 0) {
            fprintf(stderr, "%s: skipped: %s\n", name, skip_list[i].reason);
            return;
        }
    }
    suite_case c = {.name = name};
    wf_http_request req = {0};
    char *text = read_text(dir, "request.txt");
    bool ok = load_context(dir, &c) && text && parse_request(text, &req);
    CHECK(ok);
    if (ok) {
        wf_sigv4_params p = {
            .access_key = c.access_key, .secret_key = c.secret_key, .session_token = c.token,
            .region = c.region, .service = c.service, .amz_date = c.amz_date,
            .keep_path_dots = !c.normalize, .sign_content_sha256 = c.sign_body,
            .unsigned_session_token = c.omit_token,
        };
        run_mode(&c, dir, &req, &p, false);
        run_mode(&c, dir, &req, &p, true);
    } else {
        fprintf(stderr, "%s: cannot read the case\n", name);
    }
    free(text);
    free(c.token);
    wf_http_request_free(&req);
}

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every case directory of the suite, in name order. */
static int run_all(void)
{
    const char *src = getenv("WF_SOURCE_DIR");
    char root[4096];
    snprintf(root, sizeof root, "%s/tests/data/sigv4/v4", src ? src : ".");
    DIR *d = opendir(root);
    if (!d) {
        fprintf(stderr, "%s: %s (set WF_SOURCE_DIR)\n", root, strerror(errno));
        check_failures++;
        return 1;
    }
    char *names[512];
    size_t n = 0;
    for (struct dirent *e = readdir(d); e && n < 512; e = readdir(d))
        if (e->d_name[0] != '.')
            names[n++] = strdup(e->d_name);
    closedir(d);
    qsort(names, n, sizeof *names, name_cmp);
    int before = check_failures;
    for (size_t i = 0; i < n; i++) {
        char dir[8192];
        snprintf(dir, sizeof dir, "%s/%s", root, names[i]);
        int failed = check_failures;
        run_case(dir);
        fprintf(stderr, "%s %s\n", check_failures == failed ? "ok  " : "FAIL", names[i]);
        free(names[i]);
    }
    fprintf(stderr, "%zu cases\n", n);
    CHECK(n > 0);
    return check_failures - before;
}

int main(int argc, char **argv)
{
    if (argc < 2)
        run_all();
    for (int i = 1; i < argc; i++)
        run_case(argv[i]);
    return CHECK_DONE();
}
