/* Reading requests on the server side: the entry point, the json protocol (X-Amz-Target
 * and a JSON body walked against the input shape) and the XML body walker the rest-xml
 * decoder uses; ec2/query live in server_decode_query.c, rest-xml routing in
 * server_decode_rest.c. */
#include "aws/server_internal.h"
#include "aws/xml_reader.h"
#include <assert.h>
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static wf_status oom(wf_aws_ser *s)
{
    return wf_sim_fail(s, WF_ENOMEM, "out of memory");
}

/* Hands v over as *out; NULL (no memory) is WF_ENOMEM. */
static wf_status give(wf_aws_ser *s, cJSON *v, cJSON **out)
{
    *out = v;
    return v ? WF_OK : oom(s);
}

static bool is_list_or_map(const char *type, bool *is_map)
{
    *is_map = strcmp(type, "map") == 0;
    return *is_map || strcmp(type, "list") == 0;
}

/* ---- XML request bodies ---- */

/* One <entry><key/><value/></entry> (or the flattened element itself) into obj. */
static wf_status xml_map_entry(wf_aws_ser *s, const cJSON *shape, const wf_xml_node *entry,
                               cJSON *obj, int depth)
{
    const cJSON *kref = cJSON_GetObjectItemCaseSensitive(shape, "key");
    const cJSON *vref = cJSON_GetObjectItemCaseSensitive(shape, "value");
    const cJSON *vshape = wf_aws_ser_target(s, vref);
    if (!vshape)
        return WF_EPARSE;
    const char *kname = wf_aws_jstr(kref, "locationName");
    const char *vname = wf_aws_jstr(vref, "locationName");
    const wf_xml_node *k = wf_xml_child(entry, kname ? kname : "key");
    const wf_xml_node *v = wf_xml_child(entry, vname ? vname : "value");
    if (!k || !v)
        return WF_OK;   /* half an entry says nothing */
    size_t path = wf_aws_ser_push_key(s, k->text);
    cJSON *value = NULL;
    wf_status st = wf_sim_xml_value(s, vref, vshape, v, &value, depth + 1);
    if (st == WF_OK)
        st = wf_sim_object_set(s, obj, k->text, value);
    wf_aws_ser_pop(s, path);
    return st;
}

/* Items of a list: every child of a wrapper (whatever its name, as the parsers read
 * them), or the flattened elements named name among node's children. */
static wf_status xml_list(wf_aws_ser *s, const cJSON *shape, const wf_xml_node *node,
                          const char *flat_name, cJSON **out, int depth)
{
    const cJSON *mref = cJSON_GetObjectItemCaseSensitive(shape, "member");
    const cJSON *mshape = wf_aws_ser_target(s, mref);
    if (!mshape)
        return WF_EPARSE;
    cJSON *arr = cJSON_CreateArray();
    if (!arr)
        return oom(s);
    size_t index = 0;
    wf_status st = WF_OK;
    for (size_t i = 0; st == WF_OK && i < node->child_count; i++) {
        const wf_xml_node *c = node->children[i];
        if (flat_name && strcmp(c->name, flat_name) != 0)
            continue;
        size_t path = wf_aws_ser_push_index(s, ++index);
        cJSON *item = NULL;
        st = wf_sim_xml_value(s, mref, mshape, c, &item, depth + 1);
        if (st == WF_OK && !cJSON_AddItemToArray(arr, item)) {
            cJSON_Delete(item);
            st = oom(s);
        }
        wf_aws_ser_pop(s, path);
    }
    if (st != WF_OK) {
        cJSON_Delete(arr);
        return st;
    }
    *out = arr;
    return WF_OK;
}

static wf_status xml_map(wf_aws_ser *s, const cJSON *shape, const wf_xml_node *node,
                         const char *flat_name, cJSON **out, int depth)
{
    cJSON *obj = cJSON_CreateObject();
    if (!obj)
        return oom(s);
    wf_status st = WF_OK;
    for (size_t i = 0; st == WF_OK && i < node->child_count; i++) {
        const wf_xml_node *c = node->children[i];
        if (!flat_name || strcmp(c->name, flat_name) == 0)
            st = xml_map_entry(s, shape, c, obj, depth);
    }
    if (st != WF_OK) {
        cJSON_Delete(obj);
        return st;
    }
    *out = obj;
    return WF_OK;
}

