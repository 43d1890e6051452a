/* Proves awssim's codec (tools/awssim/codec.h, engine/aws/server_*.c) against the real
 * client code, so that the two sides of the wire cannot drift apart:
 *  1. round trips for every operation of every embedded model: params built from the
 *     input shape go through wf_aws_serialize and back through wf_sim_decode_request
 *     (S3 also virtual-hosted); a result built from the output shape goes through
 *     wf_sim_encode_response and back through wf_aws_parse_response_ex;
 *  2. the AWS protocol test suites in reverse: each output case's result is encoded and
 *     parsed back, each error case encoded as an error and parsed back, each input case's
 *     serialized request decoded back to its params (skip list below, one reason each);
 *  3. routing, error documents and failures, case by case.
 * Comparisons are JSON equality after these normalisations, which are the codec's
 * documented conventions rather than losses: decoded timestamps are epoch seconds (so
 * expected ISO strings become numbers), non-payload blobs travel as base64 text both
 * ways (so the raw bytes a client is given become base64), a blob payload never passes
 * through params or results (its bytes are compared as the body), the client parser adds
 * ExpiresString beside S3's Expires (dropped before comparing). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <cjson/cJSON.h>
#include "check.h"
#include "aws/model_load.h"
#include "aws/parse.h"
#include "aws/serialize.h"
#include "aws/serialize_util.h"
#include "aws/uri_encode.h"
#include "../../tools/awssim/codec.h"

#define FIXED_TOKEN "00000000-0000-4000-8000-000000000000"

/* ---- helpers ---- */

static const char *jstr(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static int jtrue(const cJSON *o, const char *k)
{
    return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, k));
}

static const cJSON *target_of(const wf_aws_model *m, const cJSON *ref)
{
    return wf_aws_model_shape(m, jstr(ref, "shape"));
}

static const char *type_of(const cJSON *shape)
{
    const char *t = jstr(shape, "type");
    return t ? t : "";
}

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *data = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (data && fread(data, 1, (size_t)n, f) != (size_t)n) {
        free(data);
        data = NULL;
    }
    if (data)
        data[n] = '\0';
    fclose(f);
    return data;
}

static char *b64(const char *raw)
{
    return wf_aws_base64((const unsigned char *)raw, strlen(raw));
}

static int special_float_equal(const char *expected, double got)
{
    if (strcmp(expected, "NaN") == 0)
        return isnan(got);
    if (strcmp(expected, "Infinity") == 0)
        return isinf(got) && got > 0;
    if (strcmp(expected, "-Infinity") == 0)
        return isinf(got) && got < 0;
    return 0;
}

/* JSON equality: objects as key sets, numbers within a few ulps, "NaN"-style strings
 * equal to the numbers they name. */
static int json_equal(const cJSON *exp, const cJSON *got)
{
    if (cJSON_IsString(exp) && cJSON_IsNumber(got))
        return special_float_equal(exp->valuestring, got->valuedouble);
    if (cJSON_IsNumber(exp) && cJSON_IsNumber(got))
        return exp->valuedouble == got->valuedouble ||
               fabs(exp->valuedouble - got->valuedouble) <= 1e-6 + 4e-16 * fabs(exp->valuedouble);
    if (cJSON_IsString(exp) && cJSON_IsString(got))
        return strcmp(exp->valuestring, got->valuestring) == 0;
    if (cJSON_IsBool(exp) && cJSON_IsBool(got))
        return cJSON_IsTrue(exp) == cJSON_IsTrue(got);
    if (cJSON_IsNull(exp) && cJSON_IsNull(got))
        return 1;
    if (cJSON_IsArray(exp) && cJSON_IsArray(got)) {
        if (cJSON_GetArraySize(exp) != cJSON_GetArraySize(got))
            return 0;
        for (const cJSON *a = exp->child, *b = got->child; a && b; a = a->next, b = b->next)
            if (!json_equal(a, b))
                return 0;
        return 1;
    }
    if (cJSON_IsObject(exp) && cJSON_IsObject(got)) {
        if (cJSON_GetArraySize(exp) != cJSON_GetArraySize(got))
            return 0;
        const cJSON *a;
        cJSON_ArrayForEach(a, exp) {
            const cJSON *b = cJSON_GetObjectItemCaseSensitive(got, a->string);
            if (!b || !json_equal(a, b))
                return 0;
        }
        return 1;
    }
    return 0;
}

static void print_json(const char *label, const cJSON *v)
{
    char *s = v ? cJSON_PrintUnformatted(v) : NULL;
    printf("    %s %s\n", label, s ? s : "(none)");
    free(s);
}

/* ---- normalisation: the codec's conventions applied to an expected value ---- */

enum { NORM_BLOB_TO_B64 = 1, NORM_TS_TO_EPOCH = 2 };

static cJSON *normalise(const wf_aws_model *m, const cJSON *shape, const cJSON *v, int how,
                        int depth)
{
    const char *type = type_of(shape);
    if (depth > 60 || cJSON_IsNull(v))
        return cJSON_Duplicate(v, 1);
    if (strcmp(type, "structure") == 0 && cJSON_IsObject(v) && !jtrue(shape, "document")) {
        cJSON *obj = cJSON_CreateObject();
        const cJSON *members = cJSON_GetObjectItemCaseSensitive(shape, "members");
        const cJSON *field;
        cJSON_ArrayForEach(field, v) {
            if (cJSON_IsNull(field))
                continue;   /* a null member is an absent one, to the client as to us */
            const cJSON *ref = cJSON_GetObjectItemCaseSensitive(members, field->string);
            cJSON_AddItemToObject(obj, field->string,
                                  ref ? normalise(m, target_of(m, ref), field, how, depth + 1)
                                      : cJSON_Duplicate(field, 1));
        }
        return obj;
    }
    if ((strcmp(type, "list") == 0 && cJSON_IsArray(v)) ||
        (strcmp(type, "map") == 0 && cJSON_IsObject(v))) {
        int is_map = strcmp(type, "map") == 0;
        const cJSON *item_shape =
            target_of(m, cJSON_GetObjectItemCaseSensitive(shape, is_map ? "value" : "member"));
        cJSON *acc = is_map ? cJSON_CreateObject() : cJSON_CreateArray();
        const cJSON *item;
        cJSON_ArrayForEach(item, v) {
            cJSON *n = normalise(m, item_shape, item, how, depth + 1);
            if (is_map)
                cJSON_AddItemToObject(acc, item->string, n);
            else
                cJSON_AddItemToArray(acc, n);
        }
        return acc;
    }
    if (strcmp(type, "blob") == 0 && (how & NORM_BLOB_TO_B64) && cJSON_IsString(v)) {
        char *e = b64(v->valuestring);
        cJSON *r = cJSON_CreateString(e);
        free(e);
        return r;
    }
    if (strcmp(type, "timestamp") == 0 && (how & NORM_TS_TO_EPOCH) && cJSON_IsString(v)) {
        double epoch;
        if (wf_aws_parse_timestamp(v->valuestring, &epoch) == 0)
            return cJSON_CreateNumber(epoch);
    }
    return cJSON_Duplicate(v, 1);
}

