/* Scalar values of AWS responses: numbers, booleans, timestamps (read in every format
 * botocore accepts, rendered as the options say) and base64 blobs. */
#include "parse_internal.h"
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --- calendar arithmetic (proleptic Gregorian, H. Hinnant's algorithms) --- */

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

/* --- a small scanner over the timestamp text --- */

typedef struct scan {
    const char *p, *end;
} scan;

static int sc_digits(scan *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s->p >= s->end || !isdigit((unsigned char)*s->p))
            return -1;
        v = v * 10 + (*s->p++ - '0');
    }
    *out = v;
    return 0;
}

static int sc_char(scan *s, char c)
{
    if (s->p < s->end && *s->p == c) {
        s->p++;
        return 1;
    }
    return 0;
}

static void sc_spaces(scan *s)
{
    while (s->p < s->end && *s->p == ' ')
        s->p++;
}

/* ".123" or ",123" after the seconds, as microseconds; digits past the sixth are
 * dropped, as dateutil (botocore's parser) drops them. */
static long sc_fraction(scan *s)
{
    if (s->p >= s->end || (*s->p != '.' && *s->p != ',') || s->p + 1 >= s->end ||
        !isdigit((unsigned char)s->p[1]))
        return 0;
    s->p++;
    long micros = 0;
    int digits = 0;
    while (s->p < s->end && isdigit((unsigned char)*s->p)) {
        if (digits++ < 6)
            micros = micros * 10 + (*s->p - '0');
        s->p++;
    }
    for (; digits < 6; digits++)
        micros *= 10;
    return micros;
}

/* "Z", "GMT", "UTC", "+01:00", "-0100", "+01" or nothing (UTC); offset in seconds. */
static int sc_zone(scan *s, int *offset)
{
    *offset = 0;
    sc_spaces(s);
    if (s->p == s->end)
        return 0;
    if (sc_char(s, 'Z') || sc_char(s, 'z'))
        return 0;
    size_t left = (size_t)(s->end - s->p);
    if (left >= 3 && (strncmp(s->p, "GMT", 3) == 0 || strncmp(s->p, "UTC", 3) == 0)) {
        s->p += 3;
        if (s->p == s->end)
            return 0;
    }
    int sign = 0;
    if (sc_char(s, '+'))
        sign = 1;
    else if (sc_char(s, '-'))
        sign = -1;
    else
        return -1;
    int hh, mm = 0;
    if (sc_digits(s, 2, &hh) != 0)
        return -1;
    if (s->p < s->end) {
        sc_char(s, ':');
        if (sc_digits(s, 2, &mm) != 0)
            return -1;
    }
    if (hh > 23 || mm > 59)
        return -1;
    *offset = sign * (hh * 3600 + mm * 60);
    return 0;
}

static int valid_fields(int mo, int d, int h, int mi, int sec)
{
    return mo >= 1 && mo <= 12 && d >= 1 && d <= 31 && h >= 0 && h <= 24 && mi >= 0 &&
           mi <= 59 && sec >= 0 && sec <= 60;
}

/* A point in time: whole seconds since 1970 and microseconds (0..999999). */
typedef struct instant {
    int64_t secs;
    long micros;
} instant;

static instant to_instant(int y, int mo, int d, int h, int mi, int sec, long micros, int offset)
{
    instant t = {days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - offset, micros};
    return t;
}

/* ISO-8601, extended ("2014-04-29T18:30:38.5+01:00", "2014-04-29") or basic
 * ("20140429T183038Z"). */
static int parse_iso(scan s, instant *t)
{
    int y, mo, d, h = 0, mi = 0, sec = 0, off = 0;
    long frac = 0;
    if (sc_digits(&s, 4, &y) != 0)
        return -1;
    int extended = sc_char(&s, '-');
    if (sc_digits(&s, 2, &mo) != 0 || (extended && !sc_char(&s, '-')) || sc_digits(&s, 2, &d) != 0)
        return -1;
    if (s.p < s.end && (*s.p == 'T' || *s.p == 't' || *s.p == ' ')) {
        s.p++;
        if (sc_digits(&s, 2, &h) != 0 || (extended && !sc_char(&s, ':')) ||
            sc_digits(&s, 2, &mi) != 0)
            return -1;
        if ((extended && sc_char(&s, ':')) || (!extended && s.p < s.end && isdigit((unsigned char)*s.p))) {
            if (sc_digits(&s, 2, &sec) != 0)
                return -1;
            frac = sc_fraction(&s);
        }
        if (sc_zone(&s, &off) != 0)
            return -1;
    }
    if (s.p != s.end || !valid_fields(mo, d, h, mi, sec))
        return -1;
    *t = to_instant(y, mo, d, h, mi, sec, frac, off);
    return 0;
}

