/* wf_aws_call: serialize, route, sign, send, parse and retry one AWS API call. */
#include "aws/call.h"
#include "aws/endpoints.h"
#include "aws/http_client.h"
#include "aws/model_load.h"
#include "aws/retry.h"
#include "aws/serialize.h"
#include "aws/sigv4.h"
#include "aws/xml_reader.h"
#include "interrupt.h"
#include "log.h"
#include <assert.h>
#include <ctype.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

typedef struct model_slot {
    char *service;
    wf_aws_model model;
} model_slot;

struct wf_aws_client {
    wf_aws_config cfg;
    wf_http_client *http;
    wf_sigv4_signer *signer;      /* caches the signing key between calls */
    wf_xml_reader *xml;           /* parses answers, kept between calls */
    wf_aws_credentials_provider *creds;
    wf_aws_retry retry;
    model_slot *models;
    size_t nmodels, capmodels;
    int verbose;
    int last_attempts;
};

wf_status wf_aws_client_new(const wf_aws_client_options *opts, wf_aws_client **out,
                            wf_error *err)
{
    assert(out);
    *out = NULL;
    wf_aws_client_options none = {0};
    if (!opts)
        opts = &none;
    wf_aws_client *c = calloc(1, sizeof *c);
    if (!c)
        return wf_error_set(err, WF_ENOMEM, "out of memory");
    wf_aws_config_options co = {.profile = opts->profile, .region = opts->region,
                                .endpoint_url = opts->endpoint_url,
                                .s3_addressing = opts->s3_addressing};
    int attempts = 0;
    wf_http_client_options ho = {.connect_timeout_s = opts->connect_timeout_s,
                                 .timeout_s = opts->timeout_s};
    wf_status st = wf_aws_config_load(&co, &c->cfg, err);
    if (st == WF_OK)
        st = wf_aws_retry_max_attempts(opts->max_attempts, &c->cfg, &attempts, err);
    if (st == WF_OK)
        st = wf_http_client_new(&ho, &c->http, err);
    if (st == WF_OK)
        st = wf_sigv4_signer_new(&c->signer, err);
    if (st == WF_OK)
        st = wf_xml_reader_new(&c->xml, err);
    if (st == WF_OK) {
        wf_aws_retry_init(&c->retry, attempts, opts->retry_base_s);
        if (opts->credentials) {
            st = wf_aws_credentials_provider_new_static(opts->credentials, &c->creds, err);
        } else {
            wf_aws_provider_options po = {.connect_timeout_s = opts->connect_timeout_s,
                                          .timeout_s = opts->timeout_s,
                                          .max_attempts = attempts,
                                          .retry_base_s = opts->retry_base_s};
            st = wf_aws_credentials_provider_new(&c->cfg, &po, &c->creds, err);
        }
    }
    if (st != WF_OK) {
        wf_aws_client_free(c);
        return st;
    }
    c->verbose = opts->verbose;
    *out = c;
    return WF_OK;
}

void wf_aws_client_free(wf_aws_client *c)
{
    if (!c)
        return;
    wf_aws_credentials_provider_free(c->creds);   /* before the config it borrows */
    wf_http_client_free(c->http);
    wf_sigv4_signer_free(c->signer);
    wf_xml_reader_free(c->xml);
    for (size_t i = 0; i < c->nmodels; i++) {
        free(c->models[i].service);
        wf_aws_model_free(&c->models[i].model);
    }
    free(c->models);
    wf_aws_config_free(&c->cfg);
    free(c);
}

const wf_aws_config *wf_aws_client_config(const wf_aws_client *c)
{
    return &c->cfg;
}

int wf_aws_client_last_attempts(const wf_aws_client *c)
{
    return c->last_attempts;
}

wf_status wf_aws_client_credentials(wf_aws_client *c, const wf_aws_credentials **out,
                                    wf_error *err)
{
    return wf_aws_credentials_get(c->creds, out, err);
}

wf_status wf_aws_client_model(wf_aws_client *c, const char *service, const wf_aws_model **out,
                              wf_error *err)
{
    assert(c && service && out);
    *out = NULL;
    for (size_t i = 0; i < c->nmodels; i++) {
        if (strcmp(c->models[i].service, service) == 0) {
            *out = &c->models[i].model;
            return WF_OK;
        }
    }
    if (c->nmodels == c->capmodels) {
        size_t cap = c->capmodels ? c->capmodels * 2 : 8;
        model_slot *grown = realloc(c->models, cap * sizeof *grown);
        if (!grown)
            return wf_error_set(err, WF_ENOMEM, "out of memory");
        c->models = grown;
        c->capmodels = cap;
    }
    model_slot *slot = &c->models[c->nmodels];
    memset(slot, 0, sizeof *slot);
    wf_status st = wf_aws_model_load(service, &slot->model, err);
    if (st == WF_OK && !(slot->service = strdup(service)))
        st = wf_error_set(err, WF_ENOMEM, "out of memory");
    if (st != WF_OK) {
        wf_aws_model_free(&slot->model);
        return st;
    }
    c->nmodels++;
    *out = &slot->model;
    return WF_OK;
}