/* The payload member of a structure when it is a blob (it never travels in cJSON). */
static const char *blob_payload(const wf_aws_model *m, const cJSON *shape)
{
    const char *payload = jstr(shape, "payload");
    const cJSON *ref = payload ? cJSON_GetObjectItemCaseSensitive(
                                     cJSON_GetObjectItemCaseSensitive(shape, "members"), payload)
                               : NULL;
    return ref && strcmp(type_of(target_of(m, ref)), "blob") == 0 ? payload : NULL;
}

/* ---- sample values, built by walking a shape ---- */

typedef struct gen {
    const wf_aws_model *m;
    int output;   /* a result (blobs as base64, timestamps also as ISO strings) */
    int n;        /* a counter, so that every value differs */
} gen;

static cJSON *sample_value(gen *g, const cJSON *ref, const cJSON *shape, const char *name,
                           int depth);
static cJSON *sample_member(gen *g, const cJSON *ref, const cJSON *shape, const char *name,
                            int depth);

static cJSON *sample_structure(gen *g, const cJSON *shape, int depth)
{
    if (jtrue(shape, "document"))
        return cJSON_Parse("{\"doc\":[1,\"two\"]}");
    cJSON *obj = cJSON_CreateObject();
    const cJSON *required = cJSON_GetObjectItemCaseSensitive(shape, "required");
    const cJSON *ref;
    cJSON_ArrayForEach(ref, cJSON_GetObjectItemCaseSensitive(shape, "members")) {
        int is_required = 0;
        const cJSON *r;
        cJSON_ArrayForEach(r, required)
            is_required = is_required ||
                          (cJSON_IsString(r) && strcmp(r->valuestring, ref->string) == 0);
        if (depth > 4 && !is_required)
            continue;   /* recursive shapes end here */
        if (jtrue(ref, "hostLabel"))
            continue;   /* travels in the host name, which the decoder is not given */
        cJSON *v = sample_member(g, ref, target_of(g->m, ref), ref->string, depth + 1);
        if (v)
            cJSON_AddItemToObject(obj, ref->string, v);
        if (v && jtrue(shape, "union"))
            break;   /* one member of a union */
    }
    return obj;
}

/* A member's sample; an empty structure is left out, since no protocol but json can
 * tell it from an absent one. */
static cJSON *sample_member(gen *g, const cJSON *ref, const cJSON *shape, const char *name,
                            int depth)
{
    cJSON *v = sample_value(g, ref, shape, name, depth);
    if (cJSON_IsObject(v) && !v->child) {
        cJSON_Delete(v);
        return NULL;
    }
    return v;
}

static cJSON *sample_value(gen *g, const cJSON *ref, const cJSON *shape, const char *name,
                           int depth)
{
    const char *type = type_of(shape);
    const char *location = jstr(ref, "location");
    int n = ++g->n;
    char text[256];
    if (depth > 8)
        return NULL;
    if (strcmp(type, "structure") == 0)
        return sample_structure(g, shape, depth);
    if (strcmp(type, "list") == 0 || strcmp(type, "map") == 0) {
        int is_map = strcmp(type, "map") == 0;
        const cJSON *iref = cJSON_GetObjectItemCaseSensitive(shape, is_map ? "value" : "member");
        cJSON *acc = is_map ? cJSON_CreateObject() : cJSON_CreateArray();
        for (int i = 1; i <= 2; i++) {
            cJSON *item = sample_member(g, iref, target_of(g->m, iref), name, depth + 1);
            if (!item) {
                cJSON_Delete(acc);
                return NULL;
            }
            snprintf(text, sizeof text, "key%d", i);
            if (is_map)
                cJSON_AddItemToObject(acc, text, item);
            else
                cJSON_AddItemToArray(acc, item);
        }
        return acc;
    }
    if (strcmp(type, "string") == 0) {
        const cJSON *e = cJSON_GetObjectItemCaseSensitive(shape, "enum");
        if (cJSON_IsArray(e) && cJSON_IsString(e->child))
            return cJSON_CreateString(e->child->valuestring);
        if (location && (strcmp(location, "header") == 0 || strcmp(location, "headers") == 0))
            snprintf(text, sizeof text, "%s-%d \"q\", /+=%%?", name, n);   /* ASCII */
        else
            snprintf(text, sizeof text, "%s-%d <&>\"' /+=%%?\xc3\xa9", name, n);
        return cJSON_CreateString(text);
    }
    if (strcmp(type, "boolean") == 0)
        return cJSON_CreateBool(n % 2);
    if (strcmp(type, "integer") == 0 || strcmp(type, "short") == 0 || strcmp(type, "byte") == 0)
        return cJSON_CreateNumber(location && strcmp(location, "statusCode") == 0 ? 200
                                                                                   : 10 + n % 50);
    if (strcmp(type, "long") == 0)
        return cJSON_CreateNumber(3000000000.0 + n);
    if (strcmp(type, "float") == 0 || strcmp(type, "double") == 0)
        return cJSON_CreateNumber(0.5 + n);
    if (strcmp(type, "timestamp") == 0) {
        time_t t = (time_t)(1422172800 + 61 * n);
        if (!g->output || n % 2)
            return cJSON_CreateNumber((double)t);
        struct tm tm;
        gmtime_r(&t, &tm);
        strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);   /* results take both */
        return cJSON_CreateString(text);
    }
    if (strcmp(type, "blob") == 0) {
        snprintf(text, sizeof text, "blob-%d bytes", n);
        if (!g->output)
            return cJSON_CreateString(text);   /* the client takes raw bytes */
        char *e = b64(text);
        cJSON *v = cJSON_CreateString(e);
        free(e);
        return v;
    }
    return NULL;
}

/* ---- round trips over the embedded models ---- */

typedef struct tally {
    int passed, failed, skipped;
} tally;

static void count(tally *t, int ok)
{
    check_count++;
    if (ok) {
        t->passed++;
    } else {
        t->failed++;
        check_failures++;
    }
}

