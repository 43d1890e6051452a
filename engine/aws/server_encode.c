/* Writing answers on the server side: the XML shape walker shared by ec2, query and
 * rest-xml, the ec2/query envelopes, json bodies, and every protocol's error document.
 * rest-xml's headers and payloads are in server_encode_rest.c. */
#include "aws/server_internal.h"
#include "aws/xml_writer.h"
#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static wf_status oom(wf_aws_ser *s)
{
    return wf_aws_ser_fail(s, WF_ENOMEM, "out of memory");
}

/* Hands v over as *out; NULL (no memory) is WF_ENOMEM. */
static wf_status give(wf_aws_ser *s, cJSON *v, cJSON **out)
{
    *out = v;
    return v ? WF_OK : oom(s);
}

/* An empty Lua table may reach us as [] or {}. */
static bool empty_table(const cJSON *v)
{
    return (cJSON_IsArray(v) || cJSON_IsObject(v)) && !v->child;
}

static wf_status check_object(wf_aws_ser *s, const cJSON *v)
{
    return cJSON_IsObject(v) || empty_table(v)
               ? WF_OK : wf_aws_ser_fail(s, WF_EINVAL, "expected a table of members");
}

/* ---- XML ---- */

bool wf_sim_answer_located(const cJSON *ref)
{
    const char *where = wf_aws_jstr(ref, "location");
    return where && (strcmp(where, "header") == 0 || strcmp(where, "headers") == 0 ||
                     strcmp(where, "statusCode") == 0);
}

void wf_sim_write_namespace(wf_xml_writer *w, const cJSON *ref, const cJSON *shape)
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

void wf_sim_xml_namespace(const wf_aws_model *m, char *out, size_t n)
{
    const char *ns = wf_aws_model_meta(m, "xmlNamespace");
    if (ns) {
        size_t len = strlen(ns);
        /* EC2's model says ".../2016-11-15"; its answers say ".../2016-11-15/". */
        snprintf(out, n, "%s%s", ns, len && ns[len - 1] != '/' ? "/" : "");
        return;
    }
    const char *prefix = wf_aws_model_meta(m, "endpointPrefix");
    const char *version = wf_aws_model_meta(m, "apiVersion");
    snprintf(out, n, "http://%s.amazonaws.com/doc/%s/", prefix ? prefix : "aws",
             version ? version : "");
}

static wf_status write_scalar(wf_aws_ser *s, wf_xml_writer *w, const cJSON *ref,
                              const cJSON *shape, const cJSON *value, const char *name)
{
    char *text = NULL;
    wf_status st = wf_sim_scalar_text(s, ref, shape, value, "iso8601", &text);
    if (st != WF_OK)
        return st;
    wf_xml_start(w, name);
    wf_sim_write_namespace(w, ref, shape);
    wf_xml_text(w, text, strlen(text));
    wf_xml_end(w);
    free(text);
    return WF_OK;
}

static wf_status write_list(wf_aws_ser *s, wf_xml_writer *w, const cJSON *ref,
                            const cJSON *shape, const cJSON *value, const char *name, int depth)
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
        wf_sim_write_namespace(w, ref, shape);
    }
    size_t i = 0;
    const cJSON *item;
    cJSON_ArrayForEach(item, value) {
        size_t path = wf_aws_ser_push_index(s, ++i);
        st = cJSON_IsNull(item) ? wf_aws_ser_fail(s, WF_EINVAL, "a list cannot hold null")
                                : wf_sim_write_value(s, w, mref, mshape, item, item_name,
                                                     depth + 1);
        wf_aws_ser_pop(s, path);
        if (st != WF_OK)
            return st;
    }
    if (!flattened)
        wf_xml_end(w);
    return WF_OK;
}

static wf_status write_map(wf_aws_ser *s, wf_xml_writer *w, const cJSON *ref,
                           const cJSON *shape, const cJSON *value, const char *name, int depth)
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
    bool flattened = wf_aws_jtrue(ref, "flattened") || wf_aws_jtrue(shape, "flattened");
    if (!flattened) {
        wf_xml_start(w, name);
        wf_sim_write_namespace(w, ref, shape);
    }
    const cJSON *entry;
    cJSON_ArrayForEach(entry, value) {
        if (cJSON_IsNull(entry))
            continue;
        wf_xml_start(w, flattened ? name : "entry");
        wf_xml_start(w, kname ? kname : "key");
        wf_sim_write_namespace(w, kref, kshape);
        wf_xml_text(w, entry->string, strlen(entry->string));
        wf_xml_end(w);
        size_t path = wf_aws_ser_push_key(s, entry->string);
        st = wf_sim_write_value(s, w, vref, vshape, entry, vname ? vname : "value", depth + 1);
        wf_aws_ser_pop(s, path);
        if (st != WF_OK)
            return st;
        wf_xml_end(w);
    }
    if (!flattened)
        wf_xml_end(w);
    return WF_OK;
}

