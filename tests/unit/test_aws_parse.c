/* Tests of the response parsers beyond the protocol suites: parity with what the AWS CLI
 * prints for real service models (tests/data/aws-parse/cli-cases.json, recorded by
 * make_cli_cases.py), timestamps, rendering options, errors and request ids. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>
#include "check.h"
#include "aws/parse.h"

static const char *source_dir(void)
{
    const char *s = getenv("WF_SOURCE_DIR");
    return s ? s : ".";
}

static cJSON *read_json(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)size + 1);
    cJSON *json = NULL;
    if (buf && fread(buf, 1, (size_t)size, f) == (size_t)size)
        json = cJSON_ParseWithLength(buf, (size_t)size);
    free(buf);
    fclose(f);
    return json;
}

static int load_service(const char *service, wf_aws_model *model)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/engine/aws/models/%s.json", source_dir(), service);
    wf_error err = {0};
    if (wf_aws_model_init(model, read_json(path), &err) != WF_OK) {
        fprintf(stderr, "%s: %s\n", path, err.message);
        return 0;
    }
    return 1;
}

/* Equality that also requires object keys in the same order: the CLI prints members
 * in model order, and so must we. */
static int same_json(const cJSON *a, const cJSON *b)
{
    if (cJSON_IsNumber(a) && cJSON_IsNumber(b))
        return fabs(a->valuedouble - b->valuedouble) <= 1e-7 + 4e-16 * fabs(a->valuedouble);
    if (cJSON_IsString(a) && cJSON_IsString(b))
        return strcmp(a->valuestring, b->valuestring) == 0;
    if (cJSON_IsBool(a) && cJSON_IsBool(b))
        return cJSON_IsTrue(a) == cJSON_IsTrue(b);
    if (cJSON_IsNull(a) && cJSON_IsNull(b))
        return 1;
    if ((cJSON_IsArray(a) && cJSON_IsArray(b)) || (cJSON_IsObject(a) && cJSON_IsObject(b))) {
        const cJSON *x = a->child, *y = b->child;
        for (; x && y; x = x->next, y = y->next) {
            if (cJSON_IsObject(a) && strcmp(x->string, y->string) != 0)
                return 0;
            if (!same_json(x, y))
                return 0;
        }
        return !x && !y;
    }
    return 0;
}

static void build_response(const cJSON *r, wf_http_response *resp)
{
    memset(resp, 0, sizeof *resp);
    resp->status = cJSON_GetObjectItem(r, "status_code")->valueint;
    const cJSON *h;
    cJSON_ArrayForEach(h, cJSON_GetObjectItem(r, "headers"))
        wf_http_headers_add(&resp->headers, h->string, h->valuestring);
    const char *body = cJSON_GetObjectItem(r, "body")->valuestring;
    resp->body = strdup(body);
    resp->body_len = strlen(body);
}

static void cli_case(const cJSON *c)
{
    const char *name = cJSON_GetObjectItem(c, "name")->valuestring;
    wf_aws_model model;
    if (!load_service(cJSON_GetObjectItem(c, "service")->valuestring, &model)) {
        CHECK(0);
        wf_aws_model_free(&model);
        return;
    }
    const char *op = cJSON_GetObjectItem(c, "operation")->valuestring;
    wf_http_response resp;
    build_response(cJSON_GetObjectItem(c, "response"), &resp);
    static const struct { const char *key; wf_aws_timestamp_format ts; } modes[] = {
        {"iso8601", WF_AWS_TIMESTAMP_ISO8601}, {"wire", WF_AWS_TIMESTAMP_WIRE}};
    for (size_t m = 0; m < 2; m++) {
        wf_aws_parse_options opts = {.timestamps = modes[m].ts, .blobs = WF_AWS_BLOB_BASE64};
        cJSON *got = NULL;
        wf_aws_error aws;
        wf_error err = {0};
        wf_status rc = wf_aws_parse_response_ex(&model, op, &resp, &opts, &got, &aws, &err);
        CHECK_INT_EQ(rc, WF_OK);
        if (rc != WF_OK)
            fprintf(stderr, "  %s: %s\n", name, err.message);
        const cJSON *want_error = cJSON_GetObjectItem(c, "error");
        if (want_error) {
            CHECK(aws.is_error);
            CHECK_STR_EQ(aws.code, cJSON_GetObjectItem(want_error, "code")->valuestring);
            CHECK_STR_EQ(aws.message, cJSON_GetObjectItem(want_error, "message")->valuestring);
        } else {
            const cJSON *want = cJSON_GetObjectItem(c, modes[m].key);
            int ok = !aws.is_error && got && same_json(want, got);
            CHECK(ok);
            if (!ok) {
                char *w = cJSON_PrintUnformatted(want), *g = got ? cJSON_PrintUnformatted(got) : NULL;
                fprintf(stderr, "  %s (%s)\n    cli   %s\n    wfrun %s\n", name, modes[m].key, w,
                        g ? g : "(none)");
                free(w);
                free(g);
            }
        }
        cJSON_Delete(got);
    }
    wf_http_response_free(&resp);
    wf_aws_model_free(&model);
}

