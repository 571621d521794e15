// The keyspace, split into a fixed number of shards by the key's XXH3 hash.
//
// Ownership and locking: every shard is a plain mutex plus the Db of each logical
// database (SELECT index) for the keys that hash to it. Any I/O thread may run any
// command; it takes the mutex of each shard it touches for the whole command. A
// multi-key command locks all its shards in ascending index order (LockKeys), so two
// multi-key commands can never deadlock and each one is atomic for every other client.
// With many more shards than threads (default 128 for up to a few dozen threads),
// two threads rarely want the same mutex, and a critical section is one table probe.
#pragma once

#include <algorithm>
#include <atomic>
#include <memory>
#include <mutex>
#include <span>
#include <string_view>
#include <vector>

#include "storage/access_clock.h"
#include "storage/db.h"
#include "storage/spinning_mutex.h"

namespace minired {

class Shard;

// Serializes a shard for the snapshot in progress (storage/snapshotter.h).
class ShardDumper {
 public:
  virtual ~ShardDumper() = default;
  // Called with the shard's mutex held, once per snapshot.
  virtual void DumpShard(Shard& shard) = 0;
};

// A shard's mutex. While a thread runs a transaction (EXEC) it holds every shard, and
// the commands inside it lock nothing more: lock()/unlock() are no-ops on that thread,
// so the ordinary command handlers run unchanged inside EXEC.
//
// While a snapshot is being taken, the first lock() of a shard not yet serialized
// serializes it before returning, so nobody changes a shard the snapshot has not seen.
class ShardMutex {
 public:
  explicit ShardMutex(Shard* owner) : owner_(owner) {}
  void lock() {
    if (all_held_ || HeldByThisThread()) return;
    mu_.lock();
    if (dumper_.load(std::memory_order_acquire) != nullptr) DumpPending();
  }
  // Takes the mutex if no other thread holds it, without waiting, for a look that
  // changes nothing (the pipeline's prefetch): no snapshot serializes the shard for
  // it. False if another thread holds it; a true is paired with unlock().
  bool try_lock_to_look() {
    if (all_held_ || HeldByThisThread()) return true;
    return mu_.try_lock();
  }
  // REQUIRES: held. The next lock() (or DumpPending) serializes the shard with `d`.
  void MarkForDump(ShardDumper* d) { dumper_.store(d, std::memory_order_release); }
  // REQUIRES: held. Serializes the shard now if a snapshot still needs it.
  void DumpPending();
  void unlock() {
    if (!all_held_ && !HeldByThisThread()) mu_.unlock();
  }
  // Marks (or clears) that this thread holds every shard's mutex.
  static void SetAllHeld(bool held) { all_held_ = held; }
  static bool all_held() { return all_held_; }
  // Marks (or clears, with null) the mutexes this thread holds for a script run under
  // its declared keys' shards (ShardSet::KeysHeld): the commands it runs take none of
  // them again.
  static void SetHeldList(const std::vector<ShardMutex*>* held) { held_list_ = held; }

 private:
  bool HeldByThisThread() const {
    if (held_list_ == nullptr) return false;
    for (const ShardMutex* m : *held_list_) {
      if (m == this) return true;
    }
    return false;
  }

  SpinningMutex mu_;
  std::atomic<ShardDumper*> dumper_{nullptr};
  Shard* owner_;
  // Defined here, constant-initialized: every lock() reads them directly, without first
  // checking for a thread_local init function (as for an out-of-line thread_local).
  static inline thread_local bool all_held_ = false;
  static inline thread_local const std::vector<ShardMutex*>* held_list_ = nullptr;
};

class Shard {
 public:
  Shard(int databases, const AccessPolicy* access) : mu_(this), dbs_(static_cast<size_t>(databases)) {
    for (int i = 0; i < databases; ++i) {
      dbs_[static_cast<size_t>(i)].set_index(i);
      dbs_[static_cast<size_t>(i)].set_access(access);
    }
  }

  ShardMutex& mu() { return mu_; }
  // REQUIRES: mu() held.
  Db& db(int index) { return dbs_[static_cast<size_t>(index)]; }
  int databases() const { return static_cast<int>(dbs_.size()); }
  void PrefetchKey(int index, uint64_t hash) const { dbs_[static_cast<size_t>(index)].PrefetchKey(hash); }
  // REQUIRES: mu() held.
  // Swaps contents; WATCH registrations stay with their index (and are raised).
  void SwapDbs(int a, int b) {
    Db& x = dbs_[static_cast<size_t>(a)];
    Db& y = dbs_[static_cast<size_t>(b)];
    x.TouchAllWatched(&y);
    y.TouchAllWatched(&x);
    std::swap(x, y);
    auto wx = x.TakeWatchers(), wy = y.TakeWatchers();
    x.SetWatchers(std::move(wy));
    y.SetWatchers(std::move(wx));
  }
  // REQUIRES: mu() held. Swaps database `d` with `other`'s (a keyspace loaded off to the
  // side); the WATCH registrations stay here (and are raised).
  void SwapDbWith(Shard& other, int d) {
    Db& x = db(d);
    Db& y = other.db(d);
    x.TouchAllWatched(&y);
    auto watchers = x.TakeWatchers();
    std::swap(x, y);
    x.SetWatchers(std::move(watchers));
  }

