/* The run lock: a JSON lock file made visible atomically with link(), with stale takeover. */
#include "lock.h"
#include "journal.h"    /* wf_mkdir_parents, wf_open_parent_dir, wf_fsync_parent */
#include <assert.h>
#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* An unreadable lock file younger than this may be a foreign writer's work in progress. */
#define UNREADABLE_STALE_AFTER 10
#define MAX_LOCK_FILE 65536

/* A lock file as read: its bytes and identity (to see whether it changed), and its holder. */
typedef struct lockfile {
    char *bytes;
    size_t len;
    dev_t dev;
    ino_t ino;
    time_t mtime;
    int parsed;             /* holder is filled */
    wf_lock_holder holder;
} lockfile;

static void copy_field(char *dst, size_t cap, const char *src)
{
    snprintf(dst, cap, "%s", src ? src : "");
}

static void host_name(char *buf, size_t cap)
{
    if (gethostname(buf, cap) != 0)
        buf[0] = '\0';
    buf[cap - 1] = '\0';
}

/* The lock file's content: {"host","pid","run_id","started"} on one line. */
static char *lock_text(const char *run_id)
{
    char host[256], started[64];
    time_t now = time(NULL);
    struct tm tm;
    cJSON *obj = cJSON_CreateObject();
    char *text = NULL;

    host_name(host, sizeof host);
    if (!gmtime_r(&now, &tm) || strftime(started, sizeof started, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        started[0] = '\0';
    if (obj && cJSON_AddStringToObject(obj, "host", host)
        && cJSON_AddNumberToObject(obj, "pid", (double)getpid())
        && cJSON_AddStringToObject(obj, "run_id", run_id)
        && cJSON_AddStringToObject(obj, "started", started))
        text = cJSON_PrintUnformatted(obj);
    cJSON_Delete(obj);
    return text;
}

static int write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Writes text + "\n" to a new fsync'ed file beside path; *tmp receives its malloc'ed name. */
static wf_status write_temp(const char *path, const char *text, char **tmp, wf_error *err)
{
    size_t n = strlen(path) + 8;
    char *name = malloc(n);
    int fd = -1, rc;

    *tmp = NULL;
    if (!name)
        return wf_error_set(err, WF_ENOMEM, "lock %s: out of memory", path);
    snprintf(name, n, "%s.XXXXXX", path);
    fd = mkstemp(name);     /* mode 0600 */
    if (fd < 0) {
        int e = errno;
        free(name);
        return wf_error_set(err, WF_EIO, "lock %s: cannot create a temporary file: %s", path, strerror(e));
    }
    (void)fcntl(fd, F_SETFD, FD_CLOEXEC);
    rc = write_all(fd, text, strlen(text)) == 0 && write_all(fd, "\n", 1) == 0;
    if (rc) {
        do
            rc = fsync(fd) == 0;
        while (!rc && errno == EINTR);
    }
    if (!rc) {
        int e = errno;
        close(fd);
        unlink(name);
        free(name);
        return wf_error_set(err, WF_EIO, "lock %s: cannot write a temporary file: %s", path, strerror(e));
    }
    close(fd);
    *tmp = name;
    return WF_OK;
}

static void lockfile_free(lockfile *f)
{
    free(f->bytes);
    memset(f, 0, sizeof *f);
}

static void parse_holder(lockfile *f)
{
    cJSON *obj = cJSON_ParseWithOpts(f->bytes, NULL, 1);
    const cJSON *run_id = cJSON_GetObjectItemCaseSensitive(obj, "run_id");
    const cJSON *host = cJSON_GetObjectItemCaseSensitive(obj, "host");
    const cJSON *pid = cJSON_GetObjectItemCaseSensitive(obj, "pid");
    const cJSON *started = cJSON_GetObjectItemCaseSensitive(obj, "started");

    memset(&f->holder, 0, sizeof f->holder);
    f->parsed = cJSON_IsObject(obj) && cJSON_IsString(run_id) && run_id->valuestring[0]
        && cJSON_IsString(host) && cJSON_IsNumber(pid) && pid->valuedouble >= 1
        && pid->valuedouble <= INT_MAX && pid->valuedouble == floor(pid->valuedouble);
    if (f->parsed) {
        copy_field(f->holder.run_id, sizeof f->holder.run_id, run_id->valuestring);
        copy_field(f->holder.host, sizeof f->holder.host, host->valuestring);
        f->holder.pid = (long)pid->valuedouble;
        copy_field(f->holder.started, sizeof f->holder.started,
                   cJSON_IsString(started) ? started->valuestring : "");
    }
    cJSON_Delete(obj);
}

/* Reads the lock file at path; WF_ENOTFOUND when there is none. */
static wf_status read_lock(const char *path, lockfile *f, wf_error *err)
{
    struct stat sb;
    int fd;

    memset(f, 0, sizeof *f);
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT)
            return wf_error_set(err, WF_ENOTFOUND, "lock %s: not held", path);
        return wf_error_set(err, WF_EIO, "lock %s: cannot open: %s", path, strerror(errno));
    }
    if (fstat(fd, &sb) != 0) {
        int e = errno;
        close(fd);
        return wf_error_set(err, WF_EIO, "lock %s: cannot stat: %s", path, strerror(e));
    }
    f->dev = sb.st_dev;
    f->ino = sb.st_ino;
    f->mtime = sb.st_mtime;
    f->bytes = malloc(MAX_LOCK_FILE + 1);
    if (!f->bytes) {
        close(fd);
        return wf_error_set(err, WF_ENOMEM, "lock %s: out of memory", path);
    }
    while (f->len < MAX_LOCK_FILE) {    /* a longer file is no lock of ours: unparseable */
        ssize_t n = read(fd, f->bytes + f->len, MAX_LOCK_FILE - f->len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            int e = errno;
            close(fd);
            lockfile_free(f);
            return wf_error_set(err, WF_EIO, "lock %s: cannot read: %s", path, strerror(e));
        }
        if (n == 0)
            break;
        f->len += (size_t)n;
    }
    close(fd);
    f->bytes[f->len] = '\0';
    parse_holder(f);
    return WF_OK;
}

