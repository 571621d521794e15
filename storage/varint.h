// LEB128 varints, the length prefix of keys, string values and compact-collection
// elements.
#pragma once

#include <cstddef>
#include <cstdint>

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

}  // namespace minired
