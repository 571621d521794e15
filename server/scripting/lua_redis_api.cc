#include "server/scripting/lua_redis_api.h"

extern "C" {
#include <lauxlib.h>
#include <lua.h>
}

#include <climits>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "protocol/numbers.h"
#include "server/acl.h"
#include "server/command_context.h"
#include "server/command_table.h"
#include "server/logger.h"
#include "server/scripting/lua_convert.h"
#include "server/scripting/lua_engine.h"
#include "server/scripting/script_cache.h"
#include "server/scripting/lua_vm_keys.h"
#include "server/scripting/script_scope.h"

namespace minired {
namespace {

void Register(lua_State* L, const char* name, lua_CFunction f) {
  lua_pushcfunction(L, f);
  lua_setfield(L, -2, name);
}

void SetNumber(lua_State* L, const char* name, lua_Number n) {
  lua_pushnumber(L, n);
  lua_setfield(L, -2, name);
}

// ---- the redis table ----

// What a redis.call needs from call to call, kept by the thread so that a call allocates
// nothing once it has run a few times. No call nests another on a thread (scripts may
// not call EVAL or FCALL); `in_use` guards that anyway.
struct CallScratch {
  std::vector<std::string_view> args;
  std::vector<std::string> numbers;  // the text of the arguments that were numbers
  std::string reply;
  bool in_use = false;
};

// The arguments of a redis.* call as views of the strings on the stack, which stay there
// (and so alive) until the caller pops them; numbers are formatted into `scratch` as
// Redis does ("%.17g", not lua_tolstring's lossy "%.14g"). False, with the arguments
// popped and Redis's error table pushed, when there are none or one is not a string or a
// number.
bool ViewCommandArgs(lua_State* L, CallScratch* scratch) {
  const int argc = lua_gettop(L);
  if (argc == 0) {
    PushLuaError(L, "Please specify at least one argument for this redis lib call");
    return false;
  }
  scratch->args.resize(static_cast<size_t>(argc));
  if (scratch->numbers.size() < scratch->args.size()) scratch->numbers.resize(scratch->args.size());
  for (int i = 1; i <= argc; ++i) {
    std::string_view& arg = scratch->args[static_cast<size_t>(i - 1)];
    const int type = lua_type(L, i);
    if (type == LUA_TSTRING) {
      size_t n;
      const char* s = lua_tolstring(L, i, &n);
      arg = std::string_view(s, n);
    } else if (type == LUA_TNUMBER) {
      std::string& text = scratch->numbers[static_cast<size_t>(i - 1)];
      char buf[kMaxDoubleChars];
      text.assign(buf, FormatDouble(lua_tonumber(L, i), buf));
      arg = text;
    } else {
      lua_pop(L, argc);
      PushLuaError(L, "Lua redis lib command arguments must be strings or integers");
      return false;
    }
  }
  return true;
}

// Takes the arguments of a redis.* call off the stack as strings, for the calls that
// keep them past the stack (redis.acl_check_cmd).
bool TakeCommandArgs(lua_State* L, std::vector<std::string>* args) {
  CallScratch scratch;
  if (!ViewCommandArgs(L, &scratch)) return false;
  args->assign(scratch.args.begin(), scratch.args.end());
  lua_pop(L, static_cast<int>(args->size()));
  return true;
}

void StopAttempt(lua_State* L, lua_Debug*) {
  PushLuaError(L, "ERR the script runs again holding every shard");
  lua_error(L);
}

// redis.call / redis.pcall: everything with a destructor lives here, so that the
// lua_error after it (a longjmp) skips no C++ frame. True when the error table on
// top must be raised.
bool CallFromScript(lua_State* L, bool raise) {
  ScriptRun* run = GetCurrentRun(L);
  if (run == nullptr) {
    PushLuaError(L, "redis.call/pcall can only be called inside a script invocation");
    return true;
  }
  thread_local CallScratch thread_scratch;
  CallScratch nested;
  CallScratch& scratch = thread_scratch.in_use ? nested : thread_scratch;
  if (!ViewCommandArgs(L, &scratch)) return raise;
  scratch.in_use = true;
  scratch.reply.clear();
  ReplyWriter w(&scratch.reply, run->session.resp);
  run->ctx->Call(run->session, scratch.args, w);
  lua_pop(L, static_cast<int>(scratch.args.size()));
  if (run->session.scope != nullptr && run->session.scope->stopped()) {
    scratch.in_use = false;
    // The attempt stops here whatever the script does (pcall included): every
    // instruction from now on raises, until the run is over (script_scope.h).
    lua_sethook(L, StopAttempt, LUA_MASKCOUNT, 1);
    PushLuaError(L, "ERR the script runs again holding every shard");
    return true;
  }
  // The reply is read while the scratch is still marked in use (the conversion runs Lua
  // allocations, and so possibly its collector).
  std::string_view reply = scratch.reply;
  const bool is_error = !reply.empty() && (reply[0] == '-' || reply[0] == '!');
  const bool read = PushReplyAsLua(L, &reply, run->session.resp) && reply.empty();
  scratch.in_use = false;
  if (!read) {
    lua_settop(L, 0);
    PushLuaError(L, "ERR the command's reply could not be read");
    return raise;
  }
  return raise && is_error;
}

// redis.acl_check_cmd(command, args...): whether the script's user may run it. True
// when an error table was pushed (to raise).
bool AclCheckFromScript(lua_State* L) {
  ScriptRun* run = GetCurrentRun(L);
  if (run == nullptr) {
    PushLuaError(L, "redis.acl_check_cmd can only be called inside a script invocation");
    return true;
  }
  std::vector<std::string> args;
  if (!TakeCommandArgs(L, &args)) return true;
  std::vector<std::string_view> views(args.begin(), args.end());
  const CommandSpec* base = run->ctx->commands().Find(views[0]);
  const CommandSpec* spec = base ? base->Resolve(views) : nullptr;
  if (spec == nullptr) {
    PushLuaError(L, "Invalid command passed to redis.acl_check_cmd()");
    return true;
  }
  std::string what;
  const bool allowed = !run->session.user || CheckAcl(*run->session.user, *base, views, &what) == AclDenial::kNone;
  lua_pushboolean(L, allowed);
  return false;
}

int RedisAclCheckCmd(lua_State* L) { return AclCheckFromScript(L) ? lua_error(L) : 1; }

// The debugger's hooks (SCRIPT DEBUG): without a debugging session, as in Redis,
// breakpoint answers false and debug does nothing.
int RedisBreakpoint(lua_State* L) {
  lua_pushboolean(L, 0);
  return 1;
}
int RedisDebug(lua_State*) { return 0; }

int RedisCall(lua_State* L) { return CallFromScript(L, true) ? lua_error(L) : 1; }
int RedisPCall(lua_State* L) { return CallFromScript(L, false) ? lua_error(L) : 1; }

int RedisSha1Hex(lua_State* L) {
  if (lua_gettop(L) != 1) {
    PushLuaError(L, "wrong number of arguments");
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
    PushLuaError(L, "wrong number or type of arguments");
    return 1;
  }
  std::string err = lua_tostring(L, -1);
  if (err.empty() || err[0] != '-') err.insert(0, "-");
  PushLuaError(L, err);
  return 1;
}

int RedisStatusReply(lua_State* L) {
  if (lua_gettop(L) != 1 || lua_type(L, -1) != LUA_TSTRING) {
    PushLuaError(L, "wrong number or type of arguments");
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
    PushLuaError(L, "redis.log() requires two arguments or more.");
    return lua_error(L);
  }
  if (!lua_isnumber(L, 1)) {
    PushLuaError(L, "First argument must be a number (log level).");
    return lua_error(L);
  }
  const int level = LuaNumberToInt(lua_tonumber(L, 1));
  if (level < 0 || level > 3) {
    PushLuaError(L, "Invalid debug level.");
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

// The running script of a redis.* setting that takes one argument; null, with the
// error pushed (`outside`: called outside a script; `count`: not one argument).
ScriptRun* RunForSetting(lua_State* L, const char* outside, const char* count) {
  ScriptRun* run = GetCurrentRun(L);
  if (run == nullptr) {
    PushLuaError(L, outside);
    return nullptr;
  }
  if (lua_gettop(L) != 1) {
    PushLuaError(L, count);
    return nullptr;
  }
  return run;
}

int RedisSetResp(lua_State* L) {
  ScriptRun* run = RunForSetting(L, "redis.setresp can only be called inside a script invocation",
                                 "redis.setresp() requires one argument.");
  if (run == nullptr) return lua_error(L);
  const int resp = LuaNumberToInt(lua_tonumber(L, 1));
  if (resp != 2 && resp != 3) {
    PushLuaError(L, "RESP version must be 2 or 3.");
    return lua_error(L);
  }
  run->session.resp = resp;
  return 0;
}

// redis.set_repl(flags): where the script's next writes go (REPL_ALL, REPL_AOF,
// REPL_REPLICA, REPL_NONE).
int RedisSetRepl(lua_State* L) {
  ScriptRun* run = RunForSetting(L, "redis.set_repl can only be called inside a script invocation",
                                 "redis.set_repl() requires two arguments.");  // sic: Redis's text
  if (run == nullptr) return lua_error(L);
  const int flags = LuaNumberToInt(lua_tonumber(L, -1));
  if ((flags & ~(kReplToLog | kReplToReplicas)) != 0) {
    PushLuaError(L, "Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE.");
    return lua_error(L);
  }
  run->session.repl_targets = static_cast<uint8_t>(flags);
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


}  // namespace

void RegisterRedisApi(lua_State* L, bool for_functions) {
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
  Register(L, "setresp", RedisSetResp);
  Register(L, "set_repl", RedisSetRepl);
  Register(L, "acl_check_cmd", RedisAclCheckCmd);
  if (!for_functions) {  // what functions lack, as in Redis
    Register(L, "replicate_commands", RedisReplicateCommands);
    Register(L, "breakpoint", RedisBreakpoint);
    Register(L, "debug", RedisDebug);
  }
  SetNumber(L, "REPL_NONE", 0);
  SetNumber(L, "REPL_AOF", kReplToLog);
  SetNumber(L, "REPL_SLAVE", kReplToReplicas);
  SetNumber(L, "REPL_REPLICA", kReplToReplicas);
  SetNumber(L, "REPL_ALL", kReplToLog | kReplToReplicas);
  RegisterLogAndVersion(L);
  lua_setglobal(L, "redis");
}

void RegisterLogAndVersion(lua_State* L) {
  Register(L, "log", RedisLog);
  SetNumber(L, "LOG_DEBUG", 0);
  SetNumber(L, "LOG_VERBOSE", 1);
  SetNumber(L, "LOG_NOTICE", 2);
  SetNumber(L, "LOG_WARNING", 3);
  lua_pushstring(L, "7.0.15");
  lua_setfield(L, -2, "REDIS_VERSION");
  SetNumber(L, "REDIS_VERSION_NUM", 0x07000f);
}

}  // namespace minired
