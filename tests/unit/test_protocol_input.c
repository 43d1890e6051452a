/* Runs every input (serialization) case of the AWS protocol test suites
 * (tests/data/aws-protocol-tests/input/{ec2,query,rest-xml,json}.json) through
 * wf_aws_serialize and compares the request with the expected one, the way botocore's
 * tests/unit/test_protocols.py does: query strings and form bodies as parsed parameters
 * (order of different names ignored), XML bodies as trees (whitespace-only text between
 * elements ignored), JSON bodies as JSON values, expected headers present and equal,
 * forbidden headers absent. Prints each failure with expected and actual values and one
 * "N passed, M failed, K skipped" line per protocol. */
#include <ctype.h>
#include <expat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <cjson/cJSON.h>
#include "aws/model.h"
#include "aws/serialize.h"
#include "aws/uri_encode.h"

/* Cases not run, each with its reason. */
static const struct {
    const char *protocol, *id, *reason;
} skips[] = {
    {"ec2", "SDKAppliedContentEncoding_ec2Query", "request compression (gzip) is not "
     "implemented: no wfrun operation has the requestcompression trait; botocore skips "
     "the suite too (botocore-ignore-list.json: PutWithContentEncoding)"},
    {"ec2", "SDKAppendsGzipAndIgnoresHttpProvidedEncoding_ec2Query", "request compression, as above"},
    {"query", "SDKAppliedContentEncoding_awsQuery", "request compression, as above"},
    {"query", "SDKAppendsGzipAndIgnoresHttpProvidedEncoding_awsQuery", "request compression, as above"},
    {"rest-xml", "SDKAppliedContentEncoding_restXml", "request compression, as above"},
    {"rest-xml", "SDKAppendedGzipAfterProvidedEncoding_restXml", "request compression, as above"},
    {"json", "SDKAppliedContentEncoding_awsJson1_1", "request compression, as above"},
    {"json", "SDKAppendsGzipAndIgnoresHttpProvidedEncoding_awsJson1_1", "request compression, as above"},
};

static const char *skip_reason(const char *protocol, const char *id)
{
    for (size_t i = 0; i < sizeof skips / sizeof skips[0]; i++)
        if (strcmp(skips[i].protocol, protocol) == 0 && strcmp(skips[i].id, id) == 0)
            return skips[i].reason;
    return NULL;
}

/* The suites expect this token wherever one is generated. */
static wf_status fixed_token(char *out, size_t size)
{
    snprintf(out, size, "00000000-0000-4000-8000-000000000000");
    return WF_OK;
}

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *data = malloc((size_t)n + 1);
    if (data && fread(data, 1, (size_t)n, f) != (size_t)n) {
        free(data);
        data = NULL;
    }
    if (data)
        data[n] = '\0';
    fclose(f);
    return data;
}

/* ---- failure reporting ---- */

static char failure[8192];

static void fail(const char *what, const char *expected, const char *got)
{
    size_t n = strlen(failure);
    snprintf(failure + n, sizeof failure - n, "  %s differs\n    expected: %s\n    got:      %s\n",
             what, expected ? expected : "(none)", got ? got : "(none)");
}

/* ---- name=value lists (query strings, form bodies) ---- */

typedef struct pair {
    char *name, *value;   /* decoded; value NULL for a bare "name" */
    size_t order;
} pair;

static pair *parse_pairs(const char *s, size_t *count)
{
    size_t cap = 8, n = 0;
    pair *pairs = malloc(cap * sizeof *pairs);
    while (s && *s) {
        const char *amp = strchr(s, '&');
        size_t len = amp ? (size_t)(amp - s) : strlen(s);
        if (len) {
            const char *eq = memchr(s, '=', len);
            if (n == cap)
                pairs = realloc(pairs, (cap *= 2) * sizeof *pairs);
            size_t nlen = eq ? (size_t)(eq - s) : len;
            pairs[n].name = wf_uri_decode(s, nlen, NULL);
            pairs[n].value = eq ? wf_uri_decode(eq + 1, len - nlen - 1, NULL) : NULL;
            pairs[n].order = n;
            n++;
        }
        s = amp ? amp + 1 : s + len;
    }
    *count = n;
    return pairs;
}

static void free_pairs(pair *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(p[i].name);
        free(p[i].value);
    }
    free(p);
}

