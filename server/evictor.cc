#include "server/evictor.h"

#include <asio/post.hpp>

#include <chrono>
#include <climits>
#include <cmath>
#include <limits>
#include <random>

#include "server/replication.h"
#include "server/server.h"
#include "storage/memory.h"

namespace minired {
namespace {

int64_t SteadyMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// Redis's evictionTimeLimitUs: linear to 500 us at tenacity 10, then +15% per step,
// unlimited at 100.
int64_t TimeLimitUs(int tenacity) {
  if (tenacity <= 10) return 50LL * tenacity;
  if (tenacity < 100) return static_cast<int64_t>(500.0 * std::pow(1.15, tenacity - 10.0));
  return std::numeric_limits<int64_t>::max();
}

bool IsRandom(EvictionPolicy p) {
  return p == EvictionPolicy::kAllKeysRandom || p == EvictionPolicy::kVolatileRandom;
}

bool IsVolatile(EvictionPolicy p) {
  return p == EvictionPolicy::kVolatileLru || p == EvictionPolicy::kVolatileLfu ||
         p == EvictionPolicy::kVolatileRandom || p == EvictionPolicy::kVolatileTtl;
}

// What a key costs beyond its entry: its slot in the key table (~60-80% full).
constexpr int64_t kTableBytesPerKey = 12;

// Calls visit(shard) on a few random shards, then on every shard in turn from *sweep,
// until it returns true. A random shard is a fair sample of a big keyspace; a sparse
// one (few keys over many shards) is searched in order, so a key that exists is found.
template <typename Visit>
bool SearchShards(ShardSet& shards, std::mt19937_64& rng, size_t* sweep, Visit visit) {
  constexpr int kRandomTries = 4;
  for (int t = 0; t < kRandomTries; ++t) {
    size_t i = std::uniform_int_distribution<size_t>(0, shards.size() - 1)(rng);
    if (visit(shards.shard(i))) return true;
  }
  for (size_t n = 0; n < shards.size(); ++n) {
    *sweep = (*sweep + 1) % shards.size();
    if (visit(shards.shard(*sweep))) return true;
  }
  return false;
}

}  // namespace

bool Evictor::Applies() const {
  // A replica follows its master's deletions; a loading server replays what was stored;
  // a paused one (CLIENT PAUSE) writes nothing of its own.
  return !server_.replication().is_replica() && !server_.loading() && !server_.pause().active();
}

Evictor::Result Evictor::MakeRoom(int thread) {
  const EvictionConfig& cfg = server_.config().eviction;
  const int64_t limit = cfg.maxmemory.load(std::memory_order_relaxed);
  if (limit == 0) {
    NoteOver(false);
    return Result::kOk;
  }
  int64_t used = UsedMemoryApprox() - not_counted();
  if (used <= limit || !Applies()) {
    NoteOver(false);
    return Result::kOk;
  }
  NoteOver(true);
  const EvictionPolicy policy = cfg.policy.load(std::memory_order_relaxed);
  if (policy == EvictionPolicy::kNoEviction) return Result::kFail;
  std::unique_lock<std::mutex> lock(mu_, std::try_to_lock);
  if (!lock.owns_lock()) return Result::kRunning;

  if (policy != pool_policy_) {
    pool_.Clear();  // scores of another policy
    pool_policy_ = policy;
  }
  IoThread& io = server_.io_thread(thread);
  const int64_t to_free = used - limit;
  const int64_t budget_us = TimeLimitUs(cfg.tenacity.load(std::memory_order_relaxed));
  const auto start = std::chrono::steady_clock::now();
  int64_t freed = 0;
  uint64_t rounds = 0;
  while (freed < to_free) {
    EvictionCandidate victim;
    if (!NextVictim(policy, io, &victim)) {
      // Nothing left to evict. Collections being freed in the background may still
      // bring memory under the limit: look again before refusing.
      RecordLatency("eviction-cycle", start);
      if (UsedMemoryApprox() - not_counted() <= limit) return Result::kOk;
      return Result::kFail;
    }
    freed += Evict(victim, policy, io);
    if (++rounds % 16 == 0) {
      auto spent = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - start);
      if (spent.count() > budget_us) {
        RecordLatency("eviction-cycle", start);
        lock.unlock();
        ScheduleContinuation(thread);
        return Result::kRunning;
      }
    }
  }
  RecordLatency("eviction-cycle", start);
  return Result::kOk;
}

void Evictor::ScheduleContinuation(int thread) {
  if (continuation_posted_.exchange(true)) return;
  asio::post(server_.io_thread(thread).context(), [this, thread] {
    continuation_posted_ = false;
    // A running script holds every shard: the next command's MakeRoom goes on instead.
    if (!server_.script_gate().TryEnter(thread)) return;
    MakeRoom(thread);
    server_.script_gate().Leave(thread);
  });
}

bool Evictor::NextVictim(EvictionPolicy policy, IoThread& io, EvictionCandidate* victim) {
  const bool volatile_only = IsVolatile(policy);
  if (IsRandom(policy)) {
    return NextRandomVictim(io, volatile_only, victim);
  }
  Populate(io, volatile_only, policy == EvictionPolicy::kVolatileTtl);
  return pool_.PopBest(victim);
}

