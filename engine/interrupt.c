/* Signals, deadlines, clocks and interruptible sleep: the C side of stopping work safely. */
#include "interrupt.h"
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Longest a sleep or wait slice lasts, so a flag set just before nanosleep or a deadline
 * pushed from elsewhere is noticed within this many seconds. */
#define SLICE_S 0.1
/* Nested deadlines held; deeper pushes still count depth but are not enforced. A run
 * timeout, a step timeout and a few helper timeouts fit easily. */
#define DEADLINE_CAP 32

static volatile sig_atomic_t g_signal;
/* While set, wf_interrupt_check lets work go on: the executor's own bookkeeping (journal,
 * log) runs held and looks at the signal itself at its safe points. */
static atomic_bool g_held;

typedef struct deadline {
    double at;
    char label[160];
} deadline;

static deadline g_deadlines[DEADLINE_CAP];
static int g_depth;   /* may exceed DEADLINE_CAP; entries past it are not stored */

static void on_signal(int sig)
{
    g_signal = sig;
}

void wf_interrupt_install(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0;   /* no SA_RESTART: blocking calls return EINTR so we look at the flag */
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

int wf_interrupt_signal(void)
{
    return (int)g_signal;
}

void wf_interrupt_clear_signal(void)
{
    g_signal = 0;
}

int wf_deadline_push(double at, const char *label)
{
    if (g_depth < DEADLINE_CAP) {
        deadline *d = &g_deadlines[g_depth];
        d->at = at;
        snprintf(d->label, sizeof d->label, "%s", label ? label : "deadline");
    }
    return ++g_depth;
}

void wf_deadline_pop(int depth)
{
    /* Truncates to below depth, so a pop skipped by an error unwinding past it is repaired
     * by the outer pop. */
    if (depth >= 1 && depth - 1 < g_depth)
        g_depth = depth - 1;
}

void wf_deadline_reset(void)
{
    g_depth = 0;
}

/* The earliest stored deadline, or NULL. */
static const deadline *earliest(void)
{
    const deadline *best = NULL;
    int n = g_depth < DEADLINE_CAP ? g_depth : DEADLINE_CAP;
    for (int i = 0; i < n; i++)
        if (!best || g_deadlines[i].at < best->at)
            best = &g_deadlines[i];
    return best;
}

static const char *signal_name(int sig)
{
    switch (sig) {
    case SIGINT: return "SIGINT";
    case SIGTERM: return "SIGTERM";
    default: return "a signal";
    }
}

bool wf_interrupt_hold(bool on)
{
    return atomic_exchange(&g_held, on);
}

wf_status wf_interrupt_check(wf_error *err)
{
    if (atomic_load(&g_held))
        return WF_OK;
    int sig = (int)g_signal;
    if (sig)
        return wf_error_set(err, WF_EINTR, "interrupted by %s", signal_name(sig));
    const deadline *d = earliest();
    if (d && wf_clock_monotonic() >= d->at)
        return wf_error_set(err, WF_ETIMEOUT, "timed out (%s)", d->label);
    return WF_OK;
}

double wf_deadline_remaining(void)
{
    const deadline *d = earliest();
    if (!d)
        return 1e18;
    return d->at - wf_clock_monotonic();
}

double wf_clock_monotonic(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

double wf_clock_wall(void)
{
    /* Read on every call (it is cheap) so tests can set it with setenv at any time. */
    const char *fake = getenv("WFRUN_FAKE_TIME");
    if (fake && *fake) {
        char *end = NULL;
        double v = strtod(fake, &end);
        if (end && *end == '\0' && isfinite(v))
            return v;
    }
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

wf_status wf_sleep(double seconds, wf_error *err)
{
    double end = wf_clock_monotonic() + (seconds > 0 ? seconds : 0);
    for (;;) {
        wf_status st = wf_interrupt_check(err);
        if (st != WF_OK)
            return st;
        double left = end - wf_clock_monotonic();
        if (left <= 0)
            return WF_OK;
        if (left > SLICE_S)
            left = SLICE_S;
        struct timespec ts;
        ts.tv_sec = (time_t)left;
        ts.tv_nsec = (long)((left - (double)ts.tv_sec) * 1e9);
        /* EINTR is fine: the loop looks at the signal flag. */
        nanosleep(&ts, NULL);
    }
}
