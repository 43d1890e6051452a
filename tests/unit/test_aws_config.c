/* Unit tests of AWS configuration: ini parsing, profile/region/endpoint resolution order,
 * endpoint URLs and S3 addressing, and the retry policy's rules. No network. */
#include "aws/aws_config.h"
#include "aws/endpoints.h"
#include "aws/model_load.h"
#include "aws/retry.h"
#include "check.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Every variable these tests touch: saved at start, restored at the end. */
static const char *const vars[] = {
    "AWS_PROFILE", "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_CONFIG_FILE",
    "AWS_SHARED_CREDENTIALS_FILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_EC2",
    "AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL_AUTO_SCALING", "AWS_ENDPOINT_URL_STS",
    "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "AWS_MAX_ATTEMPTS", "WFRUN_S3_ADDRESSING_STYLE",
    "HOME", NULL};
static char *saved[32];

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

/* Unsets all but HOME, and points the two files at paths in dir. */
static void clean_env(const char *dir)
{
    for (int i = 0; vars[i]; i++)
        if (strcmp(vars[i], "HOME") != 0)
            unsetenv(vars[i]);
    char path[512];
    snprintf(path, sizeof path, "%s/config", dir);
    setenv("AWS_CONFIG_FILE", path, 1);
    snprintf(path, sizeof path, "%s/credentials", dir);
    setenv("AWS_SHARED_CREDENTIALS_FILE", path, 1);
}

static void write_file(const char *dir, const char *name, const char *text)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (!f) {
        perror(path);
        return;
    }
    fputs(text, f);
    fclose(f);
}

static void remove_file(const char *dir, const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    unlink(path);
}

static void test_ini(void)
{
    const char *text =
        "# a comment\n"
        "; another\n"
        "[default]\n"
        "region = eu-west-1   # inline comment\n"
        "output=json\n"
        "  \n"
        "[ profile   dev ]\n"
        "Region = us-west-2\n"
        "role_arn = arn:aws:iam::123456789012:role/dev;not-a-comment\n"
        "s3 =\n"
        "  addressing_style = path\n"
        "  max_concurrent_requests = 4\n"
        "note = first\n"
        "  second line\n"
        "colon: yes\n"
        "[profile dev]\n"
        "output = text\n"
        "region = us-east-2\r\n";
    wf_aws_ini *ini = NULL;
    wf_error err = {0};
    CHECK_INT_EQ(wf_aws_ini_parse(text, strlen(text), "cfg", &ini, &err), WF_OK);
    CHECK_STR_EQ(wf_aws_ini_get(ini, "default", "region"), "eu-west-1");
    CHECK_STR_EQ(wf_aws_ini_get(ini, "default", "output"), "json");
    CHECK(wf_aws_ini_has_section(ini, "profile dev"));
    CHECK_STR_EQ(wf_aws_ini_get(ini, "profile dev", "region"), "us-east-2");   /* last wins */
    CHECK_STR_EQ(wf_aws_ini_get(ini, "profile dev", "role_arn"),
                 "arn:aws:iam::123456789012:role/dev;not-a-comment");
    CHECK_STR_EQ(wf_aws_ini_get(ini, "profile dev", "s3.addressing_style"), "path");
    CHECK_STR_EQ(wf_aws_ini_get(ini, "profile dev", "s3.max_concurrent_requests"), "4");
    CHECK_STR_EQ(wf_aws_ini_get(ini, "profile dev", "note"), "first\nsecond line");
    CHECK_STR_EQ(wf_aws_ini_get(ini, "profile dev", "colon"), "yes");
    CHECK_STR_EQ(wf_aws_ini_get(ini, "profile dev", "output"), "text");      /* merged */
    CHECK(wf_aws_ini_get(ini, "profile dev", "missing") == NULL);
    CHECK(wf_aws_ini_get(ini, "nope", "region") == NULL);
    wf_aws_ini_free(ini);

    ini = NULL;
    CHECK_INT_EQ(wf_aws_ini_parse("region = x\n", 11, "f.ini", &ini, &err), WF_EINVAL);
    CHECK(strstr(err.message, "f.ini:1:") != NULL);
    CHECK(ini == NULL);
    CHECK_INT_EQ(wf_aws_ini_parse("[a]\nb = 1\n[c\n", 12, "g", &ini, &err), WF_EINVAL);
    CHECK(strstr(err.message, "g:3:") != NULL);
    CHECK_INT_EQ(wf_aws_ini_parse("[a]\njustaword\n", 14, "h", &ini, &err), WF_EINVAL);
    CHECK(strstr(err.message, "h:2:") != NULL);
    CHECK_INT_EQ(wf_aws_ini_parse("", 0, "e", &ini, &err), WF_OK);
    CHECK(ini && !wf_aws_ini_has_section(ini, "default"));
    wf_aws_ini_free(ini);
    CHECK_INT_EQ(wf_aws_ini_load("/nonexistent/dir/config", &ini, &err), WF_OK);
    wf_aws_ini_free(ini);
}