wf_status wf_sim_write_value(wf_aws_ser *s, wf_xml_writer *w, const cJSON *ref,
                             const cJSON *shape, const cJSON *value, const char *name,
                             int depth)
{
    if (depth > WF_SIM_MAX_DEPTH)
        return wf_aws_ser_fail(s, WF_EINVAL, "nested too deeply");
    const char *type = wf_aws_shape_type(shape);
    if (strcmp(type, "structure") == 0) {
        wf_status st = check_object(s, value);
        if (st != WF_OK)
            return st;
        wf_xml_start(w, name);
        wf_sim_write_namespace(w, ref, shape);
        st = wf_sim_write_members(s, w, shape, value, false, depth + 1);
        wf_xml_end(w);
        return st;
    }
    if (strcmp(type, "list") == 0)
        return write_list(s, w, ref, shape, value, name, depth);
    if (strcmp(type, "map") == 0)
        return write_map(s, w, ref, shape, value, name, depth);
    return write_scalar(s, w, ref, shape, value, name);
}

wf_status wf_sim_write_members(wf_aws_ser *s, wf_xml_writer *w, const cJSON *shape,
                               const cJSON *value, bool skip_located, int depth)
{
    wf_status st = check_object(s, value);
    const cJSON *members = cJSON_GetObjectItemCaseSensitive(shape, "members");
    for (int pass = 0; pass < 2 && st == WF_OK; pass++) {
        const cJSON *m;
        cJSON_ArrayForEach(m, members) {
            /* Attributes first, while the tag is open; each pass looks up only its own
             * members' values (a listing page walks 1,000 of these). */
            bool attribute = wf_aws_jtrue(m, "xmlAttribute");
            if (attribute != (pass == 0))
                continue;
            const cJSON *v = cJSON_GetObjectItemCaseSensitive(value, m->string);
            if (!v || cJSON_IsNull(v) || (skip_located && wf_sim_answer_located(m)))
                continue;
            const cJSON *target = wf_aws_ser_target(s, m);
            if (!target)
                return WF_EPARSE;
            const char *loc = wf_aws_jstr(m, "locationName");
            size_t path = wf_aws_ser_push_name(s, m->string);
            if (attribute) {
                char *text = NULL;
                st = wf_sim_scalar_text(s, m, target, v, "iso8601", &text);
                if (st == WF_OK)
                    wf_xml_attr(w, loc ? loc : m->string, text);
                free(text);
            } else {
                st = wf_sim_write_value(s, w, m, target, v, loc ? loc : m->string, depth);
            }
            wf_aws_ser_pop(s, path);
            if (st != WF_OK)
                return st;
        }
    }
    return st;
}

wf_status wf_sim_take_xml(wf_aws_ser *s, wf_xml_writer *w, wf_http_response *out)
{
    size_t len = 0;
    char *xml = wf_xml_writer_take(w, &len);   /* frees the writer either way */
    if (!xml)
        return oom(s);
    free(out->body);
    out->body = xml;
    out->body_len = len;
    return WF_OK;
}

/* ---- ec2 and query ---- */

