/* Logging: cleans every string (UTF-8, then secrets), builds one event, formats it for the
 * configured sink (text, JSON lines, TeamCity service messages) and writes it in one go. */
#define _GNU_SOURCE   /* memmem */
#include "log.h"
#include "utf8.h"
#include <assert.h>
#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct secret {
    char *raw;            /* as registered: may hold invalid UTF-8 or NUL */
    size_t raw_len;
    char *clean;          /* wf_utf8_sanitize(raw): the form found in cleaned text */
    size_t clean_len;
};

/* A TeamCity block we opened and have not closed yet. */
struct tc_block {
    char *name;           /* "snapshot-db" or "undo snapshot-db" */
    char *step;
};

static struct {
    wf_log_format format;
    int verbose;
    FILE *out;            /* NULL: stderr */
    int clock_ready;      /* WFRUN_FAKE_TIME read since the last configure */
    int fake;
    time_t fake_time;
    struct secret *secrets;
    size_t nsecrets, secrets_cap;
    char *current_step;   /* as given; cleaned per event, since secrets may come later */
    struct tc_block *blocks;
    size_t nblocks, blocks_cap;
} g_log;

/* ---- configuration ---------------------------------------------------------------- */

void wf_log_configure(wf_log_format format, int verbose, FILE *out)
{
    g_log.format = format;
    g_log.verbose = verbose != 0;
    g_log.out = out;
    g_log.clock_ready = 0;
}

wf_log_format wf_log_current_format(void) { return g_log.format; }
int wf_log_is_verbose(void) { return g_log.verbose; }

void wf_log_set_current_step(const char *step)
{
    char *copy = step ? strdup(step) : NULL;
    free(g_log.current_step);
    g_log.current_step = copy;   /* strdup failing only loses the attribution */
}

const char *wf_log_current_step(void) { return g_log.current_step; }

static void blocks_free(void)
{
    for (size_t i = 0; i < g_log.nblocks; i++) {
        free(g_log.blocks[i].name);
        free(g_log.blocks[i].step);
    }
    free(g_log.blocks);
    g_log.blocks = NULL;
    g_log.nblocks = g_log.blocks_cap = 0;
}

void wf_log_shutdown(void)
{
    for (size_t i = 0; i < g_log.nsecrets; i++) {
        free(g_log.secrets[i].raw);
        free(g_log.secrets[i].clean);
    }
    free(g_log.secrets);
    g_log.secrets = NULL;
    g_log.nsecrets = g_log.secrets_cap = 0;
    free(g_log.current_step);
    g_log.current_step = NULL;
    blocks_free();
}

/* ---- clock --------------------------------------------------------------------------- */

/* WFRUN_FAKE_TIME (epoch seconds) freezes the clock so tests see fixed timestamps; read
 * once per configure, not per event. */
static void now(struct timespec *ts)
{
    if (!g_log.clock_ready) {
        const char *fake = getenv("WFRUN_FAKE_TIME");
        g_log.fake = 0;
        if (fake && *fake) {
            char *end = NULL;
            errno = 0;
            long long v = strtoll(fake, &end, 10);
            if (errno == 0 && end && *end == '\0' && v >= 0) {
                g_log.fake = 1;
                g_log.fake_time = (time_t)v;
            }
        }
        g_log.clock_ready = 1;
    }
    if (g_log.fake) {
        ts->tv_sec = g_log.fake_time;
        ts->tv_nsec = 0;
    } else if (clock_gettime(CLOCK_REALTIME, ts) != 0) {
        ts->tv_sec = time(NULL);
        ts->tv_nsec = 0;
    }
}

/* ---- secrets and cleaning ------------------------------------------------------------ */

void wf_log_add_secret(const char *secret)
{
    if (secret)
        wf_log_add_secret_len(secret, strlen(secret));
}