static void test_profile_and_region(const char *dir)
{
    clean_env(dir);
    write_file(dir, "config",
               "[default]\nregion = eu-west-1\n"
               "[profile dev]\nregion = us-west-2\n"
               "[profile default]\nmax_attempts = 5\n");
    write_file(dir, "credentials", "[dev]\naws_access_key_id = AKIDEV\n[ci]\nx = 1\n");
    wf_aws_config cfg = {0};
    wf_error err = {0};

    /* Nothing set: profile "default"; "[profile default]" hides "[default]". */
    CHECK_INT_EQ(wf_aws_config_load(NULL, &cfg, &err), WF_OK);
    CHECK_STR_EQ(cfg.profile, "default");
    CHECK(!cfg.profile_explicit);
    CHECK(cfg.region == NULL);
    CHECK_STR_EQ(wf_aws_config_get(&cfg, "default", "max_attempts"), "5");
    const char *region = "x";
    CHECK_INT_EQ(wf_aws_config_region(&cfg, &region, &err), WF_EINVAL);
    CHECK_STR_EQ(err.message, "no AWS region: pass --region or set AWS_REGION");
    wf_aws_config_free(&cfg);

    /* AWS_PROFILE picks the profile and its region. */
    setenv("AWS_PROFILE", "dev", 1);
    CHECK_INT_EQ(wf_aws_config_load(NULL, &cfg, &err), WF_OK);
    CHECK_STR_EQ(cfg.profile, "dev");
    CHECK_STR_EQ(cfg.region, "us-west-2");
    CHECK_STR_EQ(wf_aws_config_credential(&cfg, "dev", "aws_access_key_id"), "AKIDEV");
    wf_aws_config_free(&cfg);

    /* Option beats AWS_PROFILE; a profile only in the credentials file exists. */
    wf_aws_config_options o = {.profile = "ci"};
    CHECK_INT_EQ(wf_aws_config_load(&o, &cfg, &err), WF_OK);
    CHECK_STR_EQ(cfg.profile, "ci");
    CHECK(cfg.region == NULL);
    wf_aws_config_free(&cfg);

    /* An explicit profile that does not exist is an error naming both files. */
    o.profile = "nope";
    CHECK_INT_EQ(wf_aws_config_load(&o, &cfg, &err), WF_EINVAL);
    CHECK(strstr(err.message, "\"nope\" not found") != NULL);
    wf_aws_config_free(&cfg);

    /* Region order: option > AWS_REGION > AWS_DEFAULT_REGION > profile. */
    setenv("AWS_DEFAULT_REGION", "ap-south-1", 1);
    CHECK_INT_EQ(wf_aws_config_load(NULL, &cfg, &err), WF_OK);
    CHECK_STR_EQ(cfg.region, "ap-south-1");
    wf_aws_config_free(&cfg);
    setenv("AWS_REGION", "ca-central-1", 1);
    CHECK_INT_EQ(wf_aws_config_load(NULL, &cfg, &err), WF_OK);
    CHECK_STR_EQ(cfg.region, "ca-central-1");
    wf_aws_config_free(&cfg);
    o = (wf_aws_config_options){.region = "sa-east-1"};
    CHECK_INT_EQ(wf_aws_config_load(&o, &cfg, &err), WF_OK);
    CHECK_STR_EQ(cfg.region, "sa-east-1");
    CHECK_INT_EQ(wf_aws_config_region(&cfg, &region, &err), WF_OK);
    CHECK_STR_EQ(region, "sa-east-1");
    wf_aws_config_free(&cfg);
    o.region = "us-east-1/../x";
    CHECK_INT_EQ(wf_aws_config_load(&o, &cfg, &err), WF_EINVAL);
    wf_aws_config_free(&cfg);

    /* A malformed file is an error with its path and line. */
    unsetenv("AWS_PROFILE");
    write_file(dir, "config", "[default]\nregion\n");
    CHECK_INT_EQ(wf_aws_config_load(NULL, &cfg, &err), WF_EINVAL);
    CHECK(strstr(err.message, "/config:2:") != NULL);
    wf_aws_config_free(&cfg);
    remove_file(dir, "config");
    remove_file(dir, "credentials");
}

