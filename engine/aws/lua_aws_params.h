/* wf.aws call()'s fast path for parameter tables (engine/aws/lua_aws.c). */
#ifndef WF_LUA_AWS_PARAMS_H
#define WF_LUA_AWS_PARAMS_H
#include <cjson/cJSON.h>
#include <lua.h>

/* The parameter table at idx as the tree wf_lua_to_json makes of it, when the table is
 * flat: no metatable, at most 32 string keys of valid UTF-8, each with a string (valid
 * UTF-8), finite number or boolean. Keys and strings point into the Lua strings, so delete
 * the tree before the table can be collected. NULL when the table is not flat (or memory
 * ran out): wf_lua_to_json then converts it, or says what is wrong. Never raises. */
cJSON *wf_aws_flat_params(lua_State *L, int idx);

#endif
