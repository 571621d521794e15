// The full-sync payload: a snapshot (storage/snapshotter.h) as one byte string that a
// master sends after "+FULLRESYNC <replid> <offset>" as a `$<length>` bulk, and that a
// replica loads into a fresh keyspace. Format, version 1 (docs/replication.md):
//
//   "MRSYNC01"                      magic and format version
//   { varint n > 0, n bytes }*      snapshot chunks (entry format of docs/persistence.md)
//   varint 0                        end of chunks
//   varint keys                     number of entries, checked by the loader
//   varint db + 1                   the database the stream had selected at the
//                                   snapshot's offset (0: none), where the replica's
//                                   stream continues
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "protocol/status.h"
#include "storage/shard_set.h"
#include "storage/snapshot_loader.h"
#include "storage/snapshot_sink.h"

namespace minired {

inline constexpr std::string_view kPayloadMagic = "MRSYNC01";

class RdbPayloadBuilder;

// The forms a full sync's snapshot can take: minired's own payload (minired replicas),
// an RDB file (redis-server replicas, redis-cli --rdb), an RDB file of the function
// libraries alone (redis-cli --functions-rdb: REPLCONF rdb-filter-only functions).
enum class SyncFormat { kMinired = 0, kRdb = 1, kRdbFunctionsOnly = 2 };
inline constexpr size_t kSyncFormats = 3;

// A full sync's payloads, one per format asked for (null for the others).
struct SyncPayloads {
  std::shared_ptr<const std::string> by_format[kSyncFormats];
  const std::shared_ptr<const std::string>& of(SyncFormat f) const { return by_format[static_cast<size_t>(f)]; }
};

// What a full sync needs built.
struct PayloadFormats {
  bool wanted[kSyncFormats] = {true, false, false};
  std::string redis_version;  // the RDB file's redis-ver field
  bool wants(SyncFormat f) const { return wanted[static_cast<size_t>(f)]; }
};

// Collects a snapshot into payloads in memory.
class PayloadSink : public SnapshotSink {
 public:
  // `started` runs once the snapshot's position (meta.seq, replid, offset) is known and
  // may refuse it; `done` gets the payloads, or the error and none.
  using OnStarted = std::function<Status(const SnapshotMeta&)>;
  using OnDone = std::function<void(const Status&, SyncPayloads)>;
  PayloadSink(OnStarted started, OnDone done, PayloadFormats formats = {});
  ~PayloadSink() override;

  Status Begin(SnapshotMeta* meta) override;
  Status Started(const SnapshotMeta& meta) override;
  Status Chunk(std::string_view data) override;
  Status Finish(const SnapshotMeta& meta) override;
  void Abort(const SnapshotMeta& meta) override;

 private:
  OnStarted started_;
  OnDone done_;
  PayloadFormats formats_;
  std::shared_ptr<std::string> payload_;
  std::unique_ptr<RdbPayloadBuilder> rdb_;            // every key and the functions
  std::unique_ptr<RdbPayloadBuilder> rdb_functions_;  // the functions alone
  bool finished_ = false;
};

// Loads a payload into `shards` (empty, not yet visible to clients); `*keys` counts
// the entries loaded so far (INFO progress); `*db` gets the stream's database; `aux`
// receives the state kept beside the keyspace (the function libraries).
Status LoadPayload(std::string_view payload, ShardSet& shards, std::atomic<uint64_t>* keys, int* db,
                   SnapshotLoader::AuxHandler aux = {});

}  // namespace minired