wf_status wf_sim_xml_value(wf_aws_ser *s, const cJSON *ref, const cJSON *shape,
                           const wf_xml_node *node, cJSON **out, int depth)
{
    *out = NULL;
    if (depth > WF_SIM_MAX_DEPTH)
        return wf_sim_fail(s, WF_EINVAL, "nested too deeply");
    const char *type = wf_aws_shape_type(shape);
    if (strcmp(type, "structure") == 0) {
        cJSON *obj = cJSON_CreateObject();
        wf_status st = obj ? wf_sim_xml_members(s, shape, node, false, obj, depth + 1) : oom(s);
        if (st == WF_OK)
            st = wf_sim_check_required(s, shape, obj, NULL);
        if (st != WF_OK) {
            cJSON_Delete(obj);
            return st;
        }
        *out = obj;
        return WF_OK;
    }
    if (strcmp(type, "list") == 0)
        return xml_list(s, shape, node, NULL, out, depth);
    if (strcmp(type, "map") == 0)
        return xml_map(s, shape, node, NULL, out, depth);
    return wf_sim_scalar_from_text(s, shape, node->text, node->text_len, out);
}

wf_status wf_sim_xml_members(wf_aws_ser *s, const cJSON *shape, const wf_xml_node *node,
                             bool skip_located, cJSON *into, int depth)
{
    const cJSON *ref;
    cJSON_ArrayForEach(ref, cJSON_GetObjectItemCaseSensitive(shape, "members")) {
        if (skip_located && wf_aws_jstr(ref, "location"))
            continue;
        const cJSON *target = wf_aws_ser_target(s, ref);
        if (!target)
            return WF_EPARSE;
        const char *loc = wf_aws_jstr(ref, "locationName");
        const char *xml_name = loc ? loc : ref->string;
        bool is_map;
        bool flattened = is_list_or_map(wf_aws_shape_type(target), &is_map) &&
                         (wf_aws_jtrue(ref, "flattened") || wf_aws_jtrue(target, "flattened"));
        size_t path = wf_aws_ser_push_name(s, ref->string);
        cJSON *value = NULL;
        wf_status st = WF_OK;
        if (wf_aws_jtrue(ref, "xmlAttribute")) {
            const char *attr = wf_xml_attr_get(node, xml_name);
            if (attr)
                st = wf_sim_scalar_from_text(s, target, attr, strlen(attr), &value);
        } else if (flattened) {
            bool any = false;
            for (size_t i = 0; i < node->child_count && !any; i++)
                any = strcmp(node->children[i]->name, xml_name) == 0;
            if (any)
                st = is_map ? xml_map(s, target, node, xml_name, &value, depth)
                            : xml_list(s, target, node, xml_name, &value, depth);
        } else {
            const wf_xml_node *child = wf_xml_child(node, xml_name);
            if (child)
                st = wf_sim_xml_value(s, ref, target, child, &value, depth);
        }
        if (st == WF_OK && value)
            st = wf_sim_object_set(s, into, ref->string, value);
        wf_aws_ser_pop(s, path);
        if (st != WF_OK)
            return st;
    }
    return WF_OK;
}

/* ---- json protocol ---- */

static wf_status json_value(wf_aws_ser *s, const cJSON *shape, const cJSON *v, cJSON **out,
                            int depth);

