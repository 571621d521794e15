// The append-only log's files: plain files of checksummed records under
// `<RocksDB directory>/appendonly/`, appended with write(2) and synced with fdatasync(2),
// as redis-server appends its AOF. The log used to be a RocksDB column family: every
// batch went through RocksDB's write-ahead log (CRC32C in software in Debian's build) and
// its memtable, and was written out again, compressed, by a background flush, only to be
// deleted at the next snapshot. Now each batch is written once.
//
// A segment file `log-<first seq, 20 digits>.mlog`:
//
//   file header   8 bytes  "MRLOG\x01\r\n"   (\x01: the format version)
//   records       u32 LE body length | u64 LE first seq | u64 LE last seq |
//                 u64 LE XXH3-64 of the body, seeded with the XXH3-64 of the 20
//                 bytes before it | body
//
// A record's body is a batch of consecutive journal entries (log_format.h). Records in a
// segment, and segments in the order of their names, follow one another in sequence.
// A segment is never appended to after the server that wrote it stops: each server
// starts a new one with its first append; a segment past kSegmentBytes is synced and
// closed. Segments wholly covered by a committed snapshot are deleted (DropCoveredBy).
//
// Damage, found when the directory is opened (Open scans every record):
//   - a torn tail: the last segment ends inside a record (a crash cut an append short),
//     or its last record, or everything from a record on, is zeros or fails its
//     checksum with nothing valid after it. Dropped (aof-load-truncated yes: the
//     default), and cut off the file when opened for writing; refused when strict.
//   - damage before the end: anything else. Refused, unless recover_to_corruption
//     (aof-load-corrupt yes): the log is read up to the damage, and when opened for
//     writing the segment is cut there (the bytes cut off kept in `<segment>.damaged`)
//     and the later segments are renamed to `*.mlog.damaged` (kept for inspection,
//     never read).
//
// Thread safety: Append, Sync, DropCoveredBy and DiscardAfter may be called from
// different threads; a mutex guards the segment list, and Sync waits for the disk
// without holding it. Callers append one batch at a time (LogWriter's delivery token).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/status.h"

namespace minired {

class LogSegments {
 public:
  static constexpr uint64_t kSegmentBytes = 64ULL << 20;
  static constexpr size_t kFileHeaderBytes = 8;
  static constexpr size_t kRecordHeaderBytes = 28;

  struct Options {
    std::string dir;                         // the appendonly/ directory
    bool strict = false;                     // a torn tail fails the open
    bool recover_to_corruption = false;      // damage before the end: read up to it
    bool read_only = false;                  // change nothing (minired-check)
    uint64_t segment_bytes = kSegmentBytes;  // tests make it small
  };

  // A torn tail as found by Open or FindTornTail: bytes at the end of `file`.
  struct Torn {
    std::string file;
    uint64_t bytes = 0;
  };

  // Scans the segments under options.dir (absent: an empty log) and applies the damage
  // policy above. Corruption names the file, the offset and what is wrong.
  static Status Open(const Options& options, std::unique_ptr<LogSegments>* out);
  // The torn tail of the last segment under `dir`, measured without changing anything;
  // bytes 0 when there is none (or when the damage is before the end).
  static Torn FindTornTail(const std::string& dir);

  ~LogSegments();

  // Appends one record holding the entries first_seq..last_seq; `sync` makes it durable
  // before returning. A failed write leaves the segment as it was before the call (the
  // partial record is cut off), so the same batch can be appended again.
  Status Append(uint64_t first_seq, uint64_t last_seq, std::string_view batch, bool sync);
  // Makes every append so far durable.
  Status Sync();
  // Visits the records holding entries > after, in order: (first seq, body).
  Status ForEach(uint64_t after,
                 const std::function<Status(uint64_t, std::string_view)>& visit) const;
  // Deletes the segments all of whose entries are <= seq (a snapshot holds them).
  Status DropCoveredBy(uint64_t seq);
  // Cuts the log after the record holding `seq` (a replay stopped there, at a gap): the
  // entries after it would otherwise sort before the ones appended next.
  Status DiscardAfter(uint64_t seq);

  // The torn tail dropped at Open (bytes 0: none).
  const Torn& torn() const { return torn_; }
  // Bytes in the segment files.
  uint64_t DiskBytes() const;

 private:
  struct Segment;
  LogSegments() = default;
  // Opens a new segment for the record starting at first_seq; called under mu_.
  Status StartSegmentLocked(uint64_t first_seq);
  // Syncs and closes the current segment; called under mu_.
  Status CloseCurrentLocked();
  // Cuts a failed append's partial record off the current segment; returns `error`.
  // Called under mu_.
  Status CutFailedAppendLocked(const std::string& error);

  Options options_;
  Torn torn_;
  mutable std::mutex mu_;
  // In sequence order; the last one is appended to while appending_.
  std::vector<std::shared_ptr<Segment>> segments_;  // guarded by mu_
  bool appending_ = false;    // segments_.back() is this server's; guarded by mu_
  bool tail_to_cut_ = false;  // a failed append's partial record is still there; guarded by mu_
};

}  // namespace minired
