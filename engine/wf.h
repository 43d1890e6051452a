/* Shared vocabulary of the engine: status codes, the error struct, exit codes. */
#ifndef WF_H
#define WF_H
#include <stddef.h>

/* One status type for every worker function; the error struct carries the message. */
typedef enum wf_status {
    WF_OK = 0,
    WF_EINVAL,      /* bad input from the user or a file */
    WF_ENOMEM,
    WF_EIO,         /* a system call failed; message has errno text */
    WF_ETIMEOUT,    /* a deadline passed */
    WF_EINTR,       /* SIGINT/SIGTERM asked us to stop */
    WF_EPARSE,      /* malformed data (JSON, XML, journal line) */
    WF_ENOTFOUND,
    WF_EBUSY        /* held by someone else (locks) */
} wf_status;

typedef struct wf_error {
    wf_status code;
    char message[1024];
} wf_error;

/* Sets err (if not NULL) and returns code, so callers can `return wf_error_set(...)`. */
wf_status wf_error_set(wf_error *err, wf_status code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Process exit codes: documented in docs/cli.md, relied on by CI jobs. */
enum {
    WF_EXIT_OK = 0,          /* done */
    WF_EXIT_ROLLED_BACK = 1, /* failed and fully rolled back */
    WF_EXIT_BAD_INPUT = 2,   /* usage, DSL error, bad params */
    WF_EXIT_INCOMPLETE = 3,  /* rollback incomplete, or stopped past the point of no return */
    WF_EXIT_LOCKED = 4       /* another run holds the lock */
};

#endif
