/* Turns an AWS HTTP response into the result boto3 and `aws --output json` give, by
 * walking the operation's output shape in the service model, for the ec2, query,
 * rest-xml and json protocols; AWS error documents become a wf_aws_error.
 *
 * Result shape (boto3 parity): member names as in the model (never the XML
 * locationName), structures are objects with only the members present on the wire, a
 * list is an array even with one element (an empty list wrapper gives []), maps are
 * objects, integers/longs/floats/doubles are numbers (NaN and infinities included),
 * booleans are booleans. Timestamps and blobs are rendered as wf_aws_parse_options says.
 * ResponseMetadata is not in the result: the request id and HTTP status go to the
 * wf_aws_error struct, on success as on failure.
 *
 * Ownership: *result is a new tree the caller frees with cJSON_Delete; nothing in it
 * refers to the model or the response. */
#ifndef WF_AWS_PARSE_H
#define WF_AWS_PARSE_H
#include <cjson/cJSON.h>
#include "wf.h"
#include "aws/http_message.h"
#include "aws/model.h"

typedef struct wf_aws_error {
    char code[128];         /* "InvalidInstanceID.NotFound", "NoSuchKey", "404" */
    char message[1024];     /* "" when the service sent none */
    char request_id[128];   /* "" when the response carried none */
    int status;             /* HTTP status (500 for S3's 200-with-<Error> answers) */
    int is_error;           /* 1 when the response is an AWS error */
} wf_aws_error;

typedef enum wf_aws_timestamp_format {
    WF_AWS_TIMESTAMP_ISO8601 = 0, /* "2014-04-29T18:30:38+00:00" (".123000" before "+" when
                                   * there are microseconds): `aws` v2's output, Python's
                                   * isoformat() of boto3's datetime; always UTC */
    WF_AWS_TIMESTAMP_EPOCH,       /* number of seconds since 1970, fraction kept: the value
                                   * the AWS protocol test suites expect */
    WF_AWS_TIMESTAMP_WIRE         /* the value as it came over the wire (a string, or a
                                   * number in JSON): `aws` v1's default output */
} wf_aws_timestamp_format;

typedef enum wf_aws_blob_format {
    WF_AWS_BLOB_BASE64 = 0,  /* base64 text, as `aws` prints blobs (the wire text itself
                              * for XML/JSON members; raw payload bodies get encoded) */
    WF_AWS_BLOB_RAW          /* the decoded bytes as a string (the test suites' form); a
                              * blob holding a NUL byte cannot be a cJSON string and
                              * fails with WF_EPARSE */
} wf_aws_blob_format;

/* Zero-initialised options are the CLI's rendering: ISO-8601 timestamps, base64 blobs. */
typedef struct wf_aws_parse_options {
    wf_aws_timestamp_format timestamps;
    wf_aws_blob_format blobs;
    /* Set when the request asked S3 for EncodingType=url on the caller's behalf (as
     * botocore does for ListObjects/ListObjectsV2/ListObjectVersions): keys and prefixes
     * in an answer saying EncodingType "url" are then decoded back. */
    int decode_listing_keys;
    /* Nullable: an XML reader to parse bodies with (the client's, kept between calls);
     * NULL makes one per body. */
    struct wf_xml_reader *xml;
} wf_aws_parse_options;

/* Parses resp as the answer to operation (a name in model->operations) with the
 * default (CLI) options. On WF_OK:
 *  - success (status < 300): *result is the output object ({} when the operation has
 *    no output) and aws_error has is_error 0, status and request_id filled;
 *  - AWS error (status >= 300, or S3's 200 carrying an <Error> document): aws_error
 *    has is_error 1, code, message, request_id and status; *result is the modeled
 *    error shape's members (e.g. {"Message": "..."} or {}) when the code names an error
 *    shape of the model, else NULL. A body that cannot be read gives code = the status
 *    number and message = its HTTP reason phrase, as botocore does (HEAD 404 ->
 *    "404"/"Not Found").
 * Returns WF_ENOTFOUND for an unknown operation, WF_EINVAL for an unsupported protocol,
 * WF_EPARSE for a success body that does not match the protocol or the shapes (with
 * *result NULL). */
wf_status wf_aws_parse_response(const wf_aws_model *model, const char *operation,
                                const wf_http_response *resp, cJSON **result,
                                wf_aws_error *aws_error, wf_error *err);

/* The same with explicit rendering options (NULL means the defaults). */
wf_status wf_aws_parse_response_ex(const wf_aws_model *model, const char *operation,
                                   const wf_http_response *resp,
                                   const wf_aws_parse_options *options, cJSON **result,
                                   wf_aws_error *aws_error, wf_error *err);

/* Reads a timestamp as botocore does, whatever the shape's timestampFormat says: epoch
 * seconds ("1398796238", "1398796238.5"), ISO-8601 ("2014-04-29T18:30:38Z",
 * "2019-12-16T22:48:18-01:00", ".123" fractions, "20140429T183038Z", a bare date) or
 * HTTP dates ("Tue, 29 Apr 2014 18:30:38 GMT", RFC 850, asctime). Returns 0 and sets
 * *epoch, or -1 when s is none of these. */
int wf_aws_parse_timestamp(const char *s, double *epoch);

/* Writes epoch as "YYYY-MM-DDTHH:MM:SS[.ffffff]+00:00" into buf (at least 40 bytes);
 * returns 0, or -1 when the year falls outside 1..9999. */
int wf_aws_format_timestamp(double epoch, char *buf, size_t size);

#endif
