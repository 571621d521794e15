// SLOWLOG: the most recent commands that ran longer than slowlog-log-slower-than, kept
// up to slowlog-max-len entries. Any I/O thread appends under the log's mutex, which is
// taken only for a command that was already slow.
#pragma once

#include <cstdint>
#include <deque>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace minired {

struct SlowLogEntry {
  int64_t id = 0;
  int64_t time_s = 0;       // when the command ran (Unix seconds)
  int64_t duration_us = 0;  // how long it ran
  std::vector<std::string> args;  // as SlowLogArgs stores them
  std::string addr;         // the client's "ip:port"
  std::string name;         // the client's name
};

// The arguments as Redis's slow log keeps them: at most 32 (the last one then says how
// many more there were), each cut at 128 bytes (saying how many more bytes there were),
// and secrets (AUTH's, HELLO AUTH's, CONFIG SET of a password) replaced by "(redacted)".
std::vector<std::string> SlowLogArgs(std::span<const std::string_view> args);
// Whether argument `i` of this command is a secret no log may show (MONITOR as well).
bool IsRedactedArg(std::span<const std::string_view> args, size_t i);

class SlowLog {
 public:
  void Push(SlowLogEntry entry, size_t max_len);
  // The newest `count` entries, newest first (count < 0: all).
  std::vector<SlowLogEntry> Newest(int64_t count) const;
  size_t size() const;
  void Reset();
  // slowlog-max-len lowered: drop the oldest beyond it.
  void Trim(size_t max_len);

 private:
  mutable std::mutex mu_;
  std::deque<SlowLogEntry> entries_;  // newest first; guarded by mu_
  int64_t next_id_ = 0;               // guarded by mu_
};

}  // namespace minired
