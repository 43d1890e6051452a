/* End-to-end tests of wf_aws_call against the scripted server on 127.0.0.1: the exact
 * request of a read and of a write (signature verified with wf_sigv4_verify), retries
 * (throttling, 500, dropped connection), the same idempotency token on every attempt,
 * errors returned at once, interruption, S3 listings, logging, operation names. */
#include "aws/call.h"
#include "aws/model_load.h"
#include "aws/sigv4.h"
#include "check.h"
#include "interrupt.h"
#include "log.h"
#include "test_server.h"
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define KEY "AKIDCALLTEST"
#define SECRET "callsecret-wJalrXUtnFEMI"

static const char *const vars[] = {
    "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE",
    "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE",
    "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_EC2", "AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL_STS",
    "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "AWS_EC2_METADATA_DISABLED", "AWS_MAX_ATTEMPTS",
    "WFRUN_FAKE_TIME", "WFRUN_S3_ADDRESSING_STYLE", "http_proxy", "HTTP_PROXY", "https_proxy",
    "HTTPS_PROXY", "ALL_PROXY", "all_proxy", "NO_PROXY", "no_proxy", NULL};
static char *saved[40];

static void save_env(void)
{
    for (int i = 0; vars[i]; i++) {
        const char *v = getenv(vars[i]);
        saved[i] = v ? strdup(v) : NULL;
    }
}

static void restore_env(void)
{
    for (int i = 0; vars[i]; i++) {
        if (saved[i])
            setenv(vars[i], saved[i], 1);
        else
            unsetenv(vars[i]);
        free(saved[i]);
    }
}

/* Environment credentials and region, every service at the test server, no files. */
static void clean_env(wf_test_server *srv)
{
    for (int i = 0; vars[i]; i++)
        unsetenv(vars[i]);
    setenv("AWS_CONFIG_FILE", "/nonexistent/wfrun-test/config", 1);
    setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/wfrun-test/credentials", 1);
    setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
    setenv("AWS_ACCESS_KEY_ID", KEY, 1);
    setenv("AWS_SECRET_ACCESS_KEY", SECRET, 1);
    setenv("AWS_REGION", "us-east-1", 1);
    setenv("AWS_ENDPOINT_URL", wf_test_server_url(srv), 1);
    wf_test_server_clear(srv);
}

static wf_aws_client *new_client(int max_attempts)
{
    wf_aws_client_options o = {.retry_base_s = 0.001, .max_attempts = max_attempts,
                               .timeout_s = 10};
    wf_aws_client *c = NULL;
    wf_error err = {0};
    if (wf_aws_client_new(&o, &c, &err) != WF_OK)
        fprintf(stderr, "client: %s\n", err.message);
    return c;
}

static const char *lookup(const char *access_key, void *ud)
{
    return strcmp(access_key, KEY) == 0 ? SECRET : NULL;
}

/* The i-th request as the server saw it carries a valid signature by KEY for service. */
static void check_signature(wf_test_server *srv, size_t i, const char *service)
{
    const wf_http_request *seen = wf_test_server_request(srv, i);
    CHECK(seen && wf_http_headers_get(&seen->headers, "Authorization"));
    if (!seen)
        return;
    wf_sigv4_verdict v = {0};
    wf_error err = {0};
    CHECK_INT_EQ(wf_sigv4_verify(seen, lookup, NULL, service, &v, &err), WF_OK);
    CHECK_INT_EQ(v.result, WF_SIGV4_OK);
    if (v.result != WF_SIGV4_OK)
        fprintf(stderr, "verdict: %s\n", v.detail);
    CHECK_STR_EQ(v.access_key, KEY);
    CHECK_STR_EQ(v.region, "us-east-1");
    CHECK_STR_EQ(v.service, service);
    wf_sigv4_verdict_free(&v);
}

static cJSON *json(const char *text)
{
    return cJSON_Parse(text);
}