/* The month's three letters in any case (ASCII, as strncasecmp in the C locale), folded
 * once rather than by a strncasecmp per month. */
static int month_index(scan *s)
{
    static const char months[] = "janfebmaraprmayjunjulaugsepoctnovdec";
    if (s->end - s->p < 3)
        return -1;
    char folded[3];
    for (int k = 0; k < 3; k++) {
        unsigned char c = (unsigned char)s->p[k];
        folded[k] = (char)(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
    }
    for (int i = 0; i < 12; i++) {
        if (memcmp(folded, months + 3 * i, 3) == 0) {
            s->p += 3;
            return i + 1;
        }
    }
    return -1;
}

static int sc_clock(scan *s, int *h, int *mi, int *sec, long *frac)
{
    if (sc_digits(s, 2, h) != 0 || !sc_char(s, ':') || sc_digits(s, 2, mi) != 0)
        return -1;
    *sec = 0;
    *frac = 0;
    if (sc_char(s, ':')) {
        if (sc_digits(s, 2, sec) != 0)
            return -1;
        *frac = sc_fraction(s);
    }
    return 0;
}

/* HTTP dates: RFC 1123 "Tue, 29 Apr 2014 18:30:38 GMT" (weekday optional), RFC 850
 * "Tuesday, 29-Apr-14 18:30:38 GMT", asctime "Tue Apr 29 18:30:38 2014". */
static int parse_http_date(scan s, instant *t)
{
    int y, mo, d, h, mi, sec, off = 0;
    long frac;
    /* Skip a weekday name and its comma. */
    const char *word = s.p;
    while (s.p < s.end && isalpha((unsigned char)*s.p))
        s.p++;
    size_t wlen = (size_t)(s.p - word);
    if (wlen > 0 && wlen < 3)
        return -1;
    sc_char(&s, ',');
    sc_spaces(&s);
    if (wlen > 0 && s.p < s.end && isalpha((unsigned char)*s.p)) {
        /* asctime: "Apr 29 18:30:38 2014" */
        if ((mo = month_index(&s)) < 0)
            return -1;
        sc_spaces(&s);
        const char *dstart = s.p;
        d = 0;
        while (s.p < s.end && isdigit((unsigned char)*s.p) && s.p - dstart < 2)
            d = d * 10 + (*s.p++ - '0');
        if (s.p == dstart)
            return -1;
        sc_spaces(&s);
        if (sc_clock(&s, &h, &mi, &sec, &frac) != 0)
            return -1;
        sc_spaces(&s);
        if (sc_digits(&s, 4, &y) != 0)
            return -1;
        if (sc_zone(&s, &off) != 0)
            return -1;
    } else {
        const char *dstart = s.p;
        d = 0;
        while (s.p < s.end && isdigit((unsigned char)*s.p) && s.p - dstart < 2)
            d = d * 10 + (*s.p++ - '0');
        if (s.p == dstart)
            return -1;
        int dashed = sc_char(&s, '-');   /* RFC 850: "29-Apr-14" */
        if (!dashed)
            sc_spaces(&s);
        if ((mo = month_index(&s)) < 0)
            return -1;
        if (dashed && !sc_char(&s, '-'))
            return -1;
        if (!dashed)
            sc_spaces(&s);
        const char *ystart = s.p;
        y = 0;
        while (s.p < s.end && isdigit((unsigned char)*s.p) && s.p - ystart < 4)
            y = y * 10 + (*s.p++ - '0');
        if (s.p - ystart == 2)
            y += y < 70 ? 2000 : 1900;   /* RFC 850 two-digit years */
        else if (s.p - ystart != 4)
            return -1;
        sc_spaces(&s);
        if (sc_clock(&s, &h, &mi, &sec, &frac) != 0)
            return -1;
        if (sc_zone(&s, &off) != 0)
            return -1;
    }
    if (s.p != s.end || !valid_fields(mo, d, h, mi, sec))
        return -1;
    *t = to_instant(y, mo, d, h, mi, sec, frac, off);
    return 0;
}

/* Seconds and microseconds of an epoch value, the microseconds rounded as Python's
 * datetime.fromtimestamp rounds them. */
static int epoch_instant(double v, instant *t)
{
    if (!isfinite(v) || fabs(v) > 4e11)
        return -1;
    double whole = floor(v);
    t->secs = (int64_t)whole;
    t->micros = lround((v - whole) * 1e6);
    if (t->micros >= 1000000) {
        t->secs++;
        t->micros -= 1000000;
    }
    return 0;
}

/* Epoch seconds written as a decimal number ("1398796238", "1.398796238E9"). */
static int parse_epoch(scan s, instant *t)
{
    if (s.p == s.end)
        return -1;
    for (const char *q = s.p; q < s.end; q++)
        if (!isdigit((unsigned char)*q) && !strchr("+-.eE", *q))
            return -1;
    char buf[64];
    size_t n = (size_t)(s.end - s.p);
    if (n >= sizeof buf)
        return -1;
    memcpy(buf, s.p, n);
    buf[n] = '\0';
    char *end;
    errno = 0;
    double v = strtod(buf, &end);
    if (end != buf + n || errno != 0)
        return -1;
    return epoch_instant(v, t);
}

static int parse_instant(const char *text, instant *t)
{
    scan s = {text, text + strlen(text)};
    while (s.p < s.end && isspace((unsigned char)*s.p))
        s.p++;
    while (s.end > s.p && isspace((unsigned char)s.end[-1]))
        s.end--;
    if (parse_epoch(s, t) == 0 || parse_iso(s, t) == 0 || parse_http_date(s, t) == 0)
        return 0;
    return -1;
}

static double instant_epoch(instant t)
{
    return (double)t.secs + (double)t.micros / 1e6;
}

int wf_aws_parse_timestamp(const char *text, double *epoch)
{
    instant t;
    if (parse_instant(text, &t) != 0)
        return -1;
    *epoch = instant_epoch(t);
    return 0;
}

/* value (0 <= value < 10^width) in exactly width decimal digits; returns the end. */
static char *put_digits(char *p, long value, int width)
{
    for (int i = width - 1; i >= 0; i--) {
        p[i] = (char)('0' + value % 10);
        value /= 10;
    }
    return p + width;
}

static int format_instant(instant t, char *buf, size_t size)
{
    int64_t secs = t.secs;
    int64_t days = secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400);
    int64_t rem = secs - days * 86400;
    int64_t y;
    int m, d;
    civil_from_days(days, &y, &m, &d);
    if (y < 1 || y > 9999)
        return -1;
    int h = (int)(rem / 3600), mi = (int)(rem / 60 % 60), sec = (int)(rem % 60);
    /* "%04d-%02d-%02dT%02d:%02d:%02d[.%06ld]+00:00" written by hand: snprintf's cost
     * showed in every answer with a date header. */
    char text[40], *p = text;
    p = put_digits(p, (long)y, 4);
    *p++ = '-';
    p = put_digits(p, m, 2);
    *p++ = '-';
    p = put_digits(p, d, 2);
    *p++ = 'T';
    p = put_digits(p, h, 2);
    *p++ = ':';
    p = put_digits(p, mi, 2);
    *p++ = ':';
    p = put_digits(p, sec, 2);
    if (t.micros) {
        *p++ = '.';
        p = put_digits(p, t.micros, 6);
    }
    memcpy(p, "+00:00", 7);
    size_t n = (size_t)(p - text) + 6;
    if (size) {   /* cut as snprintf cuts */
        size_t keep = n < size ? n : size - 1;
        memcpy(buf, text, keep);
        buf[keep] = '\0';
    }
    return n < size ? 0 : -1;
}

