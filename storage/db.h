// One logical database (SELECT index) within one shard: the key table, the index of
// keys with an expiry, and the expiry logic. Not thread-safe: every method REQUIRES the
// owning Shard's mutex.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "storage/access_clock.h"
#include "storage/entry.h"
#include "storage/journal.h"
#include "storage/slot_table.h"

namespace minired {

uint64_t HashKey(std::string_view key);

struct KeyHashOf {
  uint64_t operator()(const Entry* e) const { return HashKey(e->key()); }
};
struct PointerHashOf {
  uint64_t operator()(const Entry* e) const {
    uint64_t x = reinterpret_cast<uint64_t>(e);  // splitmix64 finalizer
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
  }
};

using KeyTable = SlotTable<Entry, KeyHashOf>;
using VolatileIndex = SlotTable<Entry, PointerHashOf>;

// Counters kept per shard under its lock; INFO sums them.
struct KeyspaceStats {
  uint64_t hits = 0;
  uint64_t misses = 0;
  uint64_t expired_keys = 0;
};

// Result of one active-expiry step over a database.
struct ExpireStepResult {
  size_t sampled = 0;
  size_t expired = 0;
  int64_t ttl_sum_ms = 0;  // over sampled keys that did not expire
  size_t ttl_count = 0;
};

// One client's WATCH set: raised when any key it watches is modified, deleted or
// expires (and read by EXEC under every shard's lock).
struct WatchFlag {
  std::atomic<bool> dirty{false};
};
using WatchTable = std::unordered_map<std::string, std::vector<std::shared_ptr<WatchFlag>>>;

// Told of what happens to keys, under the shard lock of the key (so implementations
// must not take shard locks). Set once per ShardSet. Besides removed streams, which it
// always hears of, it hears only of the events it asked for with set_wanted: the
// server asks for those its keyspace notifications and client tracking need, so a
// server with neither pays one relaxed load per event.
class KeyspaceListener {
 public:
  enum Event : uint32_t {
    kKeyAdded = 1 << 0,     // a key was created (Redis's "new")
    kKeyExpired = 1 << 1,   // deleted because its expiry passed (lazily or actively)
    kKeyMissed = 1 << 2,    // a read looked for it and found nothing (Redis's "keymiss")
    kKeyModified = 1 << 3,  // any change to it: written, deleted, expired, evicted
  };
  virtual ~KeyspaceListener() = default;
  // A stream left `key` in database `db`: deleted, expired, evicted, overwritten or
  // renamed away. Its blocked group readers are answered -UNBLOCKED (as Redis 7.0's
  // signalDeletedKeyAsReady).
  virtual void StreamRemoved(int db, std::string_view key) = 0;
  // One of the events asked for happened to `key`.
  virtual void KeyEvent(Event event, int db, std::string_view key) = 0;
  bool Wants(uint32_t events) const { return wanted_.load(std::memory_order_relaxed) & events; }

 protected:
  void set_wanted(uint32_t events) { wanted_.store(events, std::memory_order_relaxed); }

 private:
  std::atomic<uint32_t> wanted_{0};
};

class Db {
 public:
  // A located key: valid until the next insert or erase in this Db.
  struct Slot {
    size_t index = KeyTable::kNotFound;
    Entry* entry = nullptr;
    explicit operator bool() const { return entry != nullptr; }
  };

  Db() = default;
  Db(Db&&) = default;
  Db& operator=(Db&&) = default;
  ~Db() { Clear(); }

  // Finds `key`; a key whose expiry is <= now_ms is deleted on the spot (lazy expiry)
  // and reported missing. Pass now_ms = 0 to look without expiring.
  // On a replica expiring is the master's job (its DEL arrives in the stream): while
  // KeepExpired is set on this thread, an expired key reads as missing but stays.
  Slot Find(std::string_view key, uint64_t hash, int64_t now_ms);
  // Asks for the memory a Find of `hash` reads first. Any thread, no lock needed: a hint.
  void PrefetchKey(uint64_t hash) const { keys_.PrefetchHome(hash); }
  // Asks for the entries whose slots carry `hash`'s tag. REQUIRES: the shard's mutex.
  // The entry's header, the key of `key_len` bytes and the start of the value: a read of
  // the key then needs no second line either.
  void PrefetchEntry(uint64_t hash, size_t key_len) const { keys_.PrefetchTagged(hash, key_len + 32); }
  // The third and fourth arguments of a run of requests on one key.
  struct PeekedFields {
    std::span<const std::string_view> thirds;
    std::span<const std::string_view> fourths;
  };
  // If `key` holds a hash or set in the hashtable encoding, asks for the lines a lookup
  // of each of the thirds in it reads; if a sorted set in the skiplist encoding, of each
  // request's fourth argument (ZADD z score member), or its third where it has none
  // (ZSCORE z member). Changes nothing (an expired key is left as it is).
  // REQUIRES: the shard's mutex.
  void PrefetchFields(std::string_view key, uint64_t hash, const PeekedFields& fields) const;