/* The value of name=... in a form body, copied into out. */
static void form_value(const char *body, const char *name, char *out, size_t size)
{
    out[0] = '\0';
    size_t n = strlen(name);
    for (const char *p = body; p && *p; p = strchr(p, '&') ? strchr(p, '&') + 1 : NULL) {
        if (strncmp(p, name, n) == 0 && p[n] == '=') {
            size_t len = strcspn(p + n + 1, "&");
            snprintf(out, size, "%.*s", (int)len, p + n + 1);
            return;
        }
    }
}

#define IMAGES_XML                                                                       \
    "<DescribeImagesResponse xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\">"        \
    "<requestId>ec2-req-1</requestId><imagesSet><item><imageId>ami-1</imageId>"         \
    "<name>base</name><isPublic>false</isPublic></item></imagesSet></DescribeImagesResponse>"
#define EC2_ERROR(code, msg)                                                             \
    "<Response><Errors><Error><Code>" code "</Code><Message>" msg "</Message></Error>"  \
    "</Errors><RequestID>ec2-err-1</RequestID></Response>"

static void test_read(wf_test_server *srv)
{
    clean_env(srv);
    wf_aws_client *c = new_client(0);
    wf_test_reply r = {.method = "POST", .path = "/", .contains = "Action=DescribeImages",
                       .body = IMAGES_XML};
    wf_test_server_add(srv, &r);
    cJSON *params = json("{\"Owners\":[\"self\"],\"ImageIds\":[\"ami-1\"]}");
    cJSON *result = NULL;
    wf_aws_error ae;
    wf_error err = {0};
    CHECK_INT_EQ(wf_aws_call(c, "ec2", "DescribeImages", params, &result, &ae, &err), WF_OK);
    CHECK(!ae.is_error);
    CHECK_INT_EQ(ae.status, 200);
    CHECK_STR_EQ(ae.request_id, "ec2-req-1");
    const cJSON *images = cJSON_GetObjectItem(result, "Images");
    const cJSON *image = cJSON_GetArrayItem(images, 0);
    CHECK_INT_EQ(cJSON_GetArraySize(images), 1);
    CHECK_STR_EQ(cJSON_GetStringValue(cJSON_GetObjectItem(image, "ImageId")), "ami-1");
    CHECK_STR_EQ(cJSON_GetStringValue(cJSON_GetObjectItem(image, "Name")), "base");
    CHECK(cJSON_IsFalse(cJSON_GetObjectItem(image, "Public")));
    CHECK_INT_EQ(wf_aws_client_last_attempts(c), 1);

    const wf_http_request *seen = wf_test_server_request(srv, 0);
    CHECK(seen != NULL);
    if (seen) {
        CHECK_STR_EQ(seen->method, "POST");
        CHECK_STR_EQ(seen->path, "/");
        CHECK_STR_EQ(seen->query, "");
        CHECK_STR_EQ(seen->body,
                     "Action=DescribeImages&Version=2016-11-15&ImageId.1=ami-1&Owner.1=self");
        char host[64];
        snprintf(host, sizeof host, "127.0.0.1:%d", wf_test_server_port(srv));
        CHECK_STR_EQ(wf_http_headers_get(&seen->headers, "Host"), host);
        CHECK_STR_EQ(wf_http_headers_get(&seen->headers, "Content-Type"),
                     "application/x-www-form-urlencoded");
        CHECK(wf_http_headers_get(&seen->headers, "X-Amz-Security-Token") == NULL);
        const char *auth = wf_http_headers_get(&seen->headers, "Authorization");
        CHECK(auth && strncmp(auth, "AWS4-HMAC-SHA256 Credential=" KEY "/", 38) == 0);
        CHECK(auth && strstr(auth, "/us-east-1/ec2/aws4_request") != NULL);
    }
    check_signature(srv, 0, "ec2");
    cJSON_Delete(result);

    /* The snake_case name reaches the same operation. */
    wf_test_server_add(srv, &r);
    CHECK_INT_EQ(wf_aws_call(c, "ec2", "describe_images", params, &result, &ae, &err), WF_OK);
    CHECK(result && cJSON_GetObjectItem(result, "Images"));
    cJSON_Delete(result);
    /* Both calls went over one kept-alive connection. */
    CHECK_INT_EQ(wf_test_server_connections(srv), 1);
    cJSON_Delete(params);
    wf_aws_client_free(c);
}

