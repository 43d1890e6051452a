/* The answers whose wire form is not what walking the output shape gives: the reverse of
 * botocore's per-operation touches (parse_customize.c) — ec2 GetConsoleOutput's Output
 * travels in base64, cloudformation GetTemplate's TemplateBody as text, S3
 * GetBucketLocation as a bare <LocationConstraint>, S3 listings answering
 * EncodingType=url with their keys url-encoded — and the root element names S3 uses,
 * which the models do not carry. */
#include "aws/server_internal.h"
#include "aws/xml_writer.h"
#include "aws/uri_encode.h"
#include <stdlib.h>
#include <string.h>

static wf_status oom(wf_aws_ser *s)
{
    return wf_aws_ser_fail(s, WF_ENOMEM, "out of memory");
}

static bool is_service(const wf_aws_model *m, const char *prefix)
{
    const char *p = wf_aws_model_meta(m, "endpointPrefix");
    return p && strcmp(p, prefix) == 0;
}

const char *wf_sim_s3_root_name(const wf_aws_model *m, const char *operation)
{
    static const char *const roots[][2] = {
        {"ListBuckets", "ListAllMyBucketsResult"},
        {"ListObjects", "ListBucketResult"},
        {"ListObjectsV2", "ListBucketResult"},
        {"ListObjectVersions", "ListVersionsResult"},
        {"ListMultipartUploads", "ListMultipartUploadsResult"},
        {"ListParts", "ListPartsResult"},
        {"DeleteObjects", "DeleteResult"},
        {"CreateMultipartUpload", "InitiateMultipartUploadResult"},
        {"CompleteMultipartUpload", "CompleteMultipartUploadResult"},
        {"GetObjectTagging", "Tagging"},
        {"GetBucketTagging", "Tagging"},
        {"GetBucketVersioning", "VersioningConfiguration"},
        {"GetObjectAcl", "AccessControlPolicy"},
        {"GetBucketAcl", "AccessControlPolicy"},
    };
    if (!is_service(m, "s3"))
        return NULL;
    for (size_t i = 0; i < sizeof roots / sizeof roots[0]; i++)
        if (strcmp(roots[i][0], operation) == 0)
            return roots[i][1];
    return NULL;
}

/* Replaces obj[key] (a string) by f(its bytes); absent or other members are left. */
static wf_status map_string(wf_aws_ser *s, cJSON *obj, const char *key,
                            char *(*f)(const char *, size_t))
{
    cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!cJSON_IsString(v))
        return WF_OK;
    char *mapped = f(v->valuestring, strlen(v->valuestring));
    cJSON *nv = mapped ? cJSON_CreateString(mapped) : NULL;
    free(mapped);
    if (!nv)
        return oom(s);
    cJSON_ReplaceItemInObjectCaseSensitive(obj, key, nv);
    return WF_OK;
}

static char *to_base64(const char *bytes, size_t len)
{
    return wf_aws_base64((const unsigned char *)bytes, len);
}

/* S3 keeps '/' in the keys it url-encodes; the client decodes either way. */
static char *url_encode(const char *bytes, size_t len)
{
    return wf_uri_encode(bytes, len, true);
}

/* The members of each listing that EncodingType=url encodes: top-level names, then pairs
 * of (list, member of its items). */
static void listing_members(const char *op, const char *const **top,
                            const char *const **nested)
{
    static const char *const v1_top[] = {"Delimiter", "Marker", "NextMarker", NULL};
    static const char *const v2_top[] = {"Delimiter", "Prefix", "StartAfter", NULL};
    static const char *const versions_top[] = {"KeyMarker", "NextKeyMarker", "Prefix",
                                               "Delimiter", NULL};
    static const char *const objects_nested[] = {"Contents", "Key", "CommonPrefixes", "Prefix",
                                                 NULL};
    static const char *const versions_nested[] = {"Versions", "Key", "DeleteMarkers", "Key",
                                                  "CommonPrefixes", "Prefix", NULL};
    *top = NULL;
    *nested = NULL;
    if (strcmp(op, "ListObjects") == 0) {
        *top = v1_top;
        *nested = objects_nested;
    } else if (strcmp(op, "ListObjectsV2") == 0) {
        *top = v2_top;
        *nested = objects_nested;
    } else if (strcmp(op, "ListObjectVersions") == 0) {
        *top = versions_top;
        *nested = versions_nested;
    }
}

static bool changed_by_encoding(const cJSON *obj, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!cJSON_IsString(v))
        return false;
    for (const unsigned char *p = (const unsigned char *)v->valuestring; *p; p++)
        if (!wf_uri_is_unreserved(*p) && *p != '/')
            return true;
    return false;
}

