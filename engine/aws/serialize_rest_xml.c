/* REST-XML protocol serializer (S3): members go where their "location" says (URI labels,
 * query string, headers, prefixed header maps); the payload member, or else the rest of
 * the members, form the body: raw bytes for a blob/string payload, XML otherwise. */
#include "aws/serialize_util.h"
#include "aws/uri_encode.h"
#include "aws/xml_writer.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct rest_ctx {
    wf_aws_ser *s;
    wf_aws_buf query;     /* encoded name=value pairs joined by '&' */
    cJSON *query_names;   /* array of the names set by named members, for precedence;
                           * NULL until the first */
} rest_ctx;

static wf_status oom(wf_aws_ser *s)
{
    return wf_aws_ser_fail(s, WF_ENOMEM, "out of memory");
}

/* ---- query string ---- */

static void query_add(rest_ctx *r, const char *name, const char *value)
{
    char *n = wf_uri_encode(name, strlen(name), false);
    char *v = wf_uri_encode(value, strlen(value), false);
    if (!n || !v)
        r->query.oom = true;
    else
        wf_aws_buf_printf(&r->query, "%s%s=%s", r->query.len ? "&" : "", n, v);
    free(n);
    free(v);
}

static bool query_named(const rest_ctx *r, const char *name)
{
    const cJSON *it;
    cJSON_ArrayForEach(it, r->query_names)
        if (strcmp(it->valuestring, name) == 0)
            return true;
    return false;
}

/* A querystring member with a name: a scalar, or a list sent as repeated name=value. */
static wf_status query_member(rest_ctx *r, const cJSON *ref, const cJSON *shape,
                              const char *name, const cJSON *value)
{
    if (!r->query_names && !(r->query_names = cJSON_CreateArray()))
        return oom(r->s);
    if (!cJSON_AddItemToArray(r->query_names, cJSON_CreateString(name)))
        return oom(r->s);
    if (strcmp(wf_aws_shape_type(shape), "list") != 0) {
        char *text = NULL;
        wf_status st = wf_aws_ser_scalar(r->s, ref, shape, value, "iso8601", &text);
        if (st == WF_OK)
            query_add(r, name, text);
        free(text);
        return st;
    }
    wf_status st = wf_aws_ser_check_list(r->s, value);
    const cJSON *mref = cJSON_GetObjectItemCaseSensitive(shape, "member");
    const cJSON *mshape = st == WF_OK ? wf_aws_ser_target(r->s, mref) : NULL;
    if (st != WF_OK || !mshape)
        return st != WF_OK ? st : WF_EPARSE;
    size_t i = 0;
    const cJSON *item;
    cJSON_ArrayForEach(item, value) {
        char *text = NULL;
        size_t path = wf_aws_ser_push_index(r->s, ++i);
        st = wf_aws_ser_scalar(r->s, mref, mshape, item, "iso8601", &text);
        wf_aws_ser_pop(r->s, path);
        if (st != WF_OK)
            return st;
        query_add(r, name, text);
        free(text);
    }
    return WF_OK;
}

/* A querystring map without a name: each key is a parameter (lists repeat it); a key a
 * named member already set is left out, since the named member takes precedence. */
static wf_status query_map(rest_ctx *r, const cJSON *shape, const cJSON *value)
{
    wf_status st = wf_aws_ser_check_map(r->s, value);
    const cJSON *vref = cJSON_GetObjectItemCaseSensitive(shape, "value");
    const cJSON *vshape = st == WF_OK ? wf_aws_ser_target(r->s, vref) : NULL;
    if (st != WF_OK || !vshape)
        return st != WF_OK ? st : WF_EPARSE;
    const cJSON *entry;
    cJSON_ArrayForEach(entry, value) {
        if (cJSON_IsNull(entry) || query_named(r, entry->string))
            continue;
        size_t path = wf_aws_ser_push_key(r->s, entry->string);
        cJSON *names = r->query_names;
        r->query_names = NULL;   /* keys of a map do not shadow each other */
        st = query_member(r, vref, vshape, entry->string, entry);
        cJSON_Delete(r->query_names);
        r->query_names = names;
        wf_aws_ser_pop(r->s, path);
        if (st != WF_OK)
            return st;
    }
    return WF_OK;
}

/* ---- headers ---- */

