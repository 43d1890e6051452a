/* AWS Signature Version 4: signs requests (Authorization header or presigned URL) and
 * verifies them (for awssim), with OpenSSL's SHA-256 and HMAC.
 *
 * Ownership: every char ** out-parameter receives a malloc'd string the caller frees; on
 * failure it is left NULL. Parameters are only read. A verdict owns its strings; free them
 * with wf_sigv4_verdict_free. Secret keys never appear in error messages or verdicts.
 *
 * The request's path and query are what goes on the wire (percent-encoded). The clock is
 * the caller's: amz_date is a parameter (see wf_sigv4_format_date), so tests are
 * reproducible. */
#ifndef WF_SIGV4_H
#define WF_SIGV4_H
#include <stdbool.h>
#include <time.h>
#include "http_message.h"
#include "wf.h"

#define WF_SIGV4_ALGORITHM "AWS4-HMAC-SHA256"
#define WF_SIGV4_UNSIGNED_PAYLOAD "UNSIGNED-PAYLOAD"
/* Longest presigned URL lifetime AWS accepts (7 days). */
#define WF_SIGV4_MAX_EXPIRES 604800u

typedef struct wf_sigv4_params {
    const char *access_key;
    const char *secret_key;
    const char *session_token;  /* NULL or "" when the credentials have none */
    const char *region;         /* "us-east-1" */
    const char *service;        /* signing name: "ec2", "s3", "sts", ... */
    const char *amz_date;       /* "20150830T123600Z" (UTC) */
    const char *payload_hash;   /* NULL: hex SHA-256 of the body; or "UNSIGNED-PAYLOAD" etc. */
    bool s3_mode;               /* S3 rules: the path is signed as sent (no second encoding,
                                   no normalisation) and x-amz-content-sha256 is signed */
    bool keep_path_dots;        /* no path normalisation ("." "..", "//" kept) outside S3:
                                   the suite's normalize=false */
    bool sign_content_sha256;   /* add and sign x-amz-content-sha256 outside S3 too */
    bool unsigned_session_token; /* add the session token after signing, outside the
                                    signature, as AWS IoT wants */
} wf_sigv4_params;

/* Formats t (UTC) as "YYYYMMDDTHHMMSSZ". WF_EINVAL when t does not fit four-digit years. */
wf_status wf_sigv4_format_date(time_t t, char out[17]);
/* Parses "YYYYMMDDTHHMMSSZ" into a time_t (UTC). WF_EINVAL when malformed. */
wf_status wf_sigv4_parse_date(const char *amz_date, time_t *out);

/* Hex SHA-256 of len bytes (the payload hash). */
wf_status wf_sigv4_hex_sha256(const void *data, size_t len, char out[65]);

/* --- The steps, each testable on its own --------------------------------------------- */

/* Canonical URI: with s3_rules the wire path as is; otherwise dot segments and empty
 * segments removed (unless keep_dots) and every byte outside unreserved and '/' encoded
 * once more (so "%20" becomes "%2520": AWS's "encode twice"). "" becomes "/". */
wf_status wf_sigv4_canonical_path(const char *path, bool s3_rules, bool keep_dots, char **out,
                                  wf_error *err);
/* Canonical query: each name and value decoded then re-encoded ('/' too), pairs sorted by
 * name then value, "name=" when there is no value. query is without '?'; "" gives "". */
wf_status wf_sigv4_canonical_query(const char *query, char **out, wf_error *err);
/* Canonical request over exactly the given headers (the caller chose what is signed):
 * names lowercased and sorted, values trimmed with inner whitespace runs (folded lines
 * included) collapsed to one space, repeated names joined with ','. signed_headers
 * (nullable) gets "host;x-amz-date". Used by the signer and by the verifier. */
wf_status wf_sigv4_canonical_request_over(const char *method, const char *path,
                                          const char *query, const wf_http_headers *headers,
                                          const char *payload_hash, bool s3_rules,
                                          bool keep_dots, char **out, char **signed_headers,
                                          wf_error *err);

/* The canonical request wf_sigv4_sign would sign: req's headers (a host header is
 * required) minus the ones proxies rewrite (user-agent, expect, ...) and minus any old
 * Authorization, plus the X-Amz-Date, X-Amz-Security-Token and x-amz-content-sha256 that
 * wf_sigv4_sign will set. */
wf_status wf_sigv4_canonical_request(const wf_http_request *req, const wf_sigv4_params *p,
                                     char **out, char **signed_headers, wf_error *err);
/* The canonical request wf_sigv4_presign would sign: the X-Amz-* query parameters added,
 * no date or token headers; payload "UNSIGNED-PAYLOAD" in S3 mode unless given. */
wf_status wf_sigv4_presign_canonical_request(const wf_http_request *req,
                                             const wf_sigv4_params *p, unsigned expires,
                                             char **out, char **signed_headers, wf_error *err);