static void test_write(wf_test_server *srv)
{
    clean_env(srv);
    setenv("AWS_SESSION_TOKEN", "calltoken-0123456789", 1);
    wf_aws_client *c = new_client(0);
    wf_error err = {0};
    wf_aws_error ae;
    cJSON *result = NULL;

    /* EC2 CreateTags: a mutating Query call; the session token is sent and signed. */
    wf_test_reply r = {.contains = "Action=CreateTags",
                       .body = "<CreateTagsResponse><requestId>ec2-req-2</requestId>"
                               "<return>true</return></CreateTagsResponse>"};
    wf_test_server_add(srv, &r);
    cJSON *params = json("{\"Resources\":[\"i-1\"],\"Tags\":[{\"Key\":\"Name\",\"Value\":\"web 1\"}]}");
    CHECK_INT_EQ(wf_aws_call(c, "ec2", "CreateTags", params, &result, &ae, &err), WF_OK);
    CHECK(!ae.is_error);
    char *text = result ? cJSON_PrintUnformatted(result) : NULL;
    CHECK_STR_EQ(text, "{}");
    free(text);
    cJSON_Delete(result);
    cJSON_Delete(params);
    const wf_http_request *seen = wf_test_server_request(srv, 0);
    CHECK_STR_EQ(seen ? seen->body : NULL,
                 "Action=CreateTags&Version=2016-11-15&ResourceId.1=i-1&Tag.1.Key=Name&"
                 "Tag.1.Value=web%201");
    CHECK_STR_EQ(seen ? wf_http_headers_get(&seen->headers, "X-Amz-Security-Token") : NULL,
                 "calltoken-0123456789");
    const char *auth = seen ? wf_http_headers_get(&seen->headers, "Authorization") : NULL;
    CHECK(auth && strstr(auth, "x-amz-security-token") != NULL);
    check_signature(srv, 0, "ec2");

    /* S3 PutObject over plain http: path-style at a custom endpoint, key encoded, and the
     * body's hash signed (UNSIGNED-PAYLOAD is only for TLS). */
    wf_test_reply put = {.method = "PUT", .path = "/my-bucket/dir/my%20key.txt",
                         .headers = "ETag: \"5eb63bbbe01eeed093cb22bb8f5acdc3\"\n"
                                    "x-amz-request-id: s3-req-1"};
    wf_test_server_add(srv, &put);
    params = json("{\"Bucket\":\"my-bucket\",\"Key\":\"dir/my key.txt\","
                  "\"Body\":\"hello world\",\"ContentType\":\"text/plain\"}");
    CHECK_INT_EQ(wf_aws_call(c, "s3", "PutObject", params, &result, &ae, &err), WF_OK);
    if (err.message[0])
        fprintf(stderr, "%s\n", err.message);
    CHECK(!ae.is_error);
    CHECK_STR_EQ(ae.request_id, "s3-req-1");
    CHECK_STR_EQ(result ? cJSON_GetStringValue(cJSON_GetObjectItem(result, "ETag")) : NULL,
                 "\"5eb63bbbe01eeed093cb22bb8f5acdc3\"");
    seen = wf_test_server_request(srv, 1);
    CHECK_STR_EQ(seen ? seen->method : NULL, "PUT");
    CHECK_STR_EQ(seen ? seen->path : NULL, "/my-bucket/dir/my%20key.txt");
    CHECK_STR_EQ(seen ? seen->body : NULL, "hello world");
    CHECK_STR_EQ(seen ? wf_http_headers_get(&seen->headers, "x-amz-content-sha256") : NULL,
                 "b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9");
    CHECK(seen && !wf_http_headers_get(&seen->headers, "Expect"));
    check_signature(srv, 1, "s3");
    cJSON_Delete(result);
    cJSON_Delete(params);
    wf_aws_client_free(c);
}

