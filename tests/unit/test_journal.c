/* Unit tests of the run journal: append/read, torn tails, corruption, and the Lua module. */
#define _XOPEN_SOURCE 700   /* nftw */
#include "check.h"
#include "journal.h"
#include "lua_json.h"
#include "lua_modules.h"
#include <fcntl.h>
#include <ftw.h>
#include <lauxlib.h>
#include <lualib.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static char scratch[64];

static int remove_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb; (void)flag; (void)ftw;
    return remove(path);
}

static void path_in(char *out, size_t cap, const char *name)
{
    snprintf(out, cap, "%s/%s", scratch, name);
}

static void write_file(const char *path, const char *bytes, size_t len)
{
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL);
    if (!f)
        return;
    CHECK_INT_EQ(fwrite(bytes, 1, len, f), len);
    fclose(f);
}

/* The file's bytes as a NUL-terminated string, in a static buffer. */
static const char *slurp(const char *path)
{
    static char buf[65536];
    FILE *f = fopen(path, "rb");
    size_t n = 0;
    if (f) {
        n = fread(buf, 1, sizeof buf - 1, f);
        fclose(f);
    }
    buf[n] = '\0';
    return buf;
}

/* A visitor that keeps each record's compact text, one per line. */
typedef struct seen {
    int count;
    int stop_after;     /* 0: never stop */
    char text[8192];
} seen;

static int remember(const cJSON *record, void *userdata)
{
    seen *s = userdata;
    char *t = cJSON_PrintUnformatted(record);
    size_t used = strlen(s->text);
    snprintf(s->text + used, sizeof s->text - used, "%s\n", t ? t : "?");
    cJSON_free(t);
    s->count++;
    return s->stop_after && s->count >= s->stop_after;
}

static cJSON *record(const char *event, int n)
{
    cJSON *r = cJSON_CreateObject();
    cJSON_AddStringToObject(r, "event", event);
    cJSON_AddNumberToObject(r, "n", n);
    return r;
}

static wf_status append_one(wf_journal *j, const char *event, int n)
{
    wf_error err = {0};
    cJSON *r = record(event, n);
    wf_status st = wf_journal_append(j, r, &err);
    cJSON_Delete(r);
    if (st != WF_OK)
        fprintf(stderr, "append: %s\n", err.message);
    return st;
}

static void test_append_read(void)
{
    char path[256], dir[256];
    wf_journal *j = NULL;
    wf_error err = {0};
    seen s = {0};
    int torn = -1;
    struct stat sb;

    /* Parent directories are created. */
    path_in(path, sizeof path, "state/runs/r1/journal.jsonl");
    CHECK_INT_EQ(wf_journal_open(path, &j, &err), WF_OK);
    CHECK_INT_EQ(append_one(j, "run_started", 1), WF_OK);
    CHECK_INT_EQ(append_one(j, "step_started", 2), WF_OK);
    CHECK_INT_EQ(append_one(j, "step_succeeded", 3), WF_OK);
    wf_journal_close(j);
    j = NULL;

    CHECK(stat(path, &sb) == 0 && (sb.st_mode & 0777) == 0600);
    path_in(dir, sizeof dir, "state/runs");
    CHECK(stat(dir, &sb) == 0 && S_ISDIR(sb.st_mode) && (sb.st_mode & 0777) == 0700);
    CHECK_STR_EQ(slurp(path), "{\"event\":\"run_started\",\"n\":1}\n"
                              "{\"event\":\"step_started\",\"n\":2}\n"
                              "{\"event\":\"step_succeeded\",\"n\":3}\n");

    CHECK_INT_EQ(wf_journal_read(path, remember, &s, &torn, &err), WF_OK);
    CHECK_INT_EQ(s.count, 3);
    CHECK_INT_EQ(torn, 0);

    /* Reopened: the records are still there and new ones go after them. */
    CHECK_INT_EQ(wf_journal_open(path, &j, &err), WF_OK);
    CHECK_INT_EQ(append_one(j, "undo_started", 4), WF_OK);
    wf_journal_close(j);
    memset(&s, 0, sizeof s);
    CHECK_INT_EQ(wf_journal_read(path, remember, &s, &torn, &err), WF_OK);
    CHECK_INT_EQ(s.count, 4);
    CHECK_STR_EQ(s.text, "{\"event\":\"run_started\",\"n\":1}\n"
                         "{\"event\":\"step_started\",\"n\":2}\n"
                         "{\"event\":\"step_succeeded\",\"n\":3}\n"
                         "{\"event\":\"undo_started\",\"n\":4}\n");

    /* The visitor can stop early. */
    memset(&s, 0, sizeof s);
    s.stop_after = 2;
    CHECK_INT_EQ(wf_journal_read(path, remember, &s, NULL, &err), WF_OK);
    CHECK_INT_EQ(s.count, 2);
}

