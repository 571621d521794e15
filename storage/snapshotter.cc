#include "storage/snapshotter.h"

#include "storage/entry_codec.h"
#include "storage/varint.h"

namespace minired {

Status RocksSnapshotSink::Begin(SnapshotMeta* meta) {
  SnapshotMeta previous;
  Status s = store_.LoadMeta(&previous);
  if (!s.ok()) return s;
  meta->id = id_ = previous.id + 1;
  // Leftovers of an attempt with this id that crashed must not mix with this one.
  return store_.DropSnapshot(id_);
}

Status RocksSnapshotSink::Chunk(std::string_view data) { return store_.PutSnapshotChunk(id_, next_chunk_++, data); }

Snapshotter::Snapshotter(ShardSet& shards, JournalSink& journal, LatencyHook latency)
    : shards_(shards), journal_(journal), latency_hook_(std::move(latency)) {}

Snapshotter::~Snapshotter() { Wait(); }

void Snapshotter::Wait() {
  if (thread_.joinable()) thread_.join();
}

bool Snapshotter::Start(int64_t now_ms, std::unique_ptr<SnapshotSink> sink, Done done) {
  if (running_.exchange(true)) return false;
  Wait();  // the previous snapshot's thread has finished; reap it
  meta_ = SnapshotMeta();
  meta_.time_ms = now_ms;
  keys_ = 0;
  shards_done_ = 0;
  sink_ = std::move(sink);
  Status s = sink_->Begin(&meta_);
  if (!s.ok()) {
    running_ = false;
    done(s, meta_);
    return true;
  }
  {
    LatencyTimer timer(latency_hook_, "snapshot-start");
    ShardSet::Lock all = shards_.LockAll();
    meta_.seq = journal_.next_seq().load() - 1;
    meta_.recorded = journal_.recording();
    aux_chunk_ = aux_capture_ ? aux_capture_() : std::string();
    for (size_t i = 0; i < shards_.size(); ++i) shards_.shard(i).mu().MarkForDump(this);
  }
  thread_ = std::thread([this, done = std::move(done)]() mutable { Run(std::move(done)); });
  return true;
}

void Snapshotter::DumpShard(Shard& shard) {
  LatencyTimer timer(latency_hook_, "snapshot-shard");
  std::string out;
  uint64_t n = 0;
  for (int db = 0; db < shard.databases(); ++db) {
    uint64_t pos = 0;
    shard.db(db).Scan(&pos, SIZE_MAX / 2, [&](const Entry* e) {
      AppendVarint(&out, static_cast<uint64_t>(db));
      EncodeEntry(e, &out);
      ++n;
    });
  }
  keys_.fetch_add(n, std::memory_order_relaxed);
  shards_done_.fetch_add(1, std::memory_order_relaxed);
  std::lock_guard lock(mu_);
  chunks_.push_back(std::move(out));
  cv_.notify_one();
}

void Snapshotter::Run(Done done) {
  Status status;
  if (resolver_) resolver_(&meta_);
  status = sink_->Started(meta_);
  uint64_t chunk = 0;
  if (status.ok() && !aux_chunk_.empty()) {
    status = sink_->Chunk(aux_chunk_);
    ++chunk;
  }
  std::string().swap(aux_chunk_);
  auto write_ready = [&] {
    while (true) {
      std::string data;
      {
        std::lock_guard lock(mu_);
        if (chunks_.empty()) return;
        data = std::move(chunks_.front());
        chunks_.pop_front();
      }
      if (status.ok() && !data.empty()) {
        status = sink_->Chunk(data);
        ++chunk;
      }
    }
  };
  for (size_t i = 0; i < shards_.size(); ++i) {
    {
      // Locking dumps the shard unless a command already did.
      std::lock_guard lock(shards_.shard(i).mu());
    }
    write_ready();
  }
  write_ready();
  meta_.keys = keys_.load();
  meta_.chunks = chunk;
  if (status.ok()) status = sink_->Finish(meta_);
  if (!status.ok()) sink_->Abort(meta_);
  SnapshotMeta meta = meta_;
  running_ = false;
  done(status, meta);
}

}  // namespace minired
