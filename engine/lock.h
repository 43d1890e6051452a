/* One live run per (workflow, environment): a lock file created with O_EXCL. */
#ifndef WF_LOCK_H
#define WF_LOCK_H
#include "wf.h"

typedef struct wf_lock_holder {
    char run_id[128];
    char host[256];
    long pid;
    char started[64];   /* ISO-8601 UTC */
} wf_lock_holder;

/* Creates path holding {run_id, host, pid, started} as JSON. When it exists and its pid is
 * dead on this same host, the lock is stale: it is taken over and *took_stale set to 1 (the
 * caller warns). When held by a live process (or another host): WF_EBUSY, holder filled. */
wf_status wf_lock_acquire(const char *path, const char *run_id, wf_lock_holder *holder,
                          int *took_stale, wf_error *err);
/* Removes path if it still names run_id. */
wf_status wf_lock_release(const char *path, const char *run_id, wf_error *err);

#endif