static void test_one_line_per_record(void)
{
    char path[256];
    wf_journal *j = NULL;
    wf_error err = {0};
    seen s = {0};
    cJSON *r = cJSON_CreateObject();

    path_in(path, sizeof path, "newlines.jsonl");
    cJSON_AddStringToObject(r, "error", "line one\nline two\r\n");
    CHECK_INT_EQ(wf_journal_open(path, &j, &err), WF_OK);
    CHECK_INT_EQ(wf_journal_append(j, r, &err), WF_OK);
    cJSON_Delete(r);
    /* Only objects are records. */
    r = cJSON_CreateArray();
    CHECK_INT_EQ(wf_journal_append(j, r, &err), WF_EINVAL);
    cJSON_Delete(r);
    /* A raw item could smuggle a newline in: refused. */
    r = cJSON_CreateObject();
    cJSON_AddRawToObject(r, "raw", "[1,\n2]");
    CHECK_INT_EQ(wf_journal_append(j, r, &err), WF_EINVAL);
    cJSON_Delete(r);
    wf_journal_close(j);

    CHECK_STR_EQ(slurp(path), "{\"error\":\"line one\\nline two\\r\\n\"}\n");
    CHECK_INT_EQ(wf_journal_read(path, remember, &s, NULL, &err), WF_OK);
    CHECK_INT_EQ(s.count, 1);

    CHECK_INT_EQ(wf_journal_append(NULL, NULL, &err), WF_EINVAL);
    wf_journal_close(NULL);
}

static void test_torn_tail(void)
{
    char path[256];
    wf_journal *j = NULL;
    wf_error err = {0};
    seen s = {0};
    int torn = 0;

    path_in(path, sizeof path, "torn.jsonl");
    write_file(path, "{\"event\":\"run_started\"}\n{\"event\":\"step_started\"}\n{\"event\":\"step_suc", 67);

    CHECK_INT_EQ(wf_journal_read(path, remember, &s, &torn, &err), WF_OK);
    CHECK_INT_EQ(s.count, 2);
    CHECK_INT_EQ(torn, 1);

    /* Appending after a torn tail: every complete record is still read, and the new one. */
    CHECK_INT_EQ(wf_journal_open(path, &j, &err), WF_OK);
    CHECK_INT_EQ(append_one(j, "step_failed", 3), WF_OK);
    CHECK_INT_EQ(append_one(j, "undo_started", 4), WF_OK);
    wf_journal_close(j);
    memset(&s, 0, sizeof s);
    torn = -1;
    CHECK_INT_EQ(wf_journal_read(path, remember, &s, &torn, &err), WF_OK);
    CHECK_INT_EQ(s.count, 4);
    CHECK_INT_EQ(torn, 0);
    CHECK_STR_EQ(s.text, "{\"event\":\"run_started\"}\n{\"event\":\"step_started\"}\n"
                         "{\"event\":\"step_failed\",\"n\":3}\n{\"event\":\"undo_started\",\"n\":4}\n");

    /* A complete record without its newline was never acknowledged: torn too. */
    write_file(path, "{\"a\":1}\n{\"b\":2}", 15);
    memset(&s, 0, sizeof s);
    CHECK_INT_EQ(wf_journal_read(path, remember, &s, &torn, &err), WF_OK);
    CHECK_INT_EQ(s.count, 1);
    CHECK_INT_EQ(torn, 1);
    CHECK_INT_EQ(wf_journal_open(path, &j, &err), WF_OK);
    CHECK_INT_EQ(append_one(j, "c", 3), WF_OK);
    wf_journal_close(j);
    CHECK_STR_EQ(slurp(path), "{\"a\":1}\n{\"event\":\"c\",\"n\":3}\n");

    /* A complete but malformed last line, and NUL bytes a crash can leave: torn. */
    write_file(path, "{\"a\":1}\n{\"b\":\n", 14);
    torn = 0;
    CHECK_INT_EQ(wf_journal_read(path, NULL, NULL, &torn, &err), WF_OK);
    CHECK_INT_EQ(torn, 1);
    write_file(path, "{\"a\":1}\n\0\0\0\0", 12);
    memset(&s, 0, sizeof s);
    torn = 0;
    CHECK_INT_EQ(wf_journal_read(path, remember, &s, &torn, &err), WF_OK);
    CHECK_INT_EQ(s.count, 1);
    CHECK_INT_EQ(torn, 1);

    /* Opening alone cuts the tail; readers see the same records, now untorn. */
    CHECK_INT_EQ(wf_journal_open(path, &j, &err), WF_OK);
    wf_journal_close(j);
    CHECK_STR_EQ(slurp(path), "{\"a\":1}\n");

    /* A journal that is nothing but a torn line. */
    write_file(path, "{\"ev", 4);
    memset(&s, 0, sizeof s);
    CHECK_INT_EQ(wf_journal_read(path, remember, &s, &torn, &err), WF_OK);
    CHECK_INT_EQ(s.count, 0);
    CHECK_INT_EQ(torn, 1);
    CHECK_INT_EQ(wf_journal_open(path, &j, &err), WF_OK);
    CHECK_INT_EQ(append_one(j, "first", 1), WF_OK);
    wf_journal_close(j);
    CHECK_STR_EQ(slurp(path), "{\"event\":\"first\",\"n\":1}\n");
}