int wf_aws_format_timestamp(double epoch, char *buf, size_t size)
{
    instant t;
    if (epoch_instant(epoch, &t) != 0)
        return -1;
    return format_instant(t, buf, size);
}

/* --- rendering --- */

static wf_status made(wf_aws_parse_ctx *ctx, cJSON *v, cJSON **out)
{
    *out = v;
    return v ? WF_OK : wf_error_set(ctx->err, WF_ENOMEM, "out of memory");
}

static wf_status render_instant(wf_aws_parse_ctx *ctx, instant t, cJSON **out)
{
    if (ctx->opts.timestamps == WF_AWS_TIMESTAMP_EPOCH)
        return made(ctx, cJSON_CreateNumber(instant_epoch(t)), out);
    char buf[48];
    if (format_instant(t, buf, sizeof buf) != 0) {
        *out = NULL;
        return wf_error_set(ctx->err, WF_EPARSE, "timestamp %lld is outside years 1..9999",
                            (long long)t.secs);
    }
    return made(ctx, cJSON_CreateString(buf), out);
}

wf_status wf_aws_parse_timestamp_text(wf_aws_parse_ctx *ctx, const char *text, cJSON **out)
{
    *out = NULL;
    instant t;
    if (parse_instant(text, &t) != 0)
        return wf_error_set(ctx->err, WF_EPARSE, "invalid timestamp \"%.64s\"", text);
    if (ctx->opts.timestamps == WF_AWS_TIMESTAMP_WIRE)
        return made(ctx, cJSON_CreateString(text), out);
    return render_instant(ctx, t, out);
}

