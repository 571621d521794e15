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
  out->clear();
  const auto* src = reinterpret_cast<const uint8_t*>(in.data());
  const size_t n = in.size();
  if (n < 4) return false;
  out->reserve(max_out);
  std::array<uint32_t, 1 << kHashBits> table{};  // position + 1 of the last sighting
  size_t lit_start = 0;  // where the pending literal run began
  size_t ip = 0;

  // Flushes literals [lit_start, end) in runs of at most 32 bytes.
  auto flush_literals = [&](size_t end) {
    while (lit_start < end) {
      const size_t run = std::min(kMaxLiteral, end - lit_start);
      out->push_back(static_cast<char>(run - 1));
      out->append(reinterpret_cast<const char*>(src + lit_start), run);
      lit_start += run;
    }
  };

  while (ip + 2 < n) {
    const uint32_t h = Hash3(src + ip);
    const size_t cand = table[h];
    table[h] = static_cast<uint32_t>(ip + 1);
    if (cand != 0) {
      const size_t ref = cand - 1;
      const size_t off = ip - ref - 1;
      if (off < kMaxOffset && std::memcmp(src + ref, src + ip, 3) == 0) {
        size_t len = 3;
        const size_t max_len = std::min(kMaxRef, n - ip);
        while (len < max_len && src[ref + len] == src[ip + len]) ++len;
        flush_literals(ip);
        const size_t l = len - 2;  // 1..262
        if (l < 7) {
          out->push_back(static_cast<char>((l << 5) | (off >> 8)));
        } else {
          out->push_back(static_cast<char>((7 << 5) | (off >> 8)));
          out->push_back(static_cast<char>(l - 7));
        }
        out->push_back(static_cast<char>(off & 0xff));
        // Remember the positions the reference covered, so later matches find them.
        for (size_t k = ip + 1; k < ip + len && k + 2 < n; ++k) table[Hash3(src + k)] = static_cast<uint32_t>(k + 1);
        ip += len;
        lit_start = ip;
        if (out->size() >= max_out) return false;
        continue;
      }
    }
    ++ip;
  }
  flush_literals(n);
  return out->size() < max_out;
}

}  // namespace minired::rdb