void wf_log_add_secret_len(const char *secret, size_t len)
{
    if (!secret || len < 4)
        return;
    for (size_t i = 0; i < g_log.nsecrets; i++)
        if (g_log.secrets[i].raw_len == len && memcmp(g_log.secrets[i].raw, secret, len) == 0)
            return;
    if (g_log.nsecrets == g_log.secrets_cap) {
        size_t cap = g_log.secrets_cap ? g_log.secrets_cap * 2 : 8;
        struct secret *grown = realloc(g_log.secrets, cap * sizeof *grown);
        if (!grown)
            return;
        g_log.secrets = grown;
        g_log.secrets_cap = cap;
    }
    struct secret s = { 0 };
    s.raw = malloc(len + 1);
    s.clean = wf_utf8_sanitize(secret, len, &s.clean_len);
    if (!s.raw || !s.clean) {
        free(s.raw);
        free(s.clean);
        return;
    }
    memcpy(s.raw, secret, len);
    s.raw[len] = '\0';
    s.raw_len = len;
    g_log.secrets[g_log.nsecrets++] = s;
}

/* Replaces every stretch of in[0..len) covered by some secret with one "***"; overlapping
 * or adjacent secrets merge, so no tail of one survives the replacement of another.
 * use_clean picks which form of the secrets to look for. Returns a malloc'ed copy. */
static char *redact(const char *in, size_t len, int use_clean, size_t *out_len)
{
    unsigned char *mask = NULL;
    for (size_t i = 0; i < g_log.nsecrets; i++) {
        const struct secret *s = &g_log.secrets[i];
        const char *needle = use_clean ? s->clean : s->raw;
        size_t nlen = use_clean ? s->clean_len : s->raw_len;
        if (nlen == 0 || nlen > len)
            continue;
        const char *p = in, *end = in + len;
        while ((size_t)(end - p) >= nlen) {
            const char *hit = memmem(p, (size_t)(end - p), needle, nlen);
            if (!hit)
                break;
            if (!mask) {
                mask = calloc(len, 1);
                if (!mask)
                    return NULL;
            }
            memset(mask + (hit - in), 1, nlen);
            p = hit + 1;
        }
    }
    /* Secrets are at least 4 bytes and "***" is 3, so the result never grows. */
    char *out = malloc(len + 1);
    if (!out) {
        free(mask);
        return NULL;
    }
    size_t o = 0;
    if (!mask) {
        memcpy(out, in, len);
        o = len;
    } else {
        for (size_t i = 0; i < len;) {
            if (mask[i]) {
                memcpy(out + o, "***", 3);
                o += 3;
                while (i < len && mask[i])
                    i++;
            } else {
                out[o++] = in[i++];
            }
        }
        free(mask);
    }
    out[o] = '\0';
    if (out_len)
        *out_len = o;
    return out;
}

/* Raw secrets are removed from the raw bytes first: sanitising can merge a secret's stray
 * bytes with its neighbours (a secret starting with a continuation byte, after a lead byte)
 * so that the cleaned form would no longer match. Then sanitise, then redact the cleaned
 * forms, which is the pass that matters for ordinary (valid UTF-8) secrets. */
char *wf_log_sanitize(const char *in, size_t len, size_t *out_len)
{
    assert(in != NULL || len == 0);
    if (!in)
        in = "";
    if (!g_log.nsecrets)
        return wf_utf8_sanitize(in, len, out_len);
    size_t n1, n2;
    char *a = redact(in, len, 0, &n1);
    if (!a)
        return NULL;
    char *b = wf_utf8_sanitize(a, n1, &n2);
    free(a);
    if (!b)
        return NULL;
    char *c = redact(b, n2, 1, out_len);
    free(b);
    return c;
}

/* ---- output buffer ------------------------------------------------------------------- */

/* One event's output, built in memory and written with one fwrite, so a line is never
 * interleaved with other writers more than stdio must. oom: drop the event. */
struct buf {
    char *p;
    size_t len, cap;
    int oom;
};

