/* wf_process_run: fork/exec a program in its own process group, capture and stream its output. */
#define _GNU_SOURCE   /* pipe2, close_range */
#include "process.h"
#include "duration.h"
#include "interrupt.h"
#include "log.h"
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/* How often the wait loop looks at signals and deadlines, in milliseconds. */
#define POLL_MS 100
/* Between SIGTERM and SIGKILL to the process group. */
#define KILL_GRACE_S 2.0
/* Read size, and the longest unterminated line held back before it is logged anyway. */
#define READ_CHUNK 65536
#define LOG_CHUNK 65536
#define DEFAULT_PATH "/usr/local/bin:/usr/bin:/bin"

/* What the child reports through the status pipe when it cannot exec. */
enum { STAGE_CHDIR = 1, STAGE_EXEC = 2 };
typedef struct child_report {
    int stage;
    int error;
} child_report;

/* One captured output stream. */
typedef struct stream {
    int fd;              /* our read end; -1 once at EOF */
    const char *name;    /* "stdout" / "stderr", as the log names it */
    char *buf;
    size_t len, cap;
    size_t logged;       /* bytes already passed to the log */
} stream;

/* Everything allocated for one run, released by cleanup() whatever happened. */
typedef struct run_state {
    const char **envp;        /* NULL when we pass environ itself */
    char *candidates;         /* NUL-separated paths to try, in PATH order */
    const char **cand_list;   /* pointers into candidates, NULL-terminated */
    const char *shell_argv[4];
    int out_r, out_w, err_r, err_w, in_r, in_w, st_r, st_w;
    struct sigaction old_pipe;
    int pipe_saved;
} run_state;

static void close_fd(int *fd)
{
    if (*fd >= 0) {
        close(*fd);
        *fd = -1;
    }
}

/* Moves fd to a number >= 3 (close-on-exec), so dup2 onto 0..2 in the child cannot clobber
 * another of our descriptors when the caller runs with stdin or stdout closed. */
static int lift_fd(int fd)
{
    if (fd < 0 || fd > 2)
        return fd;
    int moved = fcntl(fd, F_DUPFD_CLOEXEC, 3);
    int saved = errno;
    close(fd);
    errno = saved;
    return moved;
}

static int make_pipe(int *r, int *w)
{
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0)
        return -1;
    /* Lift the read end first: if it was 0, the write end's lift then cannot reuse it. */
    *r = lift_fd(fds[0]);
    *w = lift_fd(fds[1]);
    if (*r < 0 || *w < 0) {
        close_fd(r);
        close_fd(w);
        return -1;
    }
    return 0;
}

static void cleanup(run_state *st)
{
    free(st->envp);
    free(st->candidates);
    free(st->cand_list);
    close_fd(&st->out_r);
    close_fd(&st->out_w);
    close_fd(&st->err_r);
    close_fd(&st->err_w);
    close_fd(&st->in_r);
    close_fd(&st->in_w);
    close_fd(&st->st_r);
    close_fd(&st->st_w);
    if (st->pipe_saved)
        sigaction(SIGPIPE, &st->old_pipe, NULL);
}

static int needs_quotes(const char *s)
{
    if (!*s)
        return 1;
    for (; *s; s++)
        if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_@%+=:,./-", *s))
            return 1;
    return 0;
}

void wf_process_display(const wf_process_spec *spec, char *buf, size_t size)
{
    if (!buf || size == 0)
        return;
    size_t used = 0;
    buf[0] = '\0';
#define PUTC(c) do { if (used + 1 < size) { buf[used++] = (c); buf[used] = '\0'; } else goto full; } while (0)
    if (spec->shell) {
        for (const char *p = spec->shell; *p; p++)
            PUTC(*p);
        return;
    }
    if (!spec->argv)
        return;
    for (int i = 0; spec->argv[i]; i++) {
        const char *a = spec->argv[i];
        if (i > 0)
            PUTC(' ');
        if (!needs_quotes(a)) {
            for (; *a; a++)
                PUTC(*a);
            continue;
        }
        PUTC('\'');
        for (; *a; a++) {
            if (*a == '\'') {
                PUTC('\'');
                PUTC('\\');
                PUTC('\'');
            }
            PUTC(*a);
        }
        PUTC('\'');
    }
    return;
full:
    /* Mark the cut so nobody mistakes a truncated command for the real one. */
    if (size >= 4)
        memcpy(buf + size - 4, "...", 4);
#undef PUTC
}

