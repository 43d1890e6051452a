/* Fault injection: rules that make matching AWS calls fail with an error code, throttle,
 * wait, or lose their connection; on the Nth call, with a probability, or for a share of
 * calls. Rules come from --fault flags and POST /_awssim/faults. Thread-safe.
 *
 * A rule (JSON object; the --fault flag's "key=value,key=value" form has the same keys):
 *   service     "ec2"                       only this service (default: any)
 *   operation   "RunInstances" or "ec2:RunInstances" or "*"   (alias "op"; default any)
 *   step        "snapshot-db"    only calls a wfrun step made (its User-Agent's
 *                                wfrun-step/NAME; default any)
 *   mutating    true or false    only calls that change (or only read) the world
 *   effect, at least one of:
 *     error       "InsufficientInstanceCapacity"   fail with this AWS error code
 *     status      500                              its HTTP status (default 400)
 *     message     "..."                            its message
 *     throttle    true, or a share in (0, 1]       the protocol's throttling error
 *                                                  (Throttling, RequestLimitExceeded,
 *                                                  ThrottlingException, SlowDown)
 *     drop        true                             close the connection, no answer
 *     latency_ms  250 (alias "latency")            wait before answering
 *   trigger, at most one (default: every matching call):
 *     nth         3          the 3rd matching call (counted from when the rule was added)
 *     count       2          with nth: that many calls from the nth on (default 1)
 *     probability 0.1        each call at random (alias "p")
 *     share       0.25       every 4th call, deterministically (throttle=0.25 is short
 *                            for throttle=true,share=0.25)
 * Every matching rule counts the call; the latencies of all firing rules add up; the
 * first firing rule with an error, throttle or drop effect decides the outcome. */
#ifndef WF_SIM_FAULTS_H
#define WF_SIM_FAULTS_H
#include <cjson/cJSON.h>
#include "wf.h"

typedef enum wf_sim_fault_kind {
    WF_SIM_FAULT_NONE = 0,    /* answer normally (maybe after latency_ms) */
    WF_SIM_FAULT_ERROR,       /* code/status/message */
    WF_SIM_FAULT_THROTTLE,    /* the protocol's throttling error; code "" unless set */
    WF_SIM_FAULT_DROP         /* close without answering */
} wf_sim_fault_kind;

typedef struct wf_sim_fault_outcome {
    wf_sim_fault_kind kind;
    unsigned latency_ms;
    char code[128];
    char message[256];
    int status;               /* 0: the default for the kind */
    int rule_id;              /* the deciding rule, 0 when none */
} wf_sim_fault_outcome;

typedef struct wf_sim_faults wf_sim_faults;

/* A rule set with its random generator seeded by seed; NULL when out of memory. */
wf_sim_faults *wf_sim_faults_new(unsigned long seed);
void wf_sim_faults_free(wf_sim_faults *f);   /* accepts NULL */

/* Adds one rule (a JSON object) or several (an array). *first_id (nullable) gets the id
 * of the first rule added. Nothing is added when any rule is invalid (WF_EINVAL with a
 * message naming the key). */
wf_status wf_sim_faults_add_json(wf_sim_faults *f, const cJSON *rules, int *first_id,
                                 wf_error *err);
/* Adds a rule from a --fault argument: JSON text, or "key=value,key=value" where numbers,
 * true and false are typed. */
wf_status wf_sim_faults_add_spec(wf_sim_faults *f, const char *spec, int *id, wf_error *err);
/* Removes every rule (id 0) or the rule with that id; WF_ENOTFOUND when there is none. */
wf_status wf_sim_faults_remove(wf_sim_faults *f, int id);

/* The rules with their counters (calls seen, times fired), as a new JSON array. */
cJSON *wf_sim_faults_to_json(wf_sim_faults *f);

/* What a rule can match a call on. */
typedef struct wf_sim_fault_call {
    const char *service, *operation;   /* operation NULL: not decoded */
    const char *step;                  /* the wfrun step of the User-Agent, or NULL */
    int mutating;                      /* the operation changes the world */
} wf_sim_fault_call;

/* Counts the call against every matching rule and says what to do with it. */
void wf_sim_faults_check(wf_sim_faults *f, const wf_sim_fault_call *call,
                         wf_sim_fault_outcome *out);

#endif
