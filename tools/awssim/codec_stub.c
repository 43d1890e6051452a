/* TEMPORARY codec (delete this file when the real codecs of codec.h land): hand-written
 * decoding and encoding for the few operations that prove awssim's plumbing end to end —
 * sts GetCallerIdentity (query), ec2 DescribeImages (ec2), S3 ListBuckets, CreateBucket,
 * PutObject, GetObject, HeadObject (rest-xml) — and every protocol's error document.
 * Anything else is "unknown operation". Nothing here walks the model's shapes. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "aws/uri_encode.h"
#include "aws/xml_writer.h"
#include "codec.h"

/* ---- small helpers ---------------------------------------------------------------------- */

/* A form component decoded: '+' is a space, then %XX escapes (so "%2B" stays '+'). */
static char *form_decode(const char *s, size_t len)
{
    char *raw = strndup(s, len);
    if (!raw)
        return NULL;
    for (char *c = raw; *c; c++)
        if (*c == '+')
            *c = ' ';
    char *out = wf_uri_decode(raw, strlen(raw), NULL);
    free(raw);
    return out;
}

/* Calls fn(name, value) for each decoded pair of an "a=b&c=d" string. */
static wf_status each_form_pair(const char *s, size_t len,
                                wf_status (*fn)(const char *, const char *, void *), void *ud)
{
    const char *end = s + len;
    for (const char *p = s; p < end;) {
        const char *amp = memchr(p, '&', (size_t)(end - p));
        const char *item_end = amp ? amp : end;
        const char *eq = memchr(p, '=', (size_t)(item_end - p));
        const char *name_end = eq ? eq : item_end;
        char *name = form_decode(p, (size_t)(name_end - p));
        char *value = eq ? form_decode(eq + 1, (size_t)(item_end - eq - 1)) : strdup("");
        if (!name || !value) {
            free(name);
            free(value);
            return WF_ENOMEM;
        }
        wf_status st = *name ? fn(name, value, ud) : WF_OK;
        free(name);
        free(value);
        if (st != WF_OK)
            return st;
        p = amp ? amp + 1 : end;
    }
    return WF_OK;
}

static wf_status form_to_object(const char *name, const char *value, void *ud)
{
    return cJSON_AddStringToObject(ud, name, value) ? WF_OK : WF_ENOMEM;
}

static void format_iso(double t, char *buf, size_t size)
{
    time_t secs = (time_t)t;
    struct tm tm;
    gmtime_r(&secs, &tm);
    snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)((t - (double)secs) * 1000));
}

static void format_http_date(double t, char *buf, size_t size)
{
    time_t secs = (time_t)t;
    struct tm tm;
    gmtime_r(&secs, &tm);
    strftime(buf, size, "%a, %d %b %Y %H:%M:%S GMT", &tm);
}

/* A timestamp member (epoch number or text) as XML text. */
static void timestamp_text(const cJSON *v, char *buf, size_t size)
{
    if (cJSON_IsNumber(v))
        format_iso(v->valuedouble, buf, size);
    else
        snprintf(buf, size, "%s", cJSON_IsString(v) ? v->valuestring : "");
}

static void xml_leaf(wf_xml_writer *w, const char *name, const char *text)
{
    wf_xml_start(w, name);
    wf_xml_text(w, text, strlen(text));
    wf_xml_end(w);
}

/* A string, number or boolean member as XML text, when present. */
static void xml_member(wf_xml_writer *w, const char *name, const cJSON *obj, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    char buf[64];
    if (cJSON_IsString(v)) {
        xml_leaf(w, name, v->valuestring);
    } else if (cJSON_IsBool(v)) {
        xml_leaf(w, name, cJSON_IsTrue(v) ? "true" : "false");
    } else if (cJSON_IsNumber(v)) {
        snprintf(buf, sizeof buf, "%.17g", v->valuedouble);
        xml_leaf(w, name, buf);
    }
}

