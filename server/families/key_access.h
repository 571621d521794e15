// Locked access to keys for command handlers.
//
// KeyAccess locks the shard of one key for its lifetime; MultiKeyAccess locks the
// shards of several keys in ascending order (ShardSet::LockKeys) so a multi-key command
// is atomic. Lookups apply lazy expiry against the command's time snapshot; read
// lookups also count keyspace hits/misses. Both touch the entry's LRU clock.
#pragma once

#include <mutex>
#include <span>
#include <string_view>

#include "server/command_context.h"
#include "storage/shard_set.h"

namespace minired {

inline Db::Slot LookupRead(Db& db, std::string_view key, uint64_t hash, int64_t now_ms) {
  Db::Slot s = db.Find(key, hash, now_ms);
  if (s) {
    ++db.stats().hits;
    TouchAccess(s.entry, now_ms, db.access());
  } else {
    db.NoteMiss(key);
  }
  return s;
}

// A read that must not count as an access for eviction (EXISTS, TYPE, TTL: Redis's
// LOOKUP_NOTOUCH): hits, misses and the "keymiss" event still count.
inline Db::Slot LookupReadNoTouch(Db& db, std::string_view key, uint64_t hash, int64_t now_ms) {
  Db::Slot s = db.Find(key, hash, now_ms);
  if (s) {
    ++db.stats().hits;
  } else {
    db.NoteMiss(key);
  }
  return s;
}

inline Db::Slot LookupWrite(Db& db, std::string_view key, uint64_t hash, int64_t now_ms) {
  Db::Slot s = db.Find(key, hash, now_ms);
  if (s) TouchAccess(s.entry, now_ms, db.access());
  return s;
}

// Sets the access field of `e`, which is new or replaces `old`: a rewritten key keeps
// its LFU history (as Redis's dbSetValue); under LRU it was just accessed.
inline void InheritAccess(Entry* e, const Entry* old, int64_t now_ms, const AccessPolicy& access) {
  if (old != nullptr && access.lfu.load(std::memory_order_relaxed)) {
    e->set_lru(old->lru());
  } else {
    InitAccess(e, now_ms, access);
  }
}

class KeyAccess {
 public:
  KeyAccess(CommandContext& ctx, std::string_view key)
      : key_(key),
        hash_(HashKey(key)),
        shard_(ctx.shards().ShardFor(hash_)),
        lock_(shard_.mu()),
        db_(shard_.db(ctx.db())),
        now_(ctx.now_ms()) {}

  Db::Slot FindRead() { return LookupRead(db_, key_, hash_, now_); }
  Db::Slot FindWrite() { return LookupWrite(db_, key_, hash_, now_); }
  Db& db() { return db_; }
  uint64_t hash() const { return hash_; }
  std::string_view key() const { return key_; }
  int64_t now() const { return now_; }

 private:
  std::string_view key_;
  uint64_t hash_;
  Shard& shard_;
  std::lock_guard<ShardMutex> lock_;
  Db& db_;
  int64_t now_;
};

class MultiKeyAccess {
 public:
  MultiKeyAccess(CommandContext& ctx, std::span<const std::string_view> keys)
      : ctx_(ctx), lock_(ctx.shards().LockKeys(keys)) {}

  // REQUIRES: `key` was among the keys locked. `db_index` defaults to the client's.
  Db& DbOf(uint64_t hash, int db_index = -1) {
    return ctx_.shards().ShardFor(hash).db(db_index < 0 ? ctx_.db() : db_index);
  }
  Db::Slot FindRead(std::string_view key, int db_index = -1) {
    uint64_t h = HashKey(key);
    return LookupRead(DbOf(h, db_index), key, h, ctx_.now_ms());
  }
  Db::Slot FindWrite(std::string_view key, int db_index = -1) {
    uint64_t h = HashKey(key);
    return LookupWrite(DbOf(h, db_index), key, h, ctx_.now_ms());
  }

 private:
  CommandContext& ctx_;
  ShardSet::Lock lock_;
};

}  // namespace minired