/* Decodes req (with bucket, for virtual-hosted S3) and compares with want. */
static int decode_and_compare(const wf_aws_model *m, const char *op_name,
                              const wf_http_request *req, const char *bucket, const cJSON *want,
                              const char *what)
{
    char *op = NULL;
    cJSON *params = NULL;
    wf_error err = {0};
    wf_status st = wf_sim_decode_request(m, req, bucket, &op, &params, &err);
    int ok = st == WF_OK && op && strcmp(op, op_name) == 0 && json_equal(want, params);
    if (!ok) {
        printf("FAIL %s %s (%s): status %d, operation %s: %s\n", what, op_name,
               bucket ? "virtual-hosted" : "as serialized", (int)st, op ? op : "(none)",
               err.message);
        printf("    request %s %s?%s\n    body %.*s\n", req->method, req->path, req->query,
               (int)(req->body_len > 2000 ? 2000 : req->body_len), req->body);
        print_json("expected", want);
        print_json("got     ", params);
    }
    free(op);
    cJSON_Delete(params);
    return ok;
}

static int input_round_trip(const wf_aws_model *m, const char *service, const char *op_name)
{
    const cJSON *op = wf_aws_model_operation(m, op_name);
    const cJSON *input = target_of(m, cJSON_GetObjectItemCaseSensitive(op, "input"));
    gen g = {.m = m};
    cJSON *params = input ? sample_structure(&g, input, 0) : cJSON_CreateObject();
    wf_http_request req = {0};
    wf_error err = {0};
    int ok = 0;
    if (wf_aws_serialize(m, op_name, params, &req, &err) != WF_OK) {
        printf("FAIL %s %s: the client cannot serialize the sample: %s\n", service, op_name,
               err.message);
        print_json("params", params);
        goto done;
    }
    cJSON *want = normalise(m, input, params, NORM_BLOB_TO_B64 | NORM_TS_TO_EPOCH, 0);
    const char *payload = input ? blob_payload(m, input) : NULL;
    if (payload) {
        const cJSON *body = cJSON_GetObjectItemCaseSensitive(params, payload);
        if (body && (req.body_len != strlen(body->valuestring) ||
                     memcmp(req.body, body->valuestring, req.body_len) != 0))
            printf("FAIL %s %s: payload body differs\n", service, op_name);
        cJSON_DeleteItemFromObjectCaseSensitive(want, payload);
    }
    ok = decode_and_compare(m, op_name, &req, NULL, want, service);

    /* S3 virtual-hosted: the first label goes to the host, the path keeps the rest. */
    const char *uri = jstr(cJSON_GetObjectItemCaseSensitive(op, "http"), "requestUri");
    if (ok && strcmp(wf_aws_model_protocol(m), "rest-xml") == 0 && uri &&
        strncmp(uri, "/{", 2) == 0) {
        const char *slash = strchr(req.path + 1, '/');
        size_t blen = slash ? (size_t)(slash - req.path - 1) : strlen(req.path + 1);
        char *bucket = wf_uri_decode(req.path + 1, blen, NULL);
        wf_http_request virt = req;
        virt.path = (char *)(slash ? slash : "/");
        ok = decode_and_compare(m, op_name, &virt, bucket, want, service);
        free(bucket);
    }
    cJSON_Delete(want);
done:
    wf_http_request_free(&req);
    cJSON_Delete(params);
    return ok;
}

static int output_round_trip(const wf_aws_model *m, const char *service, const char *op_name)
{
    const cJSON *op = wf_aws_model_operation(m, op_name);
    const cJSON *output = target_of(m, cJSON_GetObjectItemCaseSensitive(op, "output"));
    gen g = {.m = m, .output = 1};
    cJSON *result = output ? sample_structure(&g, output, 0) : cJSON_CreateObject();
    const char *payload = output ? blob_payload(m, output) : NULL;
    if (payload)
        cJSON_DeleteItemFromObjectCaseSensitive(result, payload);
    wf_http_response resp = {0};
    wf_error err = {0};
    cJSON *got = NULL, *want = NULL;
    int ok = 0;
    if (wf_sim_encode_response(m, op_name, result, "req-1234", &resp, &err) != WF_OK) {
        printf("FAIL %s %s: cannot encode the sample result: %s\n", service, op_name, err.message);
        print_json("result", result);
        goto done;
    }
    if (payload) {   /* what the server does: append the bytes the handler returned */
        free(resp.body);
        resp.body = strdup("object bytes\n");
        resp.body_len = strlen(resp.body);
    }
    wf_aws_parse_options opts = {.timestamps = WF_AWS_TIMESTAMP_EPOCH,
                                 .blobs = WF_AWS_BLOB_BASE64, .decode_listing_keys = 1};
    wf_aws_error aws;
    if (wf_aws_parse_response_ex(m, op_name, &resp, &opts, &got, &aws, &err) != WF_OK ||
        aws.is_error) {
        printf("FAIL %s %s: the client cannot parse the answer: %s %s\n", service, op_name,
               err.message, aws.is_error ? aws.code : "");
        printf("    body %.*s\n", (int)resp.body_len, resp.body);
        goto done;
    }
    want = normalise(m, output, result, NORM_TS_TO_EPOCH, 0);
    if (payload) {
        char *e = b64("object bytes\n");
        cJSON_AddStringToObject(want, payload, e);
        free(e);
    }
    if (cJSON_GetObjectItemCaseSensitive(want, "Expires"))
        cJSON_DeleteItemFromObjectCaseSensitive(got, "ExpiresString");
    ok = json_equal(want, got);
    if (!ok) {
        printf("FAIL %s %s: result differs after encode and parse\n", service, op_name);
        printf("    status %d body %.*s\n", resp.status,
               (int)(resp.body_len > 3000 ? 3000 : resp.body_len), resp.body);
        for (size_t i = 0; i < resp.headers.count; i++)
            printf("    header %s: %s\n", resp.headers.items[i].name, resp.headers.items[i].value);
        print_json("expected", want);
        print_json("got     ", got);
    }
done:
    cJSON_Delete(result);
    cJSON_Delete(got);
    cJSON_Delete(want);
    wf_http_response_free(&resp);
    return ok;
}

static void round_trips(tally *total)
{
    static const char *const services[] = {"ec2", "autoscaling", "rds", "cloudformation",
                                           "s3", "sts", "ssm"};
    for (size_t i = 0; i < sizeof services / sizeof services[0]; i++) {
        wf_aws_model m;
        wf_error err = {0};
        if (wf_aws_model_load(services[i], &m, &err) != WF_OK) {
            printf("FAIL %s: %s\n", services[i], err.message);
            count(total, 0);
            wf_aws_model_free(&m);
            continue;
        }
        tally in = {0}, out = {0};
        const cJSON *op;
        cJSON_ArrayForEach(op, m.operations) {
            count(&in, input_round_trip(&m, services[i], op->string));
            count(&out, output_round_trip(&m, services[i], op->string));
        }
        printf("round trip %s: requests %d passed, %d failed; answers %d passed, %d failed\n",
               services[i], in.passed, in.failed, out.passed, out.failed);
        total->passed += in.passed + out.passed;
        total->failed += in.failed + out.failed;
        wf_aws_model_free(&m);
    }
}

