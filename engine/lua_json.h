/* Lua values <-> cJSON, used by the journal, plans and (later) AWS results.
 *
 * Tables with keys 1..n are arrays; an empty table is an object unless it carries the
 * array marker (json.array{} in Lua, or it came from a decoded JSON array). Object keys
 * are written sorted so output is deterministic.
 */
#ifndef WF_LUA_JSON_H
#define WF_LUA_JSON_H
#include <lua.h>
#include <cjson/cJSON.h>
#include "wf.h"

/* Converts the value at idx; NULL with err set for functions, userdata, cycles, NaN,
 * non-string non-integer keys, or nesting deeper than 200. Caller frees with cJSON_Delete. */
cJSON *wf_lua_to_json(lua_State *L, int idx, wf_error *err);
/* Pushes json as a Lua value (arrays get the array marker); null becomes json.null. */
void wf_json_push(lua_State *L, const cJSON *json);
/* Marks the table at idx as an array (for empty lists). */
void wf_json_mark_array(lua_State *L, int idx);

#endif
