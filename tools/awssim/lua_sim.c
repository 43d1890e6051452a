/* The "simcore" Lua module: what the Lua resource models need from C — the simulated
 * clock, time formats, MD5/SHA-256, base64, random ids. Thin wrappers, no state of
 * their own besides the simulator pointer in the registry. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <lauxlib.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "aws/parse.h"
#include "sim.h"

static const char sim_key = 0;   /* registry slot of the wf_sim pointer */

void wf_sim_lua_bind(lua_State *L, wf_sim *sim)
{
    lua_pushlightuserdata(L, sim);
    lua_rawsetp(L, LUA_REGISTRYINDEX, &sim_key);
}

static wf_sim *get_sim(lua_State *L)
{
    lua_rawgetp(L, LUA_REGISTRYINDEX, &sim_key);
    wf_sim *sim = lua_touserdata(L, -1);
    lua_pop(L, 1);
    if (!sim)
        luaL_error(L, "simcore: no simulator bound to this Lua state");
    return sim;
}

/* simcore.now() -> sim epoch seconds (float) */
static int l_now(lua_State *L)
{
    lua_pushnumber(L, wf_sim_clock_now(&get_sim(L)->clock));
    return 1;
}

/* simcore.real_now() -> wall-clock epoch seconds */
static int l_real_now(lua_State *L)
{
    lua_pushnumber(L, wf_sim_real_now());
    return 1;
}

/* simcore.time_scale() -> number */
static int l_time_scale(lua_State *L)
{
    lua_pushnumber(L, wf_sim_clock_scale(&get_sim(L)->clock));
    return 1;
}

static struct tm utc_of(lua_State *L, double t)
{
    time_t secs = (time_t)t;
    struct tm tm = {0};   /* luaL_error does not return, but clang cannot know that */
    if (t < 0 || t > 253402300799.0 || !gmtime_r(&secs, &tm))
        luaL_error(L, "simcore: time %f out of range", t);
    return tm;
}

/* simcore.iso8601(t) -> "2024-05-01T12:00:00.000Z", the form AWS XML answers use */
static int l_iso8601(lua_State *L)
{
    double t = luaL_checknumber(L, 1);
    struct tm tm = utc_of(L, t);
    int ms = (int)((t - (double)(time_t)t) * 1000.0);
    char buf[96];
    snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
             tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ms);
    lua_pushstring(L, buf);
    return 1;
}

/* simcore.http_date(t) -> "Wed, 01 May 2024 12:00:00 GMT" (S3 Last-Modified) */
static int l_http_date(lua_State *L)
{
    struct tm tm = utc_of(L, luaL_checknumber(L, 1));
    char buf[40];
    strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    lua_pushstring(L, buf);
    return 1;
}

/* simcore.parse_time(s) -> epoch seconds, or nil when s is no timestamp AWS writes */
static int l_parse_time(lua_State *L)
{
    double epoch;
    if (wf_aws_parse_timestamp(luaL_checkstring(L, 1), &epoch) != 0)
        return 0;
    lua_pushnumber(L, epoch);
    return 1;
}

static int push_hex(lua_State *L, const unsigned char *d, unsigned n)
{
    char hex[2 * EVP_MAX_MD_SIZE + 1];
    for (unsigned i = 0; i < n; i++)
        snprintf(hex + 2 * i, 3, "%02x", d[i]);
    lua_pushlstring(L, hex, 2 * (size_t)n);
    return 1;
}

static unsigned digest(lua_State *L, const EVP_MD *md, unsigned char out[EVP_MAX_MD_SIZE])
{
    size_t len;
    const char *s = luaL_checklstring(L, 1, &len);
    unsigned n = 0;
    if (!EVP_Digest(s, len, out, &n, md, NULL))
        luaL_error(L, "simcore: OpenSSL digest failed");
    return n;
}

/* simcore.md5_hex(bytes) -> "d41d8cd9..." (S3 ETags) */
static int l_md5_hex(lua_State *L)
{
    unsigned char d[EVP_MAX_MD_SIZE];
    unsigned n = digest(L, EVP_md5(), d);
    return push_hex(L, d, n);
}

