/* Helpers shared by the request serializers: buffer, parameter checks, scalar formatting. */
#include "aws/serialize_util.h"
#include <assert.h>
#include <ctype.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <openssl/evp.h>

/* ---- buffer ---- */

static bool buf_reserve(wf_aws_buf *b, size_t extra)
{
    if (b->oom)
        return false;
    if (b->len + extra + 1 <= b->cap)
        return true;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + extra + 1) {
        if (cap > SIZE_MAX / 2) {
            b->oom = true;
            return false;
        }
        cap *= 2;
    }
    char *grown = realloc(b->data, cap);
    if (!grown) {
        b->oom = true;
        return false;
    }
    b->data = grown;
    b->cap = cap;
    return true;
}

void wf_aws_buf_append(wf_aws_buf *b, const char *s, size_t n)
{
    if (!buf_reserve(b, n))
        return;
    if (n)
        memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void wf_aws_buf_puts(wf_aws_buf *b, const char *s)
{
    wf_aws_buf_append(b, s, strlen(s));
}

void wf_aws_buf_printf(wf_aws_buf *b, const char *fmt, ...)
{
    char small[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0) {
        b->oom = true;
        return;
    }
    if ((size_t)n < sizeof small) {
        wf_aws_buf_append(b, small, (size_t)n);
        return;
    }
    if (!buf_reserve(b, (size_t)n))
        return;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

char *wf_aws_buf_take(wf_aws_buf *b)
{
    if (!b->oom && !b->data)
        buf_reserve(b, 0);
    if (b->oom) {
        wf_aws_buf_free(b);
        return NULL;
    }
    b->data[b->len] = '\0';
    char *data = b->data;
    memset(b, 0, sizeof *b);
    return data;
}

void wf_aws_buf_free(wf_aws_buf *b)
{
    free(b->data);
    memset(b, 0, sizeof *b);
}

/* ---- parameter path and errors ---- */

/* Appends sep + part + end (as much as fits, as snprintf would cut it) and returns the
 * length before. Plain copies: this runs for every member written. */
static size_t path_append(wf_aws_ser *s, const char *sep, const char *part, const char *end)
{
    size_t old = s->path_len, len = old, last = sizeof s->path - 1;
    const char *pieces[3] = {sep, part ? part : "(null)", end};
    for (int i = 0; i < 3; i++) {
        size_t n = strlen(pieces[i]);
        if (n > last - len)
            n = last - len;
        memcpy(s->path + len, pieces[i], n);
        len += n;
    }
    s->path[len] = '\0';
    s->path_len = len;
    return old;
}

size_t wf_aws_ser_push_name(wf_aws_ser *s, const char *name)
{
    return path_append(s, s->path_len ? "." : "", name, "");
}

size_t wf_aws_ser_push_index(wf_aws_ser *s, size_t i)
{
    char num[32], *p = num + sizeof num;
    *--p = '\0';
    do
        *--p = (char)('0' + i % 10);
    while ((i /= 10) != 0);
    return path_append(s, "[", p, "]");
}

size_t wf_aws_ser_push_key(wf_aws_ser *s, const char *key)
{
    return path_append(s, "[\"", key, "\"]");
}

void wf_aws_ser_pop(wf_aws_ser *s, size_t len)
{
    s->path_len = len;
    s->path[len] = '\0';
}

wf_status wf_aws_ser_fail(wf_aws_ser *s, wf_status code, const char *fmt, ...)
{
    char msg[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (s->path_len)
        return wf_error_set(s->err, code, "%s: parameter %s: %s", s->op_name, s->path, msg);
    return wf_error_set(s->err, code, "%s: %s", s->op_name, msg);
}

/* ---- model lookups ---- */

const char *wf_aws_jstr(const cJSON *obj, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

bool wf_aws_jtrue(const cJSON *obj, const char *key)
{
    return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(obj, key));
}

const cJSON *wf_aws_ser_target(wf_aws_ser *s, const cJSON *ref)
{
    const char *name = wf_aws_jstr(ref, "shape");
    const cJSON *shape = wf_aws_model_shape(s->model, name);
    if (!cJSON_IsObject(shape)) {
        wf_aws_ser_fail(s, WF_EPARSE, "service model has no shape \"%s\"", name ? name : "");
        return NULL;
    }
    return shape;
}

const cJSON *wf_aws_trait(const cJSON *ref, const cJSON *shape, const char *key)
{
    const cJSON *v = ref ? cJSON_GetObjectItemCaseSensitive(ref, key) : NULL;
    return v ? v : cJSON_GetObjectItemCaseSensitive(shape, key);
}

const char *wf_aws_trait_str(const cJSON *ref, const cJSON *shape, const char *key)
{
    const cJSON *v = wf_aws_trait(ref, shape, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

const char *wf_aws_shape_type(const cJSON *shape)
{
    const char *t = wf_aws_jstr(shape, "type");
    return t ? t : "";
}

const cJSON *wf_aws_ser_input(wf_aws_ser *s)
{
    const cJSON *ref = cJSON_GetObjectItemCaseSensitive(s->operation, "input");
    return ref ? wf_aws_model_shape(s->model, wf_aws_jstr(ref, "shape")) : NULL;
}

/* ---- parameter checks ---- */

static const char *json_type_name(const cJSON *v)
{
    if (cJSON_IsString(v))
        return "a string";
    if (cJSON_IsNumber(v))
        return "a number";
    if (cJSON_IsBool(v))
        return "a boolean";
    if (cJSON_IsArray(v))
        return "a list";
    if (cJSON_IsObject(v))
        return "a table";
    return "null";
}

/* An empty Lua table has no shape of its own: it may reach us as [] or {}. */
static bool empty_table(const cJSON *v)
{
    return (cJSON_IsArray(v) || cJSON_IsObject(v)) && v->child == NULL;
}

wf_status wf_aws_ser_check_structure(wf_aws_ser *s, const cJSON *shape, const cJSON *value)
{
    if (!cJSON_IsObject(value) && !empty_table(value))
        return wf_aws_ser_fail(s, WF_EINVAL, "expected a table of members, got %s",
                               json_type_name(value));
    wf_aws_shape_info scratch;
    const wf_aws_shape_info *si = wf_aws_model_shape_info(s->model, shape, &scratch);
    if (!si)
        return wf_aws_ser_fail(s, WF_ENOMEM, "out of memory");
    const cJSON *item;
    cJSON_ArrayForEach(item, value) {
        if (wf_aws_shape_info_member(si, item->string))
            continue;
        wf_aws_shape_info_release(&scratch);
        /* Name the valid members, as botocore does, so a typo is easy to fix. */
        wf_aws_buf names = {0};
        const cJSON *m;
        cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(shape, "members")) {
            if (names.len > 400) {
                wf_aws_buf_puts(&names, ", ...");
                break;
            }
            wf_aws_buf_printf(&names, "%s%s", names.len ? ", " : "", m->string);
        }
        size_t old = wf_aws_ser_push_name(s, item->string);
        wf_aws_ser_fail(s, WF_EINVAL, "unknown parameter; expected one of: %s",
                        names.data ? names.data : "(none)");
        wf_aws_ser_pop(s, old);
        wf_aws_buf_free(&names);
        return WF_EINVAL;
    }
    wf_aws_shape_info_release(&scratch);
    const cJSON *required = cJSON_GetObjectItemCaseSensitive(shape, "required");
    cJSON_ArrayForEach(item, required) {
        if (!cJSON_IsString(item))
            continue;
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(value, item->valuestring);
        if (!v || cJSON_IsNull(v)) {
            size_t old = wf_aws_ser_push_name(s, item->valuestring);
            wf_aws_ser_fail(s, WF_EINVAL, "missing required parameter");
            wf_aws_ser_pop(s, old);
            return WF_EINVAL;
        }
    }
    return WF_OK;
}

wf_status wf_aws_ser_given(wf_aws_ser *s, const wf_aws_shape_info *si, const cJSON *value,
                           wf_aws_given_list *out)
{
    out->items = out->small;
    out->count = 0;
    size_t n = 0;
    const cJSON *item;
    cJSON_ArrayForEach(item, value)
        for (const wf_aws_member_info *m = wf_aws_shape_info_member(si, item->string); m;
             m = m->same_name_next ? &si->members[m->same_name_next - 1] : NULL)
            n++;
    if (n > sizeof out->small / sizeof out->small[0]) {
        out->items = malloc(n * sizeof *out->items);
        if (!out->items) {
            out->items = out->small;
            return wf_aws_ser_fail(s, WF_ENOMEM, "out of memory");
        }
    }
    /* Insertion in model order; keys of one member keep value's order. */
    cJSON_ArrayForEach(item, value) {
        for (const wf_aws_member_info *m = wf_aws_shape_info_member(si, item->string); m;
             m = m->same_name_next ? &si->members[m->same_name_next - 1] : NULL) {
            size_t index = (size_t)(m - si->members), j = out->count++;
            for (; j > 0 && out->items[j - 1].index > index; j--)
                out->items[j] = out->items[j - 1];
            out->items[j] = (wf_aws_given){.member = m, .index = index, .value = item};
        }
    }
    /* The first key of a name is the member's value; null means not given. */
    size_t kept = 0;
    for (size_t i = 0; i < out->count; i++) {
        if (i > 0 && out->items[i].index == out->items[i - 1].index)
            continue;
        if (!cJSON_IsNull(out->items[i].value))
            out->items[kept++] = out->items[i];
    }
    out->count = kept;
    return WF_OK;
}

void wf_aws_given_free(wf_aws_given_list *list)
{
    if (list->items != list->small)
        free(list->items);
    list->items = list->small;
    list->count = 0;
}

wf_status wf_aws_ser_check_list(wf_aws_ser *s, const cJSON *value)
{
    if (!cJSON_IsArray(value) && !empty_table(value))
        return wf_aws_ser_fail(s, WF_EINVAL, "expected a list, got %s", json_type_name(value));
    return WF_OK;
}

wf_status wf_aws_ser_check_map(wf_aws_ser *s, const cJSON *value)
{
    if (!cJSON_IsObject(value) && !empty_table(value))
        return wf_aws_ser_fail(s, WF_EINVAL, "expected a table of keys and values, got %s",
                               json_type_name(value));
    return WF_OK;
}

/* ---- timestamps ---- */

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm), so no
 * time zone or time_t range gets in the way. */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

/* Reads exactly n digits at *p. */
static bool digits(const char **p, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)(*p)[i]))
            return false;
        v = v * 10 + ((*p)[i] - '0');
    }
    *p += n;
    *out = v;
    return true;
}