static wf_status encode_query(wf_aws_ser *s, const cJSON *result, const char *request_id,
                              bool ec2, wf_http_response *out)
{
    char ns[256], root[300];
    wf_sim_xml_namespace(s->model, ns, sizeof ns);
    const char *op_name = s->operation->string;   /* the model's key: the bare name */
    snprintf(root, sizeof root, "%sResponse", op_name);
    const cJSON *oref = cJSON_GetObjectItemCaseSensitive(s->operation, "output");
    const cJSON *shape = oref ? wf_aws_ser_target(s, oref) : NULL;
    if (oref && !shape)
        return WF_EPARSE;
    wf_xml_writer w = {0};
    wf_status st = WF_OK;
    wf_xml_start(&w, root);
    wf_xml_attr(&w, "xmlns", ns);
    if (ec2) {
        /* EC2: the request id first, then the members, with no result wrapper. */
        wf_xml_start(&w, "requestId");
        wf_xml_text(&w, request_id, strlen(request_id));
        wf_xml_end(&w);
        if (shape)
            st = wf_sim_write_members(s, &w, shape, result, false, 0);
    } else {
        if (shape) {
            /* The wrapper the model names, else the protocol's "<Operation>Result". */
            const char *wrapper = wf_aws_jstr(oref, "resultWrapper");
            char fallback[300];
            snprintf(fallback, sizeof fallback, "%sResult", op_name);
            wf_xml_start(&w, wrapper ? wrapper : fallback);
            st = wf_sim_write_members(s, &w, shape, result, false, 0);
            wf_xml_end(&w);
        }
        wf_xml_start(&w, "ResponseMetadata");
        wf_xml_start(&w, "RequestId");
        wf_xml_text(&w, request_id, strlen(request_id));
        wf_xml_end(&w);
        wf_xml_end(&w);
    }
    wf_xml_end(&w);
    if (st != WF_OK) {
        wf_xml_writer_free(&w);
        return st;
    }
    st = wf_sim_take_xml(s, &w, out);
    if (st == WF_OK && wf_http_headers_set(&out->headers, "Content-Type", "text/xml") != WF_OK)
        st = oom(s);
    return st;
}

/* ---- json ---- */

static wf_status json_value(wf_aws_ser *s, const cJSON *ref, const cJSON *shape,
                            const cJSON *value, cJSON **out, int depth);

static wf_status json_structure(wf_aws_ser *s, const cJSON *shape, const cJSON *value,
                                cJSON **out, int depth)
{
    if (wf_aws_jtrue(shape, "document"))
        return give(s, cJSON_Duplicate(value, true), out);
    wf_status st = check_object(s, value);
    if (st != WF_OK)
        return st;
    if (give(s, cJSON_CreateObject(), out) != WF_OK)
        return WF_ENOMEM;
    const cJSON *m;
    cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(shape, "members")) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(value, m->string);
        if (!v || cJSON_IsNull(v))
            continue;
        const cJSON *target = wf_aws_ser_target(s, m);
        if (!target)
            return WF_EPARSE;
        const char *loc = wf_aws_jstr(m, "locationName");
        size_t path = wf_aws_ser_push_name(s, m->string);
        cJSON *child = NULL;
        st = json_value(s, m, target, v, &child, depth + 1);
        wf_aws_ser_pop(s, path);
        if (st == WF_OK && !cJSON_AddItemToObject(*out, loc ? loc : m->string, child)) {
            cJSON_Delete(child);
            st = oom(s);
        }
        if (st != WF_OK)
            return st;
    }
    return WF_OK;
}

static wf_status json_collection(wf_aws_ser *s, const cJSON *shape, bool is_map,
                                 const cJSON *value, cJSON **out, int depth)
{
    wf_status st = is_map ? wf_aws_ser_check_map(s, value) : wf_aws_ser_check_list(s, value);
    const cJSON *iref = cJSON_GetObjectItemCaseSensitive(shape, is_map ? "value" : "member");
    const cJSON *ishape = st == WF_OK ? wf_aws_ser_target(s, iref) : NULL;
    if (st != WF_OK || !ishape)
        return st != WF_OK ? st : WF_EPARSE;
    if (give(s, is_map ? cJSON_CreateObject() : cJSON_CreateArray(), out) != WF_OK)
        return WF_ENOMEM;
    size_t i = 0;
    const cJSON *item;
    cJSON_ArrayForEach(item, value) {
        if (is_map && cJSON_IsNull(item))
            continue;
        size_t path = is_map ? wf_aws_ser_push_key(s, item->string) : wf_aws_ser_push_index(s, ++i);
        cJSON *child = NULL;
        st = cJSON_IsNull(item) ? give(s, cJSON_CreateNull(), &child)
                                : json_value(s, iref, ishape, item, &child, depth + 1);
        wf_aws_ser_pop(s, path);
        if (st == WF_OK && !(is_map ? cJSON_AddItemToObject(*out, item->string, child)
                                    : cJSON_AddItemToArray(*out, child))) {
            cJSON_Delete(child);
            st = oom(s);
        }
        if (st != WF_OK)
            return st;
    }
    return WF_OK;
}

