/* The awssim codec interface: the server side of the AWS wire protocols (ec2, query,
 * rest-xml, json), turning a wire request into (operation, params) and a result or an
 * error into a wire response, by walking the same service models as the client.
 *
 * The server (sim.c) owns everything around the codec: it has already picked the
 * service and its model, verified the SigV4 signature, read the whole body and undone
 * aws-chunked framing; it injects faults, calls the Lua resource handlers, adds the
 * request-id headers and sends the response. A codec is pure: no globals, no locks,
 * callable from several threads at once (models are only read).
 *
 * Value conventions (both directions), the shapes boto3 takes and returns:
 *  - structures are JSON objects keyed by the model's member names (never the wire's
 *    locationName); lists are arrays even with one element; maps are objects;
 *  - integer/long/float/double are numbers, booleans are booleans;
 *  - timestamps: decode gives a number of epoch seconds; encode accepts a number of
 *    epoch seconds (what sim.now() returns) or an ISO-8601 string, and renders it in the
 *    shape's timestampFormat or the protocol's default;
 *  - blobs (other than the payload, below) are base64 text both ways;
 *  - the payload blob: when the operation's input (output) shape names a "payload"
 *    member whose shape is a blob (S3 PutObject/UploadPart Body, GetObject Body), its
 *    bytes never pass through cJSON (which cannot hold NUL bytes). Decode leaves that
 *    member out of params: the server hands the raw body to Lua as params[member].
 *    Encode receives the result without that member and writes no body: the server
 *    appends the bytes the Lua handler returned. For HEAD requests the server sends no
 *    body whatever the codec wrote, but keeps a Content-Length header the codec set
 *    (HeadObject's ContentLength).
 *
 * Ownership: the model and the request are only read. On WF_OK *operation (malloc'd)
 * and *params (a new cJSON object) belong to the caller; on failure both are NULL.
 * `out` is zeroed by the caller and released by the caller with wf_http_response_free,
 * success or not.
 *
 * Implemented in engine/aws/server_*.c (part of wfcore). */
#ifndef WF_SIM_CODEC_H
#define WF_SIM_CODEC_H
#include <cjson/cJSON.h>
#include "aws/http_message.h"
#include "aws/model.h"
#include "wf.h"

/* Decodes req into the operation it calls and its parameters.
 *  - req->method is upper case; req->path and req->query are exactly as on the wire
 *    (percent-encoded, query without '?', "" when none); header names as sent (compare
 *    case-insensitively); req->body holds body_len bytes, fully read and NUL-terminated.
 *  - bucket_from_host (S3 only): the bucket of a virtual-hosted request
 *    ("b.s3.localhost" -> "b"), or NULL for path-style, where the bucket is the first
 *    path segment.
 * Returns:
 *  - WF_OK: *operation is a name in m->operations, *params the input members present;
 *  - WF_ENOTFOUND: no operation matches (unknown Action / X-Amz-Target / S3 route);
 *    the server answers InvalidAction (ec2, query), UnknownOperationException (json) or
 *    MethodNotAllowed (rest-xml);
 *  - WF_EINVAL: a parameter is missing, unknown or of the wrong type; err->message is
 *    what the client sees ("1 validation error detected: Value null at 'bucket' ...");
 *    the server answers InvalidParameterValue (ec2), ValidationError (query),
 *    ValidationException (json) or InvalidArgument (rest-xml), status 400;
 *  - WF_EPARSE: the body is not the protocol's format (bad XML, bad JSON); the server
 *    answers MalformedQueryString / SerializationException / MalformedXML, status 400;
 *  - WF_ENOMEM. */
wf_status wf_sim_decode_request(const wf_aws_model *m, const wf_http_request *req,
                                const char *bucket_from_host, char **operation,
                                cJSON **params, wf_error *err);

/* Writes the successful answer to operation: status (200 unless the operation's model
 * says otherwise), Content-Type, members bound to headers (S3's ETag, Last-Modified,
 * x-amz-meta-*, ...), and the body in the protocol's format (query: <OpResponse>
 * <OpResult>...</OpResult><ResponseMetadata><RequestId>; ec2: <OpResponse><requestId>;
 * json: the object; rest-xml: the output shape's XML, or nothing for a blob payload).
 * result (never NULL; {} for no output) holds the output members, conventions above.
 * request_id goes where the protocol puts it in the body; the server sets the
 * x-amzn-RequestId / x-amz-request-id headers itself. Returns WF_ENOTFOUND for an
 * unknown operation, WF_EINVAL when result does not fit the output shape (the server
 * then answers InternalError 500 and logs the message). */
wf_status wf_sim_encode_response(const wf_aws_model *m, const char *operation,
                                 const cJSON *result, const char *request_id,
                                 wf_http_response *out, wf_error *err);

/* Writes the protocol's error document for an AWS error: ec2 <Response><Errors><Error>
 * <Code>/<Message></Error></Errors><RequestID>; query <ErrorResponse><Error><Type>Sender
 * (Receiver for 5xx)</Type><Code>/<Message></Error><RequestId>; json {"__type": code,
 * "message": message} with x-amzn-ErrorType; rest-xml <Error><Code>/<Message>/
 * <RequestId>. status is the HTTP status to send (400 when 0). message may be "". */
wf_status wf_sim_encode_error(const wf_aws_model *m, const char *code, const char *message,
                              int status, const char *request_id, wf_http_response *out,
                              wf_error *err);

#endif