/* By name, then original position: the values of one name keep their order. */
static int pair_cmp(const void *a, const void *b)
{
    const pair *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    return c ? c : (x->order > y->order) - (x->order < y->order);
}

/* Equal as botocore's parse_qs sees them: same names, same values per name in order. */
static int same_pairs(const char *expected, const char *got)
{
    size_t ne, ng;
    pair *e = parse_pairs(expected, &ne), *g = parse_pairs(got, &ng);
    int same = ne == ng;
    qsort(e, ne, sizeof *e, pair_cmp);
    qsort(g, ng, sizeof *g, pair_cmp);
    for (size_t i = 0; same && i < ne; i++) {
        same = strcmp(e[i].name, g[i].name) == 0 && (!e[i].value) == (!g[i].value) &&
               (!e[i].value || strcmp(e[i].value, g[i].value) == 0);
    }
    free_pairs(e, ne);
    free_pairs(g, ng);
    return same;
}

/* ---- XML trees ---- */

typedef struct xnode {
    char *name;
    char **attrs;        /* "name=value", sorted */
    size_t nattrs;
    char *text;          /* all character data directly inside */
    size_t text_len;
    struct xnode **kids;
    size_t nkids;
    struct xnode *parent;
} xnode;

typedef struct xparse {
    xnode *root, *cur;
} xparse;

static int str_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void XMLCALL on_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
    xparse *p = ud;
    xnode *n = calloc(1, sizeof *n);
    n->name = strdup(name);
    for (size_t i = 0; atts[i]; i += 2) {
        n->attrs = realloc(n->attrs, (n->nattrs + 1) * sizeof *n->attrs);
        size_t len = strlen(atts[i]) + strlen(atts[i + 1]) + 2;
        n->attrs[n->nattrs] = malloc(len);
        snprintf(n->attrs[n->nattrs++], len, "%s=%s", atts[i], atts[i + 1]);
    }
    if (n->nattrs)
        qsort(n->attrs, n->nattrs, sizeof *n->attrs, str_cmp);
    n->parent = p->cur;
    if (p->cur) {
        p->cur->kids = realloc(p->cur->kids, (p->cur->nkids + 1) * sizeof *p->cur->kids);
        p->cur->kids[p->cur->nkids++] = n;
    } else {
        p->root = n;
    }
    p->cur = n;
}

static void XMLCALL on_end(void *ud, const XML_Char *name)
{
    xparse *p = ud;
    p->cur = p->cur->parent;
}

static void XMLCALL on_text(void *ud, const XML_Char *s, int len)
{
    xparse *p = ud;
    if (!p->cur)
        return;
    xnode *n = p->cur;
    n->text = realloc(n->text, n->text_len + (size_t)len + 1);
    memcpy(n->text + n->text_len, s, (size_t)len);
    n->text_len += (size_t)len;
    n->text[n->text_len] = '\0';
}

static void free_tree(xnode *n)
{
    if (!n)
        return;
    for (size_t i = 0; i < n->nattrs; i++)
        free(n->attrs[i]);
    for (size_t i = 0; i < n->nkids; i++)
        free_tree(n->kids[i]);
    free(n->attrs);
    free(n->kids);
    free(n->name);
    free(n->text);
    free(n);
}

static xnode *parse_xml(const char *s, size_t len)
{
    xparse p = {0};
    XML_Parser parser = XML_ParserCreate("UTF-8");
    XML_SetUserData(parser, &p);
    XML_SetElementHandler(parser, on_start, on_end);
    XML_SetCharacterDataHandler(parser, on_text);
    int ok = XML_Parse(parser, s, (int)len, 1) == XML_STATUS_OK;
    XML_ParserFree(parser);
    if (!ok) {
        free_tree(p.root);
        return NULL;
    }
    return p.root;
}

static int blank(const char *s)
{
    for (; s && *s; s++)
        if (!isspace((unsigned char)*s))
            return 0;
    return 1;
}

/* Same element names, attributes, children in order; text compared exactly in leaves,
 * and between children only when it is more than whitespace. */
