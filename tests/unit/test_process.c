/* Tests of wf_process_run (engine/process.c): exit codes, argv vs shell, captured bytes,
 * stdin/env/cwd, timeouts killing the process group, signals, errors, no leaks. */
#define _GNU_SOURCE
#include "check.h"
#include "interrupt.h"
#include "log.h"
#include "process.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* Runs argv (NULL-terminated list of strings) with default options. */
static wf_status run_argv(const char *const *argv, wf_process_result *res, wf_error *err)
{
    wf_process_spec spec = { 0 };
    spec.argv = argv;
    spec.quiet = 1;
    return wf_process_run(&spec, res, err);
}

static wf_status run_shell(const char *cmd, wf_process_result *res, wf_error *err)
{
    wf_process_spec spec = { 0 };
    spec.shell = cmd;
    spec.quiet = 1;
    return wf_process_run(&spec, res, err);
}

static int count_fds(void)
{
    int n = 0;
    DIR *d = opendir("/proc/self/fd");
    if (!d)
        return -1;
    while (readdir(d))
        n++;
    closedir(d);
    return n;
}

/* 1 when pid is gone (or a zombie nobody reaps, in containers whose init does not). */
static int process_gone(pid_t pid)
{
    if (kill(pid, 0) != 0)
        return errno == ESRCH;
    char path[64], buf[512];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return 1;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    const char *paren = strrchr(buf, ')');
    return paren && paren[1] == ' ' && (paren[2] == 'Z' || paren[2] == 'X');
}

static int wait_gone(pid_t pid, double seconds)
{
    double until = wf_clock_monotonic() + seconds;
    while (wf_clock_monotonic() < until) {
        if (process_gone(pid))
            return 1;
        usleep(50000);
    }
    return process_gone(pid);
}

static void test_exit_codes(void)
{
    wf_process_result res;
    wf_error err = { 0 };
    const char *t[] = { "true", NULL };
    CHECK_INT_EQ(run_argv(t, &res, &err), WF_OK);
    CHECK_INT_EQ(res.code, 0);
    CHECK_INT_EQ(res.signal, 0);
    CHECK(res.out != NULL && res.out_len == 0 && res.err != NULL);
    wf_process_result_free(&res);

    const char *f[] = { "false", NULL };
    CHECK_INT_EQ(run_argv(f, &res, &err), WF_OK);
    CHECK_INT_EQ(res.code, 1);
    wf_process_result_free(&res);

    CHECK_INT_EQ(run_shell("exit 42", &res, &err), WF_OK);
    CHECK_INT_EQ(res.code, 42);
    wf_process_result_free(&res);

    /* Killed by a signal: 128 + signal, and the signal reported. */
    CHECK_INT_EQ(run_shell("kill -KILL $$", &res, &err), WF_OK);
    CHECK_INT_EQ(res.signal, SIGKILL);
    CHECK_INT_EQ(res.code, 128 + SIGKILL);
    wf_process_result_free(&res);
}

static void test_argv_and_shell(void)
{
    wf_process_result res;
    wf_error err = { 0 };
    /* No shell: spaces and ';' stay inside one argument. */
    const char *argv[] = { "printf", "[%s]\\n", "a b; echo injected", "$HOME", NULL };
    CHECK_INT_EQ(run_argv(argv, &res, &err), WF_OK);
    CHECK_STR_EQ(res.out, "[a b; echo injected]\n[$HOME]\n");
    wf_process_result_free(&res);

    CHECK_INT_EQ(run_shell("echo hello; echo world >&2; echo again; exit 7", &res, &err), WF_OK);
    CHECK_INT_EQ(res.code, 7);
    CHECK_STR_EQ(res.out, "hello\nagain\n");
    CHECK_STR_EQ(res.err, "world\n");
    wf_process_result_free(&res);

    /* A path with a slash is used as is. */
    const char *abs[] = { "/bin/sh", "-c", "echo $0", NULL };
    CHECK_INT_EQ(run_argv(abs, &res, &err), WF_OK);
    CHECK_STR_EQ(res.out, "/bin/sh\n");
    wf_process_result_free(&res);
}

static void test_binary_output(void)
{
    wf_process_result res;
    wf_error err = { 0 };
    /* NUL, invalid UTF-8 and a missing final newline, on both streams. */
    CHECK_INT_EQ(run_shell("printf 'a\\000b\\377\\376c'; printf 'x\\000\\300y' >&2", &res, &err), WF_OK);
    CHECK_INT_EQ(res.out_len, 6);
    CHECK(memcmp(res.out, "a\0b\377\376c", 6) == 0);
    CHECK_INT_EQ(res.err_len, 4);
    CHECK(memcmp(res.err, "x\0\300y", 4) == 0);
    wf_process_result_free(&res);

    /* Large output, more than any pipe buffer, arrives whole. */
    wf_process_spec spec = { 0 };
    const char *argv[] = { "head", "-c", "3000000", "/dev/zero", NULL };
    spec.argv = argv;
    spec.quiet = 1;
    CHECK_INT_EQ(wf_process_run(&spec, &res, &err), WF_OK);
    CHECK_INT_EQ(res.out_len, 3000000);
    CHECK(res.out[0] == 0 && res.out[2999999] == 0 && res.out[3000000] == 0);
    wf_process_result_free(&res);
}

