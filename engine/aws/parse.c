/* Entry point of the response parsers: picks the protocol, tells success from AWS
 * error, and reads modeled error shapes; also the model helpers the parsers share. */
#include "parse_internal.h"
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char *wf_aws_parse_str(const cJSON *obj, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

int wf_aws_parse_flag(const cJSON *obj, const char *key)
{
    return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(obj, key));
}

const char *wf_aws_parse_type(const cJSON *shape)
{
    const char *t = wf_aws_parse_str(shape, "type");
    return t ? t : "";
}

const cJSON *wf_aws_parse_target(wf_aws_parse_ctx *ctx, const cJSON *ref)
{
    const char *name = wf_aws_parse_str(ref, "shape");
    const cJSON *shape = name ? wf_aws_model_shape(ctx->model, name) : NULL;
    if (!cJSON_IsObject(shape))
        wf_error_set(ctx->err, WF_EPARSE, "service model: no shape \"%s\"", name ? name : "?");
    return cJSON_IsObject(shape) ? shape : NULL;
}

void wf_aws_parse_copy(char *dst, size_t size, const char *src)
{
    size_t n = strlen(src);
    if (n >= size) {
        n = size - 1;
        /* Do not leave half a UTF-8 character at the end. */
        while (n > 0 && ((unsigned char)src[n] & 0xC0) == 0x80)
            n--;
    }
    memcpy(dst, src, n);
    dst[n] = '\0';
}

const char *wf_aws_parse_reason(int status)
{
    static const struct { int status; const char *text; } reasons[] = {
        {300, "Multiple Choices"}, {301, "Moved Permanently"}, {302, "Found"},
        {303, "See Other"}, {304, "Not Modified"}, {307, "Temporary Redirect"},
        {308, "Permanent Redirect"}, {400, "Bad Request"}, {401, "Unauthorized"},
        {403, "Forbidden"}, {404, "Not Found"}, {405, "Method Not Allowed"},
        {406, "Not Acceptable"}, {408, "Request Timeout"}, {409, "Conflict"},
        {410, "Gone"}, {411, "Length Required"}, {412, "Precondition Failed"},
        {413, "Request Entity Too Large"}, {414, "Request-URI Too Long"},
        {415, "Unsupported Media Type"}, {416, "Requested Range Not Satisfiable"},
        {417, "Expectation Failed"}, {429, "Too Many Requests"},
        {500, "Internal Server Error"}, {501, "Not Implemented"}, {502, "Bad Gateway"},
        {503, "Service Unavailable"}, {504, "Gateway Timeout"},
        {505, "HTTP Version Not Supported"},
    };
    for (size_t i = 0; i < sizeof reasons / sizeof reasons[0]; i++)
        if (reasons[i].status == status)
            return reasons[i].text;
    return "";
}

const char *wf_aws_parse_header_request_id(const wf_http_response *resp)
{
    /* One pass for both names: the first x-amzn-RequestId wins over any x-amz-request-id. */
    const char *amz = NULL;
    for (size_t i = 0; i < resp->headers.count; i++) {
        const wf_http_header *h = &resp->headers.items[i];
        if (strcasecmp(h->name, "x-amzn-RequestId") == 0)
            return h->value;
        if (!amz && strcasecmp(h->name, "x-amz-request-id") == 0)
            amz = h->value;
    }
    return amz;
}

/* Does the exception shape answer to code (its name, or the code its "error" trait sets)? */
static int shape_has_code(const char *name, const cJSON *shape, const char *code)
{
    if (!cJSON_IsObject(shape) || !wf_aws_parse_flag(shape, "exception"))
        return 0;
    const char *custom = wf_aws_parse_str(cJSON_GetObjectItemCaseSensitive(shape, "error"), "code");
    return strcmp(custom ? custom : name, code) == 0;
}

/* The error shape for code: the operation's own errors first, then any exception shape
 * of the model, as botocore's shape_for_error_code. */
static const cJSON *find_error_shape(const wf_aws_model *model, const cJSON *op, const char *code)
{
    if (!code[0])
        return NULL;
    const cJSON *ref;
    cJSON_ArrayForEach(ref, cJSON_GetObjectItemCaseSensitive(op, "errors")) {
        const char *name = wf_aws_parse_str(ref, "shape");
        if (name && shape_has_code(name, wf_aws_model_shape(model, name), code))
            return wf_aws_model_shape(model, name);
    }
    const cJSON *shape;
    cJSON_ArrayForEach(shape, model->shapes) {
        if (shape_has_code(shape->string, shape, code))
            return shape;
    }
    return NULL;
}

/* The AWS error stands even when its modeled members cannot be read: only running out
 * of memory fails the call. */
static wf_status modeled_outcome(wf_aws_parse_ctx *ctx, wf_status rc, cJSON **result)
{
    if (rc == WF_OK)
        return WF_OK;
    cJSON_Delete(*result);
    *result = NULL;
    return rc == WF_ENOMEM ? wf_error_set(ctx->err, WF_ENOMEM, "out of memory") : WF_OK;
}