void Evictor::Populate(IoThread& io, bool volatile_only, bool ttl) {
  ShardSet& shards = server_.shards();
  const size_t samples = static_cast<size_t>(server_.config().eviction.samples.load(std::memory_order_relaxed));
  const int64_t now = server_.clock().NowMs();
  auto sample_shard = [&](Shard& shard) {
    size_t found = 0;
    std::lock_guard<ShardMutex> l(shard.mu());
    for (int d = 0; d < shard.databases(); ++d) {
      Db& db = shard.db(d);
      if ((volatile_only ? db.volatile_size() : db.size()) == 0) continue;
      // Drawn in batches whose cache misses overlap (SampleEntries).
      for (size_t left = samples; left > 0;) {
        Entry* picked[KeyTable::kMaxSampleBatch];
        size_t got = db.SampleEntries(volatile_only, io.rng(), picked, std::min(left, KeyTable::kMaxSampleBatch));
        if (got == 0) break;
        for (size_t i = 0; i < got; ++i) {
          Entry* e = picked[i];
          uint64_t score = ttl ? std::numeric_limits<uint64_t>::max() - static_cast<uint64_t>(e->expire_ms())
                               : IdleScore(e, now, db.access());
          pool_.Offer(score, d, e->key());
        }
        found += got;
        left -= got;
      }
    }
    return found > 0;
  };
  SearchShards(shards, io.rng(), &sweep_, sample_shard);
}

bool Evictor::NextRandomVictim(IoThread& io, bool volatile_only, EvictionCandidate* victim) {
  ShardSet& shards = server_.shards();
  auto pick = [&](Shard& shard) {
    std::lock_guard<ShardMutex> l(shard.mu());
    int dbs = shard.databases();
    int first = std::uniform_int_distribution<int>(0, dbs - 1)(io.rng());
    for (int k = 0; k < dbs; ++k) {
      int d = (first + k) % dbs;
      Entry* e = nullptr;
      if (shard.db(d).SampleEntries(volatile_only, io.rng(), &e, 1) == 1) {
        *victim = EvictionCandidate{0, d, std::string(e->key())};
        return true;
      }
    }
    return false;
  };
  return SearchShards(shards, io.rng(), &sweep_, pick);
}

int64_t Evictor::Evict(const EvictionCandidate& victim, EvictionPolicy policy, IoThread& io) {
  uint64_t hash = HashKey(victim.key);
  Shard& shard = server_.shards().ShardFor(hash);
  // Its own journal entry, numbered under this shard's lock like any write to the key.
  JournalScope journal(server_.journal_sink());
  std::lock_guard<ShardMutex> l(shard.mu());
  Db& db = shard.db(victim.db);
  Db::Slot s = db.Find(victim.key, hash, 0);
  if (!s || (IsVolatile(policy) && !s.entry->has_expire())) return 0;
  if (!IsRandom(policy) && policy != EvictionPolicy::kVolatileTtl) {
    // Read since it was pooled: it goes back with its new score and a better
    // candidate (if any) goes instead. Scores only fall this way, so this ends.
    uint64_t score = IdleScore(s.entry, server_.clock().NowMs(), db.access());
    if (score < victim.score) {
      pool_.Offer(score, victim.db, victim.key);
      return 0;
    }
  }
  // Elements of a big collection are estimated from a sample, as MEMORY USAGE does.
  int64_t bytes = static_cast<int64_t>(s.entry->AllocatedSize(5)) + kTableBytesPerKey;
  Journal::EvictedKey(victim.db, victim.key);
  if (server_.latency().enabled()) {
    auto start = std::chrono::steady_clock::now();
    db.Erase(s);
    RecordLatency("eviction-del", start);
  } else {
    db.Erase(s);
  }
  server_.notifier().Notify(kEventEvicted, "evicted", victim.key, victim.db);
  io.stats().evicted_keys.Add();
  return bytes;
}

void Evictor::RecordLatency(std::string_view event, std::chrono::steady_clock::time_point start) {
  LatencyMonitor& latency = server_.latency();
  if (!latency.enabled()) return;
  latency.Add(event, std::chrono::steady_clock::now() - start, server_.clock().NowMs() / 1000);
}

void Evictor::NoteOver(bool over) {
  int64_t since = over_since_ms_.load(std::memory_order_relaxed);
  if (over && since == 0) {
    over_since_ms_.store(SteadyMs(), std::memory_order_relaxed);
  } else if (!over && since != 0 && over_since_ms_.exchange(0) == since) {
    exceeded_total_ms_.fetch_add(SteadyMs() - since, std::memory_order_relaxed);
  }
}

int64_t Evictor::current_exceeded_ms() const {
  int64_t since = over_since_ms_.load(std::memory_order_relaxed);
  return since == 0 ? 0 : SteadyMs() - since;
}

int64_t Evictor::total_exceeded_ms() const {
  return exceeded_total_ms_.load(std::memory_order_relaxed) + current_exceeded_ms();
}

void Evictor::ResetStats() { exceeded_total_ms_.store(0); }

}  // namespace minired