/* A string inside a list header is quoted when it holds a comma or a quote. */
static void header_list_item(wf_aws_buf *b, const char *type, const char *text)
{
    if (b->len)
        wf_aws_buf_puts(b, ", ");
    if (strcmp(type, "string") != 0 || !strpbrk(text, ",\"")) {
        wf_aws_buf_puts(b, text);
        return;
    }
    wf_aws_buf_append(b, "\"", 1);
    for (const char *p = text; *p; p++) {
        if (*p == '"' || *p == '\\')
            wf_aws_buf_append(b, "\\", 1);
        wf_aws_buf_append(b, p, 1);
    }
    wf_aws_buf_append(b, "\"", 1);
}

static wf_status header_member(rest_ctx *r, const cJSON *ref, const cJSON *shape,
                               const char *name, const cJSON *value, wf_http_request *out)
{
    wf_aws_ser *s = r->s;
    char *text = NULL;
    wf_status st;
    if (strcmp(wf_aws_shape_type(shape), "list") == 0) {
        st = wf_aws_ser_check_list(s, value);
        const cJSON *mref = cJSON_GetObjectItemCaseSensitive(shape, "member");
        const cJSON *mshape = st == WF_OK ? wf_aws_ser_target(s, mref) : NULL;
        if (st != WF_OK || !mshape)
            return st != WF_OK ? st : WF_EPARSE;
        wf_aws_buf joined = {0};
        size_t i = 0;
        const cJSON *item;
        cJSON_ArrayForEach(item, value) {
            char *one = NULL;
            size_t path = wf_aws_ser_push_index(s, ++i);
            st = wf_aws_ser_scalar(s, mref, mshape, item, "rfc822", &one);
            wf_aws_ser_pop(s, path);
            if (st != WF_OK) {
                wf_aws_buf_free(&joined);
                return st;
            }
            header_list_item(&joined, wf_aws_shape_type(mshape), one);
            free(one);
        }
        text = wf_aws_buf_take(&joined);   /* an empty list is an empty header */
    } else if (wf_aws_jtrue(ref, "jsonvalue") || wf_aws_jtrue(shape, "jsonvalue")) {
        /* JSON documents in headers travel as base64 of compact JSON. */
        char *json = cJSON_IsString(value) ? strdup(value->valuestring)
                                           : cJSON_PrintUnformatted(value);
        text = json ? wf_aws_base64((const unsigned char *)json, strlen(json)) : NULL;
        free(json);
    } else {
        st = wf_aws_ser_scalar(s, ref, shape, value, "rfc822", &text);
        if (st != WF_OK)
            return st;
    }
    st = text ? wf_http_headers_set(&out->headers, name, text) : WF_ENOMEM;
    free(text);
    return st == WF_OK ? WF_OK : oom(s);
}

/* A "headers" map: each key, after the member's prefix, names one header. */
static wf_status header_map(rest_ctx *r, const cJSON *shape, const char *prefix,
                            const cJSON *value, wf_http_request *out)
{
    wf_status st = wf_aws_ser_check_map(r->s, value);
    const cJSON *vref = cJSON_GetObjectItemCaseSensitive(shape, "value");
    const cJSON *vshape = st == WF_OK ? wf_aws_ser_target(r->s, vref) : NULL;
    if (st != WF_OK || !vshape)
        return st != WF_OK ? st : WF_EPARSE;
    const cJSON *entry;
    cJSON_ArrayForEach(entry, value) {
        if (cJSON_IsNull(entry))
            continue;
        char *text = NULL;
        size_t path = wf_aws_ser_push_key(r->s, entry->string);
        st = wf_aws_ser_scalar(r->s, vref, vshape, entry, "rfc822", &text);
        wf_aws_ser_pop(r->s, path);
        if (st != WF_OK)
            return st;
        wf_aws_buf name = {0};
        wf_aws_buf_printf(&name, "%s%s", prefix, entry->string);
        st = name.oom ? WF_ENOMEM : wf_http_headers_set(&out->headers, name.data, text);
        wf_aws_buf_free(&name);
        free(text);
        if (st != WF_OK)
            return oom(r->s);
    }
    return WF_OK;
}

/* ---- XML body ---- */

static wf_status xml_value(wf_aws_ser *s, wf_xml_writer *w, const cJSON *ref,
                           const cJSON *shape, const cJSON *value, const char *name);

