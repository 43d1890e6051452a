/* Tests of the credential chain: order (environment, profile keys, assumed roles, IMDSv2),
 * AssumeRole through the test server acting as STS (request checked and its signature
 * verified), caching and refresh on a frozen clock, IMDSv2's token flow, the errors, and
 * that no secret reaches the log. */
#include "aws/aws_config.h"
#include "aws/credentials.h"
#include "aws/sigv4.h"
#include "check.h"
#include "interrupt.h"
#include "log.h"
#include "test_server.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NOW 1893456000   /* 2030-01-01T00:00:00Z: WFRUN_FAKE_TIME */

static const char *const vars[] = {
    "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE",
    "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE",
    "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_STS", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
    "AWS_EC2_METADATA_DISABLED", "AWS_EC2_METADATA_SERVICE_ENDPOINT",
    "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE", "AWS_METADATA_SERVICE_TIMEOUT",
    "AWS_MAX_ATTEMPTS", "WFRUN_FAKE_TIME", "http_proxy", "HTTP_PROXY", "https_proxy",
    "HTTPS_PROXY", "ALL_PROXY", "all_proxy", "NO_PROXY", "no_proxy", NULL};
static char *saved[40];
static char dir[] = "/tmp/wf_aws_creds_XXXXXX";

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

static void set_time(long long t)
{
    char buf[32];
    snprintf(buf, sizeof buf, "%lld", t);
    setenv("WFRUN_FAKE_TIME", buf, 1);
}

/* A blank slate: no AWS variables, our own (empty) files, IMDS off, a frozen clock. */
static void clean_env(void)
{
    for (int i = 0; vars[i]; i++)
        unsetenv(vars[i]);
    char path[512];
    snprintf(path, sizeof path, "%s/config", dir);
    setenv("AWS_CONFIG_FILE", path, 1);
    unlink(path);
    snprintf(path, sizeof path, "%s/credentials", dir);
    setenv("AWS_SHARED_CREDENTIALS_FILE", path, 1);
    unlink(path);
    setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
    set_time(NOW);
}

static void write_file(const char *name, const char *text)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

/* Loads the configuration and gets credentials once; *p and *cfg stay for more gets. */
static wf_status get_once(wf_aws_config *cfg, wf_aws_credentials_provider **p,
                          const wf_aws_credentials **out, wf_error *err)
{
    memset(cfg, 0, sizeof *cfg);
    *p = NULL;
    *out = NULL;
    wf_status st = wf_aws_config_load(NULL, cfg, err);
    if (st != WF_OK)
        return st;
    wf_aws_provider_options o = {.retry_base_s = 0.001, .max_attempts = 2,
                                 .timeout_s = 5};
    st = wf_aws_credentials_provider_new(cfg, &o, p, err);
    if (st != WF_OK)
        return st;
    return wf_aws_credentials_get(*p, out, err);
}

static void done(wf_aws_config *cfg, wf_aws_credentials_provider *p)
{
    wf_aws_credentials_provider_free(p);
    wf_aws_config_free(cfg);
}

static void test_environment_first(void)
{
    clean_env();
    write_file("credentials", "[default]\naws_access_key_id = AKIDFILE\n"
                              "aws_secret_access_key = filesecret-0001\n");
    setenv("AWS_ACCESS_KEY_ID", "AKIDENV", 1);
    setenv("AWS_SECRET_ACCESS_KEY", "envsecret-0001", 1);
    setenv("AWS_SESSION_TOKEN", "envtoken-0001", 1);
    wf_aws_config cfg;
    wf_aws_credentials_provider *p;
    const wf_aws_credentials *c;
    wf_error err = {0};
    CHECK_INT_EQ(get_once(&cfg, &p, &c, &err), WF_OK);
    CHECK_STR_EQ(c ? c->access_key_id : NULL, "AKIDENV");
    CHECK_STR_EQ(c ? c->secret_access_key : NULL, "envsecret-0001");
    CHECK_STR_EQ(c ? c->session_token : NULL, "envtoken-0001");
    CHECK(c && c->expiration == 0);
    CHECK_STR_EQ(wf_aws_credentials_source(p), "environment");
    done(&cfg, p);

    /* Half a pair is an error that names the variables, never the secret. */
    unsetenv("AWS_ACCESS_KEY_ID");
    CHECK_INT_EQ(get_once(&cfg, &p, &c, &err), WF_EINVAL);
    CHECK(strstr(err.message, "AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not"));
    CHECK(!strstr(err.message, "envsecret"));
    done(&cfg, p);
}

