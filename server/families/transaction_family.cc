// Transactions: MULTI EXEC DISCARD WATCH UNWATCH.
//
// Queuing happens in the dispatcher (Server::Execute). EXEC takes every shard's mutex in
// order, marks the thread as holding them all (ShardMutex), and runs the queued commands
// through the normal dispatcher: no other client's command can interleave, whichever
// shards the transaction touches. WATCH registers a flag on each key's Db; every write
// to a watched key (including expiry and flushes) raises it, under that key's lock.
#include <vector>

#include "server/command_table.h"
#include "server/config.h"
#include "server/families/arg_parsing.h"
#include "server/families/families.h"
#include "server/families/key_access.h"
#include "server/families/spec.h"

namespace minired {

void UnwatchAll(ShardSet& shards, Session& s) {
  for (const auto& [db, key] : s.tx.watched) {
    uint64_t h = HashKey(key);
    Shard& shard = shards.ShardFor(h);
    std::lock_guard<ShardMutex> l(shard.mu());
    shard.db(db).Unwatch(key, s.tx.watch_flag.get());
  }
  s.tx.watched.clear();
  s.tx.watch_flag.reset();
}

void DiscardTransaction(Session& s) {
  s.tx.active = false;
  s.tx.failed = false;
  s.tx.queued.clear();
  s.tx.queued.shrink_to_fit();
  if (s.info) s.info->multi.store(-1, std::memory_order_relaxed);
}

namespace {

void CmdMulti(CommandContext& ctx) {
  Session& s = ctx.session();
  if (s.tx.active) return ctx.reply().Error("ERR MULTI calls can not be nested");
  s.tx.active = true;
  s.tx.failed = false;
  if (s.info) s.info->multi.store(0, std::memory_order_relaxed);
  ctx.reply().Ok();
}

void CmdDiscard(CommandContext& ctx) {
  Session& s = ctx.session();
  if (!s.tx.active) return ctx.reply().Error("ERR DISCARD without MULTI");
  DiscardTransaction(s);
  UnwatchAll(ctx.shards(), s);
  ctx.reply().Ok();
}

void CmdExec(CommandContext& ctx) {
  Session& s = ctx.session();
  if (!s.tx.active) return ctx.reply().Error("ERR EXEC without MULTI");
  if (s.tx.failed) {
    DiscardTransaction(s);
    UnwatchAll(ctx.shards(), s);
    return ctx.reply().Error("EXECABORT Transaction discarded because of previous errors.");
  }
  std::vector<std::vector<std::string>> queued = std::move(s.tx.queued);
  DiscardTransaction(s);
  {
    ShardSet::AllHeld all(ctx.shards());
    // A watched key that expired since WATCH counts as modified: looking it up now
    // deletes it, which raises its watchers.
    for (const auto& [db, key] : s.tx.watched) {
      uint64_t h = HashKey(key);
      ctx.shards().ShardFor(h).db(db).Find(key, h, ctx.now_ms());
    }
    if (s.tx.watch_flag && s.tx.watch_flag->dirty.load()) {
      ctx.reply().NullArray();
    } else {
      ctx.reply().ArrayHeader(queued.size());
      s.tx.executing = true;
      std::vector<std::string_view> args;
      for (const auto& cmd : queued) {
        args.assign(cmd.begin(), cmd.end());
        ctx.Call(s, args);
      }
      s.tx.executing = false;
      Journal::CountChanges(0);  // each queued command counted its own changes
    }
  }
  UnwatchAll(ctx.shards(), s);
}

// WATCH key [key ...]
void CmdWatch(CommandContext& ctx) {
  Session& s = ctx.session();
  if (s.tx.active) return ctx.reply().Error("ERR WATCH inside MULTI is not allowed");
  if (!s.tx.watch_flag) s.tx.watch_flag = std::make_shared<WatchFlag>();
  for (size_t i = 1; i < ctx.argc(); ++i) {
    std::string_view key = ctx.arg(i);
    bool already = false;
    for (const auto& w : s.tx.watched) already |= w.first == s.db && w.second == key;
    if (already) continue;
    KeyAccess k(ctx, key);
    k.db().Find(key, k.hash(), ctx.now_ms());  // an already expired key is gone, not "changed"
    k.db().Watch(key, s.tx.watch_flag);
    s.tx.watched.emplace_back(s.db, std::string(key));
  }
  ctx.reply().Ok();
}

void CmdUnwatch(CommandContext& ctx) {
  UnwatchAll(ctx.shards(), ctx.session());
  ctx.reply().Ok();
}

}  // namespace

void RegisterTransactionFamily(CommandTable* t) {
  const char* g = "transactions";
  const uint32_t f = kCmdNoScript | kCmdLoading | kCmdStale | kCmdFast | kCmdAllowBusy;
  t->Register(MakeSpec(g, "multi", 1, f, 0, 0, 0, "Starts a transaction.", "1.2.0", CmdMulti, {"@fast", "@transaction"}));
  t->Register(MakeSpec(g, "exec", 1, kCmdNoScript | kCmdLoading | kCmdStale | kCmdSkipSlowlog, 0, 0, 0, "Executes all commands in a transaction.", "1.2.0", CmdExec, {"@slow", "@transaction"}));
  t->Register(MakeSpec(g, "discard", 1, f, 0, 0, 0, "Discards a transaction.", "2.0.0", CmdDiscard, {"@fast", "@transaction"}));
  t->Register(MakeSpec(g, "watch", -2, f, 1, -1, 1, "Monitors changes to keys to determine the execution of a transaction.", "2.2.0", CmdWatch, {"@fast", "@transaction"}));
  t->Register(MakeSpec(g, "unwatch", 1, f, 0, 0, 0, "Forgets about watched keys of a transaction.", "2.2.0", CmdUnwatch, {"@fast", "@transaction"}));
}

}  // namespace minired
