#include "server/scripting/lua_engine.h"

extern "C" {
#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>
#include <lua-bitop.h>
#include <lua-cjson.h>
}

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "server/command_context.h"
#include "server/script_gate.h"
#include "server/scripting/lua_cmsgpack.h"
#include "server/scripting/lua_convert.h"
#include "server/scripting/lua_struct.h"
#include "server/scripting/script_scope.h"
#include "server/scripting/lua_redis_api.h"
#include "server/scripting/lua_vm_keys.h"
#include "server/scripting/script_flags.h"

namespace minired {

// Registry keys (their addresses are unique).
char kHandlerKey;
char kFunctionsKey;
char kHiddenKey;
char kProtectedKey;
char kLoadGlobalsKey;

namespace {

// What a VM may allocate: a script that builds a huge string or table gets "not enough
// memory" instead of taking the server's memory.
std::atomic<int64_t> g_max_vm_bytes{int64_t{1} << 30};

// A VM's allocator state, its lua_newstate userdata. Only the thread running the VM
// writes `bytes` (a plain load and store: no locked instruction on the path of every Lua
// allocation); INFO sums every VM's under g_vms_mutex. `run` is the run redis.call serves
// (lua_getallocf reaches it in two loads, where a registry lookup hashes a key).
struct Allocator {
  std::atomic<int64_t> bytes{0};
  LuaEngine::Kind kind = LuaEngine::Kind::kEval;
  ScriptRun* run = nullptr;
};

std::mutex g_vms_mutex;
std::vector<const Allocator*> g_vms;

int64_t AllBytesOf(LuaEngine::Kind kind) {
  std::lock_guard lock(g_vms_mutex);
  int64_t sum = 0;
  for (const Allocator* a : g_vms) {
    if (a->kind == kind) sum += a->bytes.load(std::memory_order_relaxed);
  }
  return sum;
}

Allocator* AllocatorOf(lua_State* L) {
  void* ud = nullptr;
  lua_getallocf(L, &ud);
  return static_cast<Allocator*>(ud);
}

void* LuaAlloc(void* ud, void* ptr, size_t old_size, size_t new_size) {
  auto* a = static_cast<Allocator*>(ud);
  const int64_t bytes = a->bytes.load(std::memory_order_relaxed);
  if (new_size == 0) {
    std::free(ptr);
    a->bytes.store(bytes - static_cast<int64_t>(old_size), std::memory_order_relaxed);
    return nullptr;
  }
  const int64_t after = bytes - static_cast<int64_t>(old_size) + static_cast<int64_t>(new_size);
  if (after > g_max_vm_bytes.load(std::memory_order_relaxed)) return nullptr;
  void* p = std::realloc(ptr, new_size);
  if (p != nullptr) a->bytes.store(after, std::memory_order_relaxed);
  return p;
}

// ---- read-only globals and libraries ----

bool IsProtected(lua_State* L, int index) {
  index = index < 0 ? lua_gettop(L) + index + 1 : index;
  lua_pushlightuserdata(L, &kProtectedKey);
  lua_rawget(L, LUA_REGISTRYINDEX);
  lua_pushvalue(L, index);
  lua_rawget(L, -2);
  bool is = lua_toboolean(L, -1);
  lua_pop(L, 2);
  return is;
}

int ReadonlyNewIndex(lua_State* L) { return luaL_error(L, "Attempt to modify a readonly table"); }

}  // namespace

int MissingGlobal(lua_State* L) {
  const char* name = lua_tostring(L, 2);
  return luaL_error(L, "Script attempted to access nonexistent global variable '%s'", name ? name : "?");
}

namespace {

// Calls the original function (the closure's upvalue) with this call's arguments.
int CallOriginal(lua_State* L) {
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_insert(L, 1);
  lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
  return lua_gettop(L);
}

// setmetatable and rawset refuse the read-only tables, as Redis's patched Lua does.
int RefuseReadOnly(lua_State* L) {
  if (lua_istable(L, 1) && IsProtected(L, 1)) {
    lua_pushstring(L, "Attempt to modify a readonly table");
    return lua_error(L);
  }
  return CallOriginal(L);
}

// rawget and next of a read-only table read the table behind it, as if the proxy were
// it (so pairs(redis) lists redis's fields); the table behind never reaches the script.
int SafeRawGet(lua_State* L) {
  if (lua_istable(L, 1) && IsProtected(L, 1) && lua_getmetatable(L, 1)) {
    lua_getfield(L, -1, "__index");
    lua_replace(L, 1);
    lua_pop(L, 1);
  }
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_insert(L, 1);
  lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
  return lua_gettop(L);
}

// string.rep that refuses at once a result the VM could never hold, instead of building
// it for seconds (unkillable: it is one C call) up to the memory limit.
int BoundedRep(lua_State* L) {
  size_t len = 0;
  luaL_checklstring(L, 1, &len);
  const lua_Number n = luaL_checknumber(L, 2);
  if (n > 0 && static_cast<double>(len) * n > static_cast<double>(g_max_vm_bytes.load(std::memory_order_relaxed))) {
    return luaL_error(L, "not enough memory");
  }
  return CallOriginal(L);
}

// pairs(t): the (proxy-aware) next, t, nil.
int Pairs(lua_State* L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_pushvalue(L, 1);
  lua_pushnil(L);
  return 3;
}

}  // namespace

void PushProxy(lua_State* L, int index, bool missing_is_error) {
  index = index < 0 ? lua_gettop(L) + index + 1 : index;
  lua_newtable(L);  // the proxy
  lua_newtable(L);  // its metatable
  lua_pushvalue(L, index);
  if (missing_is_error) {
    // The real table itself errs on a missing name (its own metatable).
    lua_newtable(L);
    lua_pushcfunction(L, MissingGlobal);
    lua_setfield(L, -2, "__index");
    lua_setmetatable(L, -2);
  }
  lua_setfield(L, -2, "__index");
  lua_pushcfunction(L, ReadonlyNewIndex);
  lua_setfield(L, -2, "__newindex");
  lua_setmetatable(L, -2);
  lua_pushlightuserdata(L, &kProtectedKey);
  lua_rawget(L, LUA_REGISTRYINDEX);
  lua_pushvalue(L, -2);
  lua_pushboolean(L, 1);
  lua_rawset(L, -3);
  lua_pop(L, 1);
}

namespace {

// Redis's error handler: turns what a script raised into {err=, source=, line=}, the
// position taken from the script's frame rather than a C function's.
const char kErrorHandler[] = R"(
local dbg = debug
return function(err)
  local i = dbg.getinfo(2, 'nSl')
  if i and i.what == 'C' then i = dbg.getinfo(3, 'nSl') end
  if type(err) ~= 'table' then err = {err = 'ERR ' .. tostring(err)} end
  if i then
    err['source'] = i.source
    err['line'] = i.currentline
  end
  return err
end
)";

}  // namespace