static int same_tree(const xnode *a, const xnode *b)
{
    if (strcmp(a->name, b->name) != 0 || a->nattrs != b->nattrs || a->nkids != b->nkids)
        return 0;
    for (size_t i = 0; i < a->nattrs; i++)
        if (strcmp(a->attrs[i], b->attrs[i]) != 0)
            return 0;
    const char *ta = a->text ? a->text : "", *tb = b->text ? b->text : "";
    if (a->nkids == 0 || !blank(ta) || !blank(tb))
        if (strcmp(ta, tb) != 0)
            return 0;
    for (size_t i = 0; i < a->nkids; i++)
        if (!same_tree(a->kids[i], b->kids[i]))
            return 0;
    return 1;
}

static int same_xml(const char *expected, const char *got, size_t got_len)
{
    if (blank(expected) || got_len == 0)
        return blank(expected) && got_len == 0;
    xnode *e = parse_xml(expected, strlen(expected)), *g = parse_xml(got, got_len);
    int same = e && g && same_tree(e, g);
    free_tree(e);
    free_tree(g);
    return same;
}

static int same_json(const char *expected, const char *got)
{
    cJSON *e = cJSON_Parse(expected), *g = cJSON_Parse(got);
    int same = e && g && cJSON_Compare(e, g, 1);
    cJSON_Delete(e);
    cJSON_Delete(g);
    return same;
}

/* ---- one case ---- */

/* The model botocore builds for a case: the suite's metadata and shapes, and the case's
 * "given" as the only operation. */
static cJSON *case_model(const cJSON *suite, const cJSON *given)
{
    cJSON *root = cJSON_CreateObject();
    cJSON_AddItemToObject(root, "metadata",
        cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(suite, "metadata"), 1));
    cJSON_AddItemToObject(root, "shapes",
        cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(suite, "shapes"), 1));
    cJSON *ops = cJSON_AddObjectToObject(root, "operations");
    cJSON_AddItemToObject(ops, cJSON_GetObjectItemCaseSensitive(given, "name")->valuestring,
                          cJSON_Duplicate(given, 1));
    return root;
}

