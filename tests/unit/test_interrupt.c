/* Tests of signals, deadlines, clocks and interruptible sleep (engine/interrupt.c). */
#include "check.h"
#include "interrupt.h"
#include <signal.h>
#include <stdlib.h>

static void test_deadlines(void)
{
    wf_error err = { 0 };
    wf_deadline_reset();
    CHECK_INT_EQ(wf_interrupt_check(&err), WF_OK);
    CHECK(wf_deadline_remaining() > 1e9);

    double now = wf_clock_monotonic();
    int run = wf_deadline_push(now + 1000, "run timeout 1000s");
    int step = wf_deadline_push(now + 500, "step snapshot-db timeout 500s");
    CHECK_INT_EQ(run, 1);
    CHECK_INT_EQ(step, 2);
    CHECK_INT_EQ(wf_interrupt_check(&err), WF_OK);
    /* The earliest counts, wherever it sits in the stack. */
    CHECK(wf_deadline_remaining() > 400 && wf_deadline_remaining() <= 500);
    int inner = wf_deadline_push(now + 800, "helper");
    CHECK(wf_deadline_remaining() <= 500);
    wf_deadline_pop(inner);

    int passed = wf_deadline_push(now - 1, "step find-db timeout 1s");
    CHECK_INT_EQ(wf_interrupt_check(&err), WF_ETIMEOUT);
    CHECK_INT_EQ(err.code, WF_ETIMEOUT);
    CHECK(strstr(err.message, "step find-db timeout 1s") != NULL);
    CHECK(wf_deadline_remaining() <= 0);
    wf_deadline_pop(passed);
    CHECK_INT_EQ(wf_interrupt_check(&err), WF_OK);

    /* Popping an outer depth also drops what an error left above it. */
    wf_deadline_push(now - 1, "left behind");
    wf_deadline_pop(step);
    CHECK_INT_EQ(wf_interrupt_check(&err), WF_OK);
    CHECK(wf_deadline_remaining() > 900);
    wf_deadline_pop(run);
    CHECK(wf_deadline_remaining() > 1e9);

    /* Two passed deadlines: the one that passed first is named. */
    wf_deadline_push(now - 5, "earlier");
    wf_deadline_push(now - 1, "later");
    CHECK_INT_EQ(wf_interrupt_check(&err), WF_ETIMEOUT);
    CHECK(strstr(err.message, "earlier") != NULL);
    wf_deadline_reset();
    CHECK_INT_EQ(wf_interrupt_check(&err), WF_OK);
    /* NULL err is allowed. */
    wf_deadline_push(now - 1, NULL);
    CHECK_INT_EQ(wf_interrupt_check(NULL), WF_ETIMEOUT);
    wf_deadline_reset();

    /* Deep nesting past the stored capacity keeps depths consistent. */
    int depths[40];
    for (int i = 0; i < 40; i++)
        depths[i] = wf_deadline_push(now + 100 + i, "deep");
    CHECK_INT_EQ(depths[39], 40);
    wf_deadline_pop(depths[0]);
    CHECK(wf_deadline_remaining() > 1e9);
}

static void test_signals(void)
{
    wf_error err = { 0 };
    wf_interrupt_install();
    CHECK_INT_EQ(wf_interrupt_signal(), 0);
    raise(SIGINT);   /* the handler only records it; we are still here */
    CHECK_INT_EQ(wf_interrupt_signal(), SIGINT);
    CHECK_INT_EQ(wf_interrupt_check(&err), WF_EINTR);
    CHECK(strstr(err.message, "SIGINT") != NULL);
    /* A signal wins over a passed deadline. */
    wf_deadline_push(wf_clock_monotonic() - 1, "x");
    CHECK_INT_EQ(wf_interrupt_check(&err), WF_EINTR);
    wf_deadline_reset();
    wf_interrupt_clear_signal();
    CHECK_INT_EQ(wf_interrupt_signal(), 0);
    raise(SIGTERM);
    CHECK_INT_EQ(wf_interrupt_signal(), SIGTERM);
    CHECK_INT_EQ(wf_interrupt_check(&err), WF_EINTR);
    CHECK(strstr(err.message, "SIGTERM") != NULL);
    /* Sleeping with a pending signal returns at once. */
    double t0 = wf_clock_monotonic();
    CHECK_INT_EQ(wf_sleep(30, &err), WF_EINTR);
    CHECK(wf_clock_monotonic() - t0 < 5);
    /* Held (the executor between steps): the signal is recorded but stops nothing, nor
     * does a passed deadline; released, both count again. hold returns the old setting. */
    CHECK(!wf_interrupt_hold(true));
    int d = wf_deadline_push(wf_clock_monotonic() - 1, "held deadline");
    CHECK_INT_EQ(wf_interrupt_check(&err), WF_OK);
    CHECK_INT_EQ(wf_sleep(0.01, &err), WF_OK);
    CHECK_INT_EQ(wf_interrupt_signal(), SIGTERM);
    CHECK(wf_interrupt_hold(true));
    CHECK(wf_interrupt_hold(false));
    CHECK_INT_EQ(wf_interrupt_check(&err), WF_EINTR);
    wf_interrupt_clear_signal();
    CHECK_INT_EQ(wf_interrupt_check(&err), WF_ETIMEOUT);
    wf_deadline_pop(d);
}

static void test_clocks_and_sleep(void)
{
    wf_error err = { 0 };
    double a = wf_clock_monotonic();
    CHECK_INT_EQ(wf_sleep(0.05, &err), WF_OK);
    double b = wf_clock_monotonic();
    CHECK(b - a >= 0.05);
    CHECK_INT_EQ(wf_sleep(0, &err), WF_OK);
    CHECK_INT_EQ(wf_sleep(-3, &err), WF_OK);

    /* A deadline cuts a sleep short (generous bound: the machine may be busy). */
    int d = wf_deadline_push(wf_clock_monotonic() + 0.2, "short deadline");
    a = wf_clock_monotonic();
    CHECK_INT_EQ(wf_sleep(60, &err), WF_ETIMEOUT);
    b = wf_clock_monotonic();
    CHECK(b - a >= 0.19);
    CHECK(b - a < 20);
    CHECK(strstr(err.message, "short deadline") != NULL);
    wf_deadline_pop(d);

    /* WFRUN_FAKE_TIME freezes the wall clock only. */
    setenv("WFRUN_FAKE_TIME", "1700000000", 1);
    CHECK(wf_clock_wall() == 1700000000.0);
    a = wf_clock_monotonic();
    wf_sleep(0.02, NULL);
    CHECK(wf_clock_wall() == 1700000000.0);
    CHECK(wf_clock_monotonic() > a);
    setenv("WFRUN_FAKE_TIME", "not a time", 1);
    CHECK(wf_clock_wall() > 1.6e9);
    unsetenv("WFRUN_FAKE_TIME");
    CHECK(wf_clock_wall() > 1.6e9);
}

int main(void)
{
    test_deadlines();
    test_signals();
    test_clocks_and_sleep();
    return CHECK_DONE();
}
