/* Module "wf.sys": the few operating-system facts and file operations the DSL needs
 * (process identity, environment, atomic file writes, directory listings, hashes). */
#define _GNU_SOURCE   /* pipe2 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <poll.h>
#include <stdio.h>
#include <sys/wait.h>
#include <time.h>
#include <signal.h>
#include <unistd.h>

#include <lauxlib.h>
#include <lua.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "lua_modules.h"
#include "sys.h"

wf_status wf_mkdir_p(const char *path, wf_error *err)
{
    char buf[PATH_MAX];
    size_t len = strlen(path);
    if (len == 0 || len >= sizeof buf)
        return wf_error_set(err, WF_EINVAL, "bad directory path \"%s\"", path);
    memcpy(buf, path, len + 1);
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(buf, 0700) != 0 && errno != EEXIST)
            return wf_error_set(err, WF_EIO, "cannot create %s: %s", buf, strerror(errno));
        *p = '/';
    }
    if (mkdir(buf, 0700) != 0 && errno != EEXIST)
        return wf_error_set(err, WF_EIO, "cannot create %s: %s", buf, strerror(errno));
    return WF_OK;
}

/* Writes all of data, retrying short writes and EINTR. */
static int write_all(int fd, const char *data, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, data, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        data += n;
        len -= (size_t)n;
    }
    return 0;
}

wf_status wf_write_file_atomic(const char *path, const char *data, size_t len, wf_error *err)
{
    char tmp[PATH_MAX];
    if (snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid()) >= (int)sizeof tmp)
        return wf_error_set(err, WF_EINVAL, "path too long: %s", path);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return wf_error_set(err, WF_EIO, "cannot write %s: %s", tmp, strerror(errno));
    /* fsync before rename: a crash leaves either the old file or the whole new one. */
    if (write_all(fd, data, len) != 0 || fsync(fd) != 0) {
        int saved = errno;
        close(fd);
        unlink(tmp);
        return wf_error_set(err, WF_EIO, "cannot write %s: %s", tmp, strerror(saved));
    }
    close(fd);
    if (rename(tmp, path) != 0) {
        int saved = errno;
        unlink(tmp);
        return wf_error_set(err, WF_EIO, "cannot rename %s to %s: %s", tmp, path, strerror(saved));
    }
    return WF_OK;
}

static int sys_pid(lua_State *L)
{
    lua_pushinteger(L, (lua_Integer)getpid());
    return 1;
}

static int sys_hostname(lua_State *L)
{
    char name[256] = "";
    if (gethostname(name, sizeof name - 1) != 0)
        strcpy(name, "unknown");
    lua_pushstring(L, name);
    return 1;
}

static int sys_getenv(lua_State *L)
{
    const char *v = getenv(luaL_checkstring(L, 1));
    if (v)
        lua_pushstring(L, v);
    else
        lua_pushnil(L);
    return 1;
}

static int sys_isatty(lua_State *L)
{
    lua_pushboolean(L, isatty((int)luaL_checkinteger(L, 1)));
    return 1;
}

static int sys_exists(lua_State *L)
{
    struct stat st;
    const char *path = luaL_checkstring(L, 1);
    if (stat(path, &st) != 0) {
        lua_pushboolean(L, 0);
        return 1;
    }
    lua_pushstring(L, S_ISDIR(st.st_mode) ? "directory" : "file");
    return 1;
}

static int sys_mkdir_p(lua_State *L)
{
    wf_error err;
    if (wf_mkdir_p(luaL_checkstring(L, 1), &err) != WF_OK)
        return luaL_error(L, "%s", err.message);
    return 0;
}

/* read_file(path) -> contents | nil, message */
static int sys_read_file(lua_State *L)
{
    const char *path = luaL_checkstring(L, 1);
    FILE *f = fopen(path, "rb");
    if (!f) {
        lua_pushnil(L);
        lua_pushfstring(L, "cannot read %s: %s", path, strerror(errno));
        return 2;
    }
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    char chunk[8192];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        luaL_addlstring(&b, chunk, n);
    int failed = ferror(f);
    fclose(f);
    if (failed) {
        lua_pushnil(L);
        lua_pushfstring(L, "cannot read %s", path);
        return 2;
    }
    luaL_pushresult(&b);
    return 1;
}