/* Name part of "NAME=value" or "NAME" has length n. */
static size_t name_len(const char *entry)
{
    const char *eq = strchr(entry, '=');
    return eq ? (size_t)(eq - entry) : strlen(entry);
}

/* The environment for the child: ours, with spec->env applied. */
static wf_status build_env(const wf_process_spec *spec, run_state *st, wf_error *err)
{
    if (!spec->env)
        return WF_OK;
    size_t n_ours = 0, n_spec = 0;
    while (environ && environ[n_ours])
        n_ours++;
    for (; spec->env[n_spec]; n_spec++)
        if (name_len(spec->env[n_spec]) == 0)
            return wf_error_set(err, WF_EINVAL, "bad environment entry \"%s\": no name", spec->env[n_spec]);
    st->envp = calloc(n_ours + n_spec + 1, sizeof *st->envp);
    if (!st->envp)
        return wf_error_set(err, WF_ENOMEM, "out of memory");
    size_t k = 0;
    for (size_t i = 0; i < n_ours; i++) {
        size_t nl = name_len(environ[i]);
        int replaced = 0;
        for (size_t j = 0; j < n_spec && !replaced; j++)
            replaced = name_len(spec->env[j]) == nl && strncmp(spec->env[j], environ[i], nl) == 0;
        if (!replaced)
            st->envp[k++] = environ[i];
    }
    for (size_t j = 0; j < n_spec; j++) {
        if (!strchr(spec->env[j], '='))
            continue;   /* "NAME" alone unsets */
        /* A later entry for the same name wins. */
        size_t nl = name_len(spec->env[j]);
        int later = 0;
        for (size_t m = j + 1; m < n_spec && !later; m++)
            later = name_len(spec->env[m]) == nl && strncmp(spec->env[m], spec->env[j], nl) == 0;
        if (!later)
            st->envp[k++] = spec->env[j];
    }
    st->envp[k] = NULL;
    return WF_OK;
}

/* The PATH the child's program is looked up in: the child's own environment's. */
static const char *lookup_path(const run_state *st)
{
    if (st->envp) {
        for (size_t i = 0; st->envp[i]; i++)
            if (strncmp(st->envp[i], "PATH=", 5) == 0)
                return st->envp[i] + 5;
        return DEFAULT_PATH;
    }
    const char *p = getenv("PATH");
    return p ? p : DEFAULT_PATH;
}

/* Paths to try with execve, built before fork since the child may not allocate. */
static wf_status build_candidates(const wf_process_spec *spec, run_state *st, wf_error *err)
{
    const char *prog = spec->shell ? "/bin/sh" : spec->argv[0];
    size_t plen = strlen(prog);
    const char *path = strchr(prog, '/') ? "" : lookup_path(st);
    size_t dirs = 1;
    for (const char *p = path; *p; p++)
        dirs += *p == ':';
    st->candidates = malloc(strlen(path) + dirs * (plen + 3) + 1);
    st->cand_list = calloc(dirs + 1, sizeof *st->cand_list);
    if (!st->candidates || !st->cand_list)
        return wf_error_set(err, WF_ENOMEM, "out of memory");
    if (strchr(prog, '/')) {
        memcpy(st->candidates, prog, plen + 1);
        st->cand_list[0] = st->candidates;
        return WF_OK;
    }
    char *w = st->candidates;
    size_t k = 0;
    const char *p = path;
    for (;;) {
        const char *end = strchr(p, ':');
        size_t dl = end ? (size_t)(end - p) : strlen(p);
        st->cand_list[k++] = w;
        if (dl == 0) {
            *w++ = '.';   /* an empty PATH entry means the current directory */
        } else {
            memcpy(w, p, dl);
            w += dl;
        }
        *w++ = '/';
        memcpy(w, prog, plen + 1);
        w += plen + 1;
        if (!end)
            break;
        p = end + 1;
    }
    st->cand_list[k] = NULL;
    return WF_OK;
}

/* In the child, between fork and exec: only async-signal-safe calls. Never returns. */
__attribute__((noreturn)) static void child(const wf_process_spec *spec, const run_state *st, const char *const *argv,
                                            pid_t parent)
{
    child_report rep = { 0, 0 };
    struct sigaction dfl;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    sigemptyset(&dfl.sa_mask);
    sigaction(SIGPIPE, &dfl, NULL);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    /* Own group: a terminal's Ctrl-C reaches only us, and we can kill the whole tree. */
    setpgid(0, 0);
#ifdef __linux__
    /* If we are killed -9, the program must not run on beside a resumed run. */
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent)
        _exit(127);   /* we died before prctl took effect */
