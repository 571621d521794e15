// Turns journal entries (storage/journal.h) into the bytes of the replication stream:
// each entry's RESP commands, with a SELECT before any command whose database differs
// from the one the stream last selected, as Redis's feedReplicationBuffer does.
#pragma once

#include <string>

#include "storage/journal.h"

namespace minired {

class StreamEncoder {
 public:
  void Encode(const JournalEntry& entry, std::string* out);
  // What Encode would append, in bytes, with the same effect on the selected database
  // (the stream is counted but kept nowhere: no replica asked for it yet).
  size_t EncodedSize(const JournalEntry& entry);
  // The next command selects its database whatever came before (a new stream, or a
  // stream whose earlier bytes were not produced here).
  void ForgetDb() { db_ = -1; }
  int db() const { return db_; }

 private:
  int db_ = -1;
};

}  // namespace minired
