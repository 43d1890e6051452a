/* Lua values <-> cJSON, used by the journal, plans and (later) AWS results.
 *
 * Tables with keys 1..n are arrays; an empty table is an object unless it carries the
 * array marker (json.array{} in Lua, or it came from a decoded JSON array). Object keys
 * are written sorted so output is deterministic.
 *
 * Numbers: cJSON holds doubles. Integers below 2^53 in magnitude survive both ways (written
 * without ".0", read back as Lua integers; so are integral floats such as 2.0); beyond that
 * they become the nearest double, read back as floats. Strings: Lua strings hold any bytes,
 * JSON text is valid UTF-8, so invalid bytes and NUL become U+FFFD.
 */
#ifndef WF_LUA_JSON_H
#define WF_LUA_JSON_H
#include <lua.h>
#include <cjson/cJSON.h>
#include "wf.h"

/* Converts the value at idx; NULL with err set for functions, userdata, cycles, NaN,
 * non-string non-integer keys, or nesting deeper than 200. Caller frees with cJSON_Delete.
 * Messages name the path: "json: cannot encode function at outputs.handler". Never raises
 * a Lua error; reads tables raw (no metamethods). */
cJSON *wf_lua_to_json(lua_State *L, int idx, wf_error *err);
/* Pushes json as a Lua value (arrays get the array marker); null becomes json.null. */
void wf_json_push(lua_State *L, const cJSON *json);
/* Marks the table at idx as an array (for empty lists). */
void wf_json_mark_array(lua_State *L, int idx);
/* 1 when the value at idx is json.null. */
int wf_json_is_null(lua_State *L, int idx);

/* JSON text of json (NULL prints "null"): one line, or indented by two spaces when pretty;
 * object keys sorted, integral numbers within 2^53 without exponent or ".0". Returns a
 * malloc'ed string the caller frees, or NULL when out of memory. */
char *wf_json_print(const cJSON *json, int pretty);

/* Pushes a guard userdata and returns its slot: store a tree there while calling Lua code
 * that may raise; if it does, the garbage collector frees the tree. On the normal path
 * free it yourself and set *slot = NULL. */
cJSON **wf_json_guard(lua_State *L);

#endif