static void buf_add_len(struct buf *b, const char *s, size_t n)
{
    if (b->oom)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *grown = realloc(b->p, cap);
        if (!grown) {
            b->oom = 1;
            return;
        }
        b->p = grown;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void buf_add(struct buf *b, const char *s) { buf_add_len(b, s, strlen(s)); }

static void buf_addf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void buf_addf(struct buf *b, const char *fmt, ...)
{
    char small[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0) {
        b->oom = 1;
        return;
    }
    if ((size_t)n < sizeof small) {
        buf_add_len(b, small, (size_t)n);
        return;
    }
    char *big = malloc((size_t)n + 1);
    if (!big) {
        b->oom = 1;
        return;
    }
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    buf_add_len(b, big, (size_t)n);
    free(big);
}

/* ---- events ---------------------------------------------------------------------------- */

enum event_kind {
    EV_MESSAGE, EV_RUN_START, EV_RUN_END, EV_STEP_START, EV_STEP_END, EV_UNDO_START,
    EV_UNDO_END, EV_PROGRESS, EV_OUTPUT, EV_PROBLEM, EV_STATISTIC
};

static const char *const event_names[] = {
    "message", "run_start", "run_end", "step_start", "step_end", "undo_start",
    "undo_end", "progress", "output", "problem", "statistic"
};

static const char *const level_names[] = { "debug", "info", "warn", "error" };

/* One event; every string is cleaned (valid UTF-8, secrets redacted), NULL when unused. */
struct event {
    enum event_kind kind;
    wf_log_level level;
    const char *step;
    const char *text;     /* the sentence people read, without the step */
    const char *workflow, *run_id, *mode, *doc, *outcome, *what, *stream, *key;
    int exit_code;
    double elapsed_s, timeout_s, value;
};

/* The cleaned strings of one event, freed together once it has gone out. failed: out of
 * memory; the event is dropped, since logging must never stop a run. */
#define SCRATCH_MAX 16
struct scratch {
    char *p[SCRATCH_MAX];
    int n;
    int failed;
};

static const char *keep(struct scratch *s, char *p)
{
    if (!p) {
        s->failed = 1;
        return NULL;
    }
    assert(s->n < SCRATCH_MAX);
    s->p[s->n++] = p;
    return p;
}

static const char *clean_len(struct scratch *s, const char *str, size_t len)
{
    if (!str || s->failed)
        return NULL;
    return keep(s, wf_log_sanitize(str, len, NULL));
}

static const char *clean(struct scratch *s, const char *str)
{
    return str ? clean_len(s, str, strlen(str)) : NULL;
}

/* A step argument: NULL means the current step. */
static const char *clean_step(struct scratch *s, const char *step)
{
    return clean(s, step ? step : g_log.current_step);
}

static void scratch_free(struct scratch *s)
{
    for (int i = 0; i < s->n; i++)
        free(s->p[i]);
    s->n = 0;
}

static char *vformat(size_t *len, const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0)
        return NULL;
    char *buf = malloc((size_t)n + 1);
    if (buf)
        vsnprintf(buf, (size_t)n + 1, fmt, ap);
    *len = (size_t)n;
    return buf;
}

/* Valid UTF-8 in, a malloc'ed copy with the cleaned secret forms redacted out. Used on
 * text we assembled from cleaned parts: a secret could span our wording and a part. */
static char *redact_assembled(const char *text, size_t len)
{
    if (!g_log.nsecrets) {
        char *copy = malloc(len + 1);
        if (copy) {
            memcpy(copy, text, len);
            copy[len] = '\0';
        }
        return copy;
    }
    return redact(text, len, 1, NULL);
}