static void test_profile_keys(void)
{
    clean_env();
    /* The credentials file beats the config file; comments and spacing are fine. */
    write_file("credentials", "# keys\n[default]\n  aws_access_key_id=AKIDCRED  \n"
                              "aws_secret_access_key = credsecret-0001 ; old key\n"
                              "[other]\naws_access_key_id = AKIDOTHER\n"
                              "aws_secret_access_key = othersecret-001\n"
                              "aws_session_token = othertoken-0001\n");
    write_file("config", "[default]\naws_access_key_id = AKIDCONF\n"
                         "aws_secret_access_key = confsecret-0001\n"
                         "[profile conf-only]\naws_access_key_id = AKIDCONF2\n"
                         "aws_secret_access_key = confsecret-0002\n"
                         "[profile half]\naws_access_key_id = AKIDHALF\n");
    wf_aws_config cfg;
    wf_aws_credentials_provider *p;
    const wf_aws_credentials *c;
    wf_error err = {0};
    CHECK_INT_EQ(get_once(&cfg, &p, &c, &err), WF_OK);
    CHECK_STR_EQ(c ? c->access_key_id : NULL, "AKIDCRED");
    CHECK_STR_EQ(c ? c->secret_access_key : NULL, "credsecret-0001");
    CHECK(c && c->session_token == NULL);
    CHECK_STR_EQ(wf_aws_credentials_source(p), "profile default");
    done(&cfg, p);

    setenv("AWS_PROFILE", "other", 1);
    CHECK_INT_EQ(get_once(&cfg, &p, &c, &err), WF_OK);
    CHECK_STR_EQ(c ? c->access_key_id : NULL, "AKIDOTHER");
    CHECK_STR_EQ(c ? c->session_token : NULL, "othertoken-0001");
    done(&cfg, p);

    setenv("AWS_PROFILE", "conf-only", 1);
    CHECK_INT_EQ(get_once(&cfg, &p, &c, &err), WF_OK);
    CHECK_STR_EQ(c ? c->access_key_id : NULL, "AKIDCONF2");
    done(&cfg, p);

    setenv("AWS_PROFILE", "half", 1);
    CHECK_INT_EQ(get_once(&cfg, &p, &c, &err), WF_EINVAL);
    CHECK(strstr(err.message, "profile \"half\"") && strstr(err.message, "aws_secret_access_key"));
    done(&cfg, p);
}

static void test_nothing_found(void)
{
    clean_env();
    wf_aws_config cfg;
    wf_aws_credentials_provider *p;
    const wf_aws_credentials *c;
    wf_error err = {0};
    CHECK_INT_EQ(get_once(&cfg, &p, &c, &err), WF_EINVAL);
    CHECK(strstr(err.message, "no AWS credentials found") != NULL);
    CHECK(strstr(err.message, "environment (AWS_ACCESS_KEY_ID not set)") != NULL);
    CHECK(strstr(err.message, "profile \"default\"") != NULL);
    CHECK(strstr(err.message, "EC2 instance metadata (AWS_EC2_METADATA_DISABLED is true)"));
    done(&cfg, p);

    /* With IMDS on but nothing listening, the reason is curl's. */
    unsetenv("AWS_EC2_METADATA_DISABLED");
    setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://127.0.0.1:1", 1);
    CHECK_INT_EQ(get_once(&cfg, &p, &c, &err), WF_EINVAL);
    CHECK(strstr(err.message, "EC2 instance metadata at http://127.0.0.1:1 (") != NULL);
    done(&cfg, p);
}

static const char *assume_answer(const char *key, const char *secret, const char *token,
                                 const char *expiration, char *buf, size_t size)
{
    snprintf(buf, size,
             "<AssumeRoleResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"
             "<AssumeRoleResult><Credentials><AccessKeyId>%s</AccessKeyId>"
             "<SecretAccessKey>%s</SecretAccessKey><SessionToken>%s</SessionToken>"
             "<Expiration>%s</Expiration></Credentials><AssumedRoleUser>"
             "<Arn>arn:aws:sts::123456789012:assumed-role/deploy/s</Arn>"
             "<AssumedRoleId>AROA:s</AssumedRoleId></AssumedRoleUser></AssumeRoleResult>"
             "<ResponseMetadata><RequestId>sts-req-1</RequestId></ResponseMetadata>"
             "</AssumeRoleResponse>",
             key, secret, token, expiration);
    return buf;
}

