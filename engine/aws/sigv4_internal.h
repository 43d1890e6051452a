/* Shared by the SigV4 signer (sigv4.c), its key cache (sigv4_key.c) and the verifier:
 * OpenSSL's SHA-256 and HMAC fetched once, the growing string, and the signer's state.
 * Not part of the public API. */
#ifndef WF_SIGV4_INTERNAL_H
#define WF_SIGV4_INTERNAL_H
#include <openssl/evp.h>
#include <stdbool.h>
#include <stddef.h>
#include "sigv4.h"

/* Secrets longer than this are not credentials (AWS's are 40 bytes). */
#define WF_SIGV4_MAX_SECRET_LEN 4096
/* Credential scope parts (region, service) are at most this long. */
#define WF_SIGV4_MAX_SCOPE_PART 128

/* A growing string; a failed allocation is sticky and reported once, at the end. */
typedef struct wf_sigv4_sbuf {
    char *p;
    size_t len, cap;
    bool oom;
} wf_sigv4_sbuf;

/* SHA-256, fetched from OpenSSL's default provider once per process (fetching by name
 * costs more than hashing a short request); NULL if OpenSSL has none. Thread-safe. */
const EVP_MD *wf_sigv4_sha256_md(void);
/* A new HMAC-SHA256 context without a key, or NULL. */
EVP_MAC_CTX *wf_sigv4_hmac_new(void);
/* out = HMAC(key, msg) on ctx; key NULL re-uses the key ctx was last given (cheap: no
 * re-hashing of the padded key). */
bool wf_sigv4_hmac(EVP_MAC_CTX *ctx, const void *key, size_t key_len, const void *msg,
                   size_t msg_len, unsigned char out[32]);
/* kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request")
 * for p's secret, amz_date's day, region and service (all checked by the caller). */
bool wf_sigv4_derive_key(EVP_MAC_CTX *ctx, const wf_sigv4_params *p, unsigned char k[32]);

/* What repeated signing reuses (see wf_sigv4_signer in sigv4.h). */
struct wf_sigv4_signer {
    EVP_MAC_CTX *mac;        /* keyed with the cached signing key when have_key */
    EVP_MD_CTX *md;          /* SHA-256 of the canonical request */
    bool have_key;
    char *secret;            /* the secret the key was derived from; wiped when dropped */
    char date[9];            /* YYYYMMDD */
    char region[WF_SIGV4_MAX_SCOPE_PART + 1];
    char service[WF_SIGV4_MAX_SCOPE_PART + 1];
    wf_sigv4_sbuf creq, names, auth;   /* buffers kept between calls */
};

/* Keys s->mac with the signing key for p, deriving it only when the secret, day, region
 * or service differ from the cached one. */
wf_status wf_sigv4_signer_key(wf_sigv4_signer *s, const wf_sigv4_params *p, wf_error *err);

#endif
