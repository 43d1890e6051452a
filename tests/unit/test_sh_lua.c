/* Lua-level tests of wf.sh, wf.wait and wf.interrupt: snippets run in a fresh lua_State. */
#include "check.h"
#include "interrupt.h"
#include "log.h"
#include "lua_modules.h"
#include <lauxlib.h>
#include <lualib.h>
#include <signal.h>

/* Runs code (chunk name "=snippet"); returns the lua_pcall status, results on the stack. */
static int run(lua_State *L, const char *code)
{
    lua_settop(L, 0);
    int st = luaL_loadbuffer(L, code, strlen(code), "=snippet");
    if (st == LUA_OK)
        st = lua_pcall(L, 0, LUA_MULTRET, 0);
    if (st != LUA_OK && lua_type(L, -1) == LUA_TSTRING)
        fprintf(stderr, "  (snippet error: %s)\n", lua_tostring(L, -1));
    return st;
}

/* Runs code that must succeed and return one string; returns it (valid until next run). */
static const char *run_str(lua_State *L, const char *code)
{
    if (run(L, code) != LUA_OK) {
        fprintf(stderr, "snippet failed: %s\n", code);
        return NULL;
    }
    return lua_tostring(L, -1);
}

static lua_State *new_state(void)
{
    lua_State *L = luaL_newstate();
    luaL_openlibs(L);
    luaL_requiref(L, "wf.sh", wf_open_sh, 0);
    lua_setglobal(L, "sh");
    luaL_requiref(L, "wf.wait", wf_open_wait, 0);
    lua_setglobal(L, "wait");
    luaL_requiref(L, "wf.interrupt", wf_open_interrupt, 0);
    lua_setglobal(L, "interrupt");
    return L;
}

static void test_sh(lua_State *L)
{
    CHECK_STR_EQ(run_str(L, "return tostring(sh.run{'sh', '-c', 'exit 3', check = false}.code)"), "3");
    CHECK_STR_EQ(run_str(L, "local r = sh.run('echo hi') return r.stdout .. r.stderr .. r.code .. tostring(r.signal)"),
                 "hi\n0nil");
    CHECK_STR_EQ(run_str(L, "local r = sh.run{'sh', '-c', 'kill -9 $$', check = false} return r.code .. ' ' .. r.signal"),
                 "137 9");

    /* check = true (the default): a string error with where, command, code and stderr. */
    CHECK_INT_EQ(run(L, "sh.run{'sh', '-c', 'echo first >&2; echo oops >&2; exit 3'}"), LUA_ERRRUN);
    CHECK(lua_type(L, -1) == LUA_TSTRING);
    const char *msg = lua_tostring(L, -1);
    CHECK(msg && strncmp(msg, "snippet:1:", 10) == 0);
    CHECK(msg && strstr(msg, "`sh -c 'echo first >&2; echo oops >&2; exit 3'`") != NULL);
    CHECK(msg && strstr(msg, "code 3") != NULL);
    CHECK(msg && strstr(msg, "oops") != NULL);
    CHECK(msg && strstr(msg, "first") != NULL);

    /* Many stderr lines: only the last few are quoted. */
    CHECK_INT_EQ(run(L, "sh.run('for i in 1 2 3 4 5 6 7 8 9; do echo line$i >&2; done; exit 1')"), LUA_ERRRUN);
    msg = lua_tostring(L, -1);
    CHECK(msg && strstr(msg, "line9") != NULL && strstr(msg, "line5") != NULL);
    CHECK(msg && strstr(msg, "line4") == NULL);

    /* Bytes intact; numbers as arguments; stdin, env, cwd. */
    CHECK_STR_EQ(run_str(L, "local r = sh.run(\"printf 'a\\\\000b\\\\377'\") "
                            "return (r.stdout == 'a\\0b\\255' and #r.stdout == 4) and 'ok' or ('bad ' .. #r.stdout)"),
                 "ok");
    CHECK_STR_EQ(run_str(L, "return sh.run{'printf', '%s-%s', 5, 2.5}.stdout"), "5-2.5");
    CHECK_STR_EQ(run_str(L, "local r = sh.run{'cat', stdin = 'x\\0y'} return r.stdout == 'x\\0y' and 'ok' or 'bad'"),
                 "ok");
    CHECK_STR_EQ(run_str(L, "return sh.run('echo \"$A-$B-${HOME-none}\"; pwd', "
                            "{env = {A = 'one', B = 2, HOME = false}, cwd = '/'}).stdout"),
                 "one-2-none\n/\n");
    CHECK_STR_EQ(run_str(L, "return sh.run{'sh', '-c', 'echo \"$1\"', 'x', 'a b;c', readonly = true, quiet = true}.stdout"),
                 "a b;c\n");

    /* Its own timeout: an error table of kind "timeout". */
    CHECK_STR_EQ(run_str(L, "local ok, e = pcall(sh.run, {'sleep', '30', timeout = '1s'}) "
                            "return tostring(ok) .. '|' .. e.kind .. '|' .. e.message .. '|' .. tostring(e) "
                            ".. '|' .. interrupt.error_kind(e)"),
                 "false|timeout|sh.run: `sleep 30` timed out after 1s|sh.run: `sleep 30` timed out after 1s|timeout");

    /* A step deadline stops it too. */
    CHECK_STR_EQ(run_str(L, "local d = interrupt.push_deadline(0.3, 'step s timeout 300ms') "
                            "local ok, e = pcall(sh.run, 'sleep 30') interrupt.pop(d) "
                            "return e.kind .. ' ' .. tostring(e.message:find('step s timeout 300ms', 1, true) ~= nil)"),
                 "timeout true");

    /* Mistakes are plain string errors. */
    CHECK_INT_EQ(run(L, "sh.run{'true', chek = false}"), LUA_ERRRUN);
    CHECK(strstr(lua_tostring(L, -1), "unknown option 'chek'") != NULL);
    CHECK_INT_EQ(run(L, "sh.run{'wf-no-such-program-xyz'}"), LUA_ERRRUN);
    CHECK(lua_type(L, -1) == LUA_TSTRING && strstr(lua_tostring(L, -1), "wf-no-such-program-xyz") != NULL);
    CHECK_INT_EQ(run(L, "sh.run{}"), LUA_ERRRUN);
    CHECK_INT_EQ(run(L, "sh.run{'true', timeout = 'soon'}"), LUA_ERRRUN);
    CHECK(strstr(lua_tostring(L, -1), "\"soon\"") != NULL);
    CHECK_INT_EQ(run(L, "sh.run{'true', {}}"), LUA_ERRRUN);
    CHECK_INT_EQ(run(L, "sh.run{'true', env = {['A=B'] = 'x'}}"), LUA_ERRRUN);
    CHECK_INT_EQ(run(L, "sh.run('true', {1})"), LUA_ERRRUN);
    CHECK_INT_EQ(run(L, "sh.run(42)"), LUA_ERRRUN);
}