/* --- Operation names ------------------------------------------------------------------ */

char *wf_aws_xform_name(const char *name)
{
    assert(name);
    size_t n = strlen(name);
    if (strchr(name, '_'))
        return strdup(name);
    /* Room for the name and one separator per character, at most. */
    char *in = malloc(2 * n + 2), *s1 = malloc(2 * n + 2), *out = malloc(4 * n + 4);
    if (!in || !s1 || !out) {
        free(in);
        free(s1);
        free(out);
        return NULL;
    }
    /* Special case "[A-Z]{2,}s$" (ARNs, ACLs): "ListARNs" -> "List_arns". */
    strcpy(in, name);
    if (n >= 3 && name[n - 1] == 's' && isupper((unsigned char)name[n - 2]) &&
        isupper((unsigned char)name[n - 3])) {
        size_t start = n - 3;
        while (start > 0 && isupper((unsigned char)name[start - 1]))
            start--;
        size_t w = start;
        in[w++] = '_';
        for (size_t i = start; i < n; i++)
            in[w++] = (char)tolower((unsigned char)name[i]);
        in[w] = '\0';
    }
    /* "(.)([A-Z][a-z]+)" -> "\1_\2", left to right without overlap. */
    size_t w = 0, len = strlen(in);
    for (size_t i = 0; i < len;) {
        if (i + 2 < len && isupper((unsigned char)in[i + 1]) && islower((unsigned char)in[i + 2])) {
            size_t j = i + 2;
            while (j < len && islower((unsigned char)in[j]))
                j++;
            s1[w++] = in[i];
            s1[w++] = '_';
            memcpy(s1 + w, in + i + 1, j - i - 1);
            w += j - i - 1;
            i = j;
        } else {
            s1[w++] = in[i++];
        }
    }
    s1[w] = '\0';
    /* "([a-z0-9])([A-Z])" -> "\1_\2", then lower case. */
    len = w;
    w = 0;
    for (size_t i = 0; i < len;) {
        unsigned char ch = (unsigned char)s1[i];
        if (i + 1 < len && (islower(ch) || isdigit(ch)) && isupper((unsigned char)s1[i + 1])) {
            out[w++] = (char)ch;
            out[w++] = '_';
            out[w++] = (char)tolower((unsigned char)s1[i + 1]);
            i += 2;
        } else {
            out[w++] = (char)tolower(ch);
            i++;
        }
    }
    out[w] = '\0';
    free(in);
    free(s1);
    return out;
}

const char *wf_aws_operation_name(const wf_aws_model *model, const char *name)
{
    if (!model || !name || !*name)
        return NULL;
    const cJSON *op = cJSON_GetObjectItemCaseSensitive(model->operations, name);
    if (op)
        return op->string;
    cJSON_ArrayForEach(op, model->operations) {
        char *x = wf_aws_xform_name(op->string);
        int same = x && strcmp(x, name) == 0;
        free(x);
        if (same)
            return op->string;
    }
    return NULL;
}

void wf_aws_error_describe(const wf_aws_error *e, const char *service, const char *operation,
                           char *buf, size_t size)
{
    char id[160] = "";
    if (e->request_id[0])
        snprintf(id, sizeof id, ", request id %s", e->request_id);
    snprintf(buf, size, "%s %s: %s%s%s (HTTP %d%s)", service ? service : "aws",
             operation ? operation : "", e->code[0] ? e->code : "error",
             e->message[0] ? ": " : "", e->message, e->status, id);
}

/* --- The call ------------------------------------------------------------------------- */

static void headers_remove(wf_http_headers *h, const char *name)
{
    for (size_t i = 0; i < h->count;) {
        if (strcasecmp(h->items[i].name, name) == 0) {
            OPENSSL_cleanse(h->items[i].value, strlen(h->items[i].value));
            free(h->items[i].name);
            free(h->items[i].value);
            memmove(&h->items[i], &h->items[i + 1], (h->count - i - 1) * sizeof *h->items);
            h->count--;
        } else {
            i++;
        }
    }
}

/* S3 listings: ask for URL-encoded keys (so any key survives XML) and decode them back,
 * as botocore does, unless the caller chose an EncodingType. */
static int wants_listing_encoding(const char *service, const char *op, const cJSON *params)
{
    if (strcmp(service, "s3") != 0)
        return 0;
    if (strcmp(op, "ListObjects") != 0 && strcmp(op, "ListObjectsV2") != 0 &&
        strcmp(op, "ListObjectVersions") != 0)
        return 0;
    const cJSON *given = cJSON_GetObjectItemCaseSensitive(params, "EncodingType");
    return !given || cJSON_IsNull(given);
}