static void test_files_default_to_home(const char *dir)
{
    clean_env(dir);
    unsetenv("AWS_CONFIG_FILE");
    unsetenv("AWS_SHARED_CREDENTIALS_FILE");
    setenv("HOME", dir, 1);
    char aws[512];
    snprintf(aws, sizeof aws, "%s/.aws", dir);
    mkdir(aws, 0700);
    write_file(aws, "config", "[profile p]\nregion = eu-north-1\n");
    wf_aws_config_options o = {.profile = "p"};
    wf_aws_config cfg = {0};
    wf_error err = {0};
    CHECK_INT_EQ(wf_aws_config_load(&o, &cfg, &err), WF_OK);
    CHECK_STR_EQ(cfg.region, "eu-north-1");
    char want[600];
    snprintf(want, sizeof want, "%s/.aws/credentials", dir);
    CHECK_STR_EQ(cfg.credentials_path, want);
    wf_aws_config_free(&cfg);
    /* "~/" in AWS_CONFIG_FILE is the home directory. */
    setenv("AWS_CONFIG_FILE", "~/.aws/config", 1);
    CHECK_INT_EQ(wf_aws_config_load(&o, &cfg, &err), WF_OK);
    snprintf(want, sizeof want, "%s/.aws/config", dir);
    CHECK_STR_EQ(cfg.config_path, want);
    wf_aws_config_free(&cfg);
    remove_file(aws, "config");
    rmdir(aws);
}

static void test_endpoint_order(const char *dir)
{
    clean_env(dir);
    char name[128];
    wf_aws_endpoint_env_name("Auto Scaling", name, sizeof name);
    CHECK_STR_EQ(name, "AWS_ENDPOINT_URL_AUTO_SCALING");
    wf_aws_endpoint_env_name("EC2", name, sizeof name);
    CHECK_STR_EQ(name, "AWS_ENDPOINT_URL_EC2");

    write_file(dir, "config",
               "[default]\nregion = us-east-1\nendpoint_url = http://profile:1\n"
               "services = local\n"
               "[services local]\nauto_scaling =\n  endpoint_url = http://svc-section:2\n");
    wf_aws_config cfg = {0};
    wf_error err = {0};
    CHECK_INT_EQ(wf_aws_config_load(NULL, &cfg, &err), WF_OK);
    CHECK_STR_EQ(wf_aws_config_endpoint_url(&cfg, "EC2"), "http://profile:1");
    CHECK_STR_EQ(wf_aws_config_endpoint_url(&cfg, "Auto Scaling"), "http://svc-section:2");
    setenv("AWS_ENDPOINT_URL", "http://global:3", 1);
    CHECK_STR_EQ(wf_aws_config_endpoint_url(&cfg, "EC2"), "http://global:3");
    CHECK_STR_EQ(wf_aws_config_endpoint_url(&cfg, "Auto Scaling"), "http://svc-section:2");
    setenv("AWS_ENDPOINT_URL_AUTO_SCALING", "http://svc-env:4", 1);
    CHECK_STR_EQ(wf_aws_config_endpoint_url(&cfg, "Auto Scaling"), "http://svc-env:4");
    setenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true", 1);
    CHECK(wf_aws_config_endpoint_url(&cfg, "Auto Scaling") == NULL);
    CHECK(wf_aws_config_endpoint_url(&cfg, "EC2") == NULL);
    wf_aws_config_free(&cfg);
    /* The option always wins, even over the "ignore" setting. */
    wf_aws_config_options o = {.endpoint_url = "http://option:5"};
    CHECK_INT_EQ(wf_aws_config_load(&o, &cfg, &err), WF_OK);
    CHECK_STR_EQ(wf_aws_config_endpoint_url(&cfg, "Auto Scaling"), "http://option:5");
    wf_aws_config_free(&cfg);
    remove_file(dir, "config");
}

