/* Success answers of the query protocol (<OpResponse><OpResult>...</OpResult>
 * <ResponseMetadata>) and of EC2's dialect (<OpResponse> holding the members and a
 * <requestId>, no result wrapper). */
#include "parse_internal.h"
#include <stdio.h>
#include <string.h>

wf_status wf_aws_parse_query(wf_aws_parse_ctx *ctx, const char *op_name, const cJSON *op,
                             const wf_http_response *resp, int ec2, cJSON **out)
{
    *out = NULL;
    wf_xml_node *doc = NULL;
    wf_status rc = wf_aws_parse_xml_body(ctx, resp, &doc);
    if (rc != WF_OK)
        return rc;
    cJSON *result = cJSON_CreateObject();
    if (!result) {
        wf_xml_free(doc);
        return wf_error_set(ctx->err, WF_ENOMEM, "out of memory");
    }
    const cJSON *output = cJSON_GetObjectItemCaseSensitive(op, "output");
    const cJSON *shape = output ? wf_aws_parse_target(ctx, output) : NULL;
    if (output && !shape)
        rc = WF_EPARSE;

    if (rc == WF_OK && doc) {
        const char *id = ec2 ? wf_xml_child_text(doc, "requestId")
                             : wf_xml_child_text(wf_xml_child(doc, "ResponseMetadata"), "RequestId");
        if (id)
            wf_aws_parse_copy(ctx->meta->request_id, sizeof ctx->meta->request_id, id);
    }
    if (rc == WF_OK && doc && shape) {
        const wf_xml_node *start = doc;
        if (!ec2) {
            /* Models name the wrapper (resultWrapper); when one does not, the
             * protocol's convention is the operation name + "Result". */
            const char *wrapper = wf_aws_parse_str(output, "resultWrapper");
            char fallback[256];
            if (!wrapper) {
                snprintf(fallback, sizeof fallback, "%sResult", op_name);
                wrapper = fallback;
            }
            const wf_xml_node *wrapped = wf_xml_child(doc, wrapper);
            if (wrapped)
                start = wrapped;
            else if (wf_aws_parse_str(output, "resultWrapper"))
                start = NULL;   /* the named wrapper is absent: nothing was returned */
        }
        if (start)
            rc = wf_aws_parse_xml_members(ctx, shape, start, 1, result);
    }
    wf_xml_free(doc);
    if (rc != WF_OK) {
        cJSON_Delete(result);
        return rc;
    }
    *out = result;
    return WF_OK;
}
