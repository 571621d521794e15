#include "replication/stream_encoder.h"

#include "protocol/command_encoder.h"

namespace minired {

// Commands a script's redis.set_repl kept from the replicas are left out.
void StreamEncoder::Encode(const JournalEntry& entry, std::string* out) {
  for (const JournalCommand& c : entry.commands) {
    if (!(c.targets & kReplToReplicas)) continue;
    if (c.db != db_) {
      *out += EncodeCommand({"SELECT", std::to_string(c.db)});
      db_ = c.db;
    }
    *out += c.resp;
  }
}

size_t StreamEncoder::EncodedSize(const JournalEntry& entry) {
  size_t n = 0;
  for (const JournalCommand& c : entry.commands) {
    if (!(c.targets & kReplToReplicas)) continue;
    if (c.db != db_) {
      n += EncodeCommand({"SELECT", std::to_string(c.db)}).size();
      db_ = c.db;
    }
    n += c.resp.size();
  }
  return n;
}

}  // namespace minired