/* Fills ctx->meta for an error answer and, when the code names an error shape, reads
 * that shape's members into *result. */
static wf_status parse_error(wf_aws_parse_ctx *ctx, const char *protocol, const cJSON *op,
                             const wf_http_response *resp, cJSON **result)
{
    wf_status rc;
    ctx->meta->is_error = 1;
    if (strcmp(protocol, "json") == 0) {
        cJSON *body = NULL;
        rc = wf_aws_parse_error_json(ctx, resp, &body);
        const cJSON *shape = rc == WF_OK ? find_error_shape(ctx->model, op, ctx->meta->code) : NULL;
        if (shape) {
            cJSON *empty = body ? NULL : cJSON_CreateObject();
            rc = wf_aws_parse_json_value(ctx, shape, body ? body : empty, result);
            cJSON_Delete(empty);
        }
        cJSON_Delete(body);
        return modeled_outcome(ctx, rc, result);
    }
    wf_xml_node *doc = NULL;
    const wf_xml_node *node = NULL;
    rc = wf_aws_parse_error_xml(ctx, resp, &doc, &node);
    const cJSON *shape = rc == WF_OK ? find_error_shape(ctx->model, op, ctx->meta->code) : NULL;
    if (shape) {
        cJSON *obj = cJSON_CreateObject();
        if (!obj)
            rc = wf_error_set(ctx->err, WF_ENOMEM, "out of memory");
        if (rc == WF_OK && strcmp(protocol, "rest-xml") == 0)
            rc = wf_aws_parse_rest_located(ctx, shape, resp, obj);
        if (rc == WF_OK && node)
            rc = wf_aws_parse_xml_members(ctx, shape, node, 1, obj);
        if (rc == WF_OK)
            *result = obj;
        else
            cJSON_Delete(obj);
    }
    wf_xml_free(doc);
    return modeled_outcome(ctx, rc, result);
}

/* The answer to operation, per the protocol of ctx->model. */
static wf_status parse_response(wf_aws_parse_ctx *ctx, const char *operation,
                                const wf_http_response *resp, cJSON **result)
{
    const cJSON *op = wf_aws_model_operation(ctx->model, operation);
    if (!cJSON_IsObject(op))
        return wf_error_set(ctx->err, WF_ENOTFOUND, "service model: no operation \"%s\"",
                            operation);
    const char *protocol = wf_aws_model_protocol(ctx->model);
    if (!protocol)
        protocol = "";
    int ec2 = strcmp(protocol, "ec2") == 0, query = strcmp(protocol, "query") == 0;
    int rest_xml = strcmp(protocol, "rest-xml") == 0, json = strcmp(protocol, "json") == 0;
    if (!ec2 && !query && !rest_xml && !json)
        return wf_error_set(ctx->err, WF_EINVAL, "protocol \"%s\" is not supported", protocol);

    wf_status rc;
    if (resp->status >= 300)
        return parse_error(ctx, protocol, op, resp, result);
    if (rest_xml) {
        int looks_like_error = 0;
        rc = wf_aws_parse_rest_xml(ctx, op, resp, result, &looks_like_error);
        if (rc == WF_OK && looks_like_error) {
            /* botocore turns these into 500s so they are retried; so do we. */
            ctx->meta->status = 500;
            return parse_error(ctx, protocol, op, resp, result);
        }
    } else if (json) {
        rc = wf_aws_parse_json(ctx, op, resp, result);
    } else {
        rc = wf_aws_parse_query(ctx, operation, op, resp, ec2, result);
    }
    if (rc == WF_OK)
        rc = wf_aws_parse_customize(ctx, operation, op, resp, *result);
    if (rc != WF_OK) {
        cJSON_Delete(*result);
        *result = NULL;
        return rc;
    }
    if (!ctx->meta->request_id[0]) {
        const char *id = wf_aws_parse_header_request_id(resp);
        if (id)
            wf_aws_parse_copy(ctx->meta->request_id, sizeof ctx->meta->request_id, id);
    }
    return WF_OK;
}

wf_status wf_aws_parse_response_ex(const wf_aws_model *model, const char *operation,
                                   const wf_http_response *resp,
                                   const wf_aws_parse_options *options, cJSON **result,
                                   wf_aws_error *aws_error, wf_error *err)
{
    assert(model && operation && resp && result && aws_error);
    *result = NULL;
    memset(aws_error, 0, sizeof *aws_error);
    aws_error->status = resp->status;
    wf_aws_parse_ctx ctx = {.model = model, .meta = aws_error, .err = err};
    if (options)
        ctx.opts = *options;
    return parse_response(&ctx, operation, resp, result);
}

wf_status wf_aws_parse_response(const wf_aws_model *model, const char *operation,
                                const wf_http_response *resp, cJSON **result,
                                wf_aws_error *aws_error, wf_error *err)
{
    return wf_aws_parse_response_ex(model, operation, resp, NULL, result, aws_error, err);
}
