/* Scalar values on the server side: wire text to typed params (the reverse of
 * wf_aws_ser_scalar), typed results to wire text, base64 checks, and the messages a
 * client sees when its request does not fit the model. */
#include "aws/server_internal.h"
#include "aws/parse.h"
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

wf_status wf_sim_fail(wf_aws_ser *s, wf_status code, const char *fmt, ...)
{
    char msg[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (code == WF_ENOMEM)
        return wf_error_set(s->err, code, "out of memory");
    if (s->path_len)
        return wf_error_set(s->err, code, "Invalid value for parameter %s: %s", s->path, msg);
    return wf_error_set(s->err, code, "%s", msg);
}

wf_status wf_sim_check_required(wf_aws_ser *s, const cJSON *shape, const cJSON *obj,
                                const char *except)
{
    const cJSON *name;
    cJSON_ArrayForEach(name, cJSON_GetObjectItemCaseSensitive(shape, "required")) {
        if (!cJSON_IsString(name) || (except && strcmp(name->valuestring, except) == 0))
            continue;
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name->valuestring);
        if (v && !cJSON_IsNull(v))
            continue;
        return wf_error_set(s->err, WF_EINVAL, "1 validation error detected: Value null at "
                            "'%s%s%s' failed to satisfy constraint: Member must not be null",
                            s->path, s->path_len ? "." : "", name->valuestring);
    }
    return WF_OK;
}

static int b64_value(unsigned char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+' || c == '-')
        return 62;
    if (c == '/' || c == '_')
        return 63;
    return -1;
}

unsigned char *wf_sim_base64_decode(const char *text, size_t *len, bool *oom)
{
    size_t n = strlen(text);
    *len = 0;
    *oom = false;
    unsigned char *out = malloc(n / 4 * 3 + 3);
    if (!out) {
        *oom = true;
        return NULL;
    }
    unsigned acc = 0;
    int bits = 0;
    size_t count = 0, o = 0, i = 0;
    for (; i < n && text[i] != '='; i++) {
        if (isspace((unsigned char)text[i]))
            continue;
        int v = b64_value((unsigned char)text[i]);
        if (v < 0)
            break;
        acc = (acc << 6) | (unsigned)v;
        bits += 6;
        count++;
        if (bits >= 8) {
            bits -= 8;
            out[o++] = (unsigned char)(acc >> bits);
            acc &= (1u << bits) - 1;
        }
    }
    for (; i < n; i++)   /* only padding and blanks may follow */
        if (text[i] != '=' && !isspace((unsigned char)text[i]))
            break;
    if (i < n || count % 4 == 1) {
        free(out);
        return NULL;
    }
    out[o] = '\0';   /* room is left: o < n / 4 * 3 + 3 */
    *len = o;
    return out;
}

static bool is_base64(const char *text)
{
    size_t n;
    bool oom;
    unsigned char *bytes = wf_sim_base64_decode(text, &n, &oom);
    free(bytes);
    return bytes || oom;   /* out of memory is not the client's fault */
}

wf_status wf_sim_time_epoch(const char *text, double *epoch)
{
    if (wf_aws_parse_timestamp(text, epoch) != 0 || !isfinite(*epoch) || fabs(*epoch) > 1e14)
        return WF_EINVAL;
    /* Milliseconds are all the wire formats carry; drop float noise below them. */
    *epoch = round(*epoch * 1000.0) / 1000.0;
    return WF_OK;
}

static bool is_integer_type(const char *type)
{
    return strcmp(type, "integer") == 0 || strcmp(type, "long") == 0 ||
           strcmp(type, "short") == 0 || strcmp(type, "byte") == 0;
}

/* text without surrounding blanks, copied into buf; NULL when it does not fit. */
static const char *trimmed(const char *text, size_t len, char *buf, size_t size)
{
    while (len && isspace((unsigned char)*text)) {
        text++;
        len--;
    }
    while (len && isspace((unsigned char)text[len - 1]))
        len--;
    if (len >= size || memchr(text, '\0', len))
        return NULL;
    memcpy(buf, text, len);
    buf[len] = '\0';
    return buf;
}

