#include "storage/snapshot_loader.h"

#include <algorithm>
#include <string>

#include "storage/entry_codec.h"
#include "storage/varint.h"

namespace minired {

void SnapshotLoader::FreeDecoded() {
  for (auto& [db, e] : decoded_) Entry::Free(e);
  decoded_.clear();
}

std::string MakeAuxChunk(std::string_view name, std::string_view payload) {
  std::string chunk(kAuxChunkMagic);
  chunk.append(name);
  chunk.push_back('\n');
  chunk.append(payload);
  return chunk;
}

Status SnapshotLoader::LoadChunk(std::string_view chunk) {
  if (chunk.starts_with(kAuxChunkMagic)) {
    chunk.remove_prefix(kAuxChunkMagic.size());
    const size_t eol = chunk.find('\n');
    if (eol == std::string_view::npos) return Status::Corruption("snapshot chunk: an aux chunk without a name");
    return aux_ ? aux_(chunk.substr(0, eol), chunk.substr(eol + 1)) : Status::Ok();
  }
  // A chunk is one shard's keys, in hash order: decode them all, make room in each
  // table, then insert (inserting in hash order into a growing table clusters).
  FreeDecoded();
  std::fill(per_db_.begin(), per_db_.end(), 0);
  while (!chunk.empty()) {
    uint64_t db = 0;
    if (!ConsumeVarint(&chunk, &db)) {
      FreeDecoded();
      return Status::Corruption("snapshot chunk: truncated database number");
    }
    if (db >= static_cast<uint64_t>(shards_.databases())) {
      FreeDecoded();
      return Status::Corruption("snapshot entry for database " + std::to_string(db) + ", but only " +
                                std::to_string(shards_.databases()) + " are configured");
    }
    Entry* e = nullptr;
    Status s = DecodeEntry(&chunk, &e);
    if (!s.ok()) {
      FreeDecoded();
      return s;
    }
    decoded_.emplace_back(static_cast<int>(db), e);
    ++per_db_[db];
  }
  if (decoded_.empty()) return Status::Ok();
  Shard& shard = shards_.ShardFor(HashKey(decoded_.front().second->key()));
  std::lock_guard<ShardMutex> lock(shard.mu());
  for (size_t d = 0; d < per_db_.size(); ++d) {
    Db& db = shard.db(static_cast<int>(d));
    if (per_db_[d] > 0) db.Reserve(db.size() + per_db_[d]);
  }
  for (auto& [db, e] : decoded_) {
    uint64_t hash = HashKey(e->key());
    Shard& owner = shards_.ShardFor(hash);
    // Not written with this build's shard layout (a different --shards): route each.
    std::unique_lock<ShardMutex> l2;
    if (&owner != &shard) l2 = std::unique_lock<ShardMutex>(owner.mu());
    Db& target = owner.db(db);
    InitAccess(e, 0, target.access());  // loaded keys count as just written
    target.Upsert(e, hash, 0);
  }
  keys_ += decoded_.size();
  decoded_.clear();
  return Status::Ok();
}

}  // namespace minired
