#include "storage/rdb/lzf.h"

#include <algorithm>

namespace minired::rdb {

bool LzfDecompress(std::string_view in, size_t out_len, std::string* out) {
  out->clear();
  // No input expands more than 88 times (3 bytes of back reference give at most 264):
  // a length claiming more is refused before anything is allocated for it, and what is
  // reserved up front stays modest (the string grows as the input proves it).
  constexpr size_t kMaxExpansion = 88;
  if (out_len > in.size() * kMaxExpansion + kMaxExpansion) return false;
  out->reserve(std::min<size_t>(out_len, size_t{64} << 20));
  size_t ip = 0;
  while (ip < in.size()) {
    const unsigned ctrl = static_cast<unsigned char>(in[ip++]);
    if (ctrl < 32) {  // a literal run of ctrl + 1 bytes
      const size_t n = ctrl + 1;
      if (ip + n > in.size() || out->size() + n > out_len) return false;
      out->append(in.substr(ip, n));
      ip += n;
      continue;
    }
    // A back reference: length (3 bits, extended by a byte when all ones) and offset.
    size_t len = ctrl >> 5;
    if (len == 7) {
      if (ip >= in.size()) return false;
      len += static_cast<unsigned char>(in[ip++]);
    }
    if (ip >= in.size()) return false;
    const size_t back = ((ctrl & 0x1f) << 8) + static_cast<unsigned char>(in[ip++]) + 1;
    len += 2;
    if (back > out->size() || out->size() + len > out_len) return false;
    size_t from = out->size() - back;
    for (size_t i = 0; i < len; ++i) out->push_back((*out)[from + i]);  // may overlap itself
  }
  return out->size() == out_len;
}

}  // namespace minired::rdb
