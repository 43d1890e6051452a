/* JSON 1.1 protocol serializer (SSM): POST / with X-Amz-Target: <targetPrefix>.<Operation>
 * and the parameters as a JSON body; blobs in base64, timestamps in epoch seconds unless
 * the shape says otherwise. */
#include "aws/serialize_util.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static wf_status to_json(wf_aws_ser *s, const cJSON *ref, const cJSON *shape,
                         const cJSON *value, cJSON **out);

static wf_status oom(wf_aws_ser *s)
{
    return wf_aws_ser_fail(s, WF_ENOMEM, "out of memory");
}

static wf_status structure_to_json(wf_aws_ser *s, const cJSON *shape, const cJSON *value,
                                   cJSON **out)
{
    if (wf_aws_jtrue(shape, "document")) {   /* free-form JSON, sent as given */
        *out = cJSON_Duplicate(value, true);
        return *out ? WF_OK : oom(s);
    }
    wf_status st = wf_aws_ser_check_structure(s, shape, value);
    if (st != WF_OK)
        return st;
    if (!(*out = cJSON_CreateObject()))
        return oom(s);
    if (!value->child)   /* nothing given: nothing to look up */
        return WF_OK;
    /* The members given, in model order, found through the shape's member table. */
    wf_aws_shape_info scratch;
    const wf_aws_shape_info *si = wf_aws_model_shape_info(s->model, shape, &scratch);
    if (!si)
        return oom(s);
    wf_aws_given_list given;
    st = wf_aws_ser_given(s, si, value, &given);
    for (size_t i = 0; i < given.count && st == WF_OK; i++) {
        const wf_aws_member_info *m = given.items[i].member;
        const cJSON *target = m->target ? m->target : wf_aws_ser_target(s, m->ref);
        if (!target) {
            st = WF_EPARSE;
            break;
        }
        cJSON *child = NULL;
        size_t path = wf_aws_ser_push_name(s, m->name);
        st = to_json(s, m->ref, target, given.items[i].value, &child);
        wf_aws_ser_pop(s, path);
        if (st == WF_OK &&
            !cJSON_AddItemToObject(*out, m->location_name ? m->location_name : m->name, child)) {
            cJSON_Delete(child);
            st = oom(s);
        }
    }
    wf_aws_given_free(&given);
    wf_aws_shape_info_release(&scratch);
    return st;
}

static wf_status list_to_json(wf_aws_ser *s, const cJSON *shape, const cJSON *value,
                              cJSON **out)
{
    wf_status st = wf_aws_ser_check_list(s, value);
    if (st != WF_OK)
        return st;
    const cJSON *mref = cJSON_GetObjectItemCaseSensitive(shape, "member");
    const cJSON *mshape = wf_aws_ser_target(s, mref);
    if (!mshape)
        return WF_EPARSE;
    if (!(*out = cJSON_CreateArray()))
        return oom(s);
    size_t i = 0;
    const cJSON *item;
    cJSON_ArrayForEach(item, value) {
        cJSON *child = NULL;
        size_t path = wf_aws_ser_push_index(s, ++i);
        st = cJSON_IsNull(item) ? wf_aws_ser_fail(s, WF_EINVAL, "a list cannot hold nil")
                                : to_json(s, mref, mshape, item, &child);
        wf_aws_ser_pop(s, path);
        if (st != WF_OK)
            return st;
        if (!cJSON_AddItemToArray(*out, child)) {
            cJSON_Delete(child);
            return oom(s);
        }
    }
    return WF_OK;
}

