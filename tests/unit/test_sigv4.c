/* Unit tests of the SigV4 pieces the suite does not reach: URI encoding, S3 rules (with
 * the S3 documentation's worked examples), session tokens, re-signing, bad parameters,
 * and every verdict of the verifier. */
#include "aws/sigv4.h"
#include "aws/uri_encode.h"
#include "check.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define SECRET "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
#define S3_SECRET "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
#define EMPTY_SHA256 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

static void make_request(wf_http_request *r, const char *method, const char *path,
                         const char *query, const char *host)
{
    memset(r, 0, sizeof *r);
    r->method = strdup(method);
    r->path = strdup(path);
    r->query = strdup(query);
    if (host)
        wf_http_headers_add(&r->headers, "Host", host);
}

static size_t count_headers(const wf_http_request *r, const char *name)
{
    size_t n = 0;
    for (size_t i = 0; i < r->headers.count; i++)
        n += strcasecmp(r->headers.items[i].name, name) == 0;
    return n;
}

static void test_uri_encode(void)
{
    char *s = wf_uri_encode("-._~AZaz09", 10, false);
    CHECK_STR_EQ(s, "-._~AZaz09");
    free(s);
    s = wf_uri_encode("/a b/c+d=e&f%", 13, true);
    CHECK_STR_EQ(s, "/a%20b/c%2Bd%3De%26f%25");
    free(s);
    s = wf_uri_encode("/a b/", 5, false);
    CHECK_STR_EQ(s, "%2Fa%20b%2F");
    free(s);
    s = wf_uri_encode("\xe1\x88\xb4", 3, false);
    CHECK_STR_EQ(s, "%E1%88%B4");   /* uppercase hex */
    free(s);
    s = wf_uri_encode("a\0b", 3, false);
    CHECK_STR_EQ(s, "a%00b");
    free(s);
    s = wf_uri_encode("", 0, true);
    CHECK_STR_EQ(s, "");
    free(s);

    size_t len = 0;
    s = wf_uri_decode("%41%4a%4A+%2f", 13, &len);
    CHECK_STR_EQ(s, "AJJ+/");
    CHECK_INT_EQ(len, 5);
    free(s);
    s = wf_uri_decode("%G1%4%", 6, &len);   /* not escapes: kept literally */
    CHECK_STR_EQ(s, "%G1%4%");
    free(s);
    s = wf_uri_decode("a%00b", 5, &len);
    CHECK_INT_EQ(len, 3);
    CHECK(s && s[0] == 'a' && s[1] == '\0' && s[2] == 'b');
    free(s);
}

static void check_path(const char *in, bool s3, bool keep_dots, const char *want)
{
    char *out = NULL;
    wf_error err = {0};
    CHECK_INT_EQ(wf_sigv4_canonical_path(in, s3, keep_dots, &out, &err), WF_OK);
    CHECK_STR_EQ(out, want);
    free(out);
}

static void check_query(const char *in, const char *want)
{
    char *out = NULL;
    wf_error err = {0};
    CHECK_INT_EQ(wf_sigv4_canonical_query(in, &out, &err), WF_OK);
    CHECK_STR_EQ(out, want);
    free(out);
}

static void test_canonical_parts(void)
{
    check_path("", false, false, "/");
    check_path("/", false, false, "/");
    check_path("/a/./b/../c//", false, false, "/a/c/");
    check_path("/a/b/..", false, false, "/a");
    check_path("/../..", false, false, "/");
    check_path("/my%20key", false, false, "/my%2520key");   /* encoded twice */
    check_path("/a b/\xe1\x88\xb4", false, false, "/a%20b/%E1%88%B4");
    check_path("/a/../b", false, true, "/a/../b");
    /* S3: as sent, dots, double slashes and escapes alike. */
    check_path("/bucket/my%20key", true, false, "/bucket/my%20key");
    check_path("/bucket//a/../b", true, false, "/bucket//a/../b");

    check_query("", "");
    check_query("b=2&a=1&a=0", "a=0&a=1&b=2");
    check_query("acl", "acl=");
    check_query("a=%2f&b=x%20y", "a=%2F&b=x%20y");
    check_query("a=b+c", "a=b%2Bc");
    check_query("k=v=w", "k=v%3Dw");
    check_query("&&x=1&", "x=1");
    check_query("a-b=1&a=2&a.b=3&A=4", "A=4&a=2&a-b=1&a.b=3");
    check_query("%7e=%7E", "~=~");
}