static void test_cli_parity(void)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/tests/data/aws-parse/cli-cases.json", source_dir());
    cJSON *doc = read_json(path);
    CHECK(doc != NULL);
    int n = 0;
    const cJSON *c;
    cJSON_ArrayForEach(c, cJSON_GetObjectItem(doc, "cases")) {
        cli_case(c);
        n++;
    }
    CHECK(n >= 20);
    cJSON_Delete(doc);
}

static void test_timestamps(void)
{
    static const struct { const char *text; double epoch; } ok[] = {
        {"2014-04-29T18:30:38Z", 1398796238},
        {"2014-04-29T18:30:38.000Z", 1398796238},
        {"2000-01-02T20:34:56.123Z", 946845296.123},
        {"2019-12-16T22:48:18-01:00", 1576540098},
        {"2019-12-17T00:48:18+0100", 1576540098},
        {"2019-12-17T00:48:18+01", 1576540098},
        {"2014-04-29 18:30:38", 1398796238},
        {"20140429T183038Z", 1398796238},
        {"2014-04-29", 1398729600},
        {"Tue, 29 Apr 2014 18:30:38 GMT", 1398796238},
        {"Sun, 1 Jan 2006 12:00:00 GMT", 1136116800},
        {"29 Apr 2014 18:30:38 +0000", 1398796238},
        {"Tuesday, 29-Apr-14 18:30:38 GMT", 1398796238},
        {"Tue Apr 29 18:30:38 2014", 1398796238},
        {"1398796238", 1398796238},
        {" 1398796238.5 ", 1398796238.5},
        {"1.398796238E9", 1398796238},
        {"1969-12-31T23:59:59Z", -1},
        {"0001-01-01T00:00:00Z", -62135596800.0},
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        double e = 0;
        CHECK_INT_EQ(wf_aws_parse_timestamp(ok[i].text, &e), 0);
        if (fabs(e - ok[i].epoch) > 1e-6)
            fprintf(stderr, "  %s -> %.6f, expected %.6f\n", ok[i].text, e, ok[i].epoch);
        CHECK(fabs(e - ok[i].epoch) <= 1e-6);
    }
    static const char *const bad[] = {"", "yesterday", "2014-13-01T00:00:00Z",
                                      "2014-04-29T25:00:00Z", "2014-04-29T18:30:38Q",
                                      "Tue, 29 Foo 2014 18:30:38 GMT", "nan", "inf", "1e400",
                                      "2014-04-29T18:30:38Z trailing"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        double e;
        CHECK_INT_EQ(wf_aws_parse_timestamp(bad[i], &e), -1);
    }
    char buf[48];
    CHECK_INT_EQ(wf_aws_format_timestamp(1398796238, buf, sizeof buf), 0);
    CHECK_STR_EQ(buf, "2014-04-29T18:30:38+00:00");
    CHECK_INT_EQ(wf_aws_format_timestamp(946845296.123, buf, sizeof buf), 0);
    CHECK_STR_EQ(buf, "2000-01-02T20:34:56.123000+00:00");
    CHECK_INT_EQ(wf_aws_format_timestamp(-0.5, buf, sizeof buf), 0);
    CHECK_STR_EQ(buf, "1969-12-31T23:59:59.500000+00:00");
    CHECK_INT_EQ(wf_aws_format_timestamp(1e13, buf, sizeof buf), -1);
    CHECK_INT_EQ(wf_aws_format_timestamp(NAN, buf, sizeof buf), -1);
    CHECK_INT_EQ(wf_aws_format_timestamp(0, buf, 10), -1);
}

