#include "storage/log_format.h"

#include "storage/varint.h"

namespace minired {


namespace {

// The commands of an entry that go to the log (a script's redis.set_repl may keep some
// out), and the size of the record holding them.
size_t LogRecordSize(const std::vector<JournalCommand>& commands, size_t* logged) {
  size_t bytes = 0;
  *logged = 0;
  for (const JournalCommand& c : commands) {
    if (!(c.targets & kReplToLog)) continue;
    ++*logged;
    bytes += VarintSize(static_cast<uint64_t>(c.db)) + VarintSize(c.resp.size()) + c.resp.size();
  }
  return 1 + VarintSize(*logged) + bytes;
}

// Appends the record of `commands`, `logged` of which go to the log.
void AppendLogRecord(const std::vector<JournalCommand>& commands, size_t logged, std::string* out) {
  out->push_back(static_cast<char>(kLogFormatVersion));
  AppendVarint(out, logged);
  for (const JournalCommand& c : commands) {
    if (!(c.targets & kReplToLog)) continue;  // a script's redis.set_repl kept it out
    AppendVarint(out, static_cast<uint64_t>(c.db));
    AppendVarint(out, c.resp.size());
    out->append(c.resp);
  }
}

}  // namespace

std::string EncodeLogRecord(const std::vector<JournalCommand>& commands) {
  size_t logged = 0;
  std::string out;
  out.reserve(LogRecordSize(commands, &logged));
  AppendLogRecord(commands, logged, &out);
  return out;
}

Status DecodeLogRecord(std::string_view in, std::vector<JournalCommand>* commands) {
  commands->clear();
  if (in.empty()) return Status::Corruption("log record: empty");
  if (static_cast<uint8_t>(in[0]) != kLogFormatVersion) {
    return Status::Corruption("log record: unknown format version " +
                              std::to_string(static_cast<uint8_t>(in[0])));
  }
  in.remove_prefix(1);
  uint64_t n;
  if (!ConsumeVarint(&in, &n)) return Status::Corruption("log record: truncated count");
  for (uint64_t i = 0; i < n; ++i) {
    uint64_t db, len;
    if (!ConsumeVarint(&in, &db) || !ConsumeVarint(&in, &len) || len > in.size() || db > 1'000'000) {
      return Status::Corruption("log record: truncated command " + std::to_string(i));
    }
    commands->push_back(JournalCommand{static_cast<int>(db), std::string(in.substr(0, static_cast<size_t>(len)))});
    in.remove_prefix(static_cast<size_t>(len));
  }
  if (!in.empty()) return Status::Corruption("log record: trailing bytes");
  return Status::Ok();
}

void AppendToLogBatch(uint64_t seq, std::string_view record, std::string* batch, size_t* count) {
  AppendVarint(batch, seq);
  AppendVarint(batch, record.size());
  batch->append(record);
  ++*count;
}

std::string FinishLogBatch(const std::string& body, size_t count) {
  std::string out(1, static_cast<char>(kLogFormatVersion));
  AppendVarint(&out, count);
  out += body;
  return out;
}

void EncodeLogBatch(const std::vector<JournalEntry>& entries, std::string* out) {
  out->clear();
  out->push_back(static_cast<char>(kLogFormatVersion));
  AppendVarint(out, entries.size());
  for (const JournalEntry& e : entries) {
    size_t logged = 0;
    AppendVarint(out, e.seq);
    AppendVarint(out, LogRecordSize(e.commands, &logged));
    AppendLogRecord(e.commands, logged, out);
  }
}

Status ForEachInLogBatch(std::string_view in, const std::function<Status(uint64_t, std::string_view)>& visit) {
  if (in.empty() || static_cast<uint8_t>(in[0]) != kLogFormatVersion) {
    return Status::Corruption("log batch: unknown format version");
  }
  in.remove_prefix(1);
  uint64_t n;
  if (!ConsumeVarint(&in, &n)) return Status::Corruption("log batch: truncated count");
  for (uint64_t i = 0; i < n; ++i) {
    uint64_t seq, len;
    if (!ConsumeVarint(&in, &seq) || !ConsumeVarint(&in, &len) || len > in.size()) {
      return Status::Corruption("log batch: truncated entry " + std::to_string(i));
    }
    Status s = visit(seq, in.substr(0, static_cast<size_t>(len)));
    if (!s.ok()) return s;
    in.remove_prefix(static_cast<size_t>(len));
  }
  if (!in.empty()) return Status::Corruption("log batch: trailing bytes");
  return Status::Ok();
}

}  // namespace minired