typedef struct key_pair {
    const char *key, *secret;
} key_pair;

static const char *lookup(const char *access_key, void *ud)
{
    for (const key_pair *k = ud; k->key; k++)
        if (strcmp(k->key, access_key) == 0)
            return k->secret;
    return NULL;
}

/* Verifies the i-th request the server saw was signed for sts by one of keys. */
static void check_signed(wf_test_server *srv, size_t i, const key_pair *keys,
                         const char *want_key)
{
    const wf_http_request *seen = wf_test_server_request(srv, i);
    CHECK(seen != NULL);
    if (!seen)
        return;
    wf_sigv4_verdict v = {0};
    wf_error err = {0};
    CHECK_INT_EQ(wf_sigv4_verify(seen, lookup, (void *)keys, "sts", &v, &err), WF_OK);
    CHECK_INT_EQ(v.result, WF_SIGV4_OK);
    CHECK_STR_EQ(v.access_key, want_key);
    CHECK_STR_EQ(v.service, "sts");
    CHECK_STR_EQ(v.region, "eu-west-1");
    CHECK_STR_EQ(v.amz_date, "20300101T000000Z");
    wf_sigv4_verdict_free(&v);
}

static void test_assume_role(wf_test_server *srv)
{
    clean_env();
    wf_test_server_clear(srv);
    setenv("AWS_PROFILE", "deploy", 1);
    setenv("AWS_REGION", "eu-west-1", 1);
    setenv("AWS_ENDPOINT_URL_STS", wf_test_server_url(srv), 1);
    write_file("config",
               "[profile deploy]\nrole_arn = arn:aws:iam::123456789012:role/deploy\n"
               "source_profile = base\nexternal_id = ext-42\nduration_seconds = 1800\n"
               "[profile chain]\nrole_arn = arn:aws:iam::123456789012:role/top\n"
               "source_profile = middle\n"
               "[profile middle]\nrole_arn = arn:aws:iam::123456789012:role/middle\n"
               "source_profile = base\n"
               "[profile loop]\nrole_arn = arn:aws:iam::1:role/l\nsource_profile = loop2\n"
               "[profile loop2]\nrole_arn = arn:aws:iam::1:role/l2\nsource_profile = loop\n"
               "[profile mfa]\nrole_arn = arn:aws:iam::1:role/m\nsource_profile = base\n"
               "mfa_serial = arn:aws:iam::1:mfa/me\n");
    write_file("credentials", "[base]\naws_access_key_id = AKIDBASE\n"
                              "aws_secret_access_key = basesecret-0001\n");
    char xml[2048];
    wf_test_reply r = {.method = "POST", .path = "/", .contains = "Action=AssumeRole",
                       .body = assume_answer("ASIAROLE1", "rolesecret-0001", "roletoken-0001",
                                             "2030-01-01T01:00:00Z", xml, sizeof xml)};
    wf_test_server_add(srv, &r);

    wf_aws_config cfg;
    wf_aws_credentials_provider *p;
    const wf_aws_credentials *c;
    wf_error err = {0};
    CHECK_INT_EQ(get_once(&cfg, &p, &c, &err), WF_OK);
    CHECK_STR_EQ(c ? c->access_key_id : NULL, "ASIAROLE1");
    CHECK_STR_EQ(c ? c->secret_access_key : NULL, "rolesecret-0001");
    CHECK_STR_EQ(c ? c->session_token : NULL, "roletoken-0001");
    CHECK(c && c->expiration == NOW + 3600);
    CHECK_STR_EQ(wf_aws_credentials_source(p),
                 "role arn:aws:iam::123456789012:role/deploy via profile deploy");
    CHECK_INT_EQ(wf_test_server_count(srv), 1);
    const wf_http_request *seen = wf_test_server_request(srv, 0);
    const char *want[] = {"Action=AssumeRole", "Version=2011-06-15",
                          "RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fdeploy",
                          "RoleSessionName=wfrun-1893456000", "ExternalId=ext-42",
                          "DurationSeconds=1800", NULL};
    for (int i = 0; want[i]; i++)
        CHECK(seen && strstr(seen->body, want[i]) != NULL);
    key_pair keys[] = {{"AKIDBASE", "basesecret-0001"}, {"ASIAROLE1", "rolesecret-0001"},
                       {"ASIAROLE2", "rolesecret-0002"}, {NULL, NULL}};
    check_signed(srv, 0, keys, "AKIDBASE");
    CHECK(seen && !wf_http_headers_get(&seen->headers, "X-Amz-Security-Token"));

    /* Cached: no second call while they are fresh. */
    set_time(NOW + 3000);
    CHECK_INT_EQ(wf_aws_credentials_get(p, &c, &err), WF_OK);
    CHECK_STR_EQ(c ? c->access_key_id : NULL, "ASIAROLE1");
    CHECK_INT_EQ(wf_test_server_count(srv), 1);
    CHECK_INT_EQ(wf_aws_credentials_fetches(p), 1);

    /* Within 5 minutes of expiry: assumed again. */
    wf_test_reply r2 = r;
    r2.body = assume_answer("ASIAROLE2", "rolesecret-0002", "roletoken-0002",
                            "2030-01-01T02:00:00Z", xml, sizeof xml);
    wf_test_server_add(srv, &r2);
    set_time(NOW + 3301);
    CHECK_INT_EQ(wf_aws_credentials_get(p, &c, &err), WF_OK);
    CHECK_STR_EQ(c ? c->access_key_id : NULL, "ASIAROLE2");
    CHECK_INT_EQ(wf_test_server_count(srv), 2);
    CHECK_INT_EQ(wf_aws_credentials_fetches(p), 2);
    seen = wf_test_server_request(srv, 1);
    CHECK(seen && strstr(seen->body, "RoleSessionName=wfrun-1893459301") != NULL);

    /* A refresh that fails while the old ones are valid keeps them; once they expire the
     * failure is the error. */
    wf_test_reply denied = {.status = 500, .times = -1,
                            .body = "<ErrorResponse><Error><Code>InternalFailure</Code>"
                                    "<Message>boom</Message></Error></ErrorResponse>"};
    wf_test_server_add(srv, &denied);
    set_time(NOW + 7200 - 200);
    CHECK_INT_EQ(wf_aws_credentials_get(p, &c, &err), WF_OK);
    CHECK_STR_EQ(c ? c->access_key_id : NULL, "ASIAROLE2");
    set_time(NOW + 7300);
    CHECK_INT_EQ(wf_aws_credentials_get(p, &c, &err), WF_EINVAL);
    CHECK(strstr(err.message, "arn:aws:iam::123456789012:role/deploy") != NULL);
    CHECK(strstr(err.message, "InternalFailure") != NULL);
    done(&cfg, p);
    wf_test_server_clear(srv);

    /* An AccessDenied is reported with code, message and request id, and no secret. */
    set_time(NOW);
    wf_test_reply no = {.status = 403,
                        .body = "<ErrorResponse><Error><Type>Sender</Type>"
                                "<Code>AccessDenied</Code><Message>not authorized to "
                                "perform sts:AssumeRole</Message></Error>"
                                "<RequestId>sts-denied-1</RequestId></ErrorResponse>"};
    wf_test_server_add(srv, &no);
    CHECK_INT_EQ(get_once(&cfg, &p, &c, &err), WF_EINVAL);
    CHECK(strstr(err.message, "AccessDenied: not authorized") != NULL);
    CHECK(strstr(err.message, "sts-denied-1") != NULL);
    CHECK(!strstr(err.message, "basesecret"));
    CHECK_INT_EQ(wf_test_server_count(srv), 1);   /* not retried */
    done(&cfg, p);
    wf_test_server_clear(srv);

    /* A chain of roles: base's keys assume "middle", whose credentials assume "top". */
    setenv("AWS_PROFILE", "chain", 1);
    r.contains = "role%2Fmiddle";
    r.body = assume_answer("ASIAROLE1", "rolesecret-0001", "roletoken-0001",
                           "2030-01-01T01:00:00Z", xml, sizeof xml);
    wf_test_server_add(srv, &r);
    char xml2[2048];
    r2.contains = "role%2Ftop";
    r2.body = assume_answer("ASIATOP", "topsecret-0001", "toptoken-0001",
                            "2030-01-01T00:30:00Z", xml2, sizeof xml2);
    wf_test_server_add(srv, &r2);
    CHECK_INT_EQ(get_once(&cfg, &p, &c, &err), WF_OK);
    CHECK_STR_EQ(c ? c->access_key_id : NULL, "ASIATOP");
    CHECK_INT_EQ(wf_test_server_count(srv), 2);
    check_signed(srv, 0, keys, "AKIDBASE");
    check_signed(srv, 1, keys, "ASIAROLE1");
    seen = wf_test_server_request(srv, 1);
    CHECK_STR_EQ(seen ? wf_http_headers_get(&seen->headers, "X-Amz-Security-Token") : NULL,
                 "roletoken-0001");
    done(&cfg, p);
    wf_test_server_clear(srv);

    /* A loop of source profiles, and MFA, are errors before any call. */
    setenv("AWS_PROFILE", "loop", 1);
    CHECK_INT_EQ(get_once(&cfg, &p, &c, &err), WF_EINVAL);
    CHECK(strstr(err.message, "a loop?") != NULL);
    done(&cfg, p);
    setenv("AWS_PROFILE", "mfa", 1);
    CHECK_INT_EQ(get_once(&cfg, &p, &c, &err), WF_EINVAL);
    CHECK(strstr(err.message, "mfa_serial") != NULL);
    done(&cfg, p);
    CHECK_INT_EQ(wf_test_server_count(srv), 0);
}

