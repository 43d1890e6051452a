/* Tests of wf_aws_multi (many AWS calls in flight) against the scripted server on
 * 127.0.0.1: requests really overlap and reuse connections, each is signed (for its own
 * region when routed), each retries on its own (SlowDown, 500, a dropped connection) and
 * a failing one leaves the others alone, raw bytes go in and out untouched, bad requests
 * finish at once, and freeing a batch with requests pending leaks nothing. */
#include "aws/multi.h"
#include "aws/sigv4.h"
#include "check.h"
#include "interrupt.h"
#include "log.h"
#include "test_server.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KEY "AKIDMULTITEST"
#define SECRET "multisecret-wJalrXUtnFEMI"

static const char *lookup(const char *access_key, void *ud)
{
    return strcmp(access_key, KEY) == 0 ? SECRET : NULL;
}

static void clean_env(wf_test_server *srv)
{
    static const char *const vars[] = {"AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL_S3",
                                       "AWS_MAX_ATTEMPTS", "AWS_DEFAULT_REGION",
                                       "WFRUN_S3_ADDRESSING_STYLE", "http_proxy", "HTTP_PROXY",
                                       "ALL_PROXY", "all_proxy", NULL};
    static const char *const set[][2] = {
        {"AWS_CONFIG_FILE", "/nonexistent/wfrun-test/config"},
        {"AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/wfrun-test/credentials"},
        {"AWS_EC2_METADATA_DISABLED", "true"}, {"AWS_ACCESS_KEY_ID", KEY},
        {"AWS_SECRET_ACCESS_KEY", SECRET},     {"AWS_REGION", "us-east-1"}};
    for (int i = 0; vars[i]; i++)
        unsetenv(vars[i]);
    for (size_t i = 0; i < sizeof set / sizeof *set; i++)
        setenv(set[i][0], set[i][1], 1);
    setenv("AWS_ENDPOINT_URL", wf_test_server_url(srv), 1);   /* every service, here */
    wf_test_server_clear(srv);
}

typedef struct fixture {
    wf_aws_client *client;
    wf_aws_multi *multi;
} fixture;

static int open_batch(fixture *f, int concurrency, int attempts)
{
    wf_aws_client_options o = {.retry_base_s = 0.001, .timeout_s = 10};
    wf_aws_multi_options mo = {.concurrency = concurrency, .max_attempts = attempts,
                               .retry_base_s = 0.001};
    wf_error err = {0};
    memset(f, 0, sizeof *f);
    if (wf_aws_client_new(&o, &f->client, &err) != WF_OK ||
        wf_aws_multi_new(f->client, &mo, &f->multi, &err) != WF_OK) {
        fprintf(stderr, "batch: %s\n", err.message);
        return 0;
    }
    return 1;
}

static void close_batch(fixture *f)
{
    wf_aws_multi_free(f->multi);
    wf_aws_client_free(f->client);
}

static void submit(fixture *f, const char *op, const char *params_json, intptr_t tag)
{
    cJSON *params = cJSON_Parse(params_json);
    wf_error err = {0};
    CHECK_INT_EQ(wf_aws_multi_submit(f->multi, "s3", op, params, NULL, tag, &err), WF_OK);
    cJSON_Delete(params);
}

/* Runs the batch to the end; results[tag] receives each finished request. */
static int drain(fixture *f, wf_aws_multi_result *results, int n)
{
    int got = 0, any = 0;
    wf_error err = {0};
    wf_aws_multi_result r;
    while (wf_aws_multi_next(f->multi, 1, &r, &any, &err) == WF_OK && any) {
        if (r.tag >= 0 && r.tag < n)
            results[r.tag] = r;
        else
            wf_aws_multi_result_free(&r);
        got++;
    }
    return got;
}

static void free_results(wf_aws_multi_result *results, int n)
{
    for (int i = 0; i < n; i++)
        wf_aws_multi_result_free(&results[i]);
}

