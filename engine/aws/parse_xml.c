/* Walks a shape over an XML DOM, the part ec2, query and rest-xml responses share:
 * structures by member locationName, wrapped and flattened lists, entry and flattened
 * maps, xmlAttribute members, scalars from element text. */
#include "parse_internal.h"
#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static wf_status parse_value_typed(wf_aws_parse_ctx *ctx, const cJSON *shape, const char *type,
                                   const wf_xml_node *node, cJSON **out);

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
    const char *item_type = wf_aws_parse_type(item_shape);
    cJSON *arr = cJSON_CreateArray();
    if (!arr)
        return oom(ctx);
    for (size_t i = 0; i < node->child_count; i++) {
        cJSON *item = NULL;
        wf_status rc = parse_value_typed(ctx, item_shape, item_type, node->children[i], &item);
        if (rc != WF_OK) {
            cJSON_Delete(arr);
            return rc;
        }
        cJSON_AddItemToArray(arr, item);
    }
    *out = arr;
    return WF_OK;
}

/* wf_aws_parse_xml_value with the shape's type already read (once per list, or from
 * the member table). */
static wf_status parse_value_typed(wf_aws_parse_ctx *ctx, const cJSON *shape, const char *type,
                                   const wf_xml_node *node, cJSON **out)
{
    *out = NULL;
    if (ctx->depth >= WF_AWS_PARSE_MAX_DEPTH)
        return wf_error_set(ctx->err, WF_EPARSE, "response nested too deeply");
    wf_status rc;
    ctx->depth++;
    if (type[0] == 's' && strcmp(type, "structure") == 0) {
        cJSON *obj = cJSON_CreateObject();
        rc = obj ? wf_aws_parse_xml_members(ctx, shape, node, 1, obj) : oom(ctx);
        if (rc == WF_OK)
            *out = obj;
        else
            cJSON_Delete(obj);
    } else if (type[0] == 'l' && strcmp(type, "list") == 0) {
        rc = parse_list(ctx, shape, node, out);
    } else if (type[0] == 'm' && strcmp(type, "map") == 0) {
        rc = parse_map(ctx, shape, node, out);
    } else {
        rc = wf_aws_parse_scalar_typed(ctx, type, node->text, out);
    }
    ctx->depth--;
    return rc;
}