static void test_retries(wf_test_server *srv)
{
    clean_env(srv);
    wf_aws_client *c = new_client(0);
    wf_error err = {0};
    wf_aws_error ae;
    cJSON *result = NULL;
    cJSON *params = json("{\"Owners\":[\"self\"]}");

    /* Two throttling answers, then success: one result, three attempts, each signed. */
    wf_test_reply throttle = {.status = 400, .times = 2,
                              .body = EC2_ERROR("Throttling", "Rate exceeded")};
    wf_test_server_add(srv, &throttle);
    wf_test_server_reply(srv, 200, NULL, IMAGES_XML);
    CHECK_INT_EQ(wf_aws_call(c, "ec2", "DescribeImages", params, &result, &ae, &err), WF_OK);
    CHECK(!ae.is_error);
    CHECK(result && cJSON_GetArraySize(cJSON_GetObjectItem(result, "Images")) == 1);
    CHECK_INT_EQ(wf_aws_client_last_attempts(c), 3);
    CHECK_INT_EQ(wf_test_server_count(srv), 3);
    for (size_t i = 0; i < 3; i++)
        check_signature(srv, i, "ec2");
    cJSON_Delete(result);

    /* A 500 then success. */
    wf_test_server_clear(srv);
    wf_test_server_reply(srv, 500, NULL, EC2_ERROR("InternalError", "oops"));
    wf_test_server_reply(srv, 200, NULL, IMAGES_XML);
    CHECK_INT_EQ(wf_aws_call(c, "ec2", "DescribeImages", params, &result, &ae, &err), WF_OK);
    CHECK(!ae.is_error && result);
    CHECK_INT_EQ(wf_aws_client_last_attempts(c), 2);
    cJSON_Delete(result);

    /* Throttled every time: after 3 attempts the last error comes back. */
    wf_test_server_clear(srv);
    throttle.times = -1;
    throttle.body = EC2_ERROR("RequestLimitExceeded", "Request limit exceeded.");
    throttle.status = 503;
    wf_test_server_add(srv, &throttle);
    CHECK_INT_EQ(wf_aws_call(c, "ec2", "DescribeImages", params, &result, &ae, &err), WF_OK);
    CHECK(ae.is_error);
    CHECK_STR_EQ(ae.code, "RequestLimitExceeded");
    CHECK_INT_EQ(ae.status, 503);
    CHECK(result == NULL);
    CHECK_INT_EQ(wf_aws_client_last_attempts(c), 3);
    CHECK_INT_EQ(wf_test_server_count(srv), 3);
    wf_aws_client_free(c);

    /* Attempts come from AWS_MAX_ATTEMPTS, and the option beats it. */
    wf_test_server_clear(srv);
    wf_test_server_add(srv, &throttle);
    setenv("AWS_MAX_ATTEMPTS", "2", 1);
    c = new_client(0);
    CHECK_INT_EQ(wf_aws_call(c, "ec2", "DescribeImages", params, &result, &ae, &err), WF_OK);
    CHECK_INT_EQ(wf_aws_client_last_attempts(c), 2);
    wf_aws_client_free(c);
    c = new_client(1);
    CHECK_INT_EQ(wf_aws_call(c, "ec2", "DescribeImages", params, &result, &ae, &err), WF_OK);
    CHECK_INT_EQ(wf_aws_client_last_attempts(c), 1);
    CHECK_INT_EQ(wf_test_server_count(srv), 3);
    unsetenv("AWS_MAX_ATTEMPTS");
    wf_aws_client_free(c);

    /* A dropped connection, then success (a fresh client: a new connection is dropped,
     * so curl itself cannot hide the failure by reconnecting). */
    wf_test_server_clear(srv);
    wf_test_reply drop = {.drop = 1};
    wf_test_server_add(srv, &drop);
    wf_test_server_reply(srv, 200, NULL, IMAGES_XML);
    c = new_client(0);
    CHECK_INT_EQ(wf_aws_call(c, "ec2", "DescribeImages", params, &result, &ae, &err), WF_OK);
    CHECK(!ae.is_error && result);
    CHECK_INT_EQ(wf_aws_client_last_attempts(c), 2);
    CHECK_INT_EQ(wf_test_server_count(srv), 2);
    cJSON_Delete(result);
    wf_aws_client_free(c);

    /* Nothing listening: WF_EIO after every attempt. */
    setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:1", 1);
    c = new_client(0);
    CHECK_INT_EQ(wf_aws_call(c, "ec2", "DescribeImages", params, &result, &ae, &err), WF_EIO);
    CHECK(result == NULL);
    CHECK_INT_EQ(wf_aws_client_last_attempts(c), 3);
    CHECK(strstr(err.message, "ec2 DescribeImages: POST http://127.0.0.1:1/") != NULL);
    CHECK(strstr(err.message, "(after retries)") != NULL);
    wf_aws_client_free(c);
    cJSON_Delete(params);
}