static void test_endpoint_urls(const char *dir)
{
    clean_env(dir);
    wf_aws_endpoint ep = {0};
    wf_error err = {0};
    CHECK_INT_EQ(wf_aws_endpoint_parse("http://127.0.0.1:4566/", &ep, &err), WF_OK);
    CHECK_STR_EQ(ep.scheme, "http");
    CHECK_STR_EQ(ep.host, "127.0.0.1");
    CHECK_INT_EQ(ep.port, 4566);
    CHECK_STR_EQ(ep.base_path, "");
    CHECK(ep.custom);
    wf_aws_endpoint_free(&ep);
    CHECK_INT_EQ(wf_aws_endpoint_parse("HTTPS://Proxy.Example.com/aws/", &ep, &err), WF_OK);
    CHECK_STR_EQ(ep.host, "proxy.example.com");
    CHECK_STR_EQ(ep.base_path, "/aws");
    CHECK_INT_EQ(ep.port, 0);
    wf_aws_endpoint_free(&ep);
    CHECK_INT_EQ(wf_aws_endpoint_parse("http://[::1]:8080", &ep, &err), WF_OK);
    CHECK_STR_EQ(ep.host, "[::1]");
    wf_aws_endpoint_free(&ep);
    const char *bad[] = {"ftp://x", "http://", "http://h:0", "http://h:99999", "http://u@h",
                         "http://h/?q", "localhost:80", NULL};
    for (int i = 0; bad[i]; i++) {
        CHECK_INT_EQ(wf_aws_endpoint_parse(bad[i], &ep, &err), WF_EINVAL);
        wf_aws_endpoint_free(&ep);
    }

    /* Regional defaults from the models' endpointPrefix; STS is regional too. */
    wf_aws_config cfg = {0};
    CHECK_INT_EQ(wf_aws_config_load(NULL, &cfg, &err), WF_OK);
    const char *services[] = {"ec2", "sts", "autoscaling", "s3", "ssm", NULL};
    const char *hosts[] = {"ec2.eu-west-1.amazonaws.com", "sts.eu-west-1.amazonaws.com",
                           "autoscaling.eu-west-1.amazonaws.com", "s3.eu-west-1.amazonaws.com",
                           "ssm.eu-west-1.amazonaws.com"};
    for (int i = 0; services[i]; i++) {
        wf_aws_model m = {0};
        CHECK_INT_EQ(wf_aws_model_load(services[i], &m, &err), WF_OK);
        CHECK_INT_EQ(wf_aws_endpoint_resolve(&cfg, &m, "eu-west-1", &ep, &err), WF_OK);
        CHECK_STR_EQ(ep.host, hosts[i]);
        CHECK_STR_EQ(ep.scheme, "https");
        CHECK(!ep.custom);
        wf_aws_endpoint_free(&ep);
        if (strcmp(services[i], "ec2") == 0) {
            CHECK_INT_EQ(wf_aws_endpoint_resolve(&cfg, &m, "cn-north-1", &ep, &err), WF_OK);
            CHECK_STR_EQ(ep.host, "ec2.cn-north-1.amazonaws.com.cn");
            wf_aws_endpoint_free(&ep);
            setenv("AWS_ENDPOINT_URL_EC2", "http://localhost:9000", 1);
            CHECK_INT_EQ(wf_aws_endpoint_resolve(&cfg, &m, "eu-west-1", &ep, &err), WF_OK);
            CHECK_STR_EQ(ep.host, "localhost");
            CHECK(ep.custom);
            wf_aws_endpoint_free(&ep);
            unsetenv("AWS_ENDPOINT_URL_EC2");
        }
        wf_aws_model_free(&m);
    }
    wf_aws_config_free(&cfg);
}