/* ---- the protocol test suites in reverse ---- */

static const struct skip {
    const char *dir, *protocol, *id, *reason;
} skips[] = {
    {"input", "*", "SDKAppliedContentEncoding_ec2Query", "request compression (gzip bodies): "
     "the client never compresses (no wfrun operation has the trait), so the codec does not "
     "inflate"},
    {"input", "*", "SDKAppendsGzipAndIgnoresHttpProvidedEncoding_ec2Query", "gzip, as above"},
    {"input", "*", "SDKAppliedContentEncoding_awsQuery", "gzip, as above"},
    {"input", "*", "SDKAppendsGzipAndIgnoresHttpProvidedEncoding_awsQuery", "gzip, as above"},
    {"input", "*", "SDKAppliedContentEncoding_restXml", "gzip, as above"},
    {"input", "*", "SDKAppendedGzipAfterProvidedEncoding_restXml", "gzip, as above"},
    {"input", "*", "SDKAppliedContentEncoding_awsJson1_1", "gzip, as above"},
    {"input", "*", "SDKAppendsGzipAndIgnoresHttpProvidedEncoding_awsJson1_1", "gzip, as above"},
    {"input", "ec2", "Ec2EmptyQueryLists", "ec2 sends an empty list as nothing at all: the "
     "request cannot say [] (the codec decodes the member as absent)"},
    {"input", "query", "QueryEmptyQueryMaps", "an empty map is sent as nothing at all: the "
     "request cannot say {}"},
    {"input", "rest-xml", "HttpPrefixHeadersAreNotPresent", "an empty header map is sent as "
     "no header: the request cannot say {}"},
    {"input", "rest-xml", "RestXmlQueryPrecedence", "the map's \"bar\" loses to the named "
     "member on the wire (bar=named): the request no longer holds it"},
    {"output", "rest-xml", "HttpPayloadTraitsWithNoBlobBody", "the client parser's own skip "
     "(botocore ignore list): an empty blob payload parses as \"\", the suite wants nothing"},
};

static const char *skip_reason(const char *dir, const char *protocol, const char *id)
{
    for (size_t i = 0; i < sizeof skips / sizeof skips[0]; i++)
        if (strcmp(skips[i].dir, dir) == 0 && strcmp(skips[i].id, id) == 0 &&
            (strcmp(skips[i].protocol, "*") == 0 || strcmp(skips[i].protocol, protocol) == 0))
            return skips[i].reason;
    return NULL;
}

/* The model botocore's runner builds for a case: the suite's metadata and shapes, the
 * case's operation. */
static int case_model(const cJSON *suite, const cJSON *given, wf_aws_model *m)
{
    cJSON *root = cJSON_CreateObject();
    cJSON_AddItemToObject(root, "metadata",
                          cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(suite, "metadata"), 1));
    cJSON_AddItemToObject(root, "shapes",
                          cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(suite, "shapes"), 1));
    cJSON *ops = cJSON_AddObjectToObject(root, "operations");
    cJSON_AddItemToObject(ops, jstr(given, "name"), cJSON_Duplicate(given, 1));
    wf_error err = {0};
    return wf_aws_model_init(m, root, &err) == WF_OK;
}

static int output_case(const char *protocol, const cJSON *c, const wf_aws_model *m)
{
    const cJSON *given = cJSON_GetObjectItemCaseSensitive(c, "given");
    const char *op = jstr(given, "name");
    const cJSON *r = cJSON_GetObjectItemCaseSensitive(c, "response");
    const cJSON *status = cJSON_GetObjectItemCaseSensitive(r, "status_code");
    wf_http_response resp = {0};
    wf_error err = {0};
    wf_aws_error aws;
    cJSON *got = NULL, *input = NULL;
    int ok = 0;
    const char *code = jstr(c, "errorCode");
    if (code) {
        /* Error cases: the code and message go out and come back; modeled error members
         * other than the message are not written by wf_sim_encode_error. */
        const char *message = jstr(c, "errorMessage");
        if (wf_sim_encode_error(m, code, message ? message : "", status ? status->valueint : 400,
                                "req-42", &resp, &err) != WF_OK)
            goto done;
        if (wf_aws_parse_response(m, op, &resp, &got, &aws, &err) != WF_OK)
            goto done;
        ok = aws.is_error && strcmp(aws.code, code) == 0 &&
             (!message || strcmp(aws.message, message) == 0) &&
             (strcmp(protocol, "rest-xml") != 0 ? 1 : strcmp(aws.request_id, "req-42") == 0);
        if (!ok)
            printf("FAIL output %s %s: error came back as code \"%s\" message \"%s\" id \"%s\"\n",
                   protocol, jstr(c, "id"), aws.code, aws.message, aws.request_id);
        goto done;
    }
    const cJSON *oref = cJSON_GetObjectItemCaseSensitive(given, "output");
    const cJSON *shape = target_of(m, oref);
    const cJSON *want = cJSON_GetObjectItemCaseSensitive(c, "result");
    /* The suite's blobs are raw bytes; the codec takes base64 text. */
    input = shape ? normalise(m, shape, want, NORM_BLOB_TO_B64, 0) : cJSON_CreateObject();
    const char *payload = shape ? blob_payload(m, shape) : NULL;
    const cJSON *raw = payload ? cJSON_GetObjectItemCaseSensitive(want, payload) : NULL;
    if (payload)
        cJSON_DeleteItemFromObjectCaseSensitive(input, payload);
    if (wf_sim_encode_response(m, op, input, "req-42", &resp, &err) != WF_OK) {
        printf("FAIL output %s %s: cannot encode: %s\n", protocol, jstr(c, "id"), err.message);
        goto done;
    }
    if (cJSON_IsString(raw)) {
        free(resp.body);
        resp.body = strdup(raw->valuestring);
        resp.body_len = strlen(raw->valuestring);
    }
    wf_aws_parse_options opts = {.timestamps = WF_AWS_TIMESTAMP_EPOCH, .blobs = WF_AWS_BLOB_RAW};
    if (wf_aws_parse_response_ex(m, op, &resp, &opts, &got, &aws, &err) != WF_OK) {
        printf("FAIL output %s %s: cannot parse: %s\n    body %.*s\n", protocol, jstr(c, "id"),
               err.message, (int)resp.body_len, resp.body);
        goto done;
    }
    ok = !aws.is_error && got && json_equal(want, got);
    if (!ok) {
        printf("FAIL output %s %s\n    status %d body %.*s\n", protocol, jstr(c, "id"),
               resp.status, (int)resp.body_len, resp.body);
        for (size_t i = 0; i < resp.headers.count; i++)
            printf("    header %s: %s\n", resp.headers.items[i].name, resp.headers.items[i].value);
        print_json("expected", want);
        print_json("got     ", got);
    }
done:
    if (!ok && err.message[0])
        printf("    (%s)\n", err.message);
    cJSON_Delete(got);
    cJSON_Delete(input);
    wf_http_response_free(&resp);
    return ok;
}