static void test_idempotency_token(wf_test_server *srv)
{
    clean_env(srv);
    wf_aws_client *c = new_client(0);
    wf_test_reply unavailable = {.status = 503, .times = 1,
                                 .body = EC2_ERROR("Unavailable", "try again")};
    wf_test_server_add(srv, &unavailable);
    wf_test_reply drop = {.drop = 1};
    wf_test_server_add(srv, &drop);
    wf_test_server_reply(srv, 200, NULL,
                         "<RunInstancesResponse><requestId>ec2-run-1</requestId>"
                         "<reservationId>r-1</reservationId><ownerId>1</ownerId>"
                         "<instancesSet><item><instanceId>i-new</instanceId></item>"
                         "</instancesSet></RunInstancesResponse>");
    cJSON *params = json("{\"ImageId\":\"ami-1\",\"MinCount\":1,\"MaxCount\":1,"
                         "\"InstanceType\":\"t3.micro\"}");
    cJSON *result = NULL;
    wf_aws_error ae;
    wf_error err = {0};
    CHECK_INT_EQ(wf_aws_call(c, "ec2", "RunInstances", params, &result, &ae, &err), WF_OK);
    CHECK(!ae.is_error);
    const cJSON *inst = cJSON_GetArrayItem(cJSON_GetObjectItem(result, "Instances"), 0);
    CHECK_STR_EQ(cJSON_GetStringValue(cJSON_GetObjectItem(inst, "InstanceId")), "i-new");
    CHECK_INT_EQ(wf_test_server_count(srv), 3);
    char first[128] = "", other[128];
    const wf_http_request *seen = wf_test_server_request(srv, 0);
    if (seen)
        form_value(seen->body, "ClientToken", first, sizeof first);
    CHECK(strlen(first) >= 32);   /* a UUID was filled in */
    for (size_t i = 1; i < 3; i++) {
        seen = wf_test_server_request(srv, i);
        form_value(seen ? seen->body : "", "ClientToken", other, sizeof other);
        CHECK_STR_EQ(other, first);
    }
    /* Only the serialized copy carries it: params are untouched. */
    CHECK(cJSON_GetObjectItem(params, "ClientToken") == NULL);
    cJSON_Delete(result);
    cJSON_Delete(params);
    wf_aws_client_free(c);
}

