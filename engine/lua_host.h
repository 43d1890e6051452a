/* The Lua host: one lua_State with the engine's modules preloaded, dsl/ and stdlib/
 * loadable with require (embedded, or from WFRUN_LUA_DIR during development), and the
 * one protected-call helper every C->Lua entry goes through. */
#ifndef WF_LUA_HOST_H
#define WF_LUA_HOST_H
#include <lua.h>
#include "wf.h"

/* A new state, or NULL with err set. Close with lua_close. */
lua_State *wf_host_new(wf_error *err);

/* lua_pcall with a message handler: string errors get a traceback when WFRUN_DEBUG is
 * set; error tables (interrupts, AWS errors) pass through unchanged. */
int wf_host_pcall(lua_State *L, int nargs, int nresults);

/* Loads module name ("dsl.main") from the embedded sources or WFRUN_LUA_DIR and pushes
 * the chunk. Returns LUA_OK or an error code with the message pushed. */
int wf_host_load_module(lua_State *L, const char *name);

/* Runs require(module).main(argv) and returns its integer result (an exit code). */
int wf_host_run_main(lua_State *L, const char *module, int argc, char **argv);

#endif
