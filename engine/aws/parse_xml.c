/* Walks a shape over an XML DOM, the part ec2, query and rest-xml responses share:
 * structures by member locationName, wrapped and flattened lists, entry and flattened
 * maps, xmlAttribute members, scalars from element text. */
#include "parse_internal.h"
#include <ctype.h>
#include <string.h>

static wf_status oom(wf_aws_parse_ctx *ctx)
{
    return wf_error_set(ctx->err, WF_ENOMEM, "out of memory");
}

/* Adds value under key, replacing an earlier value of that key (XML maps may repeat a
 * key; the last one wins, as in botocore's dict). */
static void object_set(cJSON *obj, const char *key, cJSON *value)
{
    if (cJSON_GetObjectItemCaseSensitive(obj, key))
        cJSON_ReplaceItemInObjectCaseSensitive(obj, key, value);
    else
        cJSON_AddItemToObject(obj, key, value);
}

/* One key/value pair of a map: <entry><key>k</key><value>v</value></entry>, or the
 * element itself for flattened maps. Pairs without a key or value are skipped. */
static wf_status parse_map_entry(wf_aws_parse_ctx *ctx, const cJSON *map_shape,
                                 const wf_xml_node *entry, cJSON *into)
{
    const cJSON *key_ref = cJSON_GetObjectItemCaseSensitive(map_shape, "key");
    const cJSON *value_ref = cJSON_GetObjectItemCaseSensitive(map_shape, "value");
    const cJSON *value_shape = wf_aws_parse_target(ctx, value_ref);
    if (!value_shape)
        return WF_EPARSE;
    const char *key_name = wf_aws_parse_str(key_ref, "locationName");
    const char *value_name = wf_aws_parse_str(value_ref, "locationName");
    const wf_xml_node *k = wf_xml_child(entry, key_name ? key_name : "key");
    const wf_xml_node *v = wf_xml_child(entry, value_name ? value_name : "value");
    if (!k || !v)
        return WF_OK;
    cJSON *value = NULL;
    wf_status rc = wf_aws_parse_xml_value(ctx, value_shape, v, &value);
    if (rc != WF_OK)
        return rc;
    object_set(into, k->text, value);
    return WF_OK;
}

static wf_status parse_map(wf_aws_parse_ctx *ctx, const cJSON *shape, const wf_xml_node *node,
                           cJSON **out)
{
    cJSON *obj = cJSON_CreateObject();
    if (!obj)
        return oom(ctx);
    for (size_t i = 0; i < node->child_count; i++) {
        wf_status rc = parse_map_entry(ctx, shape, node->children[i], obj);
        if (rc != WF_OK) {
            cJSON_Delete(obj);
            return rc;
        }
    }
    *out = obj;
    return WF_OK;
}

/* A wrapped list: every child element is an item, whatever its name (<member>, <item>
 * or a locationName), as botocore reads them. */
static wf_status parse_list(wf_aws_parse_ctx *ctx, const cJSON *shape, const wf_xml_node *node,
                            cJSON **out)
{
    const cJSON *item_shape = wf_aws_parse_target(ctx, cJSON_GetObjectItemCaseSensitive(shape, "member"));
    if (!item_shape)
        return WF_EPARSE;
    cJSON *arr = cJSON_CreateArray();
    if (!arr)
        return oom(ctx);
    for (size_t i = 0; i < node->child_count; i++) {
        cJSON *item = NULL;
        wf_status rc = wf_aws_parse_xml_value(ctx, item_shape, node->children[i], &item);
        if (rc != WF_OK) {
            cJSON_Delete(arr);
            return rc;
        }
        cJSON_AddItemToArray(arr, item);
    }
    *out = arr;
    return WF_OK;
}

wf_status wf_aws_parse_xml_value(wf_aws_parse_ctx *ctx, const cJSON *shape,
                                 const wf_xml_node *node, cJSON **out)
{
    *out = NULL;
    if (ctx->depth >= WF_AWS_PARSE_MAX_DEPTH)
        return wf_error_set(ctx->err, WF_EPARSE, "response nested too deeply");
    const char *type = wf_aws_parse_type(shape);
    wf_status rc;
    ctx->depth++;
    if (strcmp(type, "structure") == 0) {
        cJSON *obj = cJSON_CreateObject();
        rc = obj ? wf_aws_parse_xml_members(ctx, shape, node, 1, obj) : oom(ctx);
        if (rc == WF_OK)
            *out = obj;
        else
            cJSON_Delete(obj);
    } else if (strcmp(type, "list") == 0) {
        rc = parse_list(ctx, shape, node, out);
    } else if (strcmp(type, "map") == 0) {
        rc = parse_map(ctx, shape, node, out);
    } else {
        rc = wf_aws_parse_scalar_text(ctx, shape, node->text, out);
    }
    ctx->depth--;
    return rc;
}

