/* Openers of the engine's Lua modules. Each pushes one table; lua_host.c preloads them
 * all, so DSL code does `local sh = require "wf.sh"`. One C file per module. */
#ifndef WF_LUA_MODULES_H
#define WF_LUA_MODULES_H
#include <lua.h>

int wf_open_sys(lua_State *L);        /* "wf.sys"       engine/sys.c: clocks, files, env */
int wf_open_log(lua_State *L);        /* "wf.log"       engine/lua_log.c */
int wf_open_interrupt(lua_State *L);  /* "wf.interrupt" engine/lua_interrupt.c */
int wf_open_sh(lua_State *L);         /* "wf.sh"        engine/sh.c */
int wf_open_wait(lua_State *L);       /* "wf.wait"      engine/wait.c */
int wf_open_json(lua_State *L);       /* "wf.json"      engine/lua_json.c */
int wf_open_journal(lua_State *L);    /* "wf.journal"   engine/lua_journal.c */
int wf_open_lock(lua_State *L);       /* "wf.lock"      engine/lua_lock.c */
int wf_open_args(lua_State *L);        /* "wf.args"      engine/lua_args.c */
int wf_open_re(lua_State *L);          /* "wf.re"        engine/lua_re.c: PCRE2 */
int wf_open_http(lua_State *L);        /* "wf.http"      engine/lua_http.c */
int wf_open_aws_batch(lua_State *L);   /* "wf.aws_batch" engine/aws/lua_aws_batch.c */
int wf_open_aws(lua_State *L);         /* "wf.aws"       engine/aws/lua_aws.c */
int wf_open_sources(lua_State *L);     /* "wf.sources"   engine/lua_sources.c: DSL fingerprint */

#endif
