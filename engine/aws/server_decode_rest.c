/* Reading rest-xml (S3) requests: finds the operation whose method and requestUri fit
 * the request best, then reads its members back from where serialize_rest_xml.c put
 * them: URI labels, the query string, headers, prefixed header maps and the payload
 * (raw bytes, or XML walked against the shape). */
#include "aws/server_internal.h"
#include "aws/xml_reader.h"
#include "aws/uri_encode.h"
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_LABELS 16

static wf_status oom(wf_aws_ser *s)
{
    return wf_sim_fail(s, WF_ENOMEM, "out of memory");
}

/* ---- the query string ---- */

typedef struct qparam {
    char *name, *value;   /* decoded; value "" for a bare name */
    size_t value_len;
} qparam;

typedef struct qlist {
    qparam *items;
    size_t n;
} qlist;

static void qlist_free(qlist *q)
{
    for (size_t i = 0; i < q->n; i++) {
        free(q->items[i].name);
        free(q->items[i].value);
    }
    free(q->items);
    memset(q, 0, sizeof *q);
}

/* Query strings decode as forms do: '+' is a space (Go's SDKs send it so). */
static char *query_decode(const char *s, size_t len, size_t *out_len)
{
    char *plus = malloc(len + 1);
    if (!plus)
        return NULL;
    for (size_t i = 0; i < len; i++)
        plus[i] = s[i] == '+' ? ' ' : s[i];
    plus[len] = '\0';
    char *out = wf_uri_decode(plus, len, out_len);
    free(plus);
    return out;
}

static bool qlist_parse(qlist *q, const char *s)
{
    size_t len = s ? strlen(s) : 0, parts = 1;
    for (size_t i = 0; i < len; i++)
        parts += s[i] == '&';
    q->items = calloc(parts, sizeof *q->items);
    if (!q->items)
        return false;
    size_t i = 0;
    while (i < len) {
        const char *amp = memchr(s + i, '&', len - i);
        size_t part = amp ? (size_t)(amp - (s + i)) : len - i;
        if (part) {
            const char *p = s + i, *eq = memchr(p, '=', part);
            size_t nlen = eq ? (size_t)(eq - p) : part;
            qparam *qp = &q->items[q->n++];
            qp->name = query_decode(p, nlen, NULL);
            qp->value = query_decode(eq ? eq + 1 : "", eq ? part - nlen - 1 : 0, &qp->value_len);
            if (!qp->name || !qp->value)
                return false;
        }
        i += part + 1;
    }
    return true;
}

static const qparam *qlist_get(const qlist *q, const char *name)
{
    for (size_t i = 0; i < q->n; i++)
        if (strcmp(q->items[i].name, name) == 0)
            return &q->items[i];
    return NULL;
}

/* ---- routing ---- */

typedef struct label {
    const char *name;     /* into the template */
    size_t name_len;
    const char *value;    /* into the request path (or the host's bucket) */
    size_t value_len;
    bool greedy, from_host;
} label;

typedef struct route {
    const cJSON *op;
    int score;
    label labels[MAX_LABELS];
    size_t nlabels;
} route;

/* Matches the template t..te against the path p..pe, capturing labels from index idx.
 * A label takes at least one byte; a plain one stays within a segment, a greedy one
 * ({Key+}) may span '/'. One trailing '/' beyond the template is allowed ("/bucket/"). */
static bool match_path(const char *t, const char *te, const char *p, const char *pe,
                       route *r, size_t idx)
{
    while (t < te && *t != '{') {
        if (p >= pe || *p != *t)
            return false;
        p++;
        t++;
    }
    if (t == te) {
        r->nlabels = idx;
        return p == pe || (p + 1 == pe && *p == '/');
    }
    const char *close = memchr(t, '}', (size_t)(te - t));
    if (!close || idx >= MAX_LABELS)
        return false;
    bool greedy = close > t + 1 && close[-1] == '+';
    label *l = &r->labels[idx];
    const char *seg_end = p;
    while (seg_end < pe && (greedy || *seg_end != '/'))
        seg_end++;
    /* Longest first, so a greedy key keeps its trailing '/'. */
    for (const char *end = seg_end; end > p; end--) {
        if (match_path(close + 1, te, end, pe, r, idx + 1)) {
            *l = (label){.name = t + 1, .name_len = (size_t)(close - t - 1) - greedy,
                         .value = p, .value_len = (size_t)(end - p), .greedy = greedy};
            return true;
        }
    }
    return false;
}

