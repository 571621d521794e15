// DUMP and RESTORE (and RESTORE-ASKING): a key's value in Redis's RDB form
// (storage/rdb/dump_payload.h), so keys move between minired and redis-server both ways.
#include <climits>

#include "server/blocking.h"
#include "server/command_table.h"
#include "server/config.h"
#include "server/families/arg_parsing.h"
#include "server/families/collection_util.h"
#include "server/families/families.h"
#include "server/families/key_access.h"
#include "server/families/list_family.h"
#include "server/families/records.h"
#include "server/families/spec.h"
#include "server/keyspace_events.h"
#include "storage/access_clock.h"
#include "storage/rdb/dump_payload.h"

namespace minired {
namespace {

// DUMP key
void CmdDump(CommandContext& ctx) {
  KeyAccess k(ctx, ctx.arg(1));
  Db::Slot s = k.FindRead();
  if (!s) return ctx.reply().Null();
  ctx.reply().Bulk(rdb::DumpPayload(s.entry));
}

// RESTORE key ttl serialized-value [REPLACE] [ABSTTL] [IDLETIME seconds] [FREQ frequency]
// Checks in Redis 7.0's order (restoreCommand): options, BUSYKEY, the TTL, the payload's
// footer, its value. A TTL already past stores nothing (and deletes a replaced key).
void CmdRestore(CommandContext& ctx) {
  bool replace = false, absttl = false;
  int64_t idle = -1, freq = -1;
  for (size_t i = 4; i < ctx.argc(); ++i) {
    std::string_view o = ctx.arg(i);
    const bool more = i + 1 < ctx.argc();
    if (EqualsIgnoreCase(o, "REPLACE")) {
      replace = true;
    } else if (EqualsIgnoreCase(o, "ABSTTL")) {
      absttl = true;
    } else if (EqualsIgnoreCase(o, "IDLETIME") && more && freq == -1) {
      auto v = IntArg(ctx, ctx.arg(++i));
      if (!v) return;
      if (*v < 0) return ctx.reply().Error("ERR Invalid IDLETIME value, must be >= 0");
      idle = *v;
    } else if (EqualsIgnoreCase(o, "FREQ") && more && idle == -1) {
      auto v = IntArg(ctx, ctx.arg(++i));
      if (!v) return;
      if (*v < 0 || *v > 255) return ctx.reply().Error("ERR Invalid FREQ value, must be >= 0 and <= 255");
      freq = *v;
    } else {
      return ctx.reply().Error(errors::kSyntax);
    }
  }
  KeyAccess k(ctx, ctx.arg(1));
  Db::Slot s = k.FindWrite();
  if (s && !replace) return ctx.reply().Error("BUSYKEY Target key name already exists.");
  auto ttl = IntArg(ctx, ctx.arg(2));
  if (!ttl) return;
  if (*ttl < 0) return ctx.reply().Error("ERR Invalid TTL value, must be >= 0");
  int64_t at = *ttl;
  if (at != 0 && !absttl) {
    if (at > LLONG_MAX - ctx.now_ms()) return ctx.reply().Error("ERR Invalid TTL value, must be >= 0");
    at += ctx.now_ms();
  }
  Entry* e = nullptr;
  switch (rdb::RestorePayload(ctx.arg(3), k.key(), at, ctx.config().encoding, &e)) {
    case rdb::RestoreResult::kBadFooter: return ctx.reply().Error("ERR DUMP payload version or checksum are wrong");
    case rdb::RestoreResult::kBadData: return ctx.reply().Error("ERR Bad data format");
    case rdb::RestoreResult::kOk: break;
  }
  // Replaying the log or the master's stream runs timeless (now 0): nothing is past.
  if (at != 0 && ctx.now_ms() != 0 && at <= ctx.now_ms()) {
    Entry::Free(e);
    if (s) {
      k.db().Erase(s);
      ctx.Notify(kEventGeneric, "del", k.key());
      Substitute({"DEL", std::string(k.key())});
    } else {
      Journal::CountChanges(0);  // nothing changed: no entry, no dirty count (as Redis)
    }
    return ctx.reply().Ok();
  }
  const AccessPolicy& access = k.db().access();
  InitAccess(e, ctx.now_ms(), access);
  if (access.lfu.load(std::memory_order_relaxed)) {
    if (freq >= 0) e->set_lru(LfuField(LfuMinutes(ctx.now_ms()), static_cast<uint8_t>(freq)));
  } else if (idle >= 0) {
    const uint32_t now = LruClock(ctx.now_ms());
    const auto back = static_cast<uint32_t>(std::min<int64_t>(idle, kLruClockMax));
    e->set_lru(now >= back ? now - back : kLruClockMax - (back - now) + 1);
  }
  const ValueType type = e->type();
  if (s) {
    k.db().Replace(s, e);
  } else {
    k.db().Insert(e, k.hash());
  }
  // A relative TTL goes to the log and replicas as the instant it named, as Redis does.
  if (at != 0 && !absttl && RecordsItself()) {
    std::vector<std::string> rec;
    for (size_t i = 0; i < ctx.argc(); ++i) rec.emplace_back(ctx.arg(i));
    rec[2] = Int64ToString(at);
    rec.emplace_back("ABSTTL");
    Substitute(std::move(rec));
  }
  ctx.Notify(kEventGeneric, "restore", k.key());
  if (WakesWaiters(type)) NotifyKeyReady(ctx, k.key());
  ctx.reply().Ok();
}

}  // namespace

void RegisterDumpFamily(CommandTable* t) {
  const char* g = "generic";
  t->Register(MakeSpec(g, "dump", 2, kCmdReadOnly, 1, 1, 1, "Returns a serialized representation of the value stored at a key.", "2.6.0", CmdDump, {"@keyspace", "@read", "@slow"}));
  t->Register(MakeSpec(g, "restore", -4, kCmdWrite | kCmdDenyOom, 1, 1, 1, "Creates a key from the serialized representation of a value.", "2.6.0", CmdRestore, {"@keyspace", "@write", "@slow", "@dangerous"}));
  t->Register(MakeSpec("server", "restore-asking", -4, kCmdWrite | kCmdDenyOom | kCmdAsking, 1, 1, 1, "An internal command for migrating keys in a cluster.", "3.0.0", CmdRestore, {"@keyspace", "@write", "@slow", "@dangerous"}));
}

}  // namespace minired
