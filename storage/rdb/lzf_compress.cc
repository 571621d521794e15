// LZF compression, the other direction of lzf.cc: what Redis does to strings longer
// than 20 bytes in RDB files and DUMP payloads (rdbcompression yes). The output is
// liblzf's format (literal runs of up to 32 bytes, back references of 3..264 bytes up to
// 8 KB back), found with a table of where each 3-byte sequence was last seen.
#include <array>
#include <cstdint>
#include <cstring>

#include "storage/rdb/lzf.h"

namespace minired::rdb {
namespace {

constexpr size_t kMaxLiteral = 32;
constexpr size_t kMaxOffset = 1 << 13;
constexpr size_t kMaxRef = (1 << 8) + (1 << 3);  // 264
constexpr int kHashBits = 14;

inline uint32_t Hash3(const uint8_t* p) {
  const uint32_t v = (uint32_t{p[0]} << 16) | (uint32_t{p[1]} << 8) | p[2];
  return (v * 2654435761u) >> (32 - kHashBits);
}

}  // namespace

bool LzfCompress(std::string_view in, size_t max_out, std::string* out) {
  const auto* src = reinterpret_cast<const uint8_t*>(in.data());
  const size_t n = in.size();
  if (n < 4 || max_out == 0) return false;
  // Where each 3-byte hash was last seen, as base + position + 1. The table is kept per
  // thread and never cleared: a call raises `base` past every value an earlier call
  // wrote, so older entries read as empty (clearing 64 KB per short string would cost
  // more than compressing it).
  thread_local std::array<uint32_t, 1 << kHashBits> table{};
  thread_local uint32_t next_base = 0;
  if (n > UINT32_MAX / 2 || next_base > UINT32_MAX - n - 2) {
    table.fill(0);
    next_base = 0;
  }
  const uint32_t base = next_base;
  next_base += static_cast<uint32_t>(n) + 1;

  // Written through a raw pointer into a buffer sized for the worst case allowed.
  out->resize(max_out + kMaxLiteral + 4);
  uint8_t* const begin = reinterpret_cast<uint8_t*>(out->data());
  uint8_t* op = begin;
  uint8_t* const limit = begin + max_out;
  size_t lit_start = 0;  // where the pending literal run began
  size_t ip = 0;

  // Flushes literals [lit_start, end) in runs of at most 32 bytes; false past the limit.
  auto flush_literals = [&](size_t end) {
    while (lit_start < end) {
      const size_t run = std::min(kMaxLiteral, end - lit_start);
      if (op + run + 1 > limit) return false;
      *op++ = static_cast<uint8_t>(run - 1);
      std::memcpy(op, src + lit_start, run);
      op += run;
      lit_start += run;
    }
    return true;
  };

  while (ip + 2 < n) {
    const uint32_t h = Hash3(src + ip);
    const uint32_t seen = table[h];
    table[h] = base + static_cast<uint32_t>(ip) + 1;
    if (seen > base) {
      const size_t ref = seen - base - 1;
      const size_t off = ip - ref - 1;
      if (off < kMaxOffset && src[ref] == src[ip] && src[ref + 1] == src[ip + 1] && src[ref + 2] == src[ip + 2]) {
        size_t len = 3;
        const size_t max_len = std::min(kMaxRef, n - ip);
        while (len < max_len && src[ref + len] == src[ip + len]) ++len;
        if (!flush_literals(ip) || op + 3 > limit) return false;
        const size_t l = len - 2;  // 1..262
        if (l < 7) {
          *op++ = static_cast<uint8_t>((l << 5) | (off >> 8));
        } else {
          *op++ = static_cast<uint8_t>((7 << 5) | (off >> 8));
          *op++ = static_cast<uint8_t>(l - 7);
        }
        *op++ = static_cast<uint8_t>(off & 0xff);
        ip += len;
        lit_start = ip;
        // As liblzf: the two positions before the match's end, so the next match can
        // start right where this one ended.
        for (size_t k = ip - 2; k < ip && k + 2 < n; ++k) table[Hash3(src + k)] = base + static_cast<uint32_t>(k) + 1;
        continue;
      }
    }
    ++ip;
    // The literals owed already make the output too long (incompressible input).
    if (static_cast<size_t>(op - begin) + (ip - lit_start) * 33 / 32 >= max_out) return false;
  }
  if (!flush_literals(n)) return false;
  const size_t size = static_cast<size_t>(op - begin);
  if (size >= max_out) return false;
  out->resize(size);
  return true;
}

}  // namespace minired::rdb
