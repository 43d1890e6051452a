/* Query protocol serializer (AutoScaling, RDS, CloudFormation, STS) and its EC2 dialect:
 * the parameters become a form-encoded body Action=..&Version=..&Name.1.Sub=value.
 * Names: query uses locationName, lists are Name.member.N (Name.N when flattened), maps
 * Name.entry.N.key/value; ec2 uses queryName, else the capitalised locationName or member
 * name, and lists are always Name.N. */
#include "aws/serialize_util.h"
#include "aws/uri_encode.h"
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct query_ctx {
    wf_aws_ser *s;
    bool ec2;
    wf_aws_buf body;
    wf_aws_buf key;    /* the dotted name being built: "Filter.1.Value" */
} query_ctx;

static wf_status walk(query_ctx *q, const cJSON *ref, const cJSON *shape, const cJSON *value);

/* Appends s percent-encoded as wf_uri_encode(s, len, false) would, without the copy:
 * runs of unreserved bytes go in whole. */
static void put_encoded(wf_aws_buf *b, const char *s, size_t len)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t run = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (wf_uri_is_unreserved(c))
            continue;
        wf_aws_buf_append(b, s + run, i - run);
        char esc[3] = {'%', hex[c >> 4], hex[c & 0x0f]};
        wf_aws_buf_append(b, esc, sizeof esc);
        run = i + 1;
    }
    wf_aws_buf_append(b, s + run, len - run);
}

static void add_pair(query_ctx *q, const char *value)
{
    wf_aws_buf_append(&q->body, "&", 1);
    put_encoded(&q->body, q->key.data ? q->key.data : "", q->key.len);
    wf_aws_buf_append(&q->body, "=", 1);
    put_encoded(&q->body, value, strlen(value));
}

/* Appends ".part" (or "part" at the top) to the key; returns the length to go back to. */
static size_t key_push(query_ctx *q, const char *part)
{
    size_t old = q->key.len;
    if (old)
        wf_aws_buf_append(&q->key, ".", 1);
    wf_aws_buf_puts(&q->key, part);
    return old;
}

static size_t key_push_index(query_ctx *q, size_t i)
{
    size_t old = q->key.len;
    char digits[24];
    size_t at = sizeof digits;
    do
        digits[--at] = (char)('0' + i % 10);
    while ((i /= 10) != 0);
    if (old)
        digits[--at] = '.';
    wf_aws_buf_append(&q->key, digits + at, sizeof digits - at);
    return old;
}

static void key_pop(query_ctx *q, size_t len)
{
    q->key.len = len;
    if (q->key.data)
        q->key.data[len] = '\0';
}

/* The wire name of a member (fallback: its name in the shape) or of a map's key or value
 * (fallback: "key", "value", which even ec2 leaves as they are). */
static void member_name(query_ctx *q, const cJSON *ref, const char *fallback,
                        bool capitalise_fallback, char *out, size_t n)
{
    const char *loc = wf_aws_jstr(ref, "locationName");
    if (!q->ec2) {
        snprintf(out, n, "%s", loc ? loc : fallback);
        return;
    }
    const char *query_name = wf_aws_jstr(ref, "queryName");
    if (query_name) {
        snprintf(out, n, "%s", query_name);
        return;
    }
    snprintf(out, n, "%s", loc ? loc : fallback);
    if (loc || capitalise_fallback)
        out[0] = (char)toupper((unsigned char)out[0]);   /* EC2 capitalises on input */
}

/* Appends a structure member's wire name to the key, as member_name writes it (at most
 * 255 bytes) without formatting; returns the length to go back to. */
static size_t key_push_member(query_ctx *q, const wf_aws_member_info *mi)
{
    const char *name = mi->location_name ? mi->location_name : mi->name;
    bool capitalise = q->ec2;
    if (q->ec2) {
        const char *query_name = wf_aws_jstr(mi->ref, "queryName");
        if (query_name) {
            name = query_name;
            capitalise = false;
        }
    }
    size_t old = q->key.len;
    if (old)
        wf_aws_buf_append(&q->key, ".", 1);
    size_t at = q->key.len;
    wf_aws_buf_append(&q->key, name, strnlen(name, 255));
    if (capitalise && q->key.data && q->key.len > at)   /* EC2 capitalises on input */
        q->key.data[at] = (char)toupper((unsigned char)q->key.data[at]);
    return old;
}

/* The members given, in model order, found through the shape's member table. */
static wf_status walk_structure(query_ctx *q, const cJSON *shape, const cJSON *value)
{
    wf_status st = wf_aws_ser_check_structure(q->s, shape, value);
    if (st != WF_OK || !value->child)   /* nothing given (GetCallerIdentity): nothing to look up */
        return st;
    wf_aws_shape_info scratch;
    const wf_aws_shape_info *si = wf_aws_model_shape_info(q->s->model, shape, &scratch);
    wf_aws_given_list given;
    st = si ? wf_aws_ser_given(q->s, si, value, &given)
            : wf_aws_ser_fail(q->s, WF_ENOMEM, "out of memory");
    if (!si) {
        wf_aws_shape_info_release(&scratch);
        return st;
    }
    for (size_t i = 0; i < given.count && st == WF_OK; i++) {
        const wf_aws_member_info *mi = given.items[i].member;
        const cJSON *target = mi->target ? mi->target : wf_aws_ser_target(q->s, mi->ref);
        if (!target) {
            st = WF_EPARSE;
            break;
        }
        size_t path = wf_aws_ser_push_name(q->s, mi->name);
        size_t key = key_push_member(q, mi);
        st = walk(q, mi->ref, target, given.items[i].value);
        key_pop(q, key);
        wf_aws_ser_pop(q->s, path);
    }
    wf_aws_given_free(&given);
    wf_aws_shape_info_release(&scratch);
    return st;
}

