/* Durations as users write them ("1h30m", "2.5s", "500ms", "90") and compact formatting. */
#include "duration.h"
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Beyond this many seconds a duration is certainly a mistake, and it would no longer fit
 * int64 nanoseconds (Go's limit, about 292 years). */
#define MAX_SECONDS 9.2e9
/* Longest part of the text quoted back in a message. */
#define QUOTE_MAX 60

static wf_status bad(wf_error *err, const char *text, const char *why)
{
    size_t n = strlen(text);
    return wf_error_set(err, WF_EINVAL, "invalid duration \"%.*s%s\": %s", QUOTE_MAX, text,
                        n > QUOTE_MAX ? "..." : "", why);
}

/* Reads digits with an optional fraction ("12", "2.5", ".5"); 0 when there is no digit. */
static size_t read_number(const char *p, double *value)
{
    size_t i = 0, digits = 0;
    while (isdigit((unsigned char)p[i])) {
        i++;
        digits++;
    }
    if (p[i] == '.') {
        i++;
        while (isdigit((unsigned char)p[i])) {
            i++;
            digits++;
        }
    }
    if (digits == 0)
        return 0;
    /* strtod on a copy: the text is only digits and a dot, so no locale or hex surprises. */
    char buf[64];
    if (i >= sizeof buf) {
        *value = HUGE_VAL;   /* absurdly long: reported as too large */
        return i;
    }
    memcpy(buf, p, i);
    buf[i] = '\0';
    *value = strtod(buf, NULL);
    return i;
}

/* Reads a unit suffix; returns its length and sets *scale (seconds), 0 when none. */
static size_t read_unit(const char *p, double *scale)
{
    if (p[0] == 'm' && p[1] == 's') { *scale = 0.001; return 2; }
    switch (p[0]) {
    case 's': *scale = 1; return 1;
    case 'm': *scale = 60; return 1;
    case 'h': *scale = 3600; return 1;
    case 'd': *scale = 86400; return 1;
    default: return 0;
    }
}

wf_status wf_duration_parse(const char *text, double *seconds, wf_error *err)
{
    if (!text)
        return wf_error_set(err, WF_EINVAL, "invalid duration: none given");
    const char *p = text;
    while (isspace((unsigned char)*p))
        p++;
    size_t len = strlen(p);
    while (len > 0 && isspace((unsigned char)p[len - 1]))
        len--;
    if (len == 0)
        return bad(err, text, "empty (write e.g. \"15s\", \"50m\", \"1h30m\")");
    if (*p == '-')
        return bad(err, text, "must not be negative");

    double total = 0;
    int parts = 0;
    size_t i = 0;
    while (i < len) {
        double value, scale = 0;
        size_t n = read_number(p + i, &value);
        if (n == 0)
            return bad(err, text, "expected a number followed by ms, s, m, h or d (e.g. \"15s\", \"1h30m\")");
        i += n;
        size_t u = i < len ? read_unit(p + i, &scale) : 0;
        if (u == 0) {
            if (parts == 0 && i == len) {   /* a plain number is seconds */
                scale = 1;
            } else {
                return bad(err, text, "expected a unit ms, s, m, h or d after each number");
            }
        }
        i += u;
        total += value * scale;
        parts++;
    }
    if (!isfinite(total) || total > MAX_SECONDS)
        return bad(err, text, "too large");
    *seconds = total;
    return WF_OK;
}

/* Appends to buf at *used, keeping it NUL-terminated and never overrunning. */
static void put(char *buf, size_t size, size_t *used, const char *fmt, long long v)
{
    if (*used >= size)
        return;
    int n = snprintf(buf + *used, size - *used, fmt, v);
    if (n > 0)
        *used += (size_t)n;
}

void wf_duration_format(double seconds, char *buf, size_t size)
{
    if (!buf || size == 0)
        return;
    if (!isfinite(seconds) || fabs(seconds) > MAX_SECONDS) {
        snprintf(buf, size, "%gs", seconds);
        return;
    }
    /* Whole milliseconds: what users can write back, and no "59.9999s". */
    long long ms = llround(fabs(seconds) * 1000.0);
    size_t used = 0;
    buf[0] = '\0';
    if (ms == 0) {
        snprintf(buf, size, "0s");
        return;
    }
    if (seconds < 0 && size > 1) {
        buf[used++] = '-';
        buf[used] = '\0';
    }
    if (ms < 1000) {
        put(buf, size, &used, "%lldms", ms);
        return;
    }
    long long d = ms / 86400000, h = ms / 3600000 % 24, m = ms / 60000 % 60;
    long long s = ms / 1000 % 60, frac = ms % 1000;
    if (d)
        put(buf, size, &used, "%lldd", d);
    if (h)
        put(buf, size, &used, "%lldh", h);
    if (m)
        put(buf, size, &used, "%lldm", m);
    if (s || frac) {
        put(buf, size, &used, "%lld", s);
        if (frac) {
            char f[8];
            snprintf(f, sizeof f, ".%03lld", frac);
            size_t fl = strlen(f);
            while (f[fl - 1] == '0')
                f[--fl] = '\0';
            if (used < size) {
                snprintf(buf + used, size - used, "%s", f);
                used += fl;
            }
        }
        if (used + 1 < size) {
            buf[used++] = 's';
            buf[used] = '\0';
        }
    }
}
