/* UTF-8 sanitising and validation, per Unicode's table of well-formed byte sequences. */
#include "utf8.h"
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Length of the well-formed sequence starting at in[0] (1..4), or 0 when it is not one.
 * *bad receives how many bytes form the "maximal subpart" to replace by one U+FFFD
 * (Unicode 15, section 3.9, U+FFFD substitution): a truncated but otherwise promising
 * prefix becomes one U+FFFD, a byte that can start nothing becomes one U+FFFD each. */
static size_t sequence_length(const unsigned char *in, size_t len, size_t *bad)
{
    unsigned char b = in[0];
    size_t need;
    unsigned char lo = 0x80, hi = 0xBF;   /* allowed range of the second byte */

    *bad = 1;
    if (b == 0x00)
        return 0;                          /* NUL would cut C strings short */
    if (b < 0x80)
        return 1;
    if (b >= 0xC2 && b <= 0xDF) {
        need = 2;
    } else if (b >= 0xE0 && b <= 0xEF) {
        need = 3;
        if (b == 0xE0) lo = 0xA0;          /* no overlong 3-byte forms */
        if (b == 0xED) hi = 0x9F;          /* no surrogates U+D800..U+DFFF */
    } else if (b >= 0xF0 && b <= 0xF4) {
        need = 4;
        if (b == 0xF0) lo = 0x90;          /* no overlong 4-byte forms */
        if (b == 0xF4) hi = 0x8F;          /* nothing beyond U+10FFFF */
    } else {
        return 0;                          /* 80..C1 (continuation, overlong 2-byte), F5..FF */
    }

    for (size_t k = 1; k < need; k++) {
        if (k >= len)
            break;                         /* truncated: the prefix so far is one subpart */
        unsigned char c = in[k];
        unsigned char klo = k == 1 ? lo : 0x80, khi = k == 1 ? hi : 0xBF;
        if (c < klo || c > khi)
            break;
        *bad = k + 1;
        if (k + 1 == need)
            return need;
    }
    return 0;
}

char *wf_utf8_sanitize(const char *in, size_t len, size_t *out_len)
{
    assert(in != NULL || len == 0);
    /* Worst case: every byte becomes the three bytes of U+FFFD. */
    if (len > (SIZE_MAX - 1) / 3)
        return NULL;
    char *out = malloc(len * 3 + 1);
    if (!out)
        return NULL;

    const unsigned char *p = (const unsigned char *)in;
    size_t i = 0, o = 0;
    while (i < len) {
        size_t bad;
        size_t n = sequence_length(p + i, len - i, &bad);
        if (n > 0) {
            memcpy(out + o, p + i, n);
            o += n;
            i += n;
        } else {
            memcpy(out + o, "\xEF\xBF\xBD", 3);
            o += 3;
            i += bad;
        }
    }
    out[o] = '\0';
    /* Give back the slack of the worst-case allocation when it is large. */
    if (o + 1 < len * 3 + 1 && len > 4096) {
        char *shrunk = realloc(out, o + 1);
        if (shrunk)
            out = shrunk;
    }
    if (out_len)
        *out_len = o;
    return out;
}

int wf_utf8_valid(const char *in, size_t len)
{
    assert(in != NULL || len == 0);
    const unsigned char *p = (const unsigned char *)in;
    size_t i = 0;
    while (i < len) {
        size_t bad;
        size_t n = sequence_length(p + i, len - i, &bad);
        if (n == 0)
            return 0;
        i += n;
    }
    return 1;
}
