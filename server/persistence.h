// Persistence of the keyspace on RocksDB: the append-only log (storage/log_writer.h),
// snapshots (storage/snapshotter.h) and recovery at start-up. See docs/persistence.md.
//
// Threads: the log writer and the snapshotter have their own threads; Load runs on a
// loader thread while the I/O threads answer -LOADING; everything else is called from
// I/O threads (commands, cron) and is thread-safe through atomics and mutex_.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "protocol/status.h"
#include "storage/log_writer.h"
#include "storage/rocks_store.h"
#include "storage/snapshotter.h"

namespace minired {

class Server;

class Persistence {
 public:
  explicit Persistence(Server& server);
  ~Persistence();

  // Opens (or creates) the RocksDB directory under the current directory. A damaged
  // log fails here with a message naming the damage and the option that accepts it.
  Status Open();
  // Loads the latest snapshot, replays the log after it; runs on a background thread
  // and clears the server's loading flag when done. A failure stops the server.
  void StartLoading();

  LogWriter& log() { return *log_; }
  // False (with the -MISCONF reply in *why) when writes must be refused: the log
  // cannot be written, or the last snapshot failed and stop-writes-on-bgsave-error.
  bool WritesAllowed(std::string* why) const;
  // True when a reply must wait for entry `seq` to be durable (appendfsync always).
  bool MustWait(uint64_t seq) const;

  // BGSAVE / BGREWRITEAOF: false with *error when a snapshot is already running.
  bool StartSnapshot(std::string* error);
  // A snapshot into another sink (a replica's full sync); false while one runs.
  bool StartSnapshotInto(std::unique_ptr<SnapshotSink> sink, Snapshotter::Done done);
  Snapshotter& snapshotter() { return *snapshotter_; }
  // SAVE, SHUTDOWN: a snapshot now, waited for.
  Status SaveNow();
  // Applies live config changes and the save rules; called by the server cron.
  void Cron(int64_t now_ms);
  // Stops the log writer after syncing it; with `save`, takes a final snapshot first.
  Status Shutdown(bool save);
  // Writes out what the log writer holds and stops it (SHUTDOWN NOSAVE while a script
  // runs, which exits at once).
  void StopLog();

  int64_t last_save_time_s() const { return last_save_ms_.load() / 1000; }
  void AppendInfo(std::string* out) const;
  uint64_t MemTableBytes() const { return store_ ? store_->MemTableBytes() : 0; }
  // The log writer's and RocksDB's threads collect their allocator heaps (GiveMemoryBack).
  void GiveMemoryBack() {
    log_->RequestPurge();
    RocksStore::PurgeBackgroundThreads();
  }

 private:
  void Load();
  Status LoadSnapshot(const SnapshotMeta& meta, int64_t now_ms);
  Status ReplayLog(uint64_t after);
  // The one-time import of rdb-import-file into an empty data set (server/rdb_import.cc).
  Status ImportRdb(const std::string& path);
  void OnSnapshotDone(const Status& s, const SnapshotMeta& meta, int64_t started_ms, uint64_t changes_at_start);

  Server& server_;
  std::unique_ptr<RocksStore> store_;
  std::unique_ptr<LogWriter> log_;
  std::unique_ptr<Snapshotter> snapshotter_;
  std::thread loader_;

  std::atomic<int64_t> last_save_ms_{0};
  std::atomic<bool> last_save_ok_{true};
  std::atomic<int64_t> last_save_duration_ms_{-1};
  std::atomic<int64_t> snapshot_started_ms_{0};
  std::atomic<uint64_t> snapshots_done_{0};
  // Loading progress (INFO loading_*).
  std::atomic<uint64_t> loaded_keys_{0};
  std::atomic<uint64_t> replayed_entries_{0};
  std::atomic<int64_t> loading_started_ms_{0};
  std::atomic<uint64_t> loading_expected_keys_{0};

  mutable std::mutex mu_;
  std::string last_save_error_;  // guarded by mu_
};

}  // namespace minired
