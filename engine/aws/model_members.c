/* Per-shape member tables of a service model (wf_aws_model_shape_info and its lookups,
 * model.h): each structure member's location, wire names and target read once, found by
 * member name, XML name or header name through hash tables. Built on a shape's first use,
 * so loading a model costs no more than before. */
#include "model.h"
#include "model_internal.h"
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* FNV-1a over the name with ASCII letters folded: equal under strcasecmp (C locale),
 * equal hash. */
static size_t header_hash(const char *s)
{
    size_t h = 1469598103934665603u;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c >= 'A' && c <= 'Z')
            c = (unsigned char)(c + ('a' - 'A'));
        h = (h ^ c) * 1099511628211u;
    }
    return h;
}

static const char *str_or_null(const cJSON *v)
{
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static wf_aws_location location_of(const char *where)
{
    if (!where)
        return WF_AWS_LOC_NONE;
    if (strcmp(where, "uri") == 0)
        return WF_AWS_LOC_URI;
    if (strcmp(where, "querystring") == 0)
        return WF_AWS_LOC_QUERYSTRING;
    if (strcmp(where, "header") == 0)
        return WF_AWS_LOC_HEADER;
    if (strcmp(where, "headers") == 0)
        return WF_AWS_LOC_HEADERS;
    if (strcmp(where, "statusCode") == 0)
        return WF_AWS_LOC_STATUS_CODE;
    return WF_AWS_LOC_OTHER;
}

static size_t table_size(size_t count)
{
    size_t size = 8;
    while (size < count * 2)
        size *= 2;
    return size;
}

static const char *header_name_of(const wf_aws_member_info *mi)
{
    return mi->location_name ? mi->location_name : mi->name;
}

/* The tables: 0 by name, 1 (true) by header name, 2 by XML element name. */
#define BY_XML 2

/* The link to the next member of the same name, header name or XML name. */
static size_t *chain_link(wf_aws_member_info *m, int header)
{
    return header == BY_XML ? &m->same_xml_next
           : header         ? &m->same_header_next
                            : &m->same_name_next;
}

static bool same_key(const wf_aws_member_info *a, const wf_aws_member_info *b, int header)
{
    if (header == BY_XML)   /* the XML name is the header name's fallback, case kept */
        return strcmp(header_name_of(a), header_name_of(b)) == 0;
    return header ? strcasecmp(header_name_of(a), header_name_of(b)) == 0
                  : strcmp(a->name, b->name) == 0;
}

/* Puts member i into an open-addressing table (slots hold 1 + index) at hash h: the first
 * member of a key holds the slot, later ones chain behind it in model order. */
static void table_insert(wf_aws_shape_info *si, size_t *slots, size_t mask, size_t h, size_t i,
                         int header)
{
    wf_aws_member_info *mi = &si->members[i];
    size_t k = h & mask;
    while (slots[k] && !same_key(&si->members[slots[k] - 1], mi, header))
        k = (k + 1) & mask;
    if (!slots[k]) {
        slots[k] = i + 1;
        return;
    }
    size_t *link = chain_link(&si->members[slots[k] - 1], header);
    while (*link)
        link = chain_link(&si->members[*link - 1], header);
    *link = i + 1;
}

/* Reads shape's members into si (zeroed first); false when out of memory. The traits are
 * read as cJSON_GetObjectItemCaseSensitive reads them: the first key of a name counts. */
static bool shape_info_build(const wf_aws_model *m, const cJSON *shape, wf_aws_shape_info *si)
{
    memset(si, 0, sizeof *si);
    si->shape = shape;
    const cJSON *members = cJSON_GetObjectItemCaseSensitive(shape, "members");
    if (!cJSON_IsObject(members))
        return true;
    size_t count = 0, headers = 0;
    const cJSON *ref;
    cJSON_ArrayForEach(ref, members) {
        count++;
        const char *where = str_or_null(cJSON_GetObjectItemCaseSensitive(ref, "location"));
        if (where && strcmp(where, "header") == 0)
            headers++;
    }
    if (!count)
        return true;
    size_t name_size = table_size(count), header_size = headers ? table_size(headers) : 0;
    size_t bytes = count * sizeof *si->members + (2 * name_size + header_size) * sizeof(size_t);
    char *block = calloc(1, bytes);
    if (!block)
        return false;
    si->owned = block;
    si->count = count;
    si->members = (wf_aws_member_info *)block;
    si->by_name = (size_t *)(block + count * sizeof *si->members);
    si->name_mask = name_size - 1;
    si->by_xml = si->by_name + name_size;
    si->xml_mask = name_size - 1;
    if (header_size) {
        si->by_header = si->by_xml + name_size;
        si->header_mask = header_size - 1;
    }
    size_t i = 0;
    cJSON_ArrayForEach(ref, members) {
        wf_aws_member_info *mi = &si->members[i];
        mi->name = ref->string ? ref->string : "";
        mi->ref = ref;
        mi->location = str_or_null(cJSON_GetObjectItemCaseSensitive(ref, "location"));
        mi->location_name = str_or_null(cJSON_GetObjectItemCaseSensitive(ref, "locationName"));
        mi->where = location_of(mi->location);
        mi->xml_attribute = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(ref, "xmlAttribute"));
        const cJSON *target =
            wf_aws_model_shape(m, str_or_null(cJSON_GetObjectItemCaseSensitive(ref, "shape")));
        mi->target = cJSON_IsObject(target) ? target : NULL;
        const char *type = str_or_null(cJSON_GetObjectItemCaseSensitive(mi->target, "type"));
        mi->target_type = type ? type : "";
        mi->flattened = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(ref, "flattened")) ||
                        cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(mi->target, "flattened"));
        si->located += mi->location != NULL;
        si->idempotency_tokens +=
            cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(ref, "idempotencyToken"));
        table_insert(si, si->by_name, si->name_mask, wf_aws_name_hash(mi->name), i, false);
        table_insert(si, si->by_xml, si->xml_mask, wf_aws_name_hash(header_name_of(mi)), i, BY_XML);
        if (mi->where == WF_AWS_LOC_HEADER)
            table_insert(si, si->by_header, si->header_mask, header_hash(header_name_of(mi)), i,
                         true);
        i++;
    }
    return true;
}