/* False when url-encoding leaves every listed string as it is (keys such as "data/0001"):
 * the listing then goes out without a copy of 1,000 entries per page. */
static bool listing_needs_encoding(const char *op, const cJSON *result)
{
    const char *const *top, *const *nested;
    listing_members(op, &top, &nested);
    for (size_t i = 0; top && top[i]; i++)
        if (changed_by_encoding(result, top[i]))
            return true;
    for (size_t i = 0; nested && nested[i]; i += 2) {
        const cJSON *item;
        cJSON_ArrayForEach(item, cJSON_GetObjectItemCaseSensitive(result, nested[i]))
            if (changed_by_encoding(item, nested[i + 1]))
                return true;
    }
    return false;
}

static wf_status encode_listing(wf_aws_ser *s, const char *op, cJSON *result)
{
    const char *const *top, *const *nested;
    listing_members(op, &top, &nested);
    wf_status st = WF_OK;
    for (size_t i = 0; top && top[i] && st == WF_OK; i++)
        st = map_string(s, result, top[i], url_encode);
    for (size_t i = 0; nested && nested[i] && st == WF_OK; i += 2) {
        cJSON *item;
        cJSON_ArrayForEach(item, cJSON_GetObjectItemCaseSensitive(result, nested[i])) {
            st = map_string(s, item, nested[i + 1], url_encode);
            if (st != WF_OK)
                break;
        }
    }
    return st;
}

wf_status wf_sim_customize_result(wf_aws_ser *s, const cJSON *result, cJSON **adjusted)
{
    *adjusted = NULL;
    const char *op = s->operation->string;
    const cJSON *v = NULL;
    int which = 0;   /* 1 console output, 2 template, 3 url-encoded listing */
    if (is_service(s->model, "ec2") && strcmp(op, "GetConsoleOutput") == 0) {
        v = cJSON_GetObjectItemCaseSensitive(result, "Output");
        which = cJSON_IsString(v) ? 1 : 0;
    } else if (is_service(s->model, "cloudformation") && strcmp(op, "GetTemplate") == 0) {
        v = cJSON_GetObjectItemCaseSensitive(result, "TemplateBody");
        which = cJSON_IsObject(v) || cJSON_IsArray(v) ? 2 : 0;
    } else if (is_service(s->model, "s3")) {
        v = cJSON_GetObjectItemCaseSensitive(result, "EncodingType");
        which = cJSON_IsString(v) && strcmp(v->valuestring, "url") == 0 &&
                listing_needs_encoding(op, result) ? 3 : 0;
    }
    if (!which)
        return WF_OK;
    cJSON *copy = cJSON_Duplicate(result, true);
    if (!copy)
        return oom(s);
    wf_status st = WF_OK;
    if (which == 1) {
        st = map_string(s, copy, "Output", to_base64);
    } else if (which == 2) {
        /* A template given as a table travels as JSON text; the client parses it back. */
        char *text = cJSON_PrintUnformatted(v);
        cJSON *nv = text ? cJSON_CreateString(text) : NULL;
        free(text);
        if (nv)
            cJSON_ReplaceItemInObjectCaseSensitive(copy, "TemplateBody", nv);
        else
            st = oom(s);
    } else {
        st = encode_listing(s, op, copy);
    }
    if (st != WF_OK) {
        cJSON_Delete(copy);
        return st;
    }
    *adjusted = copy;
    return WF_OK;
}

wf_status wf_sim_customize_body(wf_aws_ser *s, const cJSON *result, wf_http_response *out,
                                bool *done)
{
    *done = false;
    if (!is_service(s->model, "s3") || strcmp(s->operation->string, "GetBucketLocation") != 0)
        return WF_OK;
    /* <LocationConstraint>eu-west-1</LocationConstraint>; empty for us-east-1. */
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(result, "LocationConstraint");
    if (v && !cJSON_IsNull(v) && !cJSON_IsString(v))
        return wf_aws_ser_fail(s, WF_EINVAL, "LocationConstraint: expected a string");
    char ns[256];
    wf_sim_xml_namespace(s->model, ns, sizeof ns);
    wf_xml_writer w = {0};
    wf_xml_start(&w, "LocationConstraint");
    wf_xml_attr(&w, "xmlns", ns);
    if (cJSON_IsString(v))
        wf_xml_text(&w, v->valuestring, strlen(v->valuestring));
    wf_xml_end(&w);
    wf_status st = wf_sim_take_xml(s, &w, out);
    if (st == WF_OK &&
        wf_http_headers_set(&out->headers, "Content-Type", "application/xml") != WF_OK)
        st = oom(s);
    *done = st == WF_OK;
    return st;
}