/* A sentence assembled from cleaned parts. */
static const char *sentence(struct scratch *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static const char *sentence(struct scratch *s, const char *fmt, ...)
{
    if (s->failed)
        return NULL;
    va_list ap;
    size_t len;
    va_start(ap, fmt);
    char *raw = vformat(&len, fmt, ap);
    va_end(ap);
    if (!raw) {
        s->failed = 1;
        return NULL;
    }
    char *red = redact_assembled(raw, len);
    free(raw);
    return keep(s, red);
}

/* Compact durations for people: "0.4s", "2.5s", "15s", "2m10s", "50m", "1h30m". Whole
 * seconds from 10s on: a log line needs no milliseconds (the JSON sink keeps them). */
static void format_seconds(double seconds, char *buf, size_t size)
{
    if (!(seconds >= 0))
        seconds = 0;                 /* negative or NaN: a clock glitch, not worth a crash */
    if (seconds > 1e12)
        seconds = 1e12;              /* keeps llround defined */
    if (seconds < 10) {
        long long tenths = llround(seconds * 10);
        if (tenths % 10 == 0)
            snprintf(buf, size, "%llds", tenths / 10);
        else
            snprintf(buf, size, "%lld.%llds", tenths / 10, tenths % 10);
        return;
    }
    long long total = llround(seconds);
    long long h = total / 3600, m = total / 60 % 60, sec = total % 60;
    struct buf b = { 0 };
    if (h)
        buf_addf(&b, "%lldh", h);
    if (m)
        buf_addf(&b, "%lldm", m);
    if (sec)
        buf_addf(&b, "%llds", sec);
    snprintf(buf, size, "%s", b.oom || !b.p ? "?" : b.p);
    free(b.p);
}

/* ---- text sink ------------------------------------------------------------------------- */

/* "12:00:05 snapshot-db: waiting for snapshot (2m10s of 50m)". Local wall-clock time. */
static void text_format(struct buf *b, const struct event *ev)
{
    if (ev->kind == EV_STATISTIC)
        return;                      /* for CI only */
    struct timespec ts;
    struct tm tm;
    char clock[16];
    now(&ts);
    localtime_r(&ts.tv_sec, &tm);
    strftime(clock, sizeof clock, "%H:%M:%S", &tm);

    struct buf line = { 0 };
    buf_addf(&line, "%s ", clock);
    if (ev->step)
        buf_addf(&line, "%s: ", ev->step);
    if (ev->kind == EV_MESSAGE && ev->level != WF_LOG_INFO)
        buf_addf(&line, "%s: ", ev->level == WF_LOG_DEBUG ? "debug"
                               : ev->level == WF_LOG_WARN ? "warning" : "error");
    else if (ev->kind == EV_PROBLEM)
        buf_add(&line, "problem: ");
    else if (ev->kind == EV_OUTPUT)
        buf_addf(&line, "[%s] ", ev->stream ? ev->stream : "stdout");
    buf_add(&line, ev->text ? ev->text : "");
    if (line.oom) {
        b->oom = 1;
    } else {
        char *red = redact_assembled(line.p, line.len);
        if (red) {
            buf_add(b, red);
            buf_add(b, "\n");
        } else {
            b->oom = 1;
        }
        free(red);
    }
    free(line.p);
}

/* ---- JSON lines sink ------------------------------------------------------------------- */

/* Milliseconds are plenty, and spare readers "2.0000000000000004". */
static double round_ms(double x)
{
    return isfinite(x) ? round(x * 1000.0) / 1000.0 : x;
}

/* {"time":"2024-05-01T12:00:05.123Z","level":"info","event":"step_end","step":"x",...} */
static void json_format(struct buf *b, const struct event *ev)
{
    struct timespec ts;
    struct tm tm;
    char stamp[40], date[32];
    now(&ts);
    gmtime_r(&ts.tv_sec, &tm);
    strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(stamp, sizeof stamp, "%s.%03dZ", date, (int)(ts.tv_nsec / 1000000));

    cJSON *o = cJSON_CreateObject();
    int ok = o != NULL;
    ok = ok && cJSON_AddStringToObject(o, "time", stamp);
    ok = ok && cJSON_AddStringToObject(o, "level", level_names[ev->level]);
    ok = ok && cJSON_AddStringToObject(o, "event", event_names[ev->kind]);
    ok = ok && (ev->step ? cJSON_AddStringToObject(o, "step", ev->step)
                         : cJSON_AddNullToObject(o, "step")) != NULL;
    ok = ok && cJSON_AddStringToObject(o, "message", ev->text ? ev->text : "");
    switch (ev->kind) {
    case EV_RUN_START:
        ok = ok && cJSON_AddStringToObject(o, "workflow", ev->workflow);
        ok = ok && cJSON_AddStringToObject(o, "run_id", ev->run_id);
        ok = ok && cJSON_AddStringToObject(o, "mode", ev->mode);
        break;
    case EV_RUN_END:
        ok = ok && cJSON_AddStringToObject(o, "run_id", ev->run_id);
        ok = ok && cJSON_AddStringToObject(o, "outcome", ev->outcome);
        ok = ok && cJSON_AddNumberToObject(o, "exit_code", ev->exit_code);
        ok = ok && cJSON_AddNumberToObject(o, "elapsed_s", round_ms(ev->elapsed_s));
        break;
    case EV_STEP_START:
        if (ev->doc)
            ok = ok && cJSON_AddStringToObject(o, "doc", ev->doc);
        break;
    case EV_STEP_END:
    case EV_UNDO_END:
        ok = ok && cJSON_AddStringToObject(o, "outcome", ev->outcome);
        ok = ok && cJSON_AddNumberToObject(o, "elapsed_s", round_ms(ev->elapsed_s));
        break;
    case EV_PROGRESS:
        ok = ok && cJSON_AddStringToObject(o, "what", ev->what);
        ok = ok && cJSON_AddNumberToObject(o, "elapsed_s", round_ms(ev->elapsed_s));
        ok = ok && cJSON_AddNumberToObject(o, "timeout_s", round_ms(ev->timeout_s));
        break;
    case EV_OUTPUT:
        ok = ok && cJSON_AddStringToObject(o, "stream", ev->stream);
        break;
    case EV_STATISTIC:
        ok = ok && cJSON_AddStringToObject(o, "key", ev->key);
        ok = ok && cJSON_AddNumberToObject(o, "value", ev->value);
        break;
    default:
        break;
    }
    char *printed = ok ? cJSON_PrintUnformatted(o) : NULL;
    if (printed) {
        buf_add(b, printed);
        buf_add(b, "\n");
        cJSON_free(printed);
    } else {
        b->oom = 1;
    }
    cJSON_Delete(o);
}

/* ---- TeamCity sink --------------------------------------------------------------------- */

/* Appends valid UTF-8 s escaped as a TeamCity value. Besides TeamCity's own escapes, every
 * non-ASCII character becomes |0xNNNN (lower-case hex, as JetBrains' own writer does), so
 * the line is pure ASCII whatever the agent's encoding; characters beyond the BMP become
 * their UTF-16 surrogate pair, two escapes, since the reader decodes one UTF-16 unit per
 * |0x. Control characters other than tab are escaped the same way. */
static void tc_escape(struct buf *b, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        uint32_t cp;
        size_t n;
        if (p[0] < 0x80) {
            cp = p[0];
            n = 1;
        } else if (p[0] < 0xE0) {
            cp = (uint32_t)(p[0] & 0x1F) << 6 | (p[1] & 0x3F);
            n = 2;
        } else if (p[0] < 0xF0) {
            cp = (uint32_t)(p[0] & 0x0F) << 12 | (uint32_t)(p[1] & 0x3F) << 6 | (p[2] & 0x3F);
            n = 3;
        } else {
            cp = (uint32_t)(p[0] & 0x07) << 18 | (uint32_t)(p[1] & 0x3F) << 12 |
                 (uint32_t)(p[2] & 0x3F) << 6 | (p[3] & 0x3F);
            n = 4;
        }
        switch (cp) {
        case '|': buf_add(b, "||"); break;
        case '\'': buf_add(b, "|'"); break;
        case '\n': buf_add(b, "|n"); break;
        case '\r': buf_add(b, "|r"); break;
        case '[': buf_add(b, "|["); break;
        case ']': buf_add(b, "|]"); break;
        case 0x85: buf_add(b, "|x"); break;
        case 0x2028: buf_add(b, "|l"); break;
        case 0x2029: buf_add(b, "|p"); break;
        default:
            if ((cp >= 0x20 && cp < 0x7F) || cp == '\t') {
                char c = (char)cp;
                buf_add_len(b, &c, 1);
            } else if (cp <= 0xFFFF) {
                buf_addf(b, "|0x%04x", (unsigned)cp);
            } else {
                cp -= 0x10000;
                buf_addf(b, "|0x%04x|0x%04x", 0xD800u + (cp >> 10), 0xDC00u + (cp & 0x3FF));
            }
            break;
        }
        p += n;
    }
}

