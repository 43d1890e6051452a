/* Writing rest-xml (S3) answers: the status code member, header members and prefixed
 * header maps (x-amz-meta-*), then the body: a raw blob/string payload (GetObject's
 * Body), a structure payload, or the output's unbound members as one XML document
 * rooted where S3 roots it (<ListBucketResult xmlns="http://s3.amazonaws.com/doc/...">). */
#include "aws/server_internal.h"
#include "aws/xml_writer.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static wf_status oom(wf_aws_ser *s)
{
    return wf_aws_ser_fail(s, WF_ENOMEM, "out of memory");
}

/* An item of a header list: strings holding a comma or a quote are quoted, as the
 * client serializer does and the parsers expect. */
static void list_item(wf_aws_buf *b, const char *type, const char *text)
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

static wf_status header_member(wf_aws_ser *s, const cJSON *ref, const cJSON *shape,
                               const char *name, const cJSON *value, wf_http_response *out)
{
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
            st = wf_sim_scalar_text(s, mref, mshape, item, "rfc822", &one);
            wf_aws_ser_pop(s, path);
            if (st != WF_OK) {
                wf_aws_buf_free(&joined);
                return st;
            }
            list_item(&joined, wf_aws_shape_type(mshape), one);
            free(one);
        }
        text = wf_aws_buf_take(&joined);
    } else if (wf_aws_jtrue(ref, "jsonvalue") || wf_aws_jtrue(shape, "jsonvalue")) {
        char *json = cJSON_IsString(value) ? strdup(value->valuestring)
                                           : cJSON_PrintUnformatted(value);
        text = json ? wf_aws_base64((const unsigned char *)json, strlen(json)) : NULL;
        free(json);
    } else {
        st = wf_sim_scalar_text(s, ref, shape, value, "rfc822", &text);
        if (st != WF_OK)
            return st;
    }
    st = text ? wf_http_headers_set(&out->headers, name, text) : WF_ENOMEM;
    free(text);
    return st == WF_OK ? WF_OK : oom(s);
}

static wf_status header_map(wf_aws_ser *s, const cJSON *shape, const char *prefix,
                            const cJSON *value, wf_http_response *out)
{
    wf_status st = wf_aws_ser_check_map(s, value);
    const cJSON *vref = cJSON_GetObjectItemCaseSensitive(shape, "value");
    const cJSON *vshape = st == WF_OK ? wf_aws_ser_target(s, vref) : NULL;
    if (st != WF_OK || !vshape)
        return st != WF_OK ? st : WF_EPARSE;
    const cJSON *entry;
    cJSON_ArrayForEach(entry, value) {
        if (cJSON_IsNull(entry))
            continue;
        char *text = NULL;
        size_t path = wf_aws_ser_push_key(s, entry->string);
        st = wf_sim_scalar_text(s, vref, vshape, entry, "rfc822", &text);
        wf_aws_ser_pop(s, path);
        if (st != WF_OK)
            return st;
        wf_aws_buf name = {0};
        wf_aws_buf_printf(&name, "%s%s", prefix, entry->string);
        st = name.oom ? WF_ENOMEM : wf_http_headers_add(&out->headers, name.data, text);
        wf_aws_buf_free(&name);
        free(text);
        if (st != WF_OK)
            return oom(s);
    }
    return WF_OK;
}

/* The status code, headers and header maps of the output shape. */
static wf_status located_members(wf_aws_ser *s, const cJSON *shape, const cJSON *result,
                                 wf_http_response *out)
{
    const cJSON *m;
    cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(shape, "members")) {
        const char *where = wf_aws_jstr(m, "location");
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(result, m->string);
        if (!where || !v || cJSON_IsNull(v))
            continue;
        const cJSON *target = wf_aws_ser_target(s, m);
        if (!target)
            return WF_EPARSE;
        const char *loc = wf_aws_jstr(m, "locationName");
        size_t path = wf_aws_ser_push_name(s, m->string);
        wf_status st = WF_OK;
        if (strcmp(where, "statusCode") == 0) {
            if (cJSON_IsNumber(v) && v->valuedouble >= 100 && v->valuedouble < 600)
                out->status = v->valueint;
            else
                st = wf_aws_ser_fail(s, WF_EINVAL, "expected an HTTP status code");
        } else if (strcmp(where, "header") == 0) {
            st = header_member(s, m, target, loc ? loc : m->string, v, out);
        } else if (strcmp(where, "headers") == 0) {
            st = header_map(s, target, loc ? loc : "", v, out);
        }
        wf_aws_ser_pop(s, path);
        if (st != WF_OK)
            return st;
    }
    return WF_OK;
}