static wf_status json_structure(wf_aws_ser *s, const cJSON *shape, const cJSON *v,
                                cJSON **out, int depth)
{
    if (wf_aws_jtrue(shape, "document")) {   /* free-form JSON, taken as it is */
        return give(s, cJSON_Duplicate(v, true), out);
    }
    if (!cJSON_IsObject(v))
        return wf_sim_fail(s, WF_EINVAL, "expected an object");
    const cJSON *members = cJSON_GetObjectItemCaseSensitive(shape, "members");
    const cJSON *field;
    cJSON_ArrayForEach(field, v) {
        const cJSON *ref;
        bool known = false;
        cJSON_ArrayForEach(ref, members) {
            const char *loc = wf_aws_jstr(ref, "locationName");
            known = known || strcmp(loc ? loc : ref->string, field->string) == 0;
        }
        if (!known)
            return wf_error_set(s->err, WF_EINVAL, "Unknown parameter %s%s%s", s->path,
                                s->path_len ? "." : "", field->string);
    }
    cJSON *obj = cJSON_CreateObject();
    if (!obj)
        return oom(s);
    const cJSON *ref;
    cJSON_ArrayForEach(ref, members) {
        const char *loc = wf_aws_jstr(ref, "locationName");
        const cJSON *raw = cJSON_GetObjectItemCaseSensitive(v, loc ? loc : ref->string);
        if (!raw || cJSON_IsNull(raw))
            continue;
        const cJSON *target = wf_aws_ser_target(s, ref);
        size_t path = wf_aws_ser_push_name(s, ref->string);
        cJSON *value = NULL;
        wf_status st = target ? json_value(s, target, raw, &value, depth + 1) : WF_EPARSE;
        if (st == WF_OK)
            st = wf_sim_object_set(s, obj, ref->string, value);
        wf_aws_ser_pop(s, path);
        if (st != WF_OK) {
            cJSON_Delete(obj);
            return st;
        }
    }
    wf_status st = wf_sim_check_required(s, shape, obj, NULL);
    if (st != WF_OK) {
        cJSON_Delete(obj);
        return st;
    }
    *out = obj;
    return WF_OK;
}

static wf_status json_collection(wf_aws_ser *s, const cJSON *shape, bool is_map,
                                 const cJSON *v, cJSON **out, int depth)
{
    if (is_map ? !cJSON_IsObject(v) : !cJSON_IsArray(v))
        return wf_sim_fail(s, WF_EINVAL, is_map ? "expected an object" : "expected a list");
    const cJSON *iref = cJSON_GetObjectItemCaseSensitive(shape, is_map ? "value" : "member");
    const cJSON *ishape = wf_aws_ser_target(s, iref);
    if (!ishape)
        return WF_EPARSE;
    cJSON *acc = is_map ? cJSON_CreateObject() : cJSON_CreateArray();
    if (!acc)
        return oom(s);
    size_t i = 0;
    const cJSON *el;
    wf_status st = WF_OK;
    cJSON_ArrayForEach(el, v) {
        size_t path = is_map ? wf_aws_ser_push_key(s, el->string) : wf_aws_ser_push_index(s, ++i);
        cJSON *item = NULL;
        if (cJSON_IsNull(el))   /* sparse collections keep their nulls, as the parser */
            st = give(s, cJSON_CreateNull(), &item);
        else
            st = json_value(s, ishape, el, &item, depth + 1);
        if (st == WF_OK && is_map)
            st = wf_sim_object_set(s, acc, el->string, item);
        else if (st == WF_OK && !cJSON_AddItemToArray(acc, item)) {
            cJSON_Delete(item);
            st = oom(s);
        }
        wf_aws_ser_pop(s, path);
        if (st != WF_OK)
            break;
    }
    if (st != WF_OK) {
        cJSON_Delete(acc);
        return st;
    }
    *out = acc;
    return WF_OK;
}

static wf_status json_scalar(wf_aws_ser *s, const cJSON *shape, const cJSON *v, cJSON **out)
{
    const char *type = wf_aws_shape_type(shape);
    if (strcmp(type, "timestamp") == 0 && cJSON_IsNumber(v)) {
        if (!isfinite(v->valuedouble) || fabs(v->valuedouble) > 1e14)
            return wf_sim_fail(s, WF_EINVAL, "expected a timestamp");
        return give(s, cJSON_CreateNumber(v->valuedouble), out);   /* epoch seconds already */
    }
    bool ok;
    if (strcmp(type, "boolean") == 0)
        ok = cJSON_IsBool(v);
    else if (strcmp(type, "integer") == 0 || strcmp(type, "long") == 0 ||
             strcmp(type, "short") == 0 || strcmp(type, "byte") == 0)
        ok = cJSON_IsNumber(v) && v->valuedouble == floor(v->valuedouble);
    else if (strcmp(type, "float") == 0 || strcmp(type, "double") == 0)
        ok = cJSON_IsNumber(v) || cJSON_IsString(v);   /* "NaN", "Infinity" */
    else
        ok = cJSON_IsString(v);
    if (!ok)
        return wf_sim_fail(s, WF_EINVAL, "expected a %s", *type ? type : "value");
    if (cJSON_IsString(v))
        return wf_sim_scalar_from_text(s, shape, v->valuestring, strlen(v->valuestring), out);
    return give(s, cJSON_Duplicate(v, false), out);
}

