#include "storage/rdb/lzf.h"

#include <algorithm>
#include <cstdint>
#include <cstring>

namespace minired::rdb {

namespace {

// Above this, the output grows as the input proves it instead of being allocated at
// once: a hostile length cannot make one call allocate gigabytes.
constexpr size_t kAllocateAtOnce = size_t{64} << 20;

bool DecompressGrowing(std::string_view in, size_t out_len, std::string* out) {
  out->reserve(kAllocateAtOnce);
  size_t ip = 0;
  while (ip < in.size()) {
    const unsigned ctrl = static_cast<unsigned char>(in[ip++]);
    if (ctrl < 32) {
      const size_t n = ctrl + 1;
      if (ip + n > in.size() || out->size() + n > out_len) return false;
      out->append(in.substr(ip, n));
      ip += n;
      continue;
    }
    size_t len = ctrl >> 5;
    if (len == 7) {
      if (ip >= in.size()) return false;
      len += static_cast<unsigned char>(in[ip++]);
    }
    if (ip >= in.size()) return false;
    const size_t back = ((ctrl & 0x1f) << 8) + static_cast<unsigned char>(in[ip++]) + 1;
    len += 2;
    if (back > out->size() || out->size() + len > out_len) return false;
    const size_t from = out->size() - back;
    for (size_t i = 0; i < len; ++i) out->push_back((*out)[from + i]);
  }
  return out->size() == out_len;
}

}  // namespace

bool LzfDecompress(std::string_view in, size_t out_len, std::string* out) {
  out->clear();
  // No input expands more than 88 times (3 bytes of back reference give at most 264):
  // a length claiming more is refused before anything is allocated for it.
  constexpr size_t kMaxExpansion = 88;
  if (out_len > in.size() * kMaxExpansion + kMaxExpansion) return false;
  if (out_len > kAllocateAtOnce) return DecompressGrowing(in, out_len, out);
  out->resize(out_len);
  auto* const begin = reinterpret_cast<uint8_t*>(out->data());
  uint8_t* op = begin;
  uint8_t* const end = begin + out_len;
  const auto* ip = reinterpret_cast<const uint8_t*>(in.data());
  const uint8_t* const in_end = ip + in.size();
  while (ip < in_end) {
    const unsigned ctrl = *ip++;
    if (ctrl < 32) {  // a literal run of ctrl + 1 bytes
      const size_t n = ctrl + 1;
      if (n > static_cast<size_t>(in_end - ip) || n > static_cast<size_t>(end - op)) return false;
      std::memcpy(op, ip, n);
      op += n;
      ip += n;
      continue;
    }
    // A back reference: length (3 bits, extended by a byte when all ones) and offset.
    size_t len = ctrl >> 5;
    if (len == 7) {
      if (ip >= in_end) return false;
      len += *ip++;
    }
    if (ip >= in_end) return false;
    const size_t back = ((ctrl & 0x1f) << 8) + *ip++ + 1;
    len += 2;
    if (back > static_cast<size_t>(op - begin) || len > static_cast<size_t>(end - op)) return false;
    const uint8_t* from = op - back;
    if (back >= len) {
      std::memcpy(op, from, len);
      op += len;
    } else {
      for (size_t i = 0; i < len; ++i) *op++ = from[i];  // overlaps what it produces
    }
  }
  if (op != end) {
    out->clear();
    return false;
  }
  return true;
}

}  // namespace minired::rdb