static wf_status walk_list(query_ctx *q, const cJSON *ref, const cJSON *shape,
                           const cJSON *value)
{
    wf_status st = wf_aws_ser_check_list(q->s, value);
    if (st != WF_OK)
        return st;
    if (cJSON_GetArraySize(value) == 0) {
        if (!q->ec2)   /* query sends an empty list as "Name="; ec2 sends nothing */
            add_pair(q, "");
        return WF_OK;
    }
    const cJSON *mref = cJSON_GetObjectItemCaseSensitive(shape, "member");
    const cJSON *mshape = wf_aws_ser_target(q->s, mref);
    if (!mshape)
        return WF_EPARSE;
    size_t list_key = q->key.len;
    bool flattened = wf_aws_jtrue(ref, "flattened") || wf_aws_jtrue(shape, "flattened");
    if (!q->ec2 && !flattened) {
        const char *loc = wf_aws_jstr(mref, "locationName");
        key_push(q, loc ? loc : "member");
    }
    size_t i = 0;
    const cJSON *item;
    cJSON_ArrayForEach(item, value) {
        i++;
        size_t path = wf_aws_ser_push_index(q->s, i);
        size_t key = key_push_index(q, i);
        st = cJSON_IsNull(item) ? wf_aws_ser_fail(q->s, WF_EINVAL, "a list cannot hold nil")
                                : walk(q, mref, mshape, item);
        key_pop(q, key);
        wf_aws_ser_pop(q->s, path);
        if (st != WF_OK)
            break;
    }
    key_pop(q, list_key);
    return st;
}

static wf_status walk_map(query_ctx *q, const cJSON *ref, const cJSON *shape,
                          const cJSON *value)
{
    wf_status st = wf_aws_ser_check_map(q->s, value);
    if (st != WF_OK)
        return st;
    const cJSON *kref = cJSON_GetObjectItemCaseSensitive(shape, "key");
    const cJSON *vref = cJSON_GetObjectItemCaseSensitive(shape, "value");
    const cJSON *vshape = wf_aws_ser_target(q->s, vref);
    if (!vshape)
        return WF_EPARSE;
    char kname[128], vname[128];
    member_name(q, kref, "key", false, kname, sizeof kname);
    member_name(q, vref, "value", false, vname, sizeof vname);
    size_t map_key = q->key.len;
    if (!wf_aws_jtrue(ref, "flattened") && !wf_aws_jtrue(shape, "flattened"))
        key_push(q, "entry");
    size_t i = 0;
    const cJSON *entry;
    cJSON_ArrayForEach(entry, value) {
        if (cJSON_IsNull(entry))
            continue;
        i++;
        size_t path = wf_aws_ser_push_key(q->s, entry->string);
        size_t key = key_push_index(q, i);
        size_t part = key_push(q, kname);
        add_pair(q, entry->string);
        key_pop(q, part);
        key_push(q, vname);
        st = walk(q, vref, vshape, entry);
        key_pop(q, key);
        wf_aws_ser_pop(q->s, path);
        if (st != WF_OK)
            break;
    }
    key_pop(q, map_key);
    return st;
}

static wf_status walk(query_ctx *q, const cJSON *ref, const cJSON *shape, const cJSON *value)
{
    const char *type = wf_aws_shape_type(shape);
    if (strcmp(type, "structure") == 0)
        return walk_structure(q, shape, value);
    if (strcmp(type, "list") == 0)
        return walk_list(q, ref, shape, value);
    if (strcmp(type, "map") == 0)
        return walk_map(q, ref, shape, value);
    char *text = NULL;
    wf_status st = wf_aws_ser_scalar(q->s, ref, shape, value, "iso8601", &text);
    if (st == WF_OK)
        add_pair(q, text);
    free(text);
    return st;
}

wf_status wf_aws_serialize_query(wf_aws_ser *s, const cJSON *params, bool ec2,
                                 wf_http_request *out)
{
    query_ctx q = {.s = s, .ec2 = ec2};
    const char *version = wf_aws_model_meta(s->model, "apiVersion");
    wf_aws_buf_puts(&q.body, "Action=");
    put_encoded(&q.body, s->op_name, strlen(s->op_name));
    wf_aws_buf_puts(&q.body, "&Version=");
    put_encoded(&q.body, version ? version : "", version ? strlen(version) : 0);

    wf_status st = WF_OK;
    const cJSON *input = wf_aws_ser_input(s);
    if (input)
        st = walk_structure(&q, input, params);
    wf_aws_buf_free(&q.key);

    const cJSON *http = cJSON_GetObjectItemCaseSensitive(s->operation, "http");
    const char *method = wf_aws_jstr(http, "method");
    const char *uri = wf_aws_jstr(http, "requestUri");
    size_t body_len = q.body.len;
    out->body = st == WF_OK ? wf_aws_buf_take(&q.body) : NULL;
    wf_aws_buf_free(&q.body);
    if (st != WF_OK)
        return st;
    out->body_len = body_len;
    out->method = strdup(method ? method : "POST");
    out->path = strdup(uri ? uri : "/");
    out->query = strdup("");
    if (!out->body || !out->method || !out->path || !out->query ||
        wf_http_headers_set(&out->headers, "Content-Type",
                            "application/x-www-form-urlencoded") != WF_OK)
        return wf_aws_ser_fail(s, WF_ENOMEM, "out of memory");
    return WF_OK;
}
