// Server commands: INFO TIME DEBUG SHUTDOWN.
#include <chrono>
#include <cstdlib>
#include <thread>

#include "server/command_table.h"
#include "server/families/arg_parsing.h"
#include "server/families/families.h"
#include "server/admin/info.h"
#include "server/families/spec.h"
#include "server/logger.h"
#include "server/persistence.h"
#include "server/server.h"

namespace minired {
namespace {

// INFO [section [section ...]]
void CmdInfo(CommandContext& ctx) {
  std::vector<std::string> sections;
  for (size_t i = 1; i < ctx.argc(); ++i) {
    std::string s(ctx.arg(i));
    ToLowerInPlace(s);
    sections.push_back(std::move(s));
  }
  ctx.reply().Verbatim(BuildInfo(ctx.server(), sections));
}

// TIME
void CmdTime(CommandContext& ctx) {
  int64_t us = ctx.server().clock().NowUs();
  ctx.reply().ArrayHeader(2);
  ctx.reply().BulkInt(us / 1000000);
  ctx.reply().BulkInt(us % 1000000);
}

// DEBUG SLEEP seconds | SET-ACTIVE-EXPIRE 0|1 | HELP
void CmdDebug(CommandContext& ctx) {
  std::string_view sub = ctx.arg(1);
  if (EqualsIgnoreCase(sub, "SLEEP") && ctx.argc() == 3) {
    auto secs = ParseDouble(ctx.arg(2));
    if (!secs) return ctx.reply().Error(errors::kNotFloat);
    // Blocks this connection's I/O thread, as Redis blocks its only thread.
    std::this_thread::sleep_for(std::chrono::microseconds(static_cast<int64_t>(*secs * 1e6)));
    return ctx.reply().Ok();
  }
  if (EqualsIgnoreCase(sub, "SET-ACTIVE-EXPIRE") && ctx.argc() == 3) {
    auto on = ParseInt64(ctx.arg(2));
    if (!on) return ctx.reply().Error(errors::kNotInteger);
    ctx.server().set_active_expire(*on != 0);
    return ctx.reply().Ok();
  }
  if (EqualsIgnoreCase(sub, "HELP") && ctx.argc() == 2) {
    static const char* kHelp[] = {
        "DEBUG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "SET-ACTIVE-EXPIRE <0|1>",
        "    Setting it to 0 disables expiring keys in background when they are not",
        "    accessed (otherwise the Redis behavior). Setting it to 1 reenables back the",
        "    default.",
        "SLEEP <seconds>",
        "    Stop the server for <seconds>. Decimals allowed.",
        "HELP",
        "    Prints this help.",
    };
    ReplyHelp(ctx, kHelp);
    return;
  }
  ctx.reply().Error(errors::UnknownSubcommand(sub, "DEBUG"));
}

// SHUTDOWN [NOSAVE | SAVE] [NOW] [FORCE] [ABORT]
void CmdShutdown(CommandContext& ctx) {
  bool abort = false, save = false, nosave = false;
  for (size_t i = 1; i < ctx.argc(); ++i) {
    std::string_view a = ctx.arg(i);
    if (EqualsIgnoreCase(a, "NOSAVE")) {
      nosave = true;
    } else if (EqualsIgnoreCase(a, "NOW") || EqualsIgnoreCase(a, "FORCE")) {
      continue;
    } else if (EqualsIgnoreCase(a, "SAVE")) {
      save = true;
    } else if (EqualsIgnoreCase(a, "ABORT")) {
      abort = true;
    } else {
      return ctx.reply().Error(errors::kSyntax);
    }
  }
  if (abort) {
    if (ctx.argc() != 2) return ctx.reply().Error(errors::kSyntax);
    return ctx.reply().Error("ERR No shutdown in progress.");
  }
  if (save && nosave) return ctx.reply().Error(errors::kSyntax);
  if (save && ctx.server().persistence() == nullptr) {
    Log(LogLevel::kWarning, "SHUTDOWN SAVE refused: this server has no persistence configured");
    return ctx.reply().Error("ERR Errors trying to SHUTDOWN. Check logs.");
  }
  ScriptGate& gate = ctx.server().script_gate();
  if (gate.running()) {
    // Only SHUTDOWN NOSAVE ends a busy script's server (its effects, journaled when it
    // ends, are never written); the log is flushed, the rest left as a crash leaves it.
    if (!nosave) return ctx.reply().Error(gate.BusyError());
    Log(LogLevel::kWarning, "User requested shutdown while a script runs: exiting without saving");
    if (Persistence* p = ctx.server().persistence()) p->StopLog();
    std::_Exit(0);
  }
  // The final snapshot is taken by main once the I/O threads stopped (unless NOSAVE).
  ctx.server().set_shutdown_save(!nosave);
  Log(LogLevel::kWarning, "User requested shutdown...");
  ctx.server().RequestShutdown();
  ctx.session().close_after_reply = true;
}

}  // namespace

void RegisterServerFamily(CommandTable* t) {
  const char* g = "server";
  t->Register(MakeSpec(g, "info", -1, kCmdLoading | kCmdStale, 0, 0, 0, "Returns information and statistics about the server.", "1.0.0", CmdInfo, {"@slow", "@dangerous"}));
  t->Register(MakeSpec(g, "time", 1, kCmdLoading | kCmdStale | kCmdFast, 0, 0, 0, "Returns the server time.", "2.6.0", CmdTime, {"@fast"}));
  t->Register(MakeSpec(g, "debug", -2, kCmdAdmin | kCmdNoScript | kCmdLoading | kCmdStale, 0, 0, 0, "A container for debugging commands.", "1.0.0", CmdDebug, {"@admin", "@slow", "@dangerous"}));
  t->Register(MakeSpec(g, "shutdown", -1, kCmdAdmin | kCmdNoScript | kCmdLoading | kCmdStale | kCmdNoMulti | kCmdAllowBusy, 0, 0, 0, "Synchronously saves the database(s) to disk and shuts down the Redis server.", "1.0.0", CmdShutdown, {"@admin", "@slow", "@dangerous"}));
}

}  // namespace minired