/* xmlns or xmlns:prefix from the member's (else the shape's) xmlNamespace. */
static void xml_namespace(wf_xml_writer *w, const cJSON *ref, const cJSON *shape)
{
    const cJSON *ns = wf_aws_trait(ref, shape, "xmlNamespace");
    if (cJSON_IsString(ns)) {
        wf_xml_attr(w, "xmlns", ns->valuestring);
    } else if (cJSON_IsObject(ns) && wf_aws_jstr(ns, "uri")) {
        const char *prefix = wf_aws_jstr(ns, "prefix");
        char attr[128] = "xmlns";
        if (prefix)
            snprintf(attr, sizeof attr, "xmlns:%s", prefix);
        wf_xml_attr(w, attr, wf_aws_jstr(ns, "uri"));
    }
}

/* Members of a structure as XML: xmlAttribute members on the element, the others as
 * children in the model's order. At the root (body_only), members bound to the URI,
 * query string or headers are left out. */
static wf_status xml_structure(wf_aws_ser *s, wf_xml_writer *w, const cJSON *ref,
                               const cJSON *shape, const cJSON *value, const char *name,
                               bool body_only)
{
    wf_status st = wf_aws_ser_check_structure(s, shape, value);
    if (st != WF_OK)
        return st;
    wf_aws_shape_info scratch;
    const wf_aws_shape_info *si = wf_aws_model_shape_info(s->model, shape, &scratch);
    wf_aws_given_list given;
    st = si ? wf_aws_ser_given(s, si, value, &given) : oom(s);
    wf_xml_start(w, name);
    xml_namespace(w, ref, shape);
    for (int pass = 0; pass < 2 && st == WF_OK; pass++) {
        for (size_t i = 0; i < given.count && st == WF_OK; i++) {
            const wf_aws_member_info *m = given.items[i].member;
            const cJSON *v = given.items[i].value;
            if (body_only && m->location)
                continue;
            if (m->xml_attribute != (pass == 0))   /* attributes first, while the tag is open */
                continue;
            const cJSON *target = m->target ? m->target : wf_aws_ser_target(s, m->ref);
            if (!target) {
                st = WF_EPARSE;
                break;
            }
            const char *loc = m->location_name;
            size_t path = wf_aws_ser_push_name(s, m->name);
            if (m->xml_attribute) {
                char *text = NULL;
                st = wf_aws_ser_scalar(s, m->ref, target, v, "iso8601", &text);
                if (st == WF_OK)
                    wf_xml_attr(w, loc ? loc : m->name, text);
                free(text);
            } else {
                st = xml_value(s, w, m->ref, target, v, loc ? loc : m->name);
            }
            wf_aws_ser_pop(s, path);
        }
    }
    if (si)
        wf_aws_given_free(&given);
    wf_aws_shape_info_release(&scratch);
    if (st != WF_OK)
        return st;
    wf_xml_end(w);
    return WF_OK;
}

static wf_status xml_list(wf_aws_ser *s, wf_xml_writer *w, const cJSON *ref,
                          const cJSON *shape, const cJSON *value, const char *name)
{
    wf_status st = wf_aws_ser_check_list(s, value);
    const cJSON *mref = cJSON_GetObjectItemCaseSensitive(shape, "member");
    const cJSON *mshape = st == WF_OK ? wf_aws_ser_target(s, mref) : NULL;
    if (st != WF_OK || !mshape)
        return st != WF_OK ? st : WF_EPARSE;
    /* Flattened: each item is an element of the list's own name, with no wrapper. */
    bool flattened = wf_aws_jtrue(ref, "flattened") || wf_aws_jtrue(shape, "flattened");
    const char *item_name = name;
    if (!flattened) {
        const char *loc = wf_aws_jstr(mref, "locationName");
        item_name = loc ? loc : "member";
        wf_xml_start(w, name);
        xml_namespace(w, ref, shape);
    }
    size_t i = 0;
    const cJSON *item;
    cJSON_ArrayForEach(item, value) {
        size_t path = wf_aws_ser_push_index(s, ++i);
        st = cJSON_IsNull(item) ? wf_aws_ser_fail(s, WF_EINVAL, "a list cannot hold nil")
                                : xml_value(s, w, mref, mshape, item, item_name);
        wf_aws_ser_pop(s, path);
        if (st != WF_OK)
            return st;
    }
    if (!flattened)
        wf_xml_end(w);
    return WF_OK;
}