/* Adds a generated token where the case lets the client fill one. */
static void expect_tokens(const cJSON *shape, cJSON *want)
{
    const cJSON *ref;
    cJSON_ArrayForEach(ref, cJSON_GetObjectItemCaseSensitive(shape, "members")) {
        if (jtrue(ref, "idempotencyToken") && !cJSON_GetObjectItemCaseSensitive(want, ref->string))
            cJSON_AddStringToObject(want, ref->string, FIXED_TOKEN);
    }
}

static int input_case(const char *protocol, const cJSON *suite, const cJSON *c,
                      const wf_aws_model *m)
{
    const cJSON *given = cJSON_GetObjectItemCaseSensitive(c, "given");
    const cJSON *ser = cJSON_GetObjectItemCaseSensitive(c, "serialized");
    const char *op = jstr(given, "name");
    const cJSON *shape = target_of(m, cJSON_GetObjectItemCaseSensitive(given, "input"));
    wf_http_request req = {0};
    req.method = strdup(jstr(ser, "method") ? jstr(ser, "method") : "POST");
    /* The endpoint's own path comes before the operation's: take it off again. */
    const char *uri = jstr(ser, "uri") ? jstr(ser, "uri") : "/";
    const char *endpoint = jstr(suite, "clientEndpoint");
    const char *host = endpoint ? strstr(endpoint, "://") : NULL;
    const char *base = host ? strchr(host + 3, '/') : NULL;
    size_t base_len = base ? strlen(base) : 0;
    if (base_len && base[base_len - 1] == '/')
        base_len--;
    if (base_len && strncmp(uri, base, base_len) == 0)
        uri += base_len;
    const char *q = strchr(uri, '?');
    req.path = strndup(uri, q ? (size_t)(q - uri) : strlen(uri));
    req.query = strdup(q ? q + 1 : "");
    const cJSON *h;
    cJSON_ArrayForEach(h, cJSON_GetObjectItemCaseSensitive(ser, "headers"))
        wf_http_headers_add(&req.headers, h->string, h->valuestring);
    const char *body = jstr(ser, "body") ? jstr(ser, "body") : "";
    wf_http_request_set_body(&req, body, strlen(body));

    const cJSON *params = cJSON_GetObjectItemCaseSensitive(c, "params");
    cJSON *want = shape ? normalise(m, shape, params, NORM_BLOB_TO_B64 | NORM_TS_TO_EPOCH, 0)
                        : cJSON_CreateObject();
    if (shape)
        expect_tokens(shape, want);
    const char *payload = shape ? blob_payload(m, shape) : NULL;
    if (payload)
        cJSON_DeleteItemFromObjectCaseSensitive(want, payload);
    char label[64];
    snprintf(label, sizeof label, "input %s %s", protocol, jstr(c, "id"));
    int ok = decode_and_compare(m, op, &req, NULL, want, label);
    cJSON_Delete(want);
    wf_http_request_free(&req);
    return ok;
}

static void suites(const char *dir, const char *protocol, tally *total)
{
    const char *src = getenv("WF_SOURCE_DIR");
    char path[4096];
    snprintf(path, sizeof path, "%s/tests/data/aws-protocol-tests/%s/%s.json", src ? src : ".",
             dir, protocol);
    char *text = read_file(path);
    cJSON *all = text ? cJSON_Parse(text) : NULL;
    free(text);
    if (!cJSON_IsArray(all)) {
        printf("FAIL cannot read %s\n", path);
        count(total, 0);
        cJSON_Delete(all);
        return;
    }
    tally t = {0};
    const cJSON *suite;
    cJSON_ArrayForEach(suite, all) {
        const cJSON *c;
        cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(suite, "cases")) {
            const char *id = jstr(c, "id") ? jstr(c, "id") : "?";
            const char *why = skip_reason(dir, protocol, id);
            if (why) {
                printf("skip %s %s %s: %s\n", dir, protocol, id, why);
                t.skipped++;
                continue;
            }
            wf_aws_model m;
            if (!case_model(suite, cJSON_GetObjectItemCaseSensitive(c, "given"), &m)) {
                printf("FAIL %s %s %s: bad model\n", dir, protocol, id);
                count(&t, 0);
                wf_aws_model_free(&m);
                continue;
            }
            count(&t, strcmp(dir, "output") == 0 ? output_case(protocol, c, &m)
                                                 : input_case(protocol, suite, c, &m));
            wf_aws_model_free(&m);
        }
    }
    cJSON_Delete(all);
    printf("suite %s %s: %d passed, %d failed, %d skipped\n", dir, protocol, t.passed, t.failed,
           t.skipped);
    total->passed += t.passed;
    total->failed += t.failed;
    total->skipped += t.skipped;
}

/* ---- routing, errors and failures, one by one ---- */

static wf_status decode_one(const wf_aws_model *m, const char *method, const char *path,
                            const char *query, const char *headers, const char *body,
                            const char *bucket, char **op, cJSON **params, wf_error *err)
{
    wf_http_request req = {0};
    req.method = strdup(method);
    req.path = strdup(path);
    req.query = strdup(query);
    /* headers: "Name: value\n..." */
    for (const char *p = headers; p && *p;) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        char line[512];
        snprintf(line, sizeof line, "%.*s", (int)len, p);
        char *colon = strchr(line, ':');
        if (colon) {
            *colon = '\0';
            wf_http_headers_add(&req.headers, line, colon + 2);
        }
        p = nl ? nl + 1 : NULL;
    }
    wf_http_request_set_body(&req, body ? body : "", body ? strlen(body) : 0);
    wf_status st = wf_sim_decode_request(m, &req, bucket, op, params, err);
    wf_http_request_free(&req);
    return st;
}

static void check_route(const wf_aws_model *m, const char *method, const char *path,
                        const char *query, const char *headers, const char *bucket,
                        const char *want)
{
    char *op = NULL;
    cJSON *params = NULL;
    wf_error err = {0};
    /* DeleteObjects requires its <Delete> payload. */
    const char *body = strstr(query, "delete") ? "<Delete><Object><Key>k</Key></Object></Delete>"
                                               : NULL;
    wf_status st = decode_one(m, method, path, query, headers, body, bucket, &op, &params, &err);
    if (want) {
        CHECK_INT_EQ(st, WF_OK);
        CHECK_STR_EQ(op, want);
    } else {
        CHECK_INT_EQ(st, WF_ENOTFOUND);
        CHECK(!op && !params);
    }
    if ((want && (st != WF_OK || !op || strcmp(op, want) != 0)) || (!want && st != WF_ENOTFOUND))
        printf("    route %s %s?%s [%s] -> %s (%s)\n", method, path, query,
               headers ? headers : "", op ? op : "(none)", err.message);
    free(op);
    cJSON_Delete(params);
}