static wf_status json_scalar(wf_aws_ser *s, const cJSON *ref, const cJSON *shape,
                             const cJSON *value, cJSON **out)
{
    const char *type = wf_aws_shape_type(shape);
    if (strcmp(type, "timestamp") == 0) {
        const char *format = wf_aws_trait_str(ref, shape, "timestampFormat");
        if (!format || strcmp(format, "unixTimestamp") == 0) {
            wf_aws_time t;
            wf_status st = wf_aws_ser_time(s, value, &t);
            if (st != WF_OK)
                return st;
            return give(s, cJSON_CreateNumber((double)t.sec + t.ms / 1000.0), out);
        }
    }
    char *text = NULL;
    wf_status st = wf_sim_scalar_text(s, ref, shape, value, "unixTimestamp", &text);
    if (st != WF_OK)
        return st;
    bool integer = strcmp(type, "integer") == 0 || strcmp(type, "long") == 0 ||
                   strcmp(type, "short") == 0 || strcmp(type, "byte") == 0;
    bool real = (strcmp(type, "float") == 0 || strcmp(type, "double") == 0) &&
                cJSON_IsNumber(value);
    if (strcmp(type, "boolean") == 0)
        *out = cJSON_CreateBool(cJSON_IsTrue(value));
    else if (integer || real)
        *out = cJSON_CreateNumber(strtod(text, NULL));
    else
        *out = cJSON_CreateString(text);   /* strings, blobs in base64, "NaN", dates */
    free(text);
    return *out ? WF_OK : oom(s);
}

static wf_status json_value(wf_aws_ser *s, const cJSON *ref, const cJSON *shape,
                            const cJSON *value, cJSON **out, int depth)
{
    *out = NULL;
    wf_status st;
    const char *type = wf_aws_shape_type(shape);
    if (depth > WF_SIM_MAX_DEPTH)
        st = wf_aws_ser_fail(s, WF_EINVAL, "nested too deeply");
    else if (strcmp(type, "structure") == 0)
        st = json_structure(s, shape, value, out, depth);
    else if (strcmp(type, "list") == 0 || strcmp(type, "map") == 0)
        st = json_collection(s, shape, strcmp(type, "map") == 0, value, out, depth);
    else
        st = json_scalar(s, ref, shape, value, out);
    if (st != WF_OK) {
        cJSON_Delete(*out);
        *out = NULL;
    }
    return st;
}

static wf_status json_content_type(wf_aws_ser *s, wf_http_response *out)
{
    const char *version = wf_aws_model_meta(s->model, "jsonVersion");
    char type[64];
    snprintf(type, sizeof type, "application/x-amz-json-%s", version ? version : "1.0");
    return wf_http_headers_set(&out->headers, "Content-Type", type) == WF_OK ? WF_OK : oom(s);
}

static wf_status encode_json(wf_aws_ser *s, const cJSON *result, wf_http_response *out)
{
    const cJSON *oref = cJSON_GetObjectItemCaseSensitive(s->operation, "output");
    const cJSON *shape = oref ? wf_aws_ser_target(s, oref) : NULL;
    if (oref && !shape)
        return WF_EPARSE;
    cJSON *body = NULL;
    wf_status st = shape ? json_structure(s, shape, result, &body, 0) : WF_OK;
    if (st != WF_OK) {
        cJSON_Delete(body);
        return st;
    }
    char *text = body ? cJSON_PrintUnformatted(body) : strdup("{}");
    cJSON_Delete(body);
    if (!text)
        return oom(s);
    out->body = text;
    out->body_len = strlen(text);
    return json_content_type(s, out);
}

/* ---- entry points ---- */