static int sys_write_file(lua_State *L)
{
    size_t len;
    const char *path = luaL_checkstring(L, 1);
    const char *data = luaL_checklstring(L, 2, &len);
    wf_error err;
    if (wf_write_file_atomic(path, data, len, &err) != WF_OK)
        return luaL_error(L, "%s", err.message);
    return 0;
}

static int sys_remove(lua_State *L)
{
    const char *path = luaL_checkstring(L, 1);
    lua_pushboolean(L, unlink(path) == 0 || errno == ENOENT);
    return 1;
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* list_dir(path) -> sorted array of entry names (no dot files); {} when missing. */
static int sys_list_dir(lua_State *L)
{
    const char *path = luaL_checkstring(L, 1);
    lua_newtable(L);
    DIR *d = opendir(path);
    if (!d)
        return 1;
    char **names = NULL;
    size_t count = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        if (count == cap) {
            size_t ncap = cap ? cap * 2 : 32;
            char **grown = realloc(names, ncap * sizeof *grown);
            if (!grown)
                break;
            names = grown;
            cap = ncap;
        }
        names[count] = strdup(e->d_name);
        if (names[count])
            count++;
    }
    closedir(d);
    if (count)
        qsort(names, count, sizeof *names, compare_names);
    for (size_t i = 0; i < count; i++) {
        lua_pushstring(L, names[i]);
        lua_rawseti(L, -2, (lua_Integer)i + 1);
        free(names[i]);
    }
    free(names);
    return 1;
}

static int sys_random_hex(lua_State *L)
{
    unsigned char bytes[32];
    char hex[65];
    lua_Integer n = luaL_optinteger(L, 1, 4);
    luaL_argcheck(L, n > 0 && n <= 32, 1, "between 1 and 32 bytes");
    if (RAND_bytes(bytes, (int)n) != 1)
        return luaL_error(L, "random_hex: OpenSSL RAND_bytes failed");
    for (lua_Integer i = 0; i < n; i++)
        snprintf(hex + 2 * i, 3, "%02x", bytes[i]);
    lua_pushlstring(L, hex, (size_t)n * 2);
    return 1;
}

static int sys_sha256_hex(lua_State *L)
{
    size_t len;
    const char *data = luaL_checklstring(L, 1, &len);
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int dlen = 0;
    char hex[2 * EVP_MAX_MD_SIZE + 1];
    if (EVP_Digest(data, len, digest, &dlen, EVP_sha256(), NULL) != 1)
        return luaL_error(L, "sha256: OpenSSL EVP_Digest failed");
    for (unsigned int i = 0; i < dlen; i++)
        snprintf(hex + 2 * i, 3, "%02x", digest[i]);
    lua_pushlstring(L, hex, 2 * dlen);
    return 1;
}

/* iso8601(epoch_seconds) -> "2026-11-26T09:37:47Z"; compact(epoch) -> "20261126T093747Z" */
static int format_time(lua_State *L, const char *fmt)
{
    time_t t = (time_t)luaL_checknumber(L, 1);
    struct tm tm;
    char buf[64];
    gmtime_r(&t, &tm);
    strftime(buf, sizeof buf, fmt, &tm);
    lua_pushstring(L, buf);
    return 1;
}

static int sys_iso8601(lua_State *L) { return format_time(L, "%Y-%m-%dT%H:%M:%SZ"); }
static int sys_compact_time(lua_State *L) { return format_time(L, "%Y%m%dT%H%M%SZ"); }

static int sys_realpath(lua_State *L)
{
    char buf[PATH_MAX];
    if (!realpath(luaL_checkstring(L, 1), buf)) {
        lua_pushnil(L);
        return 1;
    }
    lua_pushstring(L, buf);
    return 1;
}

static int sys_process_alive(lua_State *L)
{
    pid_t pid = (pid_t)luaL_checkinteger(L, 1);
    lua_pushboolean(L, pid > 0 && (kill(pid, 0) == 0 || errno == EPERM));
    return 1;
}

/* spawn{argv..., stdout=FILE, stderr=FILE, env={"NAME=value", "NAME"...}} -> pid | raises.
 * Starts a program in the background (`wfrun test` runs workflows and its own workers this
 * way), stdin from /dev/null, stdout/stderr appended to the files (default /dev/null), env
 * entries set ("NAME=value") or unset ("NAME") in the child. It is killed when we die
 * (PR_SET_PDEATHSIG): nothing outlives an interrupted test. Reap it with wait(). */
