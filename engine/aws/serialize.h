/* Request serialization: an operation's parameters (cJSON, as boto3 takes them) become an
 * HTTP request by walking the service model, one serializer per protocol (ec2 and query in
 * serialize_query.c, rest-xml in serialize_rest_xml.c, json in serialize_json.c).
 * Ownership: params and model are only read; everything in *out is owned by *out. */
#ifndef WF_AWS_SERIALIZE_H
#define WF_AWS_SERIALIZE_H
#include <cjson/cJSON.h>
#include "aws/http_message.h"
#include "aws/model.h"
#include "wf.h"

/* Builds the request for operation with params (a JSON object; NULL means {}).
 * out must be zeroed; on return, success or not, the caller releases it with
 * wf_http_request_free. Fills method, path and query (percent-encoded, query "" when
 * none), headers (Content-Type and the protocol's own, never Host), body (never NULL),
 * and host_prefix when the operation has an endpoint hostPrefix (labels expanded).
 * Parameters are checked against the shapes: an unknown member, a missing required
 * member or a value of the wrong JSON type is WF_EINVAL, with a message naming the
 * parameter; an empty array and an empty object are interchangeable (an empty Lua table
 * converts to either). Null members are absent. Structures are written in the model's
 * member order, map entries in the order params holds them. Members with idempotencyToken that params lacks get a fresh token.
 * Unknown operation: WF_ENOTFOUND; unsupported protocol: WF_EINVAL. */
wf_status wf_aws_serialize(const wf_aws_model *model, const char *operation,
                           const cJSON *params, wf_http_request *out, wf_error *err);

/* Writes a new idempotency token (at most 64 bytes with the NUL) into out. */
typedef wf_status (*wf_aws_token_fn)(char *out, size_t size);
/* Replaces the token generator (tests set a fixed one); NULL restores the default, a
 * random UUID version 4 from OpenSSL's RAND_bytes. Not thread-safe: set it at start-up. */
void wf_aws_set_token_generator(wf_aws_token_fn fn);

#endif