/* One attribute: " key='value'". prefix (may be NULL) is joined to value first, and the
 * joined text is redacted again before escaping. */
static void tc_attr(struct buf *b, const char *key, const char *prefix, const char *value)
{
    struct buf joined = { 0 };
    if (prefix) {
        buf_add(&joined, prefix);
        buf_add(&joined, ": ");
    }
    buf_add(&joined, value ? value : "");
    char *red = joined.oom ? NULL : redact_assembled(joined.p, joined.len);
    free(joined.p);
    if (!red) {
        b->oom = 1;
        return;
    }
    if (key)
        buf_addf(b, " %s='", key);
    else
        buf_add(b, " '");
    tc_escape(b, red);
    buf_add(b, "'");
    free(red);
}

static const struct tc_block *tc_top(void)
{
    return g_log.nblocks ? &g_log.blocks[g_log.nblocks - 1] : NULL;
}

/* The step prefix a message needs: none inside its own step's block. */
static const char *tc_prefix(const struct event *ev)
{
    const struct tc_block *top = tc_top();
    if (!ev->step || (top && strcmp(top->step, ev->step) == 0))
        return NULL;
    return ev->step;
}

static void tc_message(struct buf *b, const struct event *ev, const char *prefix)
{
    buf_add(b, "##teamcity[message");
    tc_attr(b, "text", prefix, ev->text);
    buf_addf(b, " status='%s']\n", ev->level == WF_LOG_ERROR ? "ERROR"
                                  : ev->level == WF_LOG_WARN ? "WARNING" : "NORMAL");
}