static void test_wait(lua_State *L)
{
    CHECK_STR_EQ(run_str(L, "local n = 0 "
                            "local v, extra = wait.poll{what = 'x', every = 0.01, check = function() "
                            "  n = n + 1 if n == 3 then return 'done', 42 end return false, 'step ' .. n end} "
                            "return v .. ' ' .. extra .. ' ' .. n"),
                 "done 42 3");
    /* Backoff grows the interval up to max_every; it still finishes. */
    CHECK_STR_EQ(run_str(L, "local n = 0 "
                            "return tostring(wait.poll{every = '10ms', backoff = 2, max_every = '40ms', "
                            "  check = function() n = n + 1 return n >= 5 end}) .. n"),
                 "true5");

    CHECK_STR_EQ(run_str(L, "local ok, e = pcall(wait.poll, {what = 'snapshot x available', timeout = 0.3, "
                            "  every = 0.05, check = function() return false, 'creating' end}) "
                            "return e.kind .. '|' .. e.message .. '|' .. tostring(e)"),
                 "timeout|timed out after 300ms waiting for snapshot x available (last status: creating)"
                 "|timed out after 300ms waiting for snapshot x available (last status: creating)");
    CHECK_STR_EQ(run_str(L, "local ok, e = pcall(wait.poll, {what = 'y', timeout = 0.1, every = 0.05, "
                            "  check = function() return nil end}) return e.message"),
                 "timed out after 100ms waiting for y");

    /* Errors from check propagate unchanged. */
    CHECK_INT_EQ(run(L, "wait.poll{check = function() error('boom') end}"), LUA_ERRRUN);
    CHECK(strstr(lua_tostring(L, -1), "boom") != NULL);
    CHECK_STR_EQ(run_str(L, "local ok, e = pcall(wait.poll, {check = function() error({code = 'Throttling'}) end}) "
                            "return e.code"),
                 "Throttling");

    CHECK_INT_EQ(run(L, "wait.poll{check = function() return true end, evry = '5s'}"), LUA_ERRRUN);
    CHECK(strstr(lua_tostring(L, -1), "unknown option 'evry'") != NULL);
    CHECK_INT_EQ(run(L, "wait.poll{what = 'x'}"), LUA_ERRRUN);
    CHECK_INT_EQ(run(L, "wait.poll{check = print, every = 0}"), LUA_ERRRUN);
    CHECK_INT_EQ(run(L, "wait.poll{check = print, backoff = 0.5}"), LUA_ERRRUN);
    CHECK_INT_EQ(run(L, "wait.poll{check = print, timeout = '-1m'}"), LUA_ERRRUN);

    CHECK_INT_EQ(run(L, "wait.seconds(0.02) wait.seconds('10ms')"), LUA_OK);
    CHECK_INT_EQ(run(L, "wait.seconds('soon')"), LUA_ERRRUN);
    CHECK_STR_EQ(run_str(L, "local d = interrupt.push_deadline('100ms', 'short') "
                            "local ok, e = pcall(wait.seconds, 30) interrupt.pop(d) return e.kind"),
                 "timeout");

    /* Progress goes to the log, with the status. */
    FILE *log = tmpfile();
    wf_log_configure(WF_LOG_TEXT, 1, log);
    CHECK_INT_EQ(run(L, "local n = 0 wait.poll{what = 'snapshot z available', every = 0.01, "
                        "check = function() n = n + 1 return n > 2, 'creating 45%' end}"), LUA_OK);
    wf_log_configure(WF_LOG_TEXT, 0, stderr);
    char text[4096];
    fflush(log);
    rewind(log);
    size_t n = fread(text, 1, sizeof text - 1, log);
    text[n] = '\0';
    fclose(log);
    CHECK(strstr(text, "snapshot z available (creating 45%)") != NULL);
}

