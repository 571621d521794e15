// Inserts snapshot chunks (one shard's serialized entries, docs/persistence.md) into a
// keyspace. Used by recovery (chunks from RocksDB) and by a replica's full sync (chunks
// from its master's payload), so both read snapshots the same way.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "protocol/status.h"
#include "storage/shard_set.h"

namespace minired {

class Entry;

// A chunk that holds state kept beside the keyspace rather than keys (the function
// libraries): this magic (which no shard chunk starts with: its first bytes would be a
// database number past any configured), a name, a line feed, then the state's bytes.
inline constexpr std::string_view kAuxChunkMagic = "\xff\xff\xffminired-aux:";
std::string MakeAuxChunk(std::string_view name, std::string_view payload);

class SnapshotLoader {
 public:
  // Receives each aux chunk's name and bytes.
  using AuxHandler = std::function<Status(std::string_view name, std::string_view payload)>;
  explicit SnapshotLoader(ShardSet& shards, AuxHandler aux = {})
      : shards_(shards), aux_(std::move(aux)), per_db_(static_cast<size_t>(shards.databases())) {}
  ~SnapshotLoader() { FreeDecoded(); }

  // Inserts every entry of `chunk` as it was, expired ones included: whatever follows the
  // snapshot (log, replication stream) may still change them, and nothing expired is
  // served since every lookup checks the expiry.
  Status LoadChunk(std::string_view chunk);
  uint64_t keys_loaded() const { return keys_; }

 private:
  void FreeDecoded();

  ShardSet& shards_;
  AuxHandler aux_;
  std::vector<std::pair<int, Entry*>> decoded_;
  std::vector<size_t> per_db_;
  uint64_t keys_ = 0;
};

}  // namespace minired