/* simcore.md5(bytes) -> the 16 raw bytes (multipart ETags hash the concatenation) */
static int l_md5(lua_State *L)
{
    unsigned char d[EVP_MAX_MD_SIZE];
    unsigned n = digest(L, EVP_md5(), d);
    lua_pushlstring(L, (const char *)d, n);
    return 1;
}

/* simcore.sha256_hex(bytes) -> hex */
static int l_sha256_hex(lua_State *L)
{
    unsigned char d[EVP_MAX_MD_SIZE];
    unsigned n = digest(L, EVP_sha256(), d);
    return push_hex(L, d, n);
}

/* simcore.base64_encode(bytes) -> text */
static int l_base64_encode(lua_State *L)
{
    size_t len;
    const char *s = luaL_checklstring(L, 1, &len);
    if (len > (size_t)0x3fffffff)
        return luaL_error(L, "simcore: base64_encode: input too large");
    luaL_Buffer b;
    unsigned char *out = (unsigned char *)luaL_buffinitsize(L, &b, 4 * ((len + 2) / 3) + 1);
    int n = EVP_EncodeBlock(out, (const unsigned char *)s, (int)len);
    luaL_pushresultsize(&b, (size_t)n);
    return 1;
}

/* simcore.base64_decode(text) -> bytes, or nil when text is not base64 */
static int l_base64_decode(lua_State *L)
{
    size_t len;
    const char *s = luaL_checklstring(L, 1, &len);
    if (len % 4 != 0 || len > (size_t)0x7ffffffc)
        return 0;
    if (len == 0) {
        lua_pushliteral(L, "");
        return 1;
    }
    luaL_Buffer b;
    unsigned char *out = (unsigned char *)luaL_buffinitsize(L, &b, len / 4 * 3 + 1);
    int n = EVP_DecodeBlock(out, (const unsigned char *)s, (int)len);
    if (n < 0)
        return 0;
    /* EVP_DecodeBlock counts the padding as zero bytes. */
    if (s[len - 1] == '=')
        n--;
    if (s[len - 2] == '=')
        n--;
    luaL_pushresultsize(&b, (size_t)n);
    return 1;
}

/* simcore.random_hex(n) -> n lowercase hex digits (1..256) */
static int l_random_hex(lua_State *L)
{
    lua_Integer n = luaL_checkinteger(L, 1);
    luaL_argcheck(L, n >= 1 && n <= 256, 1, "1..256 digits");
    unsigned char bytes[128];
    if (RAND_bytes(bytes, (int)((n + 1) / 2)) != 1)
        return luaL_error(L, "simcore: RAND_bytes failed");
    char hex[257];
    for (lua_Integer i = 0; i < (n + 1) / 2; i++)
        snprintf(hex + 2 * i, 3, "%02x", bytes[i]);
    lua_pushlstring(L, hex, (size_t)n);
    return 1;
}

/* simcore.uuid() -> random version 4 UUID */
static int l_uuid(lua_State *L)
{
    unsigned char b[16];
    if (RAND_bytes(b, sizeof b) != 1)
        return luaL_error(L, "simcore: RAND_bytes failed");
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
    char s[37];
    snprintf(s, sizeof s, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
             b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12],
             b[13], b[14], b[15]);
    lua_pushstring(L, s);
    return 1;
}

/* simcore.log(message): a line on awssim's stderr, for model debugging */
static int l_log(lua_State *L)
{
    fprintf(stderr, "awssim: %s\n", luaL_checkstring(L, 1));
    return 0;
}

static const luaL_Reg core_funcs[] = {
    {"now", l_now},
    {"real_now", l_real_now},
    {"time_scale", l_time_scale},
    {"iso8601", l_iso8601},
    {"http_date", l_http_date},
    {"parse_time", l_parse_time},
    {"md5_hex", l_md5_hex},
    {"md5", l_md5},
    {"sha256_hex", l_sha256_hex},
    {"base64_encode", l_base64_encode},
    {"base64_decode", l_base64_decode},
    {"random_hex", l_random_hex},
    {"uuid", l_uuid},
    {"log", l_log},
    {NULL, NULL}
};

int wf_sim_open_core(lua_State *L)
{
    luaL_newlib(L, core_funcs);
    return 1;
}
