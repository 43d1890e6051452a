/* AWS configuration as the SDKs resolve it: the shared config and credentials files
 * (ini), the profile, the region, endpoint overrides and S3 addressing style.
 *
 * Files: AWS_CONFIG_FILE or ~/.aws/config ("[profile NAME]" sections, "[default]"),
 * AWS_SHARED_CREDENTIALS_FILE or ~/.aws/credentials ("[NAME]" sections). A missing file
 * is an empty one.
 * Ini rules (the SDKs' shared-file format): "#" or ";" starts a comment line, and starts
 * a comment inside a value when whitespace precedes it; "key = value" or "key: value",
 * keys case-insensitive, spaces around both trimmed; an indented line after a key with an
 * empty value is a sub-key ("s3 =\n  addressing_style = path" gives "s3.addressing_style"),
 * after a key with a value it continues the value; a section named twice is merged, a
 * key given twice keeps the last value; a key outside any section is an error naming
 * file and line.
 *
 * Ownership: a wf_aws_config owns all its strings and both parsed files; values returned
 * by the lookups are borrowed from it and live as long as it does. */
#ifndef WF_AWS_CONFIG_H
#define WF_AWS_CONFIG_H
#include <stddef.h>
#include "wf.h"

/* --- Ini files ---------------------------------------------------------------------- */

typedef struct wf_aws_ini wf_aws_ini;

/* Parses len bytes of ini text; name (a path) is used in error messages only. */
wf_status wf_aws_ini_parse(const char *text, size_t len, const char *name, wf_aws_ini **out,
                           wf_error *err);
/* Reads and parses the file at path; a file that does not exist gives an empty ini. */
wf_status wf_aws_ini_load(const char *path, wf_aws_ini **out, wf_error *err);
/* The value of key (lower case) in section (its name with inner spaces collapsed:
 * "profile dev"), or NULL. Sub-keys are "parent.child". */
const char *wf_aws_ini_get(const wf_aws_ini *ini, const char *section, const char *key);
int wf_aws_ini_has_section(const wf_aws_ini *ini, const char *section);
/* Wipes the values (they may be secret keys) and frees; accepts NULL. */
void wf_aws_ini_free(wf_aws_ini *ini);

/* --- Resolved configuration --------------------------------------------------------- */

typedef enum wf_aws_s3_addressing {
    WF_AWS_S3_AUTO = 0,      /* virtual-hosted when the bucket allows it, else path-style */
    WF_AWS_S3_PATH,
    WF_AWS_S3_VIRTUAL
} wf_aws_s3_addressing;

typedef struct wf_aws_config_options {
    const char *profile;        /* --profile, or NULL */
    const char *region;         /* --region, or NULL */
    const char *endpoint_url;   /* --endpoint-url, or NULL: applies to every service */
    const char *s3_addressing;  /* "auto", "path", "virtual", or NULL */
} wf_aws_config_options;

typedef struct wf_aws_config {
    char *profile;              /* option > AWS_PROFILE > "default" */
    int profile_explicit;       /* chosen by option or AWS_PROFILE (so it must exist) */
    char *region;               /* option > AWS_REGION > AWS_DEFAULT_REGION > profile's;
                                   NULL when none */
    char *endpoint_url;         /* the option, or NULL */
    char *config_path;
    char *credentials_path;
    wf_aws_ini *config;         /* parsed files (empty when missing) */
    wf_aws_ini *credentials;
    wf_aws_s3_addressing s3_addressing; /* option > WFRUN_S3_ADDRESSING_STYLE > profile's
                                           "s3.addressing_style" > auto */
} wf_aws_config;

/* Resolves everything from opts (NULL: none), the environment and the files. out must be
 * zeroed; release it with wf_aws_config_free, also after a failure. WF_EINVAL for an
 * unreadable or malformed file, a profile named by --profile/AWS_PROFILE that neither
 * file has, an invalid region or addressing style. */
wf_status wf_aws_config_load(const wf_aws_config_options *opts, wf_aws_config *out,
                             wf_error *err);
void wf_aws_config_free(wf_aws_config *cfg);

/* The region, or WF_EINVAL "no AWS region: pass --region or set AWS_REGION". */
wf_status wf_aws_config_region(const wf_aws_config *cfg, const char **region, wf_error *err);

/* A setting of profile from the config file ("[profile NAME]", "[default]"), or NULL. */
const char *wf_aws_config_get(const wf_aws_config *cfg, const char *profile, const char *key);
/* A setting of profile from the credentials file ("[NAME]"), or NULL. */
const char *wf_aws_config_credential(const wf_aws_config *cfg, const char *profile,
                                     const char *key);
/* Whether either file has a section for profile. */
int wf_aws_config_has_profile(const wf_aws_config *cfg, const char *profile);

/* The configured endpoint for the service whose model metadata.serviceId is service_id
 * ("EC2", "Auto Scaling"), in the SDKs' order: the --endpoint-url option >
 * AWS_ENDPOINT_URL_<ID> > the profile's "services" section (key <id>.endpoint_url) >
 * AWS_ENDPOINT_URL > the profile's endpoint_url; all but the option are ignored when
 * AWS_IGNORE_CONFIGURED_ENDPOINT_URLS (or the profile's
 * ignore_configured_endpoint_urls) is true. NULL when none is configured. Borrowed. */
const char *wf_aws_config_endpoint_url(const wf_aws_config *cfg, const char *service_id);

/* The environment variable for a service's endpoint: serviceId upper-cased, spaces to
 * underscores ("Auto Scaling" -> "AWS_ENDPOINT_URL_AUTO_SCALING"). */
void wf_aws_endpoint_env_name(const char *service_id, char *buf, size_t size);

/* Whether a setting ("true"/"false", any case) is true. NULL is false. */
int wf_aws_config_is_true(const char *value);

#endif
