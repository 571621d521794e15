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
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "protocol/reply_parser.h"
#include "server/command_context.h"
#include "server/logger.h"
#include "server/scripting/script_cache.h"

namespace minired {
namespace {

// What a VM may allocate: a script that builds a huge string or table gets "not enough
// memory" instead of taking the server's memory.
constexpr int64_t kMaxVmBytes = int64_t{1} << 30;

struct Allocator {
  int64_t bytes = 0;
};

// Every VM's bytes together (INFO's used_memory_lua).
std::atomic<int64_t> g_vm_bytes{0};

void* LuaAlloc(void* ud, void* ptr, size_t old_size, size_t new_size) {
  auto* a = static_cast<Allocator*>(ud);
  if (new_size == 0) {
    std::free(ptr);
    a->bytes -= static_cast<int64_t>(old_size);
    g_vm_bytes.fetch_sub(static_cast<int64_t>(old_size), std::memory_order_relaxed);
    return nullptr;
  }
  if (a->bytes - static_cast<int64_t>(old_size) + static_cast<int64_t>(new_size) > kMaxVmBytes) return nullptr;
  void* p = std::realloc(ptr, new_size);
  if (p != nullptr) {
    const int64_t delta = static_cast<int64_t>(new_size) - static_cast<int64_t>(old_size);
    a->bytes += delta;
    g_vm_bytes.fetch_add(delta, std::memory_order_relaxed);
  }
  return p;
}

// Registry keys (their addresses are unique).
char kRunKey;        // the running ScriptRun, a light userdata
char kHandlerKey;    // the error handler
char kFunctionsKey;  // sha -> compiled function
char kHiddenKey;     // the real globals behind the read-only proxy
char kProtectedKey;  // the read-only tables (weak keys)

ScriptRun* CurrentRun(lua_State* L) {
  lua_pushlightuserdata(L, &kRunKey);
  lua_rawget(L, LUA_REGISTRYINDEX);
  auto* run = static_cast<ScriptRun*>(lua_touserdata(L, -1));
  lua_pop(L, 1);
  return run;
}

// Pushes Redis's error table {err = "CODE message"}: "-CODE message" keeps its code,
// a text without the dash gets "ERR"; trailing CR/LF are trimmed.
void PushError(lua_State* L, std::string_view text) {
  std::string code = "ERR", msg;
  if (!text.empty() && text[0] == '-') {
    size_t sp = text.find(' ');
    if (sp == std::string_view::npos) {
      msg = text.substr(1);
    } else {
      code = text.substr(1, sp - 1);
      msg = text.substr(sp + 1);
    }
  } else {
    msg = text;
  }
  while (!msg.empty() && (msg.back() == '\r' || msg.back() == '\n')) msg.pop_back();
  while (!msg.empty() && (msg.front() == '\r' || msg.front() == '\n')) msg.erase(0, 1);
  std::string full = code + " " + msg;
  lua_newtable(L);
  lua_pushstring(L, "err");
  lua_pushlstring(L, full.data(), full.size());
  lua_settable(L, -3);
}

// ---- RESP -> Lua (the replies of redis.call) ----

void PushReply(lua_State* L, const RespValue& v, int resp) {
  lua_checkstack(L, 4);
  switch (v.type) {
    case RespValue::Type::kInteger:
      lua_pushnumber(L, static_cast<lua_Number>(v.integer));
      break;
    case RespValue::Type::kBulkString:
    case RespValue::Type::kVerbatim:
      lua_pushlstring(L, v.str.data(), v.str.size());
      break;
    case RespValue::Type::kSimpleString:
      lua_newtable(L);
      lua_pushstring(L, "ok");
      lua_pushlstring(L, v.str.data(), v.str.size());
      lua_settable(L, -3);
      break;
    case RespValue::Type::kError:
      PushError(L, "-" + v.str);
      break;
    case RespValue::Type::kNull:
      // RESP2's null bulk and null array are false; RESP3's null is nil.
      if (resp == 2) {
        lua_pushboolean(L, 0);
      } else {
        lua_pushnil(L);
      }
      break;
    case RespValue::Type::kBoolean:
      lua_pushboolean(L, v.integer != 0);
      break;
    case RespValue::Type::kDouble:
      lua_newtable(L);
      lua_pushstring(L, "double");
      lua_pushnumber(L, v.dbl);
      lua_settable(L, -3);
      break;
    case RespValue::Type::kBigNumber:
      lua_newtable(L);
      lua_pushstring(L, "big_number");
      lua_pushlstring(L, v.str.data(), v.str.size());
      lua_settable(L, -3);
      break;
    case RespValue::Type::kMap:
      lua_newtable(L);
      lua_pushstring(L, "map");
      lua_newtable(L);
      for (size_t i = 0; i + 1 < v.elems.size(); i += 2) {
        PushReply(L, v.elems[i], resp);
        PushReply(L, v.elems[i + 1], resp);
        lua_settable(L, -3);
      }
      lua_settable(L, -3);
      break;
    case RespValue::Type::kSet:
      lua_newtable(L);
      lua_pushstring(L, "set");
      lua_newtable(L);
      for (const RespValue& e : v.elems) {
        PushReply(L, e, resp);
        lua_pushboolean(L, 1);
        lua_settable(L, -3);
      }
      lua_settable(L, -3);
      break;
    case RespValue::Type::kArray:
    case RespValue::Type::kPush:
      lua_newtable(L);
      for (size_t i = 0; i < v.elems.size(); ++i) {
        lua_pushnumber(L, static_cast<lua_Number>(i + 1));
        PushReply(L, v.elems[i], resp);
        lua_settable(L, -3);
      }
      break;
  }
}

// ---- Lua -> RESP (what a script returns) ----

// The string field `name` of the table on top, if it is one.
bool StringField(lua_State* L, const char* name, std::string* out) {
  lua_pushstring(L, name);
  lua_rawget(L, -2);
  bool is = lua_type(L, -1) == LUA_TSTRING;
  if (is) {
    size_t n;
    const char* s = lua_tolstring(L, -1, &n);
    out->assign(s, n);
  }
  lua_pop(L, 1);
  return is;
}

std::string WithoutNewlines(std::string s) {
  for (char& c : s) {
    if (c == '\r' || c == '\n') c = ' ';
  }
  return s;
}

// Writes the value on top of the stack and pops it. `resp`: the script's protocol,
// which decides how booleans go out (RESP2: 1 and null; RESP3: booleans).
void WriteReply(lua_State* L, ReplyWriter& w, int resp) {
  if (!lua_checkstack(L, 4)) {
    w.Error("ERR reached lua stack limit");
    lua_pop(L, 1);
    return;
  }
  switch (lua_type(L, -1)) {
    case LUA_TSTRING: {
      size_t n;
      const char* s = lua_tolstring(L, -1, &n);
      w.Bulk(std::string_view(s, n));
      break;
    }
    case LUA_TBOOLEAN:
      if (resp == 2) {
        lua_toboolean(L, -1) ? w.Integer(1) : w.Null();
      } else {
        w.Bool(lua_toboolean(L, -1));
      }
      break;
    case LUA_TNUMBER:
      w.Integer(static_cast<int64_t>(lua_tonumber(L, -1)));
      break;
    case LUA_TTABLE: {
      std::string s;
      if (StringField(L, "err", &s)) {
        w.Error(s);
        break;
      }
      if (StringField(L, "ok", &s)) {
        w.SimpleString(WithoutNewlines(std::move(s)));
        break;
      }
      lua_pushstring(L, "double");
      lua_rawget(L, -2);
      if (lua_type(L, -1) == LUA_TNUMBER) {
        w.Double(lua_tonumber(L, -1));
        lua_pop(L, 2);
        return;
      }
      lua_pop(L, 1);
      lua_pushstring(L, "map");
      lua_rawget(L, -2);
      if (lua_type(L, -1) == LUA_TTABLE) {
        size_t n = 0;
        lua_pushnil(L);
        while (lua_next(L, -2)) {
          lua_pop(L, 1);
          ++n;
        }
        w.MapHeader(n);
        lua_pushnil(L);
        while (lua_next(L, -2)) {
          lua_pushvalue(L, -2);
          WriteReply(L, w, resp);  // the key
          WriteReply(L, w, resp);  // the value
        }
        lua_pop(L, 2);
        return;
      }
      lua_pop(L, 1);
      lua_pushstring(L, "set");
      lua_rawget(L, -2);
      if (lua_type(L, -1) == LUA_TTABLE) {
        size_t n = 0;
        lua_pushnil(L);
        while (lua_next(L, -2)) {
          lua_pop(L, 1);
          ++n;
        }
        w.SetHeader(n);
        lua_pushnil(L);
        while (lua_next(L, -2)) {
          lua_pop(L, 1);
          lua_pushvalue(L, -1);
          WriteReply(L, w, resp);
        }
        lua_pop(L, 2);
        return;
      }
      lua_pop(L, 1);
      // An array: its elements up to the first nil.
      size_t n = 0;
      while (true) {
        lua_rawgeti(L, -1, static_cast<int>(n + 1));
        bool nil = lua_isnil(L, -1);
        lua_pop(L, 1);
        if (nil) break;
        ++n;
      }
      w.ArrayHeader(n);
      for (size_t i = 1; i <= n; ++i) {
        lua_rawgeti(L, -1, static_cast<int>(i));
        WriteReply(L, w, resp);
      }
      break;
    }
    default:
      w.Null();
  }
  lua_pop(L, 1);
}

// ---- the redis table ----

// redis.call / redis.pcall: everything with a destructor lives here, so that the
// lua_error after it (a longjmp) skips no C++ frame. True when the error table on
// top must be raised.
bool CallFromScript(lua_State* L, bool raise) {
  ScriptRun* run = CurrentRun(L);
  if (run == nullptr) {
    PushError(L, "redis.call/pcall can only be called inside a script invocation");
    return true;
  }
  const int argc = lua_gettop(L);
  if (argc == 0) {
    PushError(L, "Please specify at least one argument for this redis lib call");
    return raise;
  }
  std::vector<std::string> args(static_cast<size_t>(argc));
  for (int i = 1; i <= argc; ++i) {
    if (lua_type(L, i) == LUA_TNUMBER) {
      // Not lua_tolstring: its "%.14g" loses precision.
      char buf[64];
      int n = std::snprintf(buf, sizeof buf, "%.17g", static_cast<double>(lua_tonumber(L, i)));
      args[static_cast<size_t>(i - 1)].assign(buf, static_cast<size_t>(n));
    } else if (lua_type(L, i) == LUA_TSTRING) {
      size_t n;
      const char* s = lua_tolstring(L, i, &n);
      args[static_cast<size_t>(i - 1)].assign(s, n);
    } else {
      lua_pop(L, argc);
      PushError(L, "Lua redis lib command arguments must be strings or integers");
      return raise;
    }
  }
  lua_pop(L, argc);
  std::vector<std::string_view> views(args.begin(), args.end());
  std::string out;
  ReplyWriter w(&out, run->session.resp);
  run->ctx->Call(run->session, views, w);
  ReplyParser parser;
  parser.Feed(out);
  RespValue value;
  if (parser.Next(&value) != ReplyParser::Result::kOk) {
    PushError(L, "ERR the command's reply could not be read");
    return raise;
  }
  PushReply(L, value, run->session.resp);
  return raise && value.is_error();
}

int RedisCall(lua_State* L) { return CallFromScript(L, true) ? lua_error(L) : 1; }
int RedisPCall(lua_State* L) {
  CallFromScript(L, false);
  return 1;
}

int RedisSha1Hex(lua_State* L) {
  if (lua_gettop(L) != 1) {
    PushError(L, "wrong number of arguments");
    return lua_error(L);
  }
  size_t n;
  const char* s = lua_tolstring(L, 1, &n);
  std::string hex = Sha1Hex(s ? std::string_view(s, n) : std::string_view());
  lua_pushlstring(L, hex.data(), hex.size());
  return 1;
}

int RedisErrorReply(lua_State* L) {
  if (lua_gettop(L) != 1 || lua_type(L, -1) != LUA_TSTRING) {
    PushError(L, "wrong number or type of arguments");
    return 1;
  }
  std::string err = lua_tostring(L, -1);
  if (err.empty() || err[0] != '-') err.insert(0, "-");
  PushError(L, err);
  return 1;
}

int RedisStatusReply(lua_State* L) {
  if (lua_gettop(L) != 1 || lua_type(L, -1) != LUA_TSTRING) {
    PushError(L, "wrong number or type of arguments");
    return 1;
  }
  lua_newtable(L);
  lua_pushstring(L, "ok");
  lua_pushvalue(L, -3);
  lua_settable(L, -3);
  return 1;
}

int RedisLog(lua_State* L) {
  const int argc = lua_gettop(L);
  if (argc < 2) {
    PushError(L, "redis.log() requires two arguments or more.");
    return lua_error(L);
  }
  if (!lua_isnumber(L, 1)) {
    PushError(L, "First argument must be a number (log level).");
    return lua_error(L);
  }
  const int level = static_cast<int>(lua_tonumber(L, 1));
  if (level < 0 || level > 3) {
    PushError(L, "Invalid debug level.");
    return lua_error(L);
  }
  std::string line;
  for (int i = 2; i <= argc; ++i) {
    size_t n;
    const char* s = lua_tolstring(L, i, &n);
    if (s == nullptr) continue;
    if (i != 2) line += ' ';
    line.append(s, n);
  }
  Log(static_cast<LogLevel>(level), "{}", line);
  return 0;
}

int RedisSetResp(lua_State* L) {
  ScriptRun* run = CurrentRun(L);
  if (run == nullptr) {
    PushError(L, "redis.setresp can only be called inside a script invocation");
    return lua_error(L);
  }
  if (lua_gettop(L) != 1) {
    PushError(L, "redis.setresp() requires one argument.");
    return lua_error(L);
  }
  const int resp = static_cast<int>(lua_tonumber(L, 1));
  if (resp != 2 && resp != 3) {
    PushError(L, "RESP version must be 2 or 3.");
    return lua_error(L);
  }
  run->session.resp = resp;
  return 0;
}

// Scripts are always replicated by their effects (Redis 7.0): nothing to switch on.
int RedisReplicateCommands(lua_State* L) {
  lua_pushboolean(L, 1);
  return 1;
}

// Redis's pcall: an error raised as a table (redis.call's) is handed to the script as
// its message string, as before Redis 7.
int ScriptPCall(lua_State* L) {
  const int argc = lua_gettop(L);
  lua_pushboolean(L, 1);
  lua_insert(L, 1);
  if (lua_pcall(L, argc - 1, LUA_MULTRET, 0) != 0) {
    lua_remove(L, 1);
    if (lua_istable(L, -1)) {
      lua_getfield(L, -1, "err");
      if (lua_isstring(L, -1)) {
        lua_replace(L, -2);
      } else {
        lua_pop(L, 1);
      }
    }
    lua_pushboolean(L, 0);
    lua_insert(L, 1);
  }
  return lua_gettop(L);
}

// ---- Redis's math.random: lrand48's 48-bit LCG, from the same starting state as
// Redis's (scripts are replicated by their effects, so it need not repeat itself) ----

thread_local uint64_t t_rand48 = 0x1234ABCD330EULL;

void Seed48(int32_t seed) { t_rand48 = (static_cast<uint64_t>(static_cast<uint32_t>(seed)) << 16) | 0x330E; }

int32_t Rand48() {
  t_rand48 = (t_rand48 * 0x5DEECE66DULL + 0xB) & ((uint64_t{1} << 48) - 1);
  return static_cast<int32_t>(t_rand48 >> 17);
}

int MathRandom(lua_State* L) {
  constexpr int32_t kMax = INT32_MAX;
  const lua_Number r = static_cast<lua_Number>(Rand48() % kMax) / static_cast<lua_Number>(kMax);
  switch (lua_gettop(L)) {
    case 0:
      lua_pushnumber(L, r);
      break;
    case 1: {
      int u = luaL_checkint(L, 1);
      luaL_argcheck(L, 1 <= u, 1, "interval is empty");
      lua_pushnumber(L, std::floor(r * u) + 1);
      break;
    }
    case 2: {
      int l = luaL_checkint(L, 1);
      int u = luaL_checkint(L, 2);
      luaL_argcheck(L, l <= u, 2, "interval is empty");
      lua_pushnumber(L, std::floor(r * (u - l + 1)) + l);
      break;
    }
    default:
      return luaL_error(L, "wrong number of arguments");
  }
  return 1;
}

int MathRandomSeed(lua_State* L) {
  Seed48(static_cast<int32_t>(luaL_checkint(L, 1)));
  return 0;
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

int MissingGlobal(lua_State* L) {
  const char* name = lua_tostring(L, 2);
  return luaL_error(L, "Script attempted to access nonexistent global variable '%s'", name ? name : "?");
}

// setmetatable and rawset refuse the read-only tables, as Redis's patched Lua does.
int SafeSetMetatable(lua_State* L) {
  if (lua_istable(L, 1) && IsProtected(L, 1)) {
    lua_pushstring(L, "Attempt to modify a readonly table");
    return lua_error(L);
  }
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_insert(L, 1);
  lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
  return lua_gettop(L);
}

int SafeRawSet(lua_State* L) {
  if (lua_istable(L, 1) && IsProtected(L, 1)) {
    lua_pushstring(L, "Attempt to modify a readonly table");
    return lua_error(L);
  }
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_insert(L, 1);
  lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
  return lua_gettop(L);
}

// rawget of a read-only table reads the table behind it, as if the proxy were it.
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

// A read-only stand-in for the table at `index`: empty, reading through to it, refusing
// every write. Pushed on the stack.
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

void Register(lua_State* L, const char* name, lua_CFunction f) {
  lua_pushcfunction(L, f);
  lua_setfield(L, -2, name);
}

void SetNumber(lua_State* L, const char* name, lua_Number n) {
  lua_pushnumber(L, n);
  lua_setfield(L, -2, name);
}

}  // namespace

LuaEngine::LuaEngine() {
  auto* alloc = new Allocator;
  L_ = lua_newstate(LuaAlloc, alloc);
  lua_State* L = L_;
  struct Library {
    const char* name;
    lua_CFunction open;
  };
  const Library libraries_to_open[] = {{"", luaopen_base},           {LUA_TABLIBNAME, luaopen_table},
                                       {LUA_STRLIBNAME, luaopen_string}, {LUA_MATHLIBNAME, luaopen_math},
                                       {LUA_DBLIBNAME, luaopen_debug},   {"cjson", luaopen_cjson},
                                       {"bit", luaopen_bit}};
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
  for (const char* name : {"dofile", "loadfile", "print"}) {
    lua_pushnil(L);
    lua_setglobal(L, name);
  }
  lua_getglobal(L, "math");
  Register(L, "random", MathRandom);
  Register(L, "randomseed", MathRandomSeed);
  lua_pop(L, 1);
  lua_pushcfunction(L, ScriptPCall);
  lua_setglobal(L, "pcall");

  lua_newtable(L);
  Register(L, "call", RedisCall);
  Register(L, "pcall", RedisPCall);
  Register(L, "sha1hex", RedisSha1Hex);
  Register(L, "error_reply", RedisErrorReply);
  Register(L, "status_reply", RedisStatusReply);
  Register(L, "log", RedisLog);
  Register(L, "setresp", RedisSetResp);
  Register(L, "replicate_commands", RedisReplicateCommands);
  SetNumber(L, "LOG_DEBUG", 0);
  SetNumber(L, "LOG_VERBOSE", 1);
  SetNumber(L, "LOG_NOTICE", 2);
  SetNumber(L, "LOG_WARNING", 3);
  lua_pushstring(L, "7.0.15");
  lua_setfield(L, -2, "REDIS_VERSION");
  SetNumber(L, "REDIS_VERSION_NUM", 0x07000f);
  lua_setglobal(L, "redis");

  // The error handler keeps its own reference to debug, which scripts then lose.
  luaL_loadbuffer(L, kErrorHandler, sizeof kErrorHandler - 1, "@error_handler");
  lua_call(L, 0, 1);
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

  for (auto [name, wrapper] : {std::pair<const char*, lua_CFunction>{"setmetatable", SafeSetMetatable},
                               std::pair<const char*, lua_CFunction>{"rawset", SafeRawSet},
                               std::pair<const char*, lua_CFunction>{"rawget", SafeRawGet}}) {
    lua_getglobal(L, name);
    lua_pushcclosure(L, wrapper, 1);
    lua_setglobal(L, name);
  }

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
  void* ud = nullptr;
  lua_getallocf(L_, &ud);
  lua_close(L_);
  delete static_cast<Allocator*>(ud);
}

LuaEngine& LuaEngine::ForThread(uint64_t generation) {
  thread_local std::unique_ptr<LuaEngine> engine;
  if (!engine || engine->generation_ != generation) {
    engine.reset(new LuaEngine());
    engine->generation_ = generation;
  }
  return *engine;
}

int64_t LuaEngine::AllVmBytes() { return g_vm_bytes.load(std::memory_order_relaxed); }

int64_t LuaEngine::memory_bytes() const {
  void* ud = nullptr;
  lua_getallocf(L_, &ud);
  return static_cast<Allocator*>(ud)->bytes;
}

bool LuaEngine::Compile(const std::string& sha, std::string_view body, std::string* error) {
  lua_State* L = L_;
  lua_pushlightuserdata(L, &kFunctionsKey);
  lua_rawget(L, LUA_REGISTRYINDEX);
  lua_getfield(L, -1, sha.c_str());
  bool have = lua_isfunction(L, -1);
  lua_pop(L, 1);
  if (have) {
    lua_pop(L, 1);
    return true;
  }
  // A shebang line is left out but its line feed kept, so line numbers stay the user's.
  if (body.substr(0, 2) == "#!") body.remove_prefix(std::min(body.find('\n'), body.size()));
  if (luaL_loadbuffer(L, body.data(), body.size(), "@user_script") != 0) {
    const char* msg = lua_tostring(L, -1);
    *error = std::string("ERR Error compiling script (new function): ") + (msg ? msg : "?");
    lua_pop(L, 2);
    return false;
  }
  lua_setfield(L, -2, sha.c_str());
  lua_pop(L, 1);
  return true;
}

void LuaEngine::Run(ScriptRun& run, std::span<const std::string_view> keys, std::span<const std::string_view> argv,
                    ReplyWriter& reply) {
  lua_State* L = L_;
  // KEYS and ARGV, in the hidden globals.
  lua_pushlightuserdata(L, &kHiddenKey);
  lua_rawget(L, LUA_REGISTRYINDEX);
  for (auto [name, values] : {std::pair{"KEYS", keys}, std::pair{"ARGV", argv}}) {
    lua_createtable(L, static_cast<int>(values.size()), 0);
    for (size_t i = 0; i < values.size(); ++i) {
      lua_pushlstring(L, values[i].data(), values[i].size());
      lua_rawseti(L, -2, static_cast<int>(i + 1));
    }
    lua_setfield(L, -2, name);
  }
  lua_pop(L, 1);

  lua_pushlightuserdata(L, &kRunKey);
  lua_pushlightuserdata(L, &run);
  lua_rawset(L, LUA_REGISTRYINDEX);

  lua_pushlightuserdata(L, &kHandlerKey);
  lua_rawget(L, LUA_REGISTRYINDEX);
  lua_pushlightuserdata(L, &kFunctionsKey);
  lua_rawget(L, LUA_REGISTRYINDEX);
  lua_getfield(L, -1, run.sha.c_str());
  lua_remove(L, -2);
  const int failed = lua_pcall(L, 0, 1, -2);

  lua_pushlightuserdata(L, &kRunKey);
  lua_pushnil(L);
  lua_rawset(L, LUA_REGISTRYINDEX);

  if (failed == 0) {
    WriteReply(L, reply, run.session.resp);
  } else if (lua_istable(L, -1)) {
    std::string msg, source, line;
    StringField(L, "err", &msg);
    StringField(L, "source", &source);
    lua_getfield(L, -1, "line");
    if (lua_isnumber(L, -1)) line = lua_tostring(L, -1);
    lua_pop(L, 1);
    std::string text = msg;
    if (!line.empty() && !source.empty()) text += " script: " + run.sha + ", on " + source + ":" + line + ".";
    reply.Error(text);
    lua_pop(L, 1);
  } else {
    const char* msg = lua_tostring(L, -1);
    reply.Error("ERR Error running script " + run.sha + ", " + std::string(msg ? msg : "execution failure").substr(0, 100));
    lua_pop(L, 1);
  }
  lua_settop(L, 0);
  lua_gc(L, LUA_GCSTEP, 1);
}

}  // namespace minired
