/* One live run per (workflow, environment): a lock file, written to a temporary file and
 * then link()ed to its name, so it appears whole or not at all (as O_EXCL would, but never
 * half-written). */
#ifndef WF_LOCK_H
#define WF_LOCK_H
#include "wf.h"

typedef struct wf_lock_holder {
    char run_id[128];
    char host[256];
    long pid;
    char started[64];   /* ISO-8601 UTC */
} wf_lock_holder;

/* Creates path (and its parent directories) holding {run_id, host, pid, started} as JSON.
 * When it exists and its pid is dead on this same host, the lock is stale: it is taken over
 * and *took_stale set to 1, holder naming the dead run (the caller warns). A lock file that
 * cannot be read as one is stale only when older than 10 s. When held by a live process
 * (or another host): WF_EBUSY, holder filled (zeroed for an unreadable file). holder and
 * took_stale may be NULL. Takeovers on one host are serialised by flock on the directory. */
wf_status wf_lock_acquire(const char *path, const char *run_id, wf_lock_holder *holder,
                          int *took_stale, wf_error *err);
/* Removes path if it still names run_id: WF_OK; WF_EBUSY (left in place) when it names
 * another run or cannot be read; WF_ENOTFOUND when there is no lock file. */
wf_status wf_lock_release(const char *path, const char *run_id, wf_error *err);

#endif