static void test_interrupt(lua_State *L)
{
    CHECK_STR_EQ(run_str(L, "local a = interrupt.push_deadline(100, 'run') local b = interrupt.push_deadline('1m', 'step') "
                            "local r = interrupt.remaining() interrupt.pop(b) local r2 = interrupt.remaining() "
                            "interrupt.pop(a) return a .. ' ' .. b .. ' ' .. tostring(r <= 60) .. ' ' "
                            ".. tostring(r2 > 60 and r2 <= 100) .. ' ' .. tostring(interrupt.remaining() > 1e9)"),
                 "1 2 true true true");
    CHECK_STR_EQ(run_str(L, "interrupt.check() local t = interrupt.now() interrupt.sleep(0.01) "
                            "return tostring(interrupt.now() > t and interrupt.wall() > 1.6e9)"),
                 "true");

    /* A pure-Lua loop under a passed deadline is stopped by the count hook. */
    CHECK_STR_EQ(run_str(L, "interrupt.hook() local d = interrupt.push_deadline(0.2, 'step loop timeout 200ms') "
                            "local ok, e = pcall(function() local i = 0 while true do i = i + 1 end end) "
                            "interrupt.pop(d) "
                            "return e.kind .. ' ' .. tostring(e.message:find('step loop timeout 200ms', 1, true) ~= nil)"),
                 "timeout true");
    wf_deadline_reset();

    /* A signal: kind "interrupted"; signal() names it until cleared. */
    wf_interrupt_install();
    raise(SIGINT);
    CHECK_STR_EQ(run_str(L, "local ok, e = pcall(interrupt.check) local s = interrupt.signal() interrupt.clear_signal() "
                            "return e.kind .. ' ' .. s .. ' ' .. tostring(interrupt.signal())"),
                 "interrupted 2 nil");
    CHECK_STR_EQ(run_str(L, "local ok, e = pcall(interrupt.raise, 'timeout', 'made in Lua') "
                            "return interrupt.error_kind(e) .. ' ' .. tostring(e) .. ' ' .. tostring(interrupt.error_kind('x'))"),
                 "timeout made in Lua nil");
    CHECK_INT_EQ(run(L, "interrupt.push_deadline(-1)"), LUA_ERRRUN);
    CHECK_INT_EQ(run(L, "interrupt.raise('other', 'x')"), LUA_ERRRUN);
}

int main(void)
{
    wf_log_configure(WF_LOG_TEXT, 0, stderr);
    lua_State *L = new_state();
    test_sh(L);
    test_wait(L);
    test_interrupt(L);
    lua_close(L);
    return CHECK_DONE();
}
