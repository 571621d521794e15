// RDB's length and string encodings (Redis's rdbSaveLen / rdbLoadLen, rdbGenericLoad-
// StringObject): a length in 1, 2, 5 or 9 bytes; a string as its length and bytes, or
// as a special form: an 8, 16 or 32-bit integer, or LZF-compressed bytes.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace minired::rdb {

inline constexpr int kRdbVersion = 10;  // Redis 7.0's

void AppendLength(std::string* out, uint64_t len);
// Writes `s` as a plain string (length and bytes).
void AppendString(std::string* out, std::string_view s);
// Writes `s` as Redis's rdbSaveRawString does: a short canonical integer in its integer
// form, longer text LZF-compressed when `compress` and that saves bytes, else plain.
void AppendEncodedString(std::string* out, std::string_view s, bool compress);
// An integer value (rdbSaveLongLongAsStringObject): 8/16/32-bit forms, else its text.
void AppendIntegerString(std::string* out, int64_t v);

// Reads from a byte buffer, refusing anything that would run past its end.
class Reader {
 public:
  explicit Reader(std::string_view data) : data_(data) {}
  bool ReadByte(uint8_t* out);
  // A length; *special is set when it is one of the special string forms instead.
  bool ReadLength(uint64_t* len, bool* special = nullptr);
  bool ReadString(std::string* out);
  // The same without a copy for plain strings (a view into the data); special forms are
  // decoded into `scratch`, which the view then points into.
  bool ReadStringView(std::string_view* out, std::string* scratch);
  // `n` bytes as they are (times, stream IDs, binary doubles).
  bool ReadRaw(size_t n, std::string_view* out) { return Take(n, out); }
  // Little-endian fixed-width integers.
  bool ReadLe(int bytes, uint64_t* out);
  size_t remaining() const { return data_.size() - pos_; }
  size_t position() const { return pos_; }

 private:
  bool Take(size_t n, std::string_view* out);
  std::string_view data_;
  size_t pos_ = 0;
};

}  // namespace minired::rdb
