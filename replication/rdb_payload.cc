#include "replication/rdb_payload.h"

#include <ctime>
#include <vector>

#include "storage/entry_codec.h"
#include "storage/rdb/function_payload.h"
#include "storage/snapshot_loader.h"
#include "storage/varint.h"

namespace minired {

RdbPayloadBuilder::RdbPayloadBuilder(std::string redis_version, bool compress, bool functions_only)
    : out_(std::make_shared<std::string>()),
      writer_([this](std::string_view bytes) {
                out_->append(bytes);
                return Status::Ok();
              },
              compress),
      redis_version_(std::move(redis_version)),
      functions_only_(functions_only) {}

Status RdbPayloadBuilder::Begin(const SnapshotMeta& meta) {
  writer_.Header();
  writer_.Aux("redis-ver", redis_version_);
  writer_.Aux("redis-bits", "64");
  writer_.Aux("ctime", std::to_string(std::time(nullptr)));
  writer_.Aux("used-mem", "0");
  // Where the replication stream continues: a redis-server replica's master client
  // starts in this database (the stream sends SELECT only when it changes).
  if (meta.repl_db >= 0) writer_.Aux("repl-stream-db", std::to_string(meta.repl_db));
  if (!meta.replid.empty()) {
    writer_.Aux("repl-id", meta.replid);
    writer_.Aux("repl-offset", std::to_string(meta.repl_offset));
  }
  return writer_.Aux("aof-base", "0");
}

Status RdbPayloadBuilder::Chunk(std::string_view chunk) {
  if (chunk.starts_with(kAuxChunkMagic)) {
    chunk.remove_prefix(kAuxChunkMagic.size());
    const size_t eol = chunk.find('\n');
    if (eol == std::string_view::npos || chunk.substr(0, eol) != "functions") return Status::Ok();
    std::vector<std::string> codes;
    std::string error;
    if (!rdb::DecodeFunctionsPayload(chunk.substr(eol + 1), &codes, &error)) {
      return Status::Corruption("function libraries: " + error);
    }
    for (const std::string& code : codes) {
      if (Status s = writer_.Function(code); !s.ok()) return s;
    }
    return Status::Ok();
  }
  if (functions_only_) return Status::Ok();
  while (!chunk.empty()) {
    uint64_t db = 0;
    if (!ConsumeVarint(&chunk, &db)) return Status::Corruption("snapshot chunk: truncated database number");
    Entry* e = nullptr;
    if (Status s = DecodeEntry(&chunk, &e); !s.ok()) return s;
    Status s = Status::Ok();
    if (static_cast<int64_t>(db) != db_) {
      db_ = static_cast<int64_t>(db);
      s = writer_.SelectDb(static_cast<int>(db), 0, 0);
    }
    if (s.ok()) s = writer_.Key(e);
    Entry::Free(e);
    if (!s.ok()) return s;
  }
  return Status::Ok();
}

Status RdbPayloadBuilder::Finish() { return writer_.Finish(); }

}  // namespace minired
