/* Unit tests of the run lock: acquire, busy, release, stale takeover (also racing), Lua module. */
#define _XOPEN_SOURCE 700   /* nftw */
#include "check.h"
#include "lock.h"
#include "lua_modules.h"
#include <dirent.h>
#include <ftw.h>
#include <lauxlib.h>
#include <lualib.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

static char scratch[64];
static char host[256];

static int remove_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb; (void)flag; (void)ftw;
    return remove(path);
}

static void path_in(char *out, size_t cap, const char *name)
{
    snprintf(out, cap, "%s/%s", scratch, name);
}

static int exists(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0;
}

static void write_lock(const char *path, const char *run_id, const char *on_host, long pid)
{
    FILE *f = fopen(path, "w");
    CHECK(f != NULL);
    if (!f)
        return;
    fprintf(f, "{\"host\":\"%s\",\"pid\":%ld,\"run_id\":\"%s\",\"started\":\"2024-01-02T03:04:05Z\"}\n",
            on_host, pid, run_id);
    fclose(f);
}

/* A pid that surely names no process: a child that has exited and been reaped. */
static pid_t dead_pid(void)
{
    pid_t pid = fork();
    if (pid == 0)
        _exit(0);
    waitpid(pid, NULL, 0);
    return pid;
}

/* Files in dir other than "." and "..". */
static int count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int n = 0;
    while (d && (e = readdir(d)) != NULL)
        n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    if (d)
        closedir(d);
    return n;
}

static void test_acquire_busy_release(void)
{
    char path[256], dir[256];
    wf_lock_holder h;
    wf_error err = {0};
    int stale = -1;

    path_in(path, sizeof path, "locks/prod/lock.json");
    path_in(dir, sizeof dir, "locks/prod");
    CHECK_INT_EQ(wf_lock_acquire(path, "run-1", &h, &stale, &err), WF_OK);
    CHECK_INT_EQ(stale, 0);
    CHECK(exists(path));
    CHECK_INT_EQ(count_entries(dir), 1);    /* the temporary file is gone */

    /* Held by a live process (us): busy, and we learn by whom. */
    CHECK_INT_EQ(wf_lock_acquire(path, "run-2", &h, &stale, &err), WF_EBUSY);
    CHECK_STR_EQ(h.run_id, "run-1");
    CHECK_STR_EQ(h.host, host);
    CHECK_INT_EQ(h.pid, getpid());
    CHECK_INT_EQ(strlen(h.started), 20);
    CHECK(h.started[4] == '-' && h.started[10] == 'T' && h.started[19] == 'Z');
    CHECK(strstr(err.message, "held by run run-1") != NULL);
    CHECK(strstr(err.message, path) != NULL);
    CHECK_INT_EQ(count_entries(dir), 1);

    /* Release by another run leaves it. */
    CHECK_INT_EQ(wf_lock_release(path, "run-2", &err), WF_EBUSY);
    CHECK(exists(path));
    CHECK_INT_EQ(wf_lock_acquire(path, "run-3", NULL, NULL, &err), WF_EBUSY);

    CHECK_INT_EQ(wf_lock_release(path, "run-1", &err), WF_OK);
    CHECK(!exists(path));
    CHECK_INT_EQ(wf_lock_release(path, "run-1", &err), WF_ENOTFOUND);

    /* Not busy after release. */
    CHECK_INT_EQ(wf_lock_acquire(path, "run-2", &h, &stale, &err), WF_OK);
    CHECK_INT_EQ(stale, 0);

    CHECK_INT_EQ(wf_lock_acquire(path, "", &h, &stale, &err), WF_EINVAL);
    /* A parent that is a file: an error naming the lock. */
    path_in(path, sizeof path, "locks/prod/lock.json/sub/lock.json");
    CHECK_INT_EQ(wf_lock_acquire(path, "run-1", &h, &stale, &err), WF_EIO);
    CHECK(strncmp(err.message, "lock ", 5) == 0 && strstr(err.message, path) != NULL);
    path_in(path, sizeof path, "locks/prod/lock.json");
    CHECK_INT_EQ(wf_lock_release(path, "run-2", &err), WF_OK);
    path_in(path, sizeof path, "nowhere/lock.json");
    CHECK_INT_EQ(wf_lock_release(path, "run-1", &err), WF_ENOTFOUND);
}