static void test_imds(wf_test_server *srv)
{
    clean_env();
    wf_test_server_clear(srv);
    unsetenv("AWS_EC2_METADATA_DISABLED");
    setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", wf_test_server_url(srv), 1);
    const char *doc1 = "{\"Code\":\"Success\",\"LastUpdated\":\"2029-12-31T23:00:00Z\","
                       "\"Type\":\"AWS-HMAC\",\"AccessKeyId\":\"ASIAIMDS1\","
                       "\"SecretAccessKey\":\"imdssecret-0001\",\"Token\":\"imdstoken-0001\","
                       "\"Expiration\":\"2030-01-01T06:00:00Z\"}";
    const char *doc2 = "{\"Code\":\"Success\",\"AccessKeyId\":\"ASIAIMDS2\","
                       "\"SecretAccessKey\":\"imdssecret-0002\",\"Token\":\"imdstoken-0002\","
                       "\"Expiration\":\"2030-01-01T12:00:00Z\"}";
    wf_test_reply token = {.method = "PUT", .path = "/latest/api/token",
                           .body = "imds-session-token-1", .times = -1};
    wf_test_reply roles = {.method = "GET", .path = "/latest/meta-data/iam/security-credentials/",
                           .body = "web-role\n", .times = -1};
    wf_test_reply creds1 = {.method = "GET",
                            .path = "/latest/meta-data/iam/security-credentials/web-role",
                            .body = doc1};
    wf_test_reply creds2 = creds1;
    creds2.body = doc2;
    wf_test_server_add(srv, &token);
    wf_test_server_add(srv, &roles);
    wf_test_server_add(srv, &creds1);
    wf_test_server_add(srv, &creds2);

    wf_aws_config cfg;
    wf_aws_credentials_provider *p;
    const wf_aws_credentials *c;
    wf_error err = {0};
    CHECK_INT_EQ(get_once(&cfg, &p, &c, &err), WF_OK);
    CHECK_STR_EQ(c ? c->access_key_id : NULL, "ASIAIMDS1");
    CHECK_STR_EQ(c ? c->secret_access_key : NULL, "imdssecret-0001");
    CHECK_STR_EQ(c ? c->session_token : NULL, "imdstoken-0001");
    CHECK(c && c->expiration == NOW + 6 * 3600);
    CHECK_STR_EQ(wf_aws_credentials_source(p), "EC2 instance metadata (role web-role)");
    CHECK_INT_EQ(wf_test_server_count(srv), 3);
    const wf_http_request *put = wf_test_server_request(srv, 0);
    CHECK_STR_EQ(put ? put->method : NULL, "PUT");
    CHECK_STR_EQ(put ? wf_http_headers_get(&put->headers, "X-aws-ec2-metadata-token-ttl-seconds")
                     : NULL, "21600");
    for (size_t i = 1; i < 3; i++) {
        const wf_http_request *get = wf_test_server_request(srv, i);
        CHECK_STR_EQ(get ? get->method : NULL, "GET");
        CHECK_STR_EQ(get ? wf_http_headers_get(&get->headers, "X-aws-ec2-metadata-token") : NULL,
                     "imds-session-token-1");
    }

    /* Cached, then fetched again (token, role, credentials) 5 minutes before expiry. */
    set_time(NOW + 5 * 3600);
    CHECK_INT_EQ(wf_aws_credentials_get(p, &c, &err), WF_OK);
    CHECK_INT_EQ(wf_test_server_count(srv), 3);
    set_time(NOW + 6 * 3600 - 299);
    CHECK_INT_EQ(wf_aws_credentials_get(p, &c, &err), WF_OK);
    CHECK_STR_EQ(c ? c->access_key_id : NULL, "ASIAIMDS2");
    CHECK_INT_EQ(wf_test_server_count(srv), 6);
    done(&cfg, p);

    /* An instance without a role. */
    wf_test_server_clear(srv);
    set_time(NOW);
    wf_test_server_add(srv, &token);
    wf_test_reply none = {.method = "GET", .status = 404, .body = "Not Found"};
    wf_test_server_add(srv, &none);
    CHECK_INT_EQ(get_once(&cfg, &p, &c, &err), WF_EINVAL);
    CHECK(strstr(err.message, "no IAM role attached") != NULL);
    done(&cfg, p);

    /* Profile keys come before IMDS. */
    wf_test_server_clear(srv);
    write_file("credentials", "[default]\naws_access_key_id = AKIDCRED\n"
                              "aws_secret_access_key = credsecret-0001\n");
    CHECK_INT_EQ(get_once(&cfg, &p, &c, &err), WF_OK);
    CHECK_STR_EQ(c ? c->access_key_id : NULL, "AKIDCRED");
    CHECK_INT_EQ(wf_test_server_count(srv), 0);
    done(&cfg, p);
}

