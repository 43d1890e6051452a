/* Service model lookups over a botocore-format JSON tree. */
#include "model.h"
#include <string.h>

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
    return WF_OK;
}

void wf_aws_model_free(wf_aws_model *m)
{
    cJSON_Delete(m->root);
    memset(m, 0, sizeof *m);
}

const cJSON *wf_aws_model_shape(const wf_aws_model *m, const char *name)
{
    return name ? cJSON_GetObjectItemCaseSensitive(m->shapes, name) : NULL;
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