/* Is the requestUri's literal query part ("list-type=2&x-id=Foo", "uploads") in q?
 * Adds one to *score per part. */
static bool match_literal_query(const char *lit, const qlist *q, int *score)
{
    while (lit && *lit) {
        const char *amp = strchr(lit, '&');
        size_t len = amp ? (size_t)(amp - lit) : strlen(lit);
        const char *eq = memchr(lit, '=', len);
        size_t nlen = eq ? (size_t)(eq - lit) : len;
        bool found = false;
        for (size_t i = 0; i < q->n && !found; i++) {
            const qparam *qp = &q->items[i];
            found = strlen(qp->name) == nlen && strncmp(qp->name, lit, nlen) == 0 &&
                    (!eq || (qp->value_len == len - nlen - 1 &&
                             strncmp(qp->value, eq + 1, len - nlen - 1) == 0));
        }
        if (len && !found)
            return false;
        *score += len > 0;
        lit = amp ? amp + 1 : NULL;
    }
    return true;
}

/* The required members bound to a header or a query parameter must be there (this is
 * what tells CopyObject from PutObject); each adds one to *score. */
static bool required_present(wf_aws_ser *s, const cJSON *input, const wf_http_request *req,
                             const qlist *q, int *score)
{
    const cJSON *members = cJSON_GetObjectItemCaseSensitive(input, "members");
    const cJSON *name;
    cJSON_ArrayForEach(name, cJSON_GetObjectItemCaseSensitive(input, "required")) {
        const cJSON *ref = cJSON_IsString(name)
                               ? cJSON_GetObjectItemCaseSensitive(members, name->valuestring)
                               : NULL;
        const char *where = wf_aws_jstr(ref, "location");
        const char *loc = wf_aws_jstr(ref, "locationName");
        if (!where)
            continue;
        const char *wire = loc ? loc : ref->string;
        if (strcmp(where, "header") == 0) {
            if (!wf_http_headers_get(&req->headers, wire))
                return false;
            (*score)++;
        } else if (strcmp(where, "querystring") == 0) {
            const cJSON *target = wf_aws_model_shape(s->model, wf_aws_jstr(ref, "shape"));
            if (strcmp(wf_aws_shape_type(target), "map") == 0 && !loc)
                continue;   /* a map of whatever parameters there are */
            if (!qlist_get(q, wire))
                return false;
            (*score)++;
        }
    }
    return true;
}

/* Tries op as the target of req; fills r and returns true when it fits. */
static bool try_route(wf_aws_ser *s, const cJSON *op, const wf_http_request *req,
                      const char *bucket, const qlist *q, route *r)
{
    memset(r, 0, sizeof *r);
    r->op = op;
    const cJSON *http = cJSON_GetObjectItemCaseSensitive(op, "http");
    const char *method = wf_aws_jstr(http, "method");
    const char *uri = wf_aws_jstr(http, "requestUri");
    if (!method || !uri || !req->method || strcmp(method, req->method) != 0)
        return false;
    const char *qmark = strchr(uri, '?');
    const char *t = uri, *te = qmark ? qmark : uri + strlen(uri);
    size_t first = 0;
    if (bucket) {
        /* Virtual-hosted: the host holds the first label ("/{Bucket}"), the path the rest. */
        const char *close = t[0] == '/' && t[1] == '{' ? memchr(t, '}', (size_t)(te - t)) : NULL;
        if (!close || close[-1] == '+' || (close + 1 < te && close[1] != '/'))
            return false;
        r->labels[0] = (label){.name = t + 2, .name_len = (size_t)(close - t - 2),
                               .value = bucket, .value_len = strlen(bucket), .from_host = true};
        first = 1;
        t = close + 1;
    }
    const char *path = req->path ? req->path : "/";
    if (t == te && bucket) {
        /* "/{Bucket}" alone: the path is "/" or empty. */
        if (strcmp(path, "/") != 0 && *path)
            return false;
        r->nlabels = first;
    } else if (!match_path(t, te, path, path + strlen(path), r, first)) {
        return false;
    }
    if (!match_literal_query(qmark ? qmark + 1 : NULL, q, &r->score))
        return false;
    wf_aws_ser probe = *s;
    probe.operation = op;
    const cJSON *input = wf_aws_ser_input(&probe);
    return !input || required_present(s, input, req, q, &r->score);
}

