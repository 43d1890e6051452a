/* Runs every output case of the AWS protocol test suites (ec2, query, rest-xml, json)
 * through wf_aws_parse_response_ex and compares with the expected result or error, as
 * botocore's tests/unit/test_protocols.py does. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>
#include "check.h"
#include "aws/parse.h"

/* Cases not run, each with its reason. Only cases botocore itself skips
 * (tests/data/aws-protocol-tests/botocore-ignore-list.json) may be listed. */
static const struct skip {
    const char *protocol, *id, *reason;
} skips[] = {
    {"rest-xml", "HttpPayloadTraitsWithNoBlobBody",
     "botocore ignore list: an empty body for a blob payload gives \"\" in boto3 (the suite "
     "wants the member absent); wfrun keeps boto3's answer"},
};

static const char *skip_reason(const char *protocol, const char *id)
{
    for (size_t i = 0; i < sizeof skips / sizeof skips[0]; i++)
        if (strcmp(skips[i].protocol, protocol) == 0 && strcmp(skips[i].id, id) == 0)
            return skips[i].reason;
    return NULL;
}

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = size >= 0 ? malloc((size_t)size + 1) : NULL;
    if (buf && fread(buf, 1, (size_t)size, f) != (size_t)size) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    if (buf) {
        buf[size] = '\0';
        *len = (size_t)size;
    }
    return buf;
}

/* The suites write NaN and the infinities as strings; the parser gives numbers. */
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

/* JSON equality; objects compare as sets of keys, numbers with a tolerance of a few ulps
 * (fractional timestamps are sums of doubles). */