static wf_status xml_map(wf_aws_ser *s, wf_xml_writer *w, const cJSON *ref,
                         const cJSON *shape, const cJSON *value, const char *name)
{
    wf_status st = wf_aws_ser_check_map(s, value);
    const cJSON *kref = cJSON_GetObjectItemCaseSensitive(shape, "key");
    const cJSON *vref = cJSON_GetObjectItemCaseSensitive(shape, "value");
    const cJSON *kshape = st == WF_OK ? wf_aws_ser_target(s, kref) : NULL;
    const cJSON *vshape = kshape ? wf_aws_ser_target(s, vref) : NULL;
    if (st != WF_OK || !vshape)
        return st != WF_OK ? st : WF_EPARSE;
    const char *kname = wf_aws_jstr(kref, "locationName");
    const char *vname = wf_aws_jstr(vref, "locationName");
    /* Flattened: each entry is an element of the map's own name, with no wrapper. */
    bool flattened = wf_aws_jtrue(ref, "flattened") || wf_aws_jtrue(shape, "flattened");
    if (!flattened) {
        wf_xml_start(w, name);
        xml_namespace(w, ref, shape);
    }
    const cJSON *entry;
    cJSON_ArrayForEach(entry, value) {
        if (cJSON_IsNull(entry))
            continue;
        wf_xml_start(w, flattened ? name : "entry");
        wf_xml_start(w, kname ? kname : "key");
        xml_namespace(w, kref, kshape);
        wf_xml_text(w, entry->string, strlen(entry->string));
        wf_xml_end(w);
        size_t path = wf_aws_ser_push_key(s, entry->string);
        st = xml_value(s, w, vref, vshape, entry, vname ? vname : "value");
        wf_aws_ser_pop(s, path);
        if (st != WF_OK)
            return st;
        wf_xml_end(w);
    }
    if (!flattened)
        wf_xml_end(w);
    return WF_OK;
}

static wf_status xml_value(wf_aws_ser *s, wf_xml_writer *w, const cJSON *ref,
                           const cJSON *shape, const cJSON *value, const char *name)
{
    const char *type = wf_aws_shape_type(shape);
    if (strcmp(type, "structure") == 0)
        return xml_structure(s, w, ref, shape, value, name, false);
    if (strcmp(type, "list") == 0)
        return xml_list(s, w, ref, shape, value, name);
    if (strcmp(type, "map") == 0)
        return xml_map(s, w, ref, shape, value, name);
    char *text = NULL;
    wf_status st = wf_aws_ser_scalar(s, ref, shape, value, "iso8601", &text);
    if (st != WF_OK)
        return st;
    wf_xml_start(w, name);
    xml_namespace(w, ref, shape);
    wf_xml_text(w, text, strlen(text));
    wf_xml_end(w);
    free(text);
    return WF_OK;
}

/* Writes a structure as the XML body. */
static wf_status xml_body(wf_aws_ser *s, const cJSON *ref, const cJSON *shape,
                          const cJSON *value, const char *root, bool body_only,
                          wf_http_request *out)
{
    wf_xml_writer w = {0};
    wf_status st = xml_structure(s, &w, ref, shape, value, root, body_only);
    size_t len = 0;
    char *xml = wf_xml_writer_take(&w, &len);   /* frees the writer either way */
    if (st != WF_OK) {
        free(xml);
        return st;
    }
    if (!xml)
        return oom(s);
    free(out->body);
    out->body = xml;
    out->body_len = len;
    if (!wf_http_headers_get(&out->headers, "Content-Type") &&
        wf_http_headers_set(&out->headers, "Content-Type", "application/xml") != WF_OK)
        return oom(s);
    return WF_OK;
}

