/* Service model lookups over a botocore-format JSON tree. */
#include "model.h"
#include "model_internal.h"
#include <stdlib.h>
#include <string.h>

/* Open addressing, at most half full; the first of duplicate names wins, as in cJSON. */
static void index_shapes(wf_aws_model *m)
{
    size_t count = (size_t)cJSON_GetArraySize(m->shapes), size = 16;
    while (size < count * 2)
        size *= 2;
    m->shape_index = calloc(size, sizeof *m->shape_index);
    if (!m->shape_index)
        return;
    m->shape_mask = size - 1;
    const cJSON *shape;
    cJSON_ArrayForEach(shape, m->shapes) {
        if (!shape->string)
            continue;
        size_t i = wf_aws_name_hash(shape->string) & m->shape_mask;
        while (m->shape_index[i] && strcmp(m->shape_index[i]->string, shape->string) != 0)
            i = (i + 1) & m->shape_mask;
        if (!m->shape_index[i])
            m->shape_index[i] = shape;
    }
}

wf_status wf_aws_model_init(wf_aws_model *m, cJSON *root, wf_error *err)
{
    memset(m, 0, sizeof *m);
    m->root = root;
    if (!root)
        return wf_error_set(err, WF_EPARSE, "service model: not JSON");
    m->metadata = cJSON_GetObjectItemCaseSensitive(root, "metadata");
    m->operations = cJSON_GetObjectItemCaseSensitive(root, "operations");
    m->shapes = cJSON_GetObjectItemCaseSensitive(root, "shapes");
    if (!cJSON_IsObject(m->metadata) || !cJSON_IsObject(m->shapes))
        return wf_error_set(err, WF_EPARSE, "service model: missing metadata or shapes");
    index_shapes(m);
    wf_aws_model_members_init(m);
    return WF_OK;
}

void wf_aws_model_free(wf_aws_model *m)
{
    cJSON_Delete(m->root);
    wf_aws_model_members_free(m);
    free(m->shape_index);
    memset(m, 0, sizeof *m);
}

const cJSON *wf_aws_model_shape(const wf_aws_model *m, const char *name)
{
    if (!name)
        return NULL;
    if (!m->shape_index)
        return cJSON_GetObjectItemCaseSensitive(m->shapes, name);
    for (size_t i = wf_aws_name_hash(name) & m->shape_mask; m->shape_index[i];
         i = (i + 1) & m->shape_mask)
        if (strcmp(m->shape_index[i]->string, name) == 0)
            return m->shape_index[i];
    return NULL;
}

const cJSON *wf_aws_model_operation(const wf_aws_model *m, const char *name)
{
    return m->operations ? cJSON_GetObjectItemCaseSensitive(m->operations, name) : NULL;
}

const char *wf_aws_model_meta(const wf_aws_model *m, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(m->metadata, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

const char *wf_aws_model_protocol(const wf_aws_model *m)
{
    return wf_aws_model_meta(m, "protocol");
}