wf_status wf_aws_parse_timestamp_number(wf_aws_parse_ctx *ctx, double epoch, cJSON **out)
{
    *out = NULL;
    instant t;
    if (epoch_instant(epoch, &t) != 0)
        return wf_error_set(ctx->err, WF_EPARSE, "invalid timestamp %.17g", epoch);
    if (ctx->opts.timestamps == WF_AWS_TIMESTAMP_WIRE)
        return made(ctx, cJSON_CreateNumber(epoch), out);
    return render_instant(ctx, t, out);
}

/* --- base64 --- */

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

long wf_aws_parse_b64_decode(const char *in, size_t len, unsigned char *out)
{
    unsigned acc = 0;
    int bits = 0, count = 0;
    long n = 0;
    for (size_t i = 0; i < len && in[i] != '='; i++) {
        int v = b64_value((unsigned char)in[i]);
        if (v < 0)
            continue;
        acc = (acc << 6) | (unsigned)v;
        bits += 6;
        count++;
        if (bits >= 8) {
            bits -= 8;
            out[n++] = (unsigned char)(acc >> bits);
            acc &= (1u << bits) - 1;
        }
    }
    return count % 4 == 1 ? -1 : n;
}

static char *b64_encode(const unsigned char *in, size_t len)
{
    static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    char *out = malloc((len + 2) / 3 * 4 + 1);
    if (!out)
        return NULL;
    size_t o = 0;
    for (size_t i = 0; i < len; i += 3) {
        unsigned v = (unsigned)in[i] << 16;
        if (i + 1 < len)
            v |= (unsigned)in[i + 1] << 8;
        if (i + 2 < len)
            v |= in[i + 2];
        out[o++] = abc[v >> 18 & 63];
        out[o++] = abc[v >> 12 & 63];
        out[o++] = i + 1 < len ? abc[v >> 6 & 63] : '=';
        out[o++] = i + 2 < len ? abc[v & 63] : '=';
    }
    out[o] = '\0';
    return out;
}

wf_status wf_aws_parse_string_bytes(wf_aws_parse_ctx *ctx, const char *bytes, size_t len,
                                    cJSON **out)
{
    *out = NULL;
    if (len && memchr(bytes, '\0', len))
        return wf_error_set(ctx->err, WF_EPARSE, "a string value contains a NUL byte");
    char *copy = malloc(len + 1);
    if (!copy)
        return wf_error_set(ctx->err, WF_ENOMEM, "out of memory");
    if (len)
        memcpy(copy, bytes, len);
    copy[len] = '\0';
    cJSON *v = cJSON_CreateString(copy);
    free(copy);
    return made(ctx, v, out);
}

wf_status wf_aws_parse_blob_bytes(wf_aws_parse_ctx *ctx, const char *bytes, size_t len,
                                  cJSON **out)
{
    *out = NULL;
    if (ctx->opts.blobs == WF_AWS_BLOB_RAW) {
        if (len && memchr(bytes, '\0', len))
            return wf_error_set(ctx->err, WF_EPARSE,
                                "a blob holds a NUL byte: ask for base64 blobs to read it");
        return wf_aws_parse_string_bytes(ctx, bytes, len, out);
    }
    char *b64 = b64_encode((const unsigned char *)bytes, len);
    if (!b64)
        return wf_error_set(ctx->err, WF_ENOMEM, "out of memory");
    cJSON *v = cJSON_CreateString(b64);
    free(b64);
    return made(ctx, v, out);
}

