// Functions (Redis 7.0): FUNCTION LOAD | DELETE | FLUSH | LIST | DUMP | RESTORE | STATS |
// KILL | HELP, FCALL and FCALL_RO.
//
// A library's code is run in a fresh functions VM to learn its functions before the
// registry takes it (function_loader.h); each I/O thread then runs functions in its own
// functions VM, rebuilt when the registry changed. The commands that change the
// libraries hold every shard while they do and count as writes, so they reach the log
// and the replicas as they were sent, and a snapshot taken meanwhile holds the libraries
// exactly as they were at its position. A function runs as an EVAL script does
// (scripting_family.cc): holding every shard, its writes journaled as MULTI/EXEC.
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
#include "server/script_gate.h"
#include "server/scripting/function_loader.h"
#include "server/scripting/function_registry.h"
#include "server/scripting/lua_engine.h"
#include "server/scripting/script_flags.h"
#include "server/scripting/script_run.h"
#include "storage/glob.h"
#include "storage/journal.h"
#include "storage/shard_set.h"

namespace minired {
namespace {

// FCALL function numkeys [key ...] [arg ...], and FCALL_RO.
void RunFunction(CommandContext& ctx, bool ro_command) {
  ctx.FeedMonitors();
  LuaEngine& vm = LuaEngine::ForFunctions(ctx.functions());
  LuaEngine::Function* function = vm.FindFunction(ctx.arg(1));
  if (function == nullptr) return ctx.reply().Error("ERR Function not found");
  const std::optional<int64_t> parsed = ParseInt64(ctx.arg(2));
  if (!parsed) return ctx.reply().Error("ERR Bad number of keys provided");
  const int64_t numkeys = *parsed;
  if (numkeys > static_cast<int64_t>(ctx.argc()) - 3) {
    return ctx.reply().Error("ERR Number of keys can't be greater than number of args");
  }
  if (numkeys < 0) return ctx.reply().Error("ERR Number of keys can't be negative");
  if (!ScriptMayRun(ctx, function->flags, ro_command)) return;
  const size_t n = static_cast<size_t>(numkeys);
  const auto keys = ctx.args().subspan(3, n);
  const auto argv = ctx.args().subspan(3 + n);
  RunAtomically(
      ctx, keys, false, &function->scope,
      [&](ScriptRun* run) { PrepareRun(ctx, run, function->name, function->flags, ro_command); },
      [&](ScriptRun& run) { return vm.CallFunction(run, *function, keys, argv, ctx.reply()); });
}

void CmdFcall(CommandContext& ctx) { RunFunction(ctx, false); }
void CmdFcallRo(CommandContext& ctx) { RunFunction(ctx, true); }

// The libraries changed: journaled as the command that changed them (under every
// shard's lock, so that snapshots see the change on the side of their position it is).
void LibrariesChanged() { Journal::Touch(); }

// FUNCTION LOAD [REPLACE] code
void CmdFunctionLoad(CommandContext& ctx) {
  bool replace = false;
  size_t pos = 2;
  for (; pos + 1 < ctx.argc(); ++pos) {
    if (!EqualsIgnoreCase(ctx.arg(pos), "replace")) {
      return ctx.reply().Error("ERR Unknown option given: " + std::string(ctx.arg(pos)));
    }
    replace = true;
  }
  const std::string_view code = ctx.arg(pos);
  // Refused for its name before its code runs, as Redis.
  std::string engine, name, error;
  if (ParseLibraryMetadata(code, &engine, &name, &error) && !replace &&
      ctx.functions().state()->libraries.count(name)) {
    return ctx.reply().Error("ERR Library '" + name + "' already exists");
  }
  FunctionRegistry::LibraryPtr lib;
  const int64_t timeout = ctx.session().checked_at_source() ? 0 : kLibraryLoadTimeoutMs;
  if (!BuildLibrary(code, timeout, &lib, &error)) return ctx.reply().Error(error);
  ShardSet::AllHeld held(ctx.shards());
  if (!ctx.functions().Add(lib, replace, &error)) return ctx.reply().Error(error);
  LibrariesChanged();
  ctx.reply().Bulk(lib->name);
}

void CmdFunctionDelete(CommandContext& ctx) {
  ShardSet::AllHeld held(ctx.shards());
  if (!ctx.functions().Delete(ctx.arg(2))) return ctx.reply().Error("ERR Library not found");
  LibrariesChanged();
  ctx.reply().Ok();
}

// FUNCTION FLUSH [ASYNC | SYNC]: libraries are small; both free them now.
void CmdFunctionFlush(CommandContext& ctx) {
  if (ctx.argc() > 3) return ctx.reply().Error(errors::SubcommandSyntax(ctx.arg(1), "FUNCTION"));
  if (ctx.argc() == 3 && !EqualsIgnoreCase(ctx.arg(2), "sync") && !EqualsIgnoreCase(ctx.arg(2), "async")) {
    return ctx.reply().Error("ERR FUNCTION FLUSH only supports SYNC|ASYNC option");
  }
  ShardSet::AllHeld held(ctx.shards());
  ctx.functions().Reset({});
  LibrariesChanged();
  ctx.reply().Ok();
}

void ReplyFunction(CommandContext& ctx, const FunctionInfo& f) {
  ReplyWriter& w = ctx.reply();
  w.MapHeader(3);
  w.Bulk("name");
  w.Bulk(f.name);
  w.Bulk("description");
  if (f.description) {
    w.Bulk(*f.description);
  } else {
    w.Null();
  }
  w.Bulk("flags");
  size_t count = 0;
  for (const ScriptFlagName& flag : kScriptFlagNames) count += (f.flags & flag.flag) ? 1 : 0;
  w.SetHeader(count);
  for (const ScriptFlagName& flag : kScriptFlagNames) {
    if (f.flags & flag.flag) w.SimpleString(flag.name);
  }
}

// FUNCTION LIST [LIBRARYNAME pattern] [WITHCODE]
void CmdFunctionList(CommandContext& ctx) {
  bool with_code = false;
  std::optional<std::string_view> pattern;
  for (size_t i = 2; i < ctx.argc(); ++i) {
    if (!with_code && EqualsIgnoreCase(ctx.arg(i), "withcode")) {
      with_code = true;
    } else if (!pattern && EqualsIgnoreCase(ctx.arg(i), "libraryname")) {
      if (i + 1 >= ctx.argc()) return ctx.reply().Error("ERR library name argument was not given");
      pattern = ctx.arg(++i);
    } else {
      return ctx.reply().Error("ERR Unknown argument " + std::string(ctx.arg(i)));
    }
  }
  auto state = ctx.functions().state();
  std::vector<const FunctionLibrary*> shown;
  for (const auto& [name, lib] : state->libraries) {
    if (!pattern || GlobMatch(*pattern, name, true)) shown.push_back(lib.get());
  }
  ReplyWriter& w = ctx.reply();
  w.ArrayHeader(shown.size());
  for (const FunctionLibrary* lib : shown) {
    w.MapHeader(with_code ? 4 : 3);
    w.Bulk("library_name");
    w.Bulk(lib->name);
    w.Bulk("engine");
    w.Bulk(lib->engine);
    w.Bulk("functions");
    w.ArrayHeader(lib->functions.size());
    for (const FunctionInfo& f : lib->functions) ReplyFunction(ctx, f);
    if (with_code) {
      w.Bulk("library_code");
      w.Bulk(lib->code);
    }
  }
}

void CmdFunctionDump(CommandContext& ctx) { ctx.reply().Bulk(LibrariesPayload(*ctx.functions().state())); }

// FUNCTION RESTORE payload [FLUSH | APPEND | REPLACE]
void CmdFunctionRestore(CommandContext& ctx) {
  if (ctx.argc() > 4) return ctx.reply().Error(errors::SubcommandSyntax(ctx.arg(1), "FUNCTION"));
  enum class Policy { kAppend, kReplace, kFlush } policy = Policy::kAppend;
  if (ctx.argc() == 4) {
    if (EqualsIgnoreCase(ctx.arg(3), "append")) {
      policy = Policy::kAppend;
    } else if (EqualsIgnoreCase(ctx.arg(3), "replace")) {
      policy = Policy::kReplace;
    } else if (EqualsIgnoreCase(ctx.arg(3), "flush")) {
      policy = Policy::kFlush;
    } else {
      return ctx.reply().Error("ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.");
    }
  }
  std::vector<FunctionRegistry::LibraryPtr> libs;
  std::string error;
  if (!BuildLibrariesFromPayload(ctx.arg(2), &libs, &error)) return ctx.reply().Error(error);
  ShardSet::AllHeld held(ctx.shards());
  if (policy == Policy::kFlush) {
    ctx.functions().Reset(libs);
  } else if (!ctx.functions().AddAll(
                 libs, policy == Policy::kReplace ? FunctionRegistry::Join::kReplace : FunctionRegistry::Join::kAppend,
                 &error)) {
    return ctx.reply().Error(error);
  }
  LibrariesChanged();
  ctx.reply().Ok();
}

// FUNCTION STATS: the function running (seen from another I/O thread once it is past
// busy-reply-threshold), and the libraries.
void CmdFunctionStats(CommandContext& ctx) {
  ScriptGate::Running running;
  const bool busy = ctx.script_gate().Describe(&running);
  if (busy && running.eval) return ctx.reply().Error(ctx.script_gate().BusyError());
  auto state = ctx.functions().state();
  ReplyWriter& w = ctx.reply();
  w.MapHeader(2);
  w.Bulk("running_script");
  if (busy) {
    w.MapHeader(3);
    w.Bulk("name");
    w.Bulk(running.name);
    w.Bulk("command");
    w.ArrayHeader(running.command.size());
    for (const std::string& arg : running.command) w.Bulk(arg);
    w.Bulk("duration_ms");
    w.Integer(running.duration_ms);
  } else {
    w.Null();
  }
  w.Bulk("engines");
  w.MapHeader(1);
  w.Bulk("LUA");
  w.MapHeader(2);
  w.Bulk("libraries_count");
  w.Integer(static_cast<int64_t>(state->libraries.size()));
  w.Bulk("functions_count");
  w.Integer(static_cast<int64_t>(state->function_count()));
}

void CmdFunctionKill(CommandContext& ctx) { ReplyKill(ctx, false); }

void CmdFunctionHelp(CommandContext& ctx) {
  static const char* const kLines[] = {
      "FUNCTION <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "LOAD [REPLACE] <FUNCTION CODE>",
      "    Create a new library with the given library name and code.",
      "DELETE <LIBRARY NAME>",
      "    Delete the given library.",
      "LIST [LIBRARYNAME PATTERN] [WITHCODE]",
      "    Return general information on all the libraries:",
      "    * Library name",
      "    * The engine used to run the Library",
      "    * Library description",
      "    * Functions list",
      "    * Library code (if WITHCODE is given)",
      "    It also possible to get only function that matches a pattern using LIBRARYNAME argument.",
      "STATS",
      "    Return information about the current function running:",
      "    * Function name",
      "    * Command used to run the function",
      "    * Duration in MS that the function is running",
      "    If no function is running, return nil",
      "    In addition, returns a list of available engines.",
      "KILL",
      "    Kill the current running function.",
      "FLUSH [ASYNC|SYNC]",
      "    Delete all the libraries.",
      "    When called without the optional mode argument, the behavior is determined by the",
      "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
      "    * ASYNC: Asynchronously flush the libraries.",
      "    * SYNC: Synchronously flush the libraries.",
      "DUMP",
      "    Return a serialized payload representing the current libraries, can be restored using FUNCTION RESTORE command",
      "RESTORE <PAYLOAD> [FLUSH|APPEND|REPLACE]",
      "    Restore the libraries represented by the given payload, it is possible to give a restore policy to",
      "    control how to handle existing libraries (default APPEND):",
      "    * FLUSH: delete all existing libraries.",
      "    * APPEND: appends the restored libraries to the existing libraries. On collision, abort.",
      "    * REPLACE: appends the restored libraries to the existing libraries, On collision, replace the old",
      "      libraries with the new libraries (notice that even on this option there is a chance of failure",
      "      in case of functions name collision with another library).",
      "HELP",
      "    Prints this help.",
  };
  ReplyHelp(ctx, kLines);
}

void CmdFunction(CommandContext& ctx) {
  const std::string_view sub = ctx.arg(1);
  if (EqualsIgnoreCase(sub, "load")) return CmdFunctionLoad(ctx);
  if (EqualsIgnoreCase(sub, "delete")) return CmdFunctionDelete(ctx);
  if (EqualsIgnoreCase(sub, "flush")) return CmdFunctionFlush(ctx);
  if (EqualsIgnoreCase(sub, "list")) return CmdFunctionList(ctx);
  if (EqualsIgnoreCase(sub, "dump")) return CmdFunctionDump(ctx);
  if (EqualsIgnoreCase(sub, "restore")) return CmdFunctionRestore(ctx);
  if (EqualsIgnoreCase(sub, "stats")) return CmdFunctionStats(ctx);
  if (EqualsIgnoreCase(sub, "kill")) return CmdFunctionKill(ctx);
  CmdFunctionHelp(ctx);
}

}  // namespace

void RegisterFunctionFamily(CommandTable* t) {
  const char* g = "scripting";
  const uint32_t f = kCmdNoScript | kCmdSkipMonitor | kCmdNoMandatoryKeys | kCmdStale | kCmdScriptRunner;
  auto fcall = [&](const char* name, uint32_t extra, const char* summary, CommandHandler h) {
    CommandSpec spec = MakeSpec(g, name, -3, f | extra, 0, 0, 0, summary, "7.0.0", h, {"@slow", "@scripting"});
    spec.numkeys_arg = 2;
    return spec;
  };
  t->Register(fcall("fcall", 0, "Invoke a function", CmdFcall));
  t->Register(fcall("fcall_ro", kCmdReadOnly, "Invoke a read-only function", CmdFcallRo));
  const std::vector<std::string> acl = {"@slow", "@scripting"};
  const std::vector<std::string> acl_write = {"@write", "@slow", "@scripting"};
  t->Register(MakeContainer(g, "function", "A container for function commands", "7.0.0", CmdFunction,
                            {
                                MakeSub("load", -3, kCmdWrite | kCmdDenyOom | kCmdNoScript, 0, 0, 0, acl_write),
                                MakeSub("help", 2, kCmdLoading | kCmdStale, 0, 0, 0, acl),
                                MakeSub("flush", -2, kCmdWrite | kCmdNoScript, 0, 0, 0, acl_write),
                                MakeSub("stats", 2, kCmdNoScript | kCmdAllowBusy, 0, 0, 0, acl),
                                MakeSub("delete", 3, kCmdWrite | kCmdNoScript, 0, 0, 0, acl_write),
                                MakeSub("list", -2, kCmdNoScript, 0, 0, 0, acl),
                                MakeSub("dump", 2, kCmdNoScript, 0, 0, 0, acl),
                                MakeSub("kill", 2, kCmdNoScript | kCmdAllowBusy, 0, 0, 0, acl),
                                MakeSub("restore", -3, kCmdWrite | kCmdDenyOom | kCmdNoScript, 0, 0, 0, acl_write),
                            }));
}

}  // namespace minired