static bool parse_iso8601(const char *str, wf_aws_time *t)
{
    const char *p = str;
    int y, mo, d, h = 0, mi = 0, sec = 0, ms = 0;
    if (!digits(&p, 4, &y) || *p++ != '-' || !digits(&p, 2, &mo) || *p++ != '-' ||
        !digits(&p, 2, &d))
        return false;
    if (*p == 'T' || *p == 't' || *p == ' ') {
        p++;
        if (!digits(&p, 2, &h) || *p++ != ':' || !digits(&p, 2, &mi))
            return false;
        if (*p == ':') {
            p++;
            if (!digits(&p, 2, &sec))
                return false;
            if (*p == '.' || *p == ',') {
                p++;
                int scale = 100, any = 0;
                for (; isdigit((unsigned char)*p); p++, any++) {
                    ms += (*p - '0') * scale;
                    scale /= 10;
                }
                if (!any)
                    return false;
            }
        }
    }
    int64_t offset = 0;
    if (*p == 'Z' || *p == 'z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        int sign = *p++ == '-' ? -1 : 1, oh, om = 0;
        if (!digits(&p, 2, &oh))
            return false;
        if (*p == ':')
            p++;
        if (isdigit((unsigned char)*p) && !digits(&p, 2, &om))
            return false;
        offset = sign * (oh * 3600 + om * 60);
    }
    if (*p || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
        return false;
    t->sec = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - offset;
    t->ms = ms;
    return true;
}

wf_status wf_aws_ser_time(wf_aws_ser *s, const cJSON *value, wf_aws_time *t)
{
    if (cJSON_IsNumber(value)) {
        double v = value->valuedouble;
        if (!isfinite(v) || fabs(v) > 1e14)
            return wf_aws_ser_fail(s, WF_EINVAL, "timestamp out of range");
        double whole = floor(v);
        t->sec = (int64_t)whole;
        t->ms = (int)llround((v - whole) * 1000.0);
        if (t->ms >= 1000) {
            t->sec++;
            t->ms -= 1000;
        }
        return WF_OK;
    }
    if (cJSON_IsString(value) && parse_iso8601(value->valuestring, t))
        return WF_OK;
    return wf_aws_ser_fail(s, WF_EINVAL, "expected a timestamp (epoch seconds or an ISO-8601 "
                           "string like 2019-12-16T23:48:18Z), got %s%s%s%s",
                           json_type_name(value), cJSON_IsString(value) ? " \"" : "",
                           cJSON_IsString(value) ? value->valuestring : "",
                           cJSON_IsString(value) ? "\"" : "");
}

wf_status wf_aws_time_format(wf_aws_time t, const char *format, char *out, size_t n)
{
    static const char *const wday[] = {"Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"};
    static const char *const mon[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    int64_t days = t.sec >= 0 ? t.sec / 86400 : -((-t.sec + 86399) / 86400);
    int64_t rem = t.sec - days * 86400;
    int64_t y;
    int m, d;
    civil_from_days(days, &y, &m, &d);
    int hh = (int)(rem / 3600), mm = (int)(rem / 60 % 60), ss = (int)(rem % 60);
    if (strcasecmp(format, "unixTimestamp") == 0) {
        if (t.ms == 0)
            snprintf(out, n, "%lld", (long long)t.sec);
        else {
            snprintf(out, n, "%lld.%03d", (long long)t.sec, t.ms);
            size_t len = strlen(out);
            while (out[len - 1] == '0')   /* 1.500 -> 1.5 */
                out[--len] = '\0';
        }
    } else if (strcasecmp(format, "rfc822") == 0) {
        snprintf(out, n, "%s, %02d %s %04lld %02d:%02d:%02d GMT",
                 wday[((days % 7) + 7) % 7], d, mon[m - 1], (long long)y, hh, mm, ss);
    } else if (strcasecmp(format, "iso8601") == 0) {
        if (t.ms == 0)
            snprintf(out, n, "%04lld-%02d-%02dT%02d:%02d:%02dZ", (long long)y, m, d, hh, mm, ss);
        else
            snprintf(out, n, "%04lld-%02d-%02dT%02d:%02d:%02d.%03dZ", (long long)y, m, d, hh,
                     mm, ss, t.ms);
    } else {
        return WF_EINVAL;
    }
    return WF_OK;
}

/* ---- scalars ---- */

char *wf_aws_base64(const unsigned char *data, size_t len)
{
    if (len > (size_t)INT_MAX / 4 * 3 - 3)
        return NULL;
    char *out = malloc(4 * ((len + 2) / 3) + 1);
    if (!out)
        return NULL;
    EVP_EncodeBlock((unsigned char *)out, data, (int)len);   /* NUL-terminates */
    return out;
}

static bool is_special_float(const char *s)
{
    return strcmp(s, "NaN") == 0 || strcmp(s, "Infinity") == 0 || strcmp(s, "-Infinity") == 0;
}

/* The shortest decimal that reads back as v: 1.1 prints as "1.1", not 1.1000000000000001. */
static void format_double(double v, char *out, size_t n)
{
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(out, n, "%.*g", prec, v);
        if (strtod(out, NULL) == v)
            return;
    }
}

static bool is_integer_type(const char *type)
{
    return strcmp(type, "integer") == 0 || strcmp(type, "long") == 0 ||
           strcmp(type, "short") == 0 || strcmp(type, "byte") == 0;
}

wf_status wf_aws_ser_scalar(wf_aws_ser *s, const cJSON *ref, const cJSON *shape,
                            const cJSON *value, const char *ts_default, char **out)
{
    const char *type = wf_aws_shape_type(shape);
    char text[64];
    *out = NULL;
    if (strcmp(type, "string") == 0) {
        if (!cJSON_IsString(value))
            return wf_aws_ser_fail(s, WF_EINVAL, "expected a string, got %s",
                                   json_type_name(value));
        *out = strdup(value->valuestring);
    } else if (strcmp(type, "boolean") == 0) {
        if (!cJSON_IsBool(value))
            return wf_aws_ser_fail(s, WF_EINVAL, "expected a boolean, got %s",
                                   json_type_name(value));
        *out = strdup(cJSON_IsTrue(value) ? "true" : "false");
    } else if (is_integer_type(type)) {
        double v = cJSON_IsNumber(value) ? value->valuedouble : NAN;
        if (!isfinite(v) || v != floor(v) || fabs(v) > 9.2e18)
            return wf_aws_ser_fail(s, WF_EINVAL, "expected an integer, got %s",
                                   json_type_name(value));
        snprintf(text, sizeof text, "%lld", (long long)v);
        *out = strdup(text);
    } else if (strcmp(type, "float") == 0 || strcmp(type, "double") == 0) {
        if (cJSON_IsString(value) && is_special_float(value->valuestring)) {
            *out = strdup(value->valuestring);
        } else if (cJSON_IsNumber(value)) {
            format_double(value->valuedouble, text, sizeof text);
            *out = strdup(text);
        } else {
            return wf_aws_ser_fail(s, WF_EINVAL, "expected a number, got %s",
                                   json_type_name(value));
        }
    } else if (strcmp(type, "timestamp") == 0) {
        wf_aws_time t;
        wf_status st = wf_aws_ser_time(s, value, &t);
        if (st != WF_OK)
            return st;
        const char *format = wf_aws_trait_str(ref, shape, "timestampFormat");
        if (wf_aws_time_format(t, format ? format : ts_default, text, sizeof text) != WF_OK)
            return wf_aws_ser_fail(s, WF_EPARSE, "service model: unknown timestampFormat \"%s\"",
                                   format ? format : ts_default);
        *out = strdup(text);
    } else if (strcmp(type, "blob") == 0) {
        if (!cJSON_IsString(value))
            return wf_aws_ser_fail(s, WF_EINVAL, "expected a string of bytes, got %s",
                                   json_type_name(value));
        *out = wf_aws_base64((const unsigned char *)value->valuestring,
                             strlen(value->valuestring));
    } else {
        return wf_aws_ser_fail(s, WF_EINVAL, "a %s shape cannot be written as text",
                               *type ? type : "typeless");
    }
    if (!*out)
        return wf_aws_ser_fail(s, WF_ENOMEM, "out of memory");
    return WF_OK;
}
