/* Request serialization entry point: looks the operation up, fills idempotency tokens,
 * dispatches on the model's protocol, and adds what every protocol shares (hostPrefix,
 * the checksum header an operation requires). */
#include "aws/serialize.h"
#include "aws/serialize_util.h"
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

/* A random UUID version 4, as botocore's generate_idempotent_uuid makes. */
static wf_status uuid4_token(char *out, size_t size)
{
    unsigned char b[16];
    if (size < 37 || RAND_bytes(b, sizeof b) != 1)
        return WF_EIO;
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);   /* version 4 */
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);   /* RFC 4122 variant */
    snprintf(out, size,
             "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
             b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12],
             b[13], b[14], b[15]);
    return WF_OK;
}

static wf_aws_token_fn token_fn = uuid4_token;

void wf_aws_set_token_generator(wf_aws_token_fn fn)
{
    token_fn = fn ? fn : uuid4_token;
}

/* A copy of params with a token in every top-level idempotencyToken member it lacks
 * (botocore fills only the input's own members too); *filled stays NULL when the input
 * has no such member, and params serve as they are. */
static wf_status fill_tokens(wf_aws_ser *s, const cJSON *input, const cJSON *params,
                             cJSON **filled)
{
    wf_aws_shape_info scratch;
    const wf_aws_shape_info *si = wf_aws_model_shape_info(s->model, input, &scratch);
    size_t tokens = si ? si->idempotency_tokens : 1;   /* unknown: look at each member */
    wf_aws_shape_info_release(&scratch);
    if (!tokens)
        return WF_OK;
    *filled = cJSON_Duplicate(params, true);
    if (!*filled)
        return wf_aws_ser_fail(s, WF_ENOMEM, "out of memory");
    const cJSON *member;
    cJSON_ArrayForEach(member, cJSON_GetObjectItemCaseSensitive(input, "members")) {
        if (!wf_aws_jtrue(member, "idempotencyToken"))
            continue;
        const cJSON *given = cJSON_GetObjectItemCaseSensitive(params, member->string);
        if (given && !cJSON_IsNull(given))
            continue;
        char token[64];
        if (token_fn(token, sizeof token) != WF_OK)
            return wf_aws_ser_fail(s, WF_EIO, "cannot generate an idempotency token");
        cJSON_DeleteItemFromObjectCaseSensitive(*filled, member->string);
        if (!cJSON_AddStringToObject(*filled, member->string, token))
            return wf_aws_ser_fail(s, WF_ENOMEM, "out of memory");
    }
    return WF_OK;
}

/* Host labels may only hold what a DNS label can: letters, digits, '-' and '.'. */
static bool valid_host_label(const char *v)
{
    if (!*v)
        return false;
    for (; *v; v++) {
        char c = *v;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '.'))
            return false;
    }
    return true;
}

/* Expands endpoint.hostPrefix ("{AccountId}.") from the hostLabel members of params. */
static wf_status expand_host_prefix(wf_aws_ser *s, const cJSON *params, wf_http_request *out)
{
    const cJSON *endpoint = cJSON_GetObjectItemCaseSensitive(s->operation, "endpoint");
    const char *prefix = wf_aws_jstr(endpoint, "hostPrefix");
    if (!prefix)
        return WF_OK;
    wf_aws_buf b = {0};
    for (const char *p = prefix; *p;) {
        const char *open = strchr(p, '{');
        const char *close = open ? strchr(open, '}') : NULL;
        if (!open || !close) {
            wf_aws_buf_puts(&b, p);
            break;
        }
        wf_aws_buf_append(&b, p, (size_t)(open - p));
        char label[128];
        snprintf(label, sizeof label, "%.*s", (int)(close - open - 1), open + 1);
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(params, label);
        if (!cJSON_IsString(v) || !valid_host_label(v->valuestring)) {
            wf_aws_buf_free(&b);
            size_t old = wf_aws_ser_push_name(s, label);
            wf_aws_ser_fail(s, WF_EINVAL, "a host label must be letters, digits, '-' or '.'");
            wf_aws_ser_pop(s, old);
            return WF_EINVAL;
        }
        wf_aws_buf_puts(&b, v->valuestring);
        p = close + 1;
    }
    out->host_prefix = wf_aws_buf_take(&b);
    return out->host_prefix ? WF_OK : wf_aws_ser_fail(s, WF_ENOMEM, "out of memory");
}