/* A small model per protocol for the behaviours below. */
static int small_model(wf_aws_model *m, const char *protocol, const char *service)
{
    char text[4096];
    snprintf(text, sizeof text,
             "{\"metadata\":{\"protocol\":\"%s\",\"endpointPrefix\":\"%s\"},"
             "\"operations\":{"
             "\"Get\":{\"name\":\"Get\",\"output\":{\"shape\":\"Out\"},\"errors\":[{\"shape\":\"Gone\"}]},"
             "\"Empty\":{\"name\":\"Empty\"},"
             "\"Pay\":{\"name\":\"Pay\",\"output\":{\"shape\":\"PayOut\"}},"
             "\"ListObjectsV2\":{\"name\":\"ListObjectsV2\",\"output\":{\"shape\":\"Listing\"}}},"
             "\"shapes\":{"
             "\"Out\":{\"type\":\"structure\",\"members\":{\"When\":{\"shape\":\"Time\"},"
             "\"Data\":{\"shape\":\"Blob\"},\"Names\":{\"shape\":\"Names\",\"locationName\":\"nameSet\"},"
             "\"Count\":{\"shape\":\"Int\"},\"Mode\":{\"shape\":\"Str\",\"locationName\":\"mode\"}}},"
             "\"PayOut\":{\"type\":\"structure\",\"members\":{\"Body\":{\"shape\":\"Blob\"}},\"payload\":\"Body\"},"
             "\"Listing\":{\"type\":\"structure\",\"members\":{\"Contents\":{\"shape\":\"Objects\"},"
             "\"Prefix\":{\"shape\":\"Str\"},\"EncodingType\":{\"shape\":\"Str\"}}},"
             "\"Objects\":{\"type\":\"list\",\"member\":{\"shape\":\"Object\"},\"flattened\":true},"
             "\"Object\":{\"type\":\"structure\",\"members\":{\"Key\":{\"shape\":\"Str\"}}},"
             "\"Gone\":{\"type\":\"structure\",\"members\":{\"Message\":{\"shape\":\"Str\"}},"
             "\"exception\":true,\"error\":{\"code\":\"Resource.Gone\"}},"
             "\"Names\":{\"type\":\"list\",\"member\":{\"shape\":\"Str\",\"locationName\":\"item\"}},"
             "\"Time\":{\"type\":\"timestamp\"},\"Blob\":{\"type\":\"blob\"},"
             "\"Int\":{\"type\":\"integer\"},\"Str\":{\"type\":\"string\"}}}",
             protocol, service);
    wf_error err;
    return wf_aws_model_init(m, cJSON_Parse(text), &err) == WF_OK;
}

static wf_status run(const wf_aws_model *m, const char *op, int status, const char *body,
                     const wf_aws_parse_options *opts, cJSON **out, wf_aws_error *aws,
                     const char *header, const char *value)
{
    wf_http_response resp;
    memset(&resp, 0, sizeof resp);
    resp.status = status;
    resp.body_len = strlen(body);
    resp.body = malloc(resp.body_len + 1);
    memcpy(resp.body, body, resp.body_len + 1);
    if (header)
        wf_http_headers_add(&resp.headers, header, value);
    wf_error err = {0};
    wf_status rc = wf_aws_parse_response_ex(m, op, &resp, opts, out, aws, &err);
    wf_http_response_free(&resp);
    return rc;
}