static wf_status take_xml(wf_xml_writer *w, wf_http_response *out, wf_error *err)
{
    size_t len = 0;
    char *doc = wf_xml_writer_take(w, &len);
    wf_xml_writer_free(w);
    if (!doc)
        return wf_error_set(err, WF_ENOMEM, "codec stub: out of memory");
    static const char decl[] = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
    out->body = malloc(sizeof decl + len);
    if (!out->body) {
        free(doc);
        return wf_error_set(err, WF_ENOMEM, "codec stub: out of memory");
    }
    memcpy(out->body, decl, sizeof decl - 1);
    memcpy(out->body + sizeof decl - 1, doc, len + 1);
    out->body_len = sizeof decl - 1 + len;
    free(doc);
    return wf_http_headers_set(&out->headers, "Content-Type", "text/xml");
}

static void xml_namespace(wf_xml_writer *w, const wf_aws_model *m)
{
    const char *ns = wf_aws_model_meta(m, "xmlNamespace");
    if (ns)
        wf_xml_attr(w, "xmlns", ns);
}

static const char *protocol(const wf_aws_model *m)
{
    const char *p = wf_aws_model_protocol(m);
    return p ? p : "";
}

/* ---- decode --------------------------------------------------------------------------- */

/* ec2 lists: "ImageId.1" -> ImageIds[1], "Filter.1.Name" / "Filter.1.Value.2" -> Filters. */
static wf_status ec2_describe_images_params(const cJSON *form, cJSON *params)
{
    cJSON *ids = NULL, *owners = NULL, *filters = NULL;
    const cJSON *item;
    cJSON_ArrayForEach(item, form) {
        const char *k = item->string;
        int n = 0, m = 0;
        char field[16];
        if (sscanf(k, "ImageId.%d", &n) == 1) {
            if (!ids && !(ids = cJSON_AddArrayToObject(params, "ImageIds")))
                return WF_ENOMEM;
            cJSON_AddItemToArray(ids, cJSON_CreateString(item->valuestring));
        } else if (sscanf(k, "Owner.%d", &n) == 1) {
            if (!owners && !(owners = cJSON_AddArrayToObject(params, "Owners")))
                return WF_ENOMEM;
            cJSON_AddItemToArray(owners, cJSON_CreateString(item->valuestring));
        } else if (sscanf(k, "Filter.%d.%15[A-Za-z].%d", &n, field, &m) >= 2 && n >= 1 &&
                   n <= 50) {
            if (!filters && !(filters = cJSON_AddArrayToObject(params, "Filters")))
                return WF_ENOMEM;
            while (cJSON_GetArraySize(filters) < n)
                cJSON_AddItemToArray(filters, cJSON_CreateObject());
            cJSON *f = cJSON_GetArrayItem(filters, n - 1);
            if (strcmp(field, "Name") == 0) {
                cJSON_AddStringToObject(f, "Name", item->valuestring);
            } else if (strcmp(field, "Value") == 0) {
                cJSON *values = cJSON_GetObjectItemCaseSensitive(f, "Values");
                if (!values)
                    values = cJSON_AddArrayToObject(f, "Values");
                cJSON_AddItemToArray(values, cJSON_CreateString(item->valuestring));
            }
        }
    }
    return WF_OK;
}

