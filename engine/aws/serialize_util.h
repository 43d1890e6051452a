/* Helpers shared by the request serializers (serialize_*.c): a growable buffer, shape
 * lookups, parameter checks with a path for error messages, scalar and timestamp
 * formatting, base64. Internal to engine/aws: nothing here is a public API.
 * Ownership: functions returning char * hand over a malloc'd string; every const cJSON *
 * is borrowed from the model or the caller's params. */
#ifndef WF_AWS_SERIALIZE_UTIL_H
#define WF_AWS_SERIALIZE_UTIL_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cjson/cJSON.h>
#include "aws/http_message.h"
#include "aws/model.h"
#include "wf.h"

/* A growable byte buffer; zero-initialise it. Out of memory is sticky (oom) so a caller
 * can append many times and check once. data is NUL-terminated whenever it is not NULL. */
typedef struct wf_aws_buf {
    char *data;
    size_t len, cap;
    bool oom;
} wf_aws_buf;

void wf_aws_buf_append(wf_aws_buf *b, const char *s, size_t n);
void wf_aws_buf_puts(wf_aws_buf *b, const char *s);
void wf_aws_buf_printf(wf_aws_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Hands the bytes over (never NULL unless oom: an empty buffer gives ""), and resets b. */
char *wf_aws_buf_take(wf_aws_buf *b);
void wf_aws_buf_free(wf_aws_buf *b);

/* State of one serialization: the model, the error to fill and the path of the parameter
 * being written ("Filters[2].Values[1]"), so messages say which argument is wrong. */
typedef struct wf_aws_ser {
    const wf_aws_model *model;
    const char *op_name;        /* "DescribeImages" */
    const cJSON *operation;     /* its definition in the model */
    wf_error *err;
    char path[512];
    size_t path_len;
} wf_aws_ser;

/* Appends ".name" (or "name" at the top) or "[i]" to the path; returns the length to
 * restore with wf_aws_ser_pop. Indexes are 1-based, as the wire and Lua count. */
size_t wf_aws_ser_push_name(wf_aws_ser *s, const char *name);
size_t wf_aws_ser_push_index(wf_aws_ser *s, size_t i);
size_t wf_aws_ser_push_key(wf_aws_ser *s, const char *key);
void wf_aws_ser_pop(wf_aws_ser *s, size_t len);
/* Sets the error as "<operation>: parameter <path>: <message>" and returns code. */
wf_status wf_aws_ser_fail(wf_aws_ser *s, wf_status code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* A string or boolean field of a JSON object (model trait), or NULL / false. */
const char *wf_aws_jstr(const cJSON *obj, const char *key);
bool wf_aws_jtrue(const cJSON *obj, const char *key);
/* The shape a member reference ({"shape": "Name", ...}) points at; NULL with the error
 * set when the model lacks it. */
const cJSON *wf_aws_ser_target(wf_aws_ser *s, const cJSON *ref);
/* A trait of a member: the reference's own value wins over the target shape's. */
const cJSON *wf_aws_trait(const cJSON *ref, const cJSON *shape, const char *key);
const char *wf_aws_trait_str(const cJSON *ref, const cJSON *shape, const char *key);
/* The shape's "type" ("structure", "list", "map", "string", ...), "" when missing. */
const char *wf_aws_shape_type(const cJSON *shape);

/* Checks a structure value: an object, every key a member of shape (null values are
 * allowed and mean absent), every required member present. */
wf_status wf_aws_ser_check_structure(wf_aws_ser *s, const cJSON *shape, const cJSON *value);
/* A member the caller gave a value for. */
typedef struct wf_aws_given {
    const wf_aws_member_info *member;
    size_t index;              /* the member's place in the model's order */
    const cJSON *value;        /* never null */
} wf_aws_given;

typedef struct wf_aws_given_list {
    wf_aws_given *items;       /* small, or malloc'd when more are given */
    size_t count;
    wf_aws_given small[16];
} wf_aws_given_list;

/* The members of si that value (an object) gives, in the model's order, each with the
 * value cJSON_GetObjectItemCaseSensitive would find (the first key of its name), null
 * values left out: what a walk over all the members looking each up in value finds, for
 * the cost of a walk over value. Release with wf_aws_given_free, success or not;
 * WF_ENOMEM (error set) when out of memory. */
wf_status wf_aws_ser_given(wf_aws_ser *s, const wf_aws_shape_info *si, const cJSON *value,
                           wf_aws_given_list *out);
void wf_aws_given_free(wf_aws_given_list *list);

/* Checks the JSON type of a list (array) or map (object) value. */
wf_status wf_aws_ser_check_list(wf_aws_ser *s, const cJSON *value);
wf_status wf_aws_ser_check_map(wf_aws_ser *s, const cJSON *value);

/* A point in time: seconds since the epoch plus milliseconds (0..999). */
typedef struct wf_aws_time {
    int64_t sec;
    int ms;
} wf_aws_time;

/* Reads a timestamp parameter: a number of epoch seconds (fraction allowed) or an
 * ISO-8601 string ("2019-12-16T23:48:18Z", fractions and +hh:mm offsets allowed). */
wf_status wf_aws_ser_time(wf_aws_ser *s, const cJSON *value, wf_aws_time *t);
/* Formats t as format ("iso8601", "rfc822", "unixTimestamp"; case ignored) into out,
 * which holds at least 40 bytes. Fractions print as milliseconds and only when not 0. */
wf_status wf_aws_time_format(wf_aws_time t, const char *format, char *out, size_t n);

/* Formats a scalar parameter as text for a query string, header, URI label or XML text:
 * strings as is, booleans true/false, integers in decimal, floats in their shortest
 * round-trip form (or NaN/Infinity/-Infinity), blobs in base64, timestamps in the
 * member's timestampFormat or else ts_default. *out is malloc'd. */
wf_status wf_aws_ser_scalar(wf_aws_ser *s, const cJSON *ref, const cJSON *shape,
                            const cJSON *value, const char *ts_default, char **out);

/* The protocol serializers, called by wf_aws_serialize with params checked to be an
 * object and holding the generated idempotency tokens. */
wf_status wf_aws_serialize_query(wf_aws_ser *s, const cJSON *params, bool ec2,
                                 wf_http_request *out);
wf_status wf_aws_serialize_rest_xml(wf_aws_ser *s, const cJSON *params, wf_http_request *out);
wf_status wf_aws_serialize_json(wf_aws_ser *s, const cJSON *params, wf_http_request *out);
/* The input shape of the operation being serialized, or NULL when it takes none. */
const cJSON *wf_aws_ser_input(wf_aws_ser *s);

/* Base64 of len bytes (standard alphabet, padded); malloc'd, NULL on ENOMEM. */
char *wf_aws_base64(const unsigned char *data, size_t len);

#endif
