/* Unit tests of the UTF-8 sanitiser: what passes through, what becomes U+FFFD, how many. */
#include "check.h"
#include "utf8.h"
#include <stdlib.h>

#define FFFD "\xEF\xBF\xBD"

/* Sanitises in[0..len) and compares with expected (a C string). */
static void check_sanitize(const char *in, size_t len, const char *expected, int line)
{
    size_t out_len = 12345;
    char *out = wf_utf8_sanitize(in, len, &out_len);
    check_count++;
    if (!out || strcmp(out, expected) != 0 || out_len != strlen(expected)) {
        check_failures++;
        fprintf(stderr, "test_utf8.c:%d: sanitize gave \"%s\" (%zu bytes), expected \"%s\"\n", line,
                out ? out : "(null)", out_len, expected);
    }
    CHECK(out && wf_utf8_valid(out, out_len));
    free(out);
}

#define SAN(lit, expected) check_sanitize(lit, sizeof(lit) - 1, expected, __LINE__)

static void test_passthrough(void)
{
    SAN("", "");
    SAN("hello, world", "hello, world");
    SAN("caf\xC3\xA9", "caf\xC3\xA9");                          /* U+00E9, 2 bytes */
    SAN("\xE2\x82\xAC 5", "\xE2\x82\xAC 5");                    /* U+20AC, 3 bytes */
    SAN("\xF0\x9F\x98\x80", "\xF0\x9F\x98\x80");                /* U+1F600, 4 bytes */
    SAN("\x7F\x01\t\n", "\x7F\x01\t\n");                        /* controls are valid */
    SAN("\xC2\x80\xDF\xBF", "\xC2\x80\xDF\xBF");                /* 2-byte range ends */
    SAN("\xE0\xA0\x80\xEF\xBF\xBF", "\xE0\xA0\x80\xEF\xBF\xBF");/* U+0800, U+FFFF */
    SAN("\xED\x9F\xBF\xEE\x80\x80", "\xED\x9F\xBF\xEE\x80\x80");/* around the surrogates */
    SAN("\xF0\x90\x80\x80\xF4\x8F\xBF\xBF", "\xF0\x90\x80\x80\xF4\x8F\xBF\xBF"); /* U+10000, U+10FFFF */
    SAN(FFFD, FFFD);                                            /* U+FFFD itself stays */
}

static void test_invalid(void)
{
    /* Bytes that can start nothing: each is one U+FFFD. */
    SAN("a\x80" "b", "a" FFFD "b");
    SAN("\xBF", FFFD);
    SAN("\xFF\xFE", FFFD FFFD);
    SAN("\xF5\x80\x80\x80", FFFD FFFD FFFD FFFD);
    SAN("\xF8\x88\x80\x80\x80", FFFD FFFD FFFD FFFD FFFD);     /* old 5-byte form */
    /* A lead byte followed by a non-continuation: the lead alone is replaced. */
    SAN("\xC3(", FFFD "(");
    SAN("\xE2\x82(", FFFD "(");                                 /* maximal subpart: one */
    SAN("\xF0\x9F\x98(", FFFD "(");
    SAN("\xC3\xC3\xA9", FFFD "\xC3\xA9");
}

static void test_truncated(void)
{
    SAN("ab\xC3", "ab" FFFD);
    SAN("ab\xE2", "ab" FFFD);
    SAN("ab\xE2\x82", "ab" FFFD);                                /* one U+FFFD, not two */
    SAN("ab\xF0", "ab" FFFD);
    SAN("ab\xF0\x9F", "ab" FFFD);
    SAN("ab\xF0\x9F\x98", "ab" FFFD);
}

static void test_overlong(void)
{
    SAN("\xC0\xAF", FFFD FFFD);                                  /* '/' in 2 bytes */
    SAN("\xC1\xBF", FFFD FFFD);
    SAN("\xE0\x80\xAF", FFFD FFFD FFFD);                         /* '/' in 3 bytes */
    SAN("\xE0\x9F\xBF", FFFD FFFD FFFD);
    SAN("\xF0\x80\x80\xAF", FFFD FFFD FFFD FFFD);                /* '/' in 4 bytes */
    SAN("\xF0\x8F\xBF\xBF", FFFD FFFD FFFD FFFD);
    SAN("\xC0\x80", FFFD FFFD);                                  /* "modified UTF-8" NUL */
}

static void test_surrogates_and_range(void)
{
    SAN("\xED\xA0\x80", FFFD FFFD FFFD);                         /* U+D800 */
    SAN("\xED\xBF\xBF", FFFD FFFD FFFD);                         /* U+DFFF */
    SAN("\xED\xA0\xBD\xED\xB8\x80", FFFD FFFD FFFD FFFD FFFD FFFD); /* CESU-8 pair */
    SAN("\xF4\x90\x80\x80", FFFD FFFD FFFD FFFD);                /* U+110000 */
    SAN("\xF7\xBF\xBF\xBF", FFFD FFFD FFFD FFFD);
}

static void test_nul(void)
{
    SAN("a\0b", "a" FFFD "b");
    SAN("\0", FFFD);
    CHECK(!wf_utf8_valid("a\0b", 3));
}

static void test_valid(void)
{
    CHECK(wf_utf8_valid("", 0));
    CHECK(wf_utf8_valid("plain", 5));
    CHECK(wf_utf8_valid("\xF0\x9F\x98\x80", 4));
    CHECK(!wf_utf8_valid("\xF0\x9F\x98", 3));
    CHECK(!wf_utf8_valid("\xC0\xAF", 2));
    CHECK(!wf_utf8_valid("\xED\xA0\x80", 3));
    CHECK(!wf_utf8_valid("\xF4\x90\x80\x80", 4));
    CHECK(!wf_utf8_valid("\x80", 1));
    /* len is honoured: a valid prefix of an invalid buffer. */
    CHECK(wf_utf8_valid("ab\xFF", 2));
}

static void test_every_byte(void)
{
    /* Each single byte: ASCII (but NUL) stays, everything else is one U+FFFD. */
    for (int b = 0; b < 256; b++) {
        char in = (char)b;
        size_t n;
        char *out = wf_utf8_sanitize(&in, 1, &n);
        CHECK(out != NULL);
        if (!out)
            continue;
        if (b > 0 && b < 0x80)
            CHECK(n == 1 && out[0] == in);
        else
            CHECK(n == 3 && memcmp(out, FFFD, 3) == 0);
        free(out);
    }
}

int main(void)
{
    test_passthrough();
    test_invalid();
    test_truncated();
    test_overlong();
    test_surrogates_and_range();
    test_nul();
    test_valid();
    test_every_byte();
    return CHECK_DONE();
}
