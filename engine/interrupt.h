/* Stopping work safely: SIGINT/SIGTERM and deadlines (step and run timeouts).
 *
 * Signals only set a flag; long-running work polls wf_interrupt_check() at safe points
 * (a Lua count hook, sh.run's poll loop, wait.poll's sleeps) and turns it into an error.
 */
#ifndef WF_INTERRUPT_H
#define WF_INTERRUPT_H
#include "wf.h"

struct lua_State;

/* Installs SIGINT/SIGTERM handlers (SA_RESTART off) that record the signal. */
void wf_interrupt_install(void);
/* The signal received, or 0. wf_interrupt_clear_signal resets it (tests, after rollback). */
int wf_interrupt_signal(void);
void wf_interrupt_clear_signal(void);

/* Deadlines, on the monotonic clock (seconds, see wf_clock_monotonic). A stack, so a step
 * timeout can sit inside a run timeout; the earliest one counts. label names the deadline
 * in messages ("step snapshot-db timeout 50m"). Returns the depth, for pop. */
int wf_deadline_push(double at, const char *label);
void wf_deadline_pop(int depth);
/* Pops everything; used between runs. */
void wf_deadline_reset(void);

/* WF_OK, WF_EINTR (signal) or WF_ETIMEOUT (a deadline passed), with a message naming it. */
wf_status wf_interrupt_check(wf_error *err);
/* Seconds left to the earliest deadline (a large number when none). */
double wf_deadline_remaining(void);

/* Monotonic and wall clocks in seconds. WFRUN_FAKE_TIME (epoch seconds) freezes the wall
 * clock for reproducible tests. */
double wf_clock_monotonic(void);
double wf_clock_wall(void);

/* Interruptible sleep: returns early with the status of wf_interrupt_check. */
wf_status wf_sleep(double seconds, wf_error *err);

/* Installs a Lua count hook that raises the interrupt error inside pure-Lua loops. */
void wf_interrupt_hook_lua(struct lua_State *L);

#endif
