/* Success answers of the rest-xml protocol (S3): members bound to the status code,
 * to headers and to a headers prefix, then the body: a raw blob/string payload, a
 * structure payload, or the output structure itself as XML. */
#include "parse_internal.h"
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static wf_status oom(wf_aws_parse_ctx *ctx)
{
    return wf_error_set(ctx->err, WF_ENOMEM, "out of memory");
}

/* A weekday name alone ("Mon") is the first half of an HTTP date that the list's comma
 * split in two. */
static int is_weekday_fragment(const char *s)
{
    size_t n = 0;
    while (isalpha((unsigned char)s[n]))
        n++;
    return n >= 3 && s[n] == '\0';
}

/* A list in a header: comma-separated items, blanks trimmed (RFC 7230). Timestamps in
 * HTTP-date form contain a comma themselves and are put back together. */
static wf_status parse_header_list(wf_aws_parse_ctx *ctx, const cJSON *list_shape,
                                   const char *value, cJSON **out)
{
    *out = NULL;
    const cJSON *item_shape = wf_aws_parse_target(ctx, cJSON_GetObjectItemCaseSensitive(list_shape, "member"));
    if (!item_shape)
        return WF_EPARSE;
    int timestamps = strcmp(wf_aws_parse_type(item_shape), "timestamp") == 0;
    char *copy = strdup(value);
    cJSON *arr = cJSON_CreateArray();
    if (!copy || !arr) {
        free(copy);
        cJSON_Delete(arr);
        return oom(ctx);
    }
    wf_status rc = WF_OK;
    char *p = copy;
    while (rc == WF_OK && p) {
        char *comma = strchr(p, ',');
        if (comma)
            *comma = '\0';
        while (isspace((unsigned char)*p))
            p++;
        if (timestamps && comma && is_weekday_fragment(p)) {
            *comma = ',';   /* "Mon, 16 Dec 2019 23:48:18 GMT" is one item */
            comma = strchr(comma + 1, ',');
            if (comma)
                *comma = '\0';
        }
        char *end = p + strlen(p);
        while (end > p && isspace((unsigned char)end[-1]))
            *--end = '\0';
        cJSON *item = NULL;
        rc = wf_aws_parse_scalar_text(ctx, item_shape, p, &item);
        if (rc == WF_OK)
            cJSON_AddItemToArray(arr, item);
        p = comma ? comma + 1 : NULL;
    }
    free(copy);
    if (rc != WF_OK) {
        cJSON_Delete(arr);
        return rc;
    }
    *out = arr;
    return WF_OK;
}

/* Every header whose name starts with prefix (case-insensitively), keyed by the rest of
 * its name; {} when none. */
static wf_status parse_prefix_headers(wf_aws_parse_ctx *ctx, const char *prefix,
                                      const wf_http_response *resp, cJSON **out)
{
    cJSON *map = cJSON_CreateObject();
    if (!map)
        return oom(ctx);
    size_t plen = strlen(prefix);
    for (size_t i = 0; i < resp->headers.count; i++) {
        const wf_http_header *h = &resp->headers.items[i];
        if (strncasecmp(h->name, prefix, plen) != 0)
            continue;
        cJSON *v = cJSON_CreateString(h->value);
        if (!v) {
            cJSON_Delete(map);
            return oom(ctx);
        }
        if (cJSON_GetObjectItemCaseSensitive(map, h->name + plen))
            cJSON_ReplaceItemInObjectCaseSensitive(map, h->name + plen, v);
        else
            cJSON_AddItemToObject(map, h->name + plen, v);
    }
    *out = map;
    return WF_OK;
}

/* The header members of an output are dozens (HeadObject: about forty) and an answer
 * carries a handful of headers: each response header finds its members through the
 * shape's table of header names, rather than each member searching the headers. */
