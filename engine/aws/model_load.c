/* Finds an embedded service model by name and parses it into a wf_aws_model. */
#include "aws/model_load.h"
#include "aws/models_embedded.h"
#include <assert.h>
#include <string.h>

wf_status wf_aws_model_load(const char *service, wf_aws_model *out, wf_error *err)
{
    assert(service && out);
    memset(out, 0, sizeof *out);
    for (const wf_aws_embedded_model *m = wf_aws_embedded_models; m->service; m++) {
        if (strcmp(m->service, service) != 0)
            continue;
        /* wf_aws_model_init takes root even when NULL and says what is wrong. */
        wf_error inner = {0};
        wf_status st = wf_aws_model_init(out, cJSON_ParseWithLength(m->json, m->length), &inner);
        if (st != WF_OK)
            return wf_error_set(err, st, "embedded model %s: %s", service, inner.message);
        return WF_OK;
    }
    return wf_error_set(err, WF_ENOTFOUND, "no AWS model for service \"%s\"", service);
}
