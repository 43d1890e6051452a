/* One AWS API call, end to end: serialize -> endpoint -> sign -> send -> parse, with
 * retries in the AWS standard mode. The client holds what calls share: configuration,
 * credentials, connections, the loaded service models and the retry quota.
 *
 * Ownership: options are read at creation (strings copied). The client owns its models;
 * wf_aws_client_model hands out borrowed pointers valid until wf_aws_client_free.
 * wf_aws_call only reads params; *result is a new tree the caller frees with
 * cJSON_Delete (on success and on AWS errors alike). Not thread-safe: one client per
 * thread. */
#ifndef WF_AWS_CALL_H
#define WF_AWS_CALL_H
#include <cjson/cJSON.h>
#include "aws/aws_config.h"
#include "aws/credentials.h"
#include "aws/model.h"
#include "aws/parse.h"
#include "wf.h"

typedef struct wf_aws_client_options {
    const char *profile;          /* --profile; NULL: AWS_PROFILE, then "default" */
    const char *region;           /* --region; NULL: AWS_REGION, AWS_DEFAULT_REGION, profile */
    const char *endpoint_url;     /* --endpoint-url, for every service; NULL: configured
                                     per service or the regional default */
    const char *s3_addressing;    /* "auto" (default), "path" or "virtual" */
    int max_attempts;             /* <= 0: AWS_MAX_ATTEMPTS, the profile's, then 3 */
    double connect_timeout_s;     /* <= 0: 10 s */
    double timeout_s;             /* per attempt; <= 0: 120 s */
    double retry_base_s;          /* backoff base; <= 0: 1 s (tests make it small) */
    int verbose;                  /* log each attempt at INFO rather than DEBUG */
    const wf_aws_credentials *credentials; /* fixed credentials (copied) instead of the
                                              chain; NULL: the chain */
} wf_aws_client_options;

typedef struct wf_aws_client wf_aws_client;

/* Loads the configuration (files, profile, region, settings); contacts nothing yet.
 * WF_EINVAL for bad configuration (see wf_aws_config_load). */
wf_status wf_aws_client_new(const wf_aws_client_options *opts, wf_aws_client **out,
                            wf_error *err);
void wf_aws_client_free(wf_aws_client *c);   /* accepts NULL */

/* The client's resolved configuration (borrowed). */
const wf_aws_config *wf_aws_client_config(const wf_aws_client *c);
/* The model of service ("ec2", "s3", ...), loaded on first use and kept. */
wf_status wf_aws_client_model(wf_aws_client *c, const char *service,
                              const wf_aws_model **out, wf_error *err);
/* The client's credentials (resolving or refreshing them as needed); borrowed until the
 * next call on this client. */
wf_status wf_aws_client_credentials(wf_aws_client *c, const wf_aws_credentials **out,
                                    wf_error *err);
/* Attempts the last wf_aws_call made (1 when it needed no retry): logs and tests. */
int wf_aws_client_last_attempts(const wf_aws_client *c);

/* Calls operation of service with params (a JSON object as boto3 takes it; NULL: {}).
 * operation is the API name ("DescribeImages"); the snake_case name is accepted too.
 * Idempotency tokens are filled once and the same request is re-signed (new X-Amz-Date)
 * for every attempt, so a retry never creates a second resource.
 *
 * Returns:
 *  - WF_OK with aws_err->is_error 0: *result is the operation's output; aws_err has the
 *    HTTP status and request id;
 *  - WF_OK with aws_err->is_error 1: AWS answered with an error (after retries if it was
 *    retryable): code, message, request id and status in aws_err; *result is the
 *    modeled error's members or NULL;
 *  - WF_EIO: no answer after every attempt (connection failures), message from curl;
 *  - WF_EINTR / WF_ETIMEOUT: a signal or a deadline stopped the call (never retried);
 *  - WF_EINVAL: bad parameters (the serializer's message), no region, no credentials
 *    (the message lists the sources tried), bad configuration;
 *  - WF_ENOTFOUND: unknown service or operation;
 *  - WF_EPARSE: a success answer that does not match the model.
 * err gets a message naming service and operation for every status but WF_OK. */
wf_status wf_aws_call(wf_aws_client *c, const char *service, const char *operation,
                      const cJSON *params, cJSON **result, wf_aws_error *aws_err,
                      wf_error *err);

/* One line for an AWS error: "ec2 RunInstances: InvalidParameterValue: <message>
 * (HTTP 400, request id <id>)". */
void wf_aws_error_describe(const wf_aws_error *e, const char *service, const char *operation,
                           char *buf, size_t size);

/* botocore's xform_name: "DescribeImages" -> "describe_images", "DescribeDBInstances" ->
 * "describe_db_instances", "ListObjectsV2" -> "list_objects_v2"; a name that already has
 * '_' is returned as is. malloc'd; NULL when out of memory. */
char *wf_aws_xform_name(const char *api_name);
/* The model's operation name for name, given as the API spells it or in snake_case;
 * borrowed from the model; NULL when the model has no such operation. */
const char *wf_aws_operation_name(const wf_aws_model *model, const char *name);

/* The User-Agent of wfrun's AWS requests: "wfrun", plus " wfrun-step/NAME" while a step
 * (or its undo) runs (the log's current step; other characters than [A-Za-z0-9-_.+]
 * become '_'). awssim's request log and fault rules read the step from it. */
void wf_aws_user_agent(char *buf, size_t size);

#endif