#endif

    if (dup2(st->in_r, 0) < 0 || dup2(st->out_w, 1) < 0 || dup2(st->err_w, 2) < 0) {
        rep.stage = STAGE_EXEC;
        rep.error = errno;
        goto report;
    }
    /* Descriptors opened elsewhere without O_CLOEXEC must not leak into the program. */
    close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);

    if (spec->cwd && chdir(spec->cwd) != 0) {
        rep.stage = STAGE_CHDIR;
        rep.error = errno;
        goto report;
    }
    char *const *envp = (char *const *)(st->envp ? st->envp : (const char **)environ);
    int saw_eacces = 0, last = ENOENT;
    for (size_t i = 0; st->cand_list[i]; i++) {
        execve(st->cand_list[i], (char *const *)argv, envp);
        last = errno;
        if (last == EACCES)
            saw_eacces = 1;
        else if (last != ENOENT && last != ENOTDIR && last != ENAMETOOLONG && last != ELOOP)
            break;   /* it exists but cannot run: report that, as execvp does */
    }
    rep.stage = STAGE_EXEC;
    rep.error = (saw_eacces && last != ENOEXEC && last != E2BIG) ? EACCES : last;
report:
    while (write(st->st_w, &rep, sizeof rep) < 0 && errno == EINTR) {
    }
    _exit(127);
}

/* Appends up to READ_CHUNK bytes from s->fd; closes it at EOF. -1 only when out of memory. */
static int read_stream(stream *s)
{
    if (s->cap - s->len < READ_CHUNK + 1) {
        size_t cap = s->cap ? s->cap : READ_CHUNK;
        while (cap - s->len < READ_CHUNK + 1)
            cap *= 2;
        char *b = realloc(s->buf, cap);
        if (!b)
            return -1;
        s->buf = b;
        s->cap = cap;
    }
    ssize_t n = read(s->fd, s->buf + s->len, READ_CHUNK);
    if (n > 0) {
        s->len += (size_t)n;
        s->buf[s->len] = '\0';
    } else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
        close_fd(&s->fd);
    }
    return 0;
}

/* Streams complete lines (and, at EOF or past LOG_CHUNK, the rest) to the log. */
static void log_lines(stream *s, int quiet, int final)
{
    if (quiet) {
        s->logged = s->len;
        return;
    }
    for (;;) {
        const char *start = s->buf + s->logged;
        size_t avail = s->len - s->logged;
        const char *nl = avail ? memchr(start, '\n', avail) : NULL;
        if (nl) {
            size_t n = (size_t)(nl - start);
            wf_log_output(NULL, s->name, start, n > 0 && start[n - 1] == '\r' ? n - 1 : n);
            s->logged += n + 1;
            continue;
        }
        if (avail > 0 && (final || avail >= LOG_CHUNK)) {
            wf_log_output(NULL, s->name, start, avail);
            s->logged = s->len;
        }
        return;
    }
}

/* Feeds stdin; closes it when all is written or the program stopped reading. */
static void write_stdin(const wf_process_spec *spec, run_state *st, size_t *written)
{
    size_t left = spec->stdin_len - *written;
    ssize_t n = write(st->in_w, spec->stdin_bytes + *written, left > READ_CHUNK ? READ_CHUNK : left);
    if (n > 0)
        *written += (size_t)n;
    else if (n < 0 && errno != EINTR && errno != EAGAIN)
        close_fd(&st->in_w);   /* EPIPE: it does not want the rest; not our error */
    if (*written >= spec->stdin_len)
        close_fd(&st->in_w);
}

/* Reads whatever is ready on the open streams (and feeds stdin) for at most ms. */
static wf_status pump(const wf_process_spec *spec, run_state *st, stream *s, size_t *written, int ms,
                      wf_error *err)
{
    struct pollfd fds[3];
    int idx[3];
    nfds_t n = 0;
    for (int i = 0; i < 2; i++)
        if (s[i].fd >= 0) {
            fds[n].fd = s[i].fd;
            fds[n].events = POLLIN;
            idx[n++] = i;
        }
    if (st->in_w >= 0) {
        fds[n].fd = st->in_w;
        fds[n].events = POLLOUT;
        idx[n++] = 2;
    }
    int r = poll(fds, n, ms);
    if (r <= 0)
        return WF_OK;   /* timeout, or EINTR: the caller looks at the flags */
    for (nfds_t k = 0; k < n; k++) {
        if (!fds[k].revents)
            continue;
        if (idx[k] == 2) {
            if (fds[k].revents & POLLOUT)
                write_stdin(spec, st, written);
            else
                close_fd(&st->in_w);   /* POLLERR/POLLHUP: reader gone */
            continue;
        }
        stream *sm = &s[idx[k]];
        if (read_stream(sm) != 0)
            return wf_error_set(err, WF_ENOMEM, "out of memory capturing output");
        log_lines(sm, spec->quiet, sm->fd < 0);
    }
    return WF_OK;
}