LuaEngine::LuaEngine(Kind kind) : kind_(kind) {
  auto* alloc = new Allocator;
  alloc->kind = kind;
  {
    std::lock_guard lock(g_vms_mutex);
    g_vms.push_back(alloc);
  }
  L_ = lua_newstate(LuaAlloc, alloc);
  lua_State* L = L_;
  struct Library {
    const char* name;
    lua_CFunction open;
  };
  const Library libraries_to_open[] = {{"", luaopen_base},           {LUA_TABLIBNAME, luaopen_table},
                                       {LUA_STRLIBNAME, luaopen_string}, {LUA_MATHLIBNAME, luaopen_math},
                                       {LUA_DBLIBNAME, luaopen_debug},   {"cjson", luaopen_cjson},
                                       {"bit", luaopen_bit},              {"cmsgpack", OpenCmsgpack},
                                       {"struct", OpenStruct}};
  for (const auto& [name, open] : libraries_to_open) {
    lua_pushcfunction(L, open);
    lua_pushstring(L, name);
    lua_call(L, 1, 1);
    // Debian's cjson returns its table without setting a global, as modules do now.
    if (*name != '\0' && lua_istable(L, -1)) {
      lua_setglobal(L, name);
    } else {
      lua_pop(L, 1);
    }
  }
  for (const char* name : {"dofile", "loadfile", "print", "getfenv", "setfenv", "newproxy"}) {
    lua_pushnil(L);
    lua_setglobal(L, name);
  }
  RegisterRedisApi(L, kind == Kind::kFunctions);

  // The error handler keeps its own reference to debug, which scripts then lose.
  luaL_loadbuffer(L, kErrorHandler, sizeof kErrorHandler - 1, "@error_handler");
  lua_call(L, 0, 1);
  if (kind == Kind::kEval) {  // Redis's EVAL globals show it under this name
    lua_pushvalue(L, -1);
    lua_setglobal(L, "__redis__err__handler");
  }
  lua_pushlightuserdata(L, &kHandlerKey);
  lua_insert(L, -2);
  lua_rawset(L, LUA_REGISTRYINDEX);
  lua_pushnil(L);
  lua_setglobal(L, "debug");

  lua_pushlightuserdata(L, &kFunctionsKey);
  lua_newtable(L);
  lua_rawset(L, LUA_REGISTRYINDEX);
  lua_pushlightuserdata(L, &kProtectedKey);
  lua_newtable(L);
  lua_newtable(L);
  lua_pushstring(L, "k");
  lua_setfield(L, -2, "__mode");
  lua_setmetatable(L, -2);
  lua_rawset(L, LUA_REGISTRYINDEX);

  if (kind == Kind::kFunctions) SetUpFunctionsApi();

  for (auto [name, wrapper] : {std::pair<const char*, lua_CFunction>{"setmetatable", RefuseReadOnly},
                               std::pair<const char*, lua_CFunction>{"rawset", RefuseReadOnly},
                               std::pair<const char*, lua_CFunction>{"rawget", SafeRawGet},
                               std::pair<const char*, lua_CFunction>{"next", SafeRawGet}}) {
    lua_getglobal(L, name);
    lua_pushcclosure(L, wrapper, 1);
    lua_setglobal(L, name);
  }
  lua_getglobal(L, "string");
  lua_getfield(L, -1, "rep");
  lua_pushcclosure(L, BoundedRep, 1);
  lua_setfield(L, -2, "rep");
  lua_pop(L, 1);
  // pairs hands out the next above (Lua's own hands out the raw next it holds).
  lua_getglobal(L, "next");
  lua_pushcclosure(L, Pairs, 1);
  lua_setglobal(L, "pairs");

  // Every library table is replaced by a read-only proxy, then the globals themselves:
  // scripts see the proxy; the real table (KEYS and ARGV are set there) stays hidden.
  lua_pushvalue(L, LUA_GLOBALSINDEX);
  const int globals = lua_gettop(L);
  std::vector<std::string> libraries;
  lua_pushnil(L);
  while (lua_next(L, globals)) {
    if (lua_istable(L, -1) && lua_type(L, -2) == LUA_TSTRING && std::string(lua_tostring(L, -2)) != "_G") {
      libraries.emplace_back(lua_tostring(L, -2));
    }
    lua_pop(L, 1);
  }
  for (const std::string& name : libraries) {
    lua_getfield(L, globals, name.c_str());
    PushProxy(L, -1, false);
    lua_setfield(L, globals, name.c_str());
    lua_pop(L, 1);
  }
  PushProxy(L, globals, true);
  lua_pushvalue(L, -1);
  lua_setfield(L, globals, "_G");
  lua_replace(L, LUA_GLOBALSINDEX);
  lua_pushlightuserdata(L, &kHiddenKey);
  lua_pushvalue(L, globals);
  lua_rawset(L, LUA_REGISTRYINDEX);
  lua_settop(L, 0);
}