/* "AWS4-HMAC-SHA256\n<amz_date>\n<date>/<region>/<service>/aws4_request\n<hex sha256>". */
wf_status wf_sigv4_string_to_sign(const wf_sigv4_params *p, const char *canonical_request,
                                  char **out, wf_error *err);
/* Hex HMAC of string_to_sign under the key derived from the secret, date, region, service. */
wf_status wf_sigv4_signature(const wf_sigv4_params *p, const char *string_to_sign,
                             char out[65], wf_error *err);

/* --- Signing ---------------------------------------------------------------------------- */

/* Signs req in place: sets X-Amz-Security-Token (when there is a token), X-Amz-Date,
 * x-amz-content-sha256 (S3 or sign_content_sha256) and Authorization. Re-signing a
 * request replaces them. On failure req may hold some of the new headers but no
 * Authorization computed from them. */
wf_status wf_sigv4_sign(wf_http_request *req, const wf_sigv4_params *p, wf_error *err);
/* Presigns req in place: appends X-Amz-Algorithm, -Credential, -Date, -SignedHeaders,
 * -Expires, -Security-Token and -Signature to its query. 1 <= expires <= 7 days. */
wf_status wf_sigv4_presign(wf_http_request *req, const wf_sigv4_params *p, unsigned expires,
                           wf_error *err);

/* --- Repeated signing ------------------------------------------------------------------- */

/* A signer for many requests (one per AWS client): it keeps the signing key derived for
 * the last (secret, day, region, service), OpenSSL's HMAC and SHA-256 contexts and its
 * buffers, so a request costs a SHA-256 of the canonical request (and of a non-empty
 * body) and one HMAC instead of five. The key is never logged; it is wiped when replaced
 * and when the signer is freed. Not thread-safe. */
typedef struct wf_sigv4_signer wf_sigv4_signer;

wf_status wf_sigv4_signer_new(wf_sigv4_signer **out, wf_error *err);
void wf_sigv4_signer_free(wf_sigv4_signer *s);   /* accepts NULL */
/* wf_sigv4_sign through s's cache: the same headers, byte for byte. */
wf_status wf_sigv4_signer_sign(wf_sigv4_signer *s, wf_http_request *req,
                               const wf_sigv4_params *p, wf_error *err);

/* --- Verifying (awssim) ----------------------------------------------------------------- */

typedef enum wf_sigv4_result {
    WF_SIGV4_OK = 0,
    WF_SIGV4_MISSING_AUTH,     /* neither header nor query auth: MissingAuthenticationToken
                                  (S3: AccessDenied) */
    WF_SIGV4_MALFORMED,        /* bad or incomplete auth fields: IncompleteSignature
                                  (S3: AuthorizationHeaderMalformed) */
    WF_SIGV4_UNKNOWN_KEY,      /* InvalidClientTokenId (S3: InvalidAccessKeyId) */
    WF_SIGV4_MISMATCH,         /* SignatureDoesNotMatch */
    WF_SIGV4_PAYLOAD_MISMATCH  /* x-amz-content-sha256 is not the body's hash (S3:
                                  XAmzContentSHA256Mismatch) */
} wf_sigv4_result;

typedef struct wf_sigv4_verdict {
    wf_sigv4_result result;
    bool presigned;              /* query-string auth */
    char access_key[129];        /* parsed fields, "" when not reached */
    char region[64];
    char service[64];
    char amz_date[17];           /* the request's time; checking skew is the caller's job */
    unsigned expires;            /* X-Amz-Expires of a presigned request, else 0 */
    char detail[256];            /* why it failed, for the error message; no secrets */
    char *session_token;         /* X-Amz-Security-Token as sent (decoded), or NULL */
    bool session_token_signed;
    char *canonical_request;     /* what the verifier signed (S3 puts it in its error */
    char *string_to_sign;        /* body), or NULL when it did not get that far */
} wf_sigv4_verdict;

/* Returns the secret of access_key, or NULL when unknown; it must stay valid until
 * wf_sigv4_verify returns. */
typedef const char *(*wf_sigv4_secret_fn)(const char *access_key, void *ud);

/* Checks req's Authorization header (or its presigned query) against the secret that
 * lookup_secret gives for its access key. service_hint (nullable): the service the request
 * reached; a credential scoped to another service is a mismatch, and "s3" selects S3's
 * canonical rules (else the scope's service does). Returns WF_OK whenever a verdict was
 * reached, good or bad; *out is then filled (free it with wf_sigv4_verdict_free).
 * Signatures are compared in constant time. */
wf_status wf_sigv4_verify(const wf_http_request *req, wf_sigv4_secret_fn lookup_secret,
                          void *ud, const char *service_hint, wf_sigv4_verdict *out,
                          wf_error *err);
/* Frees the verdict's strings; accepts a zeroed verdict. */
void wf_sigv4_verdict_free(wf_sigv4_verdict *v);

#endif
