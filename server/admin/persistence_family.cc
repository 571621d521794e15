// Persistence commands: SAVE BGSAVE BGREWRITEAOF LASTSAVE. See server/persistence.h.
#include "protocol/numbers.h"
#include "server/command_table.h"
#include "server/command_context.h"
#include "server/errors.h"
#include "server/families/families.h"
#include "server/families/spec.h"
#include "server/persistence.h"
#include "server/server.h"

namespace minired {
namespace {

Persistence* Require(CommandContext& ctx) {
  Persistence* p = ctx.server().persistence();
  if (p == nullptr) ctx.reply().Error("ERR persistence is not configured on this server");
  return p;
}

// SAVE
void CmdSave(CommandContext& ctx) {
  // Inside EXEC this thread holds every shard, which the snapshot it would wait for
  // needs: BGSAVE works there, SAVE would never return.
  if (ctx.session().tx.executing) return ctx.reply().Error("ERR SAVE is not allowed inside a transaction, use BGSAVE");
  Persistence* p = Require(ctx);
  if (!p) return;
  Status s = p->SaveNow();
  if (!s.ok()) {
    if (s.message().starts_with("ERR ")) return ctx.reply().Error(s.message());
    return ctx.reply().Error("ERR " + s.message());
  }
  ctx.reply().SimpleString("OK");
}

// BGSAVE [SCHEDULE]
void CmdBgSave(CommandContext& ctx) {
  if (ctx.argc() == 2 && !EqualsIgnoreCase(ctx.arg(1), "SCHEDULE")) return ctx.reply().Error(errors::kSyntax);
  if (ctx.argc() > 2) return ctx.reply().Error(errors::kSyntax);
  Persistence* p = Require(ctx);
  if (!p) return;
  std::string err;
  if (!p->StartSnapshot(&err)) {
    if (ctx.argc() == 2) return ctx.reply().SimpleString("Background saving scheduled");
    return ctx.reply().Error(err);
  }
  ctx.reply().SimpleString("Background saving started");
}

// BGREWRITEAOF: the log is compacted by a snapshot (which drops the entries it covers).
void CmdBgRewriteAof(CommandContext& ctx) {
  Persistence* p = Require(ctx);
  if (!p) return;
  std::string err;
  if (!p->StartSnapshot(&err)) {
    return ctx.reply().Error("ERR Background append only file rewriting already in progress");
  }
  ctx.reply().SimpleString("Background append only file rewriting started");
}

// LASTSAVE
void CmdLastSave(CommandContext& ctx) {
  Persistence* p = ctx.server().persistence();
  ctx.reply().Integer(p ? p->last_save_time_s() : ctx.server().start_time_ms() / 1000);
}

}  // namespace

void RegisterPersistenceFamily(CommandTable* t) {
  const char* g = "server";
  t->Register(MakeSpec(g, "save", 1, kCmdAdmin | kCmdNoScript | kCmdNoAsyncLoading | kCmdNoMulti, 0, 0, 0, "Synchronously saves the database(s) to disk.", "1.0.0", CmdSave, {"@admin", "@slow", "@dangerous"}));
  t->Register(MakeSpec(g, "bgsave", -1, kCmdAdmin | kCmdNoScript | kCmdNoAsyncLoading, 0, 0, 0, "Asynchronously saves the database(s) to disk.", "1.0.0", CmdBgSave, {"@admin", "@slow", "@dangerous"}));
  t->Register(MakeSpec(g, "bgrewriteaof", 1, kCmdAdmin | kCmdNoScript | kCmdNoAsyncLoading, 0, 0, 0, "Asynchronously rewrites the append-only file to disk.", "1.0.0", CmdBgRewriteAof, {"@admin", "@slow", "@dangerous"}));
  t->Register(MakeSpec(g, "lastsave", 1, kCmdLoading | kCmdStale | kCmdFast, 0, 0, 0, "Returns the Unix timestamp of the last successful save to disk.", "1.0.0", CmdLastSave, {"@admin", "@fast", "@dangerous"}));
}

}  // namespace minired
