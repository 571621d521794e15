#include "storage/rocks_store.h"

#include "storage/log_format.h"
#include "storage/memory.h"

#include <rocksdb/db.h>
#include <rocksdb/env.h>
#include <rocksdb/options.h>
#include <rocksdb/write_batch.h>

#include <sys/statvfs.h>

#include <filesystem>
#include <fstream>
#include <iterator>

namespace minired {

namespace {

std::string BigEndian(uint64_t v) {
  std::string s(8, '\0');
  for (int i = 7; i >= 0; --i, v >>= 8) s[static_cast<size_t>(i)] = static_cast<char>(v & 0xff);
  return s;
}

uint64_t FromBigEndian(std::string_view s) {
  uint64_t v = 0;
  for (size_t i = 0; i < 8 && i < s.size(); ++i) v = (v << 8) | static_cast<uint8_t>(s[i]);
  return v;
}

Status FromRocks(const rocksdb::Status& s, const std::string& what) {
  if (s.ok()) return Status::Ok();
  if (s.IsCorruption()) return Status::Corruption(what + ": " + s.ToString());
  return Status::IOError(what + ": " + s.ToString());
}

constexpr uint8_t kMetaVersion = 1;

void PutU64(std::string* out, uint64_t v) { out->append(BigEndian(v)); }

// Bytes at the end of a RocksDB write-ahead log that do not form a complete record
// (a crash in the middle of an append). Walks the record framing of RocksDB's log
// format (32 KiB blocks; 7-byte headers, 11 for recyclable records) without checking
// checksums: RocksDB does that while recovering; this only measures what it will drop.
uint64_t TornTailBytes(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::string d((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  constexpr size_t kBlock = 32768;
  size_t pos = 0, fragment_start = 0;
  bool in_fragment = false;
  while (pos < d.size()) {
    size_t left_in_block = kBlock - pos % kBlock;
    if (left_in_block < 7) {  // block trailer
      pos += left_in_block;
      continue;
    }
    size_t start = in_fragment ? fragment_start : pos;
    if (d.size() - pos < 7) return d.size() - start;
    auto len = static_cast<size_t>(static_cast<uint8_t>(d[pos + 4]) | (static_cast<uint8_t>(d[pos + 5]) << 8));
    auto type = static_cast<uint8_t>(d[pos + 6]);
    if (type == 0 && len == 0) break;  // preallocated, never written
    size_t header = type >= 5 && type <= 8 ? 11 : 7;
    if (d.size() - pos < header + len) return d.size() - start;
    if (type == 2 || type == 6) {  // first fragment of a record
      in_fragment = true;
      fragment_start = pos;
    } else if (type == 4 || type == 8 || type == 1 || type == 5) {  // last or full
      in_fragment = false;
    }
    pos += header + len;
  }
  return in_fragment ? d.size() - fragment_start : 0;
}

std::string SegmentsDir(const std::string& path) { return (std::filesystem::path(path) / "appendonly").string(); }

// The torn tails of RocksDB's own write-ahead logs under `path`.
std::vector<RocksStore::TornTail> WalTornTails(const std::string& path) {
  std::vector<RocksStore::TornTail> out;
  std::error_code ec;
  for (const auto& f : std::filesystem::directory_iterator(path, ec)) {
    if (f.path().extension() != ".log") continue;
    if (uint64_t t = TornTailBytes(f.path()); t > 0) out.push_back({f.path().string(), t});
  }
  return out;
}

}  // namespace

std::vector<RocksStore::TornTail> RocksStore::FindTornTails(const std::string& path) {
  std::vector<TornTail> out = WalTornTails(path);
  if (LogSegments::Torn t = LogSegments::FindTornTail(SegmentsDir(path)); t.bytes > 0) {
    out.push_back({t.file, t.bytes});
  }
  return out;
}

Status RocksStore::Open(const Options& o, std::unique_ptr<RocksStore>* out) {
  std::error_code ec;
  if (o.read_only) {
    if (!std::filesystem::exists(o.path / std::filesystem::path("CURRENT"), ec)) {
      return Status::NotFound(o.path + " holds no minired data (no RocksDB CURRENT file)");
    }
  } else {
    std::filesystem::create_directories(o.path, ec);
    if (ec) return Status::IOError("cannot create " + o.path + ": " + ec.message());
  }
  rocksdb::DBOptions db_opts;
  db_opts.create_if_missing = !o.read_only;
  db_opts.create_missing_column_families = !o.read_only;
  db_opts.wal_recovery_mode = o.strict                  ? rocksdb::WALRecoveryMode::kAbsoluteConsistency
                              : o.recover_to_corruption ? rocksdb::WALRecoveryMode::kPointInTimeRecovery
                                                        : rocksdb::WALRecoveryMode::kTolerateCorruptedTailRecords;
  db_opts.paranoid_checks = true;
  db_opts.keep_log_file_num = 2;
  db_opts.max_background_jobs = o.read_only ? 1 : 2;
  rocksdb::ColumnFamilyOptions cf_opts;
  cf_opts.write_buffer_size = 16 << 20;
  std::vector<rocksdb::ColumnFamilyDescriptor> cfs = {
      {rocksdb::kDefaultColumnFamilyName, cf_opts}, {"log", cf_opts}, {"snapshot", cf_opts}};
  // Measured before RocksDB recovers (and deletes) its write-ahead logs: what a crash
  // tore. A read-only open deletes nothing, and its caller (minired-check, which may
  // open up to three times) measures once itself: each measure reads every file whole.
  uint64_t torn = 0;
  std::string torn_file;
  if (!o.read_only) {
    for (const TornTail& t : WalTornTails(o.path)) {
      torn += t.bytes;
      torn_file = std::filesystem::path(t.file).filename().string();
    }
  }
  LogSegments::Options so;
  so.dir = SegmentsDir(o.path);
  so.strict = o.strict;
  so.recover_to_corruption = o.recover_to_corruption;
  so.read_only = o.read_only;
  std::unique_ptr<LogSegments> segments;
  if (Status s = LogSegments::Open(so, &segments); !s.ok()) return s;
  if (!o.read_only && segments->torn().bytes > 0) {
    torn += segments->torn().bytes;
    torn_file = std::filesystem::path(segments->torn().file).filename().string();
  }
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* db = nullptr;
  rocksdb::Status s = o.read_only ? rocksdb::DB::OpenForReadOnly(db_opts, o.path, cfs, &handles, &db)
                                  : rocksdb::DB::Open(db_opts, o.path, cfs, &handles, &db);
  if (!s.ok()) return FromRocks(s, "opening " + o.path);
  std::unique_ptr<RocksStore> store(new RocksStore());
  store->path_ = o.path;
  store->torn_bytes_ = torn;
  store->torn_file_ = torn_file;
  store->db_ = db;
  store->meta_ = handles[0];
  store->log_ = handles[1];
  store->snapshot_ = handles[2];
  store->segments_ = std::move(segments);
  *out = std::move(store);
  return Status::Ok();
}

RocksStore::~RocksStore() {
  if (db_ == nullptr) return;
  for (auto* h : {meta_, log_, snapshot_}) db_->DestroyColumnFamilyHandle(h);
  db_->Close();
  delete db_;
}

Status RocksStore::AppendLog(uint64_t first_seq, uint64_t last_seq, std::string_view batch, bool sync) {
  return segments_->Append(first_seq, last_seq, batch, sync);
}

Status RocksStore::SyncLog() { return segments_->Sync(); }

Status RocksStore::DiscardLogAfter(uint64_t seq) { return segments_->DiscardAfter(seq); }

Status RocksStore::ForEachLog(uint64_t after,
                              const std::function<Status(uint64_t, std::string_view)>& visit) {
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), log_));
  // Start at the batch holding entry after + 1 (its first entry may be older).
  it->SeekForPrev(BigEndian(after + 1));
  if (!it->Valid()) it->SeekToFirst();
  auto visit_batch = [&](std::string_view batch) {
    return ForEachInLogBatch(batch, [&](uint64_t seq, std::string_view rec) {
      return seq > after ? visit(seq, rec) : Status::Ok();
    });
  };
  // What an earlier version kept in the column family comes first: it is older.
  for (; it->Valid(); it->Next()) {
    if (Status s = visit_batch(it->value().ToStringView()); !s.ok()) return s;
  }
  if (Status s = FromRocks(it->status(), "reading the log"); !s.ok()) return s;
  return segments_->ForEach(after, [&](uint64_t, std::string_view batch) { return visit_batch(batch); });
}

