/* One AWS service model (botocore's service-2.json format, trimmed by
 * tools/aws_model_gen.py): metadata, operations and shapes, walked by the serializers and
 * parsers. The model owns its cJSON tree; lookups return borrowed pointers into it. */
#ifndef WF_AWS_MODEL_H
#define WF_AWS_MODEL_H
#include <stdbool.h>
#include <cjson/cJSON.h>
#include "wf.h"

typedef struct wf_aws_model {
    cJSON *root;                /* owned */
    const cJSON *metadata;      /* borrowed from root */
    const cJSON *operations;
    const cJSON *shapes;
    /* Shapes by name, hashed once by wf_aws_model_init (a call looks shapes up dozens of
     * times, a big answer hundreds of thousands, and cJSON's lookup walks a list of
     * hundreds); NULL (out of memory) means lookups walk the list. */
    const cJSON **shape_index;
    size_t shape_mask;
    /* Member tables of the shapes, slot for slot with shape_index, each built on the
     * shape's first use (see wf_aws_model_shape_info; private to model.c); NULL when out
     * of memory at load. */
    void *shape_infos;
} wf_aws_model;

/* Takes ownership of root (even on failure) and checks it has metadata/operations/shapes. */
wf_status wf_aws_model_init(wf_aws_model *m, cJSON *root, wf_error *err);
void wf_aws_model_free(wf_aws_model *m);   /* accepts a zeroed model */

const cJSON *wf_aws_model_shape(const wf_aws_model *m, const char *name);
const cJSON *wf_aws_model_operation(const wf_aws_model *m, const char *name);
/* metadata.protocol: "ec2", "query", "rest-xml", "json", "rest-json". */
const char *wf_aws_model_protocol(const wf_aws_model *m);
/* A string member of metadata, or NULL. */
const char *wf_aws_model_meta(const wf_aws_model *m, const char *key);

/* ---- Member tables, built once per shape ----
 * The serializers and parsers look at a structure's members on every call: which of them
 * the caller gave, where each travels, which response header feeds which. These tables
 * hold what the model says about each member, read on the shape's first use and kept
 * with the model, so a call looks members up by name or by header name instead of
 * walking the member list and its traits. Building on first use keeps loading a model
 * as cheap as before, and is safe from several threads. Everything is borrowed from the
 * model's tree, which must not change after wf_aws_model_init. */

/* A member's "location" trait. */
typedef enum wf_aws_location {
    WF_AWS_LOC_NONE = 0,       /* no location (a string): body, or element of a structure */
    WF_AWS_LOC_URI,
    WF_AWS_LOC_QUERYSTRING,
    WF_AWS_LOC_HEADER,
    WF_AWS_LOC_HEADERS,        /* a map of prefixed headers */
    WF_AWS_LOC_STATUS_CODE,
    WF_AWS_LOC_OTHER           /* a location string none of the above */
} wf_aws_location;

typedef struct wf_aws_member_info {
    const char *name;            /* the member's name (its key in "members") */
    const cJSON *ref;            /* its reference: {"shape": ..., "location": ...} */
    const cJSON *target;         /* the shape it refers to; NULL when the model has none */
    const char *location;        /* "location" when a string, else NULL */
    const char *location_name;   /* "locationName" when a string, else NULL */
    wf_aws_location where;
    bool xml_attribute;          /* "xmlAttribute" is true */
    size_t same_name_next;       /* 1 + index of the next member of the same name; 0: none */
    size_t same_header_next;     /* header members: 1 + index of the next one bound to the
                                  * same header name (case-insensitively); 0: none */
    size_t same_xml_next;        /* 1 + index of the next member of the same XML name */
    const char *target_type;     /* the target's "type" when a string, else "" */
    bool flattened;              /* "flattened" true on the reference or on the target */
} wf_aws_member_info;

typedef struct wf_aws_shape_info {
    const cJSON *shape;
    size_t count;                    /* members, in the model's order */
    wf_aws_member_info *members;
    size_t *by_name, name_mask;      /* open addressing: 1 + index of the first member */
    size_t *by_header, header_mask;  /* the same over header members' header names */
    size_t *by_xml, xml_mask;        /* the same over XML names (locationName, else name) */
    size_t located;                  /* members with a location string */
    size_t idempotency_tokens;       /* members with idempotencyToken true */
    void *owned;                     /* the one allocation behind the arrays */
} wf_aws_shape_info;

/* The member table of shape: the model's own when shape is one of its shapes (looked up
 * by the shape's name; built now on its first use), else one built into *scratch, which
 * the caller releases with wf_aws_shape_info_release (releasing an unused scratch is
 * fine). NULL only when out of memory. A shape without "members" has count 0. */
const wf_aws_shape_info *wf_aws_model_shape_info(const wf_aws_model *m, const cJSON *shape,
                                                 wf_aws_shape_info *scratch);
void wf_aws_shape_info_release(wf_aws_shape_info *scratch);
/* The first member named name, or NULL (same_name_next leads to the others). */
const wf_aws_member_info *wf_aws_shape_info_member(const wf_aws_shape_info *si,
                                                   const char *name);
/* The first member whose XML element name (locationName, else its name) is xml_name,
 * case-sensitively, or NULL (same_xml_next leads to the others, in model order). */
const wf_aws_member_info *wf_aws_shape_info_xml(const wf_aws_shape_info *si,
                                                const char *xml_name);
/* The first header member (location "header") whose header name (locationName, else its
 * name) equals header case-insensitively, or NULL (same_header_next leads on). */
const wf_aws_member_info *wf_aws_shape_info_header(const wf_aws_shape_info *si,
                                                   const char *header);

#endif