static wf_status decode_query(const wf_aws_model *m, const wf_http_request *req,
                              char **operation, cJSON **params, wf_error *err)
{
    cJSON *form = cJSON_CreateObject();
    if (!form)
        return wf_error_set(err, WF_ENOMEM, "codec stub: out of memory");
    wf_status st = each_form_pair(req->query, strlen(req->query), form_to_object, form);
    if (st == WF_OK && strcmp(req->method, "POST") == 0)
        st = each_form_pair(req->body, req->body_len, form_to_object, form);
    if (st != WF_OK) {
        cJSON_Delete(form);
        return wf_error_set(err, st, "codec stub: out of memory");
    }
    const cJSON *action = cJSON_GetObjectItemCaseSensitive(form, "Action");
    if (!cJSON_IsString(action)) {
        cJSON_Delete(form);
        return wf_error_set(err, WF_ENOTFOUND, "Could not find operation: no Action");
    }
    const char *op = action->valuestring;
    if (!wf_aws_model_operation(m, op)) {
        st = wf_error_set(err, WF_ENOTFOUND, "Could not find operation %s", op);
    } else if (strcmp(op, "GetCallerIdentity") != 0 && strcmp(op, "DescribeImages") != 0) {
        st = wf_error_set(err, WF_ENOTFOUND, "awssim's temporary codec cannot decode %s yet", op);
    } else {
        *params = cJSON_CreateObject();
        *operation = strdup(op);
        if (!*params || !*operation)
            st = wf_error_set(err, WF_ENOMEM, "codec stub: out of memory");
        else if (strcmp(op, "DescribeImages") == 0)
            st = ec2_describe_images_params(form, *params);
    }
    cJSON_Delete(form);
    return st;
}

/* x-amz-meta-* headers as the Metadata map. */
static wf_status s3_metadata(const wf_http_request *req, cJSON *params)
{
    cJSON *meta = NULL;
    for (size_t i = 0; i < req->headers.count; i++) {
        const wf_http_header *h = &req->headers.items[i];
        if (strncasecmp(h->name, "x-amz-meta-", 11) != 0)
            continue;
        if (!meta && !(meta = cJSON_AddObjectToObject(params, "Metadata")))
            return WF_ENOMEM;
        char name[256];
        snprintf(name, sizeof name, "%s", h->name + 11);
        for (char *c = name; *c; c++)
            *c = (char)tolower((unsigned char)*c);
        cJSON_AddStringToObject(meta, name, h->value);
    }
    return WF_OK;
}

static wf_status decode_s3(const wf_http_request *req, const char *host_bucket,
                           char **operation, cJSON **params, wf_error *err)
{
    /* Path-style "/bucket/key", virtual-hosted "/key". */
    const char *p = req->path[0] == '/' ? req->path + 1 : req->path;
    char *bucket = NULL, *key = NULL;
    if (host_bucket) {
        bucket = strdup(host_bucket);
        key = *p ? wf_uri_decode(p, strlen(p), NULL) : NULL;
    } else if (*p) {
        const char *slash = strchr(p, '/');
        bucket = wf_uri_decode(p, slash ? (size_t)(slash - p) : strlen(p), NULL);
        key = slash && slash[1] ? wf_uri_decode(slash + 1, strlen(slash + 1), NULL) : NULL;
    }
    const char *method = req->method, *op = NULL;
    bool subresource = req->query[0] != '\0';
    if (!bucket && strcmp(method, "GET") == 0 && !subresource)
        op = "ListBuckets";
    else if (bucket && !key && strcmp(method, "PUT") == 0 && !subresource)
        op = "CreateBucket";
    else if (bucket && key && strcmp(method, "PUT") == 0 && !subresource &&
             !wf_http_headers_get(&req->headers, "x-amz-copy-source"))
        op = "PutObject";
    else if (bucket && key && strcmp(method, "GET") == 0 && !subresource)
        op = "GetObject";
    else if (bucket && key && strcmp(method, "HEAD") == 0 && !subresource)
        op = "HeadObject";
    wf_status st = WF_OK;
    if (!op) {
        st = wf_error_set(err, WF_ENOTFOUND, "awssim's temporary codec cannot route %s %s%s%s",
                          method, req->path, subresource ? "?" : "", req->query);
        goto done;
    }
    *params = cJSON_CreateObject();
    *operation = strdup(op);
    if (!*params || !*operation ||
        (bucket && !cJSON_AddStringToObject(*params, "Bucket", bucket)) ||
        (key && !cJSON_AddStringToObject(*params, "Key", key))) {
        st = wf_error_set(err, WF_ENOMEM, "codec stub: out of memory");
        goto done;
    }
    if (strcmp(op, "PutObject") == 0) {
        const char *type = wf_http_headers_get(&req->headers, "Content-Type");
        if (type)
            cJSON_AddStringToObject(*params, "ContentType", type);
        st = s3_metadata(req, *params);
    } else if (strcmp(op, "CreateBucket") == 0 && req->body_len) {
        const char *lc = strstr(req->body, "<LocationConstraint>");
        const char *end = lc ? strstr(lc, "</LocationConstraint>") : NULL;
        if (lc && end) {
            lc += strlen("<LocationConstraint>");
            cJSON *cfg = cJSON_AddObjectToObject(*params, "CreateBucketConfiguration");
            char *region = strndup(lc, (size_t)(end - lc));
            if (!cfg || !region || !cJSON_AddStringToObject(cfg, "LocationConstraint", region))
                st = wf_error_set(err, WF_ENOMEM, "codec stub: out of memory");
            free(region);
        }
    }
done:
    free(bucket);
    free(key);
    return st;
}

