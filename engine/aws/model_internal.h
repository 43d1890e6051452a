/* Shared between model.c (the shape index) and model_members.c (the member tables). */
#ifndef WF_AWS_MODEL_INTERNAL_H
#define WF_AWS_MODEL_INTERNAL_H
#include "model.h"
#include <stddef.h>

/* FNV-1a: the shape index's hash, and the member tables' for names. */
static inline size_t wf_aws_name_hash(const char *s)
{
    size_t h = 1469598103934665603u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211u;
    return h;
}

/* The member tables' slots, one per shape index slot, empty until a shape's first use. */
void wf_aws_model_members_init(wf_aws_model *m);
void wf_aws_model_members_free(wf_aws_model *m);

#endif
