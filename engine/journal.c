/* The run journal: append-only JSON lines, fsync'ed per record, read back past a torn tail. */
#include "journal.h"
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct wf_journal {
    int fd;
    int broken;     /* a write or fsync failed: what is on disk is unknown, refuse more */
    char *path;
};

/* ---- filesystem helpers (shared with the lock) ------------------------------------ */

/* dirname(path) into a malloc'ed string: "." when path has no slash. */
static char *parent_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    size_t n;
    char *dir;

    if (!slash)
        return strdup(".");
    while (slash > path && slash[-1] == '/')
        slash--;
    n = slash == path ? 1 : (size_t)(slash - path);    /* "/x" -> "/" */
    dir = malloc(n + 1);
    if (dir) {
        memcpy(dir, path, n);
        dir[n] = '\0';
    }
    return dir;
}

int wf_open_parent_dir(const char *path)
{
    char *dir = parent_of(path);
    int fd;
    if (!dir) {
        errno = ENOMEM;
        return -1;
    }
    fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    free(dir);
    return fd;
}

wf_status wf_fsync_parent(const char *path, wf_error *err)
{
    int fd = wf_open_parent_dir(path);
    int rc;
    if (fd < 0)
        return wf_error_set(err, WF_EIO, "%s: cannot open its directory: %s", path, strerror(errno));
    do
        rc = fsync(fd);
    while (rc != 0 && errno == EINTR);
    /* Some filesystems cannot fsync a directory (EINVAL); their entries are durable anyway. */
    if (rc != 0 && errno != EINVAL) {
        int e = errno;
        close(fd);
        return wf_error_set(err, WF_EIO, "%s: cannot fsync its directory: %s", path, strerror(e));
    }
    close(fd);
    return WF_OK;
}

wf_status wf_mkdir_parents(const char *path, wf_error *err)
{
    char *dir = parent_of(path);
    wf_status st = WF_OK;

    if (!dir)
        return wf_error_set(err, WF_ENOMEM, "out of memory");
    /* Walk the prefixes "a", "a/b", ...: each is created unless it exists. */
    for (char *p = dir + 1; ; p++) {
        if (*p != '/' && *p != '\0')
            continue;
        char saved = *p;
        *p = '\0';
        if (mkdir(dir, 0700) == 0) {
            st = wf_fsync_parent(dir, err);     /* the new entry must survive a crash */
        } else if (errno != EEXIST) {
            st = wf_error_set(err, WF_EIO, "cannot create directory %s: %s", dir, strerror(errno));
        } else {
            struct stat sb;
            if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode))
                st = wf_error_set(err, WF_EIO, "cannot create directory %s: not a directory", dir);
        }
        *p = saved;
        if (st != WF_OK || saved == '\0')
            break;
    }
    free(dir);
    return st;
}

/* ---- reading ---------------------------------------------------------------------- */

static int is_blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
            return 0;
    return 1;
}

/* What a scan of the lines found. */
typedef struct scan {
    cJSON **records;    /* when kept: every record, in order */
    size_t count, cap;
    size_t good_end;    /* offset just past the newline of the last record line */
    size_t corrupt;     /* line number of the first malformed line followed by a record */
    size_t torn;        /* line number of the first malformed line after the last record */
} scan;

static void scan_free(scan *s)
{
    for (size_t i = 0; i < s->count; i++)
        cJSON_Delete(s->records[i]);
    free(s->records);
    s->records = NULL;
    s->count = s->cap = 0;
}

/* One line as a JSON object, or NULL when it is not one. *oom set when out of memory. */
static cJSON *parse_line(const char *line, size_t n, char **scratch, size_t *cap, int *oom)
{
    cJSON *rec;
    if (memchr(line, '\0', n))
        return NULL;
    if (n + 1 > *cap) {
        char *p = realloc(*scratch, n + 1);
        if (!p) {
            *oom = 1;
            return NULL;
        }
        *scratch = p;
        *cap = n + 1;
    }
    /* A NUL-terminated copy: cJSON then checks that nothing but whitespace follows. */
    memcpy(*scratch, line, n);
    (*scratch)[n] = '\0';
    rec = cJSON_ParseWithOpts(*scratch, NULL, 1);
    if (rec && !cJSON_IsObject(rec)) {
        cJSON_Delete(rec);
        rec = NULL;
    }
    return rec;
}

/* Classifies every line; keeps the records in s->records when keep is set. A malformed
 * line followed by a record is corruption (s->corrupt); malformed lines after the last
 * record, an unterminated last line included, are the torn tail a crash leaves (s->torn).
 * Fails only when out of memory. */
