// What the two halves of the Lua engine (lua_engine.cc: the VM and EVAL scripts;
// lua_function_vm.cc: function libraries) share: the registry keys of the VM's hidden
// tables and the sandbox's building blocks.
#pragma once

#include <span>
#include <string_view>

struct lua_State;

namespace minired {

// Registry keys (their addresses are unique).
extern char kHandlerKey;      // the error handler
extern char kFunctionsKey;    // EVAL VM: sha -> compiled function
extern char kHiddenKey;       // the real globals behind the read-only proxy
extern char kProtectedKey;    // the read-only tables (weak keys)
extern char kLoadGlobalsKey;  // functions VM: what a library's code sees while it loads

// A read-only stand-in for the table at `index`: empty, reading through to it, refusing
// every write ("Attempt to modify a readonly table"); with `missing_is_error`, reading
// a name it lacks fails as a missing global does. Pushed on the stack.
void PushProxy(lua_State* L, int index, bool missing_is_error);
// __index of the globals: "Script attempted to access nonexistent global variable".
int MissingGlobal(lua_State* L);
// The pointer stored in the registry under `key` (null when none), and storing one
// there (null clears it).
void* RegistryPointer(lua_State* L, void* key);
void SetRegistryPointer(lua_State* L, void* key, void* value);
// Pushes a table of `values` as strings, 1-based.
void PushStringArray(lua_State* L, std::span<const std::string_view> values);

}  // namespace minired