static int json_equal(const cJSON *exp, const cJSON *got)
{
    if (cJSON_IsString(exp) && cJSON_IsNumber(got))
        return special_float_equal(exp->valuestring, got->valuedouble);
    if (cJSON_IsNumber(exp) && cJSON_IsNumber(got))
        return exp->valuedouble == got->valuedouble ||
               fabs(exp->valuedouble - got->valuedouble) <= 1e-7 + 4e-16 * fabs(exp->valuedouble);
    if (cJSON_IsString(exp) && cJSON_IsString(got))
        return strcmp(exp->valuestring, got->valuestring) == 0;
    if (cJSON_IsBool(exp) && cJSON_IsBool(got))
        return cJSON_IsTrue(exp) == cJSON_IsTrue(got);
    if (cJSON_IsNull(exp) && cJSON_IsNull(got))
        return 1;
    if (cJSON_IsArray(exp) && cJSON_IsArray(got)) {
        if (cJSON_GetArraySize(exp) != cJSON_GetArraySize(got))
            return 0;
        const cJSON *a = exp->child, *b = got->child;
        for (; a && b; a = a->next, b = b->next)
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
    fprintf(stderr, "    %s %s\n", label, s ? s : "(none)");
    free(s);
}

/* The model botocore's runner builds: the suite's metadata and shapes, the case's
 * operation. */
static int build_model(const cJSON *suite, const cJSON *given, wf_aws_model *model)
{
    cJSON *root = cJSON_CreateObject();
    cJSON_AddItemToObject(root, "metadata",
                          cJSON_Duplicate(cJSON_GetObjectItem(suite, "metadata"), 1));
    cJSON_AddItemToObject(root, "shapes", cJSON_Duplicate(cJSON_GetObjectItem(suite, "shapes"), 1));
    cJSON *ops = cJSON_AddObjectToObject(root, "operations");
    cJSON_AddItemToObject(ops, cJSON_GetObjectItem(given, "name")->valuestring,
                          cJSON_Duplicate(given, 1));
    wf_error err = {0};
    if (wf_aws_model_init(model, root, &err) != WF_OK) {
        fprintf(stderr, "    model: %s\n", err.message);
        return 0;
    }
    return 1;
}

static void build_response(const cJSON *r, wf_http_response *resp)
{
    memset(resp, 0, sizeof *resp);
    resp->status = cJSON_GetObjectItem(r, "status_code")->valueint;
    const cJSON *h;
    cJSON_ArrayForEach(h, cJSON_GetObjectItem(r, "headers"))
        wf_http_headers_add(&resp->headers, h->string, h->valuestring);
    const cJSON *body = cJSON_GetObjectItem(r, "body");
    const char *text = cJSON_IsString(body) ? body->valuestring : "";
    resp->body_len = strlen(text);
    resp->body = strdup(text);
}

/* Runs one case; returns 1 when it passes, printing expected and actual when not. */
static int run_case(const char *protocol, const cJSON *suite, const cJSON *c)
{
    const char *id = cJSON_GetObjectItem(c, "id")->valuestring;
    const cJSON *given = cJSON_GetObjectItem(c, "given");
    wf_aws_model model;
    if (!build_model(suite, given, &model)) {
        fprintf(stderr, "FAIL %s %s: bad model\n", protocol, id);
        return 0;
    }
    wf_http_response resp;
    build_response(cJSON_GetObjectItem(c, "response"), &resp);

    wf_aws_parse_options opts = {.timestamps = WF_AWS_TIMESTAMP_EPOCH, .blobs = WF_AWS_BLOB_RAW};
    cJSON *got = NULL;
    wf_aws_error aws;
    wf_error err = {0};
    wf_status rc = wf_aws_parse_response_ex(&model, cJSON_GetObjectItem(given, "name")->valuestring,
                                            &resp, &opts, &got, &aws, &err);
    const cJSON *want_error = cJSON_GetObjectItem(c, "error");
    const cJSON *want_result = cJSON_GetObjectItem(c, "result");
    int ok = rc == WF_OK;
    if (ok && want_error) {
        const char *code = cJSON_GetObjectItem(c, "errorCode")->valuestring;
        const cJSON *message = cJSON_GetObjectItem(c, "errorMessage");
        cJSON *empty = cJSON_CreateObject();
        /* The suites assert the message only when they give one. */
        ok = aws.is_error && strcmp(aws.code, code) == 0 &&
             (!message || strcmp(aws.message, message->valuestring) == 0) &&
             json_equal(want_error, got ? got : empty);
        cJSON_Delete(empty);
        if (!ok) {
            fprintf(stderr, "FAIL %s %s\n    expected error code \"%s\" message \"%s\"\n"
                            "    got      error=%d code \"%s\" message \"%s\"\n",
                    protocol, id, code, message ? message->valuestring : "(any)", aws.is_error,
                    aws.code, aws.message);
            print_json("expected fields", want_error);
            print_json("got fields     ", got);
        }
    } else if (ok) {
        ok = !aws.is_error && got && json_equal(want_result, got);
        if (!ok) {
            fprintf(stderr, "FAIL %s %s%s%s\n", protocol, id, aws.is_error ? ": AWS error " : "",
                    aws.is_error ? aws.code : "");
            print_json("expected", want_result);
            print_json("got     ", got);
        }
    } else {
        fprintf(stderr, "FAIL %s %s: status %d: %s\n", protocol, id, (int)rc, err.message);
        print_json("expected", want_error ? want_error : want_result);
    }
    cJSON_Delete(got);
    wf_http_response_free(&resp);
    wf_aws_model_free(&model);
    return ok;
}

static int run_protocol(const char *source_dir, const char *protocol)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/tests/data/aws-protocol-tests/output/%s.json", source_dir,
             protocol);
    size_t len;
    char *text = read_file(path, &len);
    cJSON *suites = text ? cJSON_ParseWithLength(text, len) : NULL;
    free(text);
    if (!cJSON_IsArray(suites)) {
        fprintf(stderr, "%s: cannot read the suite\n", path);
        check_failures++;
        cJSON_Delete(suites);
        return 0;
    }
    int passed = 0, failed = 0, skipped = 0;
    const cJSON *suite;
    cJSON_ArrayForEach(suite, suites) {
        const cJSON *c;
        cJSON_ArrayForEach(c, cJSON_GetObjectItem(suite, "cases")) {
            const char *id = cJSON_GetObjectItem(c, "id")->valuestring;
            const char *why = skip_reason(protocol, id);
            if (why) {
                fprintf(stderr, "skip %s %s: %s\n", protocol, id, why);
                skipped++;
                continue;
            }
            check_count++;
            if (run_case(protocol, suite, c)) {
                passed++;
            } else {
                failed++;
                check_failures++;
            }
        }
    }
    cJSON_Delete(suites);
    printf("%s: %d passed, %d failed, %d skipped\n", protocol, passed, failed, skipped);
    return passed + failed + skipped;
}

int main(void)
{
    const char *src = getenv("WF_SOURCE_DIR");
    if (!src)
        src = ".";
    int total = 0;
    static const char *const protocols[] = {"ec2", "query", "rest-xml", "json"};
    for (size_t i = 0; i < 4; i++)
        total += run_protocol(src, protocols[i]);
    /* The suites hold 203 output cases: fewer means the data was cut. */
    CHECK_INT_EQ(total, 203);
    return CHECK_DONE();
}