static void test_static_provider(void)
{
    wf_aws_credentials in = {.access_key_id = "AKIDGIVEN", .secret_access_key = "givensecret-01"};
    wf_aws_credentials_provider *p = NULL;
    wf_error err = {0};
    CHECK_INT_EQ(wf_aws_credentials_provider_new_static(&in, &p, &err), WF_OK);
    const wf_aws_credentials *c = NULL;
    CHECK_INT_EQ(wf_aws_credentials_get(p, &c, &err), WF_OK);
    CHECK(c && c != &in && strcmp(c->secret_access_key, "givensecret-01") == 0);
    wf_aws_credentials_provider_free(p);
    in.secret_access_key = "";
    CHECK_INT_EQ(wf_aws_credentials_provider_new_static(&in, &p, &err), WF_EINVAL);

    wf_aws_credentials copy = {0};
    in.secret_access_key = "givensecret-02";
    in.session_token = "giventoken-02";
    CHECK_INT_EQ(wf_aws_credentials_copy(&copy, &in), WF_OK);
    CHECK_STR_EQ(copy.session_token, "giventoken-02");
    wf_aws_credentials_clear(&copy);
    CHECK(copy.access_key_id == NULL && copy.secret_access_key == NULL);
}

/* Every secret above was registered: the log prints "***" for each, and nothing the
 * provider logged on its own holds one. */