static void s3_routing(void)
{
    wf_aws_model m;
    wf_error err = {0};
    CHECK_INT_EQ(wf_aws_model_load("s3", &m, &err), WF_OK);
    check_route(&m, "GET", "/", "", NULL, NULL, "ListBuckets");
    check_route(&m, "GET", "/b", "list-type=2", NULL, NULL, "ListObjectsV2");
    check_route(&m, "GET", "/b/", "list-type=2&prefix=a%2Fb", NULL, NULL, "ListObjectsV2");
    check_route(&m, "GET", "/", "list-type=2", NULL, "b", "ListObjectsV2");
    check_route(&m, "GET", "/b", "location", NULL, NULL, "GetBucketLocation");
    check_route(&m, "GET", "/b", "location=", NULL, NULL, "GetBucketLocation");
    check_route(&m, "GET", "/b", "", NULL, NULL, NULL);   /* ListObjects: not in the model */
    check_route(&m, "PUT", "/b", "", NULL, NULL, "CreateBucket");
    check_route(&m, "PUT", "/", "", NULL, "b", "CreateBucket");
    check_route(&m, "HEAD", "/b", "", NULL, NULL, "HeadBucket");
    check_route(&m, "DELETE", "/b", "", NULL, NULL, "DeleteBucket");
    check_route(&m, "GET", "/b/k", "", NULL, NULL, "GetObject");
    check_route(&m, "GET", "/k", "", NULL, "b", "GetObject");
    check_route(&m, "HEAD", "/b/dir/k", "", NULL, NULL, "HeadObject");
    check_route(&m, "PUT", "/b/k", "", NULL, NULL, "PutObject");
    check_route(&m, "PUT", "/b/k", "", "x-amz-copy-source: src/k", NULL, "CopyObject");
    check_route(&m, "PUT", "/b/k", "partNumber=1&uploadId=u", NULL, NULL, "UploadPart");
    check_route(&m, "PUT", "/b/k", "partNumber=1&uploadId=u", "X-Amz-Copy-Source: src/k", NULL,
                "UploadPartCopy");
    check_route(&m, "POST", "/b", "delete", NULL, NULL, "DeleteObjects");
    check_route(&m, "POST", "/", "delete", NULL, "b", "DeleteObjects");
    check_route(&m, "POST", "/b/k", "uploads", NULL, NULL, "CreateMultipartUpload");
    check_route(&m, "POST", "/b/k", "uploadId=u", NULL, NULL, "CompleteMultipartUpload");
    check_route(&m, "DELETE", "/b/k", "uploadId=u", NULL, NULL, "AbortMultipartUpload");
    check_route(&m, "DELETE", "/b/k", "versionId=v", NULL, NULL, "DeleteObject");
    /* Newer SDKs (Go v2, JS v3) add x-id=<Operation>: not in these models, so ignored. */
    check_route(&m, "GET", "/b/k", "x-id=GetObject", NULL, NULL, "GetObject");
    check_route(&m, "PUT", "/b/k", "x-id=CopyObject", "x-amz-copy-source: s/k", NULL,
                "CopyObject");
    check_route(&m, "PATCH", "/b/k", "", NULL, NULL, NULL);
    check_route(&m, "GET", "/", "", NULL, "b", NULL);   /* ListObjects (v1) again */

    /* Labels come back decoded; a greedy key keeps its slashes, even a trailing one. */
    char *op = NULL;
    cJSON *params = NULL;
    CHECK_INT_EQ(decode_one(&m, "PUT", "/my-bucket/dir/a%20b%2Bc/", "", "x-amz-meta-Owner: me\n"
                            "Content-Length: 3\nx-amz-object-lock-retain-until-date: "
                            "Tue, 29 Apr 2014 18:30:38 GMT", "abc", NULL, &op, &params, &err),
                 WF_OK);
    CHECK_STR_EQ(jstr(params, "Bucket"), "my-bucket");
    CHECK_STR_EQ(jstr(params, "Key"), "dir/a b+c/");
    CHECK_STR_EQ(jstr(cJSON_GetObjectItemCaseSensitive(params, "Metadata"), "Owner"), "me");
    CHECK(cJSON_GetObjectItemCaseSensitive(params, "ContentLength")->valuedouble == 3);
    CHECK(cJSON_GetObjectItemCaseSensitive(params, "ObjectLockRetainUntilDate")->valuedouble ==
          1398796238);
    CHECK(!cJSON_GetObjectItemCaseSensitive(params, "Body"));   /* the server passes it on */
    free(op);
    cJSON_Delete(params);

    /* A required payload missing, a malformed body, an unreadable header. */
    wf_status st = decode_one(&m, "POST", "/b", "delete", NULL, NULL, NULL, &op, &params, &err);
    CHECK_INT_EQ(st, WF_EINVAL);
    CHECK(strstr(err.message, "'Delete'") != NULL);
    CHECK(!op && !params);
    st = decode_one(&m, "POST", "/b", "delete", NULL, "<Delete><Object>", NULL, &op, &params, &err);
    CHECK_INT_EQ(st, WF_EPARSE);
    st = decode_one(&m, "GET", "/b", "list-type=2&max-keys=many", NULL, NULL, NULL, &op, &params,
                    &err);
    CHECK_INT_EQ(st, WF_EINVAL);
    CHECK(strstr(err.message, "MaxKeys") != NULL);
    wf_aws_model_free(&m);

    /* With ListObjects in the model, GET /{Bucket} is ListObjects and ?list-type=2 is V2. */
    cJSON *root = cJSON_Parse(
        "{\"metadata\":{\"protocol\":\"rest-xml\",\"apiVersion\":\"2006-03-01\","
        "\"endpointPrefix\":\"s3\"},\"operations\":{"
        "\"ListObjects\":{\"name\":\"ListObjects\",\"http\":{\"method\":\"GET\","
        "\"requestUri\":\"/{Bucket}\"},\"input\":{\"shape\":\"In\"}},"
        "\"ListObjectsV2\":{\"name\":\"ListObjectsV2\",\"http\":{\"method\":\"GET\","
        "\"requestUri\":\"/{Bucket}?list-type=2\"},\"input\":{\"shape\":\"In\"}}},"
        "\"shapes\":{\"In\":{\"type\":\"structure\",\"required\":[\"Bucket\"],\"members\":{"
        "\"Bucket\":{\"shape\":\"S\",\"location\":\"uri\",\"locationName\":\"Bucket\"}}},"
        "\"S\":{\"type\":\"string\"}}}");
    CHECK_INT_EQ(wf_aws_model_init(&m, root, &err), WF_OK);
    check_route(&m, "GET", "/b", "", NULL, NULL, "ListObjects");
    check_route(&m, "GET", "/b", "list-type=2", NULL, NULL, "ListObjectsV2");
    check_route(&m, "GET", "/", "list-type=2", NULL, "b", "ListObjectsV2");
    check_route(&m, "GET", "/", "", NULL, "b", "ListObjects");
    wf_aws_model_free(&m);
}