static void test_in_flight_together(wf_test_server *srv)
{
    clean_env(srv);
    fixture f;
    if (!open_batch(&f, 8, 1))
        return;
    wf_test_reply r = {.method = "HEAD", .status = 200, .headers = "ETag: \"e1\"\nContent-Length: 5",
                       .delay_s = 0.3, .times = -1};
    wf_test_server_add(srv, &r);
    for (int i = 0; i < 16; i++) {
        char params[96];
        snprintf(params, sizeof params, "{\"Bucket\":\"b\",\"Key\":\"k%d\"}", i);
        submit(&f, "HeadObject", params, i);
    }
    CHECK_INT_EQ(wf_aws_multi_pending(f.multi), 16);
    wf_aws_multi_result res[16];
    memset(res, 0, sizeof res);
    double t0 = wf_clock_monotonic();
    CHECK_INT_EQ(drain(&f, res, 16), 16);
    double took = wf_clock_monotonic() - t0;
    /* 16 requests of 0.3 s, 8 at a time: about 0.6 s, far from 4.8 s one by one. */
    CHECK(took < 2.0);
    for (int i = 0; i < 16; i++) {
        CHECK_INT_EQ(res[i].status, WF_OK);
        CHECK(!res[i].aws_err.is_error);
        CHECK_STR_EQ(cJSON_GetStringValue(cJSON_GetObjectItem(res[i].result, "ETag")), "\"e1\"");
        CHECK_INT_EQ(res[i].attempts, 1);
    }
    CHECK_INT_EQ(wf_test_server_count(srv), 16);
    CHECK(wf_test_server_connections(srv) <= 8);
    /* A second round reuses the kept-alive connections. */
    size_t conns = wf_test_server_connections(srv);
    submit(&f, "HeadObject", "{\"Bucket\":\"b\",\"Key\":\"again\"}", 0);
    wf_aws_multi_result_free(&res[0]);
    memset(&res[0], 0, sizeof res[0]);
    CHECK_INT_EQ(drain(&f, res, 16), 1);
    CHECK_INT_EQ(wf_test_server_connections(srv), conns);
    /* Signed as wf_aws_call signs. */
    const wf_http_request *seen = wf_test_server_request(srv, 0);
    wf_sigv4_verdict v = {0};
    wf_error err = {0};
    CHECK(seen && wf_sigv4_verify(seen, lookup, NULL, "s3", &v, &err) == WF_OK);
    CHECK_INT_EQ(v.result, WF_SIGV4_OK);
    CHECK_STR_EQ(v.region, "us-east-1");
    wf_sigv4_verdict_free(&v);
    free_results(res, 16);
    wf_aws_multi_stats st;
    wf_aws_multi_stats_get(f.multi, &st);
    CHECK_INT_EQ(st.requests, 17);
    CHECK_INT_EQ(st.window, 8);
    close_batch(&f);
}

#define S3_ERROR(code) "<Error><Code>" code "</Code><Message>injected</Message></Error>"

static void test_retries(wf_test_server *srv)
{
    clean_env(srv);
    fixture f;
    if (!open_batch(&f, 4, 3))
        return;
    /* k0: SlowDown then fine; k1: a dropped connection then fine; k2: AccessDenied for good;
     * k3: 500 on every attempt. */
    wf_test_reply replies[] = {
        {.path = "/b/k0", .status = 503, .body = S3_ERROR("SlowDown")},
        {.path = "/b/k0", .status = 200, .headers = "ETag: \"ok0\""},
        {.path = "/b/k1", .drop = 1},
        {.path = "/b/k1", .status = 200, .headers = "ETag: \"ok1\""},
        {.path = "/b/k2", .status = 403, .body = S3_ERROR("AccessDenied"), .times = -1},
        {.path = "/b/k3", .status = 500, .body = S3_ERROR("InternalError"), .times = -1},
    };
    for (size_t i = 0; i < sizeof replies / sizeof *replies; i++)
        wf_test_server_add(srv, &replies[i]);
    for (int i = 0; i < 4; i++) {
        char params[96];
        snprintf(params, sizeof params,
                 "{\"Bucket\":\"b\",\"Key\":\"k%d\",\"CopySource\":\"src/k%d\"}", i, i);
        submit(&f, "CopyObject", params, i);
    }
    wf_aws_multi_result res[4];
    memset(res, 0, sizeof res);
    CHECK_INT_EQ(drain(&f, res, 4), 4);
    CHECK_INT_EQ(res[0].status, WF_OK);
    CHECK(!res[0].aws_err.is_error);
    CHECK_INT_EQ(res[0].attempts, 2);
    CHECK_INT_EQ(res[1].status, WF_OK);
    CHECK(!res[1].aws_err.is_error);
    CHECK_INT_EQ(res[1].attempts, 2);
    CHECK_INT_EQ(res[2].status, WF_OK);
    CHECK(res[2].aws_err.is_error);
    CHECK_STR_EQ(res[2].aws_err.code, "AccessDenied");
    CHECK_INT_EQ(res[2].attempts, 1);
    CHECK(res[3].aws_err.is_error);
    CHECK_STR_EQ(res[3].aws_err.code, "InternalError");
    CHECK_INT_EQ(res[3].attempts, 3);
    CHECK_STR_EQ(res[3].operation, "CopyObject");
    CHECK_STR_EQ(res[3].service, "s3");
    wf_aws_multi_stats st;
    wf_aws_multi_stats_get(f.multi, &st);
    CHECK_INT_EQ(st.throttled, 1);
    CHECK_INT_EQ(st.retries, 4);       /* k0 once, k1 once, k3 twice */
    CHECK(st.window < 4);              /* the SlowDown halved it */
    free_results(res, 4);
    close_batch(&f);
}