static void test_corrupt_middle(void)
{
    char path[256], expected[512];
    wf_journal *j = NULL;
    wf_error err = {0};
    seen s = {0};
    int torn = 0;

    path_in(path, sizeof path, "corrupt.jsonl");
    write_file(path, "{\"a\":1}\nnot json\n{\"b\":2}\n", 25);
    CHECK_INT_EQ(wf_journal_read(path, remember, &s, &torn, &err), WF_EPARSE);
    snprintf(expected, sizeof expected, "journal %s:2: not a JSON object", path);
    CHECK_STR_EQ(err.message, expected);
    CHECK_INT_EQ(s.count, 0);   /* all or nothing */

    /* Valid JSON that is not an object is not a record. */
    write_file(path, "{\"a\":1}\n\n[1,2]\n{\"b\":2}\n{\"c\":", 28);
    CHECK_INT_EQ(wf_journal_read(path, remember, &s, &torn, &err), WF_EPARSE);
    snprintf(expected, sizeof expected, "journal %s:3: not a JSON object", path);
    CHECK_STR_EQ(err.message, expected);

    /* Opening a corrupt journal still works (its tail is cut); reading still fails. */
    CHECK_INT_EQ(wf_journal_open(path, &j, &err), WF_OK);
    wf_journal_close(j);
    CHECK_STR_EQ(slurp(path), "{\"a\":1}\n\n[1,2]\n{\"b\":2}\n");
    CHECK_INT_EQ(wf_journal_read(path, NULL, NULL, &torn, &err), WF_EPARSE);

    /* The same on a buffer. */
    CHECK_INT_EQ(wf_journal_parse("{}\n{\n{}\n", 8, NULL, NULL, &torn, &err), WF_EPARSE);
    CHECK_STR_EQ(err.message, "journal line 2: not a JSON object");
}

