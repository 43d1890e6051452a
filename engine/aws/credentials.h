/* AWS credentials and the provider chain, in the SDKs' order:
 *  1. environment: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN;
 *  2. the profile (wf_aws_config.profile): when it has role_arn, STS AssumeRole with the
 *     credentials of its source_profile (or credential_source = Environment |
 *     Ec2InstanceMetadata), made through wf_aws_call; else its static keys from the
 *     credentials file, then the config file. A source profile with static keys uses them
 *     even if it also has a role_arn (chains of roles are followed otherwise);
 *  3. the EC2 instance metadata service, IMDSv2 (token, then role, then credentials), at
 *     AWS_EC2_METADATA_SERVICE_ENDPOINT or http://169.254.169.254, 1 s timeouts
 *     (AWS_METADATA_SERVICE_TIMEOUT), skipped when AWS_EC2_METADATA_DISABLED=true.
 * The first source that is configured is used; if it then fails, that failure is the
 * error (no fall-through to the next source). When none is configured the error lists
 * every source tried and why each did not apply. No message ever holds a secret.
 *
 * Temporary credentials (assumed role, instance metadata) are cached in memory and
 * fetched again 5 minutes before they expire (wall clock, so WFRUN_FAKE_TIME moves it).
 * Every secret key and session token is registered with wf_log_add_secret, and wiped
 * (OPENSSL_cleanse) when freed.
 *
 * Ownership: the provider borrows the wf_aws_config it is made with (it must outlive the
 * provider) and owns the credentials it hands out; a borrowed wf_aws_credentials is valid
 * until the next wf_aws_credentials_get on the same provider or its free. Not thread-safe. */
#ifndef WF_AWS_CREDENTIALS_H
#define WF_AWS_CREDENTIALS_H
#include "aws/aws_config.h"
#include "wf.h"

typedef struct wf_aws_credentials {
    char *access_key_id;
    char *secret_access_key;
    char *session_token;        /* NULL when there is none */
    double expiration;          /* epoch seconds; 0: does not expire */
} wf_aws_credentials;

/* Deep copy into dst (zeroed); registers the secrets with the log. */
wf_status wf_aws_credentials_copy(wf_aws_credentials *dst, const wf_aws_credentials *src);
/* Wipes and frees the strings; accepts a zeroed struct. */
void wf_aws_credentials_clear(wf_aws_credentials *c);

typedef struct wf_aws_credentials_provider wf_aws_credentials_provider;

/* Settings the provider passes on to the clients it makes for STS and IMDS. */
typedef struct wf_aws_provider_options {
    double connect_timeout_s;   /* STS; <= 0: the HTTP client's default */
    double timeout_s;
    int max_attempts;           /* STS; <= 0: the default */
    double retry_base_s;
} wf_aws_provider_options;

/* The chain above over cfg (borrowed). Nothing is read or fetched until the first get. */
wf_status wf_aws_credentials_provider_new(const wf_aws_config *cfg,
                                          const wf_aws_provider_options *opts,
                                          wf_aws_credentials_provider **out, wf_error *err);
/* A provider that always returns a copy of creds. */
wf_status wf_aws_credentials_provider_new_static(const wf_aws_credentials *creds,
                                                 wf_aws_credentials_provider **out,
                                                 wf_error *err);
void wf_aws_credentials_provider_free(wf_aws_credentials_provider *p);

/* Current credentials, resolved on first use and refreshed when they near expiry (if a
 * refresh fails while the old ones are still valid, the old ones are kept). */
wf_status wf_aws_credentials_get(wf_aws_credentials_provider *p,
                                 const wf_aws_credentials **out, wf_error *err);
/* Where the credentials came from, for logs ("environment", "profile dev",
 * "role arn:aws:iam::1:role/x via profile dev", "EC2 instance metadata (role r)");
 * "" before the first successful get. */
const char *wf_aws_credentials_source(const wf_aws_credentials_provider *p);
/* How many times credentials were fetched (first resolution and each refresh): tests. */
int wf_aws_credentials_fetches(const wf_aws_credentials_provider *p);

#endif
