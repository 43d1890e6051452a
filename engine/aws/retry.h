/* AWS "standard" retry mode, as botocore's retries/standard.py and the SDKs define it:
 * which failures are retried, how long to wait (capped exponential backoff with full
 * jitter), and the retry quota that stops a client from retrying into an outage.
 *
 * Retried: throttling error codes, transient error codes, HTTP 500/502/503/504, and
 * transport failures (WF_EIO: connection refused or dropped, the HTTP timeout). Never
 * retried: interruptions and deadlines (WF_EINTR, WF_ETIMEOUT) and every other error.
 * Delay before attempt n+1: random in [0, min(base * 2^(n-1), 20 s)], base 1 s.
 * Quota: 500 tokens; a retry costs 5 (10 after a timeout); a call that succeeds gives back
 * what its last retry cost, or 1 when it needed none. */
#ifndef WF_AWS_RETRY_H
#define WF_AWS_RETRY_H
#include "aws/aws_config.h"
#include "aws/parse.h"
#include "wf.h"

#define WF_AWS_RETRY_DEFAULT_ATTEMPTS 3
#define WF_AWS_RETRY_MAX_BACKOFF_S 20.0

typedef enum wf_aws_retry_kind {
    WF_AWS_RETRY_NONE = 0,    /* not retryable */
    WF_AWS_RETRY_THROTTLE,    /* a throttling error code */
    WF_AWS_RETRY_TRANSIENT,   /* a transient code or 5xx status */
    WF_AWS_RETRY_TRANSPORT    /* no answer at all */
} wf_aws_retry_kind;

typedef struct wf_aws_retry {
    int max_attempts;         /* >= 1 */
    double base_s;            /* first backoff bound; 1 s unless a test shrinks it */
    int quota;                /* tokens left */
} wf_aws_retry;

/* max_attempts <= 0 and base_s <= 0 mean the defaults. */
void wf_aws_retry_init(wf_aws_retry *r, int max_attempts, double base_s);

/* The attempts to make: option (when > 0) > AWS_MAX_ATTEMPTS > the profile's
 * max_attempts > 3. WF_EINVAL when a setting is not a whole number >= 1. */
wf_status wf_aws_retry_max_attempts(int option, const wf_aws_config *cfg, int *out,
                                    wf_error *err);

int wf_aws_retry_is_throttling_code(const char *code);
int wf_aws_retry_is_transient_code(const char *code);

/* Classifies an attempt's outcome: transport is the status of sending it (WF_OK when an
 * answer came back), aws_err the parsed answer (ignored unless transport is WF_OK). */
wf_aws_retry_kind wf_aws_retry_classify(wf_status transport, const wf_aws_error *aws_err);

/* The delay before the next attempt, after attempt (1-based) failed. */
double wf_aws_retry_delay(const wf_aws_retry *r, int attempt);

/* Takes the quota a retry costs; 0 (and nothing taken) when the quota is exhausted.
 * timeout: the failure was the HTTP timeout. *cost receives what was taken. */
int wf_aws_retry_acquire(wf_aws_retry *r, int timeout, int *cost);
/* After a successful call: gives back last_cost (0: the call needed no retry, gives 1). */
void wf_aws_retry_release(wf_aws_retry *r, int last_cost);

#endif
