/* Logging: one event stream fanned out to the active sink (text, JSON lines, TeamCity).
 *
 * Every byte written by any sink is valid UTF-8 (invalid sequences -> U+FFFD, NUL -> U+FFFD)
 * and every registered secret is replaced by "***". The log owns no caller memory: all
 * strings are copied or written before a call returns. Not thread-safe (one run, one thread).
 */
#ifndef WF_LOG_H
#define WF_LOG_H
#include <stdio.h>
#include <stddef.h>

typedef enum wf_log_level { WF_LOG_DEBUG, WF_LOG_INFO, WF_LOG_WARN, WF_LOG_ERROR } wf_log_level;
typedef enum wf_log_format { WF_LOG_TEXT, WF_LOG_JSON, WF_LOG_TEAMCITY } wf_log_format;

/* Configures the sink; out is usually stderr (not closed by the log). verbose enables DEBUG
 * and subprocess output. Callers pick WF_LOG_TEAMCITY when TEAMCITY_VERSION is set. */
void wf_log_configure(wf_log_format format, int verbose, FILE *out);
wf_log_format wf_log_current_format(void);
int wf_log_is_verbose(void);

/* Registers a secret (copied) that must never appear in any sink; strings under 4 bytes are
 * ignored (they would redact ordinary words). Frees all with wf_log_shutdown. */
void wf_log_add_secret(const char *secret);
/* The same for a secret of len bytes that may hold NUL bytes. */
void wf_log_add_secret_len(const char *secret, size_t len);
/* Frees the secrets and the log's own state; the configuration stays, so later events still
 * go out (unredacted by the freed secrets). */
void wf_log_shutdown(void);

/* Returns a malloc'ed copy of in[0..len) made valid UTF-8 (wf_utf8_sanitize) with every
 * registered secret replaced by "***"; *out_len (if not NULL) gets its length. For text
 * that leaves the process by another way than the log (error messages, plan files).
 * NULL only when out of memory. The caller frees. */
char *wf_log_sanitize(const char *in, size_t len, size_t *out_len);

/* The step that events without an explicit step belong to (NULL: none). Copied. */
void wf_log_set_current_step(const char *step);
/* The current step as set (not cleaned), or NULL; valid until the next set. */
const char *wf_log_current_step(void);

/* A plain message, optionally attributed to a step (step NULL: the current step, if any).
 * DEBUG messages are dropped unless verbose. */
void wf_log_message(wf_log_level level, const char *step, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The same for a message that is already text: len bytes, any bytes (no formatting). */
void wf_log_message_len(wf_log_level level, const char *step, const char *text, size_t len);

/* Structured run events. Events that take a step and get NULL use the current step;
 * run_start/run_end belong to no step. */
void wf_log_run_start(const char *workflow, const char *run_id, const char *mode /* run|plan|resume|rollback */);
void wf_log_run_end(const char *run_id, const char *outcome, int exit_code, double elapsed_s);
void wf_log_step_start(const char *step, const char *doc);
void wf_log_step_end(const char *step, const char *outcome /* succeeded|failed|skipped */, double elapsed_s);
void wf_log_undo_start(const char *step);
void wf_log_undo_end(const char *step, const char *outcome /* undone|failed */, double elapsed_s);
/* Long waits: "waiting for <what> (elapsed of timeout)"; timeout_s <= 0: no timeout. */
void wf_log_progress(const char *step, const char *what, double elapsed_s, double timeout_s);
/* Bytes from a subprocess or a remote console: any bytes at all, len explicit. Shown only
 * when verbose (DEBUG level); each line is one event (a trailing "\r" is dropped, a partial
 * last line is one event too). Secrets are matched within one call: pass whole lines. */
void wf_log_output(const char *step, const char *stream /* stdout|stderr */, const char *bytes, size_t len);
/* A failure the CI should flag (TeamCity buildProblem). */
void wf_log_problem(const char *step, const char *description);
/* A statistic for CI (TeamCity buildStatisticValue); ignored by the text sink. */
void wf_log_statistic(const char *key, double value);

#endif
