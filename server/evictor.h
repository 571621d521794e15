// maxmemory enforcement (docs/eviction.md). Before each client command the server asks
// MakeRoom(); while used memory (less what Redis also leaves out: replica output
// buffers and the log's buffer) is above maxmemory, it evicts keys by the policy:
//
//  * *-lru, *-lfu, volatile-ttl: each round samples maxmemory-samples keys of every
//    database from one random shard into a pool of the 16 best candidates kept across
//    rounds (storage/eviction_pool.h), then evicts the best that still exists.
//  * *-random: a random key (with an expiry, for volatile-random) of a random shard.
//
// An evicted key is deleted under its shard's lock as one journal entry `DEL key`, so
// the log and the replicas see it as Redis's evictions are propagated. Work is bounded
// by maxmemory-eviction-tenacity's time budget per call; when the budget runs out the
// rest continues in a task posted to the same I/O thread (clients interleave with it).
// One thread evicts at a time; others go on meanwhile (Redis's EVICT_RUNNING).
// Replicas never evict: their master's DELs arrive in the stream.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string_view>

#include "server/config.h"
#include "storage/eviction_pool.h"

namespace minired {

class Server;
class IoThread;

class Evictor {
 public:
  enum class Result {
    kOk,       // within the limit (or no limit)
    kRunning,  // over the limit, eviction under way: commands may go on
    kFail,     // over the limit and nothing can be evicted: refuse what would grow memory
  };

  explicit Evictor(Server& server) : server_(server) {}

  // Called before every client command from I/O thread `thread`.
  Result MakeRoom(int thread);

  // Memory maxmemory does not apply to (mem_not_counted_for_evict): refreshed by the cron.
  void set_not_counted(int64_t bytes) { not_counted_.store(bytes, std::memory_order_relaxed); }
  int64_t not_counted() const { return not_counted_.load(std::memory_order_relaxed); }
  // Milliseconds spent above maxmemory: in all, and in the current stretch (INFO stats).
  int64_t total_exceeded_ms() const;
  int64_t current_exceeded_ms() const;
  void ResetStats();

 private:
  // LATENCY: the time since `start` as `event` (eviction-cycle, eviction-del), while the
  // monitor is on.
  void RecordLatency(std::string_view event, std::chrono::steady_clock::time_point start);
  bool Applies() const;
  bool NextVictim(EvictionPolicy policy, IoThread& io, EvictionCandidate* victim);
  bool NextRandomVictim(IoThread& io, bool volatile_only, EvictionCandidate* victim);
  void Populate(IoThread& io, bool volatile_only, bool ttl);
  // Deletes the candidate if it still qualifies; the bytes it held (0: it did not).
  int64_t Evict(const EvictionCandidate& victim, EvictionPolicy policy, IoThread& io);
  void NoteOver(bool over);
  void ScheduleContinuation(int thread);

  Server& server_;
  std::mutex mu_;                  // one evicting thread at a time; guards pool_ and sweep_
  EvictionPool pool_;
  EvictionPolicy pool_policy_ = EvictionPolicy::kNoEviction;
  size_t sweep_ = 0;               // next shard of the exhaustive search (sparse keyspaces)
  std::atomic<int64_t> not_counted_{0};
  std::atomic<int64_t> over_since_ms_{0};  // steady-clock ms; 0 while within the limit
  std::atomic<int64_t> exceeded_total_ms_{0};
  std::atomic<bool> continuation_posted_{false};
};

}  // namespace minired
