/* Stopping work safely: SIGINT/SIGTERM and deadlines (step and run timeouts).
 *
 * Signals only set a flag; long-running work polls wf_interrupt_check() at safe points
 * (a Lua count hook, sh.run's poll loop, wait.poll's sleeps) and turns it into an error.
 */
#ifndef WF_INTERRUPT_H
#define WF_INTERRUPT_H
#include "wf.h"
#include <stdbool.h>

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

/* WF_OK, WF_EINTR (signal) or WF_ETIMEOUT (a deadline passed), with a message naming it;
 * always WF_OK while held. */
wf_status wf_interrupt_check(wf_error *err);
/* Holds (on) or releases interruptions: while held, a signal is only recorded (see
 * wf_interrupt_signal) and deadlines wait, so code that must not stop half-way (the
 * executor between steps: a journal record, the log) is not cut short by the Lua hook or
 * a C poll loop. Returns the previous setting, for nesting. */
bool wf_interrupt_hold(bool on);
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

/* Lua side (engine/lua_interrupt.c). Interruptions and timeouts reach Lua as a table
 * {kind = "interrupted"|"timeout", message = "..."} whose __tostring is the message, so the
 * executor tells them from ordinary (string) errors by .kind.
 *
 * Raises err into L: WF_EINTR -> kind "interrupted", WF_ETIMEOUT -> kind "timeout", any
 * other code -> a plain string error with the message. Never returns (longjmps). */
int wf_interrupt_raise(struct lua_State *L, const wf_error *err);
/* The kind ("interrupted"/"timeout") when the value at idx is such an error, else NULL. */
const char *wf_interrupt_error_kind(struct lua_State *L, int idx);
/* The value at idx as a duration in seconds: a finite number >= 0, or a string for
 * wf_duration_parse. WF_EINVAL with a message otherwise (callers raise it with context). */
wf_status wf_lua_duration(struct lua_State *L, int idx, double *seconds, wf_error *err);

#endif
