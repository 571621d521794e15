// The master side of replication: the stream's identity and position (replication id,
// offset), the backlog, and the replicas it feeds.
//
// Where the stream comes from depends on the role:
//  * a master encodes its journal entries (storage/journal.h, in sequence order, from
//    the log writer's listener): the bytes its log stores are the bytes its replicas get;
//  * a replica passes on the bytes of its own master's stream exactly as it applied
//    them (FeedRaw), so a chain shares one replication id and one offset space, and a
//    replica of a replica can continue from any node of the chain after a failover.
//
// Positions: full syncs and persistent snapshots are taken at a journal sequence
// number; OffsetAfterSeq maps it to the stream offset just after that entry, from a
// short history of (seq, offset) pairs. Thread-safe: one mutex, held for a memcpy per
// entry and replica.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "replication/backlog.h"
#include "replication/fixed_ring.h"
#include "replication/replica_feed.h"
#include "replication/stream_encoder.h"
#include "storage/journal.h"

namespace minired {

// A fresh 40-character replication id.
std::string NewReplicationId();

class ReplicationSource {
 public:
  explicit ReplicationSource(size_t backlog_size);

  // --- the stream ---
  // The journal's listener, with each batch the log appended (or, with the log off, took
  // in sequence); ignored unless master. One lock and one push to each replica's feed
  // per batch rather than per write.
  void FeedEntries(std::span<const JournalEntry> entries);
  void FeedEntry(const JournalEntry& entry) { FeedEntries({&entry, 1}); }
  // A replica passing its master's stream on: `bytes` as applied, `db` the database
  // selected after them.
  void FeedRaw(std::string_view bytes, int db);
  void FeedControl(std::string_view command);   // PING, REPLCONF GETACK of this master

  // --- role changes ---
  // Master: journal entries after `after_seq` feed the stream, starting with a SELECT.
  void FeedFromJournal(uint64_t after_seq);
  // Replica: the journal no longer feeds the stream.
  void StopJournalFeed();
  bool feeding_from_journal() const;
  // After a full sync: the master's id and offset, an empty backlog.
  void ResetTo(std::string replid, uint64_t offset);
  // A new id (promotion, or the master's new id on +CONTINUE); the old one stays valid
  // up to the current offset, so replicas of the old history continue partially.
  void ShiftReplid(std::string new_id);

  // --- replicas ---
  // PSYNC <replid> <offset>: attaches `feed` with "+CONTINUE <id>" and the backlog from
  // `offset` when this history holds it; false (nothing attached) otherwise.
  bool TryContinue(std::string_view replid, uint64_t offset, const std::shared_ptr<ReplicaFeed>& feed);
  // Full sync from a snapshot at stream offset `offset`: attaches `feed` held, with
  // "+FULLRESYNC <id> <offset>" and the stream after `offset`. False if the backlog no
  // longer holds it.
  bool AttachFullSync(std::string_view replid, uint64_t offset, const std::shared_ptr<ReplicaFeed>& feed);
  void Detach(const ReplicaFeed* feed);
  // The backlog keeps bytes from the first replica's PSYNC on (as Redis creates it then);
  // before that the stream is only counted, and only while the log is on (with it off,
  // writes are not recorded at all until then: JournalSink::recording).
  void ActivateBacklog();
  void DropAll(const std::string& why);
  std::vector<std::shared_ptr<ReplicaFeed>> feeds() const;

  // --- positions ---
  // The stream offset just after journal entry `seq`, waiting up to `timeout` for the
  // journal to reach it; nullopt when it did not, the entry is too old, or this node
  // is a replica. `with_control`: when `seq` is the newest entry, include the PINGs and
  // GETACKs sent after it (a snapshot's position: a replica that applied them continues).
  struct Point {
    uint64_t offset = 0;
    int db = -1;  // the database the stream had selected there (-1: none yet)
  };
  std::optional<Point> OffsetAfterSeq(uint64_t seq, std::chrono::milliseconds timeout, bool with_control = false);
  // WAIT: once journal entry `seq` is in the stream, ask every replica for its offset.
  void RequestAckAfter(uint64_t seq);

  struct Position {
    std::string replid, replid2;
    uint64_t offset = 0;
    int db = -1;  // the stream's selected database at `offset`
    int64_t second_offset = -1;
    uint64_t backlog_first_byte = 0;
    size_t backlog_histlen = 0;
    size_t backlog_size = 0;
    size_t backlog_allocated = 0;
    bool backlog_active = false;
  };
  Position position() const;
  void set_backlog_size(size_t bytes);
  // The id and offset a master had when its snapshot was taken (restart).
  void Restore(std::string replid, uint64_t offset, uint64_t after_seq);

 private:
  void AppendLocked(std::string_view bytes);
  void ResetToLocked(std::string replid, uint64_t offset);
  void FeedFromJournalLocked(uint64_t after_seq);
  // Enough for the journal's lag behind a snapshot or a WAIT (a few ms of writes).
  static constexpr size_t kHistoryEntries = 1 << 14;
  struct SeqOffset {
    uint64_t seq;
    uint64_t end_offset;
    int db;
  };

  mutable std::mutex mu_;
  std::condition_variable fed_cv_;
  std::string batch_bytes_;  // FeedEntries' buffer, kept between batches
  std::string replid_, replid2_;
  int64_t second_offset_ = -1;
  ReplBacklog backlog_;
  StreamEncoder encoder_;
  bool from_journal_ = true;
  bool backlog_active_ = false;  // false also means no feed was ever attached
  uint64_t ignore_through_ = 0;  // journal entries <= this are not fed
  uint64_t fed_seq_ = 0;         // last journal entry seen
  FixedRing<SeqOffset> history_{kHistoryEntries};
  uint64_t history_base_seq_ = 0;     // entries <= this end at or before history_base_offset_
  uint64_t history_base_offset_ = 0;
  int history_base_db_ = -1;
  int stream_db_ = -1;  // the database the stream selected last
  uint64_t getack_after_seq_ = 0;     // 0: none requested
  std::vector<std::shared_ptr<ReplicaFeed>> feeds_;
};

}  // namespace minired