/* The body: the payload member when the input names one, else the unbound members. */
static wf_status serialize_body(wf_aws_ser *s, const wf_aws_shape_info *si,
                                const wf_aws_given_list *given, const cJSON *input,
                                const cJSON *params, wf_http_request *out)
{
    const char *payload = wf_aws_jstr(input, "payload");
    if (payload) {
        const wf_aws_member_info *pm = wf_aws_shape_info_member(si, payload);
        const cJSON *pref = pm ? pm->ref : NULL;
        const cJSON *pshape = pm && pm->target ? pm->target : wf_aws_ser_target(s, pref);
        if (!pshape)
            return WF_EPARSE;
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(params, payload);
        if (!v || cJSON_IsNull(v))
            return WF_OK;   /* no payload, empty body */
        const char *type = wf_aws_shape_type(pshape);
        size_t path = wf_aws_ser_push_name(s, payload);
        wf_status st;
        if (strcmp(type, "blob") == 0 || strcmp(type, "string") == 0) {
            /* Raw bytes, sent as they are. */
            st = cJSON_IsString(v) ? WF_OK
                 : wf_aws_ser_fail(s, WF_EINVAL, "expected a string, got another type");
            if (st == WF_OK && wf_http_request_set_body(out, v->valuestring,
                                                        strlen(v->valuestring)) != WF_OK)
                st = oom(s);
            if (st == WF_OK && strcmp(type, "string") == 0 &&
                !wf_http_headers_get(&out->headers, "Content-Type") &&
                wf_http_headers_set(&out->headers, "Content-Type", "text/plain") != WF_OK)
                st = oom(s);
        } else {
            /* Element name: a member locationName that renames the member (S3's
             * CompleteMultipartUpload), else the shape's locationName, else the shape's
             * name. A locationName equal to the member's name is how the models spell
             * "no XML name" (smithy's httpPayload), so it does not count. */
            const char *root = wf_aws_jstr(pref, "locationName");
            if (root && strcmp(root, payload) == 0)
                root = NULL;
            if (!root)
                root = wf_aws_jstr(pshape, "locationName");
            if (!root)
                root = wf_aws_jstr(pref, "shape");
            st = xml_body(s, pref, pshape, v, root ? root : payload, false, out);
        }
        wf_aws_ser_pop(s, path);
        return st;
    }
    bool any = false;
    for (size_t i = 0; i < given->count && !any; i++)
        any = !given->items[i].member->location;
    if (!any)
        return WF_OK;
    /* Root: the input shape's own XML name wins over the operation's, then the shape's. */
    const cJSON *iref = cJSON_GetObjectItemCaseSensitive(s->operation, "input");
    const char *root = wf_aws_jstr(input, "locationName");
    if (!root)
        root = wf_aws_jstr(iref, "locationName");
    if (!root)
        root = wf_aws_jstr(iref, "shape");
    return xml_body(s, iref, input, params, root, true, out);
}

/* ---- URI ---- */

/* Expands {Label} and greedy {Label+} in the requestUri path from the uri members. */
static wf_status render_path(wf_aws_ser *s, const wf_aws_shape_info *si, const cJSON *params,
                             const char *tmpl, size_t tmpl_len, wf_aws_buf *path)
{
    size_t i = 0;
    while (i < tmpl_len) {
        const char *open = memchr(tmpl + i, '{', tmpl_len - i);
        const char *close = open ? memchr(open, '}', (size_t)(tmpl + tmpl_len - open)) : NULL;
        if (!open || !close) {
            wf_aws_buf_append(path, tmpl + i, tmpl_len - i);
            break;
        }
        wf_aws_buf_append(path, tmpl + i, (size_t)(open - (tmpl + i)));
        char label[128];
        size_t len = (size_t)(close - open - 1);
        bool greedy = len > 0 && open[len] == '+';
        size_t label_len = greedy ? len - 1 : len;
        if (label_len > sizeof label - 1)   /* cut as snprintf into label would */
            label_len = sizeof label - 1;
        memcpy(label, open + 1, label_len);
        label[label_len] = '\0';
        /* The member bound to this label: its locationName, or its own name; the last
         * of several. */
        const wf_aws_member_info *m = NULL;
        for (size_t k = 0; k < si->count; k++) {
            const wf_aws_member_info *it = &si->members[k];
            if (it->where == WF_AWS_LOC_URI &&
                strcmp(it->location_name ? it->location_name : it->name, label) == 0)
                m = it;
        }
        const cJSON *v = m ? cJSON_GetObjectItemCaseSensitive(params, m->name) : NULL;
        if (!v || cJSON_IsNull(v)) {
            size_t p = wf_aws_ser_push_name(s, m ? m->name : label);
            wf_aws_ser_fail(s, WF_EINVAL, "missing required parameter (it goes in the URI)");
            wf_aws_ser_pop(s, p);
            return WF_EINVAL;
        }
        const cJSON *target = m->target ? m->target : wf_aws_ser_target(s, m->ref);
        if (!target)
            return WF_EPARSE;
        char *text = NULL;
        size_t p = wf_aws_ser_push_name(s, m->name);
        wf_status st = wf_aws_ser_scalar(s, m->ref, target, v, "iso8601", &text);
        wf_aws_ser_pop(s, p);
        if (st != WF_OK)
            return st;
        /* Greedy labels keep their slashes: S3 keys like "a/b/c" stay paths. */
        char *enc = wf_uri_encode(text, strlen(text), greedy);
        free(text);
        if (!enc)
            return oom(s);
        wf_aws_buf_puts(path, enc);
        free(enc);
        i = (size_t)(close - tmpl) + 1;
    }
    return path->oom ? oom(s) : WF_OK;
}

