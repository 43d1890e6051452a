/* Unit tests of the log: exact output of each sink, TeamCity escaping, redaction everywhere,
 * valid UTF-8 out of any bytes in, and the "wf.log" Lua module. */
#include "check.h"
#include "log.h"
#include "lua_modules.h"
#include "utf8.h"
#include <cjson/cJSON.h>
#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

/* 2024-05-01T12:00:05Z */
#define FAKE_TIME "1714564805"
#define FFFD "\xEF\xBF\xBD"

/* ---- capture ---------------------------------------------------------------------------- */

static FILE *cap_file;
static char *cap_buf;
static size_t cap_len;

static void cap_begin(wf_log_format format, int verbose)
{
    cap_file = open_memstream(&cap_buf, &cap_len);
    wf_log_configure(format, verbose, cap_file);
}

/* Returns what the sink wrote (caller frees) and resets the log's state. */
static char *cap_end(void)
{
    fclose(cap_file);
    wf_log_configure(WF_LOG_TEXT, 0, stderr);
    wf_log_shutdown();
    char *out = cap_buf;
    cap_buf = NULL;
    return out;
}

#define CHECK_CONTAINS(hay, needle) do { const char *h_ = (hay); check_count++; \
    if (!h_ || !strstr(h_, needle)) { check_failures++; fprintf(stderr, \
    "%s:%d: output lacks \"%s\":\n%s\n", __FILE__, __LINE__, needle, h_ ? h_ : "(null)"); } \
    } while (0)
#define CHECK_LACKS(hay, needle) do { const char *h_ = (hay); check_count++; \
    if (!h_ || strstr(h_, needle)) { check_failures++; fprintf(stderr, \
    "%s:%d: output holds \"%s\":\n%s\n", __FILE__, __LINE__, needle, h_ ? h_ : "(null)"); } \
    } while (0)

/* ---- a TeamCity reader, to check escaping by decoding it back -------------------------- */