static void test_stale(void)
{
    char path[256], dir[256];
    wf_lock_holder h;
    wf_error err = {0};
    int stale = 0;
    pid_t dead = dead_pid();
    struct timeval old[2];

    path_in(dir, sizeof dir, "stale");
    path_in(path, sizeof path, "stale/lock.json");
    mkdir(dir, 0700);

    /* Dead pid on this host: taken over, and we learn from whom. */
    write_lock(path, "crashed-run", host, (long)dead);
    CHECK_INT_EQ(wf_lock_acquire(path, "run-new", &h, &stale, &err), WF_OK);
    CHECK_INT_EQ(stale, 1);
    CHECK_STR_EQ(h.run_id, "crashed-run");
    CHECK_INT_EQ(h.pid, dead);
    CHECK_STR_EQ(h.started, "2024-01-02T03:04:05Z");
    CHECK_INT_EQ(count_entries(dir), 1);
    /* Now it names us. */
    CHECK_INT_EQ(wf_lock_acquire(path, "run-other", &h, &stale, &err), WF_EBUSY);
    CHECK_STR_EQ(h.run_id, "run-new");
    CHECK_INT_EQ(h.pid, getpid());
    CHECK_INT_EQ(wf_lock_release(path, "run-new", &err), WF_OK);

    /* A dead pid on another host proves nothing here: busy. */
    write_lock(path, "remote-run", "some-other-host.example", (long)dead);
    CHECK_INT_EQ(wf_lock_acquire(path, "run-new", &h, &stale, &err), WF_EBUSY);
    CHECK_STR_EQ(h.host, "some-other-host.example");
    CHECK_STR_EQ(h.run_id, "remote-run");
    CHECK(exists(path));

    /* An unreadable lock file is busy while fresh, stale once older than 10 s. */
    write_lock(path, "x", host, 1);
    {
        FILE *f = fopen(path, "w");     /* empty it */
        if (f)
            fclose(f);
    }
    CHECK_INT_EQ(wf_lock_acquire(path, "run-new", &h, &stale, &err), WF_EBUSY);
    CHECK_STR_EQ(h.run_id, "");
    CHECK(strstr(err.message, "unreadable") != NULL);
    CHECK_INT_EQ(wf_lock_release(path, "run-new", &err), WF_EBUSY);
    gettimeofday(&old[0], NULL);
    old[0].tv_sec -= 60;
    old[1] = old[0];
    CHECK(utimes(path, old) == 0);
    CHECK_INT_EQ(wf_lock_acquire(path, "run-new", &h, &stale, &err), WF_OK);
    CHECK_INT_EQ(stale, 1);
    CHECK_INT_EQ(wf_lock_release(path, "run-new", &err), WF_OK);
    CHECK_INT_EQ(count_entries(dir), 0);
}

/* Several processes find the same stale lock at once: exactly one may win. */
static void test_stale_race(void)
{
    enum { RACERS = 8 };
    char path[256];
    int results[2], go[2], won = 0, busy = 0;
    pid_t kids[RACERS];

    path_in(path, sizeof path, "race/lock.json");
    wf_lock_holder h;
    wf_error err = {0};
    CHECK_INT_EQ(wf_lock_acquire(path, "setup", &h, NULL, &err), WF_OK);
    write_lock(path, "crashed-run", host, (long)dead_pid());
    CHECK(pipe(results) == 0 && pipe(go) == 0);
    for (int i = 0; i < RACERS; i++) {
        kids[i] = fork();
        if (kids[i] == 0) {
            char run_id[32], c;
            int stale = 0;
            wf_status st;
            close(results[0]);
            close(go[1]);
            snprintf(run_id, sizeof run_id, "racer-%d", i);
            st = wf_lock_acquire(path, run_id, NULL, &stale, NULL);
            c = st == WF_OK ? 'W' : st == WF_EBUSY ? 'B' : 'E';
            if (write(results[1], &c, 1) != 1)
                _exit(2);
            /* Hold on (alive) until everyone has tried. */
            while (read(go[0], &c, 1) > 0)
                ;
            _exit(0);
        }
    }
    close(results[1]);
    close(go[0]);
    for (int i = 0; i < RACERS; i++) {
        char c = 0;
        if (read(results[0], &c, 1) != 1)
            break;
        won += c == 'W';
        busy += c == 'B';
    }
    close(go[1]);
    close(results[0]);
    for (int i = 0; i < RACERS; i++)
        waitpid(kids[i], NULL, 0);
    CHECK_INT_EQ(won, 1);
    CHECK_INT_EQ(busy, RACERS - 1);
}

