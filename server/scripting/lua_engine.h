// One I/O thread's Lua 5.1 VM, set up as Redis 7.0 sets up its own (docs/scripting.md):
// the base, table, string, math, cjson and bit libraries; no os, io, package, dofile,
// loadfile or print; Redis's deterministic math.random; the `redis` table (call, pcall,
// error_reply, status_reply, sha1hex, log, setresp, replicate_commands and the
// constants); globals and library tables read-only, so a script cannot leave state
// behind for the next one ("Attempt to modify a readonly table", "Script attempted to
// access nonexistent global variable").
//
// A VM is used only by its own thread. Scripts run holding every shard (the scripting
// family takes them), so no two scripts and no other command interleave anywhere.
//
// Each thread has two VMs, as Redis has two: one for EVAL scripts (KEYS and ARGV
// globals) and one for functions, which holds every library of the registry and is
// built again when the registry changed (lua_function_vm.cc). A functions VM also loads
// libraries: their code runs with only `redis.register_function`, `redis.log` and the
// version constants in sight, then the functions they registered see the full sandbox.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "protocol/reply_writer.h"
#include "server/session.h"

struct lua_State;

namespace minired {

class CommandContext;
class FunctionRegistry;
struct FunctionInfo;

// One script's run: what redis.call needs while it runs.
struct ScriptRun {
  CommandContext* ctx = nullptr;  // the EVAL: nested calls go through its dispatcher
  // The script's own client: the caller's database, user and login, speaking RESP2 to
  // the commands it calls until redis.setresp(3).
  Session session;
  std::string name;        // the script's SHA1, or the function's name, for error texts
  bool read_only = false;  // EVAL_RO, EVALSHA_RO, FCALL_RO or the `no-writes` flag
  // Announced to the script gate (not inside EXEC): its hook reports to the gate every
  // 100,000 instructions, and stops the script when SCRIPT/FUNCTION KILL asked.
  bool gated = false;
  int64_t busy_threshold_ms = 0;
  // Run under its declared keys' shards: the hook announces it to the gate once it has
  // run past busy-reply-threshold (then it is gated).
  bool announce_when_busy = false;
  bool eval = true;
  int64_t started_us = 0;  // ScriptGate::NowUs()
  bool announced = false;  // the gate must be opened again when the run ends
};

class LuaEngine {
 public:
  enum class Kind { kEval, kFunctions };

  // This thread's EVAL VM, created on first use, and again once SCRIPT FLUSH moved the
  // cache's generation past the one it was made for.
  static LuaEngine& ForThread(uint64_t generation);
  // This thread's functions VM, holding every library `registry` has now.
  static LuaEngine& ForFunctions(const FunctionRegistry& registry);
  // A functions VM of its own, to try a library in before it is installed.
  static std::unique_ptr<LuaEngine> NewFunctionsVm();
  ~LuaEngine();
  LuaEngine(const LuaEngine&) = delete;
  LuaEngine& operator=(const LuaEngine&) = delete;

  // Compiles `body` as the function of `sha` unless this VM has it already; false, with
  // Redis's "Error compiling script (new function): ..." in *error, when it does not.
  // `read_only`: its shebang said `no-writes`.
  // `flags`: its shebang's (script_flags.h).
  bool Compile(const std::string& sha, std::string_view body, uint32_t flags, std::string* error);
  // What this VM knows of a script it compiled: its flags, and whether its runs stayed
  // within its declared keys' shards (script_scope.h).
  struct Compiled {
    uint32_t flags = 0;
    uint8_t scope = 0;  // ScriptScope's knowledge: unknown, declared keys only, beyond
  };
  // The script `sha` (lower case) if this VM compiled it: a script run before needs no
  // cache lookup, hashing or parsing.
  Compiled* Find(const std::string& sha);
  bool Has(const std::string& sha, uint32_t* flags) {
    const Compiled* c = Find(sha);
    if (c != nullptr) *flags = c->flags;
    return c != nullptr;
  }
  // Runs the function of `sha` (compiled) with KEYS and ARGV, and writes what it
  // returns, or the error it raised, to `reply`.
  // False, with nothing written, when the run was an attempt under the declared keys'
  // shards that went beyond them (script_scope.h): it must run again.
  bool Run(ScriptRun& run, std::span<const std::string_view> keys, std::span<const std::string_view> argv,
           ReplyWriter& reply);
  // Functions VM: runs a library's code (what follows its metadata line) so that it
  // registers its functions, which this VM keeps and *functions lists. False, with
  // Redis's error, when it fails, registers none or runs past `timeout_ms` (0: no limit).
  bool LoadLibrary(std::string_view code, int64_t timeout_ms, std::vector<FunctionInfo>* functions,
                   std::string* error);
  // Functions VM: a function it loaded.
  struct Function {
    std::string name;  // as registered
    uint32_t flags = 0;
    int ref = 0;        // in the VM's registry
    uint8_t scope = 0;  // as Compiled::scope
  };
  // The function called `name` (any case), or null.
  Function* FindFunction(std::string_view name);
  // Calls `function` with the keys and arguments as its two tables.
  bool CallFunction(ScriptRun& run, const Function& function, std::span<const std::string_view> keys,
                    std::span<const std::string_view> argv, ReplyWriter& reply);

  // Bytes this VM holds, and all threads' VMs together (INFO's used_memory_lua).
  int64_t memory_bytes() const;
  static int64_t AllVmBytes();
  // What one VM may allocate (1 GB unless changed; the script fuzz target lowers it so
  // that its memory bombs fail fast under the sanitizers).
  static void SetVmMemoryLimit(int64_t bytes);
  static int64_t AllFunctionVmBytes();

 private:
  explicit LuaEngine(Kind kind);
  void SetUpFunctionsApi();
  // Calls the function on top of the stack (error handler below it) with `nargs`
  // arguments above it, and writes what it returns or raised.
  bool Invoke(ScriptRun& run, int nargs, ReplyWriter& reply);

  lua_State* L_;
  Kind kind_;
  uint64_t generation_ = 0;
  std::unordered_map<std::string, Compiled> compiled_;  // EVAL VM: by sha
  std::unordered_map<std::string, Function> functions_;  // functions VM: by lower-case name
  int runs_since_gc_ = 0;
};

}  // namespace minired