/* ---- members ---- */

/* Splits a header list "a, \"b,c\", d" into items (quoted items unescaped); timestamps in
 * HTTP-date form, which hold a comma, are put back together. */
static wf_status header_list(wf_aws_ser *s, const cJSON *shape, const char *text, cJSON **out)
{
    const cJSON *mref = cJSON_GetObjectItemCaseSensitive(shape, "member");
    const cJSON *mshape = wf_aws_ser_target(s, mref);
    if (!mshape)
        return WF_EPARSE;
    bool timestamps = strcmp(wf_aws_shape_type(mshape), "timestamp") == 0;
    cJSON *arr = cJSON_CreateArray();
    char *item = malloc(strlen(text) + 1);
    wf_status st = arr && item ? WF_OK : oom(s);
    const char *p = text;
    size_t index = 0;
    while (st == WF_OK && *p) {
        while (*p == ' ' || *p == '\t')
            p++;
        size_t n = 0;
        if (*p == '"') {
            for (p++; *p && *p != '"'; p++) {
                if (*p == '\\' && p[1])
                    p++;
                item[n++] = *p;
            }
            if (*p == '"')
                p++;
            while (*p && *p != ',')
                p++;
        } else {
            const char *start = p;
            while (*p && *p != ',')
                p++;
            if (timestamps && *p == ',') {
                size_t alpha = 0;
                while (isalpha((unsigned char)start[alpha]))
                    alpha++;
                if (alpha >= 3 && start + alpha == p) {   /* "Mon" of "Mon, 16 Dec ..." */
                    p++;
                    while (*p && *p != ',')
                        p++;
                }
            }
            memcpy(item, start, (size_t)(p - start));
            n = (size_t)(p - start);
            while (n && isspace((unsigned char)item[n - 1]))
                n--;
        }
        item[n] = '\0';
        if (*p == ',')
            p++;
        size_t path = wf_aws_ser_push_index(s, ++index);
        cJSON *v = NULL;
        st = wf_sim_scalar_from_text(s, mshape, item, n, &v);
        if (st == WF_OK && !cJSON_AddItemToArray(arr, v)) {
            cJSON_Delete(v);
            st = oom(s);
        }
        wf_aws_ser_pop(s, path);
    }
    free(item);
    if (st != WF_OK) {
        cJSON_Delete(arr);
        return st;
    }
    *out = arr;
    return WF_OK;
}

static wf_status header_member(wf_aws_ser *s, const cJSON *ref, const cJSON *shape,
                               const char *text, cJSON **out)
{
    if (strcmp(wf_aws_shape_type(shape), "list") == 0)
        return header_list(s, shape, text, out);
    if (wf_aws_jtrue(ref, "jsonvalue") || wf_aws_jtrue(shape, "jsonvalue")) {
        /* base64 of compact JSON: the JSON value itself when it reads, else the text. */
        bool failed_oom = false;
        size_t n = 0;
        unsigned char *json = wf_sim_base64_decode(text, &n, &failed_oom);
        if (!json)
            return failed_oom ? oom(s) : wf_sim_fail(s, WF_EINVAL, "expected base64 JSON");
        cJSON *v = cJSON_ParseWithLength((const char *)json, n);
        if (!v && memchr(json, '\0', n)) {
            free(json);
            return wf_sim_fail(s, WF_EINVAL, "a string cannot hold a NUL byte");
        }
        if (!v)
            v = cJSON_CreateString((const char *)json);
        free(json);
        *out = v;
        return v ? WF_OK : oom(s);
    }
    return wf_sim_scalar_from_text(s, shape, text, strlen(text), out);
}

