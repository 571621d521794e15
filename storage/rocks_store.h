// minired's files: one RocksDB database under --dir, with three column families, and
// the append-only log's segment files in its appendonly/ directory (log_segments.h).
//
//   "snapshot"  snapshot chunks: key = 8-byte big-endian snapshot id + 8-byte BE chunk
//               number, value = concatenated entries (entry_codec.h).
//   "default"   metadata: "snapshot" -> SnapshotMeta of the latest complete snapshot.
//   "log"       where the log was kept before it moved to its own files: key = 8-byte
//               BE sequence number of the first entry of a batch, value = the batch
//               (log_format.h). Read at start-up after an upgrade, before the
//               segments; emptied by the next snapshot; never written.
//
// A snapshot becomes current in one synced write of its metadata; only then are the
// previous snapshot's chunks and the log entries it covers deleted, so a crash at any
// moment leaves either the old snapshot + full log or the new one + the log after it.
// Thread-safe (RocksDB and LogSegments are); callers serialise snapshot writing among
// themselves.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/status.h"
#include "storage/log_segments.h"

namespace rocksdb {
class DB;
class ColumnFamilyHandle;
}  // namespace rocksdb

namespace minired {

struct SnapshotMeta {
  uint64_t id = 0;        // 0: no snapshot yet
  uint64_t seq = 0;       // the snapshot holds every log entry <= seq
  int64_t time_ms = 0;    // when it was started (LASTSAVE)
  uint64_t keys = 0;
  uint64_t chunks = 0;
  std::string replid;     // replication id and offset at seq (issue #5)
  uint64_t repl_offset = 0;
  int repl_db = -1;       // the stream's selected database there (-1: none); not stored
  // The journal recorded every write when the snapshot took seq, so a stream position
  // can be mapped to it; not stored.
  bool recorded = true;
};

class RocksStore {
 public:
  struct Options {
    std::string path;
    // Log damage policy at open: a torn last record is always dropped unless strict;
    // damage before the end fails the open unless recover_to_corruption.
    bool strict = false;                 // aof-load-truncated no
    bool recover_to_corruption = false;  // aof-load-corrupt yes
    // Opens without writing anything (minired-check): the log is replayed into memory
    // only, nothing is created, and a running server's files may be read.
    bool read_only = false;
  };
  // A log file whose last record a crash tore (an append cut short), and how many bytes
  // at its end recovery drops (a log segment's, or RocksDB's own write-ahead log's,
  // which now holds only metadata); measured without opening the database.
  struct TornTail {
    std::string file;  // the .mlog or .log file's path
    uint64_t bytes = 0;
  };
  static std::vector<TornTail> FindTornTails(const std::string& path);

  static Status Open(const Options& options, std::unique_ptr<RocksStore>* out);
  ~RocksStore();

  // Appends one batch of consecutive entries first_seq..last_seq (log_format.h); `sync`
  // makes it durable before returning. After a failure the same batch may be appended
  // again.
  Status AppendLog(uint64_t first_seq, uint64_t last_seq, std::string_view batch, bool sync);
  // Makes every append so far durable (appendfsync everysec).
  Status SyncLog();
  // Visits log records with seq > after, in order; stops at the first error.
  Status ForEachLog(uint64_t after, const std::function<Status(uint64_t, std::string_view)>& visit);
  // Drops the log after entry `seq`: a replay stopped there, at a gap (appendonly was
  // off for a while), and the entries past the gap must not sort before new ones.
  Status DiscardLogAfter(uint64_t seq);

  Status PutSnapshotChunk(uint64_t id, uint64_t chunk, std::string_view data);
  Status ForEachSnapshotChunk(uint64_t id, const std::function<Status(std::string_view)>& visit);
  // Makes `meta` the current snapshot, then drops the older snapshot and the log <= seq.
  Status CommitSnapshot(const SnapshotMeta& meta);
  // Drops the chunks of a snapshot that was abandoned (error, shutdown).
  Status DropSnapshot(uint64_t id);
  Status LoadMeta(SnapshotMeta* meta);  // id 0 when none

  // After a failed write, RocksDB refuses writes until resumed.
  Status Resume();
  // Free bytes on the filesystem holding the files.
  uint64_t FreeBytes() const;

  // Bytes at the end of the write-ahead log that the last open dropped because a crash
  // tore the record being appended (aof-load-truncated), and the file they were in; 0
  // after a read-only open (FindTornTails measures without opening).
  uint64_t torn_bytes() const { return torn_bytes_; }
  const std::string& torn_file() const { return torn_file_; }

  // Bytes on disk (SST files and log segments), for INFO.
  uint64_t DiskBytes();
  // Bytes in RocksDB's memtables (active, unflushed and pinned), all column families:
  // the metadata's and the snapshot's buffers, which like Redis's AOF buffer are not
  // counted against maxmemory.
  uint64_t MemTableBytes();
  // Has RocksDB's background threads (flushes, compactions) collect their allocator
  // heaps: what they freed stays committed otherwise, since an idle thread never
  // collects (Server::GiveMemoryBack).
  static void PurgeBackgroundThreads();

 private:
  RocksStore() = default;
  std::string path_;
  uint64_t torn_bytes_ = 0;
  std::string torn_file_;
  rocksdb::DB* db_ = nullptr;
  rocksdb::ColumnFamilyHandle* meta_ = nullptr;
  rocksdb::ColumnFamilyHandle* log_ = nullptr;
  rocksdb::ColumnFamilyHandle* snapshot_ = nullptr;
  std::unique_ptr<LogSegments> segments_;
};

}  // namespace minired