static void test_stdin_env_cwd(void)
{
    wf_process_result res;
    wf_error err = { 0 };
    wf_process_spec spec = { 0 };
    const char *cat[] = { "cat", NULL };
    spec.argv = cat;
    spec.quiet = 1;
    spec.stdin_bytes = "line 1\nzero:\0:end";
    spec.stdin_len = 17;
    CHECK_INT_EQ(wf_process_run(&spec, &res, &err), WF_OK);
    CHECK_INT_EQ(res.out_len, 17);
    CHECK(memcmp(res.out, spec.stdin_bytes, 17) == 0);
    wf_process_result_free(&res);

    /* Big stdin through cat: both directions at once, no deadlock. */
    size_t big = 2000000;
    char *data = malloc(big);
    for (size_t i = 0; i < big; i++)
        data[i] = (char)(i * 7);
    spec.stdin_bytes = data;
    spec.stdin_len = big;
    CHECK_INT_EQ(wf_process_run(&spec, &res, &err), WF_OK);
    CHECK_INT_EQ(res.out_len, big);
    CHECK(res.out_len == big && memcmp(res.out, data, big) == 0);
    wf_process_result_free(&res);

    /* A program that never reads its stdin: no SIGPIPE for us. */
    const char *t[] = { "true", NULL };
    spec.argv = t;
    CHECK_INT_EQ(wf_process_run(&spec, &res, &err), WF_OK);
    CHECK_INT_EQ(res.code, 0);
    wf_process_result_free(&res);
    free(data);

    /* Empty stdin is EOF at once. */
    spec.argv = cat;
    spec.stdin_bytes = "";
    spec.stdin_len = 0;
    CHECK_INT_EQ(wf_process_run(&spec, &res, &err), WF_OK);
    CHECK_INT_EQ(res.out_len, 0);
    wf_process_result_free(&res);

    /* No stdin given: /dev/null, so cat ends at once. */
    spec.stdin_bytes = NULL;
    CHECK_INT_EQ(wf_process_run(&spec, &res, &err), WF_OK);
    CHECK_INT_EQ(res.out_len, 0);
    wf_process_result_free(&res);

    /* env sets, overrides and unsets; cwd changes directory. */
    setenv("WF_TEST_KEEP", "kept", 1);
    setenv("WF_TEST_OVERRIDE", "old", 1);
    setenv("WF_TEST_UNSET", "present", 1);
    const char *env[] = { "WF_TEST_NEW=a b c", "WF_TEST_OVERRIDE=new", "WF_TEST_UNSET", NULL };
    wf_process_spec s2 = { 0 };
    s2.shell = "echo \"$WF_TEST_NEW|$WF_TEST_KEEP|$WF_TEST_OVERRIDE|${WF_TEST_UNSET-unset}\"; pwd";
    s2.env = env;
    s2.cwd = "/";
    s2.quiet = 1;
    CHECK_INT_EQ(wf_process_run(&s2, &res, &err), WF_OK);
    CHECK_STR_EQ(res.out, "a b c|kept|new|unset\n/\n");
    wf_process_result_free(&res);

    /* The program is looked up in the PATH of the new environment. */
    const char *nopath[] = { "PATH=/nonexistent-dir", NULL };
    wf_process_spec s3 = { 0 };
    s3.argv = t;
    s3.env = nopath;
    s3.quiet = 1;
    CHECK_INT_EQ(wf_process_run(&s3, &res, &err), WF_ENOTFOUND);
    wf_process_result_free(&res);

    /* A bad env entry is refused before anything runs. */
    const char *bad[] = { "=x", NULL };
    s3.env = bad;
    CHECK_INT_EQ(wf_process_run(&s3, &res, &err), WF_EINVAL);
    wf_process_result_free(&res);
}

