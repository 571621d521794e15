#include "storage/rdb_keyspace_loader.h"

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

Status RdbKeyspaceLoader::Function(std::string code) {
  functions_.push_back(std::move(code));
  return Status::Ok();
}

Status RdbKeyspaceLoader::Aux(std::string_view key, std::string_view value) {
  aux_.emplace_back(key, value);
  return Status::Ok();
}

}  // namespace minired