LuaEngine::~LuaEngine() {
  Allocator* alloc = AllocatorOf(L_);
  lua_close(L_);
  {
    std::lock_guard lock(g_vms_mutex);
    std::erase(g_vms, alloc);
  }
  delete alloc;
}

LuaEngine& LuaEngine::ForThread(uint64_t generation) {
  thread_local std::unique_ptr<LuaEngine> engine;
  if (!engine || engine->generation_ != generation) {
    engine.reset(new LuaEngine(Kind::kEval));
    engine->generation_ = generation;
  }
  return *engine;
}

void LuaEngine::SetVmMemoryLimit(int64_t bytes) { g_max_vm_bytes.store(bytes, std::memory_order_relaxed); }

int64_t LuaEngine::AllVmBytes() { return AllBytesOf(Kind::kEval); }
int64_t LuaEngine::AllFunctionVmBytes() { return AllBytesOf(Kind::kFunctions); }

int64_t LuaEngine::memory_bytes() const { return AllocatorOf(L_)->bytes.load(std::memory_order_relaxed); }

ScriptRun* GetCurrentRun(lua_State* L) { return AllocatorOf(L)->run; }

void SetCurrentRun(lua_State* L, ScriptRun* run) { AllocatorOf(L)->run = run; }

LuaEngine::Compiled* LuaEngine::Find(const std::string& sha) {
  auto it = compiled_.find(sha);
  return it == compiled_.end() ? nullptr : &it->second;
}