  static void SetKeepExpired(bool keep) { t_keep_expired_ = keep; }
  static bool KeepExpired() { return t_keep_expired_; }

  // REQUIRES: key absent. Takes ownership of `e`.
  void Insert(Entry* e, uint64_t hash);
  // Swaps in `e` for the entry at `slot` (same key); frees the old entry.
  void Replace(Slot slot, Entry* e);
  // Inserts or replaces.
  void Upsert(Entry* e, uint64_t hash, int64_t now_ms);
  // Removes and frees the entry at `slot` (a big collection on the lazy-free thread).
  void Erase(Slot slot);
  // Removes the entry at `slot` without freeing it; the caller owns it.
  Entry* Detach(Slot slot);
  // A STORE destination (SINTERSTORE, ZUNIONSTORE...): its old value goes before the
  // result is built, yet the key is overwritten, not created, so an Insert of it before
  // EndOverwrite reports no new key (as Redis's setKey).
  void EraseToOverwrite(Slot slot) {
    overwriting_.assign(slot.entry->key());
    Erase(slot);
  }
  void EndOverwrite() { overwriting_.clear(); }

  // Sets (ms > 0) or removes (ms == 0) the expiry of the entry at `slot`.
  void SetExpire(Slot* slot, int64_t ms);

  // Commands that change a value in place (INCR, collection edits) call this, so WATCH
  // sees every write; Db's own mutators call it themselves.
  void NoteWrite(std::string_view key) {
    Journal::Touch();
    if (watchers_) TouchWatchers(key);
    Signal(KeyspaceListener::kKeyModified, key);
  }
  // A read found no `key` (keyspace misses, and the "keymiss" notification).
  void NoteMiss(std::string_view key) {
    ++stats_.misses;
    Signal(KeyspaceListener::kKeyMissed, key);
  }
  // The SELECT index this Db serves (journal records name it). Kept by the position:
  // moving another Db's contents in (FLUSH, SWAPDB) does not change it.
  int index() const { return index_.value; }
  void set_index(int i) { index_.value = i; }
  // The eviction policy's view of accesses (given to the ShardSet, shared by every Db);
  // also kept by position.
  const AccessPolicy& access() const { return *index_.access; }
  void set_access(const AccessPolicy* a) { index_.access = a; }
  // Who hears of removed streams and key events (may be null); kept by position too.
  void set_listener(KeyspaceListener* l) { index_.listener = l; }

  void Watch(std::string_view key, std::shared_ptr<WatchFlag> flag);
  void Unwatch(std::string_view key, const WatchFlag* flag);
  // FLUSHDB/FLUSHALL/SWAPDB: raises the watchers of keys that exist here (or in `other`),
  // as Redis's touchAllWatchedKeysInDb.
  void TouchAllWatched(const Db* other = nullptr);
  // The watch registrations belong to the database index, not to its contents: a flush
  // or SWAPDB moves them back to the Db that now holds that index.
  std::unique_ptr<WatchTable> TakeWatchers() { return std::move(watchers_); }
  void SetWatchers(std::unique_ptr<WatchTable> w) { watchers_ = std::move(w); }

  size_t size() const { return keys_.size(); }
  // Room for `n` keys in all (see SlotTable::Reserve).
  void Reserve(size_t n) { keys_.Reserve(n); }
  size_t volatile_size() const { return volatile_.size(); }
  size_t MemoryBytes() const { return keys_.MemoryBytes() + volatile_.MemoryBytes(); }
  size_t KeyTableBytes() const { return keys_.MemoryBytes(); }
  size_t VolatileTableBytes() const { return volatile_.MemoryBytes(); }
  // A key's share of the tables (MEMORY USAGE): its slot, at the tables' current load.
  size_t TableBytesPerKey(bool has_expire) const {
    size_t b = keys_.size() ? keys_.MemoryBytes() / keys_.size() : 0;
    if (has_expire && volatile_.size()) b += volatile_.MemoryBytes() / volatile_.size();
    return b;
  }
  int64_t avg_ttl_ms() const { return avg_ttl_ms_; }
  KeyspaceStats& stats() { return stats_; }

  // Samples up to `samples` keys with an expiry and deletes the expired ones.
  template <typename Rng>
  ExpireStepResult ActiveExpireStep(int64_t now_ms, size_t samples, Rng& rng);