/* An XML document: root element name, then the namespace (the shape's own, else the
 * service's), then the members. */
static wf_status xml_document(wf_aws_ser *s, const cJSON *ref, const cJSON *shape,
                              const cJSON *value, const char *root, bool skip_located,
                              wf_http_response *out)
{
    wf_xml_writer w = {0};
    wf_xml_start(&w, root);
    if (wf_aws_trait(ref, shape, "xmlNamespace")) {
        wf_sim_write_namespace(&w, ref, shape);
    } else {
        char ns[256];
        wf_sim_xml_namespace(s->model, ns, sizeof ns);
        wf_xml_attr(&w, "xmlns", ns);
    }
    wf_status st = wf_sim_write_members(s, &w, shape, value, skip_located, 0);
    wf_xml_end(&w);
    if (st != WF_OK) {
        wf_xml_writer_free(&w);
        return st;
    }
    st = wf_sim_take_xml(s, &w, out);
    if (st == WF_OK &&
        wf_http_headers_set(&out->headers, "Content-Type", "application/xml") != WF_OK)
        st = oom(s);
    return st;
}

static wf_status payload_body(wf_aws_ser *s, const cJSON *shape, const char *payload,
                              const cJSON *result, wf_http_response *out)
{
    const cJSON *pref = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(shape, "members"), payload);
    const cJSON *pshape = wf_aws_ser_target(s, pref);
    if (!pshape)
        return WF_EPARSE;
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(result, payload);
    if (!v || cJSON_IsNull(v))
        return WF_OK;   /* no payload, no body (the caller may still set one) */
    const char *type = wf_aws_shape_type(pshape);
    size_t path = wf_aws_ser_push_name(s, payload);
    wf_status st;
    if (strcmp(type, "blob") == 0 || strcmp(type, "string") == 0) {
        /* Raw text; binary bodies never come here: the server appends them itself. */
        if (!cJSON_IsString(v)) {
            st = wf_aws_ser_fail(s, WF_EINVAL, "expected a string of bytes");
        } else {
            size_t len = strlen(v->valuestring);
            char *body = malloc(len + 1);
            st = body ? WF_OK : oom(s);
            if (body) {
                memcpy(body, v->valuestring, len);
                body[len] = '\0';
                free(out->body);
                out->body = body;
                out->body_len = len;
            }
        }
    } else {
        /* Root: a member locationName that renames it (one equal to the member's own
         * name is the models' way of saying none), else the shape's, else its name. */
        const char *root = wf_aws_jstr(pref, "locationName");
        if (root && strcmp(root, payload) == 0)
            root = NULL;
        if (!root)
            root = wf_aws_jstr(pshape, "locationName");
        if (!root)
            root = wf_aws_jstr(pref, "shape");
        st = strcmp(type, "structure") == 0
                 ? xml_document(s, pref, pshape, v, root ? root : payload, false, out)
                 : wf_aws_ser_fail(s, WF_EINVAL, "a %s payload cannot be written", type);
    }
    wf_aws_ser_pop(s, path);
    return st;
}

wf_status wf_sim_encode_rest_xml(wf_aws_ser *s, const cJSON *result, const char *request_id,
                                 wf_http_response *out)
{
    const cJSON *http = cJSON_GetObjectItemCaseSensitive(s->operation, "http");
    const cJSON *code = cJSON_GetObjectItemCaseSensitive(http, "responseCode");
    out->status = cJSON_IsNumber(code) ? code->valueint : 200;
    (void)request_id;   /* S3 carries it only in headers, which the server sets */
    const cJSON *oref = cJSON_GetObjectItemCaseSensitive(s->operation, "output");
    if (!oref)
        return WF_OK;
    const cJSON *shape = wf_aws_ser_target(s, oref);
    if (!shape)
        return WF_EPARSE;
    wf_status st = located_members(s, shape, result, out);
    if (st != WF_OK)
        return st;
    bool done = false;
    st = wf_sim_customize_body(s, result, out, &done);
    if (st != WF_OK || done)
        return st;
    const char *payload = wf_aws_jstr(shape, "payload");
    if (payload)
        return payload_body(s, shape, payload, result, out);
    bool any = false;
    const cJSON *m;
    cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(shape, "members"))
        any = any || !wf_sim_answer_located(m);
    if (!any)
        return WF_OK;   /* everything went in headers */
    const char *op_name = s->operation->string;
    const char *root = wf_aws_jstr(shape, "locationName");
    if (!root)
        root = wf_sim_s3_root_name(s->model, op_name);
    if (!root)
        root = wf_aws_jstr(oref, "shape");   /* smithy's default XML name */
    return xml_document(s, oref, shape, result, root ? root : op_name, true, out);
}