static void tc_open(struct buf *b, const char *name, const char *step, const char *doc)
{
    buf_add(b, "##teamcity[blockOpened");
    tc_attr(b, "name", NULL, name);
    if (doc)
        tc_attr(b, "description", NULL, doc);
    buf_add(b, "]\n");
    if (g_log.nblocks == g_log.blocks_cap) {
        size_t cap = g_log.blocks_cap ? g_log.blocks_cap * 2 : 4;
        struct tc_block *grown = realloc(g_log.blocks, cap * sizeof *grown);
        if (!grown)
            return;              /* the block is shown; we only forget to close it */
        g_log.blocks = grown;
        g_log.blocks_cap = cap;
    }
    struct tc_block blk = { strdup(name), strdup(step) };
    if (!blk.name || !blk.step) {
        free(blk.name);
        free(blk.step);
        return;
    }
    g_log.blocks[g_log.nblocks++] = blk;
}

/* Closes the named block if we opened it, and any left open inside it (blocks nest). A
 * close for a block never opened (a skipped step) writes nothing. */
static void tc_close(struct buf *b, const char *name)
{
    size_t i = g_log.nblocks;
    while (i > 0 && strcmp(g_log.blocks[i - 1].name, name) != 0)
        i--;
    if (i == 0)
        return;
    while (g_log.nblocks >= i) {
        struct tc_block *blk = &g_log.blocks[--g_log.nblocks];
        buf_add(b, "##teamcity[blockClosed");
        tc_attr(b, "name", NULL, blk->name);
        buf_add(b, "]\n");
        free(blk->name);
        free(blk->step);
    }
}

static void teamcity_format(struct buf *b, const struct event *ev)
{
    struct buf name = { 0 };
    switch (ev->kind) {
    case EV_STEP_START:
        tc_open(b, ev->step ? ev->step : "", ev->step ? ev->step : "", ev->doc);
        break;
    case EV_UNDO_START:
        buf_addf(&name, "undo %s", ev->step ? ev->step : "");
        if (!name.oom)
            tc_open(b, name.p, ev->step ? ev->step : "", NULL);
        break;
    case EV_STEP_END:
        tc_message(b, ev, tc_prefix(ev));
        tc_close(b, ev->step ? ev->step : "");
        break;
    case EV_UNDO_END:
        tc_message(b, ev, tc_prefix(ev));
        buf_addf(&name, "undo %s", ev->step ? ev->step : "");
        if (!name.oom)
            tc_close(b, name.p);
        break;
    case EV_RUN_END:
        while (g_log.nblocks > 0)    /* an interrupted run leaves blocks open */
            tc_close(b, tc_top()->name);
        tc_message(b, ev, NULL);
        break;
    case EV_PROGRESS:
        /* Shown as the build's status line, out of any block: keep the step. */
        buf_add(b, "##teamcity[progressMessage");
        tc_attr(b, NULL, ev->step, ev->text);
        buf_add(b, "]\n");
        break;
    case EV_OUTPUT: {
        struct buf text = { 0 };
        buf_addf(&text, "[%s] %s", ev->stream ? ev->stream : "stdout", ev->text ? ev->text : "");
        if (text.oom) {
            b->oom = 1;
        } else {
            struct event shown = *ev;
            shown.text = text.p;
            tc_message(b, &shown, tc_prefix(ev));
        }
        free(text.p);
        break;
    }
    case EV_PROBLEM: {
        /* TeamCity keeps 4000 characters of a description; cut on a character boundary. */
        char cut[4001];
        const char *desc = ev->text ? ev->text : "";
        size_t n = strlen(desc);
        if (n > 4000) {
            n = 4000;
            while (n > 0 && ((unsigned char)desc[n] & 0xC0) == 0x80)
                n--;
            memcpy(cut, desc, n);
            cut[n] = '\0';
            desc = cut;
        }
        buf_add(b, "##teamcity[buildProblem");
        tc_attr(b, "description", ev->step, desc);
        buf_add(b, "]\n");
        break;
    }
    case EV_STATISTIC:
        if (!isfinite(ev->value))
            break;                   /* TeamCity would reject it */
        buf_add(b, "##teamcity[buildStatisticValue");
        tc_attr(b, "key", NULL, ev->key);
        buf_addf(b, " value='%.15g']\n", ev->value);
        break;
    case EV_MESSAGE:
    case EV_RUN_START:
    default:
        tc_message(b, ev, tc_prefix(ev));
        break;
    }
    free(name.p);
}

