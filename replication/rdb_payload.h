// A snapshot as an RDB file (storage/rdb/rdb_file.h), for the replicas and tools that
// read Redis's format: redis-server replicas of a minired master and `redis-cli --rdb`.
// Fed the same chunks as the minired payload (storage/snapshot_sink.h): each entry is
// decoded and written in RDB form, a SELECTDB whenever the database changes (Redis's
// loader takes them anywhere), function libraries as FUNCTION2 records.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "protocol/status.h"
#include "storage/rdb/rdb_file.h"
#include "storage/rocks_store.h"

namespace minired {

class RdbPayloadBuilder {
 public:
  // `redis_version`: what the file's redis-ver field says (the version minired speaks).
  // `functions_only`: the function libraries and no keys (redis-cli --functions-rdb).
  RdbPayloadBuilder(std::string redis_version, bool compress, bool functions_only);
  Status Begin(const SnapshotMeta& meta);
  Status Chunk(std::string_view chunk);
  Status Finish();
  std::shared_ptr<std::string> Take() { return std::move(out_); }

 private:
  std::shared_ptr<std::string> out_;
  rdb::RdbWriter writer_;
  std::string redis_version_;
  bool functions_only_;
  int64_t db_ = -1;
};

}  // namespace minired