static const char *jstr(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* Splits an endpoint URL "https://host/path" into host and path (no trailing slash). */
static void split_endpoint(const char *url, char *host, size_t hn, char *path, size_t pn)
{
    const char *p = url ? strstr(url, "://") : NULL;
    p = p ? p + 3 : (url ? url : "");
    const char *slash = strchr(p, '/');
    snprintf(host, hn, "%.*s", (int)(slash ? slash - p : (long)strlen(p)), p);
    snprintf(path, pn, "%s", slash ? slash : "");
    size_t len = strlen(path);
    if (len && path[len - 1] == '/')
        path[len - 1] = '\0';
}

static int run_case(const char *protocol, const cJSON *suite, const cJSON *c)
{
    failure[0] = '\0';
    const cJSON *given = cJSON_GetObjectItemCaseSensitive(c, "given");
    const cJSON *want = cJSON_GetObjectItemCaseSensitive(c, "serialized");
    wf_aws_model model;
    wf_error err = {0};
    if (wf_aws_model_init(&model, case_model(suite, given), &err) != WF_OK) {
        fail("model", "a valid model", err.message);
        return 0;
    }
    wf_http_request req = {0};
    const char *op = jstr(given, "name");
    if (wf_aws_serialize(&model, op, cJSON_GetObjectItemCaseSensitive(c, "params"), &req,
                         &err) != WF_OK) {
        fail("serialization", "success", err.message);
        wf_http_request_free(&req);
        wf_aws_model_free(&model);
        return 0;
    }

    /* What the HTTP layer makes of it: the endpoint's path before ours, the host prefix
     * before the endpoint's host (botocore's runner does the same with prepare_request_dict). */
    char host[256], base[256];
    split_endpoint(jstr(suite, "clientEndpoint"), host, sizeof host, base, sizeof base);

    const char *method = jstr(want, "method");
    if (method && strcmp(method, req.method) != 0)
        fail("method", method, req.method);

    const char *uri = jstr(want, "uri");
    if (uri) {
        const char *q = strchr(uri, '?');
        char want_path[1024], got_path[1024];
        snprintf(want_path, sizeof want_path, "%.*s", (int)(q ? q - uri : (long)strlen(uri)), uri);
        snprintf(got_path, sizeof got_path, "%s%s", base, req.path);
        char got_uri[4096];
        snprintf(got_uri, sizeof got_uri, "%s%s%s", got_path, *req.query ? "?" : "", req.query);
        if (strcmp(want_path, got_path) != 0 || !same_pairs(q ? q + 1 : "", req.query))
            fail("uri", uri, got_uri);
    }

    const cJSON *h;
    cJSON_ArrayForEach(h, cJSON_GetObjectItemCaseSensitive(want, "headers")) {
        const char *got = wf_http_headers_get(&req.headers, h->string);
        if (!got || strcmp(got, h->valuestring) != 0) {
            char what[300];
            snprintf(what, sizeof what, "header %s", h->string);
            fail(what, h->valuestring, got);
        }
    }
    cJSON_ArrayForEach(h, cJSON_GetObjectItemCaseSensitive(want, "forbidHeaders")) {
        const char *got = wf_http_headers_get(&req.headers, h->valuestring);
        if (got) {
            char what[300];
            snprintf(what, sizeof what, "forbidden header %s", h->valuestring);
            fail(what, "(absent)", got);
        }
    }
    /* requireHeaders only ever names Content-Length, which the HTTP layer sets from
     * body_len; any other name must be present. */
    cJSON_ArrayForEach(h, cJSON_GetObjectItemCaseSensitive(want, "requireHeaders")) {
        if (strcasecmp(h->valuestring, "Content-Length") != 0 &&
            !wf_http_headers_get(&req.headers, h->valuestring))
            fail(h->valuestring, "(present)", NULL);
    }

    const char *body = jstr(want, "body");
    if (body) {
        int same;
        if (strcmp(protocol, "json") == 0)
            same = same_json(body, req.body);
        else if (strcmp(protocol, "rest-xml") == 0)
            same = body[strspn(body, " \t\r\n")] == '<'
                       ? same_xml(body, req.body, req.body_len)
                       : strlen(body) == req.body_len && memcmp(body, req.body, req.body_len) == 0;
        else
            same = same_pairs(body, req.body);
        if (!same)
            fail("body", body, req.body);
    }

    const char *want_host = jstr(want, "host");
    if (want_host) {
        char got_host[600];
        snprintf(got_host, sizeof got_host, "%s%s%s", req.host_prefix ? req.host_prefix : "",
                 host, base);
        if (strcmp(want_host, got_host) != 0)
            fail("host", want_host, got_host);
    }
    wf_http_request_free(&req);
    wf_aws_model_free(&model);
    return failure[0] == '\0';
}

static int total_passed, total_failed, total_skipped;

static void run_protocol(const char *dir, const char *protocol)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/tests/data/aws-protocol-tests/input/%s.json", dir, protocol);
    char *text = read_file(path);
    cJSON *suites = text ? cJSON_Parse(text) : NULL;
    free(text);
    if (!cJSON_IsArray(suites)) {
        fprintf(stderr, "%s: cannot read %s\n", protocol, path);
        cJSON_Delete(suites);
        total_failed++;
        return;
    }
    int passed = 0, failed = 0, skipped = 0;
    const cJSON *suite;
    cJSON_ArrayForEach(suite, suites) {
        const cJSON *c;
        cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(suite, "cases")) {
            const char *id = jstr(c, "id");
            const char *reason = skip_reason(protocol, id ? id : "");
            if (reason) {
                printf("SKIP %s %s: %s\n", protocol, id, reason);
                skipped++;
            } else if (run_case(protocol, suite, c)) {
                passed++;
            } else {
                printf("FAIL %s %s (%s)\n%s", protocol, id ? id : "?",
                       jstr(suite, "description"), failure);
                failed++;
            }
        }
    }
    printf("%s: %d passed, %d failed, %d skipped\n", protocol, passed, failed, skipped);
    cJSON_Delete(suites);
    total_passed += passed;
    total_failed += failed;
    total_skipped += skipped;
}

int main(void)
{
    const char *dir = getenv("WF_SOURCE_DIR");
    if (!dir)
        dir = ".";
    wf_aws_set_token_generator(fixed_token);
    static const char *const protocols[] = {"ec2", "query", "rest-xml", "json"};
    for (size_t i = 0; i < 4; i++)
        run_protocol(dir, protocols[i]);
    wf_aws_set_token_generator(NULL);
    printf("total: %d passed, %d failed, %d skipped\n", total_passed, total_failed,
           total_skipped);
    return total_failed ? 1 : 0;
}