/* ---- dispatch and the public events ------------------------------------------------------ */

/* Formats the event for the sink, writes it, frees the scratch strings. */
static void emit(struct scratch *s, const struct event *ev)
{
    if (!s->failed && (ev->level != WF_LOG_DEBUG || g_log.verbose)) {
        FILE *out = g_log.out ? g_log.out : stderr;
        struct buf b = { 0 };
        switch (g_log.format) {
        case WF_LOG_JSON: json_format(&b, ev); break;
        case WF_LOG_TEAMCITY: teamcity_format(&b, ev); break;
        case WF_LOG_TEXT:
        default: text_format(&b, ev); break;
        }
        if (!b.oom && b.len > 0) {
            fwrite(b.p, 1, b.len, out);
            fflush(out);
        }
        free(b.p);
    }
    scratch_free(s);
}

static int is_failure(const char *outcome)
{
    return outcome && strcmp(outcome, "failed") == 0;
}

void wf_log_message_len(wf_log_level level, const char *step, const char *text, size_t len)
{
    if (level == WF_LOG_DEBUG && !g_log.verbose)
        return;
    if (level > WF_LOG_ERROR)
        level = WF_LOG_ERROR;
    struct scratch s = { 0 };
    struct event ev = { .kind = EV_MESSAGE, .level = level };
    ev.step = clean_step(&s, step);
    ev.text = clean_len(&s, text ? text : "", text ? len : 0);
    emit(&s, &ev);
}

void wf_log_message(wf_log_level level, const char *step, const char *fmt, ...)
{
    if (level == WF_LOG_DEBUG && !g_log.verbose)
        return;
    va_list ap;
    size_t len;
    va_start(ap, fmt);
    char *text = vformat(&len, fmt, ap);
    va_end(ap);
    if (!text)
        return;
    wf_log_message_len(level, step, text, len);
    free(text);
}

void wf_log_run_start(const char *workflow, const char *run_id, const char *mode)
{
    struct scratch s = { 0 };
    struct event ev = { .kind = EV_RUN_START, .level = WF_LOG_INFO };
    ev.workflow = clean(&s, workflow ? workflow : "");
    ev.run_id = clean(&s, run_id ? run_id : "");
    ev.mode = clean(&s, mode ? mode : "run");
    if (!s.failed)
        ev.text = sentence(&s, "run %s of %s started (mode %s)", ev.run_id, ev.workflow, ev.mode);
    emit(&s, &ev);
}

void wf_log_run_end(const char *run_id, const char *outcome, int exit_code, double elapsed_s)
{
    struct scratch s = { 0 };
    struct event ev = { .kind = EV_RUN_END, .exit_code = exit_code, .elapsed_s = elapsed_s };
    char el[64];
    format_seconds(elapsed_s, el, sizeof el);
    ev.level = exit_code == 0 ? WF_LOG_INFO : WF_LOG_ERROR;
    ev.run_id = clean(&s, run_id ? run_id : "");
    ev.outcome = clean(&s, outcome ? outcome : "");
    if (!s.failed)
        ev.text = sentence(&s, "run %s %s in %s (exit %d)", ev.run_id, ev.outcome, el, exit_code);
    emit(&s, &ev);
}

void wf_log_step_start(const char *step, const char *doc)
{
    struct scratch s = { 0 };
    struct event ev = { .kind = EV_STEP_START, .level = WF_LOG_INFO };
    ev.step = clean_step(&s, step);
    ev.doc = clean(&s, doc);
    if (!s.failed)
        ev.text = ev.doc ? sentence(&s, "started - %s", ev.doc) : sentence(&s, "started");
    emit(&s, &ev);
}

