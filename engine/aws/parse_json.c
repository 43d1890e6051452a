/* Success answers of the json protocol (JSON 1.0/1.1, e.g. SSM): the body read against
 * the output shape, with blobs base64-decoded and timestamps as epoch numbers or text. */
#include "parse_internal.h"
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static wf_status oom(wf_aws_parse_ctx *ctx)
{
    return wf_error_set(ctx->err, WF_ENOMEM, "out of memory");
}

static wf_status mismatch(wf_aws_parse_ctx *ctx, const char *want)
{
    return wf_error_set(ctx->err, WF_EPARSE, "response: expected %s", want);
}

static wf_status copy_value(wf_aws_parse_ctx *ctx, const cJSON *v, cJSON **out)
{
    *out = cJSON_Duplicate(v, 1);
    return *out ? WF_OK : oom(ctx);
}

#define MEMBERS_ON_STACK 64

/* The members of shape that v gives, in model order: each field of v finds its members
 * in the shape's table by wire name (locationName, else name), and a member reads the
 * first field of its name, as cJSON_GetObjectItemCaseSensitive finds it. */
static wf_status parse_members(wf_aws_parse_ctx *ctx, const cJSON *shape, const cJSON *v,
                               cJSON *obj, int *added)
{
    wf_aws_shape_info scratch;
    const wf_aws_shape_info *si = wf_aws_model_shape_info(ctx->model, shape, &scratch);
    if (!si)
        return oom(ctx);
    const cJSON *on_stack[MEMBERS_ON_STACK];
    const cJSON **first = on_stack;
    if (si->count > MEMBERS_ON_STACK && !(first = malloc(si->count * sizeof *first))) {
        wf_aws_shape_info_release(&scratch);
        return oom(ctx);
    }
    memset(first, 0, si->count * sizeof *first);
    const cJSON *field;
    cJSON_ArrayForEach(field, v) {
        for (const wf_aws_member_info *mi = wf_aws_shape_info_xml(si, field->string); mi;
             mi = mi->same_xml_next ? &si->members[mi->same_xml_next - 1] : NULL)
            if (!first[mi - si->members])
                first[mi - si->members] = field;
    }
    wf_status rc = WF_OK;
    for (size_t i = 0; i < si->count && rc == WF_OK; i++) {
        const cJSON *raw = first[i];
        if (!raw || cJSON_IsNull(raw))
            continue;   /* absent and null members are left out */
        const wf_aws_member_info *mi = &si->members[i];
        const cJSON *target = mi->target ? mi->target : wf_aws_parse_target(ctx, mi->ref);
        cJSON *value = NULL;
        rc = target ? wf_aws_parse_json_value(ctx, target, raw, &value) : WF_EPARSE;
        if (rc == WF_OK && value) {
            cJSON_AddItemToObject(obj, mi->name, value);
            (*added)++;
        }
    }
    if (first != on_stack)
        free(first);
    wf_aws_shape_info_release(&scratch);
    return rc;
}

static wf_status parse_structure(wf_aws_parse_ctx *ctx, const cJSON *shape, const cJSON *v,
                                 cJSON **out)
{
    if (wf_aws_parse_flag(shape, "document"))
        return copy_value(ctx, v, out);
    if (!cJSON_IsObject(v))
        return mismatch(ctx, "an object");
    cJSON *obj = cJSON_CreateObject();
    if (!obj)
        return oom(ctx);
    int added = 0;
    wf_status rc = parse_members(ctx, shape, v, obj, &added);
    if (rc != WF_OK) {
        cJSON_Delete(obj);
        return rc;
    }
    if (!added && wf_aws_parse_flag(shape, "union")) {
        /* A member this model does not know ("__type" is only a tag). */
        const cJSON *field;
        cJSON_ArrayForEach(field, v) {
            if (strcmp(field->string, "__type") == 0 || cJSON_IsNull(field))
                continue;
            cJSON *unknown = cJSON_AddObjectToObject(obj, "SDK_UNKNOWN_MEMBER");
            if (!unknown || !cJSON_AddStringToObject(unknown, "name", field->string)) {
                cJSON_Delete(obj);
                return oom(ctx);
            }
            break;
        }
    }
    *out = obj;
    return WF_OK;
}

/* Lists and maps keep null items as null (botocore reads them as sparse). */
static wf_status parse_item(wf_aws_parse_ctx *ctx, const cJSON *shape, const cJSON *v,
                            cJSON **out)
{
    if (cJSON_IsNull(v)) {
        *out = cJSON_CreateNull();
        return *out ? WF_OK : oom(ctx);
    }
    return wf_aws_parse_json_value(ctx, shape, v, out);
}

