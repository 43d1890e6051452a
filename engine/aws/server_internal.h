/* Shared between the server codec's files (server_*.c) only: scalar conversions, the
 * XML shape walkers in both directions and the per-protocol entry points. The codec's
 * interface and its value conventions are awssim's: tools/awssim/codec.h.
 *
 * Errors and the member path in messages reuse the serializer's wf_aws_ser context
 * (serialize_util.h). Ownership: cJSON ** out parameters receive a new tree (NULL on
 * failure); cJSON *into parameters are borrowed and added to; shapes, XML nodes and
 * request data are borrowed. */
#ifndef WF_AWS_SERVER_INTERNAL_H
#define WF_AWS_SERVER_INTERNAL_H
#include <stdbool.h>
#include <stddef.h>
#include <cjson/cJSON.h>
#include "aws/http_message.h"
#include "aws/serialize_util.h"
#include "../../tools/awssim/codec.h"   /* the interface this implements */

/* xml_reader.h's type wf_xml_attr and xml_writer.h's function wf_xml_attr cannot meet in
 * one file: each server_*.c includes the one it uses, this header names the structs. */
struct wf_xml_node;
struct wf_xml_writer;

/* Deeper nesting than this is refused (recursive shapes end there). */
#define WF_SIM_MAX_DEPTH 100

/* --- scalars and messages (server_scalar.c) --- */

/* Sets the error as "Invalid value for parameter <path>: <message>" (the message alone
 * at the top level), the text a client sees; returns code. */
wf_status wf_sim_fail(wf_aws_ser *s, wf_status code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* WF_EINVAL, in AWS's words, when a required member of shape is missing from obj
 * (except the member named except, which may be NULL). */
wf_status wf_sim_check_required(wf_aws_ser *s, const cJSON *shape, const cJSON *obj,
                                const char *except);
/* Decodes standard or URL-safe base64 (padding optional, white space skipped) into a
 * new buffer of *len bytes (NUL-terminated beyond them); NULL when text is not base64,
 * or on ENOMEM with *oom set. */
unsigned char *wf_sim_base64_decode(const char *text, size_t *len, bool *oom);
/* Reads a timestamp's text (any format botocore reads) as epoch seconds, to the
 * millisecond; WF_EINVAL when text is no timestamp. */
wf_status wf_sim_time_epoch(const char *text, double *epoch);
/* Reads len bytes of wire text (NUL-terminated at len) as the scalar shape's value:
 * strings as they are, booleans true/false, integers, floats (NaN/Infinity/-Infinity
 * kept as those strings), timestamps as epoch seconds, blobs as their base64 text
 * (checked). WF_EINVAL (message naming s->path) when the text does not read as the type. */
wf_status wf_sim_scalar_from_text(wf_aws_ser *s, const cJSON *shape, const char *text,
                                  size_t len, cJSON **out);
/* Formats a result scalar as wire text (timestamps in the member's timestampFormat, else
 * ts_default; blobs, given as base64 text, as they are). *out is malloc'd. */
wf_status wf_sim_scalar_text(wf_aws_ser *s, const cJSON *ref, const cJSON *shape,
                             const cJSON *value, const char *ts_default, char **out);
/* Adds value under key, replacing an earlier one; frees value on failure. */
wf_status wf_sim_object_set(wf_aws_ser *s, cJSON *obj, const char *key, cJSON *value);

/* --- XML bodies of requests (server_decode.c) --- */

/* The members of structure shape found in node (children, or attributes for
 * xmlAttribute members), as the rest-xml serializer writes them; with skip_located,
 * members bound to the URI, query string or headers are left out. */
wf_status wf_sim_xml_members(wf_aws_ser *s, const cJSON *shape, const struct wf_xml_node *node,
                             bool skip_located, cJSON *into, int depth);
/* node read as shape (any type). */
wf_status wf_sim_xml_value(wf_aws_ser *s, const cJSON *ref, const cJSON *shape,
                           const struct wf_xml_node *node, cJSON **out, int depth);

/* --- XML bodies of answers (server_encode.c) --- */

/* Is the member of an output shape bound outside the body (header, headers prefix,
 * status code)? Answers put "uri" and "querystring" members in the body, as the
 * parsers read them. */
bool wf_sim_answer_located(const cJSON *ref);
/* Writes the members of a structure value into the element just opened: xmlAttribute
 * members first, then the others in model order; with skip_located, the members
 * wf_sim_answer_located names are left out. */
wf_status wf_sim_write_members(wf_aws_ser *s, struct wf_xml_writer *w, const cJSON *shape,
                               const cJSON *value, bool skip_located, int depth);
/* Writes value as an element called name (lists and maps as the protocols nest them). */
wf_status wf_sim_write_value(wf_aws_ser *s, struct wf_xml_writer *w, const cJSON *ref,
                             const cJSON *shape, const cJSON *value, const char *name,
                             int depth);
/* xmlns (or xmlns:prefix) from the member's, else the shape's, xmlNamespace. */
void wf_sim_write_namespace(struct wf_xml_writer *w, const cJSON *ref, const cJSON *shape);
/* The model's XML namespace for answers: metadata.xmlNamespace with a trailing '/', or
 * http://<endpointPrefix>.amazonaws.com/doc/<apiVersion>/ (S3's). Writes into out. */
void wf_sim_xml_namespace(const wf_aws_model *m, char *out, size_t n);
/* Hands the writer's document over as out's body. */
wf_status wf_sim_take_xml(wf_aws_ser *s, struct wf_xml_writer *w, wf_http_response *out);

/* --- protocols --- */

/* The protocol decoders behind wf_sim_decode_request: they set s->op_name and
 * s->operation once the operation is known, and fill *operation and *params (which the
 * entry point frees again on failure). ec2 selects the EC2 dialect of query. */
wf_status wf_sim_decode_query(wf_aws_ser *s, const wf_http_request *req, bool ec2,
                              char **operation, cJSON **params);
wf_status wf_sim_decode_rest_xml(wf_aws_ser *s, const wf_http_request *req,
                                 const char *bucket_from_host, char **operation,
                                 cJSON **params);
/* rest-xml's answer behind wf_sim_encode_response (s->operation set; request_id unused:
 * S3 carries it only in the headers the server adds). */
wf_status wf_sim_encode_rest_xml(wf_aws_ser *s, const cJSON *result, const char *request_id,
                                 wf_http_response *out);

/* Reverses botocore's per-operation touches to parsed answers (parse_customize.c):
 * given the caller's result, *adjusted is NULL (use result as it is) or a modified copy
 * the caller frees. */
wf_status wf_sim_customize_result(wf_aws_ser *s, const cJSON *result, cJSON **adjusted);
/* S3 answers whose body is not the output structure as XML (GetBucketLocation's bare
 * <LocationConstraint>): writes the body and sets *done. */
wf_status wf_sim_customize_body(wf_aws_ser *s, const cJSON *result, wf_http_response *out,
                                bool *done);
/* The root element S3 gives an operation's XML answer ("ListBucketResult"), which the
 * models do not carry; NULL when unknown or when m is not S3. */
const char *wf_sim_s3_root_name(const wf_aws_model *m, const char *operation);

#endif
