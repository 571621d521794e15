#include "server/persistence.h"

#include <fmt/format.h>

#include <condition_variable>

#include "server/logger.h"
#include "server/scripting/function_loader.h"
#include "server/server.h"
#include "storage/snapshot_loader.h"

namespace minired {

namespace {

FsyncPolicy PolicyOf(int v) {
  return v == 0 ? FsyncPolicy::kAlways : v == 1 ? FsyncPolicy::kEverySec : FsyncPolicy::kNo;
}

constexpr int64_t kSnapshotRetryDelayMs = 5000;  // after a failed automatic snapshot

}  // namespace

Persistence::Persistence(Server& server) : server_(server) {}

Persistence::~Persistence() {
  if (loader_.joinable()) loader_.join();
  if (snapshotter_) snapshotter_->Wait();
  if (log_) log_->Stop();
}

Status Persistence::Open() {
  const PersistenceConfig& pc = server_.config().persistence;
  RocksStore::Options o;
  o.path = pc.dbfilename;
  o.strict = !pc.aof_load_truncated;
  o.recover_to_corruption = pc.aof_load_corrupt;
  Status s = RocksStore::Open(o, &store_);
  if (!s.ok()) {
    if (s.code() == Status::Code::kCorruption) {
      return Status::Corruption(fmt::format(
          "Bad file format reading the append only log in {}: {}. The log is damaged before its "
          "end; start with 'aof-load-corrupt yes' to load it up to the damage and drop what "
          "follows it{}",
          o.path, s.message(), o.strict ? ", or 'aof-load-truncated yes' to drop a torn last record" : ""));
    }
    return s;
  }
  if (store_->torn_bytes() > 0) {
    Log(LogLevel::kWarning,
        "!!! Warning: the append only log ends with an incomplete record (the server was killed "
        "while writing it). Dropped the last {} bytes of {} and loaded everything before them "
        "(aof-load-truncated yes).",
        store_->torn_bytes(), store_->torn_file());
  }
  LatencyHook latency = [this](std::string_view event, std::chrono::steady_clock::duration took) {
    server_.latency().Add(event, took, server_.clock().NowMs() / 1000);
  };
  log_ = std::make_unique<LogWriter>(store_.get(), pc.appendonly.load(), PolicyOf(pc.appendfsync.load()), latency);
  snapshotter_ = std::make_unique<Snapshotter>(server_.shards(), *log_, std::move(latency));
  // The function libraries are data (Redis 7.0 saves them in its RDB): each snapshot
  // holds them as they were at its position.
  snapshotter_->set_aux_capture([this] {
    return MakeAuxChunk("functions", LibrariesPayload(*server_.functions().state()));
  });
  return Status::Ok();
}

bool Persistence::WritesAllowed(std::string* why) const {
  if (log_->enabled() && !log_->ok()) {
    *why = "MISCONF Errors writing to the AOF file: " + log_->last_error();
    return false;
  }
  if (!last_save_ok_.load() && server_.config().persistence.stop_writes_on_bgsave_error.load()) {
    bool has_rules;
    {
      std::lock_guard lock(server_.config().persistence.save_mu);
      has_rules = !server_.config().persistence.save.empty();
    }
    if (has_rules) {
      *why =
          "MISCONF minired is configured to save snapshots, but it's currently unable to persist to "
          "disk. Commands that may modify the data set are disabled, because this instance is "
          "configured to report errors during writes if snapshotting fails "
          "(stop-writes-on-bgsave-error option). Please check the minired logs for details about "
          "the snapshot error.";
      return false;
    }
  }
  return true;
}

bool Persistence::MustWait(uint64_t seq) const {
  return seq > log_->durable_seq() && log_->enabled() && log_->policy() == FsyncPolicy::kAlways;
}

bool Persistence::StartSnapshot(std::string* error) {
  int64_t now = server_.clock().NowMs();
  uint64_t changes = log_->changes();
  auto done = [this, now, changes](const Status& s, const SnapshotMeta& m) { OnSnapshotDone(s, m, now, changes); };
  bool started = snapshotter_->Start(now, std::make_unique<RocksSnapshotSink>(*store_), done);
  if (!started) {
    *error = "ERR Background save already in progress";
    return false;
  }
  snapshot_started_ms_ = now;
  Log(LogLevel::kNotice, "Background snapshot started (log sequence {})", log_->next_seq().load() - 1);
  return true;
}

bool Persistence::StartSnapshotInto(std::unique_ptr<SnapshotSink> sink, Snapshotter::Done done) {
  return snapshotter_->Start(server_.clock().NowMs(), std::move(sink), std::move(done));
}

void Persistence::OnSnapshotDone(const Status& s, const SnapshotMeta& m, int64_t started_ms,
                                 uint64_t changes_at_start) {
  int64_t took = server_.clock().NowMs() - started_ms;
  last_save_duration_ms_ = took;
  if (s.ok()) {
    log_->SubtractChanges(changes_at_start);  // writes made during the snapshot still count
    last_save_ms_ = started_ms;
    last_save_ok_ = true;
    snapshots_done_.fetch_add(1);
    Log(LogLevel::kNotice, "Snapshot {} done: {} keys in {} ms; the log up to entry {} was dropped", m.id,
        m.keys, took, m.seq);
  } else {
    last_save_ok_ = false;
    {
      std::lock_guard lock(mu_);
      last_save_error_ = s.message();
    }
    Log(LogLevel::kWarning, "Snapshot failed: {}", s.message());
  }
}

Status Persistence::SaveNow() {
  std::mutex m;
  std::condition_variable cv;
  bool done = false;
  Status result;
  int64_t now = server_.clock().NowMs();
  uint64_t changes = log_->changes();
  // The snapshot waits until every entry it covers was delivered; this thread's own are
  // left to a flush posted on it, which cannot run while it waits here (nor at all once
  // the I/O threads stopped, at shutdown).
  log_->AppendReadyNow();
  auto finished = [&](const Status& s, const SnapshotMeta& meta) {
    OnSnapshotDone(s, meta, now, changes);
    std::lock_guard lock(m);
    result = s;
    done = true;
    cv.notify_all();
  };
  bool started = snapshotter_->Start(now, std::make_unique<RocksSnapshotSink>(*store_), finished);
  if (!started) return Status::InvalidArgument("ERR Background save already in progress");
  std::unique_lock lock(m);
  cv.wait(lock, [&] { return done; });
  return result;
}

void Persistence::Cron(int64_t now_ms) {
  const PersistenceConfig& pc = server_.config().persistence;
  bool was_enabled = log_->enabled();
  log_->set_policy(PolicyOf(pc.appendfsync.load()));
  log_->set_enabled(pc.appendonly.load());
  std::string ignored;
  if (!was_enabled && log_->enabled() && !snapshotter_->in_progress()) {
    // The log has a gap while it was off: a snapshot makes it whole again (as Redis
    // rewrites its AOF when appendonly is turned on).
    StartSnapshot(&ignored);
    return;
  }
  if (snapshotter_->in_progress() || server_.loading()) return;
  if (!last_save_ok_.load() && now_ms - snapshot_started_ms_.load() < kSnapshotRetryDelayMs) return;
  uint64_t changes = log_->changes();
  std::lock_guard lock(pc.save_mu);
  for (const SaveRule& r : pc.save) {
    if (changes >= static_cast<uint64_t>(r.changes) && now_ms - last_save_ms_.load() >= r.seconds * 1000) {
      Log(LogLevel::kNotice, "{} changes in {} seconds. Saving...", r.changes, r.seconds);
      StartSnapshot(&ignored);
      return;
    }
  }
}

Status Persistence::Shutdown(bool save) {
  if (loader_.joinable()) loader_.join();
  snapshotter_->Wait();
  Status s;
  if (save && !server_.loading()) {
    Log(LogLevel::kNotice, "Saving the final snapshot before exiting.");
    s = SaveNow();
    if (!s.ok()) Log(LogLevel::kWarning, "Error trying to save the DB, can't exit: {}", s.message());
  }
  log_->Stop();
  return s;
}

void Persistence::StopLog() { log_->Stop(); }

void Persistence::AppendInfo(std::string* out) const {
  bool loading = server_.loading();
  int64_t now = server_.clock().NowMs();
  std::string error;
  {
    std::lock_guard lock(mu_);
    error = last_save_error_;
  }
  const char* policy = log_->policy() == FsyncPolicy::kAlways     ? "always"
                       : log_->policy() == FsyncPolicy::kEverySec ? "everysec"
                                                                  : "no";
  *out += fmt::format("loading:{}\r\n", loading ? 1 : 0);
  if (loading) {
    int64_t elapsed = now - loading_started_ms_.load();
    uint64_t expected = loading_expected_keys_.load();
    double perc = expected ? 100.0 * static_cast<double>(loaded_keys_.load()) / static_cast<double>(expected) : 0;
    *out += fmt::format(
        "loading_start_time:{}\r\nloading_total_keys:{}\r\nloading_loaded_keys:{}\r\n"
        "loading_loaded_perc:{:.2f}\r\nloading_replayed_log_entries:{}\r\nloading_eta_seconds:{}\r\n",
        loading_started_ms_.load() / 1000, expected, loaded_keys_.load(), perc, replayed_entries_.load(),
        perc > 0 ? static_cast<int64_t>(static_cast<double>(elapsed) * (100 - perc) / perc / 1000) : 1);
  }
  bool running = snapshotter_->in_progress();
  *out += fmt::format(
      "async_loading:0\r\nrdb_changes_since_last_save:{}\r\nrdb_bgsave_in_progress:{}\r\n"
      "rdb_last_save_time:{}\r\nrdb_last_bgsave_status:{}\r\nrdb_last_bgsave_time_sec:{}\r\n"
      "rdb_current_bgsave_time_sec:{}\r\nrdb_saves:{}\r\n",
      log_->changes(), running ? 1 : 0, last_save_ms_.load() / 1000, last_save_ok_.load() ? "ok" : "err",
      last_save_duration_ms_.load() < 0 ? -1 : last_save_duration_ms_.load() / 1000,
      running ? (now - snapshot_started_ms_.load()) / 1000 : -1, snapshots_done_.load());
  if (running) {
    *out += fmt::format("rdb_snapshot_shards_done:{}\r\nrdb_snapshot_shards_total:{}\r\nrdb_snapshot_keys_written:{}\r\n",
                        snapshotter_->shards_done(), snapshotter_->shards_total(), snapshotter_->keys_written());
  }
  *out += fmt::format(
      "aof_enabled:{}\r\naof_rewrite_in_progress:{}\r\naof_rewrite_scheduled:0\r\n"
      "aof_last_rewrite_time_sec:{}\r\naof_last_bgrewrite_status:{}\r\naof_rewrites:{}\r\n"
      "aof_last_write_status:{}\r\naof_fsync_policy:{}\r\naof_last_written_seq:{}\r\n"
      "aof_last_durable_seq:{}\r\naof_appends:{}\r\naof_append_avg_usec:{}\r\n"
      "aof_last_load_truncated_bytes:{}\r\nminired_disk_bytes:{}\r\n",
      log_->enabled() ? 1 : 0, running ? 1 : 0,
      last_save_duration_ms_.load() < 0 ? -1 : last_save_duration_ms_.load() / 1000,
      last_save_ok_.load() ? "ok" : "err", snapshots_done_.load(), log_->ok() ? "ok" : "err", policy,
      log_->written_seq(), log_->durable_seq(), log_->appends(),
      log_->appends() ? log_->append_micros() / log_->appends() : 0, store_->torn_bytes(), store_->DiskBytes());
  if (!error.empty() && !last_save_ok_.load()) *out += "rdb_last_bgsave_error:" + error + "\r\n";
}

}  // namespace minired