static int same_lockfile(const lockfile *a, const lockfile *b)
{
    return a->dev == b->dev && a->ino == b->ino && a->len == b->len
        && memcmp(a->bytes, b->bytes, a->len) == 0;
}

static int names(const lockfile *f, const char *run_id, const char *host, long pid)
{
    return f->parsed && strcmp(f->holder.run_id, run_id) == 0
        && (!host || strcmp(f->holder.host, host) == 0) && (pid == 0 || f->holder.pid == pid);
}

/* Stale: its process died on this host, or (unreadable) it is too old to be in progress. */
static int is_stale(const lockfile *f)
{
    char host[256];
    if (!f->parsed)
        return time(NULL) - f->mtime > UNREADABLE_STALE_AFTER;
    host_name(host, sizeof host);
    if (strcmp(f->holder.host, host) != 0)
        return 0;   /* another machine's pid says nothing here */
    return kill((pid_t)f->holder.pid, 0) != 0 && errno == ESRCH;
}

static wf_status busy(const char *path, const lockfile *f, wf_error *err)
{
    if (!f->parsed)
        return wf_error_set(err, WF_EBUSY, "lock %s: held (unreadable lock file, written %lds ago)",
                            path, (long)(time(NULL) - f->mtime));
    return wf_error_set(err, WF_EBUSY, "lock %s: held by run %s (pid %ld on %s since %s)", path,
                        f->holder.run_id, f->holder.pid, f->holder.host, f->holder.started);
}

/* Serialises takeovers and releases among processes on this host: flock on the directory,
 * released when dir_fd is closed. */
static wf_status lock_dir(const char *path, int *dir_fd, wf_error *err)
{
    int rc;
    *dir_fd = wf_open_parent_dir(path);
    if (*dir_fd < 0 && errno == ENOENT)
        return wf_error_set(err, WF_ENOTFOUND, "lock %s: not held", path);
    if (*dir_fd < 0)
        return wf_error_set(err, WF_EIO, "lock %s: cannot open its directory: %s", path, strerror(errno));
    do
        rc = flock(*dir_fd, LOCK_EX);
    while (rc != 0 && errno == EINTR);
    if (rc != 0) {
        int e = errno;
        close(*dir_fd);
        *dir_fd = -1;
        return wf_error_set(err, WF_EIO, "lock %s: cannot lock its directory: %s", path, strerror(e));
    }
    return WF_OK;
}