/* waitpid without blocking; 1 once reaped. */
static int try_reap(pid_t pid, int *status)
{
    pid_t r;
    do {
        r = waitpid(pid, status, WNOHANG);
    } while (r < 0 && errno == EINTR);
    return r == pid || (r < 0 && errno == ECHILD);
}

/* SIGTERM to the group, SIGKILL after KILL_GRACE_S, and reap the child, draining output. */
static void kill_group(const wf_process_spec *spec, run_state *st, stream *s, size_t *written, pid_t pid,
                       int *reaped, int *status)
{
    wf_error ignored;
    kill(-pid, SIGTERM);
    double until = wf_clock_monotonic() + KILL_GRACE_S;
    while (wf_clock_monotonic() < until) {
        pump(spec, st, s, written, 50, &ignored);
        if (!*reaped)
            *reaped = try_reap(pid, status);
        /* Done once the child is reaped and no one is left in its group. */
        if (*reaped && kill(-pid, 0) != 0)
            return;
    }
    kill(-pid, SIGKILL);
    while (!*reaped) {
        pid_t r = waitpid(pid, status, 0);
        if (r == pid || (r < 0 && errno != EINTR))
            *reaped = 1;
    }
}

static wf_status start_failed(const child_report *rep, const wf_process_spec *spec, const char *display,
                              wf_error *err)
{
    const char *prog = spec->shell ? "/bin/sh" : spec->argv[0];
    wf_status code = rep->error == ENOENT || rep->error == ENOTDIR ? WF_ENOTFOUND : WF_EIO;
    if (rep->stage == STAGE_CHDIR)
        return wf_error_set(err, code, "cannot run `%s`: directory \"%s\": %s", display, spec->cwd,
                            strerror(rep->error));
    if (rep->error == ENOENT && !strchr(prog, '/'))
        return wf_error_set(err, code, "cannot run `%s`: program \"%s\" not found in PATH", display, prog);
    return wf_error_set(err, code, "cannot run `%s`: \"%s\": %s", display, prog, strerror(rep->error));
}

static wf_status setup_stdin(const wf_process_spec *spec, run_state *st)
{
    if (spec->stdin_bytes) {
        if (make_pipe(&st->in_r, &st->in_w) != 0)
            return WF_EIO;
        if (fcntl(st->in_w, F_SETFL, fcntl(st->in_w, F_GETFL) | O_NONBLOCK) != 0)
            return WF_EIO;
        return WF_OK;
    }
    st->in_r = lift_fd(open("/dev/null", O_RDONLY | O_CLOEXEC));
    return st->in_r >= 0 ? WF_OK : WF_EIO;
}

