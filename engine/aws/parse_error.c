/* AWS error answers of each protocol: code, message and request id from Query's
 * <ErrorResponse><Error>, EC2's <Response><Errors><Error>, S3's <Error>, JSON's
 * __type/code (namespace "prefix#" and ":uri" suffix stripped); from the HTTP status
 * when the body says nothing, as botocore does. */
#include "parse_internal.h"
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Code and message from the status alone: HEAD 404 -> "404" / "Not Found". */
static void from_status(wf_aws_error *e)
{
    snprintf(e->code, sizeof e->code, "%d", e->status);
    if (!e->message[0])
        wf_aws_parse_copy(e->message, sizeof e->message, wf_aws_parse_reason(e->status));
}

static void set_request_id(wf_aws_error *e, const char *id)
{
    if (!e->request_id[0] && id && id[0])
        wf_aws_parse_copy(e->request_id, sizeof e->request_id, id);
}

wf_status wf_aws_parse_error_xml(wf_aws_parse_ctx *ctx, const wf_http_response *resp,
                                 wf_xml_node **doc, const wf_xml_node **error_node)
{
    wf_aws_error *e = ctx->meta;
    *doc = NULL;
    *error_node = NULL;
    set_request_id(e, wf_aws_parse_header_request_id(resp));

    wf_error ignored;
    wf_aws_parse_ctx quiet = *ctx;
    quiet.err = &ignored;   /* an unreadable error body is not a failure of ours */
    wf_status rc = wf_aws_parse_xml_body(&quiet, resp, doc);
    if (rc == WF_ENOMEM)
        return wf_error_set(ctx->err, WF_ENOMEM, "out of memory");
    const wf_xml_node *root = *doc, *en = NULL;
    if (root) {
        if (strcmp(root->name, "Error") == 0)
            en = root;                                            /* S3 */
        else if (!(en = wf_xml_child(root, "Error")))             /* Query */
            en = wf_xml_child(wf_xml_child(root, "Errors"), "Error");   /* EC2 */
    }
    const char *code = wf_xml_child_text(en, "Code");
    const char *message = wf_xml_child_text(en, "Message");
    if (message)
        wf_aws_parse_copy(e->message, sizeof e->message, message);
    if (code && code[0])
        wf_aws_parse_copy(e->code, sizeof e->code, code);
    else
        from_status(e);
    set_request_id(e, wf_xml_child_text(root, "RequestId"));
    set_request_id(e, wf_xml_child_text(root, "RequestID"));
    set_request_id(e, wf_xml_child_text(en, "RequestId"));
    *error_node = en;
    return WF_OK;
}

/* "aws.protocoltests.restjson#FooError:http://internal..." -> "FooError". */
static void clean_code(char *code)
{
    char *colon = strchr(code, ':');
    if (colon)
        *colon = '\0';
    char *hash = strrchr(code, '#');
    if (hash)
        memmove(code, hash + 1, strlen(hash + 1) + 1);
}

wf_status wf_aws_parse_error_json(wf_aws_parse_ctx *ctx, const wf_http_response *resp,
                                  cJSON **body)
{
    wf_aws_error *e = ctx->meta;
    *body = NULL;
    set_request_id(e, wf_aws_parse_header_request_id(resp));

    size_t i = 0;
    while (i < resp->body_len && isspace((unsigned char)resp->body[i]))
        i++;
    cJSON *doc = NULL;
    if (i < resp->body_len) {
        doc = cJSON_ParseWithLength(resp->body, resp->body_len);
        if (!cJSON_IsObject(doc)) {
            cJSON_Delete(doc);
            doc = NULL;
            /* Not a JSON object: botocore shows the body itself as the message. */
            char *text = strndup(resp->body, resp->body_len);
            if (!text)
                return wf_error_set(ctx->err, WF_ENOMEM, "out of memory");
            wf_aws_parse_copy(e->message, sizeof e->message, text);
            free(text);
        }
    }
    const char *code = wf_aws_parse_str(doc, "__type");
    if (!code)
        code = wf_aws_parse_str(doc, "code");
    if (!code)
        code = wf_aws_parse_str(doc, "Code");
    if (!code)
        code = wf_http_headers_get(&resp->headers, "x-amzn-ErrorType");
    /* awsQueryCompatible services name the old Query code in a header: "Code;Sender". */
    const char *query_error = wf_http_headers_get(&resp->headers, "x-amzn-query-error");
    char compat[sizeof e->code];
    if (query_error && query_error[0] != ';' && strchr(query_error, ';') &&
        !strchr(strchr(query_error, ';') + 1, ';')) {
        wf_aws_parse_copy(compat, sizeof compat, query_error);
        char *semi = strchr(compat, ';');
        if (semi) {
            *semi = '\0';
            code = compat;
        }
    }
    const char *message = wf_aws_parse_str(doc, "message");
    if (!message)
        message = wf_aws_parse_str(doc, "Message");
    if (message)
        wf_aws_parse_copy(e->message, sizeof e->message, message);
    if (code) {
        wf_aws_parse_copy(e->code, sizeof e->code, code);
        clean_code(e->code);
    }
    if (!e->code[0])
        from_status(e);
    *body = doc;
    return WF_OK;
}
