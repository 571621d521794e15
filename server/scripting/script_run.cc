#include "server/scripting/script_run.h"

#include <cctype>

#include "protocol/sha1.h"
#include "protocol/numbers.h"
#include "server/command_context.h"
#include "server/config.h"
#include "server/logger.h"
#include "server/script_gate.h"
#include "storage/shard_set.h"
#include "server/scripting/function_registry.h"
#include "server/scripting/script_cache.h"
#include "server/scripting/script_flags.h"
#include "server/scripting/script_scope.h"

namespace minired {

bool ScriptMayRun(CommandContext& ctx, uint32_t flags, bool ro_command) {
  if (flags & kScriptEvalCompat) return true;
  // no-writes implies allow-oom, as in Redis.
  if (!(flags & (kScriptAllowOom | kScriptNoWrites)) && ctx.OutOfMemory()) {
    ctx.reply().Error(
        "OOM allow-oom flag is not set on the script, can not run it when used memory > 'maxmemory'");
    return false;
  }
  if (flags & kScriptNoWrites) return true;
  if (std::string why = ctx.ScriptWriteRefusal(); !why.empty()) {
    ctx.reply().Error(why);
    return false;
  }
  if (ro_command) {
    ctx.reply().Error("ERR Can not execute a script with write flag using *_ro command.");
    return false;
  }
  return true;
}

void PrepareRun(CommandContext& ctx, ScriptRun* run, std::string name, uint32_t flags, bool ro_command) {
  run->ctx = &ctx;
  run->name = std::move(name);
  run->read_only = ro_command || (!(flags & kScriptEvalCompat) && (flags & kScriptNoWrites));
  Session& session = run->session;
  session.origin = Origin::kScript;
  session.db = ctx.db();
  session.user = ctx.session().user;
  session.acl_version = ctx.session().acl_version;
  session.info = ctx.session().info;
  session.no_writes = run->read_only;
  // Redis's scriptVerifyOOM: memory was full when the script started (it may still
  // read and free); the log and the master's stream are obeyed whatever memory holds.
  session.deny_oom = !(flags & kScriptAllowOom) && !ctx.session().checked_at_source() && ctx.OutOfMemory();
}


void ReplyKill(CommandContext& ctx, bool eval) {
  ScriptGate& gate = ctx.script_gate();
  switch (gate.RequestKill(eval)) {
    case ScriptGate::Kill::kNotBusy:
      return ctx.reply().Error("NOTBUSY No scripts in execution right now.");
    case ScriptGate::Kill::kUnkillable:
      return ctx.reply().Error(
          "UNKILLABLE Sorry the script already executed write commands against the dataset. You can either wait the "
          "script termination or kill the server in a hard way using the SHUTDOWN NOSAVE command.");
    case ScriptGate::Kill::kOtherKind:
      return ctx.reply().Error(gate.BusyError());
    case ScriptGate::Kill::kKilled:
      return ctx.reply().Ok();
  }
}

namespace {

enum Knowledge : uint8_t { kUnknown = 0, kDeclaredOnly = 1, kBeyond = 2 };

// Run under the declared keys' shards; false when it went beyond them (rolled back).
bool TryDeclared(CommandContext& ctx, std::span<const std::string_view> keys, bool eval,
                 const std::function<void(ScriptRun*)>& prepare, const std::function<bool(ScriptRun&)>& call) {
  ScriptRun run;
  prepare(&run);
  run.eval = eval;
  run.started_us = ScriptGate::NowUs();
  run.busy_threshold_ms = ctx.config().limits.busy_reply_threshold_ms.load(std::memory_order_relaxed);
  run.announce_when_busy = run.busy_threshold_ms > 0;
  ScriptScope scope(ctx.shards(), keys, ScriptScope::Mode::kHold);
  run.session.scope = &scope;
  const bool done = call(run);
  if (run.announced) ctx.script_gate().End(ctx.thread());
  if (!done) scope.RollBack();
  return done;
}

}  // namespace

void RunAtomically(CommandContext& ctx, std::span<const std::string_view> keys, bool eval, uint8_t* knowledge,
                   const std::function<void(ScriptRun*)>& prepare, const std::function<bool(ScriptRun&)>& call) {
  const bool nested = ShardMutex::all_held();  // inside EXEC: under the transaction's locks
  if (!nested && *knowledge == kDeclaredOnly) {
    if (TryDeclared(ctx, keys, eval, prepare, call)) return;
    *knowledge = kBeyond;
    Log(LogLevel::kVerbose, "A script went beyond its declared keys: rolled back, it runs again holding every shard");
  }
  ScriptRun run;
  prepare(&run);
  GatedRun gated(ctx, &run, eval);
  ShardSet::AllHeld held(ctx.shards());
  if (nested || *knowledge != kUnknown) {
    call(run);
    return;
  }
  ScriptScope observer(ctx.shards(), keys, ScriptScope::Mode::kObserve);
  run.session.scope = &observer;
  call(run);
  *knowledge = observer.went_beyond() ? kBeyond : kDeclaredOnly;
}

GatedRun::GatedRun(CommandContext& ctx, ScriptRun* run, bool eval) : ctx_(ctx) {
  if (ShardMutex::all_held()) return;  // inside EXEC: under the transaction's locks
  ScriptGate::RunInfo info;
  info.eval = eval;
  info.name = run->name;
  info.command = ctx.args();
  ctx.script_gate().Begin(ctx.thread(), info);
  gated_ = true;
  run->gated = true;
  run->busy_threshold_ms = ctx.config().limits.busy_reply_threshold_ms.load(std::memory_order_relaxed);
}

GatedRun::~GatedRun() {
  if (gated_) ctx_.script_gate().End(ctx_.thread());
}

uint32_t DeclaredScriptFlags(const ScriptCache& scripts, const FunctionRegistry& functions, std::string_view command,
                             std::span<const std::string_view> args) {
  uint32_t flags = kScriptEvalCompat;
  std::string error;
  if (command == "fcall" || command == "fcall_ro") {
    const LuaEngine::Function* f = LuaEngine::ForFunctions(functions).FindFunction(args[1]);
    return f ? f->flags : kScriptEvalCompat;
  }
  if (command == "eval" || command == "eval_ro") {
    if (!ParseEvalShebang(args[1], &flags, &error)) return kScriptEvalCompat;
    return flags;
  }
  std::string sha(args[1]);
  ToLowerInPlace(sha);
  if (LuaEngine::ForThread(scripts.generation()).Has(sha, &flags)) return flags;
  std::optional<std::string> body = scripts.Get(sha);
  if (!body || !ParseEvalShebang(*body, &flags, &error)) return kScriptEvalCompat;
  return flags;
}

}  // namespace minired