wf_status wf_lock_acquire(const char *path, const char *run_id, wf_lock_holder *holder,
                          int *took_stale, wf_error *err)
{
    char *text = NULL, *tmp = NULL;
    char host[256];
    lockfile seen = {0}, again = {0};
    wf_lock_holder scratch;
    wf_error why;
    int dir_fd = -1;
    wf_status st;

    assert(path && run_id);
    if (!holder)
        holder = &scratch;
    memset(holder, 0, sizeof *holder);
    if (took_stale)
        *took_stale = 0;
    if (!run_id[0] || strlen(run_id) >= sizeof holder->run_id)
        return wf_error_set(err, WF_EINVAL, "lock %s: run id must be 1..%zu bytes", path,
                            sizeof holder->run_id - 1);
    st = wf_mkdir_parents(path, &why);
    if (st != WF_OK)
        return wf_error_set(err, st, "lock %s: %s", path, why.message);
    text = lock_text(run_id);
    if (!text)
        return wf_error_set(err, WF_ENOMEM, "lock %s: out of memory", path);
    /* Written in full before it gets its name: nobody ever sees a half-written lock. */
    st = write_temp(path, text, &tmp, err);
    if (st != WF_OK)
        goto done;
    host_name(host, sizeof host);

    /* Each round either takes the lock, finds it busy, or sees it change under it. */
    for (int round = 0; round < 10; round++) {
        if (link(tmp, path) == 0) {
            st = wf_fsync_parent(path, err);
            goto done;
        }
        if (errno != EEXIST) {
            st = wf_error_set(err, WF_EIO, "lock %s: cannot create: %s", path, strerror(errno));
            goto done;
        }
        lockfile_free(&seen);
        st = read_lock(path, &seen, err);
        if (st == WF_ENOTFOUND)
            continue;       /* released in between: try again */
        if (st != WF_OK)
            goto done;
        if (!is_stale(&seen)) {
            *holder = seen.holder;
            st = busy(path, &seen, err);
            goto done;
        }
        /* Stale. Two processes could both see it so: under the directory lock, only the
         * first still finds the very file it judged, and replaces it. */
        st = lock_dir(path, &dir_fd, err);
        if (st != WF_OK)
            goto done;
        lockfile_free(&again);
        st = read_lock(path, &again, err);
        if (st == WF_ENOTFOUND || (st == WF_OK && !same_lockfile(&seen, &again))) {
            close(dir_fd);
            dir_fd = -1;
            continue;
        }
        if (st != WF_OK)
            goto done;
        if (rename(tmp, path) != 0) {
            st = wf_error_set(err, WF_EIO, "lock %s: cannot take over a stale lock: %s", path,
                              strerror(errno));
            goto done;
        }
        free(tmp);
        tmp = NULL;
        st = wf_fsync_parent(path, err);
        if (st != WF_OK)
            goto done;
        lockfile_free(&again);
        st = read_lock(path, &again, err);
        if (st == WF_OK && !names(&again, run_id, host, (long)getpid())) {
            *holder = again.holder;
            st = busy(path, &again, err);
        }
        if (st == WF_OK) {
            *holder = seen.holder;      /* whom we took it from, for the caller's warning */
            if (took_stale)
                *took_stale = 1;
        }
        goto done;
    }
    st = wf_error_set(err, WF_EBUSY, "lock %s: keeps changing; try again", path);
done:
    if (tmp) {
        unlink(tmp);
        free(tmp);
    }
    if (dir_fd >= 0)
        close(dir_fd);
    lockfile_free(&seen);
    lockfile_free(&again);
    cJSON_free(text);
    return st;
}

wf_status wf_lock_release(const char *path, const char *run_id, wf_error *err)
{
    lockfile f = {0};
    int dir_fd = -1;
    wf_status st;

    assert(path && run_id);
    st = lock_dir(path, &dir_fd, err);
    if (st != WF_OK)
        return st;
    st = read_lock(path, &f, err);
    if (st != WF_OK)
        goto done;
    if (!names(&f, run_id, NULL, 0)) {
        st = f.parsed ? wf_error_set(err, WF_EBUSY, "lock %s: held by run %s, not %s; left in place",
                                     path, f.holder.run_id, run_id)
                      : wf_error_set(err, WF_EBUSY, "lock %s: unreadable; left in place", path);
        goto done;
    }
    if (unlink(path) != 0) {
        st = wf_error_set(err, WF_EIO, "lock %s: cannot remove: %s", path, strerror(errno));
        goto done;
    }
    st = wf_fsync_parent(path, err);
done:
    lockfile_free(&f);
    close(dir_fd);
    return st;
}
