/* The AWS standard retry mode: classification, full-jitter backoff, retry quota. */
#include "aws/retry.h"
#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <openssl/rand.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define QUOTA_MAX 500
#define RETRY_COST 5
#define TIMEOUT_RETRY_COST 10
#define NO_RETRY_INCREMENT 1

/* botocore's _THROTTLED_ERROR_CODES. */
static const char *const throttling_codes[] = {
    "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException",
    "TooManyRequestsException", "ProvisionedThroughputExceededException",
    "TransactionInProgressException", "RequestLimitExceeded", "BandwidthLimitExceeded",
    "LimitExceededException", "RequestThrottled", "SlowDown", "PriorRequestNotComplete",
    "EC2ThrottledException", NULL};

/* botocore's _TRANSIENT_ERROR_CODES, plus the codes AWS sends with its 5xx answers
 * (retried by status anyway; listed so an S3 200-with-<Error> is retried too). */
static const char *const transient_codes[] = {
    "RequestTimeout", "RequestTimeoutException", "PriorRequestNotComplete",
    "InternalError", "InternalFailure", "ServiceUnavailable", NULL};

static int in_list(const char *const *list, const char *code)
{
    if (!code || !*code)
        return 0;
    for (; *list; list++)
        if (strcmp(*list, code) == 0)
            return 1;
    return 0;
}

int wf_aws_retry_is_throttling_code(const char *code)
{
    return in_list(throttling_codes, code);
}

int wf_aws_retry_is_transient_code(const char *code)
{
    return in_list(transient_codes, code);
}

void wf_aws_retry_init(wf_aws_retry *r, int max_attempts, double base_s)
{
    assert(r);
    r->max_attempts = max_attempts > 0 ? max_attempts : WF_AWS_RETRY_DEFAULT_ATTEMPTS;
    r->base_s = base_s > 0 ? base_s : 1.0;
    r->quota = QUOTA_MAX;
}

static int parse_attempts(const char *s, int *out)
{
    char *end = NULL;
    errno = 0;
    long v = strtol(s, &end, 10);
    while (end && isspace((unsigned char)*end))
        end++;
    if (errno || !end || *end || end == s || v < 1 || v > 100)
        return 0;
    *out = (int)v;
    return 1;
}

wf_status wf_aws_retry_max_attempts(int option, const wf_aws_config *cfg, int *out,
                                    wf_error *err)
{
    *out = WF_AWS_RETRY_DEFAULT_ATTEMPTS;
    if (option > 0) {
        *out = option;
        return WF_OK;
    }
    const char *v = getenv("AWS_MAX_ATTEMPTS");
    const char *from = "AWS_MAX_ATTEMPTS";
    if (!v || !*v) {
        v = cfg ? wf_aws_config_get(cfg, cfg->profile, "max_attempts") : NULL;
        from = "max_attempts in the config file";
    }
    if (!v || !*v)
        return WF_OK;
    if (!parse_attempts(v, out))
        return wf_error_set(err, WF_EINVAL, "%s: \"%.32s\" is not a number from 1 to 100", from,
                            v);
    return WF_OK;
}

wf_aws_retry_kind wf_aws_retry_classify(wf_status transport, const wf_aws_error *e)
{
    if (transport == WF_EIO)
        return WF_AWS_RETRY_TRANSPORT;
    if (transport != WF_OK || !e || !e->is_error)
        return WF_AWS_RETRY_NONE;
    if (wf_aws_retry_is_throttling_code(e->code))
        return WF_AWS_RETRY_THROTTLE;
    if (wf_aws_retry_is_transient_code(e->code))
        return WF_AWS_RETRY_TRANSIENT;
    if (e->status == 500 || e->status == 502 || e->status == 503 || e->status == 504)
        return WF_AWS_RETRY_TRANSIENT;
    return WF_AWS_RETRY_NONE;
}

/* A uniform number in [0, 1); jitter needs no strong randomness, but RAND_bytes needs no
 * seeding either. */
static double uniform(void)
{
    uint32_t v = 0;
    if (RAND_bytes((unsigned char *)&v, sizeof v) != 1)
        v = (uint32_t)rand();
    return (double)v / 4294967296.0;
}

double wf_aws_retry_delay(const wf_aws_retry *r, int attempt)
{
    int exp = attempt > 1 ? attempt - 1 : 0;
    if (exp > 30)
        exp = 30;
    double bound = r->base_s * ldexp(1.0, exp);
    if (bound > WF_AWS_RETRY_MAX_BACKOFF_S)
        bound = WF_AWS_RETRY_MAX_BACKOFF_S;
    return uniform() * bound;
}

int wf_aws_retry_acquire(wf_aws_retry *r, int timeout, int *cost)
{
    int c = timeout ? TIMEOUT_RETRY_COST : RETRY_COST;
    if (r->quota < c)
        return 0;
    r->quota -= c;
    if (cost)
        *cost = c;
    return 1;
}

void wf_aws_retry_release(wf_aws_retry *r, int last_cost)
{
    r->quota += last_cost > 0 ? last_cost : NO_RETRY_INCREMENT;
    if (r->quota > QUOTA_MAX)
        r->quota = QUOTA_MAX;
}