static wf_status scan_lines(const char *buf, size_t len, int keep, scan *s, wf_error *err)
{
    char *scratch = NULL;
    size_t scratch_cap = 0, pos = 0, line = 0;

    memset(s, 0, sizeof *s);
    while (pos < len) {
        const char *nl = memchr(buf + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - buf) : len;
        int oom = 0;
        cJSON *rec = NULL;

        line++;
        /* A line without its newline was never acknowledged by append: torn, even if
         * it happens to parse. */
        if (nl && !is_blank(buf + pos, end - pos))
            rec = parse_line(buf + pos, end - pos, &scratch, &scratch_cap, &oom);
        if (oom)
            goto oom;
        if (rec) {
            if (s->torn && !s->corrupt)
                s->corrupt = s->torn;
            s->torn = 0;
            s->good_end = end + 1;
            if (!keep) {
                cJSON_Delete(rec);
            } else {
                if (s->count == s->cap) {
                    size_t cap = s->cap ? s->cap * 2 : 64;
                    cJSON **p = realloc(s->records, cap * sizeof *p);
                    if (!p) {
                        cJSON_Delete(rec);
                        goto oom;
                    }
                    s->records = p;
                    s->cap = cap;
                }
                s->records[s->count++] = rec;
            }
        } else if (!is_blank(buf + pos, end - pos) && !s->torn) {
            s->torn = line;
        }
        pos = end + 1;
    }
    free(scratch);
    return WF_OK;
oom:
    free(scratch);
    scan_free(s);
    return wf_error_set(err, WF_ENOMEM, "journal: out of memory");
}

/* name is the path for messages, or NULL for a buffer. */
static wf_status visit_all(const char *buf, size_t len, const char *name, wf_journal_visitor visit,
                           void *userdata, int *torn, wf_error *err)
{
    scan s;
    wf_status st;
    int stop = 0;

    if (torn)
        *torn = 0;
    /* Parse everything first: a visitor sees either every record or, on corruption, none. */
    st = scan_lines(buf, len, 1, &s, err);
    if (st != WF_OK)
        return st;
    if (s.corrupt) {
        scan_free(&s);
        if (name)
            return wf_error_set(err, WF_EPARSE, "journal %s:%zu: not a JSON object", name, s.corrupt);
        return wf_error_set(err, WF_EPARSE, "journal line %zu: not a JSON object", s.corrupt);
    }
    for (size_t i = 0; i < s.count && !stop; i++)
        stop = visit ? visit(s.records[i], userdata) : 0;
    scan_free(&s);
    if (torn)
        *torn = s.torn != 0;
    return WF_OK;
}

wf_status wf_journal_parse(const char *buf, size_t len, wf_journal_visitor visit, void *userdata,
                           int *torn, wf_error *err)
{
    assert(buf || len == 0);
    return visit_all(buf, len, NULL, visit, userdata, torn, err);
}

/* Reads all of fd into a malloc'ed buffer (not NUL-terminated; never NULL on success). */
static wf_status read_all(int fd, const char *path, char **out, size_t *out_len, wf_error *err)
{
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap);

    if (!buf)
        return wf_error_set(err, WF_ENOMEM, "journal %s: out of memory", path);
    for (;;) {
        ssize_t n;
        if (len == cap) {
            char *p = realloc(buf, cap * 2);
            if (!p) {
                free(buf);
                return wf_error_set(err, WF_ENOMEM, "journal %s: out of memory", path);
            }
            buf = p;
            cap *= 2;
        }
        n = read(fd, buf + len, cap - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            int e = errno;
            free(buf);
            return wf_error_set(err, WF_EIO, "journal %s: cannot read: %s", path, strerror(e));
        }
        if (n == 0)
            break;
        len += (size_t)n;
    }
    *out = buf;
    *out_len = len;
    return WF_OK;
}

wf_status wf_journal_read(const char *path, wf_journal_visitor visit, void *userdata, int *torn,
                          wf_error *err)
{
    char *buf = NULL;
    size_t len = 0;
    wf_status st;
    int fd;

    if (torn)
        *torn = 0;
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT)
            return wf_error_set(err, WF_ENOTFOUND, "journal %s: no such file", path);
        return wf_error_set(err, WF_EIO, "journal %s: cannot open: %s", path, strerror(errno));
    }
    st = read_all(fd, path, &buf, &len, err);
    close(fd);
    if (st != WF_OK)
        return st;
    st = visit_all(buf, len, path, visit, userdata, torn, err);
    free(buf);
    return st;
}

/* ---- writing ---------------------------------------------------------------------- */

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

static int fsync_retry(int fd)
{
    int rc;
    do
        rc = fsync(fd);
    while (rc != 0 && errno == EINTR);
    return rc;
}

/* Cuts a torn tail (whatever follows the last record line) so that the next record starts
 * on a line of its own. Readers skip that tail anyway, so they see the same records after
 * the cut as before; appending after it instead would turn it into a corrupt middle line. */