static int sys_spawn(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    int argc = (int)luaL_len(L, 1);
    luaL_argcheck(L, argc >= 1 && argc < 256, 1, "an argv list of 1..255 words");
    const char *argv[256], *envs[64];
    int nenv = 0;
    for (int i = 0; i < argc; i++) {
        lua_rawgeti(L, 1, i + 1);
        argv[i] = lua_tostring(L, -1);
        lua_pop(L, 1);   /* the string stays alive in the table */
        if (!argv[i])
            return luaL_error(L, "spawn: argument %d is not a string", i + 1);
    }
    argv[argc] = NULL;
    lua_getfield(L, 1, "stdout");
    const char *out = luaL_optstring(L, -1, "/dev/null");
    lua_getfield(L, 1, "stderr");
    const char *errf = luaL_optstring(L, -1, "/dev/null");
    lua_getfield(L, 1, "env");
    if (lua_istable(L, -1)) {
        int n = (int)luaL_len(L, -1);
        luaL_argcheck(L, n < 64, 1, "at most 63 env entries");
        for (int i = 0; i < n; i++) {
            lua_rawgeti(L, -1, i + 1);
            envs[nenv++] = luaL_checkstring(L, -1);
            lua_pop(L, 1);
        }
    }
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0)
        return luaL_error(L, "spawn: fork: %s", strerror(errno));
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent)
            _exit(127);
        int in = open("/dev/null", O_RDONLY);
        int o = open(out, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
        int e = open(errf, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
        if (in < 0 || o < 0 || e < 0 || dup2(in, 0) < 0 || dup2(o, 1) < 0 || dup2(e, 2) < 0)
            _exit(127);
        for (int i = 0; i < nenv; i++) {
            const char *eq = strchr(envs[i], '=');
            if (eq) {
                char *name = strndup(envs[i], (size_t)(eq - envs[i]));
                if (!name || setenv(name, eq + 1, 1) != 0)
                    _exit(127);
                free(name);
            } else {
                unsetenv(envs[i]);
            }
        }
        signal(SIGPIPE, SIG_DFL);
        execvp(argv[0], (char *const *)argv);
        fprintf(stderr, "wfrun: cannot run %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    lua_pushinteger(L, pid);
    return 1;
}

/* wait(pid[, block]) -> exit code (128 + signal when killed), or nil while it runs. */
static int sys_wait(lua_State *L)
{
    pid_t pid = (pid_t)luaL_checkinteger(L, 1);
    int block = lua_toboolean(L, 2);
    int status = 0;
    pid_t r;
    do
        r = waitpid(pid, &status, block ? 0 : WNOHANG);
    while (r < 0 && errno == EINTR);
    if (r == 0) {
        lua_pushnil(L);
        return 1;
    }
    if (r < 0)
        return luaL_error(L, "wait: pid %d: %s", (int)pid, strerror(errno));
    lua_pushinteger(L, WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
    return 1;
}

/* signal(pid, "KILL"|"TERM"|"INT") -> true, or false when it is gone. */
static int sys_signal(lua_State *L)
{
    pid_t pid = (pid_t)luaL_checkinteger(L, 1);
    static const char *const names[] = {"KILL", "TERM", "INT", NULL};
    static const int sigs[] = {SIGKILL, SIGTERM, SIGINT};
    int which = luaL_checkoption(L, 2, NULL, names);
    luaL_argcheck(L, pid > 0, 1, "a process id");
    lua_pushboolean(L, kill(pid, sigs[which]) == 0);
    return 1;
}

/* Reads one line from the terminal for confirmations; nil at end of input. */
static int sys_read_line(lua_State *L)
{
    char buf[1024];
    if (!fgets(buf, sizeof buf, stdin)) {
        lua_pushnil(L);
        return 1;
    }
    buf[strcspn(buf, "\r\n")] = '\0';
    lua_pushstring(L, buf);
    return 1;
}

static int sys_write_stdout(lua_State *L)
{
    size_t len;
    const char *s = luaL_checklstring(L, 1, &len);
    fwrite(s, 1, len, stdout);
    fflush(stdout);
    return 0;
}

static int sys_write_stderr(lua_State *L)
{
    size_t len;
    const char *s = luaL_checklstring(L, 1, &len);
    fwrite(s, 1, len, stderr);
    fflush(stderr);
    return 0;
}

/* exe_path() -> the running binary's absolute path (to find awssim beside it) */
static int sys_exe_path(lua_State *L)
{
    char buf[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
    if (n <= 0) {
        lua_pushnil(L);
        return 1;
    }
    buf[n] = '\0';
    lua_pushstring(L, buf);
    return 1;
}

/* spawn_service{argv...} -> pid, first line of its stdout | raises.
 * Starts a helper server (awssim) in the background and waits (up to 20 s) for the line
 * it prints once it accepts connections; its stdout is then left to /dev/null. */
static int sys_spawn_service(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    int argc = (int)luaL_len(L, 1);
    luaL_argcheck(L, argc >= 1 && argc < 64, 1, "an argv list of 1..63 words");
    const char *argv[64];
    for (int i = 0; i < argc; i++) {
        lua_rawgeti(L, 1, i + 1);
        argv[i] = lua_tostring(L, -1);
        lua_pop(L, 1);
        if (!argv[i])
            return luaL_error(L, "spawn_service: argument %d is not a string", i + 1);
    }
    argv[argc] = NULL;
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0)
        return luaL_error(L, "spawn_service: pipe: %s", strerror(errno));
    pid_t pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        return luaL_error(L, "spawn_service: fork: %s", strerror(errno));
    }
    if (pid == 0) {
        dup2(fds[1], STDOUT_FILENO);
        setpgid(0, 0);   /* its own group: a Ctrl-C for wfrun is handled by wfrun */
        prctl(PR_SET_PDEATHSIG, SIGTERM);   /* and it stops (saving its state) when we die */
        execvp(argv[0], (char *const *)argv);
        fprintf(stderr, "wfrun: cannot run %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    close(fds[1]);
    char line[1024];
    size_t used = 0;
    double waited = 0;
    while (used < sizeof line - 1) {
        struct pollfd p = {.fd = fds[0], .events = POLLIN};
        int r = poll(&p, 1, 100);
        if (r < 0 && errno == EINTR)
            continue;
        if (r == 0) {
            waited += 0.1;
            if (waited > 20)
                break;
            continue;
        }
        ssize_t n = read(fds[0], line + used, 1);
        if (n <= 0 || line[used] == '\n')
            break;
        used += (size_t)n;
    }
    line[used] = '\0';
    close(fds[0]);
    if (used == 0) {
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
        return luaL_error(L, "%s did not start (no endpoint line within 20 s)", argv[0]);
    }
    lua_pushinteger(L, pid);
    lua_pushstring(L, line);
    return 2;
}

/* stop_service(pid) -> exit status: SIGTERM, then SIGKILL after 5 s */
static int sys_stop_service(lua_State *L)
{
    pid_t pid = (pid_t)luaL_checkinteger(L, 1);
    int status = 0;
    kill(pid, SIGTERM);
    for (int i = 0; i < 50; i++) {
        if (waitpid(pid, &status, WNOHANG) == pid) {
            lua_pushinteger(L, WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
            return 1;
        }
        usleep(100000);
    }
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    lua_pushinteger(L, 137);
    return 1;
}

/* setenv(name, value|nil): for pointing the AWS client at a simulator */
static int sys_setenv(lua_State *L)
{
    const char *name = luaL_checkstring(L, 1);
    if (lua_isnoneornil(L, 2))
        unsetenv(name);
    else
        setenv(name, luaL_checkstring(L, 2), 1);
    return 0;
}

static const luaL_Reg sys_functions[] = {
    {"setenv", sys_setenv},
    {"exe_path", sys_exe_path},
    {"spawn_service", sys_spawn_service},
    {"stop_service", sys_stop_service},
    {"pid", sys_pid},
    {"hostname", sys_hostname},
    {"getenv", sys_getenv},
    {"isatty", sys_isatty},
    {"exists", sys_exists},
    {"mkdir_p", sys_mkdir_p},
    {"read_file", sys_read_file},
    {"write_file", sys_write_file},
    {"remove", sys_remove},
    {"list_dir", sys_list_dir},
    {"random_hex", sys_random_hex},
    {"sha256_hex", sys_sha256_hex},
    {"iso8601", sys_iso8601},
    {"compact_time", sys_compact_time},
    {"realpath", sys_realpath},
    {"process_alive", sys_process_alive},
    {"spawn", sys_spawn},
    {"wait", sys_wait},
    {"signal", sys_signal},
    {"read_line", sys_read_line},
    {"write_stdout", sys_write_stdout},
    {"write_stderr", sys_write_stderr},
    {NULL, NULL}
};

int wf_open_sys(lua_State *L)
{
    luaL_newlib(L, sys_functions);
    return 1;
}