static void query_and_json_failures(void)
{
    wf_aws_model m;
    wf_error err = {0};
    char *op = NULL;
    cJSON *params = NULL;
    const char *form = "Content-Type: application/x-www-form-urlencoded";
    CHECK_INT_EQ(wf_aws_model_load("ec2", &m, &err), WF_OK);
    CHECK_INT_EQ(decode_one(&m, "POST", "/", "", form, "Action=NoSuchThing&Version=2016-11-15",
                            NULL, &op, &params, &err), WF_ENOTFOUND);
    CHECK(!op && !params);
    CHECK_INT_EQ(decode_one(&m, "POST", "/", "", form, "Version=2016-11-15", NULL, &op, &params,
                            &err), WF_ENOTFOUND);
    CHECK_INT_EQ(decode_one(&m, "POST", "/", "", form,
                            "Action=DescribeImages&Version=2016-11-15&Bogus.1=x", NULL, &op,
                            &params, &err), WF_EINVAL);
    CHECK(strstr(err.message, "Bogus.1") != NULL);
    CHECK_INT_EQ(decode_one(&m, "POST", "/", "", form,
                            "Action=DescribeImages&Version=2016-11-15&MaxResults=ten", NULL, &op,
                            &params, &err), WF_EINVAL);
    CHECK(strstr(err.message, "MaxResults") != NULL);
    CHECK_INT_EQ(decode_one(&m, "POST", "/", "", form, "Action=CreateImage&Version=2016-11-15"
                            "&Name=n", NULL, &op, &params, &err), WF_EINVAL);
    CHECK(strstr(err.message, "InstanceId") != NULL);
    /* The query string counts too, and '+' is a space in a form. */
    CHECK_INT_EQ(decode_one(&m, "GET", "/", "Action=DescribeImages&Owner.1=a+b&Filter.1.Name=n"
                            "&Filter.1.Value.1=v%2B1", NULL, NULL, NULL, &op, &params, &err),
                 WF_OK);
    CHECK_STR_EQ(op, "DescribeImages");
    char *text = cJSON_PrintUnformatted(params);
    CHECK_STR_EQ(text, "{\"Owners\":[\"a b\"],"
                       "\"Filters\":[{\"Name\":\"n\",\"Values\":[\"v+1\"]}]}");
    free(text);
    free(op);
    cJSON_Delete(params);
    wf_aws_model_free(&m);

    CHECK_INT_EQ(wf_aws_model_load("ssm", &m, &err), WF_OK);
    const char *json = "X-Amz-Target: AmazonSSM.GetParameter\n"
                       "Content-Type: application/x-amz-json-1.1";
    CHECK_INT_EQ(decode_one(&m, "POST", "/", "", json, "{\"Name\":", NULL, &op, &params, &err),
                 WF_EPARSE);
    CHECK_INT_EQ(decode_one(&m, "POST", "/", "", json, "{\"Name\":1}", NULL, &op, &params, &err),
                 WF_EINVAL);
    CHECK_INT_EQ(decode_one(&m, "POST", "/", "", json, "{\"Name\":\"a\",\"Nope\":1}", NULL, &op,
                            &params, &err), WF_EINVAL);
    CHECK(strstr(err.message, "Nope") != NULL);
    CHECK_INT_EQ(decode_one(&m, "POST", "/", "", json, "{}", NULL, &op, &params, &err), WF_EINVAL);
    CHECK(strstr(err.message, "Name") != NULL);
    CHECK_INT_EQ(decode_one(&m, "POST", "/", "", "X-Amz-Target: Other.GetParameter", "{}", NULL,
                            &op, &params, &err), WF_ENOTFOUND);
    CHECK_INT_EQ(decode_one(&m, "POST", "/", "", json, "", NULL, &op, &params, &err), WF_EINVAL);

    /* A result that does not fit its shape is the server's bug: named in the message. */
    wf_http_response resp = {0};
    cJSON *bad = cJSON_Parse("{\"Parameter\":{\"Version\":\"three\"}}");
    CHECK_INT_EQ(wf_sim_encode_response(&m, "GetParameter", bad, "r", &resp, &err), WF_EINVAL);
    CHECK(strstr(err.message, "Parameter.Version") != NULL);
    cJSON_Delete(bad);
    wf_http_response_free(&resp);
    memset(&resp, 0, sizeof resp);
    CHECK_INT_EQ(wf_sim_encode_response(&m, "Nope", NULL, "r", &resp, &err), WF_ENOTFOUND);
    wf_http_response_free(&resp);
    wf_aws_model_free(&m);
}

/* Every protocol's error document reads back, through the client, as what went in. */
static void errors(void)
{
    static const struct {
        const char *service, *op;
        int status;
    } cases[] = {
        {"ec2", "DescribeImages", 400}, {"sts", "AssumeRole", 403},
        {"rds", "DescribeDBInstances", 503}, {"s3", "GetObject", 404},
        {"ssm", "GetParameter", 400},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        wf_aws_model m;
        wf_error err = {0};
        CHECK_INT_EQ(wf_aws_model_load(cases[i].service, &m, &err), WF_OK);
        wf_http_response resp = {0};
        CHECK_INT_EQ(wf_sim_encode_error(&m, "Some.Code", "it <broke> & \"why\"", cases[i].status,
                                         "req-77", &resp, &err), WF_OK);
        CHECK_INT_EQ(resp.status, cases[i].status);
        /* The server adds the request id headers; S3 has it in the body too. */
        cJSON *got = NULL;
        wf_aws_error aws;
        CHECK_INT_EQ(wf_aws_parse_response(&m, cases[i].op, &resp, &got, &aws, &err), WF_OK);
        CHECK(aws.is_error);
        CHECK_STR_EQ(aws.code, "Some.Code");
        CHECK_STR_EQ(aws.message, "it <broke> & \"why\"");
        if (strcmp(cases[i].service, "ssm") != 0)
            CHECK_STR_EQ(aws.request_id, "req-77");
        else
            CHECK_STR_EQ(wf_http_headers_get(&resp.headers, "x-amzn-ErrorType"), "Some.Code");
        if (strcmp(cases[i].service, "rds") == 0)
            CHECK(strstr(resp.body, "<Type>Receiver</Type>") != NULL);
        cJSON_Delete(got);
        wf_http_response_free(&resp);
        wf_aws_model_free(&m);
    }
}