static void test_dates(void)
{
    char out[17];
    CHECK_INT_EQ(wf_sigv4_format_date(1440938160, out), WF_OK);
    CHECK_STR_EQ(out, "20150830T123600Z");
    time_t t = 0;
    CHECK_INT_EQ(wf_sigv4_parse_date("20150830T123600Z", &t), WF_OK);
    CHECK_INT_EQ(t, 1440938160);
    CHECK_INT_EQ(wf_sigv4_parse_date("2015-08-30T12:36:00Z", &t), WF_EINVAL);
    CHECK_INT_EQ(wf_sigv4_parse_date("20151330T123600Z", &t), WF_EINVAL);
    CHECK_INT_EQ(wf_sigv4_parse_date(NULL, &t), WF_EINVAL);
}

/* S3 documentation, "Signature Calculations for the Authorization Header", GET Object. */
static void test_s3_get_object(void)
{
    wf_http_request r;
    make_request(&r, "GET", "/test.txt", "", "examplebucket.s3.amazonaws.com");
    wf_http_headers_add(&r.headers, "Range", "bytes=0-9");
    wf_sigv4_params p = {
        .access_key = "AKIAIOSFODNN7EXAMPLE", .secret_key = S3_SECRET, .region = "us-east-1",
        .service = "s3", .amz_date = "20130524T000000Z", .s3_mode = true,
    };
    wf_error err = {0};
    char *creq = NULL, *names = NULL;
    CHECK_INT_EQ(wf_sigv4_canonical_request(&r, &p, &creq, &names, &err), WF_OK);
    CHECK_STR_EQ(creq, "GET\n/test.txt\n\nhost:examplebucket.s3.amazonaws.com\n"
                       "range:bytes=0-9\nx-amz-content-sha256:" EMPTY_SHA256 "\n"
                       "x-amz-date:20130524T000000Z\n\n"
                       "host;range;x-amz-content-sha256;x-amz-date\n" EMPTY_SHA256);
    CHECK_STR_EQ(names, "host;range;x-amz-content-sha256;x-amz-date");
    CHECK_INT_EQ(wf_sigv4_sign(&r, &p, &err), WF_OK);
    CHECK_STR_EQ(wf_http_headers_get(&r.headers, "x-amz-content-sha256"), EMPTY_SHA256);
    CHECK_STR_EQ(wf_http_headers_get(&r.headers, "Authorization"),
                 "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/"
                 "aws4_request, SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
                 "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
    free(creq);
    free(names);
    wf_http_request_free(&r);
}

/* S3 documentation, "Authenticating Requests: Using Query Parameters". */
static void test_s3_presign(void)
{
    wf_http_request r;
    make_request(&r, "GET", "/test.txt", "", "examplebucket.s3.amazonaws.com");
    wf_sigv4_params p = {
        .access_key = "AKIAIOSFODNN7EXAMPLE", .secret_key = S3_SECRET, .region = "us-east-1",
        .service = "s3", .amz_date = "20130524T000000Z", .s3_mode = true,
    };
    wf_error err = {0};
    char *creq = NULL;
    CHECK_INT_EQ(wf_sigv4_presign_canonical_request(&r, &p, 86400, &creq, NULL, &err), WF_OK);
    CHECK_STR_EQ(creq, "GET\n/test.txt\nX-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential="
                       "AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&"
                       "X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders="
                       "host\nhost:examplebucket.s3.amazonaws.com\n\nhost\nUNSIGNED-PAYLOAD");
    CHECK_INT_EQ(wf_sigv4_presign(&r, &p, 86400, &err), WF_OK);
    const char *sig = strstr(r.query, "&X-Amz-Signature=");
    CHECK_STR_EQ(sig, "&X-Amz-Signature="
                      "aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404");
    CHECK_INT_EQ(count_headers(&r, "x-amz-date"), 0);
    CHECK_INT_EQ(wf_sigv4_presign(&r, &p, 0, &err), WF_EINVAL);
    CHECK_INT_EQ(wf_sigv4_presign(&r, &p, WF_SIGV4_MAX_EXPIRES + 1, &err), WF_EINVAL);
    free(creq);
    wf_http_request_free(&r);
}

static wf_sigv4_params base_params(void)
{
    wf_sigv4_params p = {
        .access_key = "AKIDEXAMPLE", .secret_key = SECRET, .region = "us-east-1",
        .service = "ec2", .amz_date = "20150830T123600Z",
    };
    return p;
}

static void test_s3_mode_details(void)
{
    wf_http_request r;
    make_request(&r, "PUT", "/bucket/my%20key", "", "s3.amazonaws.com");
    wf_http_request_set_body(&r, "hello", 5);
    wf_sigv4_params p = base_params();
    p.service = "s3";
    p.s3_mode = true;
    p.payload_hash = WF_SIGV4_UNSIGNED_PAYLOAD;
    wf_error err = {0};
    char *creq = NULL;
    CHECK_INT_EQ(wf_sigv4_canonical_request(&r, &p, &creq, NULL, &err), WF_OK);
    CHECK(creq && strncmp(creq, "PUT\n/bucket/my%20key\n", 21) == 0);
    CHECK(creq && strstr(creq, "\nx-amz-content-sha256:UNSIGNED-PAYLOAD\n"));
    CHECK(creq && strcmp(creq + strlen(creq) - 17, "\nUNSIGNED-PAYLOAD") == 0);
    free(creq);
    /* A body hash when none is given. */
    p.payload_hash = NULL;
    CHECK_INT_EQ(wf_sigv4_sign(&r, &p, &err), WF_OK);
    CHECK_STR_EQ(wf_http_headers_get(&r.headers, "x-amz-content-sha256"),
                 "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824");
    /* Outside S3 the same path is encoded twice and no x-amz-content-sha256 is added. */
    wf_http_request r2;
    make_request(&r2, "GET", "/bucket/my%20key", "", "ec2.amazonaws.com");
    wf_sigv4_params p2 = base_params();
    CHECK_INT_EQ(wf_sigv4_sign(&r2, &p2, &err), WF_OK);
    CHECK(wf_http_headers_get(&r2.headers, "x-amz-content-sha256") == NULL);
    CHECK_INT_EQ(wf_sigv4_canonical_request(&r2, &p2, &creq, NULL, &err), WF_OK);
    CHECK(creq && strncmp(creq, "GET\n/bucket/my%2520key\n", 23) == 0);
    free(creq);
    wf_http_request_free(&r);
    wf_http_request_free(&r2);
}

static void test_session_token_and_resign(void)
{
    wf_http_request r;
    make_request(&r, "POST", "/", "", "sts.amazonaws.com");
    wf_http_headers_add(&r.headers, "User-Agent", "wfrun/0.1");
    wf_http_headers_add(&r.headers, "Content-Type", "application/x-www-form-urlencoded");
    wf_http_request_set_body(&r, "Action=GetCallerIdentity&Version=2011-06-15", 43);
    wf_sigv4_params p = base_params();
    p.service = "sts";
    p.session_token = "TOKEN/with+chars==";
    wf_error err = {0};
    CHECK_INT_EQ(wf_sigv4_sign(&r, &p, &err), WF_OK);
    CHECK_STR_EQ(wf_http_headers_get(&r.headers, "X-Amz-Security-Token"), "TOKEN/with+chars==");
    const char *auth = wf_http_headers_get(&r.headers, "Authorization");
    CHECK(auth && strstr(auth, "SignedHeaders=content-type;host;x-amz-date;x-amz-security-token,"));
    CHECK(auth && !strstr(auth, "user-agent"));   /* proxies rewrite it */
    char *first = auth ? strdup(auth) : NULL;

    /* Re-signing (a retry) replaces the auth headers instead of adding more. */
    p.amz_date = "20150830T123700Z";
    CHECK_INT_EQ(wf_sigv4_sign(&r, &p, &err), WF_OK);
    CHECK_INT_EQ(count_headers(&r, "authorization"), 1);
    CHECK_INT_EQ(count_headers(&r, "x-amz-date"), 1);
    CHECK_INT_EQ(count_headers(&r, "x-amz-security-token"), 1);
    CHECK_STR_EQ(wf_http_headers_get(&r.headers, "X-Amz-Date"), "20150830T123700Z");
    CHECK(first && strcmp(first, wf_http_headers_get(&r.headers, "Authorization")) != 0);
    free(first);

    /* An unsigned token (AWS IoT) is sent but not signed. */
    p.unsigned_session_token = true;
    CHECK_INT_EQ(wf_sigv4_sign(&r, &p, &err), WF_OK);
    auth = wf_http_headers_get(&r.headers, "Authorization");
    CHECK(auth && strstr(auth, "SignedHeaders=content-type;host;x-amz-date,"));
    CHECK_INT_EQ(count_headers(&r, "x-amz-security-token"), 1);
    wf_http_request_free(&r);
}

static void test_bad_params(void)
{
    wf_http_request r;
    make_request(&r, "GET", "/", "", NULL);
    wf_sigv4_params p = base_params();
    wf_error err = {0};
    CHECK_INT_EQ(wf_sigv4_sign(&r, &p, &err), WF_EINVAL);   /* no host header */
    CHECK(strstr(err.message, "host") != NULL);
    CHECK_INT_EQ(count_headers(&r, "authorization"), 0);
    wf_http_headers_add(&r.headers, "host", "example.com");

    wf_sigv4_params bad = p;
    bad.amz_date = "2015-08-30";
    CHECK_INT_EQ(wf_sigv4_sign(&r, &bad, &err), WF_EINVAL);
    bad = p;
    bad.region = NULL;
    CHECK_INT_EQ(wf_sigv4_sign(&r, &bad, &err), WF_EINVAL);
    CHECK(strstr(err.message, SECRET) == NULL);
    bad = p;
    bad.access_key = "AKID\r\nX-Evil: 1";
    CHECK_INT_EQ(wf_sigv4_sign(&r, &bad, &err), WF_EINVAL);
    bad = p;
    bad.session_token = "tok\nen";
    CHECK_INT_EQ(wf_sigv4_sign(&r, &bad, &err), WF_EINVAL);
    bad = p;
    bad.secret_key = "";
    CHECK_INT_EQ(wf_sigv4_sign(&r, &bad, &err), WF_EINVAL);
    CHECK_INT_EQ(count_headers(&r, "authorization"), 0);
    wf_http_request_free(&r);
}

/* --- Verifier ------------------------------------------------------------------------- */

static const char *lookup(const char *access_key, void *ud)
{
    (void)ud;
    if (strcmp(access_key, "AKIDEXAMPLE") == 0)
        return SECRET;
    if (strcmp(access_key, "AKIDOTHER") == 0)
        return "another-secret";
    return NULL;
}

static wf_sigv4_result verify(const wf_http_request *r, const char *hint)
{
    wf_sigv4_verdict v;
    wf_error err = {0};
    if (wf_sigv4_verify(r, lookup, NULL, hint, &v, &err) != WF_OK)
        return (wf_sigv4_result)-1;
    wf_sigv4_result res = v.result;
    if (res != WF_SIGV4_OK && getenv("WF_SIGV4_DEBUG"))
        fprintf(stderr, "verdict %d: %s\n", res, v.detail);
    wf_sigv4_verdict_free(&v);
    return res;
}

static void signed_ec2(wf_http_request *r)
{
    make_request(r, "POST", "/", "", "ec2.us-east-1.amazonaws.com");
    wf_http_headers_add(&r->headers, "Content-Type", "application/x-www-form-urlencoded");
    wf_http_request_set_body(r, "Action=DescribeImages&Version=2016-11-15", 40);
    wf_sigv4_params p = base_params();
    wf_error err = {0};
    CHECK_INT_EQ(wf_sigv4_sign(r, &p, &err), WF_OK);
}

static void set_auth(wf_http_request *r, const char *value)
{
    wf_http_headers_set(&r->headers, "Authorization", value);
}

static void test_verify_header(void)
{
    wf_http_request r;
    signed_ec2(&r);
    wf_sigv4_verdict v;
    wf_error err = {0};
    CHECK_INT_EQ(wf_sigv4_verify(&r, lookup, NULL, "ec2", &v, &err), WF_OK);
    CHECK_INT_EQ(v.result, WF_SIGV4_OK);
    CHECK_STR_EQ(v.access_key, "AKIDEXAMPLE");
    CHECK_STR_EQ(v.region, "us-east-1");
    CHECK_STR_EQ(v.service, "ec2");
    CHECK_STR_EQ(v.amz_date, "20150830T123600Z");
    CHECK(!v.presigned);
    CHECK(v.session_token == NULL);
    CHECK(v.canonical_request && strncmp(v.canonical_request, "POST\n/\n\n", 8) == 0);
    CHECK(v.string_to_sign && strstr(v.string_to_sign, "20150830/us-east-1/ec2/aws4_request"));
    wf_sigv4_verdict_free(&v);
    CHECK_INT_EQ(verify(&r, NULL), WF_SIGV4_OK);

    /* Header names arrive in any case; the verifier matches them case-insensitively. */
    for (size_t i = 0; i < r.headers.count; i++)
        for (char *c = r.headers.items[i].name; *c; c++)
            *c = (char)((*c >= 'a' && *c <= 'z') ? *c - 32 : *c);
    CHECK_INT_EQ(verify(&r, "ec2"), WF_SIGV4_OK);

    /* A wrong service, a changed body, header, query or path: mismatches. */
    CHECK_INT_EQ(verify(&r, "sts"), WF_SIGV4_MISMATCH);
    wf_http_request t;
    signed_ec2(&t);
    wf_http_request_set_body(&t, "Action=DescribeImages&Version=2016-11-16", 40);
    CHECK_INT_EQ(verify(&t, "ec2"), WF_SIGV4_MISMATCH);
    wf_http_request_free(&t);
    signed_ec2(&t);
    wf_http_headers_set(&t.headers, "Content-Type", "text/plain");
    CHECK_INT_EQ(verify(&t, "ec2"), WF_SIGV4_MISMATCH);
    wf_http_request_free(&t);
    signed_ec2(&t);
    free(t.query);
    t.query = strdup("x=1");
    CHECK_INT_EQ(verify(&t, "ec2"), WF_SIGV4_MISMATCH);
    wf_http_request_free(&t);
    signed_ec2(&t);
    free(t.path);
    t.path = strdup("/x");
    CHECK_INT_EQ(verify(&t, "ec2"), WF_SIGV4_MISMATCH);
    /* An unsigned extra header does not matter. */
    wf_http_request_free(&t);
    signed_ec2(&t);
    wf_http_headers_add(&t.headers, "User-Agent", "aws-cli/2");
    CHECK_INT_EQ(verify(&t, "ec2"), WF_SIGV4_OK);
    wf_http_request_free(&t);

    wf_http_request_free(&r);
}

static void test_verify_verdicts(void)
{
    wf_http_request r;
    signed_ec2(&r);
    const char *auth = wf_http_headers_get(&r.headers, "Authorization");
    char good[512];
    snprintf(good, sizeof good, "%s", auth);
    const char *sig = strstr(good, "Signature=") + 10;

    char buf[600];
    /* Unknown access key. */
    snprintf(buf, sizeof buf, "AWS4-HMAC-SHA256 Credential=AKIDNOBODY/20150830/us-east-1/ec2/"
             "aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=%s", sig);
    set_auth(&r, buf);
    CHECK_INT_EQ(verify(&r, "ec2"), WF_SIGV4_UNKNOWN_KEY);
    /* A known key whose secret signs differently. */
    snprintf(buf, sizeof buf, "AWS4-HMAC-SHA256 Credential=AKIDOTHER/20150830/us-east-1/ec2/"
             "aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=%s", sig);
    set_auth(&r, buf);
    CHECK_INT_EQ(verify(&r, "ec2"), WF_SIGV4_MISMATCH);
    /* Parts in another order and extra spaces still parse. */
    snprintf(buf, sizeof buf, "AWS4-HMAC-SHA256  Signature=%s ,SignedHeaders=content-type;"
             "host;x-amz-date,Credential=AKIDEXAMPLE/20150830/us-east-1/ec2/aws4_request", sig);
    set_auth(&r, buf);
    CHECK_INT_EQ(verify(&r, "ec2"), WF_SIGV4_OK);
    /* A short signature is a mismatch, not an overread. */
    set_auth(&r, "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/ec2/aws4_request, "
                 "SignedHeaders=content-type;host;x-amz-date, Signature=abc");
    CHECK_INT_EQ(verify(&r, "ec2"), WF_SIGV4_MISMATCH);

    static const char *const malformed[] = {
        "AWS AKIDEXAMPLE:c2lnbmF0dXJl",   /* SigV2 */
        "AWS4-HMAC-SHA256",
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/ec2/aws4_request",
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/ec2/aws4_request, "
        "SignedHeaders=content-type;host;x-amz-date",
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/ec2, "
        "SignedHeaders=host;x-amz-date, Signature=00",
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150831/us-east-1/ec2/aws4_request, "
        "SignedHeaders=host;x-amz-date, Signature=00",   /* scope date is not X-Amz-Date's */
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/ec2/aws4_request, "
        "SignedHeaders=content-type;x-amz-date, Signature=00",   /* host unsigned */
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/ec2/aws4_request, "
        "SignedHeaders=host;;x-amz-date, Signature=00",
        "AWS4-HMAC-SHA256 Credential=A/20150830/us-east-1/ec2/aws4_request, Credential=B/"
        "20150830/us-east-1/ec2/aws4_request, SignedHeaders=host, Signature=00",
        "AWS4-HMAC-SHA256 garbage, SignedHeaders=host, Signature=00",
    };
    for (size_t i = 0; i < sizeof malformed / sizeof *malformed; i++) {
        set_auth(&r, malformed[i]);
        wf_sigv4_result res = verify(&r, "ec2");
        if (res != WF_SIGV4_MALFORMED)
            fprintf(stderr, "malformed case %zu gave %d\n", i, res);
        CHECK_INT_EQ(res, WF_SIGV4_MALFORMED);
    }
    /* A signed header the request lacks. */
    snprintf(buf, sizeof buf, "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/ec2/"
             "aws4_request, SignedHeaders=host;x-amz-date;x-amz-target, Signature=%s", sig);
    set_auth(&r, buf);
    CHECK_INT_EQ(verify(&r, "ec2"), WF_SIGV4_MISMATCH);

    /* No X-Amz-Date, or a bad one. */
    set_auth(&r, good);
    wf_http_headers_set(&r.headers, "X-Amz-Date", "yesterday");
    CHECK_INT_EQ(verify(&r, "ec2"), WF_SIGV4_MALFORMED);
    wf_http_request_free(&r);

    /* No auth at all; and both mechanisms at once. */
    make_request(&r, "GET", "/", "Action=DescribeRegions", "ec2.amazonaws.com");
    CHECK_INT_EQ(verify(&r, "ec2"), WF_SIGV4_MISSING_AUTH);
    wf_http_request_free(&r);
    signed_ec2(&r);
    free(r.query);
    r.query = strdup("X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature=00");
    CHECK_INT_EQ(verify(&r, "ec2"), WF_SIGV4_MALFORMED);
    wf_http_request_free(&r);
}

static void test_verify_s3(void)
{
    wf_http_request r;
    make_request(&r, "PUT", "/bucket/dir/my%20key+x", "", "localhost:4566");
    wf_http_request_set_body(&r, "hello", 5);
    wf_sigv4_params p = base_params();
    p.service = "s3";
    p.s3_mode = true;
    p.session_token = "session/token";
    wf_error err = {0};
    CHECK_INT_EQ(wf_sigv4_sign(&r, &p, &err), WF_OK);
    wf_sigv4_verdict v;
    CHECK_INT_EQ(wf_sigv4_verify(&r, lookup, NULL, "s3", &v, &err), WF_OK);
    CHECK_INT_EQ(v.result, WF_SIGV4_OK);
    CHECK_STR_EQ(v.session_token, "session/token");
    CHECK(v.session_token_signed);
    wf_sigv4_verdict_free(&v);
    /* Without the hint the credential scope's service picks the S3 rules. */
    CHECK_INT_EQ(verify(&r, NULL), WF_SIGV4_OK);
    /* The body no longer matches x-amz-content-sha256. */
    wf_http_request_set_body(&r, "HELLO", 5);
    CHECK_INT_EQ(verify(&r, "s3"), WF_SIGV4_PAYLOAD_MISMATCH);
    wf_http_request_free(&r);

    /* UNSIGNED-PAYLOAD: any body goes. */
    make_request(&r, "PUT", "/bucket/key", "", "localhost:4566");
    wf_http_request_set_body(&r, "hello", 5);
    p.payload_hash = WF_SIGV4_UNSIGNED_PAYLOAD;
    CHECK_INT_EQ(wf_sigv4_sign(&r, &p, &err), WF_OK);
    wf_http_request_set_body(&r, "other", 5);
    CHECK_INT_EQ(verify(&r, "s3"), WF_SIGV4_OK);
    wf_http_request_free(&r);
}

static void test_verify_presigned(void)
{
    wf_http_request r;
    make_request(&r, "GET", "/bucket/key", "versionId=3", "localhost:4566");
    wf_sigv4_params p = base_params();
    p.service = "s3";
    p.s3_mode = true;
    p.session_token = "tok+en/=";
    wf_error err = {0};
    CHECK_INT_EQ(wf_sigv4_presign(&r, &p, 900, &err), WF_OK);
    CHECK(strncmp(r.query, "versionId=3&X-Amz-Algorithm=AWS4-HMAC-SHA256&", 44) == 0);
    CHECK(strstr(r.query, "&X-Amz-Security-Token=tok%2Ben%2F%3D&") != NULL);
    wf_sigv4_verdict v;
    CHECK_INT_EQ(wf_sigv4_verify(&r, lookup, NULL, "s3", &v, &err), WF_OK);
    CHECK_INT_EQ(v.result, WF_SIGV4_OK);
    CHECK(v.presigned);
    CHECK_INT_EQ(v.expires, 900);
    CHECK_STR_EQ(v.session_token, "tok+en/=");
    CHECK(v.session_token_signed);
    wf_sigv4_verdict_free(&v);

    /* Changing a parameter breaks it; so does a bad X-Amz-Expires. */
    char *orig = strdup(r.query);
    r.query[10] = '4';
    CHECK_INT_EQ(verify(&r, "s3"), WF_SIGV4_MISMATCH);
    free(r.query);
    size_t n = strlen(orig) + 32;
    r.query = malloc(n);
    char *e = strstr(orig, "X-Amz-Expires=900");
    snprintf(r.query, n, "%.*sX-Amz-Expires=999999%s", (int)(e - orig), orig, e + 17);
    CHECK_INT_EQ(verify(&r, "s3"), WF_SIGV4_MALFORMED);
    free(r.query);
    r.query = strdup("X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature=00");
    CHECK_INT_EQ(verify(&r, "s3"), WF_SIGV4_MALFORMED);
    free(orig);
    wf_http_request_free(&r);
}

int main(void)
{
    test_uri_encode();
    test_canonical_parts();
    test_dates();
    test_s3_get_object();
    test_s3_presign();
    test_s3_mode_details();
    test_session_token_and_resign();
    test_bad_params();
    test_verify_header();
    test_verify_verdicts();
    test_verify_s3();
    test_verify_presigned();
    return CHECK_DONE();
}
