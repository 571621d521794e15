// Where a snapshot's serialized shards go. RocksSnapshotSink makes them the
// persistent snapshot; a replica's full sync (issue #5) will stream the same chunks to
// its socket, so there is one serializer for both (storage/snapshotter.h).
#pragma once

#include <cstdint>
#include <string_view>

#include "protocol/status.h"
#include "storage/rocks_store.h"

namespace minired {

class SnapshotSink {
 public:
  virtual ~SnapshotSink() = default;
  // Before any chunk; may assign meta->id.
  virtual Status Begin(SnapshotMeta* meta) = 0;
  // Once the snapshot's position is known (meta.seq, and replid/repl_offset where a
  // replication position resolver is set), before any chunk. An error aborts it.
  virtual Status Started(const SnapshotMeta& meta) { return Status::Ok(); }
  // One shard's entries (chunk format in docs/persistence.md), from the snapshot thread.
  virtual Status Chunk(std::string_view data) = 0;
  // After the last chunk, with meta.keys and meta.chunks filled in.
  virtual Status Finish(const SnapshotMeta& meta) = 0;
  // After a failure: drop what was written.
  virtual void Abort(const SnapshotMeta& meta) = 0;
};

// The persistent snapshot in RocksDB: a new id after the current one, committed (and
// the log it covers dropped) by Finish.
class RocksSnapshotSink : public SnapshotSink {
 public:
  explicit RocksSnapshotSink(RocksStore& store) : store_(store) {}
  Status Begin(SnapshotMeta* meta) override;
  Status Chunk(std::string_view data) override;
  Status Finish(const SnapshotMeta& meta) override { return store_.CommitSnapshot(meta); }
  void Abort(const SnapshotMeta& meta) override { store_.DropSnapshot(meta.id); }

 private:
  RocksStore& store_;
  uint64_t id_ = 0;
  uint64_t next_chunk_ = 0;
};

}  // namespace minired