static void test_blank_and_empty(void)
{
    char path[256];
    wf_journal *j = NULL;
    wf_error err = {0};
    seen s = {0};
    int torn = -1;
    static const char text[] = "\n{\"a\":1}\r\n\n   \n\t{\"b\":2} \n\n";

    CHECK_INT_EQ(wf_journal_parse(text, sizeof text - 1, remember, &s, &torn, &err), WF_OK);
    CHECK_INT_EQ(s.count, 2);
    CHECK_INT_EQ(torn, 0);
    torn = -1;
    CHECK_INT_EQ(wf_journal_parse(NULL, 0, remember, &s, &torn, &err), WF_OK);
    CHECK_INT_EQ(torn, 0);

    path_in(path, sizeof path, "empty.jsonl");
    write_file(path, "", 0);
    memset(&s, 0, sizeof s);
    CHECK_INT_EQ(wf_journal_read(path, remember, &s, &torn, &err), WF_OK);
    CHECK_INT_EQ(s.count, 0);
    CHECK_INT_EQ(torn, 0);
    CHECK_INT_EQ(wf_journal_open(path, &j, &err), WF_OK);
    wf_journal_close(j);

    path_in(path, sizeof path, "missing.jsonl");
    CHECK_INT_EQ(wf_journal_read(path, remember, &s, &torn, &err), WF_ENOTFOUND);
    CHECK(strstr(err.message, path) != NULL);

    /* A parent that is a file. */
    path_in(path, sizeof path, "empty.jsonl/sub/journal.jsonl");
    CHECK_INT_EQ(wf_journal_open(path, &j, &err), WF_EIO);
    CHECK(j == NULL);
    CHECK(strncmp(err.message, "journal ", 8) == 0 && strstr(err.message, path) != NULL);
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
    char code[2048], dir[256];

    luaL_openlibs(L);
    wf_open_json(L);
    lua_setglobal(L, "json");
    wf_open_journal(L);
    lua_setglobal(L, "journal");
    path_in(dir, sizeof dir, "lua");
    lua_pushstring(L, dir);
    lua_setglobal(L, "dir");

    CHECK_STR_EQ(lua_run(L,
        "local p = dir .. '/a/journal.jsonl' "
        "local j = journal.open(p) "
        "j:append({event = 'step_succeeded', step = 'snapshot', outputs = {ids = {'a', 'b'}, n = 3}}) "
        "j:append({event = 'empty', list = json.array()}) "
        "j:close() j:close() "
        "do local j2 <close> = journal.open(p) j2:append({event = 'third'}) end "
        "local recs, torn = journal.read(p) "
        "assert(#recs == 3 and torn == false, #recs) "
        "assert(json.is_array(recs)) "
        "assert(recs[1].outputs.ids[2] == 'b' and math.type(recs[1].outputs.n) == 'integer') "
        "assert(json.is_array(recs[2].list) and #recs[2].list == 0) "
        "assert(recs[3].event == 'third')"), "ok");

    /* A torn tail through Lua: reported, and gone after the next append. */
    snprintf(code, sizeof code,
        "local p = dir .. '/a/journal.jsonl' "
        "local f = io.open(p, 'a') f:write('{\"event\":\"to') f:close() "
        "local recs, torn = journal.read(p) assert(#recs == 3 and torn == true) "
        "local j = journal.open(p) j:append({event = 'fourth'}) j:close() "
        "recs, torn = journal.read(p) assert(#recs == 4 and torn == false) "
        "assert(recs[4].event == 'fourth')");
    CHECK_STR_EQ(lua_run(L, code), "ok");

    /* Errors name the path. */
    snprintf(code, sizeof code,
        "local p = dir .. '/a/journal.jsonl' "
        "local j = journal.open(p) "
        "local ok, e = pcall(j.append, j, {event = 'x', handler = print}) "
        "assert(e == 'journal ' .. p .. ': json: cannot encode function at handler', e) "
        "ok, e = pcall(j.append, j, {1, 2}) "
        "assert(e == 'journal ' .. p .. ': a record must be a JSON object', e) "
        "j:close() "
        "ok, e = pcall(j.append, j, {event = 'late'}) "
        "assert(e == 'journal ' .. p .. ': closed', e) "
        "assert(tostring(j) == 'journal ' .. p .. ' (closed)') "
        "ok, e = pcall(journal.read, dir .. '/nope.jsonl') "
        "assert(e == 'journal ' .. dir .. '/nope.jsonl: no such file', e) "
        "local f = io.open(dir .. '/bad.jsonl', 'w') f:write('{}\\nxx\\n{}\\n') f:close() "
        "ok, e = pcall(journal.read, dir .. '/bad.jsonl') "
        "assert(e == 'journal ' .. dir .. '/bad.jsonl:2: not a JSON object', e) "
        "f = io.open(dir .. '/file', 'w') f:close() "
        "ok, e = pcall(journal.open, dir .. '/file/j.jsonl') "
        "assert(not ok and e:find(dir .. '/file', 1, true), e)");
    CHECK_STR_EQ(lua_run(L, code), "ok");

    /* A journal left open is closed by the collector. */
    CHECK_STR_EQ(lua_run(L, "journal.open(dir .. '/gc.jsonl') collectgarbage()"), "ok");
    lua_close(L);
}

int main(void)
{
    snprintf(scratch, sizeof scratch, "/tmp/wf-test-journal.XXXXXX");
    if (!mkdtemp(scratch)) {
        perror("mkdtemp");
        return 1;
    }
    test_append_read();
    test_one_line_per_record();
    test_torn_tail();
    test_corrupt_middle();
    test_blank_and_empty();
    test_lua_module();
    nftw(scratch, remove_one, 16, FTW_DEPTH | FTW_PHYS);
    return CHECK_DONE();
}