wf_status wf_sim_decode_request(const wf_aws_model *m, const wf_http_request *req,
                                const char *bucket_from_host, char **operation,
                                cJSON **params, wf_error *err)
{
    *operation = NULL;
    *params = NULL;
    const char *p = protocol(m);
    wf_status st;
    if (strcmp(p, "query") == 0 || strcmp(p, "ec2") == 0)
        st = decode_query(m, req, operation, params, err);
    else if (strcmp(p, "rest-xml") == 0)
        st = decode_s3(req, bucket_from_host, operation, params, err);
    else
        st = wf_error_set(err, WF_ENOTFOUND, "awssim's temporary codec cannot decode %s yet", p);
    if (st != WF_OK) {
        free(*operation);
        cJSON_Delete(*params);
        *operation = NULL;
        *params = NULL;
    }
    return st;
}

/* ---- encode ----------------------------------------------------------------------------- */

static wf_status encode_get_caller_identity(const wf_aws_model *m, const cJSON *r,
                                            const char *request_id, wf_http_response *out,
                                            wf_error *err)
{
    wf_xml_writer w = {0};
    wf_xml_start(&w, "GetCallerIdentityResponse");
    xml_namespace(&w, m);
    wf_xml_start(&w, "GetCallerIdentityResult");
    xml_member(&w, "Arn", r, "Arn");
    xml_member(&w, "UserId", r, "UserId");
    xml_member(&w, "Account", r, "Account");
    wf_xml_end(&w);
    wf_xml_start(&w, "ResponseMetadata");
    xml_leaf(&w, "RequestId", request_id);
    wf_xml_end(&w);
    wf_xml_end(&w);
    return take_xml(&w, out, err);
}

static void ec2_tags(wf_xml_writer *w, const cJSON *tags)
{
    if (!cJSON_IsArray(tags) || cJSON_GetArraySize(tags) == 0)
        return;
    wf_xml_start(w, "tagSet");
    const cJSON *t;
    cJSON_ArrayForEach(t, tags) {
        wf_xml_start(w, "item");
        xml_member(w, "key", t, "Key");
        xml_member(w, "value", t, "Value");
        wf_xml_end(w);
    }
    wf_xml_end(w);
}

