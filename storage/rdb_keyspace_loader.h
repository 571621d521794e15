// Loads an RDB file's keys into a keyspace (storage/rdb/rdb_file.h's handler): the
// start-up import of a redis-server dump.rdb, and a replica's full sync from a
// redis-server master. Keys go to their database through the shard locks; keys whose
// expiry already passed are skipped when a clock is given (a master loading a file,
// as Redis), kept otherwise (a replica: its master's DEL removes them).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "storage/rdb/rdb_file.h"
#include "storage/shard_set.h"

namespace minired {

class RdbKeyspaceLoader : public rdb::RdbHandler {
 public:
  // `now_ms` 0: keep expired keys. `progress` (may be empty) gets bytes read and keys.
  RdbKeyspaceLoader(ShardSet& shards, int64_t now_ms, std::atomic<uint64_t>* keys_counter = nullptr)
      : shards_(shards), now_ms_(now_ms), keys_counter_(keys_counter) {}

  Status Key(uint64_t db, Entry* e, int64_t lru_idle, int lfu_freq) override;
  Status Function(std::string code) override;
  // Sizes each shard's table for its share of the keys before they arrive.
  Status Resize(uint64_t db, uint64_t keys, uint64_t keys_with_expiry) override;
  Status Aux(std::string_view key, std::string_view value) override;
  void Progress(uint64_t bytes_read, uint64_t keys) override {
    if (progress_) progress_(bytes_read, keys);
  }

  void set_progress(std::function<void(uint64_t, uint64_t)> fn) { progress_ = std::move(fn); }
  uint64_t loaded() const { return loaded_; }
  uint64_t expired_skipped() const { return expired_; }
  // The FUNCTION libraries' code, in file order.
  std::vector<std::string>& functions() { return functions_; }
  // The AUX fields (redis-ver, repl-id...), as the file lists them.
  const std::vector<std::pair<std::string, std::string>>& aux() const { return aux_; }

 private:
  ShardSet& shards_;
  int64_t now_ms_;
  std::atomic<uint64_t>* keys_counter_;
  std::function<void(uint64_t, uint64_t)> progress_;
  uint64_t loaded_ = 0;
  uint64_t expired_ = 0;
  std::vector<std::string> functions_;
  std::vector<std::pair<std::string, std::string>> aux_;
};

}  // namespace minired
