/* Shared between the response parsers (parse*.c) only: the parse context, model
 * helpers, scalar conversion and the XML shape walker. Not an interface for other
 * modules: they use parse.h.
 *
 * Ownership follows cJSON: every cJSON ** out parameter receives a new tree owned by the
 * caller (NULL on failure); cJSON *into parameters are borrowed and added to. Shapes
 * and XML nodes are always borrowed. */
#ifndef WF_AWS_PARSE_INTERNAL_H
#define WF_AWS_PARSE_INTERNAL_H
#include <cjson/cJSON.h>
#include "parse.h"
#include "xml_reader.h"

/* Deeper nesting than this in a response is refused (recursive shapes end there). */
#define WF_AWS_PARSE_MAX_DEPTH 200

typedef struct wf_aws_parse_ctx {
    const wf_aws_model *model;
    wf_aws_parse_options opts;
    wf_aws_error *meta;        /* request id and status are written here */
    wf_error *err;
    int depth;
} wf_aws_parse_ctx;

/* --- model helpers (parse.c) --- */

/* The shape a reference {"shape": "Name", ...} points to; WF_EPARSE in ctx->err and
 * NULL when the model lacks it. */
const cJSON *wf_aws_parse_target(wf_aws_parse_ctx *ctx, const cJSON *ref);
/* obj[key] when it is a string, else NULL. */
const char *wf_aws_parse_str(const cJSON *obj, const char *key);
/* 1 when obj[key] is true. */
int wf_aws_parse_flag(const cJSON *obj, const char *key);
/* The shape's "type", or "" when missing. */
const char *wf_aws_parse_type(const cJSON *shape);
/* Copies src into dst (size bytes), cut at a UTF-8 character boundary. */
void wf_aws_parse_copy(char *dst, size_t size, const char *src);
/* The HTTP reason phrase of status ("Not Found"), or "" when unknown. */
const char *wf_aws_parse_reason(int status);

/* --- scalars (parse_scalar.c) --- */

/* Converts text (from an XML element or an HTTP header) to the scalar shape's value:
 * string, boolean ("true" is true, anything else false, as botocore), integer/long,
 * float/double (NaN, Infinity, -Infinity included), timestamp, blob (base64 text). */
wf_status wf_aws_parse_scalar_text(wf_aws_parse_ctx *ctx, const cJSON *shape, const char *text,
                                   cJSON **out);
/* The same with the shape's type ("" when none) already read. */
wf_status wf_aws_parse_scalar_typed(wf_aws_parse_ctx *ctx, const char *type, const char *text,
                                    cJSON **out);
/* A timestamp from its wire text, rendered per ctx->opts. */
wf_status wf_aws_parse_timestamp_text(wf_aws_parse_ctx *ctx, const char *text, cJSON **out);
/* A timestamp that came as a JSON number, rendered per ctx->opts. */
wf_status wf_aws_parse_timestamp_number(wf_aws_parse_ctx *ctx, double epoch, cJSON **out);
/* A blob from its base64 wire text, rendered per ctx->opts. */
wf_status wf_aws_parse_blob_text(wf_aws_parse_ctx *ctx, const char *b64, cJSON **out);
/* A blob from raw bytes (an HTTP payload), rendered per ctx->opts. */
wf_status wf_aws_parse_blob_bytes(wf_aws_parse_ctx *ctx, const char *bytes, size_t len,
                                  cJSON **out);
/* Decodes base64 like Python's b64decode: characters outside the alphabet (either
 * alphabet) are skipped, '=' ends the data. out needs len / 4 * 3 + 3 bytes. Returns the
 * decoded length, or -1 when a lone sextet is left over. */
long wf_aws_parse_b64_decode(const char *in, size_t len, unsigned char *out);
/* Decodes bytes as UTF-8 the way Python's decode('utf-8', 'replace') does (one U+FFFD per
 * broken sequence), NUL bytes also replaced; a new string the caller frees. */
char *wf_aws_parse_utf8_replace(const unsigned char *in, size_t len);
/* A string value from raw bytes (an HTTP payload); bytes with a NUL are refused. */
wf_status wf_aws_parse_string_bytes(wf_aws_parse_ctx *ctx, const char *bytes, size_t len,
                                    cJSON **out);

/* --- XML shapes (parse_xml.c), shared by ec2, query and rest-xml --- */

/* Adds the members of structure shape found in node (child elements, or attributes
 * for xmlAttribute members) to into, in model order. With skip_located, members bound
 * to a header, headers prefix or status code are left to the caller (rest-xml). */
wf_status wf_aws_parse_xml_members(wf_aws_parse_ctx *ctx, const cJSON *shape,
                                   const wf_xml_node *node, int skip_located, cJSON *into);
/* The value of node read as shape (any type). */
wf_status wf_aws_parse_xml_value(wf_aws_parse_ctx *ctx, const cJSON *shape,
                                 const wf_xml_node *node, cJSON **out);
/* Parses a response body as XML with the engine's limits; an empty or all-blank body
 * gives WF_OK with *doc NULL. */
wf_status wf_aws_parse_xml_body(wf_aws_parse_ctx *ctx, const wf_http_response *resp,
                                wf_xml_node **doc);

/* --- protocols --- */

/* ec2 and query success bodies (parse_query.c). op is the operation's model entry. */
wf_status wf_aws_parse_query(wf_aws_parse_ctx *ctx, const char *op_name, const cJSON *op,
                             const wf_http_response *resp, int ec2, cJSON **out);
/* rest-xml success responses (parse_rest_xml.c). *looks_like_error is set when a 2xx
 * answer is really an S3 <Error> document (or unreadable XML), as botocore treats it. */
wf_status wf_aws_parse_rest_xml(wf_aws_parse_ctx *ctx, const cJSON *op,
                                const wf_http_response *resp, cJSON **out,
                                int *looks_like_error);
/* Adds shape's header, headers-prefix and status-code members from resp to into. */
wf_status wf_aws_parse_rest_located(wf_aws_parse_ctx *ctx, const cJSON *shape,
                                    const wf_http_response *resp, cJSON *into);
/* json 1.0/1.1 success bodies (parse_json.c). */
wf_status wf_aws_parse_json(wf_aws_parse_ctx *ctx, const cJSON *op,
                            const wf_http_response *resp, cJSON **out);
/* A JSON value read as shape. */
wf_status wf_aws_parse_json_value(wf_aws_parse_ctx *ctx, const cJSON *shape, const cJSON *v,
                                  cJSON **out);

/* botocore's per-operation touches to a parsed success result (parse_customize.c). */
wf_status wf_aws_parse_customize(wf_aws_parse_ctx *ctx, const char *op_name, const cJSON *op,
                                 const wf_http_response *resp, cJSON *result);

/* --- errors (parse_error.c) --- */

/* Fills ctx->meta (code, message, request id) from an XML protocol's error answer.
 * *doc receives the parsed body (caller frees with wf_xml_free; may be NULL) and
 * *error_node the element holding the error's fields (NULL when none). */
wf_status wf_aws_parse_error_xml(wf_aws_parse_ctx *ctx, const wf_http_response *resp,
                                 wf_xml_node **doc, const wf_xml_node **error_node);
/* Fills ctx->meta from a json protocol error; *body receives the parsed body object
 * (caller frees; NULL when the body is not a JSON object). */
wf_status wf_aws_parse_error_json(wf_aws_parse_ctx *ctx, const wf_http_response *resp,
                                  cJSON **body);
/* The request id from the response headers (x-amzn-RequestId, x-amz-request-id), or
 * NULL. */
const char *wf_aws_parse_header_request_id(const wf_http_response *resp);

#endif
