// Fixed-width little-endian integers inside RDB's packed blobs (listpack, ziplist,
// intset, zipmap), and in the log segments' record headers (storage/log_segments.h).
#pragma once

#include <cstdint>

namespace minired::rdb {

inline uint64_t LoadLittleEndian(const uint8_t* p, int n) {
  uint64_t v = 0;
  for (int i = 0; i < n; ++i) v |= static_cast<uint64_t>(p[i]) << (8 * i);
  return v;
}

// The low `bits` bits of `v` as a two's-complement number.
inline int64_t SignExtend(uint64_t v, int bits) {
  if (bits == 64) return static_cast<int64_t>(v);
  const uint64_t m = uint64_t{1} << (bits - 1);
  v &= (uint64_t{1} << bits) - 1;
  return static_cast<int64_t>((v ^ m) - m);
}

}  // namespace minired::rdb
