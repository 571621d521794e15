// Scripts: EVAL EVALSHA EVAL_RO EVALSHA_RO, SCRIPT LOAD | EXISTS | FLUSH | HELP.
//
// A script runs on its client's I/O thread, in that thread's Lua VM (lua_engine.h),
// holding every shard's mutex for its whole run, as EXEC does: no other command, on any
// thread, sees part of its effects. Its redis.call go through the dispatcher as calls
// nested in the EVAL (CommandContext::Call), so each is checked (arity, noscript, ACL,
// read-only) and counted as Redis does. What the calls write reaches the log and the
// replicas as those commands, wrapped in MULTI/EXEC when there are several (effects
// replication, as Redis 7.0): a replica or a restart never runs the script again.
// docs/scripting.md says what is not there yet.
#include <cctype>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/numbers.h"
#include "server/command_context.h"
#include "server/command_table.h"
#include "server/errors.h"
#include "server/families/arg_parsing.h"
#include "server/families/families.h"
#include "server/families/spec.h"
#include "server/scripting/lua_engine.h"
#include "server/scripting/script_cache.h"
#include "server/scripting/script_flags.h"
#include "server/scripting/script_run.h"
#include "storage/shard_set.h"

namespace minired {
namespace {

// EVAL script numkeys [key ...] [arg ...] and its three kin.
void RunScript(CommandContext& ctx, bool by_sha, bool read_only) {
  ctx.FeedMonitors();
  auto numkeys = IntArg(ctx, ctx.arg(2));
  if (!numkeys) return;
  if (*numkeys > static_cast<int64_t>(ctx.argc()) - 3) {
    return ctx.reply().Error("ERR Number of keys can't be greater than number of args");
  }
  if (*numkeys < 0) return ctx.reply().Error("ERR Number of keys can't be negative");
  LuaEngine& engine = LuaEngine::ForThread(ctx.scripts().generation());
  std::string sha;
  if (by_sha) {
    sha = ctx.arg(1);
    ToLowerInPlace(sha);
  } else {
    sha = Sha1Hex(ctx.arg(1));
  }
  LuaEngine::Compiled* compiled = engine.Find(sha);
  if (compiled == nullptr) {
    std::string body;
    if (by_sha) {
      auto found = ctx.scripts().Get(sha);
      if (!found) return ctx.reply().Error("NOSCRIPT No matching script. Please use EVAL.");
      body = std::move(*found);
    } else {
      body = ctx.arg(1);
    }
    std::string error;
    uint32_t flags = 0;
    if (!ParseEvalShebang(body, &flags, &error)) return ctx.reply().Error(error);
    if (!engine.Compile(sha, body, flags, &error)) return ctx.reply().Error(error);
    compiled = engine.Find(sha);
    // Cached once it compiled, as Redis; a VM that has a script got it after the last
    // SCRIPT FLUSH (which renews every VM), so the cache has it too.
    if (!by_sha) ctx.scripts().Add(sha, body);
  }
  const uint32_t flags = compiled->flags;
  if (!ScriptMayRun(ctx, flags, read_only)) return;

  const size_t n = static_cast<size_t>(*numkeys);
  const auto keys = ctx.args().subspan(3, n);
  const auto argv = ctx.args().subspan(3 + n);
  RunAtomically(
      ctx, keys, true, &compiled->scope, [&](ScriptRun* run) { PrepareRun(ctx, run, sha, flags, read_only); },
      [&](ScriptRun& run) { return engine.Run(run, keys, argv, ctx.reply()); });
}

void CmdEval(CommandContext& ctx) { RunScript(ctx, false, false); }
void CmdEvalSha(CommandContext& ctx) { RunScript(ctx, true, false); }
void CmdEvalRo(CommandContext& ctx) { RunScript(ctx, false, true); }
void CmdEvalShaRo(CommandContext& ctx) { RunScript(ctx, true, true); }

// SCRIPT LOAD script: compiled here (so a bad script is refused now), then cached.
void CmdScriptLoad(CommandContext& ctx) {
  std::string_view body = ctx.arg(2);
  uint32_t flags = 0;
  std::string error;
  if (!ParseEvalShebang(body, &flags, &error)) return ctx.reply().Error(error);
  const std::string sha = Sha1Hex(body);
  if (!LuaEngine::ForThread(ctx.scripts().generation()).Compile(sha, body, flags, &error)) {
    return ctx.reply().Error(error);
  }
  ctx.scripts().Add(sha, body);
  ctx.reply().Bulk(sha);
}

void CmdScriptExists(CommandContext& ctx) {
  ctx.reply().ArrayHeader(ctx.argc() - 2);
  for (size_t i = 2; i < ctx.argc(); ++i) ctx.reply().Integer(ctx.scripts().Exists(ctx.arg(i)) ? 1 : 0);
}

// SCRIPT FLUSH [ASYNC | SYNC]: the cache is small; both free it now.
void CmdScriptFlush(CommandContext& ctx) {
  if (ctx.argc() > 3 || (ctx.argc() == 3 && !EqualsIgnoreCase(ctx.arg(2), "SYNC") &&
                         !EqualsIgnoreCase(ctx.arg(2), "ASYNC"))) {
    return ctx.reply().Error("ERR SCRIPT FLUSH only support SYNC|ASYNC option");
  }
  ctx.scripts().Flush();
  ctx.reply().Ok();
}

void CmdScriptHelp(CommandContext& ctx) {
  static const char* const kLines[] = {
                "SCRIPT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
                "EXISTS <sha1> [<sha1> ...]",
                "    Return information about the existence of the scripts in the script cache.",
                "FLUSH [ASYNC|SYNC]",
                "    Flush the Lua scripts cache. Very dangerous on replicas.",
                "    When called without the optional mode argument, the behavior is determined by the",
                "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
                "    * ASYNC: Asynchronously flush the scripts cache.",
                "    * SYNC: Synchronously flush the scripts cache.",
                "KILL",
                "    Kill the currently executing Lua script.",
                "LOAD <script>",
                "    Load a script into the scripts cache without executing it.",
                "HELP",
                "    Prints this help.",
  };
  ReplyHelp(ctx, kLines);
}

void CmdScript(CommandContext& ctx) {
  const std::string_view sub = ctx.arg(1);
  if (EqualsIgnoreCase(sub, "load")) return CmdScriptLoad(ctx);
  if (EqualsIgnoreCase(sub, "exists")) return CmdScriptExists(ctx);
  if (EqualsIgnoreCase(sub, "flush")) return CmdScriptFlush(ctx);
  if (EqualsIgnoreCase(sub, "kill")) return ReplyKill(ctx, true);
  CmdScriptHelp(ctx);
}

}  // namespace

void RegisterScriptingFamily(CommandTable* t) {
  const char* g = "scripting";
  const uint32_t f = kCmdNoScript | kCmdSkipMonitor | kCmdNoMandatoryKeys | kCmdStale | kCmdScriptRunner;
  auto eval = [&](const char* name, uint32_t extra, const char* summary, const char* since, CommandHandler h) {
    CommandSpec spec = MakeSpec(g, name, -3, f | extra, 0, 0, 0, summary, since, h, {"@slow", "@scripting"});
    spec.numkeys_arg = 2;
    return spec;
  };
  t->Register(eval("eval", 0, "Execute a Lua script server side", "2.6.0", CmdEval));
  t->Register(eval("evalsha", 0, "Execute a Lua script server side", "2.6.0", CmdEvalSha));
  t->Register(eval("eval_ro", kCmdReadOnly, "Execute a read-only Lua script server side", "7.0.0", CmdEvalRo));
  t->Register(eval("evalsha_ro", kCmdReadOnly, "Execute a read-only Lua script server side",
                   "7.0.0", CmdEvalShaRo));
  t->Register(MakeContainer(g, "script", "A container for Lua scripts management commands", "2.6.0", CmdScript,
                            {
                                MakeSub("exists", -3, kCmdNoScript, 0, 0, 0, {"@slow", "@scripting"}),
                                MakeSub("help", 2, kCmdLoading | kCmdStale, 0, 0, 0, {"@slow", "@scripting"}),
                                MakeSub("load", 3, kCmdNoScript | kCmdStale, 0, 0, 0, {"@slow", "@scripting"}),
                                MakeSub("flush", -2, kCmdNoScript, 0, 0, 0, {"@slow", "@scripting"}),
                                MakeSub("kill", 2, kCmdNoScript | kCmdAllowBusy, 0, 0, 0, {"@slow", "@scripting"}),
                            }));
}

}  // namespace minired
