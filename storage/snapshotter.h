// Point-in-time snapshots of the whole keyspace, taken while clients keep writing.
//
// Start: with every shard locked for a moment, the snapshot takes S, the last journal
// sequence number issued (every entry <= S is in memory, none > S is), and marks every
// shard "to dump". Then each shard is serialized exactly once, under its lock, before
// anything else touches it: the snapshot thread visits the shards in order, and any
// command that locks a not-yet-dumped shard first dumps it itself (ShardMutex calls
// Shard::DumpPending). So every shard is captured as it was at S, the snapshot equals
// the keyspace after entry S, and recovery replays exactly the log entries > S: no write
// is lost or applied twice. A shard's dump holds its lock for the time it takes to
// serialize it (about 1 ms per 10,000 small keys); the bytes go to RocksDB from the
// snapshot thread, outside any lock.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "storage/journal.h"
#include "storage/latency_hook.h"
#include "storage/rocks_store.h"
#include "storage/snapshot_sink.h"
#include "storage/shard_set.h"

namespace minired {

class Snapshotter : public ShardDumper {
 public:
  // `latency` hears of slow snapshot steps: snapshot-start, snapshot-shard.
  Snapshotter(ShardSet& shards, JournalSink& journal, LatencyHook latency = {});
  ~Snapshotter() override;

  using Done = std::function<void(const Status&, const SnapshotMeta&)>;
  // Starts a snapshot into `sink` on a background thread; false if one is already
  // running. `done` runs on that thread when it finished or failed.
  bool Start(int64_t now_ms, std::unique_ptr<SnapshotSink> sink, Done done);
  // Fills meta->replid and meta->repl_offset for the snapshot's sequence number (the
  // replication position it corresponds to); runs on the snapshot thread before the
  // sink's Started. Set once, before the first snapshot.
  void set_position_resolver(std::function<void(SnapshotMeta*)> r) { resolver_ = std::move(r); }
  // Reports what holds up clients: snapshot-start (every shard locked while the
  // snapshot's position is taken), snapshot-shard (one shard serialized under its lock,
  // by the snapshot thread or the first command that needs that shard). Set once,
  // before the first snapshot.
  bool in_progress() const { return running_.load(); }
  // Produces the aux chunks (snapshot_loader.h) of state kept beside the keyspace: called
  // with every shard locked when a snapshot takes its position, so the state is the one
  // at that position; its chunk is written first. Set once, before the first snapshot.
  void set_aux_capture(std::function<std::string()> capture) { aux_capture_ = std::move(capture); }
  // Progress of the running (or last) snapshot.
  uint64_t keys_written() const { return keys_.load(); }
  size_t shards_done() const { return shards_done_.load(); }
  size_t shards_total() const { return shards_.size(); }
  // Waits for a running snapshot to finish.
  void Wait();

  // ShardDumper: called with the shard's mutex held.
  void DumpShard(Shard& shard) override;

 private:
  void Run(Done done);

  ShardSet& shards_;
  JournalSink& journal_;
  std::unique_ptr<SnapshotSink> sink_;  // of the running snapshot
  std::function<void(SnapshotMeta*)> resolver_;
  std::function<std::string()> aux_capture_;
  std::string aux_chunk_;  // of the running snapshot
  const LatencyHook latency_hook_;
  std::atomic<bool> running_{false};
  std::atomic<uint64_t> keys_{0};
  std::atomic<size_t> shards_done_{0};
  SnapshotMeta meta_;  // of the running snapshot; set before its thread starts

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::string> chunks_;  // guarded by mu_: serialized shards to write
  std::thread thread_;
};

}  // namespace minired
