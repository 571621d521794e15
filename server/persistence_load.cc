// Recovery at start-up: the latest snapshot, then the log entries after it, replayed
// through the ordinary command path.
#include <unistd.h>

#include <cstdlib>

#include "protocol/request_parser.h"
#include "protocol/reply_writer.h"
#include "server/logger.h"
#include "server/persistence.h"
#include "server/replication.h"
#include "server/scripting/function_loader.h"
#include "server/server.h"
#include "storage/snapshot_loader.h"
#include "storage/log_format.h"

namespace minired {

void Persistence::StartLoading() {
  server_.set_loading(true);
  loader_ = std::thread([this] { Load(); });
}

void Persistence::Load() {
  int64_t start = server_.clock().NowMs();
  loading_started_ms_ = start;
  SnapshotMeta meta;
  Status s = store_->LoadMeta(&meta);
  loading_expected_keys_ = meta.keys;
  if (s.ok() && meta.id != 0) s = LoadSnapshot(meta, start);
  if (s.ok()) s = ReplayLog(meta.seq);
  const std::string& import = server_.config().persistence.rdb_import_file;
  bool imported = false;
  if (s.ok() && meta.id == 0 && replayed_entries_.load() == 0 && !import.empty() && access(import.c_str(), F_OK) == 0) {
    s = ImportRdb(import);
    imported = s.ok();
  }
  if (!s.ok()) {
    Log(LogLevel::kWarning, "Fatal error loading the data set: {}. Exiting.", s.message());
    std::_Exit(1);  // serving a partial data set would acknowledge a past that is not there
  }
  last_save_ms_ = meta.id != 0 ? meta.time_ms : start;
  server_.replication().OnLoaded(meta, replayed_entries_.load(), log_->next_seq().load() - 1);
  server_.set_loading(false);
  server_.supervision().Loaded();
  if (imported) return;
  Log(LogLevel::kNotice, "DB loaded from disk: {} keys from snapshot {}, {} log entries replayed, {:.3f} seconds",
      loaded_keys_.load(), meta.id, replayed_entries_.load(),
      static_cast<double>(server_.clock().NowMs() - start) / 1000.0);
}

// Inserts every entry of the snapshot (storage/snapshot_loader.h).
Status Persistence::LoadSnapshot(const SnapshotMeta& meta, int64_t now_ms) {
  SnapshotLoader loader(server_.shards(), [this](std::string_view name, std::string_view payload) {
    if (name != "functions") return Status::Ok();  // state of a later version: not ours to read
    std::vector<FunctionRegistry::LibraryPtr> libraries;
    std::string error;
    if (!BuildLibrariesFromPayload(payload, &libraries, &error)) return Status::Corruption("function libraries: " + error);
    server_.functions().Reset(libraries);
    return Status::Ok();
  });
  return store_->ForEachSnapshotChunk(meta.id, [&](std::string_view chunk) -> Status {
    uint64_t before = loader.keys_loaded();
    Status s = loader.LoadChunk(chunk);
    loaded_keys_.fetch_add(loader.keys_loaded() - before, std::memory_order_relaxed);
    return s;
  });
}

// Replays entries after `after` in sequence order. Entries must follow one another: a
// gap (the log was off for a while) ends the replay there, with a warning, so the data
// set is always a prefix of what was acknowledged.
Status Persistence::ReplayLog(uint64_t after) {
  Session session;
  session.origin = Origin::kLogReplay;
  std::string scratch;
  ReplyWriter reply(&scratch, 2);
  RequestParser parser;
  parser.set_limits(RequestLimits{INT64_MAX / 2});
  std::vector<JournalCommand> commands;
  uint64_t expected = after + 1, last = after, errors = 0;
  bool gap = false;
  Status s = store_->ForEachLog(after, [&](uint64_t seq, std::string_view value) -> Status {
    if (gap) return Status::Ok();
    if (seq != expected) {
      Log(LogLevel::kWarning, "The log jumps from entry {} to {} (appendonly was off meanwhile); "
          "ignoring the {} entries after the gap", expected - 1, seq, "remaining");
      gap = true;
      return Status::Ok();
    }
    Status d = DecodeLogRecord(value, &commands);
    if (!d.ok()) return Status::Corruption("log entry " + std::to_string(seq) + ": " + d.message());
    for (const JournalCommand& c : commands) {
      size_t consumed = 0;
      if (parser.Parse(c.resp, &consumed) != RequestParser::Result::kOk || consumed != c.resp.size()) {
        return Status::Corruption("log entry " + std::to_string(seq) + ": a command is not valid RESP");
      }
      session.db = c.db;
      scratch.clear();
      uint64_t before = reply.errors_written();
      server_.Execute(session, parser.args(), reply);
      if (reply.errors_written() != before) {
        if (++errors <= 10) Log(LogLevel::kWarning, "Replaying log entry {}: {}", seq, scratch);
      }
    }
    replayed_entries_.fetch_add(1, std::memory_order_relaxed);
    last = seq;
    ++expected;
    return Status::Ok();
  });
  if (!s.ok()) return s;
  if (gap) {
    // The new entries continue from `last`: the ones past the gap would sort among them.
    if (Status d = store_->DiscardLogAfter(last); !d.ok()) return d;
    Log(LogLevel::kWarning, "Set the log's entries after {} aside (*.discarded in the appendonly directory)", last);
  }
  log_->ResetSequence(last);
  if (errors > 0) Log(LogLevel::kWarning, "{} replayed commands answered an error", errors);
  return Status::Ok();
}

}  // namespace minired
