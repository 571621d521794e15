#include "storage/rdb/rdb_string.h"

#include <optional>

#include "protocol/numbers.h"
#include "storage/rdb/lzf.h"

namespace minired::rdb {
namespace {

constexpr uint8_t k6Bit = 0, k14Bit = 1, k32Or64Bit = 2, kSpecial = 3;
constexpr uint8_t k32BitLen = 0x80, k64BitLen = 0x81;
constexpr uint8_t kInt8 = 0, kInt16 = 1, kInt32 = 2, kLzf = 3;

}  // namespace

void AppendLength(std::string* out, uint64_t len) {
  if (len < (1 << 6)) {
    out->push_back(static_cast<char>((k6Bit << 6) | len));
  } else if (len < (1 << 14)) {
    out->push_back(static_cast<char>((k14Bit << 6) | (len >> 8)));
    out->push_back(static_cast<char>(len & 0xff));
  } else if (len <= UINT32_MAX) {
    out->push_back(static_cast<char>(k32BitLen));
    for (int shift = 24; shift >= 0; shift -= 8) out->push_back(static_cast<char>((len >> shift) & 0xff));
  } else {
    out->push_back(static_cast<char>(k64BitLen));
    for (int shift = 56; shift >= 0; shift -= 8) out->push_back(static_cast<char>((len >> shift) & 0xff));
  }
}

void AppendString(std::string* out, std::string_view s) {
  AppendLength(out, s.size());
  out->append(s);
}

void AppendIntegerString(std::string* out, int64_t v) {
  auto put = [&](uint8_t enc, int bytes) {
    out->push_back(static_cast<char>(0xc0 | enc));
    for (int i = 0; i < bytes; ++i) out->push_back(static_cast<char>((static_cast<uint64_t>(v) >> (8 * i)) & 0xff));
  };
  if (v >= INT8_MIN && v <= INT8_MAX) return put(kInt8, 1);
  if (v >= INT16_MIN && v <= INT16_MAX) return put(kInt16, 2);
  if (v >= INT32_MIN && v <= INT32_MAX) return put(kInt32, 4);
  AppendString(out, std::to_string(v));
}

void AppendEncodedString(std::string* out, std::string_view s, bool compress) {
  // rdbTryIntegerEncoding: strings of at most 11 characters that are canonical integers.
  if (s.size() <= 11 && !s.empty()) {
    if (std::optional<int64_t> v = ParseInt64(s); v && *v >= INT32_MIN && *v <= INT32_MAX) {
      return AppendIntegerString(out, *v);
    }
  }
  if (compress && s.size() > 20) {
    thread_local std::string packed;
    if (LzfCompress(s, s.size() - 4, &packed)) {
      out->push_back(static_cast<char>(0xc0 | kLzf));
      AppendLength(out, packed.size());
      AppendLength(out, s.size());
      out->append(packed);
      return;
    }
  }
  AppendString(out, s);
}

bool Reader::ReadLe(int bytes, uint64_t* out) {
  std::string_view b;
  if (!Take(static_cast<size_t>(bytes), &b)) return false;
  *out = 0;
  for (int i = 0; i < bytes; ++i) *out |= static_cast<uint64_t>(static_cast<unsigned char>(b[i])) << (8 * i);
  return true;
}

bool Reader::ReadStringView(std::string_view* out, std::string* scratch) {
  const size_t start = pos_;
  uint8_t first = 0;
  if (!ReadByte(&first)) return false;
  pos_ = start;
  if ((first >> 6) != kSpecial) {
    uint64_t len = 0;
    return ReadLength(&len) && Take(len, out);
  }
  if (!ReadString(scratch)) return false;
  *out = *scratch;
  return true;
}

bool Reader::Take(size_t n, std::string_view* out) {
  if (n > remaining()) return false;
  *out = data_.substr(pos_, n);
  pos_ += n;
  return true;
}

bool Reader::ReadByte(uint8_t* out) {
  std::string_view b;
  if (!Take(1, &b)) return false;
  *out = static_cast<uint8_t>(b[0]);
  return true;
}

bool Reader::ReadLength(uint64_t* len, bool* special) {
  uint8_t first = 0;
  if (!ReadByte(&first)) return false;
  if (special) *special = false;
  const uint8_t type = first >> 6;
  std::string_view bytes;
  switch (type) {
    case k6Bit:
      *len = first & 0x3f;
      return true;
    case k14Bit: {
      uint8_t second = 0;
      if (!ReadByte(&second)) return false;
      *len = (static_cast<uint64_t>(first & 0x3f) << 8) | second;
      return true;
    }
    case kSpecial:
      if (special == nullptr) return false;
      *special = true;
      *len = first & 0x3f;
      return true;
    default:
      break;
  }
  const size_t n = first == k32BitLen ? 4 : first == k64BitLen ? 8 : 0;
  if (n == 0 || !Take(n, &bytes)) return false;
  *len = 0;
  for (unsigned char c : bytes) *len = (*len << 8) | c;
  return true;
}

bool Reader::ReadString(std::string* out) {
  uint64_t len = 0;
  bool special = false;
  if (!ReadLength(&len, &special)) return false;
  std::string_view bytes;
  if (!special) {
    if (!Take(len, &bytes)) return false;
    out->assign(bytes);
    return true;
  }
  if (len == kLzf) {
    uint64_t compressed = 0, plain = 0;
    if (!ReadLength(&compressed) || !ReadLength(&plain) || !Take(compressed, &bytes)) return false;
    if (plain > (uint64_t{1} << 32)) return false;  // no RDB string is that long; refuse the allocation
    return LzfDecompress(bytes, plain, out);
  }
  const size_t n = len == kInt8 ? 1 : len == kInt16 ? 2 : len == kInt32 ? 4 : 0;
  if (n == 0 || !Take(n, &bytes)) return false;
  uint64_t v = 0;
  for (size_t i = 0; i < n; ++i) v |= static_cast<uint64_t>(static_cast<unsigned char>(bytes[i])) << (8 * i);
  const int64_t value = n == 1 ? static_cast<int8_t>(v) : n == 2 ? static_cast<int16_t>(v) : static_cast<int32_t>(v);
  *out = std::to_string(value);
  return true;
}

}  // namespace minired::rdb