static void test_errors(wf_test_server *srv)
{
    clean_env(srv);
    wf_aws_client *c = new_client(0);
    cJSON *result = NULL;
    wf_aws_error ae;
    wf_error err = {0};

    /* Not retryable: back at once with code, message, request id and status. */
    wf_test_server_reply(srv, 400, NULL,
                         EC2_ERROR("InvalidParameterValue",
                                   "Value (t9.huge) for parameter instanceType is invalid."));
    cJSON *params = json("{\"ImageId\":\"ami-1\",\"MinCount\":1,\"MaxCount\":1,"
                         "\"InstanceType\":\"t9.huge\"}");
    CHECK_INT_EQ(wf_aws_call(c, "ec2", "RunInstances", params, &result, &ae, &err), WF_OK);
    CHECK(ae.is_error);
    CHECK_STR_EQ(ae.code, "InvalidParameterValue");
    CHECK_STR_EQ(ae.message, "Value (t9.huge) for parameter instanceType is invalid.");
    CHECK_STR_EQ(ae.request_id, "ec2-err-1");
    CHECK_INT_EQ(ae.status, 400);
    CHECK_INT_EQ(wf_aws_client_last_attempts(c), 1);
    CHECK_INT_EQ(wf_test_server_count(srv), 1);
    char line[512];
    wf_aws_error_describe(&ae, "ec2", "RunInstances", line, sizeof line);
    CHECK_STR_EQ(line, "ec2 RunInstances: InvalidParameterValue: Value (t9.huge) for parameter "
                       "instanceType is invalid. (HTTP 400, request id ec2-err-1)");
    cJSON_Delete(result);
    cJSON_Delete(params);

    /* Refused before sending: unknown service or operation, bad params, no region. */
    CHECK_INT_EQ(wf_aws_call(c, "nosuch", "X", NULL, &result, &ae, &err), WF_ENOTFOUND);
    CHECK_INT_EQ(wf_aws_call(c, "ec2", "LaunchRockets", NULL, &result, &ae, &err), WF_ENOTFOUND);
    CHECK(strstr(err.message, "LaunchRockets") != NULL);
    params = json("{\"NoSuchParam\":1}");
    CHECK_INT_EQ(wf_aws_call(c, "ec2", "DescribeImages", params, &result, &ae, &err), WF_EINVAL);
    CHECK(strstr(err.message, "ec2 DescribeImages: ") == err.message);
    cJSON_Delete(params);
    wf_aws_client_free(c);
    unsetenv("AWS_REGION");
    c = new_client(0);
    CHECK_INT_EQ(wf_aws_call(c, "ec2", "DescribeImages", NULL, &result, &ae, &err), WF_EINVAL);
    CHECK(strstr(err.message, "no AWS region: pass --region or set AWS_REGION") != NULL);
    wf_aws_client_free(c);
    setenv("AWS_REGION", "us-east-1", 1);

    /* No credentials: the sources tried, and nothing sent. */
    unsetenv("AWS_ACCESS_KEY_ID");
    unsetenv("AWS_SECRET_ACCESS_KEY");
    c = new_client(0);
    CHECK_INT_EQ(wf_aws_call(c, "ec2", "DescribeImages", NULL, &result, &ae, &err), WF_EINVAL);
    CHECK(strstr(err.message, "no AWS credentials found") != NULL);
    CHECK_INT_EQ(wf_test_server_count(srv), 1);
    wf_aws_client_free(c);

    /* Given credentials replace the chain. */
    wf_aws_credentials given = {.access_key_id = KEY, .secret_access_key = SECRET};
    wf_aws_client_options o = {.credentials = &given, .region = "us-east-1"};
    CHECK_INT_EQ(wf_aws_client_new(&o, &c, &err), WF_OK);
    wf_test_server_reply(srv, 200, NULL, IMAGES_XML);
    CHECK_INT_EQ(wf_aws_call(c, "ec2", "DescribeImages", NULL, &result, &ae, &err), WF_OK);
    check_signature(srv, 1, "ec2");
    cJSON_Delete(result);
    wf_aws_client_free(c);
}