/* A query member with a name: a scalar (first value) or a list (every value). */
static wf_status query_member(wf_aws_ser *s, const cJSON *shape, const char *name,
                              const qlist *q, cJSON **out)
{
    *out = NULL;
    if (strcmp(wf_aws_shape_type(shape), "list") != 0) {
        const qparam *qp = qlist_get(q, name);
        return qp ? wf_sim_scalar_from_text(s, shape, qp->value, qp->value_len, out) : WF_OK;
    }
    const cJSON *mshape = wf_aws_ser_target(s, cJSON_GetObjectItemCaseSensitive(shape, "member"));
    if (!mshape)
        return WF_EPARSE;
    cJSON *arr = NULL;
    size_t index = 0;
    for (size_t i = 0; i < q->n; i++) {
        if (strcmp(q->items[i].name, name) != 0)
            continue;
        if (!arr)
            arr = cJSON_CreateArray();
        if (!arr)
            return oom(s);
        size_t path = wf_aws_ser_push_index(s, ++index);
        cJSON *v = NULL;
        wf_status st = wf_sim_scalar_from_text(s, mshape, q->items[i].value,
                                               q->items[i].value_len, &v);
        wf_aws_ser_pop(s, path);
        if (st == WF_OK && !cJSON_AddItemToArray(arr, v)) {
            cJSON_Delete(v);
            st = oom(s);
        }
        if (st != WF_OK) {
            cJSON_Delete(arr);
            return st;
        }
    }
    *out = arr;
    return WF_OK;
}

/* Is name taken by the requestUri's literal query or by a named query member? */
static bool query_name_taken(const cJSON *members, const char *literal, const char *name)
{
    size_t nlen = strlen(name);
    for (const char *p = literal; p && *p;) {
        const char *amp = strchr(p, '&');
        size_t len = amp ? (size_t)(amp - p) : strlen(p);
        const char *eq = memchr(p, '=', len);
        size_t plen = eq ? (size_t)(eq - p) : len;
        if (plen == nlen && strncmp(p, name, nlen) == 0)
            return true;
        p = amp ? amp + 1 : NULL;
    }
    const cJSON *m;
    cJSON_ArrayForEach(m, members) {
        const char *where = wf_aws_jstr(m, "location");
        const char *loc = wf_aws_jstr(m, "locationName");
        if (where && strcmp(where, "querystring") == 0 && loc && strcmp(loc, name) == 0)
            return true;
    }
    return false;
}

/* A query map without a name: every parameter no named member or literal claims. */
static wf_status query_map(wf_aws_ser *s, const cJSON *input, const cJSON *shape,
                           const char *literal, const qlist *q, cJSON **out)
{
    *out = NULL;
    const cJSON *vref = cJSON_GetObjectItemCaseSensitive(shape, "value");
    const cJSON *vshape = wf_aws_ser_target(s, vref);
    if (!vshape)
        return WF_EPARSE;
    const cJSON *members = cJSON_GetObjectItemCaseSensitive(input, "members");
    cJSON *map = cJSON_CreateObject();
    if (!map)
        return oom(s);
    for (size_t i = 0; i < q->n; i++) {
        const char *name = q->items[i].name;
        if (query_name_taken(members, literal, name) ||
            cJSON_GetObjectItemCaseSensitive(map, name))
            continue;
        size_t path = wf_aws_ser_push_key(s, name);
        cJSON *v = NULL;
        wf_status st = query_member(s, vshape, name, q, &v);
        if (st == WF_OK && v)
            st = wf_sim_object_set(s, map, name, v);
        wf_aws_ser_pop(s, path);
        if (st != WF_OK) {
            cJSON_Delete(map);
            return st;
        }
    }
    *out = map;
    return WF_OK;
}