static void put_utf8(char **o, uint32_t cp)
{
    unsigned char *p = (unsigned char *)*o;
    if (cp < 0x80) {
        *p++ = (unsigned char)cp;
    } else if (cp < 0x800) {
        *p++ = (unsigned char)(0xC0 | cp >> 6);
        *p++ = (unsigned char)(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        *p++ = (unsigned char)(0xE0 | cp >> 12);
        *p++ = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
        *p++ = (unsigned char)(0x80 | (cp & 0x3F));
    } else {
        *p++ = (unsigned char)(0xF0 | cp >> 18);
        *p++ = (unsigned char)(0x80 | (cp >> 12 & 0x3F));
        *p++ = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
        *p++ = (unsigned char)(0x80 | (cp & 0x3F));
    }
    *o = (char *)p;
}

/* Decodes the escaped value starting at *pp (just after the opening quote) up to its
 * closing quote, as TeamCity reads it; *pp ends after the quote. NULL if malformed. */
static char *tc_decode(const char **pp)
{
    const char *p = *pp;
    char *out = malloc(strlen(p) * 4 + 1), *o = out;
    uint32_t high = 0;
    while (*p && *p != '\'') {
        uint32_t cp;
        if ((unsigned char)*p >= 0x80 || *p == '\n' || *p == '\r' || *p == '[' || *p == ']')
            goto bad;   /* must have been escaped */
        if (*p != '|') {
            cp = (unsigned char)*p++;
        } else {
            p++;
            switch (*p) {
            case '|': cp = '|'; p++; break;
            case '\'': cp = '\''; p++; break;
            case 'n': cp = '\n'; p++; break;
            case 'r': cp = '\r'; p++; break;
            case '[': cp = '['; p++; break;
            case ']': cp = ']'; p++; break;
            case 'x': cp = 0x85; p++; break;
            case 'l': cp = 0x2028; p++; break;
            case 'p': cp = 0x2029; p++; break;
            case '0': {
                if (p[1] != 'x')
                    goto bad;
                char hex[5] = { 0 };
                for (int i = 0; i < 4; i++) {
                    if (!strchr("0123456789abcdef", p[2 + i]) || !p[2 + i])
                        goto bad;
                    hex[i] = p[2 + i];
                }
                cp = (uint32_t)strtoul(hex, NULL, 16);
                p += 6;
                break;
            }
            default:
                goto bad;
            }
        }
        if (cp >= 0xD800 && cp <= 0xDBFF) {
            if (high)
                goto bad;
            high = cp;
            continue;
        }
        if (cp >= 0xDC00 && cp <= 0xDFFF) {
            if (!high)
                goto bad;
            cp = 0x10000 + ((high - 0xD800) << 10) + (cp - 0xDC00);
            high = 0;
        } else if (high) {
            goto bad;
        }
        put_utf8(&o, cp);
    }
    if (*p != '\'' || high)
        goto bad;
    *o = '\0';
    *pp = p + 1;
    return out;
bad:
    free(out);
    return NULL;
}

/* Checks every line is one well-formed service message; returns the decoded value of attr
 * in the first message named name (NULL if none). attr NULL: the single-value form. */
static char *tc_find(const char *out, const char *name, const char *attr)
{
    char *found = NULL;
    const char *line = out;
    while (line && *line) {
        const char *end = strchr(line, '\n');
        CHECK(end != NULL);
        if (!end)
            break;
        CHECK(strncmp(line, "##teamcity[", 11) == 0);
        const char *p = line + 11;
        size_t nlen = strcspn(p, " ]");
        int match = strlen(name) == nlen && strncmp(p, name, nlen) == 0 && !found;
        p += nlen;
        while (*p == ' ') {
            p++;
            const char *key = p;
            size_t klen = 0;
            if (*p != '\'') {
                klen = strcspn(p, "=");
                p += klen + 1;
            }
            CHECK(*p == '\'');
            if (*p != '\'')
                return found;
            p++;
            char *value = tc_decode(&p);
            CHECK(value != NULL);
            if (!value)
                return found;
            int want = match && (attr ? klen == strlen(attr) && strncmp(key, attr, klen) == 0
                                      : klen == 0);
            if (want)
                found = value;
            else
                free(value);
        }
        CHECK(*p == ']' && p + 1 == end);
        line = end + 1;
    }
    return found;
}

/* ---- sinks: exact output ----------------------------------------------------------------- */

static void run_scenario(void)
{
    wf_log_run_start("clone-db", "r-1", "run");
    wf_log_step_start("snapshot-db", "Snapshot the database");
    wf_log_progress("snapshot-db", "snapshot snap-1", 130, 3000);
    wf_log_message(WF_LOG_WARN, "snapshot-db", "slow: %d%%", 50);
    wf_log_step_end("snapshot-db", "succeeded", 130.4);
    wf_log_set_current_step("restore");
    wf_log_message(WF_LOG_INFO, NULL, "restoring %s", "db-2");
    wf_log_problem(NULL, "restore failed");
    wf_log_statistic("snapshots", 3);
    wf_log_undo_start("snapshot-db");
    wf_log_undo_end("snapshot-db", "undone", 2.5);
    wf_log_set_current_step(NULL);
    wf_log_message(WF_LOG_ERROR, NULL, "giving up");
    wf_log_run_end("r-1", "rolled back", 1, 5400);
}

static void test_text_sink(void)
{
    cap_begin(WF_LOG_TEXT, 0);
    run_scenario();
    wf_log_message(WF_LOG_DEBUG, NULL, "not shown");
    wf_log_output("s", "stdout", "not shown\n", 10);
    char *out = cap_end();
    CHECK_STR_EQ(out,
        "12:00:05 run r-1 of clone-db started (mode run)\n"
        "12:00:05 snapshot-db: started - Snapshot the database\n"
        "12:00:05 snapshot-db: waiting for snapshot snap-1 (2m10s of 50m)\n"
        "12:00:05 snapshot-db: warning: slow: 50%\n"
        "12:00:05 snapshot-db: succeeded in 2m10s\n"
        "12:00:05 restore: restoring db-2\n"
        "12:00:05 restore: problem: restore failed\n"
        "12:00:05 snapshot-db: undoing\n"
        "12:00:05 snapshot-db: undone in 2.5s\n"
        "12:00:05 error: giving up\n"
        "12:00:05 run r-1 rolled back in 1h30m (exit 1)\n");
    free(out);

    /* Verbose: debug messages and subprocess output, one event per line. */
    cap_begin(WF_LOG_TEXT, 1);
    wf_log_message(WF_LOG_DEBUG, "s", "detail");
    wf_log_output("s", "stderr", "one\ntwo\r\n\nthree", strlen("one\ntwo\r\n\nthree"));
    wf_log_step_start("s", NULL);
    wf_log_step_end("s", "skipped", 0);
    wf_log_step_end("s", "failed", 0.04);
    wf_log_undo_end("s", "failed", 12);
    wf_log_progress("s", "x", 9.96, 0);
    wf_log_progress("s", "x", 3601, -1);
    wf_log_progress("s", "x", -5, 0.25);
    out = cap_end();
    CHECK_STR_EQ(out,
        "12:00:05 s: debug: detail\n"
        "12:00:05 s: [stderr] one\n"
        "12:00:05 s: [stderr] two\n"
        "12:00:05 s: [stderr] \n"
        "12:00:05 s: [stderr] three\n"
        "12:00:05 s: started\n"
        "12:00:05 s: skipped\n"
        "12:00:05 s: failed in 0s\n"
        "12:00:05 s: undo failed in 12s\n"
        "12:00:05 s: waiting for x (10s)\n"
        "12:00:05 s: waiting for x (1h1s)\n"
        "12:00:05 s: waiting for x (0s of 0.3s)\n");
    free(out);
}

static void test_json_sink(void)
{
    cap_begin(WF_LOG_JSON, 0);
    run_scenario();
    wf_log_message(WF_LOG_INFO, "s", "he said \"hi\"\n\\ok\x01");
    char *out = cap_end();
    const char *T = "{\"time\":\"2024-05-01T12:00:05.000Z\",";
    char expected[4096];
    snprintf(expected, sizeof expected,
        "%s\"level\":\"info\",\"event\":\"run_start\",\"step\":null,\"message\":\"run r-1 of clone-db started (mode run)\",\"workflow\":\"clone-db\",\"run_id\":\"r-1\",\"mode\":\"run\"}\n"
        "%s\"level\":\"info\",\"event\":\"step_start\",\"step\":\"snapshot-db\",\"message\":\"started - Snapshot the database\",\"doc\":\"Snapshot the database\"}\n"
        "%s\"level\":\"info\",\"event\":\"progress\",\"step\":\"snapshot-db\",\"message\":\"waiting for snapshot snap-1 (2m10s of 50m)\",\"what\":\"snapshot snap-1\",\"elapsed_s\":130,\"timeout_s\":3000}\n"
        "%s\"level\":\"warn\",\"event\":\"message\",\"step\":\"snapshot-db\",\"message\":\"slow: 50%%\"}\n"
        "%s\"level\":\"info\",\"event\":\"step_end\",\"step\":\"snapshot-db\",\"message\":\"succeeded in 2m10s\",\"outcome\":\"succeeded\",\"elapsed_s\":130.4}\n"
        "%s\"level\":\"info\",\"event\":\"message\",\"step\":\"restore\",\"message\":\"restoring db-2\"}\n"
        "%s\"level\":\"error\",\"event\":\"problem\",\"step\":\"restore\",\"message\":\"restore failed\"}\n"
        "%s\"level\":\"info\",\"event\":\"statistic\",\"step\":null,\"message\":\"snapshots = 3\",\"key\":\"snapshots\",\"value\":3}\n"
        "%s\"level\":\"info\",\"event\":\"undo_start\",\"step\":\"snapshot-db\",\"message\":\"undoing\"}\n"
        "%s\"level\":\"info\",\"event\":\"undo_end\",\"step\":\"snapshot-db\",\"message\":\"undone in 2.5s\",\"outcome\":\"undone\",\"elapsed_s\":2.5}\n"
        "%s\"level\":\"error\",\"event\":\"message\",\"step\":null,\"message\":\"giving up\"}\n"
        "%s\"level\":\"error\",\"event\":\"run_end\",\"step\":null,\"message\":\"run r-1 rolled back in 1h30m (exit 1)\",\"run_id\":\"r-1\",\"outcome\":\"rolled back\",\"exit_code\":1,\"elapsed_s\":5400}\n"
        "%s\"level\":\"info\",\"event\":\"message\",\"step\":\"s\",\"message\":\"he said \\\"hi\\\"\\n\\\\ok\\u0001\"}\n",
        T, T, T, T, T, T, T, T, T, T, T, T, T);
    CHECK_STR_EQ(out, expected);
    free(out);

    /* Output lines are events too; elapsed times are cut to milliseconds. */
    cap_begin(WF_LOG_JSON, 1);
    wf_log_output(NULL, "stdout", "a\nb", 3);
    wf_log_step_end("s", "failed", 1.0000000001);
    out = cap_end();
    snprintf(expected, sizeof expected,
        "%s\"level\":\"debug\",\"event\":\"output\",\"step\":null,\"message\":\"a\",\"stream\":\"stdout\"}\n"
        "%s\"level\":\"debug\",\"event\":\"output\",\"step\":null,\"message\":\"b\",\"stream\":\"stdout\"}\n"
        "%s\"level\":\"error\",\"event\":\"step_end\",\"step\":\"s\",\"message\":\"failed in 1s\",\"outcome\":\"failed\",\"elapsed_s\":1}\n",
        T, T, T);
    CHECK_STR_EQ(out, expected);
    free(out);
}

static void test_teamcity_sink(void)
{
    cap_begin(WF_LOG_TEAMCITY, 0);
    run_scenario();
    char *out = cap_end();
    CHECK_STR_EQ(out,
        "##teamcity[message text='run r-1 of clone-db started (mode run)' status='NORMAL']\n"
        "##teamcity[blockOpened name='snapshot-db' description='Snapshot the database']\n"
        "##teamcity[progressMessage 'snapshot-db: waiting for snapshot snap-1 (2m10s of 50m)']\n"
        "##teamcity[message text='slow: 50%' status='WARNING']\n"
        "##teamcity[message text='succeeded in 2m10s' status='NORMAL']\n"
        "##teamcity[blockClosed name='snapshot-db']\n"
        "##teamcity[message text='restore: restoring db-2' status='NORMAL']\n"
        "##teamcity[buildProblem description='restore: restore failed']\n"
        "##teamcity[buildStatisticValue key='snapshots' value='3']\n"
        "##teamcity[blockOpened name='undo snapshot-db']\n"
        "##teamcity[message text='undone in 2.5s' status='NORMAL']\n"
        "##teamcity[blockClosed name='undo snapshot-db']\n"
        "##teamcity[message text='giving up' status='ERROR']\n"
        "##teamcity[message text='run r-1 rolled back in 1h30m (exit 1)' status='ERROR']\n");
    free(out);

    /* Blocks: a step that never opened one closes nothing; run_end closes what is open;
     * output inside its step's block needs no prefix. */
    cap_begin(WF_LOG_TEAMCITY, 1);
    wf_log_step_end("skipped-step", "skipped", 0);
    wf_log_step_start("a", NULL);
    wf_log_output("a", "stdout", "hello\n", 6);
    wf_log_message(WF_LOG_INFO, "b", "from b");
    wf_log_statistic("nan", NAN);
    wf_log_run_end("r-2", "interrupted", 3, 1);
    out = cap_end();
    CHECK_STR_EQ(out,
        "##teamcity[message text='skipped-step: skipped' status='NORMAL']\n"
        "##teamcity[blockOpened name='a']\n"
        "##teamcity[message text='|[stdout|] hello' status='NORMAL']\n"
        "##teamcity[message text='b: from b' status='NORMAL']\n"
        "##teamcity[blockClosed name='a']\n"
        "##teamcity[message text='run r-2 interrupted in 1s (exit 3)' status='ERROR']\n");
    free(out);
}

static void test_teamcity_escaping(void)
{
    static const struct { const char *in, *escaped; } cases[] = {
        { "plain", "plain" },
        { "|", "||" },
        { "'", "|'" },
        { "\n", "|n" },
        { "\r", "|r" },
        { "[", "|[" },
        { "]", "|]" },
        { "\xC2\x85", "|x" },                          /* U+0085 next line */
        { "\xE2\x80\xA8", "|l" },                      /* U+2028 line separator */
        { "\xE2\x80\xA9", "|p" },                      /* U+2029 paragraph separator */
        { "\xC3\xA9", "|0x00e9" },
        { "\xE2\x82\xAC", "|0x20ac" },
        { "\xEF\xBF\xBD", "|0xfffd" },
        { "\xF0\x9F\x98\x80", "|0xd83d|0xde00" },      /* U+1F600: UTF-16 surrogate pair */
        { "\xF4\x8F\xBF\xBF", "|0xdbff|0xdfff" },      /* U+10FFFF */
        { "\x01\x1B\x7F", "|0x0001|0x001b|0x007f" },   /* controls */
        { "a\tb", "a\tb" },
        { "##teamcity[x]", "##teamcity|[x|]" },
        { "it's [1|2]\r\n", "it|'s |[1||2|]|r|n" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cap_begin(WF_LOG_TEAMCITY, 0);
        wf_log_message(WF_LOG_INFO, NULL, "%s", cases[i].in);
        char *out = cap_end();
        char expected[256];
        snprintf(expected, sizeof expected, "##teamcity[message text='%s' status='NORMAL']\n",
                 cases[i].escaped);
        CHECK_STR_EQ(out, expected);
        char *decoded = tc_find(out, "message", "text");
        CHECK_STR_EQ(decoded, cases[i].in);
        free(decoded);
        free(out);
    }
    /* Invalid input is cleaned before escaping: NUL and a stray byte become U+FFFD. */
    cap_begin(WF_LOG_TEAMCITY, 0);
    wf_log_message_len(WF_LOG_INFO, NULL, "a\0b\xFF", 4);
    char *out = cap_end();
    CHECK_STR_EQ(out, "##teamcity[message text='a|0xfffdb|0xfffd' status='NORMAL']\n");
    free(out);

    /* A long problem description is cut to TeamCity's 4000 characters. */
    char *longdesc = malloc(5001);
    memset(longdesc, 'x', 5000);
    longdesc[5000] = '\0';
    longdesc[3999] = '\xC3';   /* a 2-byte character across the cut */
    longdesc[4000] = '\xA9';
    cap_begin(WF_LOG_TEAMCITY, 0);
    wf_log_problem(NULL, longdesc);
    out = cap_end();
    char *desc = tc_find(out, "buildProblem", "description");
    CHECK(desc && strlen(desc) == 3999 && wf_utf8_valid(desc, strlen(desc)));
    free(desc);
    free(out);
    free(longdesc);
}

/* ---- redaction --------------------------------------------------------------------------- */

/* Every event that takes text, with the secret in each string, through one sink. */
static char *all_events_with(wf_log_format format, const char *secret)
{
    char with[512];
    snprintf(with, sizeof with, "<%s>", secret);
    cap_begin(format, 1);
    wf_log_add_secret(secret);
    wf_log_run_start(with, with, with);
    wf_log_step_start(with, with);
    wf_log_progress(with, with, 1, 2);
    wf_log_message(WF_LOG_WARN, with, "msg %s end", with);
    wf_log_message(WF_LOG_DEBUG, NULL, "%s", secret);
    wf_log_output(with, "stdout", with, strlen(with));
    wf_log_problem(with, with);
    wf_log_statistic(with, 1);
    wf_log_step_end(with, with, 1);
    wf_log_undo_start(with);
    wf_log_undo_end(with, with, 1);
    wf_log_set_current_step(with);
    wf_log_message(WF_LOG_INFO, NULL, "current");
    wf_log_run_end(with, with, 1, 1);
    return cap_end();
}

static void test_redaction_everywhere(void)
{
    /* Secrets made of what each sink escapes: TeamCity's |'[] and JSON's quote and
     * backslash, plus non-ASCII (|0x escapes) and a newline. */
    static const char *const secrets[] = {
        "AKIAIOSFODNN7EXAMPLE",
        "pa'ss|wo[rd]",
        "q\"u\\o\"te",
        "s\xC3\xA9kr\xC3\xA9t\xF0\x9F\x94\x91",
        "two\nlines",
    };
    static const char *const escaped_forms[] = {
        "pa|'ss||wo|[rd|]", "q\\\"u\\\\o\\\"te", "s|0x00e9kr", "two|nlines", "two\\nlines",
    };
    for (size_t i = 0; i < sizeof secrets / sizeof secrets[0]; i++) {
        for (int f = WF_LOG_TEXT; f <= WF_LOG_TEAMCITY; f++) {
            char *out = all_events_with((wf_log_format)f, secrets[i]);
            CHECK(out && strlen(out) > 100);
            CHECK_LACKS(out, secrets[i]);
            for (size_t e = 0; e < sizeof escaped_forms / sizeof escaped_forms[0]; e++)
                CHECK_LACKS(out, escaped_forms[e]);
            CHECK_CONTAINS(out, "***");
            CHECK(wf_utf8_valid(out, strlen(out)));
            free(out);
        }
    }
}

static void test_redaction_rules(void)
{
    char *s;
    size_t n;

    /* Overlapping secrets merge into one "***": no tail of either survives. */
    wf_log_add_secret("abcdef12");
    wf_log_add_secret("ef12ghij");
    s = wf_log_sanitize("xxabcdef12ghijxx", 16, &n);
    CHECK_STR_EQ(s, "xx***xx");
    CHECK_INT_EQ(n, 7);
    free(s);
    s = wf_log_sanitize("abcdef12abcdef12", 16, NULL);
    CHECK_STR_EQ(s, "***");
    free(s);
    wf_log_shutdown();

    /* Short strings are not secrets. */
    wf_log_add_secret("abc");
    wf_log_add_secret(NULL);
    s = wf_log_sanitize("abc", 3, NULL);
    CHECK_STR_EQ(s, "abc");
    free(s);
    wf_log_shutdown();

    /* A secret that starts with continuation bytes: sanitising alone would glue them to
     * the lead byte before it, and the cleaned secret would no longer match. */
    wf_log_add_secret("\x82\xACSECRETX");
    s = wf_log_sanitize("\xE2\x82\xACSECRETX!", 11, NULL);
    CHECK(s && !strstr(s, "SECRETX"));
    CHECK(s && wf_utf8_valid(s, strlen(s)));
    free(s);
    wf_log_shutdown();

    /* A secret with invalid bytes and NUL, registered by length. */
    wf_log_add_secret_len("k\0\xFFkey", 6);
    s = wf_log_sanitize("[k\0\xFFkey]", 8, NULL);
    CHECK_STR_EQ(s, "[***]");
    free(s);
    wf_log_shutdown();

    /* Redaction runs after sanitising: the cleaned form of a secret matches too. */
    wf_log_add_secret("tok\xFF" "en");
    s = wf_log_sanitize("tok" FFFD "en", 8, NULL);
    CHECK_STR_EQ(s, "***");
    free(s);
    wf_log_shutdown();

    /* A secret that spans our own wording and a caller's part is still caught. */
    cap_begin(WF_LOG_TEXT, 0);
    wf_log_add_secret("for xyzw");
    wf_log_progress("s", "xyzw", 1, 0);
    char *out = cap_end();
    CHECK_STR_EQ(out, "12:00:05 s: waiting *** (1s)\n");
    free(out);

    /* A secret across lines of one output chunk. */
    cap_begin(WF_LOG_TEXT, 1);
    wf_log_add_secret("line1-SECRET\nline2");
    wf_log_output("s", "stdout", "x line1-SECRET\nline2 y\n", 23);
    out = cap_end();
    CHECK_STR_EQ(out, "12:00:05 s: [stdout] x *** y\n");
    free(out);

    /* Secrets added after the current step was set are applied to it. */
    cap_begin(WF_LOG_TEXT, 0);
    wf_log_set_current_step("step-SECRET1");
    wf_log_add_secret("SECRET1");
    wf_log_message(WF_LOG_INFO, NULL, "hi");
    out = cap_end();
    CHECK_STR_EQ(out, "12:00:05 step-***: hi\n");
    free(out);
}

/* ---- any bytes in, valid UTF-8 out ------------------------------------------------------- */

static void test_nasty_bytes(void)
{
    char nasty[600];
    size_t n = 0;
    for (int b = 1; b < 256; b++)
        nasty[n++] = (char)b;
    static const char tail[] = "\xC0\xAF\xED\xA0\x80\xF4\x90\x80\x80\xE2\x82\xF0\x9F\x98\x80"
                               "'|[]\r\n\xC2\x85\xE2\x80\xA8\xE2\x80\xA9\xF0\x9F";
    memcpy(nasty + n, tail, sizeof tail - 1);
    n += sizeof tail - 1;
    nasty[n] = '\0';
    char with_nul[700];
    memcpy(with_nul, nasty, n);
    with_nul[n] = '\0';
    memcpy(with_nul + n + 1, nasty, n);
    size_t with_nul_len = 2 * n + 1;

    for (int f = WF_LOG_TEXT; f <= WF_LOG_TEAMCITY; f++) {
        cap_begin((wf_log_format)f, 1);
        wf_log_run_start(nasty, nasty, nasty);
        wf_log_step_start(nasty, nasty);
        wf_log_progress(nasty, nasty, 1, 2);
        wf_log_message_len(WF_LOG_ERROR, nasty, with_nul, with_nul_len);
        wf_log_message(WF_LOG_INFO, NULL, "%s", nasty);
        wf_log_output(nasty, "stderr", with_nul, with_nul_len);
        wf_log_problem(nasty, nasty);
        wf_log_statistic(nasty, 2.5);
        wf_log_step_end(nasty, nasty, 1);
        wf_log_undo_start(nasty);
        wf_log_undo_end(nasty, nasty, 1);
        wf_log_run_end(nasty, nasty, 2, 1);
        size_t len = 0;
        fflush(cap_file);
        len = cap_len;
        char *out = cap_end();
        CHECK(out && len > 0);
        CHECK(out && strlen(out) == len);            /* no NUL byte */
        CHECK(out && wf_utf8_valid(out, len));
        if (out && f == WF_LOG_JSON) {
            /* Each line is a JSON object. */
            int lines = 0;
            for (char *line = out, *end; (end = strchr(line, '\n')) != NULL; line = end + 1) {
                *end = '\0';
                cJSON *o = cJSON_Parse(line);
                CHECK(o && cJSON_IsString(cJSON_GetObjectItem(o, "message")));
                cJSON_Delete(o);
                lines++;
            }
            CHECK(lines >= 12);
        }
        if (out && f == WF_LOG_TEAMCITY) {
            for (size_t i = 0; i < len; i++)
                if ((unsigned char)out[i] >= 0x80) {
                    CHECK(!"TeamCity output is ASCII");
                    break;
                }
            /* Well-formed messages, and the text decodes back to the cleaned input. */
            char *text = tc_find(out, "message", "text");
            char *clean = wf_log_sanitize(nasty, strlen(nasty), NULL);
            CHECK(text && clean && strstr(text, clean) != NULL);
            free(text);
            free(clean);
        }
        free(out);
    }
}

/* ---- the Lua module ---------------------------------------------------------------------- */

static int run_lua(lua_State *L, const char *code)
{
    if (luaL_loadstring(L, code) != LUA_OK || lua_pcall(L, 0, 1, 0) != LUA_OK) {
        lua_pop(L, 1);
        return 0;
    }
    return 1;
}

static void test_lua_module(void)
{
    lua_State *L = luaL_newstate();
    luaL_openlibs(L);
    luaL_requiref(L, "wf.log", wf_open_log, 0);
    lua_setglobal(L, "log");

    cap_begin(WF_LOG_TEXT, 1);
    CHECK(run_lua(L,
        "log.add_secret('hunter22')\n"
        "log.run_start('wf', 'r-9', 'plan')\n"
        "log.step_start('s1', 'doc')\n"
        "log.set_step('s1')\n"
        "log.info('pass=hunter22 \\0 done')\n"
        "log.debug('dbg')\n"
        "log.warn('careful')\n"
        "log.error('bad')\n"
        "log.progress(nil, 'thing', 5, 60)\n"
        "log.output(nil, 'stdout', 'l1\\nl2')\n"
        "log.problem('s1', 'it broke')\n"
        "log.statistic('k', 1.5)\n"
        "log.step_end('s1', 'failed', 3)\n"
        "log.undo_start('s1')\n"
        "log.undo_end('s1', 'undone', 1)\n"
        "log.set_step(nil)\n"
        "log.run_end('r-9', 'rolled back', 1, 4)\n"
        "return true"));
    char *out = cap_end();
    CHECK_STR_EQ(out,
        "12:00:05 run r-9 of wf started (mode plan)\n"
        "12:00:05 s1: started - doc\n"
        "12:00:05 s1: pass=*** " FFFD " done\n"
        "12:00:05 s1: debug: dbg\n"
        "12:00:05 s1: warning: careful\n"
        "12:00:05 s1: error: bad\n"
        "12:00:05 s1: waiting for thing (5s of 1m)\n"
        "12:00:05 s1: [stdout] l1\n"
        "12:00:05 s1: [stdout] l2\n"
        "12:00:05 s1: problem: it broke\n"
        "12:00:05 s1: failed in 3s\n"
        "12:00:05 s1: undoing\n"
        "12:00:05 s1: undone in 1s\n"
        "12:00:05 run r-9 rolled back in 4s (exit 1)\n");
    free(out);

    /* sanitize, is_verbose, format. */
    cap_begin(WF_LOG_TEAMCITY, 0);
    CHECK(run_lua(L, "log.add_secret('sekrit99') "
                     "return log.sanitize('a\\0b\\255 sekrit99') == 'a\\u{FFFD}b\\u{FFFD} ***'"));
    CHECK(lua_toboolean(L, -1));
    lua_pop(L, 1);
    CHECK(run_lua(L, "return log.format() == 'teamcity' and log.is_verbose() == false"));
    CHECK(lua_toboolean(L, -1));
    lua_pop(L, 1);
    out = cap_end();
    free(out);

    /* Arguments are checked. */
    CHECK(!run_lua(L, "log.output(nil, 'stdin', 'x')"));
    CHECK(!run_lua(L, "log.info()"));
    CHECK(!run_lua(L, "log.step_end('s', 'succeeded')"));
    CHECK(!run_lua(L, "log.run_end('r', 'ok', 1.5, 1)"));
    CHECK(!run_lua(L, "log.statistic('k', 'many')"));
    lua_close(L);
}

int main(void)
{
    setenv("TZ", "UTC", 1);
    tzset();
    setenv("WFRUN_FAKE_TIME", FAKE_TIME, 1);
    test_text_sink();
    test_json_sink();
    test_teamcity_sink();
    test_teamcity_escaping();
    test_redaction_everywhere();
    test_redaction_rules();
    test_nasty_bytes();
    test_lua_module();
    wf_log_shutdown();
    return CHECK_DONE();
}
