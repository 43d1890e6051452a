/* The few per-operation touches botocore gives parsed answers (its handlers.py
 * "after-call"/"before-parse" hooks), so results match boto3 and the CLI:
 * ec2 GetConsoleOutput's Output is base64-decoded, cloudformation GetTemplate's JSON
 * TemplateBody becomes an object, s3 GetBucketLocation reads the bare root element,
 * S3's Expires header is also kept verbatim as ExpiresString, and S3 listings asked
 * with EncodingType=url on the caller's behalf get their keys decoded back. */
#include "parse_internal.h"
#include "utf8.h"
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* Bytes read as UTF-8 with Python's "replace" rule (one U+FFFD per maximal broken
 * subpart): the engine's shared sanitiser implements exactly that. */
char *wf_aws_parse_utf8_replace(const unsigned char *in, size_t len)
{
    return wf_utf8_sanitize((const char *)in, len, NULL);
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = tolower(c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Python's urllib.parse.unquote_plus, which botocore's unquote_str is: %XX decoded,
 * "+" is a space (S3's url encoding of listing keys writes spaces so), the bytes read
 * as UTF-8. */
static char *url_unquote(const char *s)
{
    size_t len = strlen(s);
    unsigned char *raw = malloc(len + 1);
    if (!raw)
        return NULL;
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        int h1, h2;
        if (s[i] == '%' && i + 2 < len && (h1 = hexval((unsigned char)s[i + 1])) >= 0 &&
            (h2 = hexval((unsigned char)s[i + 2])) >= 0) {
            raw[n++] = (unsigned char)(h1 * 16 + h2);
            i += 2;
        } else if (s[i] == '+') {
            raw[n++] = ' ';
        } else {
            raw[n++] = (unsigned char)s[i];
        }
    }
    char *out = wf_aws_parse_utf8_replace(raw, n);
    free(raw);
    return out;
}

/* Replaces obj[key] (a string) by f(string); absent or non-string members are left. */
static wf_status map_string(wf_aws_parse_ctx *ctx, cJSON *obj, const char *key,
                            char *(*f)(const char *))
{
    cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!cJSON_IsString(v))
        return WF_OK;
    char *mapped = f(v->valuestring);
    cJSON *nv = mapped ? cJSON_CreateString(mapped) : NULL;
    free(mapped);
    if (!nv)
        return wf_error_set(ctx->err, WF_ENOMEM, "out of memory");
    cJSON_ReplaceItemInObjectCaseSensitive(obj, key, nv);
    return WF_OK;
}

static char *decode_console(const char *b64)
{
    size_t len = strlen(b64);
    unsigned char *bytes = malloc(len / 4 * 3 + 3);
    if (!bytes)
        return NULL;
    long n = wf_aws_parse_b64_decode(b64, len, bytes);
    char *out = n < 0 ? strdup(b64) : wf_aws_parse_utf8_replace(bytes, (size_t)n);
    free(bytes);
    return out;
}

/* ListObjects, ListObjectsV2, ListObjectVersions: the members S3 url-encodes. */
static wf_status decode_listing(wf_aws_parse_ctx *ctx, const char *op, cJSON *result)
{
    static const char *const v1_top[] = {"Delimiter", "Marker", "NextMarker", NULL};
    static const char *const v2_top[] = {"Delimiter", "Prefix", "StartAfter", NULL};
    static const char *const versions_top[] = {"KeyMarker", "NextKeyMarker", "Prefix",
                                               "Delimiter", NULL};
    static const char *const objects_nested[] = {"Contents", "Key", "CommonPrefixes", "Prefix",
                                                 NULL};
    static const char *const versions_nested[] = {"Versions", "Key", "DeleteMarkers", "Key",
                                                  "CommonPrefixes", "Prefix", NULL};
    const char *const *top, *const *nested;
    if (strcmp(op, "ListObjects") == 0) {
        top = v1_top;
        nested = objects_nested;
    } else if (strcmp(op, "ListObjectsV2") == 0) {
        top = v2_top;
        nested = objects_nested;
    } else if (strcmp(op, "ListObjectVersions") == 0) {
        top = versions_top;
        nested = versions_nested;
    } else {
        return WF_OK;
    }
    const char *encoding = wf_aws_parse_str(result, "EncodingType");
    if (!encoding || strcmp(encoding, "url") != 0)
        return WF_OK;
    wf_status rc = WF_OK;
    for (size_t i = 0; top[i] && rc == WF_OK; i++)
        rc = map_string(ctx, result, top[i], url_unquote);
    for (size_t i = 0; nested[i] && rc == WF_OK; i += 2) {
        cJSON *item;
        cJSON_ArrayForEach(item, cJSON_GetObjectItemCaseSensitive(result, nested[i])) {
            if ((rc = map_string(ctx, item, nested[i + 1], url_unquote)) != WF_OK)
                break;
        }
    }
    return rc;
}

/* GetBucketLocation answers <LocationConstraint>eu-west-1</LocationConstraint>: the
 * root element is the member; empty (us-east-1) gives null, as in boto3. */
static wf_status bucket_location(wf_aws_parse_ctx *ctx, const wf_http_response *resp,
                                 cJSON *result)
{
    wf_xml_node *doc = NULL;
    wf_status rc = wf_aws_parse_xml_body(ctx, resp, &doc);
    if (rc != WF_OK || !doc)
        return rc;
    cJSON *v = doc->text_len ? cJSON_CreateString(doc->text) : cJSON_CreateNull();
    wf_xml_free(doc);
    if (!v)
        return wf_error_set(ctx->err, WF_ENOMEM, "out of memory");
    cJSON_DeleteItemFromObjectCaseSensitive(result, "LocationConstraint");
    cJSON_AddItemToObject(result, "LocationConstraint", v);
    return WF_OK;
}

/* botocore keeps S3's Expires header text as ExpiresString, since the header is often
 * not a valid date (then Expires itself is left out). */
static wf_status expires_string(wf_aws_parse_ctx *ctx, const cJSON *op,
                                const wf_http_response *resp, cJSON *result)
{
    const cJSON *output = cJSON_GetObjectItemCaseSensitive(op, "output");
    const cJSON *shape = output ? wf_aws_model_shape(ctx->model, wf_aws_parse_str(output, "shape")) : NULL;
    wf_aws_shape_info scratch;
    const wf_aws_shape_info *si = shape ? wf_aws_model_shape_info(ctx->model, shape, &scratch)
                                        : NULL;
    if (shape && !si)
        return wf_error_set(ctx->err, WF_ENOMEM, "out of memory");
    const wf_aws_member_info *ref = si ? wf_aws_shape_info_member(si, "Expires") : NULL;
    const char *loc = ref ? ref->location_name : NULL;
    if (si)
        wf_aws_shape_info_release(&scratch);
    const char *value = wf_http_headers_get(&resp->headers, "Expires");
    if (!loc || strcmp(loc, "Expires") != 0 || !value)
        return WF_OK;
    return cJSON_AddStringToObject(result, "ExpiresString", value)
               ? WF_OK : wf_error_set(ctx->err, WF_ENOMEM, "out of memory");
}

wf_status wf_aws_parse_customize(wf_aws_parse_ctx *ctx, const char *op_name, const cJSON *op,
                                 const wf_http_response *resp, cJSON *result)
{
    const char *service = wf_aws_model_meta(ctx->model, "endpointPrefix");
    if (!service)
        return WF_OK;
    if (strcmp(service, "ec2") == 0 && strcmp(op_name, "GetConsoleOutput") == 0)
        return map_string(ctx, result, "Output", decode_console);
    if (strcmp(service, "cloudformation") == 0 && strcmp(op_name, "GetTemplate") == 0) {
        const char *body = wf_aws_parse_str(result, "TemplateBody");
        cJSON *parsed = body ? cJSON_ParseWithOpts(body, NULL, 1) : NULL;
        if (parsed)   /* YAML templates stay text */
            cJSON_ReplaceItemInObjectCaseSensitive(result, "TemplateBody", parsed);
        return WF_OK;
    }
    if (strcmp(service, "s3") != 0)
        return WF_OK;
    wf_status rc = WF_OK;
    if (strcmp(op_name, "GetBucketLocation") == 0)
        rc = bucket_location(ctx, resp, result);
    if (rc == WF_OK && ctx->opts.decode_listing_keys)
        rc = decode_listing(ctx, op_name, result);
    if (rc == WF_OK)
        rc = expires_string(ctx, op, resp, result);
    return rc;
}