Status RocksStore::PutSnapshotChunk(uint64_t id, uint64_t chunk, std::string_view data) {
  rocksdb::WriteOptions wo;
  wo.disableWAL = true;  // made durable by the flush before the commit
  return FromRocks(db_->Put(wo, snapshot_, BigEndian(id) + BigEndian(chunk), data), "writing the snapshot");
}

Status RocksStore::ForEachSnapshotChunk(uint64_t id, const std::function<Status(std::string_view)>& visit) {
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), snapshot_));
  std::string prefix = BigEndian(id);
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    Status s = visit(it->value().ToStringView());
    if (!s.ok()) return s;
  }
  return FromRocks(it->status(), "reading the snapshot");
}

Status RocksStore::CommitSnapshot(const SnapshotMeta& m) {
  // Chunks were written without the WAL: flush them to SST files before the snapshot
  // they form becomes current.
  rocksdb::FlushOptions fo;
  fo.wait = true;
  Status s = FromRocks(db_->Flush(fo, snapshot_), "flushing the snapshot");
  if (!s.ok()) return s;
  SnapshotMeta old;
  s = LoadMeta(&old);
  if (!s.ok()) return s;
  std::string v(1, static_cast<char>(kMetaVersion));
  for (uint64_t x : {m.id, m.seq, static_cast<uint64_t>(m.time_ms), m.keys, m.chunks, m.repl_offset}) PutU64(&v, x);
  v += m.replid;
  rocksdb::WriteOptions wo;
  wo.sync = true;
  s = FromRocks(db_->Put(wo, meta_, "snapshot", v), "committing the snapshot");
  if (!s.ok()) return s;
  // The new snapshot is current: what it supersedes can go.
  rocksdb::WriteBatch drop;
  if (old.id != 0) drop.DeleteRange(snapshot_, BigEndian(old.id), BigEndian(old.id + 1));
  bool legacy_log = false;
  {
    // Batches entirely before the one holding entry seq + 1 are covered by the snapshot
    // (the column family an earlier version kept the log in).
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), log_));
    it->SeekForPrev(BigEndian(m.seq + 1));
    if (it->Valid()) {
      drop.DeleteRange(log_, BigEndian(0), it->key());
      legacy_log = true;
    }
  }
  s = FromRocks(db_->Write(rocksdb::WriteOptions(), &drop), "dropping the superseded log");
  if (!s.ok()) return s;
  if (legacy_log) db_->CompactRange(rocksdb::CompactRangeOptions(), log_, nullptr, nullptr);
  return segments_->DropCoveredBy(m.seq);
}

