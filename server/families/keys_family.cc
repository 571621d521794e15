// Generic key commands: DEL UNLINK EXISTS TYPE TOUCH RENAME RENAMENX COPY MOVE
// RANDOMKEY KEYS SCAN OBJECT.
#include <cerrno>
#include <cstdlib>
#include <vector>

#include "server/blocking.h"
#include "server/command_table.h"
#include "server/config.h"
#include "server/families/arg_parsing.h"
#include "server/families/collection_util.h"
#include "server/families/families.h"
#include "server/families/key_access.h"
#include "server/families/list_family.h"
#include "server/families/spec.h"
#include "server/keyspace_events.h"
#include "storage/glob.h"

namespace minired {
namespace {

// DEL key [key ...] / UNLINK key [key ...]
// Collections of more than kLazyFreeThreshold elements are freed on the lazy-free
// thread (Db::Erase), so DEL of a big key is O(1) for the caller, like UNLINK.
void CmdDel(CommandContext& ctx) {
  auto keys = ctx.args().subspan(1);
  MultiKeyAccess m(ctx, keys);
  int64_t deleted = 0;
  for (std::string_view key : keys) {
    uint64_t h = HashKey(key);
    Db& db = m.DbOf(h);
    Db::Slot s = db.Find(key, h, ctx.now_ms());
    if (s) {
      db.Erase(s);  // a removed stream's blocked group readers hear of it (KeyspaceListener)
      ctx.Notify(kEventGeneric, "del", key);
      ++deleted;
    }
  }
  Journal::CountChanges(deleted);
  ctx.reply().Integer(deleted);
}

// EXISTS key [key ...]: repeated keys count each time.
void CmdExists(CommandContext& ctx) {
  auto keys = ctx.args().subspan(1);
  MultiKeyAccess m(ctx, keys);
  int64_t n = 0;
  for (std::string_view key : keys) {
    uint64_t h = HashKey(key);
    if (LookupReadNoTouch(m.DbOf(h), key, h, ctx.now_ms())) ++n;
  }
  ctx.reply().Integer(n);
}

// TOUCH key [key ...]
void CmdTouch(CommandContext& ctx) {
  auto keys = ctx.args().subspan(1);
  MultiKeyAccess m(ctx, keys);
  int64_t n = 0;
  for (std::string_view key : keys) {
    if (m.FindRead(key)) ++n;
  }
  ctx.reply().Integer(n);
}

// TYPE key
void CmdType(CommandContext& ctx) {
  KeyAccess k(ctx, ctx.arg(1));
  Db::Slot s = LookupReadNoTouch(k.db(), k.key(), k.hash(), ctx.now_ms());
  ctx.reply().SimpleString(s ? TypeName(s.entry->type()) : "none");
}

// RENAME key newkey / RENAMENX key newkey
void RenameGeneric(CommandContext& ctx, bool nx) {
  std::string_view src = ctx.arg(1), dst = ctx.arg(2);
  std::string_view keys[] = {src, dst};
  MultiKeyAccess m(ctx, keys);
  uint64_t hs = HashKey(src), hd = HashKey(dst);
  Db& src_db = m.DbOf(hs);
  Db::Slot s = src_db.Find(src, hs, ctx.now_ms());
  if (!s) return ctx.reply().Error(errors::kNoSuchKey);
  if (src == dst) return nx ? ctx.reply().Integer(0) : ctx.reply().Ok();
  Db& dst_db = m.DbOf(hd);
  Db::Slot d = dst_db.Find(dst, hd, ctx.now_ms());
  if (d && nx) return ctx.reply().Integer(0);
  Entry* moved = Entry::MoveWith(s.entry, dst, s.entry->has_expire() ? s.entry->expire_ms() : 0);
  src_db.Erase(s);  // before touching dst: both may live in one table, and slots move
  dst_db.Upsert(moved, hd, ctx.now_ms());
  ctx.Notify(kEventGeneric, "rename_from", src);
  ctx.Notify(kEventGeneric, "rename_to", dst);
  if (WakesWaiters(moved->type())) NotifyKeyReady(ctx, dst);  // BLPOP waiters on newkey
  nx ? ctx.reply().Integer(1) : ctx.reply().Ok();
}
void CmdRename(CommandContext& ctx) { RenameGeneric(ctx, false); }
void CmdRenameNx(CommandContext& ctx) { RenameGeneric(ctx, true); }

// COPY source destination [DB destination-db] [REPLACE]
void CmdCopy(CommandContext& ctx) {
  int dst_index = ctx.db();
  bool replace = false;
  for (size_t i = 3; i < ctx.argc(); ++i) {
    if (EqualsIgnoreCase(ctx.arg(i), "REPLACE")) {
      replace = true;
    } else if (EqualsIgnoreCase(ctx.arg(i), "DB") && i + 1 < ctx.argc()) {
      auto id = Int32Arg(ctx, ctx.arg(++i));
      if (!id) return;
      if (*id < 0 || *id >= ctx.shards().databases()) return ctx.reply().Error(errors::kDbIndexOutOfRange);
      dst_index = *id;
    } else {
      return ctx.reply().Error(errors::kSyntax);
    }
  }
  std::string_view src = ctx.arg(1), dst = ctx.arg(2);
  if (dst_index == ctx.db() && src == dst) return ctx.reply().Error(errors::kSameObject);
  std::string_view keys[] = {src, dst};
  MultiKeyAccess m(ctx, keys);
  Db::Slot s = m.FindRead(src);
  if (!s) return ctx.reply().Integer(0);
  uint64_t hd = HashKey(dst);
  Db& dst_db = m.DbOf(hd, dst_index);
  Db::Slot d = dst_db.Find(dst, hd, ctx.now_ms());
  if (d && !replace) return ctx.reply().Integer(0);
  Entry* copy = Entry::DeepCopy(s.entry, dst, s.entry->has_expire() ? s.entry->expire_ms() : 0);
  if (d) {
    dst_db.Replace(d, copy);
  } else {
    dst_db.Insert(copy, hd);
  }
  ctx.Notify(kEventGeneric, "copy_to", dst, dst_index);
  if (WakesWaiters(copy->type())) NotifyKeyReady(ctx, dst, dst_index);
  ctx.reply().Integer(1);
}

// MOVE key db: the entry itself changes database (one shard holds the key in every
// database), with its expiry and access history.
void CmdMove(CommandContext& ctx) {
  auto id = Int32Arg(ctx, ctx.arg(2));
  if (!id) return;
  if (*id < 0 || *id >= ctx.shards().databases()) return ctx.reply().Error(errors::kDbIndexOutOfRange);
  if (*id == ctx.db()) return ctx.reply().Error(errors::kSameObject);
  KeyAccess k(ctx, ctx.arg(1));
  Db::Slot s = k.FindWrite();
  if (!s) return ctx.reply().Integer(0);
  Db& dst = ctx.shards().ShardFor(k.hash()).db(*id);
  if (dst.Find(k.key(), k.hash(), ctx.now_ms())) return ctx.reply().Integer(0);
  Entry* e = k.db().Detach(s);
  dst.Insert(e, k.hash());
  ctx.Notify(kEventGeneric, "move_from", k.key());
  ctx.Notify(kEventGeneric, "move_to", k.key(), *id);
  if (WakesWaiters(e->type())) NotifyKeyReady(ctx, k.key(), *id);
  ctx.reply().Integer(1);
}

// RANDOMKEY
void CmdRandomKey(CommandContext& ctx) {
  ShardSet& shards = ctx.shards();
  thread_local std::mt19937_64 rng(std::random_device{}());
  size_t n = shards.size();
  size_t start = std::uniform_int_distribution<size_t>(0, n - 1)(rng);
  // Shards are equally likely to hold any key (uniform hash), so a random non-empty
  // shard and then a random slot in it is close to uniform over keys.
  for (size_t i = 0; i < n; ++i) {
    Shard& sh = shards.shard((start + i) % n);
    std::lock_guard<ShardMutex> l(sh.mu());
    Db::Slot s = sh.db(ctx.db()).RandomKey(ctx.now_ms(), rng);
    if (s) return ctx.reply().Bulk(s.entry->key());
  }
  ctx.reply().Null();
}

// KEYS pattern
void CmdKeys(CommandContext& ctx) {
  std::string_view pattern = ctx.arg(1);
  bool all = pattern == "*";
  std::vector<std::string> found;
  for (size_t i = 0; i < ctx.shards().size(); ++i) {
    Shard& sh = ctx.shards().shard(i);
    std::lock_guard<ShardMutex> l(sh.mu());
    uint64_t pos = 0;
    while (pos < kScanEnd) {
      sh.db(ctx.db()).Scan(&pos, SIZE_MAX, [&](const Entry* e) {
        if (e->has_expire() && e->expire_ms() <= ctx.now_ms()) return;
        if (all || GlobMatch(pattern, e->key())) found.emplace_back(e->key());
      });
    }
  }
  ctx.reply().ArrayHeader(found.size());
  for (const auto& k : found) ctx.reply().Bulk(k);
}

// SCAN cursor [MATCH pattern] [COUNT count] [TYPE type]
//
// The cursor is pos * shards + shard, where pos is a position in hash order within that
// shard's table (see storage/slot_table.h): every key present for the whole scan is
// returned exactly once, even if tables grow or shrink in between.
void CmdScan(CommandContext& ctx) {
  auto cursor = ParseCursor(ctx.arg(1));
  if (!cursor) return ctx.reply().Error("ERR invalid cursor");
  ScanOptions opt;
  if (!ParseScanOptions(ctx, 2, &opt, /*allow_type=*/true)) return;
  ShardSet& shards = ctx.shards();
  const uint64_t nshards = shards.size();
  uint64_t shard = *cursor % nshards;
  uint64_t pos = *cursor / nshards;
  std::vector<std::string> found;
  std::vector<std::string> expired;
  const size_t want = static_cast<size_t>(std::min<int64_t>(opt.count, 1 << 20));
  size_t budget = want * 10;  // slots examined, as Redis's maxiterations
  while (shard < nshards && found.size() < want && budget > 0) {
    Shard& sh = shards.shard(shard);
    {
      std::lock_guard<ShardMutex> l(sh.mu());
      Db& db = sh.db(ctx.db());
      expired.clear();
      while (pos < kScanEnd && found.size() < want && budget > 0) {
        size_t step = std::min(budget, want);
        size_t examined = db.Scan(&pos, step, [&](const Entry* e) {
          if (e->has_expire() && e->expire_ms() <= ctx.now_ms()) {
            expired.emplace_back(e->key());
            return;
          }
          if (opt.has_pattern && !GlobMatch(opt.pattern, e->key())) return;
          if (opt.has_type && !EqualsIgnoreCase(opt.type, TypeName(e->type()))) return;
          found.emplace_back(e->key());
        });
        budget -= std::min(budget, examined);
      }
      for (const auto& k : expired) db.Find(k, HashKey(k), ctx.now_ms());  // lazy expiry
    }
    if (pos >= kScanEnd) {
      ++shard;
      pos = 0;
    }
  }
  uint64_t next = shard >= nshards ? 0 : pos * nshards + shard;
  ctx.reply().ArrayHeader(2);
  ctx.reply().Bulk(Int64ToString(static_cast<int64_t>(next)));
  ctx.reply().ArrayHeader(found.size());
  for (const auto& k : found) ctx.reply().Bulk(k);
}

// OBJECT <ENCODING | FREQ | IDLETIME | REFCOUNT> key / OBJECT HELP
void CmdObject(CommandContext& ctx) {
  std::string_view sub = ctx.arg(1);
  if (EqualsIgnoreCase(sub, "HELP") && ctx.argc() == 2) {
    static const char* kHelp[] = {
        "OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "ENCODING <key>",
        "    Return the kind of internal representation used in order to store the value",
        "    associated with a <key>.",
        "FREQ <key>",
        "    Return the access frequency index of the <key>. The returned integer is",
        "    proportional to the logarithm of the recent access frequency of the key.",
        "IDLETIME <key>",
        "    Return the idle time of the <key>, that is the approximated number of",
        "    seconds elapsed since the last access to the key.",
        "REFCOUNT <key>",
        "    Return the number of references of the value associated with the specified",
        "    <key>.",
        "HELP",
        "    Prints this help.",
    };
    ReplyHelp(ctx, kHelp);
    return;
  }
  bool known = EqualsIgnoreCase(sub, "ENCODING") || EqualsIgnoreCase(sub, "FREQ") ||
               EqualsIgnoreCase(sub, "IDLETIME") || EqualsIgnoreCase(sub, "REFCOUNT");
  if (!known) return ctx.reply().Error(errors::UnknownSubcommand(sub, "OBJECT"));
  KeyAccess k(ctx, ctx.arg(2));
  // OBJECT looks without touching: asking for the idle time must not reset it.
  Db::Slot s = k.db().Find(k.key(), k.hash(), ctx.now_ms());
  if (!s) return ctx.reply().Null();
  const Entry* e = s.entry;
  const AccessPolicy& access = k.db().access();
  if (EqualsIgnoreCase(sub, "ENCODING")) {
    ctx.reply().Bulk(EncodingName(e->encoding()));
  } else if (EqualsIgnoreCase(sub, "REFCOUNT")) {
    // Redis shares the objects of the integers 0..9999 and reports them as INT_MAX.
    bool shared = e->is_int() && e->int_value() >= 0 && e->int_value() < 10000;
    ctx.reply().Integer(shared ? 2147483647 : 1);
  } else if (EqualsIgnoreCase(sub, "IDLETIME")) {
    if (access.lfu.load(std::memory_order_relaxed)) {
      return ctx.reply().Error(
          "ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when "
          "switching between policies at runtime LRU and LFU data will take some time to adjust.");
    }
    ctx.reply().Integer(LruIdleSeconds(e->lru(), LruClock(ctx.now_ms())));
  } else if (!access.lfu.load(std::memory_order_relaxed)) {
    ctx.reply().Error(
        "ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note "
        "that when switching between policies at runtime LRU and LFU data will take some time "
        "to adjust.");
  } else {
    ctx.reply().Integer(LfuDecayedCounter(e->lru(), ctx.now_ms(), access.lfu_decay_minutes.load()));
  }
}

}  // namespace

void RegisterKeysFamily(CommandTable* t) {
  const char* g = "generic";
  const uint32_t r = kCmdReadOnly | kCmdFast;
  t->Register(MakeSpec(g, "del", -2, kCmdWrite, 1, -1, 1, "Deletes one or more keys.", "1.0.0", CmdDel, {"@keyspace", "@write", "@slow"}));
  t->Register(MakeSpec(g, "unlink", -2, kCmdWrite | kCmdFast, 1, -1, 1, "Asynchronously deletes one or more keys.", "4.0.0", CmdDel, {"@keyspace", "@write", "@fast"}));
  t->Register(MakeSpec(g, "exists", -2, r, 1, -1, 1, "Determines whether one or more keys exist.", "1.0.0", CmdExists, {"@keyspace", "@read", "@fast"}));
  t->Register(MakeSpec(g, "touch", -2, r, 1, -1, 1, "Returns the number of existing keys out of those specified after updating the time they were last accessed.", "3.2.1", CmdTouch, {"@keyspace", "@read", "@fast"}));
  t->Register(MakeSpec(g, "type", 2, r, 1, 1, 1, "Determines the type of value stored at a key.", "1.0.0", CmdType, {"@keyspace", "@read", "@fast"}));
  t->Register(MakeSpec(g, "rename", 3, kCmdWrite, 1, 2, 1, "Renames a key and overwrites the destination.", "1.0.0", CmdRename, {"@keyspace", "@write", "@slow"}));
  t->Register(MakeSpec(g, "renamenx", 3, kCmdWrite | kCmdFast, 1, 2, 1, "Renames a key only when the target key name doesn't exist.", "1.0.0", CmdRenameNx, {"@keyspace", "@write", "@fast"}));
  t->Register(MakeSpec(g, "copy", -3, kCmdWrite | kCmdDenyOom, 1, 2, 1, "Copies the value of a key to a new key.", "6.2.0", CmdCopy, {"@keyspace", "@write", "@slow"}));
  t->Register(MakeSpec(g, "move", 3, kCmdWrite | kCmdFast, 1, 1, 1, "Moves a key to another database.", "1.0.0", CmdMove, {"@keyspace", "@write", "@fast"}));
  t->Register(MakeSpec(g, "randomkey", 1, kCmdReadOnly, 0, 0, 0, "Returns a random key name from the database.", "1.0.0", CmdRandomKey, {"@keyspace", "@read", "@slow"}));
  t->Register(MakeSpec(g, "keys", 2, kCmdReadOnly, 0, 0, 0, "Returns all key names that match a pattern.", "1.0.0", CmdKeys, {"@keyspace", "@read", "@slow", "@dangerous"}));
  t->Register(MakeSpec(g, "scan", -2, kCmdReadOnly, 0, 0, 0, "Iterates over the key names in the database.", "2.8.0", CmdScan, {"@keyspace", "@read", "@slow"}));
  t->Register(MakeContainer(g, "object", "A container for object introspection commands.", "2.2.3", CmdObject, {
      MakeSub("encoding", 3, kCmdReadOnly, 2, 2, 1, {"@keyspace", "@read", "@slow"}),
      MakeSub("freq", 3, kCmdReadOnly, 2, 2, 1, {"@keyspace", "@read", "@slow"}),
      MakeSub("idletime", 3, kCmdReadOnly, 2, 2, 1, {"@keyspace", "@read", "@slow"}),
      MakeSub("refcount", 3, kCmdReadOnly, 2, 2, 1, {"@keyspace", "@read", "@slow"}),
      MakeSub("help", 2, kCmdLoading | kCmdStale, 0, 0, 0, {"@keyspace", "@slow"}),
  }));
}

}  // namespace minired
