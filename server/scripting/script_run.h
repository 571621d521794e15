// What EVAL and FCALL share before a script runs (Redis's scriptPrepareForRun): the
// checks a script's declared flags call for, and the script's own client.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>

#include "server/scripting/lua_engine.h"

namespace minired {

class CommandContext;

// Checks that a script with `flags` (script_flags.h) may run now, for a command that is
// read-only (`ro_command`: EVAL_RO, FCALL_RO...) or not; false after replying Redis's
// error (-OOM without allow-oom, a write script on a read-only replica or while the disk
// refuses writes, or run by a *_RO command). Scripts without a shebang skip them.
bool ScriptMayRun(CommandContext& ctx, uint32_t flags, bool ro_command);

// Sets up `run` for a script run by ctx's command: its client runs as the caller (its
// database, user, login), speaks RESP2 until redis.setresp, refuses writes when the run
// is read-only, and refuses commands that take memory while memory is full (until the
// script wrote, as Redis), unless the script allows it.
void PrepareRun(CommandContext& ctx, ScriptRun* run, std::string name, uint32_t flags, bool ro_command);

// Runs a script (`call`: the engine's Run or CallFunction) as one atomic step for
// every client (docs/scripting.md, "Atomicity"). `knowledge` is what the thread's VM
// knows of the script (LuaEngine::Compiled::scope): a script known to stay within its
// declared keys runs holding only their shards, and runs again holding every shard
// (with the gate) if it goes beyond; any other holds every shard while it is watched.
// `prepare` sets up a fresh run (each attempt starts anew).
void RunAtomically(CommandContext& ctx, std::span<const std::string_view> keys, bool eval, uint8_t* knowledge,
                   const std::function<void(ScriptRun*)>& prepare, const std::function<bool(ScriptRun&)>& call);

// For a script's whole run, before it takes the shards: announces it to the script
// gate (server/script_gate.h), so that other clients wait for it, get -BUSY past
// busy-reply-threshold, and may kill it. A script inside EXEC runs under the
// transaction's locks and is not announced.
class GatedRun {
 public:
  GatedRun(CommandContext& ctx, ScriptRun* run, bool eval);
  ~GatedRun();
  GatedRun(const GatedRun&) = delete;
  GatedRun& operator=(const GatedRun&) = delete;

 private:
  CommandContext& ctx_;
  bool gated_ = false;
};

}  // namespace minired

namespace minired {

class ScriptCache;
class FunctionRegistry;

// SCRIPT KILL (`eval`) and FUNCTION KILL: stops the running script of that kind unless
// it wrote, with Redis's replies.
void ReplyKill(CommandContext& ctx, bool eval);

// The flags the script a call of EVAL, EVALSHA, FCALL (or their _RO kin) would run
// declares, for the dispatcher's checks (Redis's evalGetCommandFlags and
// fcallGetCommandFlags); kScriptEvalCompat when it declares none or is not found (the
// command then answers its own error).
uint32_t DeclaredScriptFlags(const ScriptCache& scripts, const FunctionRegistry& functions, std::string_view command,
                             std::span<const std::string_view> args);

}  // namespace minired
