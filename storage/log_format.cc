#include "storage/log_format.h"

#include "storage/varint.h"

namespace minired {

namespace {
void Put(std::string* out, uint64_t v) {
  uint8_t b[10];
  out->append(reinterpret_cast<char*>(b), PutVarint(b, v));
}

bool Get(std::string_view* in, uint64_t* v) {
  *v = 0;
  for (int shift = 0; shift < 64 && !in->empty(); shift += 7) {
    uint8_t b = static_cast<uint8_t>((*in)[0]);
    in->remove_prefix(1);
    *v |= static_cast<uint64_t>(b & 0x7f) << shift;
    if (!(b & 0x80)) return true;
  }
  return false;
}
}  // namespace

std::string EncodeLogRecord(const std::vector<JournalCommand>& commands) {
  std::string out(1, static_cast<char>(kLogFormatVersion));
  Put(&out, commands.size());
  for (const JournalCommand& c : commands) {
    Put(&out, static_cast<uint64_t>(c.db));
    Put(&out, c.resp.size());
    out += c.resp;
  }
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
  if (!Get(&in, &n)) return Status::Corruption("log record: truncated count");
  for (uint64_t i = 0; i < n; ++i) {
    uint64_t db, len;
    if (!Get(&in, &db) || !Get(&in, &len) || len > in.size() || db > 1'000'000) {
      return Status::Corruption("log record: truncated command " + std::to_string(i));
    }
    commands->push_back(JournalCommand{static_cast<int>(db), std::string(in.substr(0, static_cast<size_t>(len)))});
    in.remove_prefix(static_cast<size_t>(len));
  }
  if (!in.empty()) return Status::Corruption("log record: trailing bytes");
  return Status::Ok();
}

}  // namespace minired