wf_status wf_process_run(const wf_process_spec *spec, wf_process_result *result, wf_error *err)
{
    memset(result, 0, sizeof *result);
    result->code = -1;
    run_state st;
    memset(&st, 0, sizeof st);
    st.out_r = st.out_w = st.err_r = st.err_w = st.in_r = st.in_w = st.st_r = st.st_w = -1;
    stream s[2] = { { -1, "stdout", NULL, 0, 0, 0 }, { -1, "stderr", NULL, 0, 0, 0 } };
    char display[256] = "";
    wf_status rc = WF_OK;

    if (!spec || (!spec->argv == !spec->shell) || (spec->argv && (!spec->argv[0] || !*spec->argv[0]))) {
        rc = wf_error_set(err, WF_EINVAL, "nothing to run: give a program and its arguments, or a shell command");
        goto done;
    }
    wf_process_display(spec, display, sizeof display);

    rc = build_env(spec, &st, err);
    if (rc == WF_OK)
        rc = build_candidates(spec, &st, err);
    if (rc != WF_OK)
        goto done;
    if (make_pipe(&st.out_r, &st.out_w) != 0 || make_pipe(&st.err_r, &st.err_w) != 0 ||
        make_pipe(&st.st_r, &st.st_w) != 0 || setup_stdin(spec, &st) != WF_OK) {
        rc = wf_error_set(err, WF_EIO, "cannot run `%s`: pipe: %s", display, strerror(errno));
        goto done;
    }
    /* A program that exits without reading its stdin must not kill us with SIGPIPE. */
    struct sigaction ign;
    memset(&ign, 0, sizeof ign);
    ign.sa_handler = SIG_IGN;
    sigemptyset(&ign.sa_mask);
    st.pipe_saved = sigaction(SIGPIPE, &ign, &st.old_pipe) == 0;

    st.shell_argv[0] = "sh";
    st.shell_argv[1] = "-c";
    st.shell_argv[2] = spec->shell;
    st.shell_argv[3] = NULL;
    const char *const *argv = spec->shell ? st.shell_argv : spec->argv;

    double start = wf_clock_monotonic();
    pid_t self = getpid();
    pid_t pid = fork();
    if (pid < 0) {
        rc = wf_error_set(err, WF_EIO, "cannot run `%s`: fork: %s", display, strerror(errno));
        goto done;
    }
    if (pid == 0)
        child(spec, &st, argv, self);

    /* Also here, so kill(-pid) works even before the child got to its own setpgid. */
    setpgid(pid, pid);
    close_fd(&st.out_w);
    close_fd(&st.err_w);
    close_fd(&st.in_r);
    close_fd(&st.st_w);
    s[0].fd = st.out_r;
    s[1].fd = st.err_r;
    st.out_r = st.err_r = -1;

    /* The status pipe closes on a successful exec (O_CLOEXEC), or carries the errno. */
    child_report rep = { 0, 0 };
    ssize_t got;
    do {
        got = read(st.st_r, &rep, sizeof rep);
    } while (got < 0 && errno == EINTR);
    int status = 0, reaped = 0;
    if (got == (ssize_t)sizeof rep) {
        while (!reaped) {
            pid_t r = waitpid(pid, &status, 0);
            reaped = r == pid || (r < 0 && errno != EINTR);
        }
        rc = start_failed(&rep, spec, display, err);
        goto done;
    }

    if (st.in_w >= 0 && spec->stdin_len == 0)
        close_fd(&st.in_w);
    size_t written = 0;
    wf_status stop = WF_OK;
    wf_error why;
    for (;;) {
        if (!reaped)
            reaped = try_reap(pid, &status);
        if (s[0].fd < 0 && s[1].fd < 0 && reaped)
            break;
        /* With both pipes closed only the exit is left to see: look again soon. */
        stop = pump(spec, &st, s, &written, s[0].fd < 0 && s[1].fd < 0 ? 10 : POLL_MS, &why);
        if (stop == WF_OK)
            stop = wf_interrupt_check(&why);
        if (stop == WF_OK && spec->timeout > 0 && wf_clock_monotonic() - start >= spec->timeout) {
            char d[32];
            wf_duration_format(spec->timeout, d, sizeof d);
            stop = wf_error_set(&why, WF_ETIMEOUT, "`%s` timed out after %s", display, d);
        } else if (stop == WF_EINTR || stop == WF_ETIMEOUT) {
            /* A signal or a step deadline: say what it stopped. */
            char msg[sizeof why.message];
            snprintf(msg, sizeof msg, "%s", why.message);
            wf_error_set(&why, stop, "%s while running `%s`", msg, display);
        }
        if (stop != WF_OK)
            break;
    }
    if (stop != WF_OK) {
        kill_group(spec, &st, s, &written, pid, &reaped, &status);
        rc = wf_error_set(err, stop, "%s", why.message);
    }
    log_lines(&s[0], spec->quiet, 1);
    log_lines(&s[1], spec->quiet, 1);
    result->elapsed = wf_clock_monotonic() - start;
    if (WIFEXITED(status)) {
        result->code = WEXITSTATUS(status);
    } else if (WIFSIGNALED(status)) {
        result->signal = WTERMSIG(status);
        result->code = 128 + result->signal;
    }

done:
    close_fd(&s[0].fd);
    close_fd(&s[1].fd);
    /* Hand the buffers over even when empty, so callers never see NULL. */
    for (int i = 0; i < 2; i++) {
        if (!s[i].buf) {
            s[i].buf = calloc(1, 1);
            if (!s[i].buf && rc == WF_OK)
                rc = wf_error_set(err, WF_ENOMEM, "out of memory");
        }
    }
    result->out = s[0].buf;
    result->out_len = s[0].len;
    result->err = s[1].buf;
    result->err_len = s[1].len;
    cleanup(&st);
    return rc;
}

void wf_process_result_free(wf_process_result *result)
{
    if (!result)
        return;
    free(result->out);
    free(result->err);
    result->out = result->err = NULL;
    result->out_len = result->err_len = 0;
}