static const char *lua_run(lua_State *L, const char *code)
{
    static char msg[1024];
    if (luaL_loadstring(L, code) != LUA_OK || lua_pcall(L, 0, 0, 0) != LUA_OK) {
        snprintf(msg, sizeof msg, "%s", lua_tostring(L, -1));
        lua_pop(L, 1);
        return msg;
    }
    return "ok";
}

static void test_lua_module(void)
{
    lua_State *L = luaL_newstate();
    char path[256];

    luaL_openlibs(L);
    wf_open_lock(L);
    lua_setglobal(L, "lock");
    path_in(path, sizeof path, "lua/deeper/lock.json");
    lua_pushstring(L, path);
    lua_setglobal(L, "p");
    lua_pushstring(L, host);
    lua_setglobal(L, "host");
    lua_pushinteger(L, getpid());
    lua_setglobal(L, "mypid");
    lua_pushinteger(L, dead_pid());
    lua_setglobal(L, "dead");

    CHECK_STR_EQ(lua_run(L,
        "local ok, stale = lock.acquire(p, 'a') assert(ok == true and stale == false) "
        "local ok2, holder = lock.acquire(p, 'b') assert(ok2 == false) "
        "assert(holder.run_id == 'a' and holder.pid == mypid and holder.host == host) "
        "assert(holder.started:match('^%d%d%d%d%-%d%d%-%d%dT%d%d:%d%d:%d%dZ$'), holder.started) "
        "local r, why = lock.release(p, 'b') assert(r == false and why:find('held by run a'), why) "
        "assert(lock.release(p, 'a') == true) "
        "r, why = lock.release(p, 'a') assert(r == false and why:find('not held'), why) "
        "assert(lock.acquire(p, 'b') == true) assert(lock.release(p, 'b'))"), "ok");

    CHECK_STR_EQ(lua_run(L,
        "local f = assert(io.open(p, 'w')) "
        "f:write(string.format('{\"host\":\"%s\",\"pid\":%d,\"run_id\":\"old\",\"started\":\"\"}', host, dead)) "
        "f:close() "
        "local ok, stale, from = lock.acquire(p, 'new') "
        "assert(ok == true and stale == true and from.run_id == 'old' and from.pid == dead) "
        "assert(lock.release(p, 'new'))"), "ok");

    CHECK_STR_EQ(lua_run(L,
        "local ok, e = pcall(lock.acquire, p, '') assert(not ok and e:find(p, 1, true), e) "
        "ok, e = pcall(lock.acquire, p) assert(not ok and e:find('bad argument #2'), e)"), "ok");
    lua_close(L);
}

int main(void)
{
    snprintf(scratch, sizeof scratch, "/tmp/wf-test-lock.XXXXXX");
    if (!mkdtemp(scratch)) {
        perror("mkdtemp");
        return 1;
    }
    if (gethostname(host, sizeof host) != 0)
        host[0] = '\0';
    host[sizeof host - 1] = '\0';
    test_acquire_busy_release();
    test_stale();
    test_stale_race();
    test_lua_module();
    nftw(scratch, remove_one, 16, FTW_DEPTH | FTW_PHYS);
    return CHECK_DONE();
}