static wf_status made(wf_aws_ser *s, cJSON *v, cJSON **out)
{
    *out = v;
    return v ? WF_OK : wf_sim_fail(s, WF_ENOMEM, "out of memory");
}

wf_status wf_sim_scalar_from_text(wf_aws_ser *s, const cJSON *shape, const char *text,
                                  size_t len, cJSON **out)
{
    const char *type = wf_aws_shape_type(shape);
    char buf[128];
    *out = NULL;
    if (strcmp(type, "string") == 0 || strcmp(type, "blob") == 0) {
        if (len && memchr(text, '\0', len))
            return wf_sim_fail(s, WF_EINVAL, "a string cannot hold a NUL byte");
        if (strcmp(type, "blob") == 0 && !is_base64(text))
            return wf_sim_fail(s, WF_EINVAL, "expected base64 text");
        return made(s, cJSON_CreateString(text), out);   /* blobs stay base64 */
    }
    const char *t = trimmed(text, len, buf, sizeof buf);
    if (!t)
        return wf_sim_fail(s, WF_EINVAL, "not a valid %s", *type ? type : "value");
    if (strcmp(type, "boolean") == 0) {
        if (strcasecmp(t, "true") == 0 || strcasecmp(t, "false") == 0)
            return made(s, cJSON_CreateBool(strcasecmp(t, "true") == 0), out);
        return wf_sim_fail(s, WF_EINVAL, "expected true or false, got \"%s\"", t);
    }
    if (is_integer_type(type)) {
        char *end;
        errno = 0;
        long long v = *t ? strtoll(t, &end, 10) : 0;
        if (!*t || *end || errno)
            return wf_sim_fail(s, WF_EINVAL, "expected an integer, got \"%s\"", t);
        return made(s, cJSON_CreateNumber((double)v), out);
    }
    if (strcmp(type, "float") == 0 || strcmp(type, "double") == 0) {
        if (strcmp(t, "NaN") == 0 || strcmp(t, "Infinity") == 0 || strcmp(t, "-Infinity") == 0)
            return made(s, cJSON_CreateString(t), out);   /* as the serializer takes them */
        char *end;
        double v = *t ? strtod(t, &end) : NAN;
        if (!*t || *end || !isfinite(v))
            return wf_sim_fail(s, WF_EINVAL, "expected a number, got \"%s\"", t);
        return made(s, cJSON_CreateNumber(v), out);
    }
    if (strcmp(type, "timestamp") == 0) {
        double epoch;
        if (wf_sim_time_epoch(t, &epoch) != WF_OK)
            return wf_sim_fail(s, WF_EINVAL, "expected a timestamp, got \"%s\"", t);
        return made(s, cJSON_CreateNumber(epoch), out);
    }
    return wf_sim_fail(s, WF_EINVAL, "a %s value cannot come as text",
                       *type ? type : "typeless");
}

wf_status wf_sim_scalar_text(wf_aws_ser *s, const cJSON *ref, const cJSON *shape,
                             const cJSON *value, const char *ts_default, char **out)
{
    *out = NULL;
    if (strcmp(wf_aws_shape_type(shape), "blob") != 0)
        return wf_aws_ser_scalar(s, ref, shape, value, ts_default, out);
    /* Blobs come as base64 text and go out as they came. */
    if (!cJSON_IsString(value))
        return wf_aws_ser_fail(s, WF_EINVAL, "expected base64 text");
    *out = strdup(value->valuestring);
    return *out ? WF_OK : wf_aws_ser_fail(s, WF_ENOMEM, "out of memory");
}

wf_status wf_sim_object_set(wf_aws_ser *s, cJSON *obj, const char *key, cJSON *value)
{
    if (!value)
        return wf_sim_fail(s, WF_ENOMEM, "out of memory");
    bool ok = cJSON_GetObjectItemCaseSensitive(obj, key)
                  ? cJSON_ReplaceItemInObjectCaseSensitive(obj, key, value)
                  : cJSON_AddItemToObject(obj, key, value);
    if (!ok) {
        cJSON_Delete(value);
        return wf_sim_fail(s, WF_ENOMEM, "out of memory");
    }
    return WF_OK;
}