static void test_routes_and_bytes(wf_test_server *srv)
{
    clean_env(srv);
    fixture f;
    if (!open_batch(&f, 2, 1))
        return;
    static const char bytes[] = "bin\0ary\r\nbytes\xff";
    wf_test_reply get = {.method = "GET", .path = "/b/raw", .status = 200,
                         .headers = "Content-Type: application/x-test", .body = bytes,
                         .body_len = sizeof bytes - 1};
    wf_test_reply put = {.method = "PUT", .path = "/b/up", .status = 200, .headers = "ETag: \"up\""};
    wf_test_server_add(srv, &get);
    wf_test_server_add(srv, &put);
    wf_aws_route eu = {.region = "eu-west-1"};
    wf_aws_multi_extra raw = {.raw_response = 1};
    wf_aws_multi_extra body = {.body = bytes, .body_len = sizeof bytes - 1};
    cJSON *pg = cJSON_Parse("{\"Bucket\":\"b\",\"Key\":\"raw\"}");
    cJSON *pp = cJSON_Parse("{\"Bucket\":\"b\",\"Key\":\"up\"}");
    wf_error err = {0};
    CHECK_INT_EQ(wf_aws_multi_submit_ex(f.multi, "s3", "GetObject", pg, &eu, &raw, 0, &err), WF_OK);
    CHECK_INT_EQ(wf_aws_multi_submit_ex(f.multi, "s3", "PutObject", pp, NULL, &body, 1, &err), WF_OK);
    cJSON_Delete(pg);
    cJSON_Delete(pp);
    wf_aws_multi_result res[2];
    memset(res, 0, sizeof res);
    CHECK_INT_EQ(drain(&f, res, 2), 2);
    CHECK_INT_EQ(res[0].status, WF_OK);
    CHECK_INT_EQ(res[0].body_len, sizeof bytes - 1);
    CHECK(res[0].body && memcmp(res[0].body, bytes, sizeof bytes - 1) == 0);
    CHECK_STR_EQ(cJSON_GetStringValue(cJSON_GetObjectItem(res[0].result, "ContentType")),
                 "application/x-test");
    CHECK_INT_EQ(res[1].status, WF_OK);
    CHECK(!res[1].aws_err.is_error);
    /* The GET was signed for eu-west-1; the PUT carried the bytes exactly, signed. */
    for (size_t i = 0; i < 2; i++) {
        const wf_http_request *seen = wf_test_server_request(srv, i);
        if (!seen)
            continue;
        wf_sigv4_verdict v = {0};
        CHECK(wf_sigv4_verify(seen, lookup, NULL, "s3", &v, &err) == WF_OK);
        CHECK_INT_EQ(v.result, WF_SIGV4_OK);
        if (strcmp(seen->method, "GET") == 0) {
            CHECK_STR_EQ(v.region, "eu-west-1");
        } else {
            CHECK_STR_EQ(v.region, "us-east-1");
            CHECK_INT_EQ(seen->body_len, sizeof bytes - 1);
            CHECK(seen->body && memcmp(seen->body, bytes, sizeof bytes - 1) == 0);
        }
        wf_sigv4_verdict_free(&v);
    }
    free_results(res, 2);
    close_batch(&f);
}

static void test_bad_requests_and_free(wf_test_server *srv)
{
    clean_env(srv);
    fixture f;
    if (!open_batch(&f, 2, 1))
        return;
    submit(&f, "NoSuchOperation", "{}", 0);
    submit(&f, "CopyObject", "{\"Bucket\":\"b\"}", 1);   /* Key and CopySource missing */
    wf_aws_route bad = {.endpoint_url = "ftp://nowhere"};
    cJSON *p = cJSON_Parse("{\"Bucket\":\"b\",\"Key\":\"k\"}");
    wf_error err = {0};
    CHECK_INT_EQ(wf_aws_multi_submit(f.multi, "s3", "HeadObject", p, &bad, 2, &err), WF_OK);
    cJSON_Delete(p);
    wf_aws_multi_result res[3];
    memset(res, 0, sizeof res);
    CHECK_INT_EQ(drain(&f, res, 3), 3);
    CHECK_INT_EQ(res[0].status, WF_ENOTFOUND);
    CHECK_INT_EQ(res[1].status, WF_EINVAL);
    CHECK(strstr(res[1].err.message, "CopyObject") != NULL);
    CHECK_INT_EQ(res[2].status, WF_EINVAL);
    CHECK_INT_EQ(wf_test_server_count(srv), 0);
    free_results(res, 3);
    /* Requests still queued and in flight are freed with the batch. */
    wf_test_reply slow = {.delay_s = 0.5, .times = -1};
    wf_test_server_add(srv, &slow);
    for (int i = 0; i < 5; i++)
        submit(&f, "HeadObject", "{\"Bucket\":\"b\",\"Key\":\"k\"}", i);
    wf_aws_multi_result one;
    int any = 0;
    CHECK_INT_EQ(wf_aws_multi_next(f.multi, 0, &one, &any, &err), WF_OK);   /* starts two */
    CHECK_INT_EQ(any, 0);
    CHECK_INT_EQ(wf_aws_multi_pending(f.multi), 5);
    close_batch(&f);
}

int main(void)
{
    FILE *log = tmpfile();
    wf_log_configure(WF_LOG_TEXT, 0, log);
    wf_test_server *srv = wf_test_server_start();
    if (!srv || !log)
        return 1;
    test_in_flight_together(srv);
    test_retries(srv);
    test_routes_and_bytes(srv);
    test_bad_requests_and_free(srv);
    wf_test_server_stop(srv);
    wf_log_configure(WF_LOG_TEXT, 0, stderr);
    fclose(log);
    wf_log_shutdown();
    return CHECK_DONE();
}
