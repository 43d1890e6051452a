/* Where an AWS request goes: the service endpoint (configured or the regional default),
 * the operation's host prefix, and S3 bucket addressing (virtual-hosted or path-style).
 *
 * Default endpoints are regional: https://<endpointPrefix>.<region>.amazonaws.com
 * (".amazonaws.com.cn" in cn-* regions), STS included (its global endpoint is not used);
 * S3 is https://s3.<region>.amazonaws.com, with the bucket in the host name
 * (https://<bucket>.s3.<region>.amazonaws.com) unless path-style is chosen, the
 * endpoint is configured, or the bucket name cannot be a host name.
 *
 * Ownership: a wf_aws_endpoint owns its strings; wf_aws_endpoint_free accepts a zeroed
 * one. Functions returning char * return malloc'd strings the caller frees. */
#ifndef WF_AWS_ENDPOINTS_H
#define WF_AWS_ENDPOINTS_H
#include "aws/aws_config.h"
#include "aws/http_message.h"
#include "aws/model.h"
#include "wf.h"

typedef struct wf_aws_endpoint {
    char *scheme;       /* "https" or "http" */
    char *host;         /* "ec2.us-east-1.amazonaws.com", "127.0.0.1", "[::1]" */
    int port;           /* 0: the scheme's default */
    char *base_path;    /* "" or "/prefix" (no trailing '/'), put before every request path */
    int custom;         /* 1 when configured (--endpoint-url, AWS_ENDPOINT_URL...) */
} wf_aws_endpoint;

/* Parses "http[s]://host[:port][/path]"; no user info, query or fragment. out zeroed. */
wf_status wf_aws_endpoint_parse(const char *url, wf_aws_endpoint *out, wf_error *err);
void wf_aws_endpoint_free(wf_aws_endpoint *ep);

/* The endpoint of model's service: the configured one (wf_aws_config_endpoint_url with
 * the model's serviceId) or the regional default. out zeroed. */
wf_status wf_aws_endpoint_resolve(const wf_aws_config *cfg, const wf_aws_model *model,
                                  const char *region, wf_aws_endpoint *out, wf_error *err);

/* Whether an S3 bucket can be a host name label under TLS: 3-63 characters of lower-case
 * letters, digits and '-', starting and ending with a letter or digit (a '.' would break
 * the certificate's wildcard, so it forces path-style). */
int wf_aws_s3_virtual_hostable(const char *bucket);

/* Points a serialized request at ep: moves bucket (non-NULL for S3 operations that name
 * one) from the path to the host when virtual-hosted addressing applies, prepends the
 * operation's host_prefix (not to IP addresses or "localhost"), prepends ep's base path.
 * Sets *origin ("scheme://host[:port]", for wf_http_send) and *host (the Host header
 * value, "host[:port]"). */
wf_status wf_aws_endpoint_apply(const wf_aws_endpoint *ep, wf_aws_s3_addressing style,
                                const char *bucket, wf_http_request *req, char **origin,
                                char **host, wf_error *err);

#endif
