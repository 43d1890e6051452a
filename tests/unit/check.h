/* A minimal assertion kit for C unit tests: failures are counted, not fatal, so one run
 * reports every broken expectation; main returns CHECK_DONE(). */
#ifndef WF_CHECK_H
#define WF_CHECK_H
#include <stdio.h>
#include <string.h>

static int check_failures;
static int check_count;

#define CHECK(cond) do { check_count++; if (!(cond)) { check_failures++; \
    fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); } } while (0)

#define CHECK_INT_EQ(a, b) do { long long a_ = (a), b_ = (b); check_count++; if (a_ != b_) { \
    check_failures++; fprintf(stderr, "%s:%d: %s == %lld, expected %s == %lld\n", \
    __FILE__, __LINE__, #a, a_, #b, b_); } } while (0)

#define CHECK_STR_EQ(a, b) do { const char *a_ = (a), *b_ = (b); check_count++; \
    if (!a_ || !b_ || strcmp(a_, b_) != 0) { check_failures++; \
    fprintf(stderr, "%s:%d: %s is \"%s\", expected \"%s\"\n", __FILE__, __LINE__, #a, \
    a_ ? a_ : "(null)", b_ ? b_ : "(null)"); } } while (0)

#define CHECK_DONE() (fprintf(stderr, "%d checks, %d failed\n", check_count, check_failures), \
    check_failures ? 1 : 0)

#endif