static wf_status map_to_json(wf_aws_ser *s, const cJSON *shape, const cJSON *value,
                             cJSON **out)
{
    wf_status st = wf_aws_ser_check_map(s, value);
    if (st != WF_OK)
        return st;
    const cJSON *vref = cJSON_GetObjectItemCaseSensitive(shape, "value");
    const cJSON *vshape = wf_aws_ser_target(s, vref);
    if (!vshape)
        return WF_EPARSE;
    if (!(*out = cJSON_CreateObject()))
        return oom(s);
    const cJSON *entry;
    cJSON_ArrayForEach(entry, value) {
        if (cJSON_IsNull(entry))
            continue;
        cJSON *child = NULL;
        size_t path = wf_aws_ser_push_key(s, entry->string);
        st = to_json(s, vref, vshape, entry, &child);
        wf_aws_ser_pop(s, path);
        if (st != WF_OK)
            return st;
        if (!cJSON_AddItemToObject(*out, entry->string, child)) {
            cJSON_Delete(child);
            return oom(s);
        }
    }
    return WF_OK;
}

/* Scalars whose JSON form is a number or a boolean keep it; the rest are strings. */
static wf_status scalar_to_json(wf_aws_ser *s, const cJSON *ref, const cJSON *shape,
                                const cJSON *value, cJSON **out)
{
    const char *type = wf_aws_shape_type(shape);
    char *text = NULL;
    wf_status st = wf_aws_ser_scalar(s, ref, shape, value, "unixTimestamp", &text);
    if (st != WF_OK)
        return st;
    const char *format = wf_aws_trait_str(ref, shape, "timestampFormat");
    bool numeric = strcmp(type, "integer") == 0 || strcmp(type, "long") == 0 ||
                   strcmp(type, "short") == 0 || strcmp(type, "byte") == 0 ||
                   ((strcmp(type, "float") == 0 || strcmp(type, "double") == 0) &&
                    cJSON_IsNumber(value)) ||
                   (strcmp(type, "timestamp") == 0 &&
                    (!format || strcmp(format, "unixTimestamp") == 0));
    if (strcmp(type, "boolean") == 0)
        *out = cJSON_CreateBool(cJSON_IsTrue(value));
    else if (numeric)
        *out = cJSON_CreateNumber(strtod(text, NULL));   /* the validated, rounded form */
    else
        *out = cJSON_CreateString(text);
    free(text);
    return *out ? WF_OK : oom(s);
}

static wf_status to_json(wf_aws_ser *s, const cJSON *ref, const cJSON *shape,
                         const cJSON *value, cJSON **out)
{
    const char *type = wf_aws_shape_type(shape);
    wf_status st;
    if (strcmp(type, "structure") == 0)
        st = structure_to_json(s, shape, value, out);
    else if (strcmp(type, "list") == 0)
        st = list_to_json(s, shape, value, out);
    else if (strcmp(type, "map") == 0)
        st = map_to_json(s, shape, value, out);
    else
        st = scalar_to_json(s, ref, shape, value, out);
    if (st != WF_OK) {
        cJSON_Delete(*out);
        *out = NULL;
    }
    return st;
}

wf_status wf_aws_serialize_json(wf_aws_ser *s, const cJSON *params, wf_http_request *out)
{
    const cJSON *input = wf_aws_ser_input(s);
    cJSON *body = NULL;
    wf_status st = input ? structure_to_json(s, input, params, &body) : WF_OK;
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

    const char *prefix = wf_aws_model_meta(s->model, "targetPrefix");
    const char *version = wf_aws_model_meta(s->model, "jsonVersion");
    const cJSON *http = cJSON_GetObjectItemCaseSensitive(s->operation, "http");
    const char *method = wf_aws_jstr(http, "method");
    const char *uri = wf_aws_jstr(http, "requestUri");
    char target[256], content_type[64];
    snprintf(target, sizeof target, "%s.%s", prefix ? prefix : "", s->op_name);
    snprintf(content_type, sizeof content_type, "application/x-amz-json-%s",
             version ? version : "1.0");
    out->method = strdup(method ? method : "POST");
    out->path = strdup(uri ? uri : "/");
    out->query = strdup("");
    if (!out->method || !out->path || !out->query ||
        wf_http_headers_set(&out->headers, "X-Amz-Target", target) != WF_OK ||
        wf_http_headers_set(&out->headers, "Content-Type", content_type) != WF_OK)
        return oom(s);
    return WF_OK;
}
