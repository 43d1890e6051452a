/* Running a program: fork/exec in its own process group, output captured and streamed to
 * the log, interruptible by signals and deadlines (interrupt.h) and by its own timeout. */
#ifndef WF_PROCESS_H
#define WF_PROCESS_H
#include "wf.h"
#include <stddef.h>

/* What to run. All pointers are borrowed for the duration of wf_process_run only. */
typedef struct wf_process_spec {
    /* Exactly one of argv and shell. argv: program and arguments, NULL-terminated, run
     * without a shell; a program name without '/' is looked up in PATH (the PATH of env when
     * env sets one). shell: a command line for /bin/sh -c. */
    const char *const *argv;
    const char *shell;
    const char *cwd;               /* directory to run in; NULL: ours */
    /* Changes to our environment, NULL-terminated: "NAME=value" sets, "NAME" unsets.
     * NULL: our environment unchanged. */
    const char *const *env;
    /* Bytes fed to the program's stdin, then closed; NULL: stdin is /dev/null. */
    const char *stdin_bytes;
    size_t stdin_len;
    double timeout;                /* seconds; <= 0: none (deadlines still apply) */
    int quiet;                     /* 1: do not stream output to the log */
} wf_process_spec;

/* What happened. Buffers are malloc'ed, NUL-terminated (the length excludes it), owned by
 * the result: free with wf_process_result_free, whatever wf_process_run returned. */
typedef struct wf_process_result {
    int code;          /* exit status, or 128 + signal when killed by one; -1 if never ran */
    int signal;        /* the signal that killed it, or 0 */
    char *out;         /* everything written to stdout, any bytes */
    size_t out_len;
    char *err;         /* everything written to stderr */
    size_t err_len;
    double elapsed;    /* seconds from start to reaping */
} wf_process_result;

/* Runs spec to completion, streaming each line of output to wf_log_output(NULL, ...)
 * unless quiet. Returns:
 *   WF_OK        the program ran and exited (any code: look at result->code);
 *   WF_ENOTFOUND the program (or cwd) does not exist;
 *   WF_EINVAL    a bad spec (no program, a bad env entry);
 *   WF_ETIMEOUT  its own timeout or a deadline passed: the process group was killed
 *                (SIGTERM, SIGKILL 2 s later) and reaped; output so far is in result;
 *   WF_EINTR     SIGINT/SIGTERM reached us: same killing and reaping;
 *   WF_EIO       a system call failed.
 * The message of its own timeout reads "`cmd` timed out after 5s". No zombie or descriptor
 * is left behind. On Linux the program is also killed if we die (kill -9): it must not run
 * on beside a resumed run. Output is captured until both pipes close, so a background
 * process that keeps them open holds the call until the timeout or a deadline. */
wf_status wf_process_run(const wf_process_spec *spec, wf_process_result *result, wf_error *err);

void wf_process_result_free(wf_process_result *result);

/* The command as shown in messages: argv joined with spaces, arguments quoted when they
 * hold spaces or shell characters; the shell string as written. Truncated to fit size. */
void wf_process_display(const wf_process_spec *spec, char *buf, size_t size);

#endif