static wf_status encode_describe_images(const wf_aws_model *m, const cJSON *r,
                                        const char *request_id, wf_http_response *out,
                                        wf_error *err)
{
    static const char *const fields[][2] = {
        {"imageId", "ImageId"}, {"imageLocation", "ImageLocation"},
        {"imageState", "State"}, {"imageOwnerId", "OwnerId"},
        {"creationDate", "CreationDate"}, {"isPublic", "Public"},
        {"architecture", "Architecture"}, {"imageType", "ImageType"},
        {"name", "Name"}, {"description", "Description"},
        {"rootDeviceType", "RootDeviceType"}, {"rootDeviceName", "RootDeviceName"},
        {"virtualizationType", "VirtualizationType"}, {"hypervisor", "Hypervisor"},
        {"deprecationTime", "DeprecationTime"},
    };
    wf_xml_writer w = {0};
    wf_xml_start(&w, "DescribeImagesResponse");
    xml_namespace(&w, m);
    xml_leaf(&w, "requestId", request_id);
    wf_xml_start(&w, "imagesSet");
    const cJSON *img;
    cJSON_ArrayForEach(img, cJSON_GetObjectItemCaseSensitive(r, "Images")) {
        wf_xml_start(&w, "item");
        for (size_t i = 0; i < sizeof fields / sizeof *fields; i++)
            xml_member(&w, fields[i][0], img, fields[i][1]);
        const cJSON *bdms = cJSON_GetObjectItemCaseSensitive(img, "BlockDeviceMappings");
        if (cJSON_IsArray(bdms) && cJSON_GetArraySize(bdms) > 0) {
            wf_xml_start(&w, "blockDeviceMapping");
            const cJSON *b;
            cJSON_ArrayForEach(b, bdms) {
                wf_xml_start(&w, "item");
                xml_member(&w, "deviceName", b, "DeviceName");
                const cJSON *ebs = cJSON_GetObjectItemCaseSensitive(b, "Ebs");
                if (cJSON_IsObject(ebs)) {
                    wf_xml_start(&w, "ebs");
                    xml_member(&w, "snapshotId", ebs, "SnapshotId");
                    xml_member(&w, "volumeSize", ebs, "VolumeSize");
                    xml_member(&w, "deleteOnTermination", ebs, "DeleteOnTermination");
                    xml_member(&w, "volumeType", ebs, "VolumeType");
                    wf_xml_end(&w);
                }
                wf_xml_end(&w);
            }
            wf_xml_end(&w);
        }
        ec2_tags(&w, cJSON_GetObjectItemCaseSensitive(img, "Tags"));
        wf_xml_end(&w);
    }
    wf_xml_end(&w);
    wf_xml_end(&w);
    return take_xml(&w, out, err);
}

static wf_status encode_list_buckets(const cJSON *r, wf_http_response *out, wf_error *err)
{
    wf_xml_writer w = {0};
    wf_xml_start(&w, "ListAllMyBucketsResult");
    wf_xml_attr(&w, "xmlns", "http://s3.amazonaws.com/doc/2006-03-01/");
    const cJSON *owner = cJSON_GetObjectItemCaseSensitive(r, "Owner");
    if (cJSON_IsObject(owner)) {
        wf_xml_start(&w, "Owner");
        xml_member(&w, "ID", owner, "ID");
        xml_member(&w, "DisplayName", owner, "DisplayName");
        wf_xml_end(&w);
    }
    wf_xml_start(&w, "Buckets");
    const cJSON *b;
    cJSON_ArrayForEach(b, cJSON_GetObjectItemCaseSensitive(r, "Buckets")) {
        char when[64];
        timestamp_text(cJSON_GetObjectItemCaseSensitive(b, "CreationDate"), when, sizeof when);
        wf_xml_start(&w, "Bucket");
        xml_member(&w, "Name", b, "Name");
        xml_leaf(&w, "CreationDate", when);
        wf_xml_end(&w);
    }
    wf_xml_end(&w);
    wf_xml_end(&w);
    return take_xml(&w, out, err);
}

static wf_status header_from(wf_http_response *out, const char *header, const cJSON *r,
                             const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(r, key);
    char buf[64];
    if (cJSON_IsString(v))
        return wf_http_headers_set(&out->headers, header, v->valuestring);
    if (cJSON_IsNumber(v)) {
        snprintf(buf, sizeof buf, "%.0f", v->valuedouble);
        return wf_http_headers_set(&out->headers, header, buf);
    }
    return WF_OK;
}