static int is_located(const cJSON *ref)
{
    const char *loc = wf_aws_parse_str(ref, "location");
    return loc && (strcmp(loc, "header") == 0 || strcmp(loc, "headers") == 0 ||
                   strcmp(loc, "statusCode") == 0);
}

/* A flattened list or map: its items are the repeated elements named after the member
 * (the member's locationName, else its name), siblings of the other members. */
static wf_status parse_flattened(wf_aws_parse_ctx *ctx, const cJSON *target, int is_map,
                                 const wf_xml_node *node, const char *xml_name, cJSON **out)
{
    *out = NULL;
    const cJSON *item_shape = NULL;
    if (!is_map) {
        item_shape = wf_aws_parse_target(ctx, cJSON_GetObjectItemCaseSensitive(target, "member"));
        if (!item_shape)
            return WF_EPARSE;
    }
    cJSON *acc = NULL;
    for (size_t i = 0; i < node->child_count; i++) {
        const wf_xml_node *c = node->children[i];
        if (strcmp(c->name, xml_name) != 0)
            continue;
        if (!acc && !(acc = is_map ? cJSON_CreateObject() : cJSON_CreateArray()))
            return oom(ctx);
        wf_status rc;
        if (is_map) {
            rc = parse_map_entry(ctx, target, c, acc);
        } else {
            cJSON *item = NULL;
            rc = wf_aws_parse_xml_value(ctx, item_shape, c, &item);
            if (rc == WF_OK)
                cJSON_AddItemToArray(acc, item);
        }
        if (rc != WF_OK) {
            cJSON_Delete(acc);
            return rc;
        }
    }
    *out = acc;
    return WF_OK;
}

wf_status wf_aws_parse_xml_members(wf_aws_parse_ctx *ctx, const cJSON *shape,
                                   const wf_xml_node *node, int skip_located, cJSON *into)
{
    const cJSON *ref;
    int added = 0;
    cJSON_ArrayForEach(ref, cJSON_GetObjectItemCaseSensitive(shape, "members")) {
        const char *name = ref->string;
        if (skip_located && is_located(ref))
            continue;
        const char *loc = wf_aws_parse_str(ref, "locationName");
        const char *xml_name = loc ? loc : name;
        /* Most members of a big model are absent: skip them before resolving shapes
         * (flattened items carry the member's name too, so they are caught here). */
        const wf_xml_node *child = wf_xml_child(node, xml_name);
        if (!child && !wf_aws_parse_flag(ref, "xmlAttribute"))
            continue;
        const cJSON *target = wf_aws_parse_target(ctx, ref);
        if (!target)
            return WF_EPARSE;
        const char *type = wf_aws_parse_type(target);
        int is_list = strcmp(type, "list") == 0, is_map = strcmp(type, "map") == 0;
        int flattened = wf_aws_parse_flag(ref, "flattened") || wf_aws_parse_flag(target, "flattened");
        cJSON *value = NULL;
        wf_status rc = WF_OK;
        if ((is_list || is_map) && flattened) {
            rc = parse_flattened(ctx, target, is_map, node, xml_name, &value);
        } else {
            if (child) {
                rc = wf_aws_parse_xml_value(ctx, target, child, &value);
            } else if (wf_aws_parse_flag(ref, "xmlAttribute")) {
                const char *attr = wf_xml_attr_get(node, xml_name);
                if (attr)
                    rc = wf_aws_parse_scalar_text(ctx, target, attr, &value);
            }
        }
        if (rc != WF_OK)
            return rc;
        if (value) {
            cJSON_AddItemToObject(into, name, value);
            added++;
        }
    }
    /* A union member this model does not know: say so as botocore does. */
    if (!added && wf_aws_parse_flag(shape, "union") && node->child_count) {
        cJSON *unknown = cJSON_AddObjectToObject(into, "SDK_UNKNOWN_MEMBER");
        if (!unknown || !cJSON_AddStringToObject(unknown, "name", node->children[0]->name))
            return oom(ctx);
    }
    return WF_OK;
}

wf_status wf_aws_parse_xml_body(wf_aws_parse_ctx *ctx, const wf_http_response *resp,
                                wf_xml_node **doc)
{
    *doc = NULL;
    size_t i = 0;
    while (i < resp->body_len && isspace((unsigned char)resp->body[i]))
        i++;
    if (i == resp->body_len)
        return WF_OK;
    if (ctx->opts.xml)
        return wf_xml_reader_parse(ctx->opts.xml, resp->body, resp->body_len, NULL, doc,
                                   ctx->err);
    return wf_xml_parse(resp->body, resp->body_len, NULL, doc, ctx->err);
}