 private:
  ShardMutex mu_;
  std::vector<Db> dbs_;  // guarded by mu_
};

class ShardSet {
 public:
  // REQUIRES: shards is a power of two, 1 <= shards <= 4096. `access` (the eviction
  // policy's view of key accesses, owned by the configuration; every Db keeps it, see
  // Db::access()) defaults to LRU.
  ShardSet(size_t shards, int databases, const AccessPolicy* access = nullptr);

  size_t size() const { return shards_.size(); }
  int databases() const { return databases_; }
  Shard& shard(size_t i) { return *shards_[i]; }

  // Shard routing uses hash bits 16..27; bits 0..15 are the table tag and the top 40
  // the table position, so the three stay independent.
  size_t ShardOf(uint64_t hash) const { return (hash >> 16) & mask_; }
  Shard& ShardFor(uint64_t hash) { return *shards_[ShardOf(hash)]; }
  // Db::PrefetchKey in the shard of `hash`, without its lock (a database's Db object
  // stays where it is: SWAPDB swaps contents).
  void PrefetchKey(int db, uint64_t hash) const { shards_[ShardOf(hash)]->PrefetchKey(db, hash); }
  // Asks for the entries a Find of `hash` compares its key with (Db::PrefetchEntry), and
  // for the fields of `key`'s hash or set (Db::PrefetchFields): each takes the shard's
  // mutex if it is free (skips the hint otherwise) to read the tables.
  void PrefetchEntry(int db, uint64_t hash, size_t key_len) {
    LookIfFree(db, hash, [&](const Db& d) { d.PrefetchEntry(hash, key_len); });
  }
  void PrefetchFields(int db, uint64_t hash, std::string_view key, const Db::PeekedFields& fields) {
    LookIfFree(db, hash, [&](const Db& d) { d.PrefetchFields(key, hash, fields); });
  }

  // Holds the mutexes of a set of shards; releases them on destruction.
  class Lock {
   public:
    Lock() = default;
    Lock(Lock&&) = default;
    Lock& operator=(Lock&&) = default;
    ~Lock() { Release(); }
    void Release() {
      for (auto it = held_.rbegin(); it != held_.rend(); ++it) (*it)->unlock();
      held_.clear();
    }

   private:
    friend class ShardSet;
    std::vector<ShardMutex*> held_;
  };

  // Locks the shards owning `keys`, in ascending shard order.
  Lock LockKeys(std::span<const std::string_view> keys);
  // Locks every shard (FLUSHALL, SWAPDB, KEYS-style whole-keyspace work).
  Lock LockAll();
  // Holds every shard and marks this thread as their holder, so that the commands it
  // runs meanwhile take no shard lock of their own (EXEC's queued commands, a script's
  // calls); inside another such hold (a script run by EXEC) it does nothing.
  class AllHeld {
   public:
    explicit AllHeld(ShardSet& shards) : nested_(ShardMutex::all_held()) {
      if (nested_) return;
      lock_ = shards.LockAll();
      ShardMutex::SetAllHeld(true);
    }
    ~AllHeld() {
      if (!nested_) ShardMutex::SetAllHeld(false);  // before lock_ releases the mutexes
    }
    AllHeld(const AllHeld&) = delete;
    AllHeld& operator=(const AllHeld&) = delete;

   private:
    bool nested_;
    Lock lock_;
  };

  // Holds the shards of `keys` (ascending, as LockKeys) and marks this thread as their
  // holder, so that the commands it runs meanwhile take those locks no more (a script
  // run under its declared keys, server/scripting/script_scope.h).
  class KeysHeld {
   public:
    KeysHeld(ShardSet& shards, std::span<const std::string_view> keys) : lock_(shards.LockKeys(keys)) {
      ShardMutex::SetHeldList(&lock_.held_);
    }
    ~KeysHeld() { ShardMutex::SetHeldList(nullptr); }  // before lock_ releases the mutexes
    KeysHeld(const KeysHeld&) = delete;
    KeysHeld& operator=(const KeysHeld&) = delete;

   private:
    Lock lock_;
  };

  // Sets who hears of removed streams in every database (before clients connect).
  void SetListener(KeyspaceListener* listener) {
    for (auto& sh : shards_) {
      for (int d = 0; d < sh->databases(); ++d) sh->db(d).set_listener(listener);
    }
  }

  // Swaps every database's contents with `other` (same shards and databases; nobody
  // else uses it), atomically for every client: a replica's new data set.
  void SwapContents(ShardSet& other);

 private:
  // Runs look(database `db` of `hash`'s shard) holding the shard's mutex if no other
  // thread holds it, for a look that changes nothing (try_lock_to_look); skips it if one does.
  template <typename Look>
  void LookIfFree(int db, uint64_t hash, Look look) {
    Shard& s = ShardFor(hash);
    if (!s.mu().try_lock_to_look()) return;
    look(static_cast<const Db&>(s.db(db)));
    s.mu().unlock();
  }

  std::vector<std::unique_ptr<Shard>> shards_;
  size_t mask_;
  int databases_;
};

}  // namespace minired