/* The envelopes AWS clients other than ours look at. */
static void envelopes(void)
{
    wf_aws_model m;
    wf_error err = {0};
    wf_http_response resp = {0};
    CHECK_INT_EQ(wf_aws_model_load("ec2", &m, &err), WF_OK);
    cJSON *r = cJSON_Parse("{\"Images\":[{\"ImageId\":\"ami-1\",\"Public\":true}]}");
    CHECK_INT_EQ(wf_sim_encode_response(&m, "DescribeImages", r, "id-1", &resp, &err), WF_OK);
    CHECK_STR_EQ(resp.body, "<DescribeImagesResponse xmlns=\"http://ec2.amazonaws.com/doc/"
                 "2016-11-15/\"><requestId>id-1</requestId><imagesSet><item><imageId>ami-1"
                 "</imageId><isPublic>true</isPublic></item></imagesSet>"
                 "</DescribeImagesResponse>");
    cJSON_Delete(r);
    wf_http_response_free(&resp);
    wf_aws_model_free(&m);

    memset(&resp, 0, sizeof resp);
    CHECK_INT_EQ(wf_aws_model_load("sts", &m, &err), WF_OK);
    r = cJSON_Parse("{\"Account\":\"123\"}");
    CHECK_INT_EQ(wf_sim_encode_response(&m, "GetCallerIdentity", r, "id-2", &resp, &err), WF_OK);
    CHECK_STR_EQ(resp.body, "<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/"
                 "2011-06-15/\"><GetCallerIdentityResult><Account>123</Account>"
                 "</GetCallerIdentityResult><ResponseMetadata><RequestId>id-2</RequestId>"
                 "</ResponseMetadata></GetCallerIdentityResponse>");
    cJSON_Delete(r);
    wf_http_response_free(&resp);
    wf_aws_model_free(&m);

    memset(&resp, 0, sizeof resp);
    CHECK_INT_EQ(wf_aws_model_load("s3", &m, &err), WF_OK);
    r = cJSON_Parse("{\"Name\":\"b\",\"KeyCount\":0,\"IsTruncated\":false}");
    CHECK_INT_EQ(wf_sim_encode_response(&m, "ListObjectsV2", r, "id-3", &resp, &err), WF_OK);
    CHECK_STR_EQ(resp.body, "<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
                 "<IsTruncated>false</IsTruncated><Name>b</Name><KeyCount>0</KeyCount>"
                 "</ListBucketResult>");
    cJSON_Delete(r);
    wf_http_response_free(&resp);
    /* EncodingType=url: keys encoded ('/' kept); keys that encoding leaves alone go out
     * without the copy of the listing that encoding needs. */
    memset(&resp, 0, sizeof resp);
    r = cJSON_Parse("{\"Name\":\"b\",\"EncodingType\":\"url\",\"Contents\":"
                    "[{\"Key\":\"d/plain-1.txt\"},{\"Key\":\"d/a b+c\"}]}");
    CHECK_INT_EQ(wf_sim_encode_response(&m, "ListObjectsV2", r, "id-3", &resp, &err), WF_OK);
    CHECK(strstr(resp.body, "<Key>d/plain-1.txt</Key>") != NULL);
    CHECK(strstr(resp.body, "<Key>d/a%20b%2Bc</Key>") != NULL);
    CHECK_STR_EQ(cJSON_GetArrayItem(cJSON_GetObjectItem(r, "Contents"), 1)->child->valuestring,
                 "d/a b+c");   /* the result itself is not changed */
    cJSON_Delete(r);
    wf_http_response_free(&resp);
    memset(&resp, 0, sizeof resp);
    r = cJSON_Parse("{\"Name\":\"b\",\"EncodingType\":\"url\",\"Prefix\":\"d/\",\"Contents\":"
                    "[{\"Key\":\"d/plain-1.txt\"},{\"Key\":\"d/x_~.y\"}]}");
    CHECK_INT_EQ(wf_sim_encode_response(&m, "ListObjectsV2", r, "id-3", &resp, &err), WF_OK);
    CHECK(strstr(resp.body, "<Key>d/plain-1.txt</Key>") != NULL);
    CHECK(strstr(resp.body, "<Key>d/x_~.y</Key>") != NULL);
    CHECK(strstr(resp.body, "<Prefix>d/</Prefix>") != NULL);
    CHECK(strstr(resp.body, "<EncodingType>url</EncodingType>") != NULL);
    cJSON_Delete(r);
    wf_http_response_free(&resp);
    memset(&resp, 0, sizeof resp);
    r = cJSON_Parse("{\"ContentLength\":5,\"LastModified\":1398796238,\"ETag\":\"\\\"e\\\"\","
                    "\"Metadata\":{\"a\":\"1\"}}");
    CHECK_INT_EQ(wf_sim_encode_response(&m, "HeadObject", r, "id-4", &resp, &err), WF_OK);
    CHECK_INT_EQ(resp.status, 200);
    CHECK_INT_EQ(resp.body_len, 0);
    CHECK_STR_EQ(wf_http_headers_get(&resp.headers, "Content-Length"), "5");
    CHECK_STR_EQ(wf_http_headers_get(&resp.headers, "Last-Modified"),
                 "Tue, 29 Apr 2014 18:30:38 GMT");
    CHECK_STR_EQ(wf_http_headers_get(&resp.headers, "ETag"), "\"e\"");
    CHECK_STR_EQ(wf_http_headers_get(&resp.headers, "x-amz-meta-a"), "1");
    cJSON_Delete(r);
    wf_http_response_free(&resp);
    memset(&resp, 0, sizeof resp);
    CHECK_INT_EQ(wf_sim_encode_response(&m, "DeleteObject", NULL, "id-5", &resp, &err), WF_OK);
    CHECK_INT_EQ(resp.status, 204);
    wf_http_response_free(&resp);
    wf_aws_model_free(&m);
}

int main(void)
{
    tally total = {0};
    round_trips(&total);
    static const char *const protocols[] = {"ec2", "query", "rest-xml", "json"};
    for (size_t i = 0; i < 4; i++)
        suites("output", protocols[i], &total);
    for (size_t i = 0; i < 4; i++)
        suites("input", protocols[i], &total);
    printf("total: %d passed, %d failed, %d skipped\n", total.passed, total.failed, total.skipped);
    s3_routing();
    query_and_json_failures();
    errors();
    envelopes();
    return CHECK_DONE();
}