static wf_status cut_torn_tail(wf_journal *j, off_t size, wf_error *err)
{
    char *buf = NULL;
    size_t len = 0;
    scan s;
    wf_status st;
    int rfd = open(j->path, O_RDONLY | O_CLOEXEC);

    if (rfd < 0)
        return wf_error_set(err, WF_EIO, "journal %s: cannot open: %s", j->path, strerror(errno));
    st = read_all(rfd, j->path, &buf, &len, err);
    close(rfd);
    if (st != WF_OK)
        return st;
    st = scan_lines(buf, len, 0, &s, err);
    /* Only when nobody appended since open's fstat (the run lock keeps writers apart). */
    if (st == WF_OK && s.torn && (off_t)len == size) {
        if (ftruncate(j->fd, (off_t)s.good_end) != 0 || fsync_retry(j->fd) != 0)
            st = wf_error_set(err, WF_EIO, "journal %s: cannot cut its torn last line: %s", j->path,
                              strerror(errno));
    }
    free(buf);
    return st;
}

wf_status wf_journal_open(const char *path, wf_journal **out, wf_error *err)
{
    wf_journal *j = NULL;
    struct stat sb;
    wf_error why;
    wf_status st;

    assert(out);
    *out = NULL;
    if (!path || !*path)
        return wf_error_set(err, WF_EINVAL, "journal: empty path");
    st = wf_mkdir_parents(path, &why);
    if (st != WF_OK)
        return wf_error_set(err, st, "journal %s: %s", path, why.message);
    j = calloc(1, sizeof *j);
    if (j) {
        j->fd = -1;
        j->path = strdup(path);
    }
    if (!j || !j->path) {
        st = wf_error_set(err, WF_ENOMEM, "journal %s: out of memory", path);
        goto fail;
    }
    j->fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    if (j->fd < 0 || fstat(j->fd, &sb) != 0) {
        st = wf_error_set(err, WF_EIO, "journal %s: cannot open: %s", path, strerror(errno));
        goto fail;
    }
    if (sb.st_size == 0)    /* new (or empty): make its directory entry durable */
        st = wf_fsync_parent(path, err);
    else
        st = cut_torn_tail(j, sb.st_size, err);
    if (st != WF_OK)
        goto fail;
    *out = j;
    return WF_OK;
fail:
    wf_journal_close(j);
    return st;
}

wf_status wf_journal_append(wf_journal *j, const cJSON *record, wf_error *err)
{
    char *text = NULL, *line = NULL;
    size_t n;
    struct stat sb;
    wf_status st = WF_OK;

    if (!j || j->fd < 0)
        return wf_error_set(err, WF_EINVAL, "journal: not open");
    if (j->broken)
        return wf_error_set(err, WF_EIO, "journal %s: unusable after a failed write", j->path);
    if (!cJSON_IsObject(record))
        return wf_error_set(err, WF_EINVAL, "journal %s: a record must be a JSON object", j->path);
    text = cJSON_PrintUnformatted(record);
    if (!text)
        return wf_error_set(err, WF_ENOMEM, "journal %s: out of memory", j->path);
    n = strlen(text);
    /* cJSON escapes newlines in strings; only a cJSON_Raw item could hold one. */
    if (memchr(text, '\n', n)) {
        st = wf_error_set(err, WF_EINVAL, "journal %s: record does not fit on one line", j->path);
        goto done;
    }
    line = malloc(n + 1);
    if (!line) {
        st = wf_error_set(err, WF_ENOMEM, "journal %s: out of memory", j->path);
        goto done;
    }
    memcpy(line, text, n);
    line[n] = '\n';
    if (fstat(j->fd, &sb) != 0) {
        st = wf_error_set(err, WF_EIO, "journal %s: cannot stat: %s", j->path, strerror(errno));
        goto done;
    }
    /* One write for the whole line, so a crash leaves at most one torn line. */
    if (write_all(j->fd, line, n + 1) != 0) {
        int e = errno;
        /* Take back a partial line so the next record does not glue onto it. */
        if (ftruncate(j->fd, sb.st_size) != 0)
            j->broken = 1;
        st = wf_error_set(err, WF_EIO, "journal %s: cannot write: %s", j->path, strerror(e));
        goto done;
    }
    if (fsync_retry(j->fd) != 0) {
        /* After a failed fsync the kernel may have dropped the data: never retry it. */
        j->broken = 1;
        st = wf_error_set(err, WF_EIO, "journal %s: cannot fsync: %s", j->path, strerror(errno));
    }
done:
    free(line);
    cJSON_free(text);
    return st;
}

void wf_journal_close(wf_journal *j)
{
    if (!j)
        return;
    if (j->fd >= 0)
        close(j->fd);
    free(j->path);
    free(j);
}