static wf_status sign_request(wf_aws_client *c, const wf_aws_model *model, const char *region,
                              int s3, const char *payload_hash, wf_http_request *req,
                              wf_error *err)
{
    const wf_aws_credentials *cr = NULL;
    wf_status st = wf_aws_credentials_get(c->creds, &cr, err);
    if (st != WF_OK)
        return st;
    /* A refresh may have dropped the session token: never send a stale one. */
    headers_remove(&req->headers, "X-Amz-Security-Token");
    char amz_date[17];
    time_t now = (time_t)wf_clock_wall();
    if (wf_sigv4_format_date(now, amz_date) != WF_OK)
        return wf_error_set(err, WF_EINVAL, "the clock is out of range");
    const char *signing_name = wf_aws_model_meta(model, "signingName");
    if (!signing_name)
        signing_name = wf_aws_model_meta(model, "endpointPrefix");
    wf_sigv4_params sp = {
        .access_key = cr->access_key_id,
        .secret_key = cr->secret_access_key,
        .session_token = cr->session_token,
        .region = region,
        .service = signing_name,
        .amz_date = amz_date,
        .payload_hash = payload_hash,
        .s3_mode = s3,
    };
    return wf_sigv4_signer_sign(c->signer, req, &sp, err);
}

/* The step goes in the User-Agent, which CloudTrail records and `wfrun test` attributes
 * calls by. Unsigned, as in the AWS SDKs. */
void wf_aws_user_agent(char *buf, size_t size)
{
    static const char base[] = "wfrun", with_step[] = "wfrun wfrun-step/";
    const char *step = wf_log_current_step();
    const char *head = step ? with_step : base;
    size_t n = strlen(head);
    if (size <= n) {
        if (size)
            buf[0] = '\0';
        return;
    }
    memcpy(buf, head, n);
    for (size_t i = 0; step && step[i] && n + 1 < size; i++, n++)
        buf[n] = (isalnum((unsigned char)step[i]) || strchr("-_.+", step[i])) ? step[i] : '_';
    buf[n] = '\0';
}

/* One attempt's log line: never a credential (the log redacts registered secrets too). */
static void log_attempt(wf_aws_client *c, const char *service, const char *op, int attempt,
                        double latency, wf_status st, const wf_aws_error *ae,
                        const wf_error *send_err, double retry_in)
{
    wf_log_level level = c->verbose ? WF_LOG_INFO : WF_LOG_DEBUG;
    char retry[48] = "";
    if (retry_in >= 0)
        snprintf(retry, sizeof retry, "; retrying in %.2f s", retry_in);
    if (st != WF_OK) {
        wf_log_message(level, NULL, "aws %s %s attempt %d/%d: failed after %.3f s: %s%s",
                       service, op, attempt, c->retry.max_attempts, latency,
                       send_err->message, retry);
        return;
    }
    wf_log_message(level, NULL, "aws %s %s attempt %d/%d: HTTP %d in %.3f s, request id %s%s%s%s",
                   service, op, attempt, c->retry.max_attempts, ae->status, latency,
                   ae->request_id[0] ? ae->request_id : "-", ae->is_error ? ", error " : "",
                   ae->is_error ? ae->code : "", retry);
}

