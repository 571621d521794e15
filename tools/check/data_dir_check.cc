#include "tools/check/data_dir_check.h"

#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <ctime>
#include <filesystem>
#include <memory>

#include "protocol/request_parser.h"
#include "storage/entry_codec.h"
#include "storage/journal.h"
#include "storage/log_format.h"
#include "storage/snapshot_loader.h"
#include "storage/varint.h"

namespace minired {
namespace fs = std::filesystem;

namespace {

const char* kTypeNames[] = {"string", "list", "set", "zset", "hash", "stream"};

// The RocksDB directory: `path` itself when it is one, else `path/dbfilename`.
std::string ResolveStore(const std::string& path, const std::string& dbfilename) {
  std::error_code ec;
  if (fs::exists(fs::path(path) / "CURRENT", ec)) return path;
  return (fs::path(path) / dbfilename).string();
}

// Opens read-only, as leniently as needed, and records why leniency was needed: strict
// (every record intact), then dropping a torn tail (what the server does by default),
// then stopping at the first damaged record (aof-load-corrupt yes).
std::unique_ptr<RocksStore> OpenLeniently(DataDirReport* r) {
  std::unique_ptr<RocksStore> store;
  RocksStore::Options o;
  o.path = r->path;
  o.read_only = true;
  o.strict = true;
  Status strict = RocksStore::Open(o, &store);
  if (strict.ok()) return store;
  if (strict.code() == Status::Code::kNotFound) {
    r->problems.push_back({strict.message(), "nothing to load: the server starts with an empty data set"});
    return nullptr;
  }
  o.strict = false;
  Status tolerant = RocksStore::Open(o, &store);
  if (tolerant.ok()) {
    if (r->torn.empty()) {
      r->problems.push_back({"the log's last record is damaged (" + strict.message() + ")",
                             "the server drops it at start-up (aof-load-truncated yes, the default; with "
                             "'no' it refuses to start)"});
    }
    return store;  // the torn tails are reported by Check
  }
  o.recover_to_corruption = true;
  Status point_in_time = RocksStore::Open(o, &store);
  if (point_in_time.ok()) {
    r->problems.push_back({"the log is damaged before its end (" + tolerant.message() + ")",
                           "the server refuses to start; 'aof-load-corrupt yes' starts it with the data up to the "
                           "damage, and every write after it is lost. The report above shows what that keeps."});
    return store;
  }
  r->problems.push_back({"cannot read the data (" + point_in_time.message() + ")",
                         "the server refuses to start: restore a backup, or move the directory away to start "
                         "empty"});
  return nullptr;
}

// The first command of a log record, as redis-cli prints a command (at most 100 chars).
std::string ShowFirstCommand(const std::vector<JournalCommand>& commands) {
  if (commands.empty()) return "";
  RequestParser parser;
  size_t consumed = 0;
  if (parser.Parse(commands.front().resp, &consumed) != RequestParser::Result::kOk) return "(unreadable)";
  std::string out;
  for (const auto& a : parser.args()) {
    if (!out.empty()) out += ' ';
    bool plain = !a.empty() && a.find_first_of(" \t\r\n\"") == std::string_view::npos;
    out += plain ? std::string(a) : fmt::format("\"{}\"", a);
    if (out.size() > 100) return out.substr(0, 97) + "...";
  }
  if (commands.size() > 1) out += fmt::format(" (+{} more)", commands.size() - 1);
  return out;
}

void ReadSnapshot(RocksStore& store, DataDirReport* r) {
  Status s = store.LoadMeta(&r->snapshot);
  if (!s.ok()) {
    r->problems.push_back({"the snapshot's metadata: " + s.message(),
                           "the server refuses to start: restore a backup"});
    return;
  }
  if (r->snapshot.id == 0) return;
  uint64_t chunk_no = 0;
  s = store.ForEachSnapshotChunk(r->snapshot.id, [&](std::string_view chunk) -> Status {
    ++chunk_no;
    r->snapshot_bytes += chunk.size();
    if (chunk.starts_with(kAuxChunkMagic)) {
      std::string_view rest = chunk.substr(kAuxChunkMagic.size());
      r->aux.emplace_back(rest.substr(0, rest.find('\n')));
      return Status::Ok();
    }
    while (!chunk.empty()) {
      uint64_t db = 0;
      if (!ConsumeVarint(&chunk, &db)) return Status::Corruption("truncated database number");
      Entry* e = nullptr;
      Status d = DecodeEntry(&chunk, &e);
      if (!d.ok()) return d;
      auto type = static_cast<size_t>(e->type());
      if (type < r->keys_by_type.size()) ++r->keys_by_type[type];
      ++r->keys_by_db[static_cast<int>(db)];
      if (e->has_expire()) ++r->keys_with_ttl;
      Entry::Free(e);
    }
    return Status::Ok();
  });
  if (!s.ok()) {
    r->problems.push_back({fmt::format("snapshot {} is damaged in chunk {} ({})", r->snapshot.id, chunk_no, s.message()),
                           "the server refuses to start, and no option loads a damaged snapshot: restore a backup, "
                           "or move the directory away to start empty"});
  } else if (r->keys() != r->snapshot.keys) {
    r->problems.push_back({fmt::format("snapshot {} holds {} keys, its metadata says {}", r->snapshot.id, r->keys(),
                                       r->snapshot.keys),
                           "the server loads the keys it finds"});
  }
}

void ReadLog(RocksStore& store, DataDirReport* r) {
  uint64_t expected = r->snapshot.seq + 1;
  bool gap_reported = false;
  std::vector<JournalCommand> last;
  Status s = store.ForEachLog(r->snapshot.seq, [&](uint64_t seq, std::string_view record) -> Status {
    if (seq != expected && !gap_reported) {
      r->problems.push_back({fmt::format("the log skips from entry {} to {}", expected - 1, seq),
                             "the server replays up to the gap, warns, and does not load what follows"});
      gap_reported = true;
    }
    expected = seq + 1;
    std::vector<JournalCommand> commands;
    Status d = DecodeLogRecord(record, &commands);
    if (!d.ok()) return Status::Corruption(fmt::format("entry {}: {}", seq, d.message()));
    if (r->log_entries++ == 0) r->first_log_seq = seq;
    r->last_log_seq = seq;
    last = std::move(commands);
    return Status::Ok();
  });
  if (!s.ok()) {
    r->problems.push_back({"a log record cannot be read (" + s.message() + ")",
                           "the server stops its replay there: 'aof-load-corrupt yes' starts it with the data up "
                           "to that record, the writes after it are lost"});
  }
  r->last_log_command = ShowFirstCommand(last);
}

std::string Bytes(uint64_t n) {
  if (n >= (1ULL << 30)) return fmt::format("{:.2f} GB", static_cast<double>(n) / (1ULL << 30));
  if (n >= (1ULL << 20)) return fmt::format("{:.1f} MB", static_cast<double>(n) / (1ULL << 20));
  if (n >= 1024) return fmt::format("{:.1f} KB", static_cast<double>(n) / 1024);
  return fmt::format("{} bytes", n);
}

std::string UtcTime(int64_t ms) {
  time_t t = static_cast<time_t>(ms / 1000);
  tm u{};
  gmtime_r(&t, &u);
  char buf[32];
  strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S UTC", &u);
  return buf;
}

}  // namespace

uint64_t DataDirReport::keys() const {
  uint64_t n = 0;
  for (uint64_t k : keys_by_type) n += k;
  return n;
}

Status CheckDataDir(const std::string& path, const std::string& dbfilename, DataDirReport* r) {
  r->path = ResolveStore(path, dbfilename);
  std::error_code ec;
  if (!fs::is_directory(r->path, ec)) return Status::NotFound(r->path + " is not a directory");
  r->torn = RocksStore::FindTornTails(r->path);
  for (const auto& f : fs::directory_iterator(r->path, ec)) {
    std::string ext = f.path().extension().string();
    if (ext == ".log") r->wal_bytes += f.file_size(ec);
    if (ext == ".sst") r->sst_bytes += f.file_size(ec);
  }
  for (const auto& f : fs::directory_iterator(fs::path(r->path) / "appendonly", ec)) {
    if (f.path().extension() == ".mlog") r->log_bytes += f.file_size(ec);
  }
  for (const auto& t : r->torn) {
    r->problems.push_back({fmt::format("the log's last record is torn: {} bytes at the end of {} (a crash during an "
                                       "append)",
                                       t.bytes, fs::path(t.file).filename().string()),
                           "the server drops it at start-up (aof-load-truncated yes, the default; with 'no' it "
                           "refuses to start); 'minired-check --fix' cuts it off after a backup",
                           true});
  }
  std::unique_ptr<RocksStore> store = OpenLeniently(r);
  if (!store) return Status::Ok();
  r->opened = true;
  ReadSnapshot(*store, r);
  ReadLog(*store, r);
  return Status::Ok();
}

std::string FormatReport(const DataDirReport& r) {
  std::string out = fmt::format("minired-check: {}\n", r.path);
  out += fmt::format("on disk: {} in tables, {} of append-only log, {} of RocksDB write-ahead log\n",
                     Bytes(r.sst_bytes), Bytes(r.log_bytes), Bytes(r.wal_bytes));
  if (r.opened) {
    if (r.snapshot.id == 0) {
      out += "snapshot: none yet\n";
    } else {
      out += fmt::format("snapshot {}: taken {}, holds the log up to entry {}, {} keys, {}\n", r.snapshot.id,
                         UtcTime(r.snapshot.time_ms), r.snapshot.seq, r.keys(), Bytes(r.snapshot_bytes));
      std::string types;
      for (size_t t = 0; t < r.keys_by_type.size(); ++t) {
        if (r.keys_by_type[t] > 0) types += fmt::format("{}{} {}", types.empty() ? "" : ", ", r.keys_by_type[t], kTypeNames[t]);
      }
      if (!types.empty()) out += "  by type: " + types + "\n";
      std::string dbs;
      for (const auto& [db, n] : r.keys_by_db) dbs += fmt::format("{}db{} {}", dbs.empty() ? "" : ", ", db, n);
      if (!dbs.empty()) out += "  by database: " + dbs + "\n";
      out += fmt::format("  with a TTL: {}\n", r.keys_with_ttl);
      for (const auto& a : r.aux) out += fmt::format("  also: {}\n", a);
      if (!r.snapshot.replid.empty()) {
        out += fmt::format("  replication position: {} offset {}\n", r.snapshot.replid, r.snapshot.repl_offset);
      }
    }
    if (r.log_entries == 0) {
      out += "log after the snapshot: empty\n";
    } else {
      out += fmt::format("log after the snapshot: {} entries ({} .. {}), replayed at start-up\n", r.log_entries,
                         r.first_log_seq, r.last_log_seq);
      out += fmt::format("  last: {}\n", r.last_log_command);
    }
  }
  if (r.problems.empty()) {
    out += "problems: none\n";
  } else {
    out += fmt::format("problems: {}\n", r.problems.size());
    for (const auto& p : r.problems) out += fmt::format("  - {}\n    {}\n", p.what, p.remedy);
  }
  return out;
}

Status FixTornTails(const DataDirReport& r, std::string* backup) {
  if (r.torn.empty()) return Status::Ok();
  time_t now = time(nullptr);
  tm u{};
  gmtime_r(&now, &u);
  char stamp[32];
  strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &u);
  *backup = r.path + ".backup-" + stamp;
  std::error_code ec;
  fs::copy(r.path, *backup, fs::copy_options::recursive, ec);
  if (ec) return Status::IOError("backing up " + r.path + " to " + *backup + ": " + ec.message());
  for (const auto& t : r.torn) {
    uintmax_t size = fs::file_size(t.file, ec);
    if (ec || size < t.bytes) return Status::IOError("cannot size " + t.file);
    if (truncate(t.file.c_str(), static_cast<off_t>(size - t.bytes)) != 0) {
      return Status::IOError("truncating " + t.file + ": " + strerror(errno));
    }
  }
  return Status::Ok();
}

}  // namespace minired