wf_status wf_aws_parse_blob_text(wf_aws_parse_ctx *ctx, const char *b64, cJSON **out)
{
    *out = NULL;
    if (ctx->opts.blobs != WF_AWS_BLOB_RAW)
        return made(ctx, cJSON_CreateString(b64), out);   /* the CLI keeps the wire text */
    size_t len = strlen(b64);
    unsigned char *buf = malloc(len / 4 * 3 + 3);
    if (!buf)
        return wf_error_set(ctx->err, WF_ENOMEM, "out of memory");
    long n = wf_aws_parse_b64_decode(b64, len, buf);
    wf_status rc;
    if (n < 0)
        rc = wf_error_set(ctx->err, WF_EPARSE, "invalid base64 in a blob");
    else
        rc = wf_aws_parse_blob_bytes(ctx, (const char *)buf, (size_t)n, out);
    free(buf);
    return rc;
}

/* --- numbers and the dispatcher --- */

/* text without leading/trailing white space, copied into buf; NULL when too long. */
static const char *trimmed(const char *text, char *buf, size_t size)
{
    while (isspace((unsigned char)*text))
        text++;
    size_t n = strlen(text);
    while (n && isspace((unsigned char)text[n - 1]))
        n--;
    if (n >= size)
        return NULL;
    memcpy(buf, text, n);
    buf[n] = '\0';
    return buf;
}

static wf_status parse_integer(wf_aws_parse_ctx *ctx, const char *text, cJSON **out)
{
    char buf[64];
    const char *t = trimmed(text, buf, sizeof buf);
    *out = NULL;
    if (!t || !*t)
        return wf_error_set(ctx->err, WF_EPARSE, "invalid integer \"%.32s\"", text);
    char *end;
    errno = 0;
    long long v = strtoll(t, &end, 10);
    if (*end == '\0' && errno == 0)
        return made(ctx, cJSON_CreateNumber((double)v), out);
    if (*end == '\0' && errno == ERANGE) {
        /* Beyond 64 bits: keep the magnitude, as a double. */
        double d = strtod(t, &end);
        return made(ctx, cJSON_CreateNumber(d), out);
    }
    return wf_error_set(ctx->err, WF_EPARSE, "invalid integer \"%.32s\"", text);
}

static wf_status parse_float(wf_aws_parse_ctx *ctx, const char *text, cJSON **out)
{
    char buf[128];
    const char *t = trimmed(text, buf, sizeof buf);
    *out = NULL;
    if (!t || !*t)
        return wf_error_set(ctx->err, WF_EPARSE, "invalid number \"%.32s\"", text);
    char *end;
    double v = strtod(t, &end);
    if (*end != '\0')
        return wf_error_set(ctx->err, WF_EPARSE, "invalid number \"%.32s\"", text);
    return made(ctx, cJSON_CreateNumber(v), out);
}

wf_status wf_aws_parse_scalar_text(wf_aws_parse_ctx *ctx, const cJSON *shape, const char *text,
                                   cJSON **out)
{
    return wf_aws_parse_scalar_typed(ctx, wf_aws_parse_type(shape), text, out);
}

wf_status wf_aws_parse_scalar_typed(wf_aws_parse_ctx *ctx, const char *type, const char *text,
                                    cJSON **out)
{
    /* By first letter: most values are strings, which one comparison tells apart. */
    switch (type[0]) {
    case 'b':
        if (strcmp(type, "boolean") == 0)
            return made(ctx, cJSON_CreateBool(strcmp(text, "true") == 0), out);
        if (strcmp(type, "byte") == 0)
            return parse_integer(ctx, text, out);
        if (strcmp(type, "blob") == 0)
            return wf_aws_parse_blob_text(ctx, text, out);
        break;
    case 'i':
    case 'l':
    case 's':
        if (strcmp(type, type[0] == 'i' ? "integer" : type[0] == 'l' ? "long" : "short") == 0)
            return parse_integer(ctx, text, out);
        break;
    case 'f':
    case 'd':
        if (strcmp(type, "float") == 0 || strcmp(type, "double") == 0)
            return parse_float(ctx, text, out);
        break;
    case 't':
        if (strcmp(type, "timestamp") == 0)
            return wf_aws_parse_timestamp_text(ctx, text, out);
        break;
    default:
        break;
    }
    return made(ctx, cJSON_CreateString(text), out);   /* string, character, enums */
}