void wf_aws_shape_info_release(wf_aws_shape_info *scratch)
{
    if (!scratch)
        return;
    free(scratch->owned);
    memset(scratch, 0, sizeof *scratch);
}

/* A shape's member table, built on its first use; slot for slot with shape_index. */
typedef _Atomic(wf_aws_shape_info *) info_slot;

void wf_aws_model_members_init(wf_aws_model *m)
{
    if (!m->shape_index)
        return;
    info_slot *slots = malloc((m->shape_mask + 1) * sizeof *slots);
    if (!slots)
        return;
    for (size_t i = 0; i <= m->shape_mask; i++)
        atomic_init(&slots[i], NULL);
    m->shape_infos = slots;
}

void wf_aws_model_members_free(wf_aws_model *m)
{
    info_slot *slots = m->shape_infos;
    if (!slots)
        return;
    for (size_t i = 0; i <= m->shape_mask; i++) {
        wf_aws_shape_info *si = atomic_load_explicit(&slots[i], memory_order_acquire);
        wf_aws_shape_info_release(si);
        free(si);
    }
    free(slots);
    m->shape_infos = NULL;
}

/* The table of the shape in slot i, built now when it is the shape's first use. Threads
 * may race to build it (awssim decodes requests on several): the first to publish wins,
 * the others free theirs, and a table is never changed once published. */
static const wf_aws_shape_info *slot_info(const wf_aws_model *m, size_t i)
{
    info_slot *slots = m->shape_infos;
    wf_aws_shape_info *si = atomic_load_explicit(&slots[i], memory_order_acquire);
    if (si)
        return si;
    si = malloc(sizeof *si);
    if (!si || !shape_info_build(m, m->shape_index[i], si)) {
        free(si);
        return NULL;
    }
    wf_aws_shape_info *first = NULL;
    if (!atomic_compare_exchange_strong_explicit(&slots[i], &first, si, memory_order_acq_rel,
                                                 memory_order_acquire)) {
        wf_aws_shape_info_release(si);
        free(si);
        return first;
    }
    return si;
}

const wf_aws_shape_info *wf_aws_model_shape_info(const wf_aws_model *m, const cJSON *shape,
                                                 wf_aws_shape_info *scratch)
{
    memset(scratch, 0, sizeof *scratch);
    if (m->shape_infos && shape && shape->string) {
        for (size_t i = wf_aws_name_hash(shape->string) & m->shape_mask; m->shape_index[i];
             i = (i + 1) & m->shape_mask)
            if (m->shape_index[i] == shape)
                return slot_info(m, i);
    }
    return shape_info_build(m, shape, scratch) ? scratch : NULL;
}

/* The first member whose key (name, or header name) is key, in one of si's tables. */
static const wf_aws_member_info *table_find(const wf_aws_shape_info *si, const size_t *slots,
                                            size_t mask, const char *key, bool header)
{
    if (!slots || !key)
        return NULL;
    for (size_t k = (header ? header_hash(key) : wf_aws_name_hash(key)) & mask; slots[k];
         k = (k + 1) & mask) {
        const wf_aws_member_info *mi = &si->members[slots[k] - 1];
        if (header ? strcasecmp(header_name_of(mi), key) == 0 : strcmp(mi->name, key) == 0)
            return mi;
    }
    return NULL;
}

const wf_aws_member_info *wf_aws_shape_info_member(const wf_aws_shape_info *si,
                                                   const char *name)
{
    return table_find(si, si->by_name, si->name_mask, name, false);
}

const wf_aws_member_info *wf_aws_shape_info_xml(const wf_aws_shape_info *si, const char *xml_name)
{
    if (!si->by_xml || !xml_name)
        return NULL;
    for (size_t k = wf_aws_name_hash(xml_name) & si->xml_mask; si->by_xml[k];
         k = (k + 1) & si->xml_mask) {
        const wf_aws_member_info *mi = &si->members[si->by_xml[k] - 1];
        if (strcmp(header_name_of(mi), xml_name) == 0)
            return mi;
    }
    return NULL;
}

const wf_aws_member_info *wf_aws_shape_info_header(const wf_aws_shape_info *si,
                                                   const char *header)
{
    return table_find(si, si->by_header, si->header_mask, header, true);
}