static void test_errors(void)
{
    wf_process_result res;
    wf_error err = { 0 };
    const char *missing[] = { "wf-no-such-program-xyz", "arg", NULL };
    CHECK_INT_EQ(run_argv(missing, &res, &err), WF_ENOTFOUND);
    CHECK(strstr(err.message, "wf-no-such-program-xyz") != NULL);
    CHECK(strstr(err.message, "not found") != NULL);
    wf_process_result_free(&res);

    const char *missing_path[] = { "/no/such/dir/prog", NULL };
    CHECK_INT_EQ(run_argv(missing_path, &res, &err), WF_ENOTFOUND);
    CHECK(strstr(err.message, "/no/such/dir/prog") != NULL);
    wf_process_result_free(&res);

    /* Not executable: a clear error, not "not found". */
    char path[] = "/tmp/wf_test_process_XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    if (fd >= 0) {
        CHECK(write(fd, "data\n", 5) == 5);
        close(fd);
        chmod(path, 0644);
        const char *noexec[] = { path, NULL };
        CHECK_INT_EQ(run_argv(noexec, &res, &err), WF_EIO);
        CHECK(strstr(err.message, "ermission") != NULL || getuid() == 0);
        wf_process_result_free(&res);
        unlink(path);
    }

    wf_process_spec spec = { 0 };
    const char *t[] = { "true", NULL };
    spec.argv = t;
    spec.cwd = "/no/such/directory";
    CHECK_INT_EQ(wf_process_run(&spec, &res, &err), WF_ENOTFOUND);
    CHECK(strstr(err.message, "/no/such/directory") != NULL);
    wf_process_result_free(&res);

    wf_process_spec empty = { 0 };
    CHECK_INT_EQ(wf_process_run(&empty, &res, &err), WF_EINVAL);
    wf_process_result_free(&res);
    const char *blank[] = { "", NULL };
    empty.argv = blank;
    CHECK_INT_EQ(wf_process_run(&empty, &res, &err), WF_EINVAL);
    wf_process_result_free(&res);
}

static void test_timeout_kills_group(void)
{
    wf_process_result res;
    wf_error err = { 0 };
    wf_process_spec spec = { 0 };
    /* The shell starts a grandchild and waits: both must die. */
    spec.shell = "sleep 60 & echo $!; wait";
    spec.timeout = 1;
    spec.quiet = 1;
    double t0 = wf_clock_monotonic();
    CHECK_INT_EQ(wf_process_run(&spec, &res, &err), WF_ETIMEOUT);
    double took = wf_clock_monotonic() - t0;
    CHECK(took >= 0.9);
    CHECK(took < 20);
    CHECK(strstr(err.message, "timed out after 1s") != NULL);
    CHECK(strstr(err.message, "sleep 60 & echo $!; wait") != NULL);
    pid_t grandchild = (pid_t)atoi(res.out);
    CHECK(grandchild > 0);
    if (grandchild > 0)
        CHECK(wait_gone(grandchild, 10));
    wf_process_result_free(&res);

    /* One that ignores SIGTERM gets SIGKILL after the grace period. */
    spec.shell = "trap '' TERM; echo ready; sleep 60";
    spec.timeout = 0.3;
    t0 = wf_clock_monotonic();
    CHECK_INT_EQ(wf_process_run(&spec, &res, &err), WF_ETIMEOUT);
    took = wf_clock_monotonic() - t0;
    CHECK(took < 30);
    CHECK_INT_EQ(res.signal, SIGKILL);
    CHECK(strstr(err.message, "timed out after 300ms") != NULL);
    wf_process_result_free(&res);

    /* A step deadline stops it too, and the message names the deadline. */
    spec.shell = "sleep 60";
    spec.timeout = 0;
    int d = wf_deadline_push(wf_clock_monotonic() + 0.5, "step slow timeout 500ms");
    t0 = wf_clock_monotonic();
    CHECK_INT_EQ(wf_process_run(&spec, &res, &err), WF_ETIMEOUT);
    CHECK(wf_clock_monotonic() - t0 < 20);
    CHECK(strstr(err.message, "step slow timeout 500ms") != NULL);
    CHECK(strstr(err.message, "sleep 60") != NULL);
    wf_process_result_free(&res);
    wf_deadline_pop(d);
}

static void test_signal_to_us(void)
{
    wf_process_result res;
    wf_error err = { 0 };
    wf_interrupt_install();
    /* The shell is our child: $PPID is us. */
    double t0 = wf_clock_monotonic();
    CHECK_INT_EQ(run_shell("echo $$; kill -TERM $PPID; sleep 60", &res, &err), WF_EINTR);
    CHECK(wf_clock_monotonic() - t0 < 20);
    CHECK(strstr(err.message, "SIGTERM") != NULL);
    CHECK_INT_EQ(wf_interrupt_signal(), SIGTERM);
    pid_t shell = (pid_t)atoi(res.out);
    CHECK(shell > 0);
    if (shell > 0)
        CHECK(kill(shell, 0) != 0);   /* it was our child: reaped, not a zombie */
    wf_process_result_free(&res);
    wf_interrupt_clear_signal();
}

