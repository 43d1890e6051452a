/* The credential provider chain: environment, profile (static keys or AssumeRole), IMDSv2. */
#include "aws/credentials.h"
#include "aws/call.h"
#include "aws/endpoints.h"
#include "aws/http_client.h"
#include "aws/parse.h"
#include "interrupt.h"
#include "log.h"
#include <assert.h>
#include <cjson/cJSON.h>
#include <openssl/crypto.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Fetch temporary credentials again this long before they expire. */
#define REFRESH_MARGIN_S 300.0
/* Roles assumed through source_profile before we call it a loop. */
#define MAX_ROLE_DEPTH 5
#define IMDS_TOKEN_TTL "21600"

typedef enum source_kind { SRC_NONE, SRC_STATIC, SRC_ENV, SRC_PROFILE, SRC_IMDS } source_kind;

struct wf_aws_credentials_provider {
    const wf_aws_config *cfg;       /* borrowed */
    wf_aws_provider_options opts;
    source_kind kind;               /* the source chosen at first resolution */
    wf_aws_credentials current;
    int have;
    double refresh_at;              /* wall clock; 0: never */
    char source[300];
    int fetches;
    wf_http_client *imds;           /* made on first use */
};

/* A growing "tried ..." list for the no-credentials message. */
typedef struct tried {
    char text[700];
} tried;