static wf_status json_value(wf_aws_ser *s, const cJSON *shape, const cJSON *v, cJSON **out,
                            int depth)
{
    *out = NULL;
    if (depth > WF_SIM_MAX_DEPTH)
        return wf_sim_fail(s, WF_EINVAL, "nested too deeply");
    const char *type = wf_aws_shape_type(shape);
    if (strcmp(type, "structure") == 0)
        return json_structure(s, shape, v, out, depth);
    bool is_map;
    if (is_list_or_map(type, &is_map))
        return json_collection(s, shape, is_map, v, out, depth);
    return json_scalar(s, shape, v, out);
}

static wf_status decode_json(wf_aws_ser *s, const wf_http_request *req, char **operation,
                             cJSON **params)
{
    const char *target = wf_http_headers_get(&req->headers, "X-Amz-Target");
    const char *dot = target ? strrchr(target, '.') : NULL;
    const char *prefix = wf_aws_model_meta(s->model, "targetPrefix");
    if (!dot || (prefix && (strlen(prefix) != (size_t)(dot - target) ||
                            strncmp(target, prefix, strlen(prefix)) != 0)))
        return wf_error_set(s->err, WF_ENOTFOUND, "X-Amz-Target \"%s\" names no operation of "
                            "this service", target ? target : "");
    const cJSON *op = wf_aws_model_operation(s->model, dot + 1);
    if (!cJSON_IsObject(op))
        return wf_error_set(s->err, WF_ENOTFOUND, "unknown operation \"%s\"", dot + 1);
    s->op_name = op->string;
    s->operation = op;
    *operation = strdup(op->string);
    if (!*operation)
        return oom(s);

    size_t i = 0;
    while (i < req->body_len && isspace((unsigned char)req->body[i]))
        i++;
    cJSON *body = i < req->body_len ? cJSON_ParseWithLength(req->body, req->body_len) : NULL;
    if (i < req->body_len && !cJSON_IsObject(body)) {
        cJSON_Delete(body);
        return wf_error_set(s->err, WF_EPARSE, "%s: the body is not a JSON object", op->string);
    }
    if (!body)
        body = cJSON_CreateObject();   /* no body: no parameters */
    if (!body)
        return oom(s);
    const cJSON *input = wf_aws_ser_input(s);
    wf_status st;
    if (input)
        st = json_structure(s, input, body, params, 0);
    else
        st = give(s, cJSON_CreateObject(), params);
    cJSON_Delete(body);
    return st;
}

wf_status wf_sim_decode_request(const wf_aws_model *m, const wf_http_request *req,
                                const char *bucket_from_host, char **operation,
                                cJSON **params, wf_error *err)
{
    assert(m && req && operation && params);
    *operation = NULL;
    *params = NULL;
    wf_aws_ser s = {.model = m, .op_name = "request", .err = err};
    const char *protocol = wf_aws_model_protocol(m);
    if (!protocol)
        protocol = "";
    wf_status st;
    if (strcmp(protocol, "query") == 0 || strcmp(protocol, "ec2") == 0)
        st = wf_sim_decode_query(&s, req, strcmp(protocol, "ec2") == 0, operation, params);
    else if (strcmp(protocol, "rest-xml") == 0)
        st = wf_sim_decode_rest_xml(&s, req, bucket_from_host, operation, params);
    else if (strcmp(protocol, "json") == 0)
        st = decode_json(&s, req, operation, params);
    else
        st = wf_error_set(err, WF_EINVAL, "protocol \"%s\" is not supported", protocol);
    if (st != WF_OK) {   /* the interface promises both NULL on failure */
        cJSON_Delete(*params);
        *params = NULL;
        free(*operation);
        *operation = NULL;
    }
    return st;
}
