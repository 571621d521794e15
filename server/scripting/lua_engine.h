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
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>

#include "protocol/reply_writer.h"
#include "server/session.h"

struct lua_State;

namespace minired {

class CommandContext;

// One script's run: what redis.call needs while it runs.
struct ScriptRun {
  CommandContext* ctx = nullptr;  // the EVAL: nested calls go through its dispatcher
  // The script's own client: the caller's database, user and login, speaking RESP2 to
  // the commands it calls until redis.setresp(3).
  Session session;
  std::string sha;
  bool read_only = false;  // EVAL_RO, EVALSHA_RO or a `no-writes` shebang
};

class LuaEngine {
 public:
  // This thread's VM, created on first use, and again once SCRIPT FLUSH moved the
  // cache's generation past the one it was made for.
  static LuaEngine& ForThread(uint64_t generation);
  ~LuaEngine();
  LuaEngine(const LuaEngine&) = delete;
  LuaEngine& operator=(const LuaEngine&) = delete;

  // Compiles `body` as the function of `sha` unless this VM has it already; false, with
  // Redis's "Error compiling script (new function): ..." in *error, when it does not.
  // `read_only`: its shebang said `no-writes`.
  bool Compile(const std::string& sha, std::string_view body, bool read_only, std::string* error);
  // Whether this VM has compiled `sha` (lower case), and if so its `no-writes` flag: a
  // script run before needs no cache lookup, hashing or parsing.
  bool Has(const std::string& sha, bool* read_only) const;
  // Runs the function of `sha` (compiled) with KEYS and ARGV, and writes what it
  // returns, or the error it raised, to `reply`.
  void Run(ScriptRun& run, std::span<const std::string_view> keys, std::span<const std::string_view> argv,
           ReplyWriter& reply);
  // Bytes this VM holds, and all threads' VMs together (INFO's used_memory_lua).
  int64_t memory_bytes() const;
  static int64_t AllVmBytes();

 private:
  LuaEngine();
  lua_State* L_;
  uint64_t generation_ = 0;
  std::unordered_map<std::string, bool> compiled_;  // sha -> `no-writes`
  int runs_since_gc_ = 0;
};

}  // namespace minired