static wf_status encode_object_headers(const cJSON *r, wf_http_response *out)
{
    wf_status st = header_from(out, "Content-Type", r, "ContentType");
    if (st == WF_OK)
        st = header_from(out, "ETag", r, "ETag");
    if (st == WF_OK)
        st = header_from(out, "Content-Length", r, "ContentLength");
    const cJSON *lm = cJSON_GetObjectItemCaseSensitive(r, "LastModified");
    if (st == WF_OK && cJSON_IsNumber(lm)) {
        char date[64];
        format_http_date(lm->valuedouble, date, sizeof date);
        st = wf_http_headers_set(&out->headers, "Last-Modified", date);
    }
    const cJSON *meta;
    cJSON_ArrayForEach(meta, cJSON_GetObjectItemCaseSensitive(r, "Metadata")) {
        char name[300];
        snprintf(name, sizeof name, "x-amz-meta-%s", meta->string);
        if (st == WF_OK && cJSON_IsString(meta))
            st = wf_http_headers_add(&out->headers, name, meta->valuestring);
    }
    return st;
}

wf_status wf_sim_encode_response(const wf_aws_model *m, const char *operation,
                                 const cJSON *result, const char *request_id,
                                 wf_http_response *out, wf_error *err)
{
    out->status = 200;
    if (strcmp(operation, "GetCallerIdentity") == 0)
        return encode_get_caller_identity(m, result, request_id, out, err);
    if (strcmp(operation, "DescribeImages") == 0)
        return encode_describe_images(m, result, request_id, out, err);
    if (strcmp(operation, "ListBuckets") == 0)
        return encode_list_buckets(result, out, err);
    if (strcmp(operation, "CreateBucket") == 0)
        return header_from(out, "Location", result, "Location");
    if (strcmp(operation, "PutObject") == 0)
        return header_from(out, "ETag", result, "ETag");
    if (strcmp(operation, "GetObject") == 0 || strcmp(operation, "HeadObject") == 0)
        return encode_object_headers(result, out);
    return wf_error_set(err, WF_ENOTFOUND, "awssim's temporary codec cannot encode %s yet",
                        operation);
}

wf_status wf_sim_encode_error(const wf_aws_model *m, const char *code, const char *message,
                              int status, const char *request_id, wf_http_response *out,
                              wf_error *err)
{
    const char *p = protocol(m);
    out->status = status ? status : 400;
    if (strcmp(p, "json") == 0) {
        cJSON *o = cJSON_CreateObject();
        char *text = NULL;
        if (o && cJSON_AddStringToObject(o, "__type", code) &&
            cJSON_AddStringToObject(o, "message", message))
            text = cJSON_PrintUnformatted(o);
        cJSON_Delete(o);
        if (!text)
            return wf_error_set(err, WF_ENOMEM, "codec stub: out of memory");
        out->body = text;
        out->body_len = strlen(text);
        wf_http_headers_set(&out->headers, "x-amzn-ErrorType", code);
        return wf_http_headers_set(&out->headers, "Content-Type", "application/x-amz-json-1.1");
    }
    wf_xml_writer w = {0};
    if (strcmp(p, "ec2") == 0) {
        wf_xml_start(&w, "Response");
        wf_xml_start(&w, "Errors");
        wf_xml_start(&w, "Error");
        xml_leaf(&w, "Code", code);
        xml_leaf(&w, "Message", message);
        wf_xml_end(&w);
        wf_xml_end(&w);
        xml_leaf(&w, "RequestID", request_id);
        wf_xml_end(&w);
    } else if (strcmp(p, "query") == 0) {
        wf_xml_start(&w, "ErrorResponse");
        xml_namespace(&w, m);
        wf_xml_start(&w, "Error");
        xml_leaf(&w, "Type", out->status >= 500 ? "Receiver" : "Sender");
        xml_leaf(&w, "Code", code);
        xml_leaf(&w, "Message", message);
        wf_xml_end(&w);
        xml_leaf(&w, "RequestId", request_id);
        wf_xml_end(&w);
    } else {
        wf_xml_start(&w, "Error");
        xml_leaf(&w, "Code", code);
        xml_leaf(&w, "Message", message);
        xml_leaf(&w, "RequestId", request_id);
        wf_xml_end(&w);
    }
    return take_xml(&w, out, err);
}
