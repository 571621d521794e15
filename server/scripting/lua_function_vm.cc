// The functions half of the Lua engine (Redis 7.0 functions): loading a library, whose
// code registers its functions with redis.register_function, and calling them.
//
// While a library's code runs, the globals it sees are only `redis` with
// register_function, log and the version constants: the globals proxy reads through to
// that table instead of the real globals (as Redis swaps its globals' __index). Functions
// keep the globals proxy as their environment, so once the load is over they see the
// full sandbox, without KEYS and ARGV: they get their keys and arguments as parameters.
#include <cctype>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

extern "C" {
#include <lauxlib.h>
#include <lua.h>
}

#include "protocol/numbers.h"
#include "server/logger.h"
#include "server/scripting/function_registry.h"
#include "server/scripting/lua_convert.h"
#include "server/scripting/lua_engine.h"
#include "server/scripting/lua_redis_api.h"
#include "server/scripting/lua_vm_keys.h"
#include "server/scripting/script_flags.h"

namespace minired {
namespace {

char kLoadKey;  // registry: the LoadContext of the library being loaded

// What register_function collects while a library's code runs.
struct LoadContext {
  std::chrono::steady_clock::time_point start;
  int64_t timeout_ms = 0;
  std::vector<std::pair<FunctionInfo, int>> registered;  // with the callback's registry ref
};

LoadContext* CurrentLoad(lua_State* L) { return static_cast<LoadContext*>(RegistryPointer(L, &kLoadKey)); }

// The string at `index` (a number counts, as lua_isstring says), or nothing.
bool StringAt(lua_State* L, int index, std::string* out) {
  if (!lua_isstring(L, index)) return false;
  size_t n = 0;
  lua_pushvalue(L, index);  // lua_tolstring would turn a table key into a string in place
  const char* s = lua_tolstring(L, -1, &n);
  out->assign(s, n);
  lua_pop(L, 1);
  return true;
}

// The flags table on top of the stack; false on a flag that is not one.
bool ReadFlags(lua_State* L, uint32_t* flags) {
  for (int i = 1;; ++i) {
    lua_rawgeti(L, -1, i);
    if (lua_isnil(L, -1)) {
      lua_pop(L, 1);
      return true;
    }
    std::string name;
    const uint32_t flag = StringAt(L, -1, &name) ? ScriptFlagByName(name, true) : 0;
    lua_pop(L, 1);
    if (flag == 0) return false;
    *flags |= flag;
  }
}

// redis.register_function(name, callback) or redis.register_function{function_name=,
// callback=, flags=, description=}. Everything with a destructor lives here: the
// lua_error after it (a longjmp) skips no C++ frame. Returns an error text, or nothing
// once the function is registered.
std::optional<std::string> Register(lua_State* L) {
  LoadContext* load = CurrentLoad(L);
  if (load == nullptr) return "redis.register_function can only be called on FUNCTION LOAD command";
  const int argc = lua_gettop(L);
  if (argc < 1 || argc > 2) return "wrong number of arguments to redis.register_function";
  FunctionInfo info;
  bool named = false;
  int callback = LUA_NOREF;
  auto fail = [&](const char* why) -> std::optional<std::string> {
    if (callback != LUA_NOREF) luaL_unref(L, LUA_REGISTRYINDEX, callback);
    return why;
  };
  if (argc == 2) {
    if (!StringAt(L, 1, &info.name)) return "first argument to redis.register_function must be a string";
    if (!lua_isfunction(L, 2)) return "second argument to redis.register_function must be a function";
    named = true;
    callback = luaL_ref(L, LUA_REGISTRYINDEX);  // pops the callback
  } else {
    if (!lua_istable(L, 1)) {
      return "calling redis.register_function with a single argument is only applicable to Lua table "
             "(representing named arguments).";
    }
    lua_pushnil(L);
    while (lua_next(L, 1)) {
      std::string key;
      if (!StringAt(L, -2, &key)) {
        lua_pop(L, 2);
        return fail("named argument key given to redis.register_function is not a string");
      }
      ToLowerInPlace(key);
      if (key == "function_name") {
        if (!StringAt(L, -1, &info.name)) {
          lua_pop(L, 2);
          return fail("function_name argument given to redis.register_function must be a string");
        }
        named = true;
      } else if (key == "description") {
        std::string description;
        if (!StringAt(L, -1, &description)) {
          lua_pop(L, 2);
          return fail("description argument given to redis.register_function must be a string");
        }
        info.description = std::move(description);
      } else if (key == "callback") {
        if (!lua_isfunction(L, -1)) {
          lua_pop(L, 2);
          return fail("callback argument given to redis.register_function must be a function");
        }
        if (callback != LUA_NOREF) luaL_unref(L, LUA_REGISTRYINDEX, callback);
        callback = luaL_ref(L, LUA_REGISTRYINDEX);  // pops the value
        continue;
      } else if (key == "flags") {
        if (!lua_istable(L, -1)) {
          lua_pop(L, 2);
          return fail("flags argument to redis.register_function must be a table representing function flags");
        }
        info.flags = 0;
        if (!ReadFlags(L, &info.flags)) {
          lua_pop(L, 2);
          return fail("unknown flag given");
        }
      } else {
        lua_pop(L, 2);
        return fail("unknown argument given to redis.register_function");
      }
      lua_pop(L, 1);
    }
    if (!named) return fail("redis.register_function must get a function name argument");
    if (callback == LUA_NOREF) return fail("redis.register_function must get a callback argument");
  }
  if (!IsValidFunctionName(info.name)) return fail(kInvalidFunctionName);
  for (const auto& [other, ref] : load->registered) {
    if (other.name == info.name) return fail("Function already exists in the library");
  }
  load->registered.emplace_back(std::move(info), callback);
  return std::nullopt;
}

int RegisterFunction(lua_State* L) {
  bool failed = false;
  {
    std::optional<std::string> error = Register(L);
    if (error) {
      PushLuaError(L, *error);
      failed = true;
    }
  }
  return failed ? lua_error(L) : 0;
}

// Stops a library's code that runs too long ("FUNCTION LOAD timeout"), as Redis.
void LoadHook(lua_State* L, lua_Debug*) {
  LoadContext* load = CurrentLoad(L);
  if (load == nullptr || load->timeout_ms <= 0) return;
  const auto elapsed = std::chrono::steady_clock::now() - load->start;
  if (elapsed < std::chrono::milliseconds(load->timeout_ms)) return;
  lua_sethook(L, LoadHook, LUA_MASKLINE, 0);
  PushLuaError(L, "FUNCTION LOAD timeout");
  lua_error(L);
}

// Points the globals proxy at the table under `key` in the registry.
void ReadGlobalsFrom(lua_State* L, void* key) {
  lua_getmetatable(L, LUA_GLOBALSINDEX);
  lua_pushlightuserdata(L, key);
  lua_rawget(L, LUA_REGISTRYINDEX);
  lua_setfield(L, -2, "__index");
  lua_pop(L, 1);
}

}  // namespace

void LuaEngine::SetUpFunctionsApi() {
  lua_State* L = L_;
  lua_newtable(L);  // the `redis` a library's code sees while it loads
  lua_pushcfunction(L, RegisterFunction);
  lua_setfield(L, -2, "register_function");
  RegisterLogAndVersion(L);
  PushProxy(L, -1, true);
  lua_remove(L, -2);
  lua_newtable(L);  // the globals it sees: that `redis`, nothing else
  lua_insert(L, -2);
  lua_setfield(L, -2, "redis");
  lua_newtable(L);
  lua_pushcfunction(L, MissingGlobal);
  lua_setfield(L, -2, "__index");
  lua_setmetatable(L, -2);
  lua_pushlightuserdata(L, &kLoadGlobalsKey);
  lua_insert(L, -2);
  lua_rawset(L, LUA_REGISTRYINDEX);
}

std::unique_ptr<LuaEngine> LuaEngine::NewFunctionsVm() { return std::unique_ptr<LuaEngine>(new LuaEngine(Kind::kFunctions)); }

LuaEngine& LuaEngine::ForFunctions(const FunctionRegistry& registry) {
  thread_local std::unique_ptr<LuaEngine> vm;
  if (vm && vm->generation_ == registry.generation()) return *vm;
  std::shared_ptr<const FunctionRegistry::State> state = registry.state();
  vm = NewFunctionsVm();
  vm->generation_ = state->generation;
  for (const auto& [name, library] : state->libraries) {
    std::vector<FunctionInfo> functions;
    std::string error;
    if (!vm->LoadLibrary(LibraryBody(library->code), 0, &functions, &error)) {
      Log(LogLevel::kWarning, "Function library '{}' failed to load again: {}", name, error);
    }
  }
  return *vm;
}

bool LuaEngine::LoadLibrary(std::string_view code, int64_t timeout_ms, std::vector<FunctionInfo>* functions,
                            std::string* error) {
  lua_State* L = L_;
  if (luaL_loadbuffer(L, code.data(), code.size(), "@user_function") != 0) {
    const char* msg = lua_tostring(L, -1);
    *error = std::string("ERR Error compiling function: ") + (msg ? msg : "?");
    lua_pop(L, 1);
    return false;
  }
  LoadContext load;
  load.start = std::chrono::steady_clock::now();
  load.timeout_ms = timeout_ms;
  SetRegistryPointer(L, &kLoadKey, &load);
  ReadGlobalsFrom(L, &kLoadGlobalsKey);
  if (timeout_ms > 0) lua_sethook(L, LoadHook, LUA_MASKCOUNT, 100000);
  const int failed = lua_pcall(L, 0, 0, 0);
  lua_sethook(L, nullptr, 0, 0);
  ReadGlobalsFrom(L, &kHiddenKey);
  SetRegistryPointer(L, &kLoadKey, nullptr);

  if (failed != 0 || load.registered.empty()) {
    if (failed != 0) {
      std::string msg;
      if (lua_isstring(L, -1)) {
        msg = std::string("ERR ") + lua_tostring(L, -1);
      } else if (lua_istable(L, -1)) {
        LuaStringField(L, "err", &msg);
      }
      *error = "ERR Error registering functions: " + msg;
    } else {
      *error = "ERR No functions registered";
    }
    for (const auto& [info, ref] : load.registered) luaL_unref(L, LUA_REGISTRYINDEX, ref);
    lua_settop(L, 0);
    return false;
  }
  for (auto& [info, ref] : load.registered) {
    Function& f = functions_[FunctionKey(info.name)];
    if (f.ref != 0) luaL_unref(L, LUA_REGISTRYINDEX, f.ref);
    f = Function{info.name, info.flags, ref};
    functions->push_back(std::move(info));
  }
  lua_settop(L, 0);
  return true;
}

LuaEngine::Function* LuaEngine::FindFunction(std::string_view name) {
  auto it = functions_.find(FunctionKey(name));
  return it == functions_.end() ? nullptr : &it->second;
}

bool LuaEngine::CallFunction(ScriptRun& run, const Function& function, std::span<const std::string_view> keys,
                             std::span<const std::string_view> argv, ReplyWriter& reply) {
  lua_State* L = L_;
  lua_pushlightuserdata(L, &kHandlerKey);
  lua_rawget(L, LUA_REGISTRYINDEX);
  lua_rawgeti(L, LUA_REGISTRYINDEX, function.ref);
  PushStringArray(L, keys);
  PushStringArray(L, argv);
  return Invoke(run, 2, reply);
}

}  // namespace minired