static const char *str_at(const cJSON *obj, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static void test_ec2_rendering(void)
{
    wf_aws_model m;
    CHECK(small_model(&m, "ec2", "ec2"));
    const char *body =
        "<GetResponse><requestId>req-ec2</requestId><when>ignored</when>"
        "<When>2024-05-01T12:34:56.000Z</When><Data>AGJpbg==</Data>"
        "<nameSet><item>only</item></nameSet><Count>7</Count></GetResponse>";
    cJSON *out = NULL;
    wf_aws_error aws;
    /* Defaults: the CLI's ISO-8601 and base64 text. */
    CHECK_INT_EQ(run(&m, "Get", 200, body, NULL, &out, &aws, NULL, NULL), WF_OK);
    CHECK_STR_EQ(str_at(out, "When"), "2024-05-01T12:34:56+00:00");
    CHECK_STR_EQ(str_at(out, "Data"), "AGJpbg==");
    const cJSON *names = cJSON_GetObjectItem(out, "Names");
    CHECK(cJSON_IsArray(names) && cJSON_GetArraySize(names) == 1);   /* a list of one */
    CHECK(cJSON_IsNumber(cJSON_GetObjectItem(out, "Count")));
    CHECK(cJSON_GetObjectItem(out, "Mode") == NULL);                  /* absent stays absent */
    CHECK_STR_EQ(aws.request_id, "req-ec2");
    CHECK_INT_EQ(aws.is_error, 0);
    CHECK_INT_EQ(aws.status, 200);
    cJSON_Delete(out);

    wf_aws_parse_options wire = {.timestamps = WF_AWS_TIMESTAMP_WIRE};
    CHECK_INT_EQ(run(&m, "Get", 200, body, &wire, &out, &aws, NULL, NULL), WF_OK);
    CHECK_STR_EQ(str_at(out, "When"), "2024-05-01T12:34:56.000Z");
    cJSON_Delete(out);

    wf_aws_parse_options epoch = {.timestamps = WF_AWS_TIMESTAMP_EPOCH};
    CHECK_INT_EQ(run(&m, "Get", 200, body, &epoch, &out, &aws, NULL, NULL), WF_OK);
    CHECK(cJSON_GetObjectItem(out, "When")->valuedouble == 1714566896.0);
    cJSON_Delete(out);

    /* Raw blobs cannot hold a NUL byte in a cJSON string: refused, not truncated. */
    wf_aws_parse_options raw = {.blobs = WF_AWS_BLOB_RAW};
    CHECK_INT_EQ(run(&m, "Get", 200, body, &raw, &out, &aws, NULL, NULL), WF_EPARSE);
    CHECK(out == NULL);

    /* EC2 errors: <Response><Errors><Error>, RequestID; the modeled error's fields. */
    CHECK_INT_EQ(run(&m, "Get", 400,
                     "<Response><Errors><Error><Code>Resource.Gone</Code><Message>gone away"
                     "</Message></Error></Errors><RequestID>req-err</RequestID></Response>",
                     NULL, &out, &aws, NULL, NULL), WF_OK);
    CHECK_INT_EQ(aws.is_error, 1);
    CHECK_STR_EQ(aws.code, "Resource.Gone");
    CHECK_STR_EQ(aws.message, "gone away");
    CHECK_STR_EQ(aws.request_id, "req-err");
    CHECK_INT_EQ(aws.status, 400);
    CHECK_STR_EQ(str_at(out, "Message"), "gone away");
    cJSON_Delete(out);

    /* An unmodeled code: no fields; an unreadable 503 body: code from the status. */
    CHECK_INT_EQ(run(&m, "Get", 400, "<Response><Errors><Error><Code>Other</Code></Error>"
                     "</Errors></Response>", NULL, &out, &aws, NULL, NULL), WF_OK);
    CHECK_STR_EQ(aws.code, "Other");
    CHECK_STR_EQ(aws.message, "");
    CHECK(out == NULL);
    CHECK_INT_EQ(run(&m, "Get", 503, "<html><body>Service Unavailable", NULL, &out, &aws,
                     NULL, NULL), WF_OK);
    CHECK_STR_EQ(aws.code, "503");
    CHECK_STR_EQ(aws.message, "Service Unavailable");

    /* A success body that is not XML is a parse error. */
    CHECK_INT_EQ(run(&m, "Get", 200, "<GetResponse><When>", NULL, &out, &aws, NULL, NULL), WF_EPARSE);
    CHECK(out == NULL);
    CHECK_INT_EQ(run(&m, "Nope", 200, "", NULL, &out, &aws, NULL, NULL), WF_ENOTFOUND);
    /* No output shape: {} whatever the body. */
    CHECK_INT_EQ(run(&m, "Empty", 200, "<EmptyResponse><return>true</return></EmptyResponse>",
                     NULL, &out, &aws, NULL, NULL), WF_OK);
    CHECK(cJSON_IsObject(out) && cJSON_GetArraySize(out) == 0);
    cJSON_Delete(out);
    wf_aws_model_free(&m);

    CHECK(small_model(&m, "rest-json", "x"));
    CHECK_INT_EQ(run(&m, "Get", 200, "{}", NULL, &out, &aws, NULL, NULL), WF_EINVAL);
    wf_aws_model_free(&m);
}

static void test_query(void)
{
    wf_aws_model m;
    CHECK(small_model(&m, "query", "sts"));
    cJSON *out = NULL;
    wf_aws_error aws;
    CHECK_INT_EQ(run(&m, "Get", 200,
                     "<GetResponse><GetResult><mode>fast</mode><nameSet/></GetResult>"
                     "<ResponseMetadata><RequestId>req-q</RequestId></ResponseMetadata></GetResponse>",
                     NULL, &out, &aws, NULL, NULL), WF_OK);
    CHECK_STR_EQ(str_at(out, "Mode"), "fast");
    const cJSON *names = cJSON_GetObjectItem(out, "Names");
    CHECK(cJSON_IsArray(names) && cJSON_GetArraySize(names) == 0);   /* empty wrapper: [] */
    CHECK_STR_EQ(aws.request_id, "req-q");
    cJSON_Delete(out);
    CHECK_INT_EQ(run(&m, "Get", 403,
                     "<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code>"
                     "<Message>no</Message></Error><RequestId>req-d</RequestId></ErrorResponse>",
                     NULL, &out, &aws, "x-amzn-RequestId", "req-header"), WF_OK);
    CHECK_STR_EQ(aws.code, "AccessDenied");
    CHECK_STR_EQ(aws.request_id, "req-header");
    CHECK(out == NULL);
    wf_aws_model_free(&m);
}

static void test_rest_xml(void)
{
    wf_aws_model m;
    CHECK(small_model(&m, "rest-xml", "s3"));
    cJSON *out = NULL;
    wf_aws_error aws;
    /* HEAD 404: no body, code and message from the status, as botocore. */
    CHECK_INT_EQ(run(&m, "Get", 404, "", NULL, &out, &aws, "x-amz-request-id", "req-s3"), WF_OK);
    CHECK_INT_EQ(aws.is_error, 1);
    CHECK_STR_EQ(aws.code, "404");
    CHECK_STR_EQ(aws.message, "Not Found");
    CHECK_STR_EQ(aws.request_id, "req-s3");
    CHECK(out == NULL);
    /* 200 with an <Error> document: an error, with status 500 so it is retried. */
    CHECK_INT_EQ(run(&m, "Get", 200, "<Error><Code>InternalError</Code><Message>retry"
                     "</Message><RequestId>req-b</RequestId></Error>", NULL, &out, &aws, NULL,
                     NULL), WF_OK);
    CHECK_INT_EQ(aws.is_error, 1);
    CHECK_INT_EQ(aws.status, 500);
    CHECK_STR_EQ(aws.code, "InternalError");
    CHECK_STR_EQ(aws.request_id, "req-b");
    /* Raw payloads: base64 by default, bytes on request, "" when empty. */
    static const char bin[] = "a\0b";
    wf_http_response resp;
    memset(&resp, 0, sizeof resp);
    resp.status = 200;
    resp.body = malloc(3);
    memcpy(resp.body, bin, 3);
    resp.body_len = 3;
    wf_error err;
    CHECK_INT_EQ(wf_aws_parse_response(&m, "Pay", &resp, &out, &aws, &err), WF_OK);
    CHECK_STR_EQ(str_at(out, "Body"), "YQBi");
    cJSON_Delete(out);
    wf_http_response_free(&resp);
    wf_aws_parse_options raw = {.blobs = WF_AWS_BLOB_RAW};
    CHECK_INT_EQ(run(&m, "Pay", 200, "text body", &raw, &out, &aws, NULL, NULL), WF_OK);
    CHECK_STR_EQ(str_at(out, "Body"), "text body");
    cJSON_Delete(out);
    CHECK_INT_EQ(run(&m, "Pay", 200, "", &raw, &out, &aws, NULL, NULL), WF_OK);
    CHECK_STR_EQ(str_at(out, "Body"), "");
    cJSON_Delete(out);
    /* Listing keys asked url-encoded on the caller's behalf are decoded back, "+" as a
     * space (botocore's unquote_str is urllib's unquote_plus). */
    const char *listing = "<ListBucketResult><EncodingType>url</EncodingType>"
                          "<Prefix>a%2Fb%20</Prefix><Contents><Key>caf%C3%A9+%FF</Key></Contents>"
                          "</ListBucketResult>";
    wf_aws_parse_options decode = {.decode_listing_keys = 1};
    CHECK_INT_EQ(run(&m, "ListObjectsV2", 200, listing, &decode, &out, &aws, NULL, NULL), WF_OK);
    CHECK_STR_EQ(str_at(out, "Prefix"), "a/b ");
    CHECK_STR_EQ(str_at(cJSON_GetArrayItem(cJSON_GetObjectItem(out, "Contents"), 0), "Key"),
                 "caf\xC3\xA9 \xEF\xBF\xBD");
    cJSON_Delete(out);
    CHECK_INT_EQ(run(&m, "ListObjectsV2", 200, listing, NULL, &out, &aws, NULL, NULL), WF_OK);
    CHECK_STR_EQ(str_at(out, "Prefix"), "a%2Fb%20");
    cJSON_Delete(out);
    wf_aws_model_free(&m);
}

static void test_json(void)
{
    wf_aws_model m;
    CHECK(small_model(&m, "json", "ssm"));
    cJSON *out = NULL;
    wf_aws_error aws;
    CHECK_INT_EQ(run(&m, "Get", 200, "{\"When\":1714566896.5,\"Data\":\"AGJpbg==\",\"Names\":[\"x\"]}",
                     NULL, &out, &aws, "X-Amzn-RequestId", "req-j"), WF_OK);
    CHECK_STR_EQ(str_at(out, "When"), "2024-05-01T12:34:56.500000+00:00");
    CHECK_STR_EQ(str_at(out, "Data"), "AGJpbg==");
    CHECK_STR_EQ(aws.request_id, "req-j");
    cJSON_Delete(out);
    CHECK_INT_EQ(run(&m, "Get", 400, "{\"__type\":\"com.amazonaws.ssm#Resource.Gone\","
                     "\"Message\":\"bye\"}", NULL, &out, &aws, NULL, NULL), WF_OK);
    CHECK_STR_EQ(aws.code, "Resource.Gone");
    CHECK_STR_EQ(aws.message, "bye");
    CHECK_STR_EQ(str_at(out, "Message"), "bye");
    cJSON_Delete(out);
    /* Not JSON: the body becomes the message, as botocore. */
    CHECK_INT_EQ(run(&m, "Get", 502, "Bad gateway from proxy", NULL, &out, &aws, NULL, NULL), WF_OK);
    CHECK_STR_EQ(aws.code, "502");
    CHECK_STR_EQ(aws.message, "Bad gateway from proxy");
    CHECK(out == NULL);
    CHECK_INT_EQ(run(&m, "Get", 200, "[1,2]", NULL, &out, &aws, NULL, NULL), WF_EPARSE);
    CHECK_INT_EQ(run(&m, "Get", 200, "{\"When\":", NULL, &out, &aws, NULL, NULL), WF_EPARSE);
    CHECK(out == NULL);
    wf_aws_model_free(&m);
}

static void test_long_messages(void)
{
    wf_aws_model m;
    CHECK(small_model(&m, "query", "sts"));
    /* A message longer than the field is cut at a character boundary. */
    char body[4096];
    char msg[2100];
    size_t n = 0;
    while (n + 2 < sizeof msg - 1) {
        msg[n++] = (char)0xC3;
        msg[n++] = (char)0xA9;
    }
    msg[n] = '\0';
    snprintf(body, sizeof body, "<ErrorResponse><Error><Code>X</Code><Message>%s</Message>"
             "</Error></ErrorResponse>", msg);
    cJSON *out = NULL;
    wf_aws_error aws;
    CHECK_INT_EQ(run(&m, "Get", 400, body, NULL, &out, &aws, NULL, NULL), WF_OK);
    size_t len = strlen(aws.message);
    CHECK(len <= sizeof aws.message - 1);
    CHECK(len % 2 == 0);
    wf_aws_model_free(&m);
}

int main(void)
{
    test_cli_parity();
    test_timestamps();
    test_ec2_rendering();
    test_query();
    test_rest_xml();
    test_json();
    test_long_messages();
    return CHECK_DONE();
}