/* A "headers" map: every header whose name starts with prefix, keyed by the rest. */
static wf_status header_map(wf_aws_ser *s, const cJSON *shape, const char *prefix,
                            const wf_http_request *req, cJSON **out)
{
    *out = NULL;
    const cJSON *vshape = wf_aws_ser_target(s, cJSON_GetObjectItemCaseSensitive(shape, "value"));
    if (!vshape)
        return WF_EPARSE;
    size_t plen = strlen(prefix);
    cJSON *map = NULL;
    for (size_t i = 0; i < req->headers.count; i++) {
        const wf_http_header *h = &req->headers.items[i];
        if (strncasecmp(h->name, prefix, plen) != 0 || !h->name[plen])
            continue;
        if (!map)
            map = cJSON_CreateObject();
        if (!map)
            return oom(s);
        size_t path = wf_aws_ser_push_key(s, h->name + plen);
        cJSON *v = NULL;
        wf_status st = wf_sim_scalar_from_text(s, vshape, h->value, strlen(h->value), &v);
        if (st == WF_OK)
            st = wf_sim_object_set(s, map, h->name + plen, v);
        wf_aws_ser_pop(s, path);
        if (st != WF_OK) {
            cJSON_Delete(map);
            return st;
        }
    }
    *out = map;
    return WF_OK;
}

static bool blank(const char *body, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (!isspace((unsigned char)body[i]))
            return false;
    return true;
}

/* The payload member (raw bytes, or an XML structure), or else the unbound members read
 * from the XML body. */
static wf_status decode_body(wf_aws_ser *s, const cJSON *input, const wf_http_request *req,
                             cJSON *params)
{
    const char *payload = wf_aws_jstr(input, "payload");
    const cJSON *pref = payload ? cJSON_GetObjectItemCaseSensitive(
                                      cJSON_GetObjectItemCaseSensitive(input, "members"), payload)
                                : NULL;
    const cJSON *pshape = pref ? wf_aws_ser_target(s, pref) : NULL;
    if (payload && !pshape)
        return WF_EPARSE;
    const char *ptype = pshape ? wf_aws_shape_type(pshape) : "";
    size_t path = payload ? wf_aws_ser_push_name(s, payload) : s->path_len;
    wf_status st = WF_OK;
    if (strcmp(ptype, "blob") == 0) {
        /* The raw body never passes through cJSON: the server hands it over itself. */
    } else if (strcmp(ptype, "string") == 0) {
        if (req->body_len && memchr(req->body, '\0', req->body_len))
            st = wf_sim_fail(s, WF_EINVAL, "a string cannot hold a NUL byte");
        else if (req->body_len)   /* no body, no payload: as the serializer sends it */
            st = wf_sim_object_set(s, params, payload, cJSON_CreateString(req->body));
    } else if (req->body_len && !blank(req->body, req->body_len)) {
        wf_xml_node *doc = NULL;
        wf_error xml_err = {0};
        st = wf_xml_parse(req->body, req->body_len, NULL, &doc, &xml_err);
        if (st == WF_ENOMEM)
            st = oom(s);
        else if (st != WF_OK)
            st = wf_sim_fail(s, WF_EPARSE, "malformed XML body: %s", xml_err.message);
        cJSON *value = NULL;
        if (st == WF_OK && payload) {
            st = wf_sim_xml_value(s, pref, pshape, doc, &value, 0);
            if (st == WF_OK)
                st = wf_sim_object_set(s, params, payload, value);
        } else if (st == WF_OK) {
            st = wf_sim_xml_members(s, input, doc, true, params, 0);
        }
        wf_xml_free(doc);
    }
    wf_aws_ser_pop(s, path);
    return st;
}