static void *send_sigterm(void *arg)
{
    usleep(300 * 1000);
    kill(getpid(), SIGTERM);
    return NULL;
}

static void test_interrupt(wf_test_server *srv)
{
    clean_env(srv);
    wf_interrupt_install();
    wf_aws_client *c = new_client(0);
    wf_test_reply slow = {.delay_s = 5, .body = IMAGES_XML};
    wf_test_server_add(srv, &slow);
    pthread_t th;
    pthread_create(&th, NULL, send_sigterm, NULL);
    cJSON *result = NULL;
    wf_aws_error ae;
    wf_error err = {0};
    double t0 = wf_clock_monotonic();
    CHECK_INT_EQ(wf_aws_call(c, "ec2", "DescribeImages", NULL, &result, &ae, &err), WF_EINTR);
    CHECK(wf_clock_monotonic() - t0 < 2.5);
    CHECK(result == NULL);
    CHECK(strstr(err.message, "interrupted by SIGTERM") != NULL);
    CHECK_INT_EQ(wf_aws_client_last_attempts(c), 1);   /* an interruption is not retried */
    pthread_join(th, NULL);
    wf_interrupt_clear_signal();
    wf_aws_client_free(c);
}

static void test_s3_listing(wf_test_server *srv)
{
    clean_env(srv);
    wf_aws_client *c = new_client(0);
    wf_test_reply list = {
        .method = "GET", .path = "/my-bucket",
        .body = "<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
                "<Name>my-bucket</Name><Prefix>a%20</Prefix><KeyCount>1</KeyCount>"
                "<MaxKeys>1000</MaxKeys><EncodingType>url</EncodingType>"
                "<IsTruncated>false</IsTruncated><Contents><Key>a%20b%2Bc.txt</Key>"
                "<Size>3</Size></Contents></ListBucketResult>"};
    wf_test_server_add(srv, &list);
    cJSON *params = json("{\"Bucket\":\"my-bucket\",\"Prefix\":\"a \"}");
    cJSON *result = NULL;
    wf_aws_error ae;
    wf_error err = {0};
    CHECK_INT_EQ(wf_aws_call(c, "s3", "ListObjectsV2", params, &result, &ae, &err), WF_OK);
    if (err.message[0])
        fprintf(stderr, "%s\n", err.message);
    const cJSON *first = cJSON_GetArrayItem(cJSON_GetObjectItem(result, "Contents"), 0);
    CHECK_STR_EQ(cJSON_GetStringValue(cJSON_GetObjectItem(first, "Key")), "a b+c.txt");
    CHECK_STR_EQ(cJSON_GetStringValue(cJSON_GetObjectItem(result, "Prefix")), "a ");
    const wf_http_request *seen = wf_test_server_request(srv, 0);
    CHECK(seen && strstr(seen->query, "list-type=2") != NULL);
    CHECK(seen && strstr(seen->query, "encoding-type=url") != NULL);
    check_signature(srv, 0, "s3");
    CHECK(cJSON_GetObjectItem(params, "EncodingType") == NULL);
    cJSON_Delete(result);
    cJSON_Delete(params);
    wf_aws_client_free(c);
}

