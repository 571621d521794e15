// LEB128 varints, the length prefix of keys, string values and compact-collection
// elements.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace minired {

inline size_t VarintSize(uint64_t v) {
  size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}

inline size_t PutVarint(uint8_t* p, uint64_t v) {
  size_t n = 0;
  while (v >= 0x80) {
    p[n++] = static_cast<uint8_t>(v | 0x80);
    v >>= 7;
  }
  p[n++] = static_cast<uint8_t>(v);
  return n;
}

inline size_t GetVarint(const uint8_t* p, uint64_t* v) {
  uint64_t result = p[0] & 0x7f;
  if (!(p[0] & 0x80)) {  // lengths under 128: the common case
    *v = result;
    return 1;
  }
  size_t n = 1;
  int shift = 7;
  while (true) {
    uint8_t b = p[n++];
    result |= static_cast<uint64_t>(b & 0x7f) << shift;
    if (!(b & 0x80)) break;
    shift += 7;
  }
  *v = result;
  return n;
}

// Appends `v` to a byte string (file formats: log records, snapshot chunks).
inline void AppendVarint(std::string* out, uint64_t v) {
  uint8_t b[10];
  out->append(reinterpret_cast<char*>(b), PutVarint(b, v));
}

// Reads a varint from the front of `*in` and advances it; false (nothing consumed that
// matters) when the bytes end before the varint does: data read back from disk may be
// truncated, unlike the in-memory encodings GetVarint reads.
inline bool ConsumeVarint(std::string_view* in, uint64_t* v) {
  *v = 0;
  for (int shift = 0; shift < 64 && !in->empty(); shift += 7) {
    auto b = static_cast<uint8_t>((*in)[0]);
    in->remove_prefix(1);
    *v |= static_cast<uint64_t>(b & 0x7f) << shift;
    if (!(b & 0x80)) return true;
  }
  return false;
}

}  // namespace minired