wf_status wf_aws_parse_rest_located(wf_aws_parse_ctx *ctx, const cJSON *shape,
                                    const wf_http_response *resp, cJSON *into)
{
    wf_aws_shape_info scratch;
    const wf_aws_shape_info *si = wf_aws_model_shape_info(ctx->model, shape, &scratch);
    if (!si)
        return oom(ctx);
    if (!si->located) {
        wf_aws_shape_info_release(&scratch);
        return WF_OK;
    }
    /* Per member, the value of the first response header of its name. */
    const char *small[64], **found = small;
    if (si->count > sizeof small / sizeof small[0])
        found = calloc(si->count, sizeof *found);
    else
        memset(small, 0, si->count * sizeof *found);
    if (!found) {
        wf_aws_shape_info_release(&scratch);
        return oom(ctx);
    }
    for (size_t i = 0; i < resp->headers.count; i++) {
        const wf_http_header *h = &resp->headers.items[i];
        for (const wf_aws_member_info *m = wf_aws_shape_info_header(si, h->name); m;
             m = m->same_header_next ? &si->members[m->same_header_next - 1] : NULL)
            if (!found[m - si->members])
                found[m - si->members] = h->value;
    }
    wf_status rc = WF_OK;
    for (size_t i = 0; i < si->count && rc == WF_OK; i++) {
        const wf_aws_member_info *m = &si->members[i];
        cJSON *value = NULL;
        if (m->where == WF_AWS_LOC_STATUS_CODE) {
            if (!(value = cJSON_CreateNumber(resp->status)))
                rc = oom(ctx);
        } else if (m->where == WF_AWS_LOC_HEADERS) {
            rc = parse_prefix_headers(ctx, m->location_name ? m->location_name : "", resp,
                                      &value);
        } else if (m->where == WF_AWS_LOC_HEADER && found[i]) {
            const char *hv = found[i];
            const cJSON *target = m->target ? m->target : wf_aws_parse_target(ctx, m->ref);
            if (!target) {
                rc = WF_EPARSE;
                break;
            }
            if (strcmp(wf_aws_parse_type(target), "list") == 0)
                rc = parse_header_list(ctx, target, hv, &value);
            else
                rc = wf_aws_parse_scalar_text(ctx, target, hv, &value);
            /* A header that does not read as its type (S3's free-form Expires) is left
             * out rather than failing the whole answer. */
            if (rc == WF_EPARSE)
                rc = WF_OK;
        }
        if (rc == WF_OK && value)
            cJSON_AddItemToObject(into, m->name, value);
    }
    if (found != small)
        free(found);
    wf_aws_shape_info_release(&scratch);
    return rc;
}

wf_status wf_aws_parse_rest_xml(wf_aws_parse_ctx *ctx, const cJSON *op,
                                const wf_http_response *resp, cJSON **out,
                                int *looks_like_error)
{
    *out = NULL;
    *looks_like_error = 0;
    cJSON *result = cJSON_CreateObject();
    if (!result)
        return oom(ctx);
    const cJSON *output = cJSON_GetObjectItemCaseSensitive(op, "output");
    if (!output) {
        *out = result;
        return WF_OK;
    }
    const cJSON *shape = wf_aws_parse_target(ctx, output);
    if (!shape) {
        cJSON_Delete(result);
        return WF_EPARSE;
    }
    const char *payload = wf_aws_parse_str(shape, "payload");
    const cJSON *payload_ref = payload
        ? cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(shape, "members"), payload)
        : NULL;
    const cJSON *payload_shape = payload_ref ? wf_aws_parse_target(ctx, payload_ref) : NULL;
    if (payload && !payload_shape) {
        cJSON_Delete(result);
        return WF_EPARSE;
    }
    const char *ptype = payload_shape ? wf_aws_parse_type(payload_shape) : "";
    int raw_payload = strcmp(ptype, "blob") == 0 || strcmp(ptype, "string") == 0;

    wf_status rc = WF_OK;
    wf_xml_node *doc = NULL;
    if (!raw_payload) {
        rc = wf_aws_parse_xml_body(ctx, resp, &doc);
        /* S3 may answer 200 and put an <Error> in the body (or cut it short). */
        if (resp->status == 200 && (rc == WF_EPARSE || (doc && strcmp(doc->name, "Error") == 0))) {
            wf_xml_free(doc);
            cJSON_Delete(result);
            *looks_like_error = 1;
            return WF_OK;
        }
    }
    if (rc == WF_OK)
        rc = wf_aws_parse_rest_located(ctx, shape, resp, result);
    if (rc == WF_OK && raw_payload) {
        cJSON *value = NULL;
        if (strcmp(ptype, "blob") == 0)
            rc = wf_aws_parse_blob_bytes(ctx, resp->body ? resp->body : "", resp->body_len, &value);
        else
            rc = wf_aws_parse_string_bytes(ctx, resp->body ? resp->body : "", resp->body_len, &value);
        if (rc == WF_OK)
            cJSON_AddItemToObject(result, payload, value);
    } else if (rc == WF_OK && payload && doc) {
        cJSON *value = NULL;
        rc = wf_aws_parse_xml_value(ctx, payload_shape, doc, &value);
        if (rc == WF_OK)
            cJSON_AddItemToObject(result, payload, value);
    } else if (rc == WF_OK && doc) {
        rc = wf_aws_parse_xml_members(ctx, shape, doc, 1, result);
    }
    wf_xml_free(doc);
    if (rc != WF_OK) {
        cJSON_Delete(result);
        return rc;
    }
    *out = result;
    return WF_OK;
}