bool LuaEngine::Compile(const std::string& sha, std::string_view body, uint32_t flags, std::string* error) {
  if (compiled_.count(sha)) return true;
  lua_State* L = L_;
  // A shebang line is left out but its line feed kept, so line numbers stay the user's.
  if (body.substr(0, 2) == "#!") body.remove_prefix(std::min(body.find('\n'), body.size()));
  if (luaL_loadbuffer(L, body.data(), body.size(), "@user_script") != 0) {
    const char* msg = lua_tostring(L, -1);
    *error = std::string("ERR Error compiling script (new function): ") + (msg ? msg : "?");
    lua_pop(L, 1);
    return false;
  }
  lua_pushlightuserdata(L, &kFunctionsKey);
  lua_rawget(L, LUA_REGISTRYINDEX);
  lua_insert(L, -2);
  lua_setfield(L, -2, sha.c_str());
  lua_pop(L, 1);
  compiled_.emplace(sha, Compiled{flags, 0});
  return true;
}

bool LuaEngine::Run(ScriptRun& run, std::span<const std::string_view> keys, std::span<const std::string_view> argv,
                    ReplyWriter& reply) {
  lua_State* L = L_;
  // KEYS and ARGV, in the hidden globals.
  lua_pushlightuserdata(L, &kHiddenKey);
  lua_rawget(L, LUA_REGISTRYINDEX);
  for (auto [name, values] : {std::pair{"KEYS", keys}, std::pair{"ARGV", argv}}) {
    PushStringArray(L, values);
    lua_setfield(L, -2, name);
  }
  lua_pop(L, 1);
  lua_pushlightuserdata(L, &kHandlerKey);
  lua_rawget(L, LUA_REGISTRYINDEX);
  lua_pushlightuserdata(L, &kFunctionsKey);
  lua_rawget(L, LUA_REGISTRYINDEX);
  lua_getfield(L, -1, run.name.c_str());
  lua_remove(L, -2);
  return Invoke(run, 0, reply);
}

// A script under its declared keys' shards, past busy-reply-threshold: tells the gate
// (script_gate.h), so that clients get -BUSY and may kill it.
bool AnnounceIfBusy(ScriptRun& run) {
  if (run.busy_threshold_ms <= 0) return false;
  if ((ScriptGate::NowUs() - run.started_us) / 1000 < run.busy_threshold_ms) return false;
  ScriptGate::RunInfo info;
  info.eval = run.eval;
  info.name = run.name;
  info.command = run.ctx->args();
  if (!run.ctx->script_gate().TryAnnounceBusy(run.ctx->thread(), info)) return false;
  run.announce_when_busy = false;
  run.announced = true;
  return true;
}