/* Operations that S3 rejects without a body checksum (DeleteObjects) get Content-MD5,
 * unless the caller already chose a checksum. */
static wf_status add_required_checksum(wf_aws_ser *s, wf_http_request *out)
{
    const cJSON *hc = cJSON_GetObjectItemCaseSensitive(s->operation, "httpChecksum");
    if (!wf_aws_jtrue(s->operation, "httpChecksumRequired") &&
        !wf_aws_jtrue(hc, "requestChecksumRequired"))
        return WF_OK;
    if (wf_http_headers_get(&out->headers, "Content-MD5"))
        return WF_OK;
    for (size_t i = 0; i < out->headers.count; i++)
        if (strncasecmp(out->headers.items[i].name, "x-amz-checksum-", 15) == 0)
            return WF_OK;
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int md_len = 0;
    if (EVP_Digest(out->body, out->body_len, md, &md_len, EVP_md5(), NULL) != 1)
        return wf_aws_ser_fail(s, WF_EIO, "cannot compute the body's MD5");
    char *b64 = wf_aws_base64(md, md_len);
    wf_status st = b64 ? wf_http_headers_set(&out->headers, "Content-MD5", b64) : WF_ENOMEM;
    free(b64);
    return st == WF_OK ? WF_OK : wf_aws_ser_fail(s, st, "out of memory");
}

wf_status wf_aws_serialize(const wf_aws_model *model, const char *operation,
                           const cJSON *params, wf_http_request *out, wf_error *err)
{
    assert(model && operation && out);
    wf_aws_ser s = {.model = model, .op_name = operation, .err = err};
    s.operation = wf_aws_model_operation(model, operation);
    if (!cJSON_IsObject(s.operation))
        return wf_error_set(err, WF_ENOTFOUND, "%s: no such operation in the %s model",
                            operation, wf_aws_model_meta(model, "serviceId") ?
                            wf_aws_model_meta(model, "serviceId") : "service");
    const char *protocol = wf_aws_model_protocol(model);
    if (!protocol)
        protocol = "";

    cJSON *empty = NULL;
    if (!params || (cJSON_IsArray(params) && !params->child)) {   /* {} from Lua may be [] */
        empty = cJSON_CreateObject();
        if (!empty)
            return wf_error_set(err, WF_ENOMEM, "out of memory");
        params = empty;
    }
    cJSON *filled = NULL;
    wf_status st;
    const cJSON *input = wf_aws_ser_input(&s);
    if (!cJSON_IsObject(params)) {
        st = wf_aws_ser_fail(&s, WF_EINVAL, "parameters must be a table");
        goto done;
    }
    if (input) {
        st = wf_aws_ser_check_structure(&s, input, params);
        if (st == WF_OK)
            st = fill_tokens(&s, input, params, &filled);
    } else if (cJSON_GetArraySize(params) > 0) {
        st = wf_aws_ser_fail(&s, WF_EINVAL, "takes no parameters");
    } else {
        st = WF_OK;
    }
    if (st != WF_OK)
        goto done;
    const cJSON *p = filled ? filled : params;

    if (strcmp(protocol, "query") == 0 || strcmp(protocol, "ec2") == 0)
        st = wf_aws_serialize_query(&s, p, strcmp(protocol, "ec2") == 0, out);
    else if (strcmp(protocol, "rest-xml") == 0)
        st = wf_aws_serialize_rest_xml(&s, p, out);
    else if (strcmp(protocol, "json") == 0)
        st = wf_aws_serialize_json(&s, p, out);
    else
        st = wf_error_set(err, WF_EINVAL, "%s: protocol \"%s\" is not supported", operation,
                          protocol);
    if (st == WF_OK)
        st = expand_host_prefix(&s, p, out);
    if (st == WF_OK && !out->body)
        st = wf_http_request_set_body(out, "", 0) == WF_OK
                 ? WF_OK : wf_aws_ser_fail(&s, WF_ENOMEM, "out of memory");
    if (st == WF_OK)
        st = add_required_checksum(&s, out);
done:
    cJSON_Delete(filled);
    cJSON_Delete(empty);
    return st;
}
