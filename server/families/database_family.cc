// Logical databases: SELECT SWAPDB DBSIZE FLUSHDB FLUSHALL.
#include <mutex>
#include <string>
#include <vector>

#include "server/blocking.h"
#include "server/command_table.h"
#include "server/config.h"
#include "server/families/arg_parsing.h"
#include "server/families/families.h"
#include "server/families/list_family.h"
#include "server/families/spec.h"
#include "storage/journal.h"
#include "storage/lazy_free.h"
#include "storage/shard_set.h"

namespace minired {
namespace {

// SELECT index
void CmdSelect(CommandContext& ctx) {
  auto id = Int32Arg(ctx, ctx.arg(1));
  if (!id) return;
  if (*id < 0 || *id >= ctx.shards().databases()) return ctx.reply().Error(errors::kDbIndexOutOfRange);
  ctx.session().db = *id;
  ctx.session().info->db.store(*id, std::memory_order_relaxed);
  ctx.reply().Ok();
}

// SWAPDB index1 index2
void CmdSwapDb(CommandContext& ctx) {
  auto a = Int32Arg(ctx, ctx.arg(1), "ERR invalid first DB index");
  if (!a) return;
  auto b = Int32Arg(ctx, ctx.arg(2), "ERR invalid second DB index");
  if (!b) return;
  int n = ctx.shards().databases();
  if (*a < 0 || *a >= n || *b < 0 || *b >= n) return ctx.reply().Error(errors::kDbIndexOutOfRange);
  ShardSet::Lock all = ctx.shards().LockAll();
  for (size_t i = 0; i < ctx.shards().size(); ++i) ctx.shards().shard(i).SwapDbs(*a, *b);
  // Tracked keys are keys of any database: both swapped ones may have changed under a
  // client's cache. (Redis 7.0 sends nothing here, and its clients keep stale values.)
  ctx.InvalidateTrackedKeys();
  // Clients blocked on a key that is now a list, sorted set or stream in their
  // database are served, and group readers whose stream went with the other database
  // are answered -UNBLOCKED, as Redis does.
  for (int index : {*a, *b}) {
    for (const std::string& key : ctx.blocking().WaitedKeys(index)) MarkKeyReady(index, key);
  }
  ctx.reply().Ok();
}

// DBSIZE: keys not yet reclaimed after expiring still count, as in Redis.
void CmdDbSize(CommandContext& ctx) {
  int64_t n = 0;
  for (size_t i = 0; i < ctx.shards().size(); ++i) {
    Shard& sh = ctx.shards().shard(i);
    std::lock_guard<ShardMutex> l(sh.mu());
    n += static_cast<int64_t>(sh.db(ctx.db()).size());
  }
  ctx.reply().Integer(n);
}

// Empties database `index` (or all when -1) and returns how many keys it removed
// (expired ones not yet reclaimed included, as Redis counts). ASYNC detaches the
// tables under the lock and frees them on the lazy-free thread, so the command returns
// in O(shards).
uint64_t Flush(CommandContext& ctx, int index, bool async) {
  std::vector<Db> detached;
  uint64_t removed = 0;
  {
    ShardSet::Lock all = ctx.shards().LockAll();
    for (size_t i = 0; i < ctx.shards().size(); ++i) {
      Shard& sh = ctx.shards().shard(i);
      for (int d = 0; d < sh.databases(); ++d) {
        if (index >= 0 && d != index) continue;
        Db& db = sh.db(d);
        if (db.size() == 0) continue;
        removed += db.size();
        db.TouchAllWatched();
        KeyspaceStats stats = db.stats();
        auto watchers = db.TakeWatchers();
        detached.push_back(std::move(db));
        db = Db();
        db.stats() = stats;  // counters survive a flush, as INFO stats do in Redis
        db.SetWatchers(std::move(watchers));
      }
    }
    // Under every lock: a read registered after it sees the emptied database.
    ctx.InvalidateTrackedKeys();
  }
  // Every stream went with its database: its blocked group readers are answered
  // -UNBLOCKED after the command (as Redis 7.0); other waiters find nothing and wait on.
  for (int d = 0; d < ctx.shards().databases(); ++d) {
    if (index >= 0 && d != index) continue;
    for (const std::string& key : ctx.blocking().WaitedKeys(d)) MarkKeyReady(d, key);
  }
  if (async && !detached.empty()) {
    auto owned = std::make_shared<std::vector<Db>>(std::move(detached));
    LazyFreer::Global().Submit([owned]() { owned->clear(); });
  }
  return removed;
}

// FLUSHDB [ASYNC | SYNC] / FLUSHALL [ASYNC | SYNC]
bool ParseFlushMode(CommandContext& ctx, bool* async) {
  *async = false;
  if (ctx.argc() > 2) {
    ctx.reply().Error(errors::kSyntax);
    return false;
  }
  if (ctx.argc() == 2) {
    if (EqualsIgnoreCase(ctx.arg(1), "ASYNC")) {
      *async = true;
    } else if (!EqualsIgnoreCase(ctx.arg(1), "SYNC")) {
      ctx.reply().Error(errors::kSyntax);
      return false;
    }
  }
  return true;
}

bool HasSaveRules(CommandContext& ctx) {
  const PersistenceConfig& pc = ctx.config().persistence;
  std::lock_guard lock(pc.save_mu);
  return !pc.save.empty();
}

void CmdFlushDb(CommandContext& ctx) {
  bool async;
  if (!ParseFlushMode(ctx, &async)) return;
  Journal::CountChanges(Flush(ctx, ctx.db(), async));
  ctx.reply().Ok();
}

void CmdFlushAll(CommandContext& ctx) {
  bool async;
  if (!ParseFlushMode(ctx, &async)) return;
  Journal::CountChanges(Flush(ctx, -1, async));
  // As Redis does, with save rules FLUSHALL also saves the emptied dataset before it
  // replies, so a crash after it cannot bring the keys back from an older snapshot.
  if (ctx.session().origin != Origin::kLogReplay && HasSaveRules(ctx)) {
    ctx.session().save_after_command = true;
  }
  ctx.reply().Ok();
}

}  // namespace

void RegisterDatabaseFamily(CommandTable* t) {
  const char* g = "server";
  t->Register(MakeSpec("connection", "select", 2, kCmdLoading | kCmdStale | kCmdFast, 0, 0, 0, "Changes the selected database.", "1.0.0", CmdSelect, {"@connection", "@fast"}));
  t->Register(MakeSpec(g, "swapdb", 3, kCmdWrite | kCmdFast, 0, 0, 0, "Swaps two Redis databases.", "4.0.0", CmdSwapDb, {"@keyspace", "@write", "@fast", "@dangerous"}));
  t->Register(MakeSpec(g, "dbsize", 1, kCmdReadOnly | kCmdFast, 0, 0, 0, "Returns the number of keys in the database.", "1.0.0", CmdDbSize, {"@keyspace", "@read", "@fast"}));
  t->Register(MakeSpec(g, "flushdb", -1, kCmdWrite, 0, 0, 0, "Remove all keys from the current database.", "1.0.0", CmdFlushDb, {"@keyspace", "@write", "@slow", "@dangerous"}));
  t->Register(MakeSpec(g, "flushall", -1, kCmdWrite, 0, 0, 0, "Removes all keys from all databases.", "1.0.0", CmdFlushAll, {"@keyspace", "@write", "@slow", "@dangerous"}));
}

}  // namespace minired
