#include "replication/payload.h"

#include "replication/rdb_payload.h"
#include "storage/snapshot_loader.h"
#include "storage/varint.h"

namespace minired {

PayloadSink::PayloadSink(OnStarted started, OnDone done, PayloadFormats formats)
    : started_(std::move(started)), done_(std::move(done)), formats_(std::move(formats)) {}

PayloadSink::~PayloadSink() = default;

Status PayloadSink::Begin(SnapshotMeta* meta) {
  if (formats_.wants(SyncFormat::kMinired)) payload_ = std::make_shared<std::string>(kPayloadMagic);
  return Status::Ok();
}

Status PayloadSink::Started(const SnapshotMeta& meta) {
  if (Status s = started_(meta); !s.ok()) return s;
  // The RDB header carries the stream's position and database, known only now.
  if (formats_.wants(SyncFormat::kRdb)) {
    rdb_ = std::make_unique<RdbPayloadBuilder>(formats_.redis_version, /*compress=*/true, /*functions_only=*/false);
    if (Status s = rdb_->Begin(meta); !s.ok()) return s;
  }
  if (formats_.wants(SyncFormat::kRdbFunctionsOnly)) {
    rdb_functions_ = std::make_unique<RdbPayloadBuilder>(formats_.redis_version, true, /*functions_only=*/true);
    if (Status s = rdb_functions_->Begin(meta); !s.ok()) return s;
  }
  return Status::Ok();
}

Status PayloadSink::Chunk(std::string_view data) {
  if (payload_) {
    AppendVarint(payload_.get(), data.size());
    payload_->append(data);
  }
  if (rdb_) {
    if (Status s = rdb_->Chunk(data); !s.ok()) return s;
  }
  return rdb_functions_ ? rdb_functions_->Chunk(data) : Status::Ok();
}

Status PayloadSink::Finish(const SnapshotMeta& meta) {
  SyncPayloads out;
  if (payload_) {
    AppendVarint(payload_.get(), 0);
    AppendVarint(payload_.get(), meta.keys);
    AppendVarint(payload_.get(), static_cast<uint64_t>(meta.repl_db + 1));
    out.by_format[static_cast<size_t>(SyncFormat::kMinired)] = std::move(payload_);
  }
  if (rdb_) {
    if (Status s = rdb_->Finish(); !s.ok()) return s;
    out.by_format[static_cast<size_t>(SyncFormat::kRdb)] = rdb_->Take();
  }
  if (rdb_functions_) {
    if (Status s = rdb_functions_->Finish(); !s.ok()) return s;
    out.by_format[static_cast<size_t>(SyncFormat::kRdbFunctionsOnly)] = rdb_functions_->Take();
  }
  finished_ = true;
  done_(Status::Ok(), std::move(out));
  return Status::Ok();
}

void PayloadSink::Abort(const SnapshotMeta& meta) {
  payload_.reset();
  rdb_.reset();
  rdb_functions_.reset();
  if (!finished_) done_(Status::IOError("the snapshot for the full sync failed"), {});
  finished_ = true;
}

Status LoadPayload(std::string_view payload, ShardSet& shards, std::atomic<uint64_t>* keys, int* db,
                   SnapshotLoader::AuxHandler aux) {
  if (!payload.starts_with(kPayloadMagic)) {
    return Status::Corruption("the full-sync payload does not start with " + std::string(kPayloadMagic) +
                              " (not a minired master, or another format version)");
  }
  payload.remove_prefix(kPayloadMagic.size());
  SnapshotLoader loader(shards, std::move(aux));
  while (true) {
    uint64_t n = 0;
    if (!ConsumeVarint(&payload, &n)) return Status::Corruption("the full-sync payload ends inside a chunk header");
    if (n == 0) break;
    if (n > payload.size()) return Status::Corruption("the full-sync payload ends inside a chunk");
    Status s = loader.LoadChunk(payload.substr(0, n));
    if (!s.ok()) return s;
    payload.remove_prefix(n);
    keys->store(loader.keys_loaded(), std::memory_order_relaxed);
  }
  uint64_t expected = 0;
  if (!ConsumeVarint(&payload, &expected)) return Status::Corruption("the full-sync payload has no key count");
  if (expected != loader.keys_loaded()) {
    return Status::Corruption("the full-sync payload holds " + std::to_string(loader.keys_loaded()) +
                              " keys but says " + std::to_string(expected));
  }
  uint64_t db_plus_one = 0;
  if (!ConsumeVarint(&payload, &db_plus_one) || db_plus_one > static_cast<uint64_t>(shards.databases())) {
    return Status::Corruption("the full-sync payload has no valid stream database");
  }
  *db = static_cast<int>(db_plus_one) - 1;
  if (!payload.empty()) return Status::Corruption("the full-sync payload has bytes after its end");
  return Status::Ok();
}

}  // namespace minired