static void test_log_has_no_secrets(FILE *log)
{
    const char *secrets[] = {"envsecret-0001", "envtoken-0001", "credsecret-0001",
                             "basesecret-0001", "rolesecret-0001", "roletoken-0001",
                             "rolesecret-0002", "imdssecret-0001", "imdstoken-0001",
                             "imds-session-token-1", "givensecret-02", NULL};
    for (int i = 0; secrets[i]; i++)
        wf_log_message(WF_LOG_INFO, NULL, "leak attempt: %s", secrets[i]);
    fflush(log);
    long len = ftell(log);
    char *text = calloc(1, (size_t)len + 1);
    rewind(log);
    CHECK(fread(text, 1, (size_t)len, log) == (size_t)len);
    for (int i = 0; secrets[i]; i++)
        CHECK(strstr(text, secrets[i]) == NULL);
    CHECK(strstr(text, "leak attempt: ***") != NULL);
    CHECK(strstr(text, "AWS credentials from") != NULL);
    free(text);
}

int main(void)
{
    save_env();
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    FILE *log = tmpfile();
    wf_log_configure(WF_LOG_TEXT, 1, log);
    wf_test_server *srv = wf_test_server_start();
    if (!srv || !log)
        return 1;
    test_environment_first();
    test_profile_keys();
    test_nothing_found();
    test_assume_role(srv);
    test_imds(srv);
    test_static_provider();
    test_log_has_no_secrets(log);
    wf_test_server_stop(srv);
    clean_env();
    rmdir(dir);
    restore_env();
    wf_log_configure(WF_LOG_TEXT, 0, stderr);
    fclose(log);
    wf_log_shutdown();
    return CHECK_DONE();
}
