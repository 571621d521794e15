#include "storage/rdb_keyspace_loader.h"

#include <algorithm>
#include <mutex>

#include "storage/access_clock.h"

namespace minired {

Status RdbKeyspaceLoader::Key(uint64_t db, Entry* e, int64_t lru_idle, int lfu_freq) {
  if (db >= static_cast<uint64_t>(shards_.databases())) {
    Entry::Free(e);
    return Status::Corruption("the file has keys in database " + std::to_string(db) + ", but only " +
                              std::to_string(shards_.databases()) + " are configured (databases)");
  }
  if (now_ms_ != 0 && e->has_expire() && e->expire_ms() <= now_ms_) {
    Entry::Free(e);
    ++expired_;
    return Status::Ok();
  }
  const uint64_t hash = HashKey(e->key());
  Shard& shard = shards_.ShardFor(hash);
  std::lock_guard<ShardMutex> lock(shard.mu());
  Db& target = shard.db(static_cast<int>(db));
  InitAccess(e, 0, target.access());  // loaded keys count as just written
  target.Upsert(e, hash, 0);
  ++loaded_;
  if (keys_counter_) keys_counter_->fetch_add(1, std::memory_order_relaxed);
  return Status::Ok();
}

Status RdbKeyspaceLoader::Resize(uint64_t db, uint64_t keys, uint64_t) {
  if (db >= static_cast<uint64_t>(shards_.databases())) return Status::Ok();  // Key() reports it
  // A hint from the file (LoadRdb caps it by the file's size).
  const uint64_t per_shard = keys / shards_.size() + 1;
  for (size_t i = 0; i < shards_.size(); ++i) {
    Shard& shard = shards_.shard(i);
    std::lock_guard<ShardMutex> lock(shard.mu());
    Db& d = shard.db(static_cast<int>(db));
    d.Reserve(d.size() + static_cast<size_t>(per_shard));
  }
  return Status::Ok();
}

Status RdbKeyspaceLoader::Function(std::string code) {
  functions_.push_back(std::move(code));
  return Status::Ok();
}

Status RdbKeyspaceLoader::Aux(std::string_view key, std::string_view value) {
  aux_.emplace_back(key, value);
  return Status::Ok();
}

}  // namespace minired
