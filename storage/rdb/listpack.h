// Redis's listpack (listpack.c), the byte format of small hashes, sorted sets, list
// nodes and stream nodes inside RDB files and DUMP payloads:
//   u32 total bytes | u16 element count (65535: unknown) | elements | 0xff
// each element its encoding byte(s), its data, and its own length written backwards
// (1..5 bytes, for walking the list from the end). Integers are kept as 7, 13, 16, 24,
// 32 or 64-bit values, strings with a 6, 12 or 32-bit length.
//
// This is the RDB side only: in memory minired keeps its own compact form
// (storage/encodings/compact.h).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace minired::rdb {

// One element: a string, or an integer (then `text` is empty and is_int is set).
struct ListpackItem {
  bool is_int = false;
  int64_t value = 0;
  std::string_view text;
  // The element as text (integers printed into `scratch`).
  std::string_view View(std::string* scratch) const;
};

// Walks a listpack from its first element, checking every length against the blob, so
// a corrupt one is an error and never a read out of bounds.
class ListpackReader {
 public:
  explicit ListpackReader(std::string_view blob);
  // False when the header does not fit the blob.
  bool valid() const { return valid_; }
  // The header's count (65535 when unknown).
  uint32_t header_count() const { return header_count_; }
  // The next element; false at the end marker or on corruption (then failed() is true).
  bool Next(ListpackItem* out);
  bool failed() const { return failed_; }
  // Whether the end marker was reached exactly at the blob's end.
  bool at_end() const { return at_end_; }

 private:
  std::string_view blob_;
  size_t pos_ = 6;
  uint32_t header_count_ = 0;
  bool valid_ = false;
  bool failed_ = false;
  bool at_end_ = false;
};

// Builds a listpack. Strings that are canonical integers (string2ll's form) are stored
// as integers, as Redis's lpAppend does.
class ListpackWriter {
 public:
  ListpackWriter();
  // Room for about `bytes` bytes of elements, ahead of time.
  void Reserve(size_t bytes) { buf_.reserve(bytes + 7); }
  void Add(std::string_view s);
  void AddInt(int64_t v);
  size_t count() const { return count_; }
  size_t bytes() const { return buf_.size() + 1; }
  // The finished listpack (the writer is left empty).
  std::string Finish();

 private:
  std::string buf_;
  size_t count_ = 0;
};

}  // namespace minired::rdb
