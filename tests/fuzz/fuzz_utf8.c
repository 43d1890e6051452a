/* Fuzz target: any bytes through wf_utf8_sanitize and all three log sinks must come out as
 * valid UTF-8 (checked by an independent decoder here), with a registered secret gone. */
#define _GNU_SOURCE   /* memmem */
#include "log.h"
#include "utf8.h"
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SECRET "Zk3!s3cr3t"

/* A strict UTF-8 check written apart from utf8.c, so one bug cannot hide in both. */
static int strictly_valid(const unsigned char *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        uint32_t cp;
        size_t n;
        if (s[i] == 0)
            return 0;
        if (s[i] < 0x80) { i++; continue; }
        if ((s[i] & 0xE0) == 0xC0) { n = 2; cp = s[i] & 0x1F; }
        else if ((s[i] & 0xF0) == 0xE0) { n = 3; cp = s[i] & 0x0F; }
        else if ((s[i] & 0xF8) == 0xF0) { n = 4; cp = s[i] & 0x07; }
        else return 0;
        if (i + n > len)
            return 0;
        for (size_t k = 1; k < n; k++) {
            if ((s[i + k] & 0xC0) != 0x80)
                return 0;
            cp = cp << 6 | (s[i + k] & 0x3F);
        }
        static const uint32_t min_for[] = { 0, 0, 0x80, 0x800, 0x10000 };
        if (cp < min_for[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return 0;
        i += n;
    }
    return 1;
}

static void sinks(wf_log_format format, const char *data, size_t size, const char *cstr)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    if (!out)
        abort();
    wf_log_configure(format, 1, out);
    wf_log_add_secret(SECRET);
    wf_log_run_start(cstr, cstr, cstr);
    wf_log_step_start(cstr, cstr);
    wf_log_message_len(WF_LOG_WARN, cstr, data, size);
    wf_log_output(cstr, "stdout", data, size);
    wf_log_progress(cstr, cstr, 1, 2);
    wf_log_problem(cstr, cstr);
    wf_log_statistic(cstr, (double)size);
    wf_log_step_end(cstr, cstr, 3);
    wf_log_undo_start(cstr);
    wf_log_undo_end(cstr, "failed", 4);
    wf_log_run_end(cstr, cstr, 1, 5);
    fclose(out);
    wf_log_configure(WF_LOG_TEXT, 0, NULL);
    wf_log_shutdown();
    if (!strictly_valid((const unsigned char *)buf, len))
        abort();
    if (memmem(buf, len, SECRET, strlen(SECRET)))
        abort();
    if (format == WF_LOG_TEAMCITY)
        for (size_t i = 0; i < len; i++)
            if ((unsigned char)buf[i] >= 0x80)
                abort();
    free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t n;
    char *clean = wf_utf8_sanitize((const char *)data, size, &n);
    if (!clean)
        return 0;
    if (!strictly_valid((const unsigned char *)clean, n) || strlen(clean) != n)
        abort();
    if (!wf_utf8_valid(clean, n))
        abort();
    /* Valid input passes through unchanged, and validity is judged the same both ways. */
    int valid = strictly_valid(data, size);
    if (valid != wf_utf8_valid((const char *)data, size))
        abort();
    if (valid && (n != size || memcmp(clean, data, size) != 0))
        abort();
    /* Sanitising is idempotent. */
    size_t n2;
    char *again = wf_utf8_sanitize(clean, n, &n2);
    if (again && (n2 != n || memcmp(again, clean, n) != 0))
        abort();
    free(again);

    /* The raw input (with its NULs and a secret around) through every sink. */
    char *cstr = malloc(size + sizeof SECRET + 2);
    if (cstr) {
        memcpy(cstr, data, size);
        cstr[size] = '\0';                   /* C-string callers see up to the first NUL */
        char *with_secret = malloc(size + sizeof SECRET);
        if (with_secret) {
            size_t half = size / 2;
            memcpy(with_secret, data, half);
            memcpy(with_secret + half, SECRET, strlen(SECRET));
            memcpy(with_secret + half + strlen(SECRET), data + half, size - half);
            size_t wlen = size + strlen(SECRET);
            for (int f = WF_LOG_TEXT; f <= WF_LOG_TEAMCITY; f++)
                sinks((wf_log_format)f, with_secret, wlen, cstr);
            free(with_secret);
        }
        free(cstr);
    }
    free(clean);
    return 0;
}