void wf_log_step_end(const char *step, const char *outcome, double elapsed_s)
{
    struct scratch s = { 0 };
    struct event ev = { .kind = EV_STEP_END, .elapsed_s = elapsed_s };
    char el[64];
    format_seconds(elapsed_s, el, sizeof el);
    ev.step = clean_step(&s, step);
    ev.outcome = clean(&s, outcome ? outcome : "succeeded");
    ev.level = is_failure(ev.outcome) ? WF_LOG_ERROR : WF_LOG_INFO;
    if (!s.failed)
        ev.text = strcmp(ev.outcome, "skipped") == 0 ? sentence(&s, "skipped")
                                                     : sentence(&s, "%s in %s", ev.outcome, el);
    emit(&s, &ev);
}

void wf_log_undo_start(const char *step)
{
    struct scratch s = { 0 };
    struct event ev = { .kind = EV_UNDO_START, .level = WF_LOG_INFO };
    ev.step = clean_step(&s, step);
    ev.text = sentence(&s, "undoing");
    emit(&s, &ev);
}

void wf_log_undo_end(const char *step, const char *outcome, double elapsed_s)
{
    struct scratch s = { 0 };
    struct event ev = { .kind = EV_UNDO_END, .elapsed_s = elapsed_s };
    char el[64];
    format_seconds(elapsed_s, el, sizeof el);
    ev.step = clean_step(&s, step);
    ev.outcome = clean(&s, outcome ? outcome : "undone");
    ev.level = is_failure(ev.outcome) ? WF_LOG_ERROR : WF_LOG_INFO;
    if (!s.failed)
        ev.text = strcmp(ev.outcome, "undone") == 0 ? sentence(&s, "undone in %s", el)
                                                    : sentence(&s, "undo %s in %s", ev.outcome, el);
    emit(&s, &ev);
}

void wf_log_progress(const char *step, const char *what, double elapsed_s, double timeout_s)
{
    struct scratch s = { 0 };
    struct event ev = { .kind = EV_PROGRESS, .level = WF_LOG_INFO, .elapsed_s = elapsed_s,
                        .timeout_s = timeout_s };
    char el[64], to[64];
    format_seconds(elapsed_s, el, sizeof el);
    format_seconds(timeout_s, to, sizeof to);
    ev.step = clean_step(&s, step);
    ev.what = clean(&s, what ? what : "");
    if (!s.failed)
        ev.text = timeout_s > 0 ? sentence(&s, "waiting for %s (%s of %s)", ev.what, el, to)
                                : sentence(&s, "waiting for %s (%s)", ev.what, el);
    emit(&s, &ev);
}

void wf_log_output(const char *step, const char *stream, const char *bytes, size_t len)
{
    if (!g_log.verbose || !bytes || len == 0)
        return;
    /* The whole chunk is cleaned at once, so a secret is found across line breaks too;
     * sanitising and "***" never create or remove a '\n', so lines split the same. */
    struct scratch s = { 0 };
    const char *step_c = clean_step(&s, step);
    const char *stream_c = clean(&s, stream ? stream : "stdout");
    const char *all = clean_len(&s, bytes, len);
    for (const char *p = all; !s.failed && *p;) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        size_t shown = n > 0 && p[n - 1] == '\r' ? n - 1 : n;
        struct scratch line_s = { 0 };
        struct event ev = { .kind = EV_OUTPUT, .level = WF_LOG_DEBUG, .step = step_c,
                            .stream = stream_c };
        ev.text = keep(&line_s, strndup(p, shown));
        emit(&line_s, &ev);
        p += nl ? n + 1 : n;
    }
    scratch_free(&s);
}

void wf_log_problem(const char *step, const char *description)
{
    struct scratch s = { 0 };
    struct event ev = { .kind = EV_PROBLEM, .level = WF_LOG_ERROR };
    ev.step = clean_step(&s, step);
    ev.text = clean(&s, description ? description : "");
    emit(&s, &ev);
}

void wf_log_statistic(const char *key, double value)
{
    struct scratch s = { 0 };
    struct event ev = { .kind = EV_STATISTIC, .level = WF_LOG_INFO, .value = value };
    ev.key = clean(&s, key ? key : "");
    if (!s.failed)
        ev.text = sentence(&s, "%s = %.15g", ev.key, value);
    emit(&s, &ev);
}
