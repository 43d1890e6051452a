/* SigV4's cryptography: SHA-256 and HMAC-SHA256 through OpenSSL 3's EVP API with the
 * algorithms fetched once, and the signer's cache of the derived signing key (it only
 * changes with the day, region, service or secret, so deriving it for every request
 * would cost four HMACs for nothing; the AWS SDKs cache it too). */
#include "sigv4_internal.h"
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/params.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

static pthread_once_t fetch_once = PTHREAD_ONCE_INIT;
static EVP_MD *sha256_md;
static EVP_MAC *hmac_mac;

/* Kept for the life of the process: OpenSSL's own cleanup at exit releases them. */
static void fetch_algorithms(void)
{
    sha256_md = EVP_MD_fetch(NULL, "SHA256", NULL);
    hmac_mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
}

const EVP_MD *wf_sigv4_sha256_md(void)
{
    pthread_once(&fetch_once, fetch_algorithms);
    return sha256_md;
}

EVP_MAC_CTX *wf_sigv4_hmac_new(void)
{
    pthread_once(&fetch_once, fetch_algorithms);
    if (!hmac_mac)
        return NULL;
    EVP_MAC_CTX *ctx = EVP_MAC_CTX_new(hmac_mac);
    char digest[] = "SHA256";
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
        OSSL_PARAM_construct_end(),
    };
    if (ctx && !EVP_MAC_CTX_set_params(ctx, params)) {
        EVP_MAC_CTX_free(ctx);
        ctx = NULL;
    }
    return ctx;
}

bool wf_sigv4_hmac(EVP_MAC_CTX *ctx, const void *key, size_t key_len, const void *msg,
                   size_t msg_len, unsigned char out[32])
{
    size_t out_len = 0;
    return EVP_MAC_init(ctx, key, key ? key_len : 0, NULL) &&
           EVP_MAC_update(ctx, msg, msg_len) && EVP_MAC_final(ctx, out, &out_len, 32) &&
           out_len == 32;
}

bool wf_sigv4_derive_key(EVP_MAC_CTX *ctx, const wf_sigv4_params *p, unsigned char k[32])
{
    char seed[4 + WF_SIGV4_MAX_SECRET_LEN];
    size_t secret_len = strlen(p->secret_key);
    if (secret_len > WF_SIGV4_MAX_SECRET_LEN)
        return false;
    memcpy(seed, "AWS4", 4);
    memcpy(seed + 4, p->secret_key, secret_len);
    bool ok = wf_sigv4_hmac(ctx, seed, 4 + secret_len, p->amz_date, 8, k) &&
              wf_sigv4_hmac(ctx, k, 32, p->region, strlen(p->region), k) &&
              wf_sigv4_hmac(ctx, k, 32, p->service, strlen(p->service), k) &&
              wf_sigv4_hmac(ctx, k, 32, "aws4_request", 12, k);
    OPENSSL_cleanse(seed, 4 + secret_len);
    if (!ok)
        OPENSSL_cleanse(k, 32);
    return ok;
}

wf_status wf_sigv4_signer_new(wf_sigv4_signer **out, wf_error *err)
{
    *out = NULL;
    wf_sigv4_signer *s = calloc(1, sizeof *s);
    if (!s)
        return wf_error_set(err, WF_ENOMEM, "sigv4: out of memory");
    s->mac = wf_sigv4_hmac_new();
    s->md = EVP_MD_CTX_new();
    if (!s->mac || !s->md || !wf_sigv4_sha256_md()) {
        wf_sigv4_signer_free(s);
        return wf_error_set(err, WF_EIO, "sigv4: OpenSSL has no HMAC-SHA256");
    }
    *out = s;
    return WF_OK;
}

static void drop_key(wf_sigv4_signer *s)
{
    if (s->secret) {
        OPENSSL_cleanse(s->secret, strlen(s->secret));
        free(s->secret);
        s->secret = NULL;
    }
    s->have_key = false;
}

void wf_sigv4_signer_free(wf_sigv4_signer *s)
{
    if (!s)
        return;
    drop_key(s);
    EVP_MAC_CTX_free(s->mac);   /* OpenSSL wipes the HMAC state it held */
    EVP_MD_CTX_free(s->md);
    /* The last canonical request holds any session token, which is a credential. */
    if (s->creq.p)
        OPENSSL_cleanse(s->creq.p, s->creq.cap);
    free(s->creq.p);
    free(s->names.p);
    free(s->auth.p);
    free(s);
}

wf_status wf_sigv4_signer_key(wf_sigv4_signer *s, const wf_sigv4_params *p, wf_error *err)
{
    if (s->have_key && strcmp(s->secret, p->secret_key) == 0 &&
        memcmp(s->date, p->amz_date, 8) == 0 && strcmp(s->region, p->region) == 0 &&
        strcmp(s->service, p->service) == 0)
        return WF_OK;
    drop_key(s);
    if (strlen(p->region) > WF_SIGV4_MAX_SCOPE_PART || strlen(p->service) > WF_SIGV4_MAX_SCOPE_PART)
        return wf_error_set(err, WF_EINVAL, "sigv4: region or service too long");
    unsigned char k[32];
    s->secret = strdup(p->secret_key);
    if (!s->secret)
        return wf_error_set(err, WF_ENOMEM, "sigv4: out of memory");
    /* Keying the context with kSigning leaves its padded-key state for every later
     * signature; k itself is not kept. */
    bool ok = wf_sigv4_derive_key(s->mac, p, k) && EVP_MAC_init(s->mac, k, sizeof k, NULL);
    OPENSSL_cleanse(k, sizeof k);
    if (!ok) {
        drop_key(s);
        return wf_error_set(err, WF_EIO, "sigv4: OpenSSL HMAC-SHA256 failed");
    }
    memcpy(s->date, p->amz_date, 8);
    s->date[8] = '\0';
    strcpy(s->region, p->region);     /* lengths checked above */
    strcpy(s->service, p->service);
    s->have_key = true;
    return WF_OK;
}