Status RocksStore::DropSnapshot(uint64_t id) {
  rocksdb::WriteBatch drop;
  drop.DeleteRange(snapshot_, BigEndian(id), BigEndian(id + 1));
  return FromRocks(db_->Write(rocksdb::WriteOptions(), &drop), "dropping a snapshot");
}

Status RocksStore::LoadMeta(SnapshotMeta* m) {
  *m = SnapshotMeta();
  std::string v;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), meta_, "snapshot", &v);
  if (s.IsNotFound()) return Status::Ok();
  if (!s.ok()) return FromRocks(s, "reading the snapshot metadata");
  if (v.size() < 1 + 6 * 8 || static_cast<uint8_t>(v[0]) != kMetaVersion) {
    return Status::Corruption("snapshot metadata: unknown version or truncated");
  }
  std::string_view p(v);
  p.remove_prefix(1);
  uint64_t f[6];
  for (auto& x : f) {
    x = FromBigEndian(p);
    p.remove_prefix(8);
  }
  m->id = f[0];
  m->seq = f[1];
  m->time_ms = static_cast<int64_t>(f[2]);
  m->keys = f[3];
  m->chunks = f[4];
  m->repl_offset = f[5];
  m->replid = std::string(p);
  return Status::Ok();
}

uint64_t RocksStore::FreeBytes() const {
  struct statvfs st;
  if (statvfs(path_.c_str(), &st) != 0) return UINT64_MAX;
  return static_cast<uint64_t>(st.f_bavail) * st.f_frsize;
}

Status RocksStore::Resume() { return FromRocks(db_->Resume(), "resuming after a write error"); }

uint64_t RocksStore::DiskBytes() {
  uint64_t total = segments_->DiskBytes(), v = 0;
  for (auto* h : {meta_, log_, snapshot_}) {
    if (db_->GetIntProperty(h, rocksdb::DB::Properties::kTotalSstFilesSize, &v)) total += v;
  }
  return total;
}

uint64_t RocksStore::MemTableBytes() {
  uint64_t total = 0, v = 0;
  for (auto* h : {meta_, log_, snapshot_}) {
    if (db_->GetIntProperty(h, rocksdb::DB::Properties::kSizeAllMemTables, &v)) total += v;
  }
  return total;
}

void RocksStore::PurgeBackgroundThreads() {
  rocksdb::Env* env = rocksdb::Env::Default();
  for (auto pri : {rocksdb::Env::Priority::HIGH, rocksdb::Env::Priority::LOW}) {
    // One job per thread of the pool; a busy thread may leave its job to another, which
    // then collects twice: harmless, and the next try reaches it.
    for (int i = env->GetBackgroundThreads(pri); i > 0; --i) {
      env->Schedule([](void*) { AllocatorPurge(); }, nullptr, pri);
    }
  }
}

}  // namespace minired