wf_status wf_sim_encode_response(const wf_aws_model *m, const char *operation,
                                 const cJSON *result, const char *request_id,
                                 wf_http_response *out, wf_error *err)
{
    assert(m && operation && out);
    if (!request_id)
        request_id = "";
    char label[256];
    snprintf(label, sizeof label, "%s result", operation);
    wf_aws_ser s = {.model = m, .op_name = label, .err = err};
    s.operation = wf_aws_model_operation(m, operation);
    if (!cJSON_IsObject(s.operation))
        return wf_error_set(err, WF_ENOTFOUND, "%s: no such operation in the model", operation);
    const char *protocol = wf_aws_model_protocol(m);
    if (!protocol)
        protocol = "";
    cJSON *empty = NULL;
    if (!result || empty_table(result)) {
        empty = cJSON_CreateObject();
        if (!empty)
            return oom(&s);
        result = empty;
    }
    cJSON *adjusted = NULL;
    out->status = 200;
    wf_status st = wf_sim_customize_result(&s, result, &adjusted);
    if (st == WF_OK) {
        const cJSON *r = adjusted ? adjusted : result;
        if (strcmp(protocol, "query") == 0 || strcmp(protocol, "ec2") == 0)
            st = encode_query(&s, r, request_id, strcmp(protocol, "ec2") == 0, out);
        else if (strcmp(protocol, "rest-xml") == 0)
            st = wf_sim_encode_rest_xml(&s, r, request_id, out);
        else if (strcmp(protocol, "json") == 0)
            st = encode_json(&s, r, out);
        else
            st = wf_error_set(err, WF_EINVAL, "protocol \"%s\" is not supported", protocol);
    }
    cJSON_Delete(adjusted);
    cJSON_Delete(empty);
    return st;
}

static void text_element(wf_xml_writer *w, const char *name, const char *text)
{
    wf_xml_start(w, name);
    wf_xml_text(w, text, strlen(text));
    wf_xml_end(w);
}

wf_status wf_sim_encode_error(const wf_aws_model *m, const char *code, const char *message,
                              int status, const char *request_id, wf_http_response *out,
                              wf_error *err)
{
    assert(m && code && out);
    if (!message)
        message = "";
    if (!request_id)
        request_id = "";
    wf_aws_ser s = {.model = m, .op_name = code, .err = err};
    const char *protocol = wf_aws_model_protocol(m);
    if (!protocol)
        protocol = "";
    out->status = status ? status : 400;
    if (strcmp(protocol, "json") == 0) {
        cJSON *body = cJSON_CreateObject();
        char *text = NULL;
        if (body && cJSON_AddStringToObject(body, "__type", code) &&
            cJSON_AddStringToObject(body, "message", message))
            text = cJSON_PrintUnformatted(body);
        cJSON_Delete(body);
        if (!text)
            return oom(&s);
        out->body = text;
        out->body_len = strlen(text);
        if (wf_http_headers_set(&out->headers, "x-amzn-ErrorType", code) != WF_OK)
            return oom(&s);
        return json_content_type(&s, out);
    }
    bool ec2 = strcmp(protocol, "ec2") == 0, rest = strcmp(protocol, "rest-xml") == 0;
    if (!ec2 && !rest && strcmp(protocol, "query") != 0)
        return wf_error_set(err, WF_EINVAL, "protocol \"%s\" is not supported", protocol);
    wf_xml_writer w = {0};
    if (rest) {
        wf_xml_start(&w, "Error");
        text_element(&w, "Code", code);
        text_element(&w, "Message", message);
        text_element(&w, "RequestId", request_id);
        wf_xml_end(&w);
    } else if (ec2) {
        wf_xml_start(&w, "Response");
        wf_xml_start(&w, "Errors");
        wf_xml_start(&w, "Error");
        text_element(&w, "Code", code);
        text_element(&w, "Message", message);
        wf_xml_end(&w);
        wf_xml_end(&w);
        text_element(&w, "RequestID", request_id);
        wf_xml_end(&w);
    } else {
        char ns[256];
        wf_sim_xml_namespace(m, ns, sizeof ns);
        wf_xml_start(&w, "ErrorResponse");
        wf_xml_attr(&w, "xmlns", ns);
        wf_xml_start(&w, "Error");
        /* Who is at fault: AWS says Receiver for its own (5xx) failures. */
        text_element(&w, "Type", out->status >= 500 ? "Receiver" : "Sender");
        text_element(&w, "Code", code);
        text_element(&w, "Message", message);
        wf_xml_end(&w);
        text_element(&w, "RequestId", request_id);
        wf_xml_end(&w);
    }
    wf_status st = wf_sim_take_xml(&s, &w, out);
    if (st == WF_OK && wf_http_headers_set(&out->headers, "Content-Type",
                                           rest ? "application/xml" : "text/xml") != WF_OK)
        st = oom(&s);
    return st;
}