wf_status wf_aws_parse_xml_value(wf_aws_parse_ctx *ctx, const cJSON *shape,
                                 const wf_xml_node *node, cJSON **out)
{
    return parse_value_typed(ctx, shape, wf_aws_parse_type(shape), node, out);
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
    const char *item_type = "";
    if (!is_map) {
        item_shape = wf_aws_parse_target(ctx, cJSON_GetObjectItemCaseSensitive(target, "member"));
        if (!item_shape)
            return WF_EPARSE;
        item_type = wf_aws_parse_type(item_shape);
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
            rc = parse_value_typed(ctx, item_shape, item_type, c, &item);
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

/* One member of a structure: child is its first element (NULL when absent). */
static wf_status parse_member(wf_aws_parse_ctx *ctx, const cJSON *target, const char *type,
                              bool flattened, const char *xml_name, const wf_xml_node *node,
                              const wf_xml_node *child, bool xml_attribute, cJSON **value)
{
    *value = NULL;
    if (flattened) {
        int is_list = strcmp(type, "list") == 0, is_map = strcmp(type, "map") == 0;
        if (is_list || is_map)
            return parse_flattened(ctx, target, is_map, node, xml_name, value);
    }
    if (child)
        return parse_value_typed(ctx, target, type, child, value);
    if (xml_attribute) {
        const char *attr = wf_xml_attr_get(node, xml_name);
        if (attr)
            return wf_aws_parse_scalar_typed(ctx, type, attr, value);
    }
    return WF_OK;
}

/* A union member this model does not know: say so as botocore does. */
static wf_status unknown_union_member(wf_aws_parse_ctx *ctx, const cJSON *shape,
                                      const wf_xml_node *node, int added, cJSON *into)
{
    if (!added && wf_aws_parse_flag(shape, "union") && node->child_count) {
        cJSON *unknown = cJSON_AddObjectToObject(into, "SDK_UNKNOWN_MEMBER");
        if (!unknown || !cJSON_AddStringToObject(unknown, "name", node->children[0]->name))
            return oom(ctx);
    }
    return WF_OK;
}

/* The walk over the model's members, each looking for its element: only when the
 * member table cannot be had (out of memory). */
static wf_status parse_members_walk(wf_aws_parse_ctx *ctx, const cJSON *shape,
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
        const wf_xml_node *child = wf_xml_child(node, xml_name);
        bool xml_attribute = wf_aws_parse_flag(ref, "xmlAttribute");
        if (!child && !xml_attribute)
            continue;
        const cJSON *target = wf_aws_parse_target(ctx, ref);
        if (!target)
            return WF_EPARSE;
        bool flattened =
            wf_aws_parse_flag(ref, "flattened") || wf_aws_parse_flag(target, "flattened");
        cJSON *value = NULL;
        wf_status rc = parse_member(ctx, target, wf_aws_parse_type(target), flattened, xml_name,
                                    node, child, xml_attribute, &value);
        if (rc != WF_OK)
            return rc;
        if (value) {
            cJSON_AddItemToObject(into, name, value);
            added++;
        }
    }
    return unknown_union_member(ctx, shape, node, added, into);
}

static bool member_is_located(const wf_aws_member_info *mi)
{
    return mi->where == WF_AWS_LOC_HEADER || mi->where == WF_AWS_LOC_HEADERS ||
           mi->where == WF_AWS_LOC_STATUS_CODE;
}

#define MEMBERS_ON_STACK 64

/* Each child element finds its members in the shape's table (the first element of a
 * name is the one a member reads, as wf_xml_child finds it); then the members present,
 * and the xmlAttribute ones, are read in model order, as the walk over members did. */
wf_status wf_aws_parse_xml_members(wf_aws_parse_ctx *ctx, const cJSON *shape,
                                   const wf_xml_node *node, int skip_located, cJSON *into)
{
    wf_aws_shape_info scratch;
    const wf_aws_shape_info *si = wf_aws_model_shape_info(ctx->model, shape, &scratch);
    if (!si)
        return parse_members_walk(ctx, shape, node, skip_located, into);
    const wf_xml_node *on_stack[MEMBERS_ON_STACK];
    const wf_xml_node **first = on_stack;
    if (si->count > MEMBERS_ON_STACK && !(first = malloc(si->count * sizeof *first))) {
        wf_aws_shape_info_release(&scratch);
        return oom(ctx);
    }
    memset(first, 0, si->count * sizeof *first);
    for (size_t c = 0; c < node->child_count; c++) {
        const wf_xml_node *child = node->children[c];
        for (const wf_aws_member_info *mi = wf_aws_shape_info_xml(si, child->name); mi;
             mi = mi->same_xml_next ? &si->members[mi->same_xml_next - 1] : NULL)
            if (!first[mi - si->members])
                first[mi - si->members] = child;
    }
    wf_status rc = WF_OK;
    int added = 0;
    for (size_t i = 0; i < si->count && rc == WF_OK; i++) {
        const wf_aws_member_info *mi = &si->members[i];
        if ((!first[i] && !mi->xml_attribute) || (skip_located && member_is_located(mi)))
            continue;
        if (!mi->target) {   /* the model lacks it: say which */
            wf_aws_parse_target(ctx, mi->ref);
            rc = WF_EPARSE;
            break;
        }
        const char *xml_name = mi->location_name ? mi->location_name : mi->name;
        cJSON *value = NULL;
        rc = parse_member(ctx, mi->target, mi->target_type, mi->flattened, xml_name, node,
                          first[i], mi->xml_attribute, &value);
        if (rc == WF_OK && value) {
            cJSON_AddItemToObject(into, mi->name, value);
            added++;
        }
    }
    if (first != on_stack)
        free(first);
    wf_aws_shape_info_release(&scratch);
    return rc == WF_OK ? unknown_union_member(ctx, shape, node, added, into) : rc;
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