/* If we are killed -9, the program goes too (Linux: PR_SET_PDEATHSIG). */
static void test_parent_death(void)
{
#ifdef __linux__
    char path[] = "/tmp/wf_test_pdeath_XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    if (fd < 0)
        return;
    close(fd);
    pid_t runner = fork();
    if (runner == 0) {
        char cmd[256];
        snprintf(cmd, sizeof cmd, "echo $$ > %s.tmp && mv %s.tmp %s && exec sleep 60", path, path, path);
        wf_process_spec spec = { 0 };
        spec.shell = cmd;
        spec.quiet = 1;
        wf_process_result res;
        wf_process_run(&spec, &res, NULL);
        _exit(0);
    }
    pid_t program = 0;
    double until = wf_clock_monotonic() + 20;
    while (program <= 0 && wf_clock_monotonic() < until) {
        FILE *f = fopen(path, "r");
        if (f) {
            if (fscanf(f, "%d", &program) != 1)
                program = 0;
            fclose(f);
        }
        if (program <= 0)
            usleep(20000);
    }
    kill(runner, SIGKILL);
    waitpid(runner, NULL, 0);
    CHECK(program > 0);
    if (program > 0)
        CHECK(wait_gone(program, 10));
    unlink(path);
#endif
}

static void test_fds_and_display(void)
{
    wf_process_result res;
    wf_error err = { 0 };
    /* A descriptor someone opened without O_CLOEXEC does not reach the program. */
    int stray = open("/dev/null", O_RDONLY);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "if [ -e /proc/$$/fd/%d ]; then echo leaked; else echo clean; fi", stray);
    CHECK_INT_EQ(run_shell(cmd, &res, &err), WF_OK);
    CHECK_STR_EQ(res.out, "clean\n");
    wf_process_result_free(&res);
    close(stray);

    /* Works with our stdin closed (CI may start us so). */
    int saved = dup(0);
    close(0);
    CHECK_INT_EQ(run_shell("echo hi; cat", &res, &err), WF_OK);
    CHECK_STR_EQ(res.out, "hi\n");
    wf_process_result_free(&res);
    dup2(saved, 0);
    close(saved);

    char buf[256];
    wf_process_spec spec = { 0 };
    const char *argv[] = { "echo", "a b", "it's", "", "plain-arg/x=1", NULL };
    spec.argv = argv;
    wf_process_display(&spec, buf, sizeof buf);
    CHECK_STR_EQ(buf, "echo 'a b' 'it'\\''s' '' plain-arg/x=1");
    char small[10];
    wf_process_display(&spec, small, sizeof small);
    CHECK_STR_EQ(small, "echo '...");
    spec.argv = NULL;
    spec.shell = "ls -l | wc";
    wf_process_display(&spec, buf, sizeof buf);
    CHECK_STR_EQ(buf, "ls -l | wc");
}

static void test_log_streaming(void)
{
    FILE *log = tmpfile();
    wf_log_configure(WF_LOG_TEXT, 1, log);
    wf_process_result res;
    wf_error err = { 0 };
    wf_process_spec spec = { 0 };
    spec.shell = "echo marker-out-1; echo marker-err-1 >&2; printf marker-partial";
    CHECK_INT_EQ(wf_process_run(&spec, &res, &err), WF_OK);
    wf_process_result_free(&res);
    spec.shell = "echo marker-quiet";
    spec.quiet = 1;
    CHECK_INT_EQ(wf_process_run(&spec, &res, &err), WF_OK);
    wf_process_result_free(&res);
    wf_log_configure(WF_LOG_TEXT, 0, stderr);

    char text[8192];
    fflush(log);
    rewind(log);
    size_t n = fread(text, 1, sizeof text - 1, log);
    text[n] = '\0';
    fclose(log);
    CHECK(strstr(text, "marker-out-1") != NULL);
    CHECK(strstr(text, "marker-err-1") != NULL);
    CHECK(strstr(text, "marker-partial") != NULL);
    CHECK(strstr(text, "marker-quiet") == NULL);
}

int main(void)
{
    signal(SIGPIPE, SIG_DFL);   /* a SIGPIPE would kill us: proves we guard against it */
    int fds_before = count_fds();
    test_exit_codes();
    test_argv_and_shell();
    test_binary_output();
    test_stdin_env_cwd();
    test_errors();
    test_timeout_kills_group();
    test_signal_to_us();
    test_parent_death();
    test_fds_and_display();
    test_log_streaming();
    CHECK_INT_EQ(count_fds(), fds_before);
    /* Every child was reaped. */
    CHECK(waitpid(-1, NULL, WNOHANG) < 0 && errno == ECHILD);
    return CHECK_DONE();
}