static void tried_add(tried *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void tried_add(tried *t, const char *fmt, ...)
{
    size_t n = strlen(t->text);
    if (n + 3 >= sizeof t->text)
        return;
    if (n)
        n += (size_t)snprintf(t->text + n, sizeof t->text - n, "; ");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(t->text + n, sizeof t->text - n, fmt, ap);
    va_end(ap);
}

static const char *env(const char *name)
{
    const char *v = getenv(name);
    return v && *v ? v : NULL;
}

static void wipe_free(char *s)
{
    if (s) {
        OPENSSL_cleanse(s, strlen(s));
        free(s);
    }
}

void wf_aws_credentials_clear(wf_aws_credentials *c)
{
    if (!c)
        return;
    wipe_free(c->access_key_id);
    wipe_free(c->secret_access_key);
    wipe_free(c->session_token);
    OPENSSL_cleanse(c, sizeof *c);
}

/* Fills c from the three strings (token may be NULL) and registers the secrets. */
static wf_status set_creds(wf_aws_credentials *c, const char *key, const char *secret,
                           const char *token, double expiration)
{
    memset(c, 0, sizeof *c);
    c->access_key_id = strdup(key);
    c->secret_access_key = strdup(secret);
    c->session_token = token && *token ? strdup(token) : NULL;
    c->expiration = expiration;
    if (!c->access_key_id || !c->secret_access_key || (token && *token && !c->session_token)) {
        wf_aws_credentials_clear(c);
        return WF_ENOMEM;
    }
    wf_log_add_secret(secret);
    if (token && *token)
        wf_log_add_secret(token);
    return WF_OK;
}

wf_status wf_aws_credentials_copy(wf_aws_credentials *dst, const wf_aws_credentials *src)
{
    assert(dst && src && src->access_key_id && src->secret_access_key);
    return set_creds(dst, src->access_key_id, src->secret_access_key, src->session_token,
                     src->expiration);
}

wf_status wf_aws_credentials_provider_new(const wf_aws_config *cfg,
                                          const wf_aws_provider_options *opts,
                                          wf_aws_credentials_provider **out, wf_error *err)
{
    assert(cfg && out);
    *out = calloc(1, sizeof **out);
    if (!*out)
        return wf_error_set(err, WF_ENOMEM, "out of memory");
    (*out)->cfg = cfg;
    if (opts)
        (*out)->opts = *opts;
    return WF_OK;
}

wf_status wf_aws_credentials_provider_new_static(const wf_aws_credentials *creds,
                                                 wf_aws_credentials_provider **out,
                                                 wf_error *err)
{
    assert(creds && out);
    if (!creds->access_key_id || !*creds->access_key_id || !creds->secret_access_key ||
        !*creds->secret_access_key)
        return wf_error_set(err, WF_EINVAL, "credentials need an access key id and a secret key");
    wf_aws_credentials_provider *p = calloc(1, sizeof *p);
    if (!p || wf_aws_credentials_copy(&p->current, creds) != WF_OK) {
        free(p);
        return wf_error_set(err, WF_ENOMEM, "out of memory");
    }
    p->kind = SRC_STATIC;
    p->have = 1;
    p->fetches = 1;
    snprintf(p->source, sizeof p->source, "given credentials");
    *out = p;
    return WF_OK;
}

void wf_aws_credentials_provider_free(wf_aws_credentials_provider *p)
{
    if (!p)
        return;
    wf_aws_credentials_clear(&p->current);
    wf_http_client_free(p->imds);
    free(p);
}

const char *wf_aws_credentials_source(const wf_aws_credentials_provider *p)
{
    return p->have ? p->source : "";
}

int wf_aws_credentials_fetches(const wf_aws_credentials_provider *p)
{
    return p->fetches;
}

/* --- Environment ---------------------------------------------------------------------- */

/* WF_OK with *found 1 (creds set) or 0; WF_EINVAL for half a pair. */
static wf_status from_env(wf_aws_credentials *c, int *found, tried *t, wf_error *err)
{
    const char *key = env("AWS_ACCESS_KEY_ID"), *secret = env("AWS_SECRET_ACCESS_KEY");
    *found = 0;
    if (!key && !secret) {
        if (t)
            tried_add(t, "environment (AWS_ACCESS_KEY_ID not set)");
        return WF_OK;
    }
    if (!key || !secret)
        return wf_error_set(err, WF_EINVAL, "%s is set but %s is not",
                            key ? "AWS_ACCESS_KEY_ID" : "AWS_SECRET_ACCESS_KEY",
                            key ? "AWS_SECRET_ACCESS_KEY" : "AWS_ACCESS_KEY_ID");
    if (set_creds(c, key, secret, env("AWS_SESSION_TOKEN"), 0) != WF_OK)
        return wf_error_set(err, WF_ENOMEM, "out of memory");
    *found = 1;
    return WF_OK;
}

/* --- Instance metadata (IMDSv2) ------------------------------------------------------- */

static double imds_timeout(void)
{
    const char *v = env("AWS_METADATA_SERVICE_TIMEOUT");
    double t = v ? strtod(v, NULL) : 0;
    return t > 0 ? t : 1.0;
}

/* "http://169.254.169.254" or the configured endpoint, as an origin. */
static wf_status imds_origin(char *out, size_t size, wf_error *err)
{
    const char *url = env("AWS_EC2_METADATA_SERVICE_ENDPOINT");
    if (!url) {
        const char *mode = env("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE");
        url = mode && strcasecmp(mode, "IPv6") == 0 ? "http://[fd00:ec2::254]"
                                                     : "http://169.254.169.254";
    }
    wf_aws_endpoint ep = {0};
    wf_status st = wf_aws_endpoint_parse(url, &ep, err);
    if (st == WF_OK) {
        char port[16] = "";
        if (ep.port)
            snprintf(port, sizeof port, ":%d", ep.port);
        snprintf(out, size, "%s://%s%s", ep.scheme, ep.host, port);
    }
    wf_aws_endpoint_free(&ep);
    return st;
}

/* One IMDS request; the body is returned on HTTP 200 (the caller wipes and frees it). */
static wf_status imds_request(wf_aws_credentials_provider *p, const char *origin,
                              const char *method, const char *path, const char *token,
                              char **body, int *status, wf_error *err)
{
    *body = NULL;
    *status = 0;
    if (!p->imds) {
        double t = imds_timeout();
        wf_http_client_options o = {.connect_timeout_s = t, .timeout_s = t < 1 ? 2 : 2 * t};
        wf_status st = wf_http_client_new(&o, &p->imds, err);
        if (st != WF_OK)
            return st;
    }
    wf_http_request req = {0};
    wf_http_response resp = {0};
    wf_status st = WF_ENOMEM;
    req.method = strdup(method);
    req.path = strdup(path);
    req.query = strdup("");
    if (!req.method || !req.path || !req.query)
        goto done;
    if (token ? wf_http_headers_add(&req.headers, "X-aws-ec2-metadata-token", token)
              : wf_http_headers_add(&req.headers, "X-aws-ec2-metadata-token-ttl-seconds",
                                    IMDS_TOKEN_TTL))
        goto done;
    st = wf_http_send(p->imds, origin, &req, &resp, err);
    if (st == WF_OK) {
        *status = resp.status;
        if (resp.status == 200) {
            *body = resp.body;
            resp.body = NULL;
        }
    }
done:
    if (st == WF_ENOMEM)
        wf_error_set(err, WF_ENOMEM, "out of memory");
    if (token && req.headers.count)
        OPENSSL_cleanse(req.headers.items[0].value, strlen(req.headers.items[0].value));
    wf_http_request_free(&req);
    if (resp.body)
        OPENSSL_cleanse(resp.body, resp.body_len);
    wf_http_response_free(&resp);
    return st;
}

static const char *json_str(const cJSON *o, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* Wipes every string in a cJSON tree that held secrets, before cJSON_Delete. */
static void wipe_json(cJSON *j)
{
    for (; j; j = j->next) {
        if (cJSON_IsString(j) && j->valuestring)
            OPENSSL_cleanse(j->valuestring, strlen(j->valuestring));
        wipe_json(j->child);
    }
}

/* Fetches credentials from IMDSv2. *found 0 with a reason in t when the service is not
 * there (off EC2); an answering service that fails is an error. */
static wf_status from_imds(wf_aws_credentials_provider *p, wf_aws_credentials *c, int *found,
                           char *role_out, size_t role_size, tried *t, wf_error *err)
{
    *found = 0;
    if (wf_aws_config_is_true(env("AWS_EC2_METADATA_DISABLED"))) {
        if (t)
            tried_add(t, "EC2 instance metadata (AWS_EC2_METADATA_DISABLED is true)");
        return WF_OK;
    }
    char origin[300];
    wf_status st = imds_origin(origin, sizeof origin, err);
    if (st != WF_OK)
        return st;
    char *token = NULL, *roles = NULL, *doc = NULL;
    cJSON *json = NULL;
    int status = 0;
    wf_error e = {0};
    st = imds_request(p, origin, "PUT", "/latest/api/token", NULL, &token, &status, &e);
    if (st == WF_EIO || (st == WF_OK && !token)) {
        /* Nothing answers, or it refuses tokens: not on EC2 (or IMDS is off). */
        if (t) {
            if (st == WF_EIO)
                tried_add(t, "EC2 instance metadata at %s (%s)", origin, e.message);
            else
                tried_add(t, "EC2 instance metadata at %s (token request: HTTP %d)", origin,
                          status);
        }
        if (!t && st == WF_EIO)
            wf_error_set(err, WF_EIO, "EC2 instance metadata: %s", e.message);
        else if (!t)
            wf_error_set(err, WF_EIO, "EC2 instance metadata: token request: HTTP %d", status);
        st = t ? WF_OK : WF_EIO;
        goto done;
    }
    if (st != WF_OK) {
        wf_error_set(err, st, "%s", e.message);
        goto done;
    }
    wf_log_add_secret(token);
    st = imds_request(p, origin, "GET", "/latest/meta-data/iam/security-credentials/", token,
                      &roles, &status, &e);
    if (st == WF_OK && !roles) {
        st = wf_error_set(err, WF_EINVAL,
                          "EC2 instance metadata: no IAM role attached to this instance "
                          "(HTTP %d)", status);
        goto done;
    }
    if (st != WF_OK) {
        wf_error_set(err, st, "EC2 instance metadata: %s", e.message);
        goto done;
    }
    roles[strcspn(roles, "\r\n")] = '\0';
    if (!roles[0] || strchr(roles, '/')) {
        st = wf_error_set(err, WF_EPARSE, "EC2 instance metadata: bad role name");
        goto done;
    }
    snprintf(role_out, role_size, "%s", roles);
    char path[400];
    snprintf(path, sizeof path, "/latest/meta-data/iam/security-credentials/%s", roles);
    st = imds_request(p, origin, "GET", path, token, &doc, &status, &e);
    if (st == WF_OK && !doc) {
        st = wf_error_set(err, WF_EIO, "EC2 instance metadata: credentials of role %s: HTTP %d",
                          role_out, status);
        goto done;
    }
    if (st != WF_OK) {
        wf_error_set(err, st, "EC2 instance metadata: %s", e.message);
        goto done;
    }
    json = cJSON_Parse(doc);
    const char *code = json_str(json, "Code");
    const char *key = json_str(json, "AccessKeyId"), *secret = json_str(json, "SecretAccessKey");
    const char *tok = json_str(json, "Token"), *expiration = json_str(json, "Expiration");
    double exp = 0;
    if (!json || (code && strcmp(code, "Success") != 0) || !key || !secret ||
        (expiration && wf_aws_parse_timestamp(expiration, &exp) != 0)) {
        st = wf_error_set(err, WF_EPARSE,
                          "EC2 instance metadata: unexpected credentials document for role %s%s%s",
                          role_out, code ? ": Code " : "", code ? code : "");
        goto done;
    }
    if (set_creds(c, key, secret, tok, exp) != WF_OK) {
        st = wf_error_set(err, WF_ENOMEM, "out of memory");
        goto done;
    }
    *found = 1;
done:
    if (json) {
        wipe_json(json);
        cJSON_Delete(json);
    }
    wipe_free(token);
    wipe_free(roles);
    wipe_free(doc);
    return st;
}

/* --- Profiles and AssumeRole ---------------------------------------------------------- */

/* A profile setting: config file first for role settings, as the CLI reads them; the
 * credentials file is looked at too (the SDKs merge both). */
static const char *profile_get(const wf_aws_config *cfg, const char *profile, const char *key)
{
    const char *v = wf_aws_config_get(cfg, profile, key);
    if (!v || !*v)
        v = wf_aws_config_credential(cfg, profile, key);
    return v && *v ? v : NULL;
}

/* Static keys of a profile: credentials file, then config file. */
static wf_status static_keys(const wf_aws_config *cfg, const char *profile,
                             wf_aws_credentials *c, int *found, wf_error *err)
{
    *found = 0;
    for (int file = 0; file < 2; file++) {
        const char *(*get)(const wf_aws_config *, const char *, const char *) =
            file == 0 ? wf_aws_config_credential : wf_aws_config_get;
        const char *key = get(cfg, profile, "aws_access_key_id");
        const char *secret = get(cfg, profile, "aws_secret_access_key");
        if ((!key || !*key) && (!secret || !*secret))
            continue;
        const char *path = file == 0 ? cfg->credentials_path : cfg->config_path;
        if (!key || !*key || !secret || !*secret)
            return wf_error_set(err, WF_EINVAL, "profile \"%s\" in %s has %s but not %s",
                                profile, path,
                                key && *key ? "aws_access_key_id" : "aws_secret_access_key",
                                key && *key ? "aws_secret_access_key" : "aws_access_key_id");
        if (set_creds(c, key, secret, get(cfg, profile, "aws_session_token"), 0) != WF_OK)
            return wf_error_set(err, WF_ENOMEM, "out of memory");
        *found = 1;
        return WF_OK;
    }
    return WF_OK;
}

/* STS AssumeRole with source credentials, through wfrun's own call pipeline. */
static wf_status assume_role(wf_aws_credentials_provider *p, const char *profile,
                             const char *role_arn, const wf_aws_credentials *source,
                             wf_aws_credentials *out, wf_error *err)
{
    const wf_aws_config *cfg = p->cfg;
    const char *external_id = profile_get(cfg, profile, "external_id");
    const char *duration = profile_get(cfg, profile, "duration_seconds");
    const char *session = profile_get(cfg, profile, "role_session_name");
    if (profile_get(cfg, profile, "mfa_serial"))
        return wf_error_set(err, WF_EINVAL,
                            "profile \"%s\" needs an MFA code (mfa_serial): wfrun runs "
                            "unattended and cannot prompt; use credentials without MFA",
                            profile);
    char session_name[80];
    if (session)
        snprintf(session_name, sizeof session_name, "%s", session);
    else
        snprintf(session_name, sizeof session_name, "wfrun-%lld", (long long)wf_clock_wall());

    wf_aws_client_options o = {
        .profile = cfg->profile_explicit ? cfg->profile : NULL,
        .region = cfg->region ? cfg->region : "us-east-1",   /* STS is in every region */
        .endpoint_url = cfg->endpoint_url,
        .max_attempts = p->opts.max_attempts,
        .connect_timeout_s = p->opts.connect_timeout_s,
        .timeout_s = p->opts.timeout_s,
        .retry_base_s = p->opts.retry_base_s,
        .credentials = source,
    };
    wf_aws_client *sts = NULL;
    cJSON *params = cJSON_CreateObject(), *result = NULL;
    wf_aws_error aws_err;
    wf_status st = WF_ENOMEM;
    if (!params || !cJSON_AddStringToObject(params, "RoleArn", role_arn) ||
        !cJSON_AddStringToObject(params, "RoleSessionName", session_name) ||
        (external_id && !cJSON_AddStringToObject(params, "ExternalId", external_id))) {
        wf_error_set(err, WF_ENOMEM, "out of memory");
        goto done;
    }
    if (duration) {
        char *end = NULL;
        long secs = strtol(duration, &end, 10);
        if (!end || *end || secs < 900 || secs > 43200) {
            st = wf_error_set(err, WF_EINVAL,
                              "profile \"%s\": duration_seconds \"%.32s\" is not 900..43200",
                              profile, duration);
            goto done;
        }
        if (!cJSON_AddNumberToObject(params, "DurationSeconds", (double)secs)) {
            wf_error_set(err, WF_ENOMEM, "out of memory");
            goto done;
        }
    }
    wf_error e = {0};
    st = wf_aws_client_new(&o, &sts, &e);
    if (st == WF_OK)
        st = wf_aws_call(sts, "sts", "AssumeRole", params, &result, &aws_err, &e);
    if (st != WF_OK) {
        wf_error_set(err, st, "assuming role %s (profile \"%s\"): %s", role_arn, profile,
                     e.message);
        goto done;
    }
    if (aws_err.is_error) {
        char line[600];
        wf_aws_error_describe(&aws_err, "sts", "AssumeRole", line, sizeof line);
        st = wf_error_set(err, WF_EINVAL, "assuming role %s (profile \"%s\"): %s", role_arn,
                          profile, line);
        goto done;
    }
    const cJSON *creds = cJSON_GetObjectItemCaseSensitive(result, "Credentials");
    const char *key = json_str(creds, "AccessKeyId"), *secret = json_str(creds, "SecretAccessKey");
    const char *token = json_str(creds, "SessionToken"), *expiration = json_str(creds, "Expiration");
    double exp = 0;
    if (!key || !secret || !token || !expiration ||
        wf_aws_parse_timestamp(expiration, &exp) != 0) {
        st = wf_error_set(err, WF_EPARSE, "assuming role %s: the answer has no credentials",
                          role_arn);
        goto done;
    }
    if (set_creds(out, key, secret, token, exp) != WF_OK) {
        st = wf_error_set(err, WF_ENOMEM, "out of memory");
        goto done;
    }
    st = WF_OK;
done:
    if (result) {
        wipe_json(result);
        cJSON_Delete(result);
    }
    cJSON_Delete(params);
    wf_aws_client_free(sts);
    return st;
}

/* Credentials of profile: *found 0 when it has neither keys nor a role. top: the profile
 * the user chose (its role_arn wins over its keys); a source profile's keys win. */
static wf_status from_profile(wf_aws_credentials_provider *p, const char *profile, int depth,
                              int top, wf_aws_credentials *c, int *found, char *source,
                              size_t source_size, tried *t, wf_error *err)
{
    const wf_aws_config *cfg = p->cfg;
    *found = 0;
    if (depth > MAX_ROLE_DEPTH)
        return wf_error_set(err, WF_EINVAL,
                            "profile \"%s\": source_profile chain longer than %d (a loop?)",
                            profile, MAX_ROLE_DEPTH);
    const char *role_arn = profile_get(cfg, profile, "role_arn");
    if (!top || !role_arn) {
        wf_status st = static_keys(cfg, profile, c, found, err);
        if (st != WF_OK || *found) {
            if (*found && top)
                snprintf(source, source_size, "profile %s", profile);
            return st;
        }
    }
    if (!role_arn) {
        if (t)
            tried_add(t, "profile \"%s\" (no keys in %s or %s, no role_arn)", profile,
                      cfg->credentials_path, cfg->config_path);
        if (!top)
            return wf_error_set(err, WF_EINVAL,
                                "source profile \"%s\" has no keys and no role_arn", profile);
        return WF_OK;
    }

    const char *source_profile = profile_get(cfg, profile, "source_profile");
    const char *credential_source = profile_get(cfg, profile, "credential_source");
    if ((source_profile != NULL) == (credential_source != NULL))
        return wf_error_set(err, WF_EINVAL,
                            "profile \"%s\" has role_arn, so it needs exactly one of "
                            "source_profile and credential_source", profile);
    wf_aws_credentials base = {0};
    wf_status st;
    int base_found = 0;
    char base_source[200] = "";
    if (source_profile && strcmp(source_profile, profile) == 0) {
        /* A profile may name itself: its own keys assume its role. */
        st = static_keys(cfg, profile, &base, &base_found, err);
        if (st == WF_OK && !base_found)
            st = wf_error_set(err, WF_EINVAL, "profile \"%s\" is its own source_profile but has "
                              "no keys", profile);
    } else if (source_profile) {
        if (!wf_aws_config_has_profile(cfg, source_profile))
            return wf_error_set(err, WF_EINVAL, "profile \"%s\": source_profile \"%s\" not found",
                                profile, source_profile);
        st = from_profile(p, source_profile, depth + 1, 0, &base, &base_found, base_source,
                          sizeof base_source, NULL, err);
    } else if (strcmp(credential_source, "Environment") == 0) {
        st = from_env(&base, &base_found, NULL, err);
        if (st == WF_OK && !base_found)
            st = wf_error_set(err, WF_EINVAL, "profile \"%s\": credential_source Environment, "
                              "but AWS_ACCESS_KEY_ID is not set", profile);
    } else if (strcmp(credential_source, "Ec2InstanceMetadata") == 0) {
        char role[128];
        st = from_imds(p, &base, &base_found, role, sizeof role, NULL, err);
    } else {
        return wf_error_set(err, WF_EINVAL,
                            "profile \"%s\": credential_source \"%.40s\" is not supported "
                            "(Environment or Ec2InstanceMetadata)", profile, credential_source);
    }
    if (st == WF_OK)
        st = assume_role(p, profile, role_arn, &base, c, err);
    wf_aws_credentials_clear(&base);
    if (st != WF_OK)
        return st;
    *found = 1;
    snprintf(source, source_size, "role %s via profile %s", role_arn, profile);
    return WF_OK;
}

/* --- The chain ------------------------------------------------------------------------ */

/* Resolves from scratch (kind SRC_NONE) or refreshes the chosen source. */
static wf_status fetch(wf_aws_credentials_provider *p, wf_aws_credentials *c, wf_error *err)
{
    tried t = {""};
    int found = 0;
    wf_status st;
    char source[sizeof p->source] = "";
    if (p->kind == SRC_NONE || p->kind == SRC_ENV) {
        st = from_env(c, &found, &t, err);
        if (st != WF_OK || found) {
            if (found) {
                p->kind = SRC_ENV;
                snprintf(p->source, sizeof p->source, "environment");
            }
            return st;
        }
    }
    if (p->kind == SRC_NONE || p->kind == SRC_PROFILE) {
        st = from_profile(p, p->cfg->profile, 0, 1, c, &found, source, sizeof source, &t, err);
        if (st != WF_OK || found) {
            if (found) {
                p->kind = SRC_PROFILE;
                snprintf(p->source, sizeof p->source, "%s", source);
            }
            return st;
        }
    }
    if (p->kind == SRC_NONE || p->kind == SRC_IMDS) {
        char role[128] = "";
        st = from_imds(p, c, &found, role, sizeof role, p->kind == SRC_NONE ? &t : NULL, err);
        if (st != WF_OK || found) {
            if (found) {
                p->kind = SRC_IMDS;
                snprintf(p->source, sizeof p->source, "EC2 instance metadata (role %s)", role);
            }
            return st;
        }
    }
    return wf_error_set(err, WF_EINVAL, "no AWS credentials found; tried: %s", t.text);
}

/* When to fetch again: 5 minutes before expiry, but not in a tight loop when the source
 * hands out credentials that are already inside that window. */
static double refresh_time(double expiration, double now)
{
    if (expiration <= 0)
        return 0;
    double at = expiration - REFRESH_MARGIN_S;
    if (at <= now) {
        double left = expiration - now;
        at = now + (left > 120 ? 60 : left / 2);
    }
    return at;
}

wf_status wf_aws_credentials_get(wf_aws_credentials_provider *p,
                                 const wf_aws_credentials **out, wf_error *err)
{
    assert(p && out);
    *out = NULL;
    double now = wf_clock_wall();
    if (p->have && (p->refresh_at <= 0 || now < p->refresh_at)) {
        *out = &p->current;
        return WF_OK;
    }
    wf_aws_credentials fresh = {0};
    wf_error e = {0};
    wf_status st = fetch(p, &fresh, &e);
    if (st != WF_OK) {
        wf_aws_credentials_clear(&fresh);
        if (p->have && (p->current.expiration <= 0 || now < p->current.expiration - 10) &&
            st != WF_EINTR && st != WF_ETIMEOUT) {
            /* Still valid: keep them and try again at the next call. */
            wf_log_message(WF_LOG_WARN, NULL,
                           "refreshing AWS credentials (%s) failed, using the current ones: %s",
                           p->source, e.message);
            *out = &p->current;
            return WF_OK;
        }
        return wf_error_set(err, st, "%s", e.message);
    }
    wf_aws_credentials_clear(&p->current);
    p->current = fresh;
    p->have = 1;
    p->fetches++;
    p->refresh_at = refresh_time(fresh.expiration, now);
    wf_log_message(WF_LOG_DEBUG, NULL, "AWS credentials from %s%s", p->source,
                   fresh.expiration > 0 ? " (temporary)" : "");
    *out = &p->current;
    return WF_OK;
}