static void test_log(wf_test_server *srv, FILE *log)
{
    clean_env(srv);
    wf_aws_client_options o = {.retry_base_s = 0.001, .verbose = 1};
    wf_aws_client *c = NULL;
    wf_error err = {0};
    CHECK_INT_EQ(wf_aws_client_new(&o, &c, &err), WF_OK);
    wf_test_reply throttle = {.status = 400, .body = EC2_ERROR("Throttling", "slow down")};
    wf_test_server_add(srv, &throttle);
    wf_test_server_reply(srv, 200, NULL, IMAGES_XML);
    cJSON *result = NULL;
    wf_aws_error ae;
    CHECK_INT_EQ(wf_aws_call(c, "ec2", "DescribeImages", NULL, &result, &ae, &err), WF_OK);
    cJSON_Delete(result);
    wf_aws_client_free(c);
    fflush(log);
    long len = ftell(log);
    char *text = calloc(1, (size_t)len + 1);
    rewind(log);
    CHECK(fread(text, 1, (size_t)len, log) == (size_t)len);
    CHECK(strstr(text, "aws ec2 DescribeImages attempt 1/3: HTTP 400 in ") != NULL);
    CHECK(strstr(text, "request id ec2-err-1, error Throttling; retrying in ") != NULL);
    CHECK(strstr(text, "aws ec2 DescribeImages attempt 2/3: HTTP 200 in ") != NULL);
    CHECK(strstr(text, "request id ec2-req-1") != NULL);
    CHECK(strstr(text, SECRET) == NULL);
    CHECK(strstr(text, "calltoken-0123456789") == NULL);
    free(text);
}

static void test_operation_names(void)
{
    const char *pairs[][2] = {
        {"DescribeImages", "describe_images"},
        {"DescribeDBInstances", "describe_db_instances"},
        {"CreateDBSnapshot", "create_db_snapshot"},
        {"RestoreDBInstanceFromDBSnapshot", "restore_db_instance_from_db_snapshot"},
        {"ListObjectsV2", "list_objects_v2"},
        {"DescribeAutoScalingGroups", "describe_auto_scaling_groups"},
        {"GetConsoleOutput", "get_console_output"},
        {"CreateLaunchTemplateVersion", "create_launch_template_version"},
        {"ListARNs", "list_arns"},
        {"DescribeCACertificates", "describe_ca_certificates"},
        {"GetObjectACL", "get_object_acl"},
        {"ListTagsForResource", "list_tags_for_resource"},
        {"AssumeRoleWithSAML", "assume_role_with_saml"},
        {"already_snake", "already_snake"},
        {"S3", "s3"},
        {NULL, NULL}};
    for (int i = 0; pairs[i][0]; i++) {
        char *x = wf_aws_xform_name(pairs[i][0]);
        CHECK_STR_EQ(x, pairs[i][1]);
        free(x);
    }
    /* Every operation of every model maps back from its snake_case name: no collisions. */
    const char *services[] = {"ec2", "autoscaling", "rds", "cloudformation", "s3", "sts", "ssm",
                              NULL};
    for (int s = 0; services[s]; s++) {
        wf_aws_model m = {0};
        wf_error err = {0};
        CHECK_INT_EQ(wf_aws_model_load(services[s], &m, &err), WF_OK);
        const cJSON *op;
        cJSON_ArrayForEach(op, m.operations) {
            char *x = wf_aws_xform_name(op->string);
            CHECK_STR_EQ(wf_aws_operation_name(&m, x), op->string);
            CHECK_STR_EQ(wf_aws_operation_name(&m, op->string), op->string);
            free(x);
        }
        CHECK(wf_aws_operation_name(&m, "no_such_thing") == NULL);
        wf_aws_model_free(&m);
    }
}

int main(void)
{
    save_env();
    FILE *log = tmpfile();
    wf_log_configure(WF_LOG_TEXT, 0, log);
    wf_test_server *srv = wf_test_server_start();
    if (!srv || !log)
        return 1;
    test_read(srv);
    test_write(srv);
    test_retries(srv);
    test_idempotency_token(srv);
    test_errors(srv);
    test_interrupt(srv);
    test_s3_listing(srv);
    test_log(srv, log);
    test_operation_names();
    wf_test_server_stop(srv);
    restore_env();
    wf_log_configure(WF_LOG_TEXT, 0, stderr);
    fclose(log);
    wf_log_shutdown();
    return CHECK_DONE();
}
