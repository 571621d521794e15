#include "protocol/request_peek.h"

#include <cstdint>

namespace minired {
namespace {

// Reads the decimal after buffer[*pos] (the '*' or '$'), up to "\r\n"; false when the
// bytes are not that: a sign, a leading zero (the parser refuses both, as Redis's
// string2ll), an overlong or unterminated number.
bool ReadLength(std::string_view buffer, size_t* pos, uint64_t* out) {
  size_t p = *pos + 1;
  uint64_t v = 0;
  size_t digits = 0;
  while (p < buffer.size() && buffer[p] >= '0' && buffer[p] <= '9') {
    if (++digits > 12) return false;
    v = v * 10 + static_cast<uint64_t>(buffer[p] - '0');
    ++p;
  }
  if (digits > 1 && buffer[*pos + 1] == '0') return false;
  if (digits == 0 || p + 1 >= buffer.size() || buffer[p] != '\r' || buffer[p + 1] != '\n') return false;
  *pos = p + 2;
  *out = v;
  return true;
}

}  // namespace

size_t PeekFirstKeys(std::string_view buffer, std::string_view* keys, size_t max) {
  size_t found = 0;
  size_t pos = 0;
  for (size_t requests = 0; requests < max && pos < buffer.size() && buffer[pos] == '*'; ++requests) {
    uint64_t args;
    if (!ReadLength(buffer, &pos, &args) || args == 0) break;
    std::string_view key;
    for (uint64_t i = 0; i < args; ++i) {
      uint64_t len;
      if (pos >= buffer.size() || buffer[pos] != '$' || !ReadLength(buffer, &pos, &len)) return found;
      if (len + 2 > buffer.size() - pos) return found;  // incomplete
      if (i == 1) key = buffer.substr(pos, static_cast<size_t>(len));
      pos += static_cast<size_t>(len) + 2;
    }
    if (args >= 2) keys[found++] = key;
  }
  return found;
}

}  // namespace minired