// Every 100,000 instructions of a gated script: tells the gate the time (it declares
// the script busy past busy-reply-threshold); once busy, serves the other clients of
// this I/O thread (serve_while_busy.cc), which may ask for the kill; stops the script
// once a kill was asked, from then on at every line, so that pcall cannot swallow it.
void ScriptHook(lua_State* L, lua_Debug*) {
  ScriptRun* run = GetCurrentRun(L);
  if (run == nullptr) return;
  if (!run->gated && run->announce_when_busy && AnnounceIfBusy(*run)) run->gated = true;
  if (!run->gated) return;
  ScriptGate& gate = run->ctx->script_gate();
  bool kill = gate.Poll(run->busy_threshold_ms);
  if (!kill && gate.busy()) {
    if (ClientHooks* hooks = run->ctx->session().hooks) {
      hooks->ServeThreadWhileBusy();
      kill = gate.Poll(run->busy_threshold_ms);
    }
  }
  if (!kill) return;
  lua_sethook(L, ScriptHook, LUA_MASKLINE, 0);
  PushLuaError(L, "Script killed by user with SCRIPT KILL...");
  lua_error(L);
}

bool LuaEngine::Invoke(ScriptRun& run, int nargs, ReplyWriter& reply) {
  lua_State* L = L_;
  SetCurrentRun(L, &run);
  if (run.gated || run.announce_when_busy) lua_sethook(L, ScriptHook, LUA_MASKCOUNT, 100000);
  const int failed = lua_pcall(L, nargs, 1, -2 - nargs);
  lua_sethook(L, nullptr, 0, 0);
  SetCurrentRun(L, nullptr);

  if (run.session.scope != nullptr && run.session.scope->stopped()) {
    lua_settop(L, 0);  // the attempt's outcome is not the script's: it runs again
    return false;
  }
  if (failed == 0) {
    WriteLuaAsResp(L, reply, run.session.resp);
  } else if (lua_istable(L, -1)) {
    std::string msg, source, line;
    LuaStringField(L, "err", &msg);
    LuaStringField(L, "source", &source);
    lua_getfield(L, -1, "line");
    if (lua_isnumber(L, -1)) line = lua_tostring(L, -1);
    lua_pop(L, 1);
    std::string text = msg;
    if (!line.empty() && !source.empty()) text += " script: " + run.name + ", on " + source + ":" + line + ".";
    WriteLuaError(L, reply, text);
    lua_pop(L, 1);
  } else {
    const char* msg = lua_tostring(L, -1);
    reply.Error("ERR Error running script " + run.name + ", " +
                std::string(msg ? msg : "execution failure").substr(0, 100));
    lua_pop(L, 1);
  }
  lua_settop(L, 0);
  // A step of incremental collection every 50 scripts, as Redis.
  if (++runs_since_gc_ == 50) {
    lua_gc(L, LUA_GCSTEP, 50);
    runs_since_gc_ = 0;
  }
  return true;
}

void* RegistryPointer(lua_State* L, void* key) {
  lua_pushlightuserdata(L, key);
  lua_rawget(L, LUA_REGISTRYINDEX);
  void* value = lua_touserdata(L, -1);
  lua_pop(L, 1);
  return value;
}

void SetRegistryPointer(lua_State* L, void* key, void* value) {
  lua_pushlightuserdata(L, key);
  if (value != nullptr) {
    lua_pushlightuserdata(L, value);
  } else {
    lua_pushnil(L);
  }
  lua_rawset(L, LUA_REGISTRYINDEX);
}

void PushStringArray(lua_State* L, std::span<const std::string_view> values) {
  lua_createtable(L, static_cast<int>(values.size()), 0);
  for (size_t i = 0; i < values.size(); ++i) {
    lua_pushlstring(L, values[i].data(), values[i].size());
    lua_rawseti(L, -2, static_cast<int>(i + 1));
  }
}

}  // namespace minired
