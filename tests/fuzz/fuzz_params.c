/* Fuzz target for the parameter parser: arbitrary words (split on NUL) through the argv
 * splitter and every typed conversion, then through the Lua param binder of a workflow
 * with one param of each type. Must never crash, leak or raise outside a pcall. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>
#include <lua.h>

#include "args.h"
#include "lua_host.h"

static const char *const types[] = {"string", "number", "integer", "bool", "enum", "path",
                                    "secret", "duration", NULL};
static const char *const choices[] = {"fast", "safe", NULL};

static const char binder[] =
    "local words = ...\n"
    "local declare = require 'dsl.declare'\n"
    "local validate = require 'dsl.validate'\n"
    "local params = require 'dsl.params'\n"
    "local spec, d = declare.new('fuzz.lua')\n"
    "d.workflow 'fuzz' { params = {\n"
    "  env = d.param.string { position = 1 }, n = d.param.number { default = 1 },\n"
    "  i = d.param.integer { required = false }, b = d.param.bool {},\n"
    "  e = d.param.enum { choices = { 'fast', 'safe' }, default = 'safe' },\n"
    "  p = d.param.path { required = false }, s = d.param.secret { required = false },\n"
    "  t = d.param.duration { default = '5m' } } }\n"
    "d.step 'a' { run = function() end }\n"
    "validate.check(spec)\n"
    "return pcall(params.bind, spec, words)\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 4096)
        return 0;
    char *buf = malloc(size + 1);
    if (!buf)
        return 0;
    memcpy(buf, data, size);
    buf[size] = '\0';
    const char *words[64];
    int n = 0;
    for (size_t start = 0; start <= size && n < 64;) {
        words[n++] = buf + start;
        start += strlen(buf + start) + 1;
    }

    wf_arg *args = NULL;
    size_t count = 0;
    wf_error err;
    if (wf_args_split(n, words, &args, &count, &err) == WF_OK)
        wf_args_free(args, count);
    for (int i = 0; i < n; i++)
        for (size_t t = 0; types[t]; t++) {
            wf_value v;
            (void)wf_param_convert(types[t], words[i], choices, &v, &err);
        }

    lua_State *L = wf_host_new(&err);
    if (L) {
        if (luaL_loadbufferx(L, binder, sizeof binder - 1, "=binder", "t") == LUA_OK) {
            lua_createtable(L, n, 0);
            for (int i = 0; i < n; i++) {
                lua_pushstring(L, words[i]);
                lua_rawseti(L, -2, i + 1);
            }
            if (wf_host_pcall(L, 1, 2) != LUA_OK)
                abort();   /* the binder itself must never raise: bind errors are pcall'ed */
        }
        lua_close(L);
    }
    free(buf);
    return 0;
}