wf_status wf_aws_call(wf_aws_client *c, const char *service, const char *operation,
                      const cJSON *params, cJSON **result, wf_aws_error *aws_err,
                      wf_error *err)
{
    assert(c && service && operation && result && aws_err);
    *result = NULL;
    memset(aws_err, 0, sizeof *aws_err);
    c->last_attempts = 0;

    const wf_aws_model *model = NULL;
    wf_error e = {0};
    wf_status st = wf_aws_client_model(c, service, &model, &e);
    if (st != WF_OK)
        return wf_error_set(err, st, "aws %s: %s", service, e.message);
    const char *op = wf_aws_operation_name(model, operation);
    if (!op)
        return wf_error_set(err, WF_ENOTFOUND, "aws %s has no operation \"%s\"", service,
                            operation);
    const char *region = NULL;
    st = wf_aws_config_region(&c->cfg, &region, &e);
    if (st != WF_OK)
        return wf_error_set(err, st, "%s %s: %s", service, op, e.message);

    int s3 = strcmp(service, "s3") == 0;
    wf_aws_parse_options popts = {.xml = c->xml};
    cJSON *own = NULL;
    if (wants_listing_encoding(service, op, params)) {
        own = params ? cJSON_Duplicate(params, 1) : cJSON_CreateObject();
        if (own)
            cJSON_DeleteItemFromObjectCaseSensitive(own, "EncodingType");   /* a null */
        if (!own || !cJSON_AddStringToObject(own, "EncodingType", "url")) {
            cJSON_Delete(own);
            return wf_error_set(err, WF_ENOMEM, "out of memory");
        }
        params = own;
        popts.decode_listing_keys = 1;
    }

    wf_http_request req = {0};
    wf_http_response resp = {0};
    wf_aws_endpoint ep = {0};
    char *origin = NULL, *host = NULL;
    /* Serialized once: the idempotency token and the body stay the same on every attempt. */
    st = wf_aws_serialize(model, op, params, &req, &e);
    if (st == WF_OK)
        st = wf_aws_endpoint_resolve(&c->cfg, model, region, &ep, &e);
    if (st == WF_OK) {
        const cJSON *bucket = s3 ? cJSON_GetObjectItemCaseSensitive(params, "Bucket") : NULL;
        st = wf_aws_endpoint_apply(&ep, c->cfg.s3_addressing,
                                   cJSON_IsString(bucket) ? bucket->valuestring : NULL, &req,
                                   &origin, &host, &e);
    }
    char agent[160];
    wf_aws_user_agent(agent, sizeof agent);
    if (st == WF_OK && (wf_http_headers_set(&req.headers, "Host", host) != WF_OK ||
                        wf_http_headers_set(&req.headers, "User-Agent", agent) != WF_OK))
        st = wf_error_set(&e, WF_ENOMEM, "out of memory");
    if (st != WF_OK) {
        wf_error_set(err, st, "%s %s: %s", service, op, e.message);
        goto done;
    }
    /* Over TLS the body is protected in transit, so S3 uploads skip hashing it. */
    const char *payload_hash = NULL;
    if (s3 && strcmp(ep.scheme, "https") == 0 &&
        (strcmp(op, "PutObject") == 0 || strcmp(op, "UploadPart") == 0))
        payload_hash = WF_SIGV4_UNSIGNED_PAYLOAD;

    int last_cost = 0;
    for (int attempt = 1;; attempt++) {
        c->last_attempts = attempt;
        wf_http_response_free(&resp);
        memset(&resp, 0, sizeof resp);
        cJSON_Delete(*result);
        *result = NULL;
        memset(aws_err, 0, sizeof *aws_err);

        st = sign_request(c, model, region, s3, payload_hash, &req, &e);
        if (st != WF_OK) {
            wf_error_set(err, st, "%s %s: %s", service, op, e.message);
            goto done;
        }
        double t0 = wf_clock_monotonic();
        wf_error send_err = {0};
        wf_status sent = wf_http_send(c->http, origin, &req, &resp, &send_err);
        double latency = wf_clock_monotonic() - t0;
        if (sent == WF_OK) {
            st = wf_aws_parse_response_ex(model, op, &resp, &popts, result, aws_err, &e);
            if (st != WF_OK) {
                log_attempt(c, service, op, attempt, latency, WF_OK, aws_err, &send_err, -1);
                wf_error_set(err, st, "%s %s: HTTP %d: %s", service, op, resp.status, e.message);
                goto done;
            }
        }
        wf_aws_retry_kind kind = wf_aws_retry_classify(sent, aws_err);
        int cost = 0;
        int retry = kind != WF_AWS_RETRY_NONE && attempt < c->retry.max_attempts &&
                    wf_aws_retry_acquire(&c->retry, sent == WF_EIO &&
                                         strstr(send_err.message, "timed out") != NULL, &cost);
        double delay = retry ? wf_aws_retry_delay(&c->retry, attempt) : -1;
        log_attempt(c, service, op, attempt, latency, sent, aws_err, &send_err, delay);
        if (!retry) {
            if (sent != WF_OK) {
                st = wf_error_set(err, sent, "%s %s: %s%s", service, op, send_err.message,
                                  attempt > 1 ? " (after retries)" : "");
            } else {
                st = WF_OK;
                if (!aws_err->is_error)
                    wf_aws_retry_release(&c->retry, last_cost);
            }
            goto done;
        }
        last_cost = cost;
        st = wf_sleep(delay, &e);
        if (st != WF_OK) {
            wf_error_set(err, st, "%s %s: %s", service, op, e.message);
            goto done;
        }
    }
done:
    if (st != WF_OK) {
        cJSON_Delete(*result);
        *result = NULL;
    }
    headers_remove(&req.headers, "X-Amz-Security-Token");   /* wiped, not just freed */
    if (resp.body && strcmp(service, "sts") == 0)
        OPENSSL_cleanse(resp.body, resp.body_len);          /* AssumeRole's secret key */
    wf_http_request_free(&req);
    wf_http_response_free(&resp);
    wf_aws_endpoint_free(&ep);
    free(origin);
    free(host);
    cJSON_Delete(own);
    return st;
}
