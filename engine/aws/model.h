/* One AWS service model (botocore's service-2.json format, trimmed by
 * tools/aws_model_gen.py): metadata, operations and shapes, walked by the serializers and
 * parsers. The model owns its cJSON tree; lookups return borrowed pointers into it. */
#ifndef WF_AWS_MODEL_H
#define WF_AWS_MODEL_H
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

#endif