static wf_status parse_list(wf_aws_parse_ctx *ctx, const cJSON *shape, const cJSON *v,
                            cJSON **out)
{
    if (!cJSON_IsArray(v))
        return mismatch(ctx, "a list");
    const cJSON *item_shape = wf_aws_parse_target(ctx, cJSON_GetObjectItemCaseSensitive(shape, "member"));
    if (!item_shape)
        return WF_EPARSE;
    cJSON *arr = cJSON_CreateArray();
    if (!arr)
        return oom(ctx);
    const cJSON *el;
    cJSON_ArrayForEach(el, v) {
        cJSON *item = NULL;
        wf_status rc = parse_item(ctx, item_shape, el, &item);
        if (rc != WF_OK) {
            cJSON_Delete(arr);
            return rc;
        }
        cJSON_AddItemToArray(arr, item);
    }
    *out = arr;
    return WF_OK;
}

static wf_status parse_map(wf_aws_parse_ctx *ctx, const cJSON *shape, const cJSON *v,
                           cJSON **out)
{
    if (!cJSON_IsObject(v))
        return mismatch(ctx, "a map");
    const cJSON *value_shape = wf_aws_parse_target(ctx, cJSON_GetObjectItemCaseSensitive(shape, "value"));
    if (!value_shape)
        return WF_EPARSE;
    cJSON *obj = cJSON_CreateObject();
    if (!obj)
        return oom(ctx);
    const cJSON *el;
    cJSON_ArrayForEach(el, v) {
        cJSON *item = NULL;
        wf_status rc = parse_item(ctx, value_shape, el, &item);
        if (rc != WF_OK) {
            cJSON_Delete(obj);
            return rc;
        }
        cJSON_AddItemToObject(obj, el->string, item);
    }
    *out = obj;
    return WF_OK;
}

static wf_status parse_scalar(wf_aws_parse_ctx *ctx, const cJSON *shape, const cJSON *v,
                              cJSON **out)
{
    const char *type = wf_aws_parse_type(shape);
    if (strcmp(type, "timestamp") == 0) {
        if (cJSON_IsNumber(v))
            return wf_aws_parse_timestamp_number(ctx, v->valuedouble, out);
        if (cJSON_IsString(v))
            return wf_aws_parse_timestamp_text(ctx, v->valuestring, out);
        return mismatch(ctx, "a timestamp");
    }
    if (strcmp(type, "blob") == 0) {
        if (!cJSON_IsString(v))
            return mismatch(ctx, "base64 text");
        return wf_aws_parse_blob_text(ctx, v->valuestring, out);
    }
    int number = strcmp(type, "integer") == 0 || strcmp(type, "long") == 0 ||
                 strcmp(type, "float") == 0 || strcmp(type, "double") == 0 ||
                 strcmp(type, "short") == 0 || strcmp(type, "byte") == 0;
    /* Numbers may come as text ("NaN", "Infinity"); booleans as "true"/"false". */
    if ((number || strcmp(type, "boolean") == 0) && cJSON_IsString(v))
        return wf_aws_parse_scalar_text(ctx, shape, v->valuestring, out);
    return copy_value(ctx, v, out);   /* strings, and anything already typed */
}

wf_status wf_aws_parse_json_value(wf_aws_parse_ctx *ctx, const cJSON *shape, const cJSON *v,
                                  cJSON **out)
{
    *out = NULL;
    if (cJSON_IsNull(v))
        return WF_OK;
    if (ctx->depth >= WF_AWS_PARSE_MAX_DEPTH)
        return wf_error_set(ctx->err, WF_EPARSE, "response nested too deeply");
    const char *type = wf_aws_parse_type(shape);
    wf_status rc;
    ctx->depth++;
    if (strcmp(type, "structure") == 0)
        rc = parse_structure(ctx, shape, v, out);
    else if (strcmp(type, "list") == 0)
        rc = parse_list(ctx, shape, v, out);
    else if (strcmp(type, "map") == 0)
        rc = parse_map(ctx, shape, v, out);
    else
        rc = parse_scalar(ctx, shape, v, out);
    ctx->depth--;
    return rc;
}

wf_status wf_aws_parse_json(wf_aws_parse_ctx *ctx, const cJSON *op,
                            const wf_http_response *resp, cJSON **out)
{
    *out = NULL;
    const cJSON *output = cJSON_GetObjectItemCaseSensitive(op, "output");
    const cJSON *shape = output ? wf_aws_parse_target(ctx, output) : NULL;
    if (output && !shape)
        return WF_EPARSE;
    size_t i = 0;
    while (i < resp->body_len && isspace((unsigned char)resp->body[i]))
        i++;
    if (!shape || i == resp->body_len) {
        *out = cJSON_CreateObject();   /* no output, or no body: {} as botocore */
        return *out ? WF_OK : oom(ctx);
    }
    cJSON *body = cJSON_ParseWithLength(resp->body, resp->body_len);
    if (!body)
        return wf_error_set(ctx->err, WF_EPARSE, "response body is not JSON");
    wf_status rc = wf_aws_parse_json_value(ctx, shape, body, out);
    cJSON_Delete(body);
    if (rc == WF_OK && !*out)
        *out = cJSON_CreateObject();   /* a body of "null" */
    if (rc == WF_OK && !*out)
        rc = oom(ctx);
    return rc;
}