/* Reads every member of input from req, the labels already matched by r. */
static wf_status decode_members(wf_aws_ser *s, const cJSON *input, const route *r,
                                const wf_http_request *req, const char *literal,
                                const qlist *q, cJSON *params)
{
    const cJSON *ref;
    cJSON_ArrayForEach(ref, cJSON_GetObjectItemCaseSensitive(input, "members")) {
        const char *where = wf_aws_jstr(ref, "location");
        if (!where)
            continue;
        const cJSON *target = wf_aws_ser_target(s, ref);
        if (!target)
            return WF_EPARSE;
        const char *loc = wf_aws_jstr(ref, "locationName");
        const char *wire = loc ? loc : ref->string;
        size_t path = wf_aws_ser_push_name(s, ref->string);
        cJSON *value = NULL;
        wf_status st = WF_OK;
        if (strcmp(where, "uri") == 0) {
            for (size_t i = 0; i < r->nlabels && st == WF_OK && !value; i++) {
                const label *l = &r->labels[i];
                if (l->name_len != strlen(wire) || strncmp(l->name, wire, l->name_len) != 0)
                    continue;
                size_t n = l->value_len;
                char *text = l->from_host ? strndup(l->value, n) : wf_uri_decode(l->value, n, &n);
                st = text ? wf_sim_scalar_from_text(s, target, text, n, &value) : oom(s);
                free(text);
            }
        } else if (strcmp(where, "querystring") == 0) {
            if (strcmp(wf_aws_shape_type(target), "map") == 0 && !loc)
                st = query_map(s, input, target, literal, q, &value);
            else
                st = query_member(s, target, wire, q, &value);
            if (st == WF_OK && value && cJSON_IsObject(value) && !value->child) {
                cJSON_Delete(value);   /* an empty query map is no map */
                value = NULL;
            }
        } else if (strcmp(where, "header") == 0) {
            const char *text = wf_http_headers_get(&req->headers, wire);
            if (text)
                st = header_member(s, ref, target, text, &value);
        } else if (strcmp(where, "headers") == 0) {
            st = header_map(s, target, loc ? loc : "", req, &value);
        }
        if (st == WF_OK && value)
            st = wf_sim_object_set(s, params, ref->string, value);
        wf_aws_ser_pop(s, path);
        if (st != WF_OK)
            return st;
    }
    return decode_body(s, input, req, params);
}

wf_status wf_sim_decode_rest_xml(wf_aws_ser *s, const wf_http_request *req,
                                 const char *bucket_from_host, char **operation,
                                 cJSON **params)
{
    qlist q = {0};
    if (!qlist_parse(&q, req->query)) {
        qlist_free(&q);
        return oom(s);
    }
    route best = {0}, cand;
    const cJSON *op;
    cJSON_ArrayForEach(op, s->model->operations) {
        if (try_route(s, op, req, bucket_from_host, &q, &cand) &&
            (!best.op || cand.score > best.score))
            best = cand;
    }
    wf_status st;
    if (!best.op) {
        st = wf_error_set(s->err, WF_ENOTFOUND, "no operation matches %s %s%s%s%s%s",
                          req->method ? req->method : "?", req->path ? req->path : "",
                          req->query && *req->query ? "?" : "", req->query ? req->query : "",
                          bucket_from_host ? " in bucket " : "",
                          bucket_from_host ? bucket_from_host : "");
        qlist_free(&q);
        return st;
    }
    s->op_name = best.op->string;
    s->operation = best.op;
    *operation = strdup(best.op->string);
    *params = cJSON_CreateObject();
    st = *operation && *params ? WF_OK : oom(s);
    const cJSON *input = wf_aws_ser_input(s);
    const char *uri = wf_aws_jstr(cJSON_GetObjectItemCaseSensitive(best.op, "http"), "requestUri");
    const char *literal = uri ? strchr(uri, '?') : NULL;
    if (st == WF_OK && input)
        st = decode_members(s, input, &best, req, literal ? literal + 1 : NULL, &q, *params);
    if (st == WF_OK && input) {
        /* A blob payload is never in params (the server passes the body on). */
        const char *payload = wf_aws_jstr(input, "payload");
        const cJSON *pref = payload ? cJSON_GetObjectItemCaseSensitive(
                                          cJSON_GetObjectItemCaseSensitive(input, "members"),
                                          payload) : NULL;
        const cJSON *pshape =
            pref ? wf_aws_model_shape(s->model, wf_aws_jstr(pref, "shape")) : NULL;
        bool blob = pshape && strcmp(wf_aws_shape_type(pshape), "blob") == 0;
        st = wf_sim_check_required(s, input, *params, blob ? payload : NULL);
    }
    qlist_free(&q);
    return st;
}
