/* Module "wf.sources": a fingerprint of the DSL and stdlib sources this wfrun runs, so a
 * saved plan notices when the code that will apply it is not the code that made it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>
#include <lua.h>
#include <openssl/evp.h>

#include "embedded.h"
#include "lua_modules.h"

/* Feeds the bytes of file path into ctx. Returns 0 when the file cannot be opened, -1 on
 * a read or digest failure, 1 when it was hashed. */
static int digest_file(EVP_MD_CTX *ctx, const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    char chunk[8192];
    size_t n;
    int ok = 1;
    while (ok && (n = fread(chunk, 1, sizeof chunk, f)) > 0)
        if (EVP_DigestUpdate(ctx, chunk, n) != 1)
            ok = 0;
    if (ferror(f))
        ok = 0;
    fclose(f);
    return ok ? 1 : -1;
}

/* digest() -> hex SHA-256, module count. Each embedded module contributes its name, a NUL
 * and the source it is loaded from: $WFRUN_LUA_DIR/<path> when that file exists (as
 * lua_host.c loads it), else the embedded bytes. */
static int l_sources_digest(lua_State *L)
{
    const char *dir = getenv("WFRUN_LUA_DIR");
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int dlen = 0;
    char hex[2 * EVP_MAX_MD_SIZE + 1];
    const char *failure = NULL;
    lua_Integer count = 0;

    if (!ctx || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1) {
        failure = "sources.digest: OpenSSL digest setup failed";
        goto fail;
    }
    for (const wf_embedded_file *f = wf_embedded_files; f->module; f++) {
        if (EVP_DigestUpdate(ctx, f->module, strlen(f->module) + 1) != 1) {
            failure = "sources.digest: OpenSSL digest failed";
            goto fail;
        }
        int from_disk = 0;
        if (dir && *dir) {
            char path[4096];
            int len = snprintf(path, sizeof path, "%s/%s", dir, f->path);
            if (len > 0 && (size_t)len < sizeof path)
                from_disk = digest_file(ctx, path);
            if (from_disk < 0) {
                failure = "sources.digest: cannot read a source under WFRUN_LUA_DIR";
                goto fail;
            }
        }
        if (!from_disk && EVP_DigestUpdate(ctx, f->bytes, f->length) != 1) {
            failure = "sources.digest: OpenSSL digest failed";
            goto fail;
        }
        count++;
    }
    if (EVP_DigestFinal_ex(ctx, digest, &dlen) != 1) {
        failure = "sources.digest: OpenSSL digest failed";
        goto fail;
    }
    EVP_MD_CTX_free(ctx);
    for (unsigned int i = 0; i < dlen; i++)
        snprintf(hex + 2 * i, 3, "%02x", digest[i]);
    lua_pushlstring(L, hex, 2 * dlen);
    lua_pushinteger(L, count);
    return 2;

fail:
    EVP_MD_CTX_free(ctx);
    return luaL_error(L, "%s", failure);
}

int wf_open_sources(lua_State *L)
{
    static const luaL_Reg fns[] = {
        {"digest", l_sources_digest},
        {NULL, NULL}
    };
    luaL_newlib(L, fns);
    return 1;
}
