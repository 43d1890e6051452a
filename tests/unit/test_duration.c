/* Tests of duration parsing and formatting (engine/duration.c). */
#include "check.h"
#include "duration.h"
#include <math.h>

typedef struct parse_case {
    const char *text;
    double seconds;   /* < 0: must be rejected */
} parse_case;

static const parse_case parse_cases[] = {
    { "50m", 3000 },     { "15s", 15 },        { "1h30m", 5400 },  { "2.5s", 2.5 },
    { "500ms", 0.5 },    { "1d", 86400 },      { "90", 90 },       { "0", 0 },
    { "0s", 0 },         { "1.5", 1.5 },       { ".5s", 0.5 },     { "1h0m5s", 3605 },
    { "2d3h", 183600 },  { "1m30s500ms", 90.5 }, { " 5m ", 300 },  { "10ms", 0.01 },
    { "", -1 },          { "   ", -1 },        { "-5s", -1 },      { "-1", -1 },
    { "abc", -1 },       { "5x", -1 },         { "5 m", -1 },      { "1h30", -1 },
    { "m", -1 },         { ".", -1 },          { "1..5s", -1 },    { "+5s", -1 },
    { "1e3", -1 },       { "0x10", -1 },       { "nan", -1 },      { "inf", -1 },
    { "5s garbage", -1 }, { "1000000000000000000000000d", -1 },
    { "99999999999999999999999999999999999999999999999999999999999999999999999999s", -1 },
};

typedef struct format_case {
    double seconds;
    const char *text;
} format_case;

static const format_case format_cases[] = {
    { 130, "2m10s" },  { 3000, "50m" },   { 1.5, "1.5s" },   { 0.25, "250ms" },
    { 0, "0s" },       { 15, "15s" },     { 5400, "1h30m" }, { 86400, "1d" },
    { 90061, "1d1h1m1s" }, { 60, "1m" },  { 59.9999, "1m" }, { 61.25, "1m1.25s" },
    { 3600.5, "1h0.5s" }, { 0.001, "1ms" }, { 0.0001, "0s" },
};

int main(void)
{
    for (size_t i = 0; i < sizeof parse_cases / sizeof parse_cases[0]; i++) {
        const parse_case *c = &parse_cases[i];
        double v = -42;
        wf_error err = { 0 };
        wf_status st = wf_duration_parse(c->text, &v, &err);
        if (c->seconds >= 0) {
            if (st != WF_OK || fabs(v - c->seconds) > 1e-9)
                fprintf(stderr, "parse \"%s\": status %d value %g (%s)\n", c->text, st, v, err.message);
            CHECK_INT_EQ(st, WF_OK);
            CHECK(fabs(v - c->seconds) < 1e-9);
        } else {
            if (st != WF_EINVAL)
                fprintf(stderr, "parse \"%s\" accepted as %g\n", c->text, v);
            CHECK_INT_EQ(st, WF_EINVAL);
            CHECK_INT_EQ(err.code, WF_EINVAL);
            /* The message quotes the text (or its start, for very long text). */
            char start[16];
            snprintf(start, sizeof start, "\"%.10s", c->text);
            CHECK(strstr(err.message, start) != NULL);
        }
    }

    wf_error err = { 0 };
    double v;
    CHECK_INT_EQ(wf_duration_parse(NULL, &v, &err), WF_EINVAL);
    CHECK_INT_EQ(wf_duration_parse("-5s", &v, &err), WF_EINVAL);
    CHECK(strstr(err.message, "negative") != NULL);
    CHECK_INT_EQ(wf_duration_parse("", &v, &err), WF_EINVAL);
    CHECK(strstr(err.message, "empty") != NULL);
    CHECK_INT_EQ(wf_duration_parse("1000000000000000000000000d", &v, &err), WF_EINVAL);
    CHECK(strstr(err.message, "too large") != NULL);
    /* NULL err is allowed. */
    CHECK_INT_EQ(wf_duration_parse("zz", &v, NULL), WF_EINVAL);

    for (size_t i = 0; i < sizeof format_cases / sizeof format_cases[0]; i++) {
        char buf[64];
        wf_duration_format(format_cases[i].seconds, buf, sizeof buf);
        CHECK_STR_EQ(buf, format_cases[i].text);
    }

    /* Round trip: what we print, users can write back. */
    const double samples[] = { 0.5, 1, 59, 61.5, 3599, 3601, 86399.75, 123456.789, 7 * 86400 };
    for (size_t i = 0; i < sizeof samples / sizeof samples[0]; i++) {
        char buf[64];
        wf_duration_format(samples[i], buf, sizeof buf);
        double back = -1;
        CHECK_INT_EQ(wf_duration_parse(buf, &back, NULL), WF_OK);
        CHECK(fabs(back - samples[i]) < 0.001);
    }

    /* Small buffers are cut, never overrun. */
    char tiny[4] = { 'x', 'x', 'x', 'x' };
    wf_duration_format(90061, tiny, sizeof tiny);
    CHECK(memchr(tiny, '\0', sizeof tiny) != NULL);
    char one[1] = { 'x' };
    wf_duration_format(5, one, 1);
    CHECK_INT_EQ(one[0], '\0');
    return CHECK_DONE();
}
