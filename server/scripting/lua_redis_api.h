// What Lua scripts call: the `redis` table (call, pcall, error_reply, status_reply,
// sha1hex, log, setresp, replicate_commands and the constants), Redis's pcall, which
// hands a script the message of an error table, and Redis's math.random.
#pragma once

struct lua_State;

namespace minired {

struct ScriptRun;

// Sets the globals `redis` and `pcall` and replaces math.random and math.randomseed;
// before the sandbox makes the globals read-only. A functions VM's `redis` lacks
// replicate_commands, breakpoint and debug, as Redis's.
void RegisterRedisApi(lua_State* L, bool for_functions);
// The log functions and version constants of `redis` on the table on top of the stack
// (all a library's code may use while it loads, with register_function).
void RegisterLogAndVersion(lua_State* L);
// The run redis.call serves until it is cleared (null) at the script's end.
void SetCurrentRun(lua_State* L, ScriptRun* run);
ScriptRun* GetCurrentRun(lua_State* L);

}  // namespace minired