/* The members bound to the query string and headers, in the model's order; named query
 * members in a first pass, so that they win over keys of a query map. */
static wf_status serialize_located(rest_ctx *r, const wf_aws_given_list *given,
                                   wf_http_request *out)
{
    wf_aws_ser *s = r->s;
    wf_status st = WF_OK;
    for (int pass = 0; pass < 2 && st == WF_OK; pass++) {
        for (size_t i = 0; i < given->count && st == WF_OK; i++) {
            const wf_aws_member_info *m = given->items[i].member;
            const cJSON *v = given->items[i].value;
            if (!m->location)
                continue;
            const cJSON *target = m->target ? m->target : wf_aws_ser_target(s, m->ref);
            if (!target)
                return WF_EPARSE;
            const char *loc = m->location_name;
            bool is_map = strcmp(wf_aws_shape_type(target), "map") == 0;
            size_t p = wf_aws_ser_push_name(s, m->name);
            if (m->where == WF_AWS_LOC_QUERYSTRING && pass == 1 && is_map && !loc)
                st = query_map(r, target, v);
            else if (m->where == WF_AWS_LOC_QUERYSTRING && pass == 0 && !(is_map && !loc))
                st = query_member(r, m->ref, target, loc ? loc : m->name, v);
            else if (m->where == WF_AWS_LOC_HEADER && pass == 0)
                st = header_member(r, m->ref, target, loc ? loc : m->name, v, out);
            else if (m->where == WF_AWS_LOC_HEADERS && pass == 0)
                st = header_map(r, target, loc ? loc : "", v, out);
            wf_aws_ser_pop(s, p);
        }
    }
    return st;
}

wf_status wf_aws_serialize_rest_xml(wf_aws_ser *s, const cJSON *params, wf_http_request *out)
{
    const cJSON *http = cJSON_GetObjectItemCaseSensitive(s->operation, "http");
    const char *method = wf_aws_jstr(http, "method");
    const char *uri = wf_aws_jstr(http, "requestUri");
    if (!uri)
        uri = "/";
    /* A requestUri may carry a constant query: "/{Bucket}?list-type=2". */
    const char *qmark = strchr(uri, '?');
    size_t path_len = qmark ? (size_t)(qmark - uri) : strlen(uri);
    const cJSON *input = wf_aws_ser_input(s);

    rest_ctx r = {.s = s};
    wf_aws_buf path = {0};
    wf_status st = WF_OK;
    if (qmark && qmark[1])
        wf_aws_buf_puts(&r.query, qmark + 1);
    /* The members params give, once: inputs have dozens, a call gives a few. */
    wf_aws_shape_info scratch;
    const wf_aws_shape_info *si = input ? wf_aws_model_shape_info(s->model, input, &scratch)
                                        : NULL;
    wf_aws_given_list given = {.count = 0};
    given.items = given.small;
    if (input && !si)
        st = oom(s);
    else if (si)
        st = wf_aws_ser_given(s, si, params, &given);
    if (st == WF_OK && input)
        st = render_path(s, si, params, uri, path_len, &path);
    else if (st == WF_OK)
        wf_aws_buf_append(&path, uri, path_len);
    if (st == WF_OK)
        st = serialize_located(&r, &given, out);
    if (st == WF_OK && input)
        st = serialize_body(s, si, &given, input, params, out);
    wf_aws_given_free(&given);
    if (input)
        wf_aws_shape_info_release(&scratch);
    cJSON_Delete(r.query_names);
    if (st == WF_OK) {
        out->method = strdup(method ? method : "POST");
        out->path = wf_aws_buf_take(&path);
        out->query = wf_aws_buf_take(&r.query);
        if (!out->method || !out->path || !out->query)
            st = oom(s);
    }
    wf_aws_buf_free(&path);
    wf_aws_buf_free(&r.query);
    return st;
}