/* Applies ep to a request with path and returns origin, host and the new path. */
static void check_apply(const char *url, wf_aws_s3_addressing style, const char *bucket,
                        const char *path, const char *host_prefix, const char *want_origin,
                        const char *want_host, const char *want_path)
{
    wf_aws_endpoint ep = {0};
    wf_error err = {0};
    if (url) {
        CHECK_INT_EQ(wf_aws_endpoint_parse(url, &ep, &err), WF_OK);
    } else {
        ep.scheme = strdup("https");
        ep.host = strdup("s3.us-west-2.amazonaws.com");
        ep.base_path = strdup("");
    }
    wf_http_request req = {0};
    req.path = strdup(path);
    req.host_prefix = host_prefix ? strdup(host_prefix) : NULL;
    char *origin = NULL, *host = NULL;
    CHECK_INT_EQ(wf_aws_endpoint_apply(&ep, style, bucket, &req, &origin, &host, &err), WF_OK);
    CHECK_STR_EQ(origin, want_origin);
    CHECK_STR_EQ(host, want_host);
    CHECK_STR_EQ(req.path, want_path);
    free(origin);
    free(host);
    wf_http_request_free(&req);
    wf_aws_endpoint_free(&ep);
}

static void test_s3_addressing(void)
{
    CHECK(wf_aws_s3_virtual_hostable("my-bucket-1"));
    CHECK(!wf_aws_s3_virtual_hostable("my.bucket"));    /* breaks the TLS wildcard */
    CHECK(!wf_aws_s3_virtual_hostable("My-Bucket"));
    CHECK(!wf_aws_s3_virtual_hostable("ab"));
    CHECK(!wf_aws_s3_virtual_hostable("-abc"));
    CHECK(!wf_aws_s3_virtual_hostable("abc-"));
    CHECK(!wf_aws_s3_virtual_hostable("a_b_c"));

    /* Default endpoint: virtual-hosted. */
    check_apply(NULL, WF_AWS_S3_AUTO, "my-bucket", "/my-bucket/a/b%20c.txt", NULL,
                "https://my-bucket.s3.us-west-2.amazonaws.com",
                "my-bucket.s3.us-west-2.amazonaws.com", "/a/b%20c.txt");
    check_apply(NULL, WF_AWS_S3_AUTO, "my-bucket", "/my-bucket", NULL,
                "https://my-bucket.s3.us-west-2.amazonaws.com",
                "my-bucket.s3.us-west-2.amazonaws.com", "/");
    /* A bucket that is a prefix of a longer path segment is not moved by mistake. */
    check_apply(NULL, WF_AWS_S3_AUTO, "my-bucket", "/my-bucket2/k", NULL,
                "https://s3.us-west-2.amazonaws.com", "s3.us-west-2.amazonaws.com",
                "/my-bucket2/k");
    /* Dots, forced path-style, custom endpoints: path-style. */
    check_apply(NULL, WF_AWS_S3_AUTO, "my.bucket", "/my.bucket/k", NULL,
                "https://s3.us-west-2.amazonaws.com", "s3.us-west-2.amazonaws.com",
                "/my.bucket/k");
    check_apply(NULL, WF_AWS_S3_PATH, "my-bucket", "/my-bucket/k", NULL,
                "https://s3.us-west-2.amazonaws.com", "s3.us-west-2.amazonaws.com",
                "/my-bucket/k");
    check_apply("http://127.0.0.1:9000", WF_AWS_S3_AUTO, "my-bucket", "/my-bucket/k", NULL,
                "http://127.0.0.1:9000", "127.0.0.1:9000", "/my-bucket/k");
    check_apply("https://minio.example.com/s3", WF_AWS_S3_AUTO, "b-1", "/b-1/k", NULL,
                "https://minio.example.com", "minio.example.com", "/s3/b-1/k");
    /* Virtual forced on a custom host name. */
    check_apply("https://minio.example.com:8443", WF_AWS_S3_VIRTUAL, "b-1", "/b-1/k", NULL,
                "https://b-1.minio.example.com:8443", "b-1.minio.example.com:8443", "/k");
    /* Host prefixes go on names, not on IP addresses. */
    check_apply("https://svc.example.com", WF_AWS_S3_AUTO, NULL, "/", "acct-1.",
                "https://acct-1.svc.example.com", "acct-1.svc.example.com", "/");
    check_apply("http://127.0.0.1:1234", WF_AWS_S3_AUTO, NULL, "/", "acct-1.",
                "http://127.0.0.1:1234", "127.0.0.1:1234", "/");
}

