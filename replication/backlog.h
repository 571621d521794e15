// The replication backlog: a ring holding the most recent bytes of the replication
// stream, so a replica that lost its link briefly resumes from where it stopped
// (PSYNC ... +CONTINUE) instead of loading a whole snapshot again.
//
// Offsets count stream bytes since the replication id began, as Redis's
// master_repl_offset: the first byte ever sent is offset 1 and end_offset() is the
// offset of the last byte appended. Not thread-safe (ReplicationSource guards it).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace minired {

class ReplBacklog {
 public:
  explicit ReplBacklog(size_t capacity) : capacity_(capacity ? capacity : 1) {}

  void Append(std::string_view bytes);
  // Offset of the last byte appended (master_repl_offset).
  uint64_t end_offset() const { return end_offset_; }
  // Offset of the oldest byte held; end_offset() + 1 when empty.
  uint64_t first_offset() const { return end_offset_ - histlen_ + 1; }
  size_t histlen() const { return histlen_; }
  size_t capacity() const { return capacity_; }
  // Whether the stream from byte `from` on (a PSYNC's offset) is all here.
  bool Covers(uint64_t from) const { return from >= first_offset() && from <= end_offset_ + 1; }
  // REQUIRES: Covers(from). Appends bytes from..end_offset() to *out.
  void CopyFrom(uint64_t from, std::string* out) const;
  // Counts `n` stream bytes without keeping any (no replica ever asked for them).
  void Skip(size_t n);
  // Empties the ring; the next byte appended gets offset end_offset + 1.
  void Reset(uint64_t end_offset);
  // Keeps the newest min(histlen, capacity) bytes.
  void Resize(size_t capacity);
  // Bytes allocated (INFO memory).
  size_t allocated() const { return buf_.capacity(); }

 private:
  size_t capacity_;
  std::string buf_;   // grows to capacity_, then wraps
  size_t pos_ = 0;    // where the next byte goes once buf_ is full
  size_t histlen_ = 0;
  uint64_t end_offset_ = 0;
};

}  // namespace minired