  // Up to `n` (at most KeyTable::kMaxSampleBatch) random entries, with an expiry only
  // when `volatile_only`, into out; returns how many (0 when there are none). Nothing is
  // expired or touched: eviction samples with this. The draws' cache misses overlap (their
  // slots and entry headers are prefetched together).
  template <typename Rng>
  size_t SampleEntries(bool volatile_only, Rng& rng, Entry** out, size_t n) const {
    size_t slots[KeyTable::kMaxSampleBatch];
    size_t got = volatile_only ? volatile_.RandomSlots(rng, slots, n) : keys_.RandomSlots(rng, slots, n);
    for (size_t k = 0; k < got; ++k) {
      out[k] = volatile_only ? volatile_.At(slots[k]) : keys_.At(slots[k]);
      PrefetchLine(out[k]);
    }
    return got;
  }

  // A random live key's slot (expired ones met on the way are deleted).
  template <typename Rng>
  Slot RandomKey(int64_t now_ms, Rng& rng);

  // Visits entries in hash order; see SlotTable::Scan.
  template <typename Visit>
  size_t Scan(uint64_t* pos, size_t max_slots, Visit visit) const {
    return keys_.Scan(pos, max_slots, visit);
  }

  void Clear();

 private:
  // The slot of the entry named `key`, expired or not (KeyTable::kNotFound if none).
  size_t Locate(std::string_view key, uint64_t hash) const {
    return keys_.Find(hash, [&](const Entry* e) { return e->key() == key; });
  }
  bool Expired(const Entry* e, int64_t now_ms) const {
    return now_ms > 0 && e->has_expire() && e->expire_ms() <= now_ms;
  }
  void UnindexVolatile(Entry* e);
  // Frees a removed entry; big collections are freed in the background.
  static void Dispose(Entry* e);

  void TouchWatchers(std::string_view key);
  void Signal(KeyspaceListener::Event event, std::string_view key) {
    if (index_.listener != nullptr && index_.listener->Wants(event)) index_.listener->KeyEvent(event, index(), key);
  }
  void NoteRemoved(const Entry* e) {
    if (e->type() == ValueType::kStream && index_.listener != nullptr) index_.listener->StreamRemoved(index(), e->key());
  }

  struct Index {
    int value = 0;
    const AccessPolicy* access = nullptr;
    KeyspaceListener* listener = nullptr;
    Index() = default;
    Index(const Index&) = default;
    Index& operator=(const Index&) { return *this; }  // stays with the position
  };
  static inline thread_local bool t_keep_expired_ = false;  // inline: read without a TLS init check
  Index index_;
  KeyTable keys_;
  VolatileIndex volatile_;
  std::unique_ptr<WatchTable> watchers_;  // null while nobody watches
  std::string overwriting_;               // see EraseToOverwrite
  KeyspaceStats stats_;
  int64_t avg_ttl_ms_ = 0;
};

template <typename Rng>
ExpireStepResult Db::ActiveExpireStep(int64_t now_ms, size_t samples, Rng& rng) {
  ExpireStepResult r;
  for (size_t i = 0; i < samples && volatile_.size() > 0; ++i) {
    size_t vs = volatile_.RandomSlot(rng);
    Entry* e = volatile_.At(vs);
    ++r.sampled;
    if (e->expire_ms() <= now_ms) {
      Slot s = Find(e->key(), HashKey(e->key()), now_ms);  // deletes it
      (void)s;
      ++r.expired;
    } else {
      r.ttl_sum_ms += e->expire_ms() - now_ms;
      ++r.ttl_count;
    }
  }
  if (r.ttl_count > 0) {
    // Redis smooths the estimate over many cycles the same way (expire.c).
    int64_t avg = r.ttl_sum_ms / static_cast<int64_t>(r.ttl_count);
    avg_ttl_ms_ = avg_ttl_ms_ == 0 ? avg : (avg_ttl_ms_ / 50) * 49 + avg / 50;
  }
  if (volatile_.size() == 0) avg_ttl_ms_ = 0;
  return r;
}

template <typename Rng>
Db::Slot Db::RandomKey(int64_t now_ms, Rng& rng) {
  // Bounded retries: a database full of expired keys must not loop for long.
  for (int attempt = 0; attempt < 100 && keys_.size() > 0; ++attempt) {
    size_t i = keys_.RandomSlot(rng);
    Entry* e = keys_.At(i);
    if (!Expired(e, now_ms)) return Slot{i, e};
    Find(e->key(), HashKey(e->key()), now_ms);
  }
  return {};
}

}  // namespace minired