static void test_s3_style_setting(const char *dir)
{
    clean_env(dir);
    wf_aws_config cfg = {0};
    wf_error err = {0};
    write_file(dir, "config", "[default]\ns3 =\n  addressing_style = path\n");
    CHECK_INT_EQ(wf_aws_config_load(NULL, &cfg, &err), WF_OK);
    CHECK_INT_EQ(cfg.s3_addressing, WF_AWS_S3_PATH);
    wf_aws_config_free(&cfg);
    setenv("WFRUN_S3_ADDRESSING_STYLE", "virtual", 1);
    CHECK_INT_EQ(wf_aws_config_load(NULL, &cfg, &err), WF_OK);
    CHECK_INT_EQ(cfg.s3_addressing, WF_AWS_S3_VIRTUAL);
    wf_aws_config_free(&cfg);
    wf_aws_config_options o = {.s3_addressing = "auto"};
    CHECK_INT_EQ(wf_aws_config_load(&o, &cfg, &err), WF_OK);
    CHECK_INT_EQ(cfg.s3_addressing, WF_AWS_S3_AUTO);
    wf_aws_config_free(&cfg);
    o.s3_addressing = "sideways";
    CHECK_INT_EQ(wf_aws_config_load(&o, &cfg, &err), WF_EINVAL);
    wf_aws_config_free(&cfg);
    unsetenv("WFRUN_S3_ADDRESSING_STYLE");
    remove_file(dir, "config");
}

