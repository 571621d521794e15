#include "storage/encodings/stream_id.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <optional>

#include "protocol/numbers.h"

namespace minired {

bool StreamId::Increment() {
  if (seq < UINT64_MAX) {
    ++seq;
    return true;
  }
  if (ms == UINT64_MAX) return false;
  ++ms;
  seq = 0;
  return true;
}

bool StreamId::Decrement() {
  if (seq > 0) {
    --seq;
    return true;
  }
  if (ms == 0) return false;
  --ms;
  seq = UINT64_MAX;
  return true;
}

std::string StreamId::ToString() const { return std::to_string(ms) + "-" + std::to_string(seq); }

namespace {

// Redis's string2ull: a strict 64-bit decimal first, then what strtoull takes (which
// includes leading blanks and a sign, and values past LLONG_MAX), the whole text.
bool ParseUnsigned(const char* s, uint64_t* out) {
  if (std::optional<int64_t> ll = ParseInt64(std::string_view(s))) {
    if (*ll < 0) return false;
    *out = static_cast<uint64_t>(*ll);
    return true;
  }
  errno = 0;
  char* end = nullptr;
  unsigned long long v = std::strtoull(s, &end, 10);
  if (errno == EINVAL || errno == ERANGE || *s == '\0' || *end != '\0') return false;
  *out = v;
  return true;
}

}  // namespace

bool ParseStreamId(std::string_view text, bool allow_seq_auto, StreamIdParse* out) {
  // As Redis reads it: at most 127 bytes, as a C string (it ends at a NUL byte).
  char buf[128];
  if (text.size() > sizeof(buf) - 1) return false;
  std::memcpy(buf, text.data(), text.size());
  buf[text.size()] = '\0';
  *out = StreamIdParse{};
  char* dash = std::strchr(buf, '-');
  if (dash) *dash = '\0';
  if (!ParseUnsigned(buf, &out->id.ms)) return false;
  if (dash == nullptr) {
    out->seq_given = false;
    return true;
  }
  const char* seq = dash + 1;
  if (allow_seq_auto && seq[0] == '*' && seq[1] == '\0') {
    out->seq_given = false;
    out->seq_auto = true;
    return true;
  }
  return ParseUnsigned(seq, &out->id.seq);
}

}  // namespace minired