static void test_retry_rules(const char *dir)
{
    clean_env(dir);
    const char *throttles[] = {"Throttling", "ThrottlingException", "RequestLimitExceeded",
                               "SlowDown", "EC2ThrottledException", "TooManyRequestsException",
                               NULL};
    for (int i = 0; throttles[i]; i++)
        CHECK(wf_aws_retry_is_throttling_code(throttles[i]));
    CHECK(!wf_aws_retry_is_throttling_code("InvalidParameterValue"));
    CHECK(wf_aws_retry_is_transient_code("RequestTimeout"));
    CHECK(wf_aws_retry_is_transient_code("InternalError"));

    wf_aws_error e = {.is_error = 1, .status = 400};
    snprintf(e.code, sizeof e.code, "Throttling");
    CHECK_INT_EQ(wf_aws_retry_classify(WF_OK, &e), WF_AWS_RETRY_THROTTLE);
    snprintf(e.code, sizeof e.code, "InvalidParameterValue");
    CHECK_INT_EQ(wf_aws_retry_classify(WF_OK, &e), WF_AWS_RETRY_NONE);
    e.status = 503;
    CHECK_INT_EQ(wf_aws_retry_classify(WF_OK, &e), WF_AWS_RETRY_TRANSIENT);
    e.status = 501;
    CHECK_INT_EQ(wf_aws_retry_classify(WF_OK, &e), WF_AWS_RETRY_NONE);
    e.is_error = 0;
    e.status = 200;
    CHECK_INT_EQ(wf_aws_retry_classify(WF_OK, &e), WF_AWS_RETRY_NONE);
    CHECK_INT_EQ(wf_aws_retry_classify(WF_EIO, NULL), WF_AWS_RETRY_TRANSPORT);
    CHECK_INT_EQ(wf_aws_retry_classify(WF_EINTR, NULL), WF_AWS_RETRY_NONE);
    CHECK_INT_EQ(wf_aws_retry_classify(WF_ETIMEOUT, NULL), WF_AWS_RETRY_NONE);

    /* Full jitter: within [0, min(base * 2^(n-1), 20)]. */
    wf_aws_retry r;
    wf_aws_retry_init(&r, 0, 0);
    CHECK_INT_EQ(r.max_attempts, 3);
    int spread = 0;
    for (int i = 0; i < 200; i++) {
        double d1 = wf_aws_retry_delay(&r, 1), d3 = wf_aws_retry_delay(&r, 3);
        double d9 = wf_aws_retry_delay(&r, 9);
        CHECK(d1 >= 0 && d1 <= 1.0);
        CHECK(d3 >= 0 && d3 <= 4.0);
        CHECK(d9 >= 0 && d9 <= 20.0);
        spread += d9 > 16.0;   /* capped at 20, not at 2^8 */
    }
    CHECK(spread > 0);

    /* Quota: 500 tokens, 5 a retry, 10 after a timeout; success gives back. */
    int cost = 0, n = 0;
    while (wf_aws_retry_acquire(&r, 0, &cost))
        n++;
    CHECK_INT_EQ(n, 100);
    CHECK_INT_EQ(cost, 5);
    wf_aws_retry_release(&r, 5);
    wf_aws_retry_release(&r, 0);
    CHECK_INT_EQ(r.quota, 6);
    CHECK(!wf_aws_retry_acquire(&r, 1, &cost));
    wf_aws_retry_release(&r, 10);
    CHECK(wf_aws_retry_acquire(&r, 1, &cost));
    CHECK_INT_EQ(cost, 10);

    /* Attempts: option > AWS_MAX_ATTEMPTS > profile > 3. */
    write_file(dir, "config", "[default]\nmax_attempts = 7\n");
    wf_aws_config cfg = {0};
    wf_error err = {0};
    CHECK_INT_EQ(wf_aws_config_load(NULL, &cfg, &err), WF_OK);
    int attempts = 0;
    CHECK_INT_EQ(wf_aws_retry_max_attempts(0, &cfg, &attempts, &err), WF_OK);
    CHECK_INT_EQ(attempts, 7);
    setenv("AWS_MAX_ATTEMPTS", "2", 1);
    CHECK_INT_EQ(wf_aws_retry_max_attempts(0, &cfg, &attempts, &err), WF_OK);
    CHECK_INT_EQ(attempts, 2);
    CHECK_INT_EQ(wf_aws_retry_max_attempts(4, &cfg, &attempts, &err), WF_OK);
    CHECK_INT_EQ(attempts, 4);
    setenv("AWS_MAX_ATTEMPTS", "zero", 1);
    CHECK_INT_EQ(wf_aws_retry_max_attempts(0, &cfg, &attempts, &err), WF_EINVAL);
    CHECK(strstr(err.message, "AWS_MAX_ATTEMPTS") != NULL);
    unsetenv("AWS_MAX_ATTEMPTS");
    wf_aws_config_free(&cfg);
    remove_file(dir, "config");
    CHECK_INT_EQ(wf_aws_retry_max_attempts(0, NULL, &attempts, &err), WF_OK);
    CHECK_INT_EQ(attempts, 3);
}

int main(void)
{
    save_env();
    char dir[] = "/tmp/wf_aws_config_XXXXXX";
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    test_ini();
    test_profile_and_region(dir);
    test_files_default_to_home(dir);
    test_endpoint_order(dir);
    test_endpoint_urls(dir);
    test_s3_addressing();
    test_s3_style_setting(dir);
    test_retry_rules(dir);
    rmdir(dir);
    restore_env();
    return CHECK_DONE();
}
