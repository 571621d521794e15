#include "storage/rdb/listpack.h"

#include <cstring>
#include <optional>

#include "protocol/numbers.h"
#include "storage/rdb/bytes.h"

namespace minired::rdb {
namespace {

// Bytes the backwards length of an element of `len` bytes takes (lpEncodeBacklen).
size_t BacklenSize(size_t len) {
  if (len <= 127) return 1;
  if (len < 16383) return 2;
  if (len < 2097151) return 3;
  if (len < 268435455) return 4;
  return 5;
}

}  // namespace

std::string_view ListpackItem::View(std::string* scratch) const {
  if (!is_int) return text;
  *scratch = std::to_string(value);
  return *scratch;
}

ListpackReader::ListpackReader(std::string_view blob) : blob_(blob) {
  if (blob.size() < 7) return;
  const auto* p = reinterpret_cast<const uint8_t*>(blob.data());
  if (LoadLittleEndian(p, 4) != blob.size()) return;
  header_count_ = static_cast<uint32_t>(LoadLittleEndian(p + 4, 2));
  valid_ = true;
}

bool ListpackReader::Next(ListpackItem* out) {
  if (!valid_ || failed_ || at_end_) return false;
  const auto* p = reinterpret_cast<const uint8_t*>(blob_.data());
  const size_t size = blob_.size();
  if (pos_ >= size) {
    failed_ = true;
    return false;
  }
  const uint8_t b = p[pos_];
  if (b == 0xff) {
    at_end_ = pos_ + 1 == size;
    failed_ = !at_end_;
    return false;
  }
  size_t header = 1, data = 0;
  *out = ListpackItem{};
  // The encoding: header bytes and data bytes, then read the value once both fit.
  if ((b & 0x80) == 0) {
    out->is_int = true;
    out->value = b & 0x7f;
  } else if ((b & 0xc0) == 0x80) {
    data = b & 0x3f;
  } else if ((b & 0xe0) == 0xc0) {
    header = 2;
  } else if ((b & 0xf0) == 0xe0) {
    header = 2;
  } else if (b == 0xf0) {
    header = 5;
  } else if (b >= 0xf1 && b <= 0xf4) {
    static constexpr int kBytes[] = {2, 3, 4, 8};
    data = kBytes[b - 0xf1];
  } else {
    failed_ = true;
    return false;
  }
  if (pos_ + header > size) {
    failed_ = true;
    return false;
  }
  if ((b & 0xf0) == 0xe0) data = ((b & 0x0f) << 8) | p[pos_ + 1];
  if (b == 0xf0) data = LoadLittleEndian(p + pos_ + 1, 4);
  const size_t len = header + data;
  if (data > size || pos_ + len + BacklenSize(len) > size - 1) {  // leave room for the end marker
    failed_ = true;
    return false;
  }
  const uint8_t* d = p + pos_ + header;
  if ((b & 0xe0) == 0xc0) {
    out->is_int = true;
    out->value = SignExtend((uint64_t{b & 0x1fu} << 8) | p[pos_ + 1], 13);
  } else if (b >= 0xf1 && b <= 0xf4) {
    out->is_int = true;
    out->value = SignExtend(LoadLittleEndian(d, static_cast<int>(data)), static_cast<int>(data) * 8);
  } else if (!out->is_int) {
    out->text = std::string_view(reinterpret_cast<const char*>(d), data);
  }
  pos_ += len + BacklenSize(len);
  return true;
}

ListpackWriter::ListpackWriter() { buf_.assign(6, '\0'); }

namespace {

// Writes the backwards length of an element of `l` bytes at `p`; returns its size.
size_t PutBacklen(uint8_t* p, size_t l) {
  const size_t n = BacklenSize(l);
  // Most significant group first, every byte but the first with its top bit set.
  for (size_t i = 0; i < n; ++i) {
    p[i] = static_cast<uint8_t>((l >> (7 * (n - 1 - i))) & 127);
    if (i > 0) p[i] |= 128;
  }
  return n;
}

}  // namespace

void ListpackWriter::Add(std::string_view s) {
  if (s.size() <= kMaxInt64Chars && !s.empty() && (s[0] == '-' || (s[0] >= '0' && s[0] <= '9'))) {
    if (std::optional<int64_t> v = ParseInt64(s)) return AddInt(*v);
  }
  uint8_t head[5];
  size_t h;
  if (s.size() < 64) {
    head[0] = static_cast<uint8_t>(0x80 | s.size());
    h = 1;
  } else if (s.size() < 4096) {
    head[0] = static_cast<uint8_t>(0xe0 | (s.size() >> 8));
    head[1] = static_cast<uint8_t>(s.size() & 0xff);
    h = 2;
  } else {
    head[0] = 0xf0;
    for (int i = 0; i < 4; ++i) head[1 + i] = static_cast<uint8_t>((s.size() >> (8 * i)) & 0xff);
    h = 5;
  }
  uint8_t back[5];
  const size_t b = PutBacklen(back, h + s.size());
  const size_t at = buf_.size();
  buf_.resize(at + h + s.size() + b);
  char* p = buf_.data() + at;
  std::memcpy(p, head, h);
  std::memcpy(p + h, s.data(), s.size());
  std::memcpy(p + h + s.size(), back, b);
  ++count_;
}

void ListpackWriter::AddInt(int64_t v) {
  uint8_t e[14];
  size_t n;
  auto put = [&](uint8_t tag, int bytes) {
    e[0] = tag;
    for (int i = 0; i < bytes; ++i) e[1 + i] = static_cast<uint8_t>((static_cast<uint64_t>(v) >> (8 * i)) & 0xff);
    n = 1 + static_cast<size_t>(bytes);
  };
  if (v >= 0 && v <= 127) {
    e[0] = static_cast<uint8_t>(v);
    n = 1;
  } else if (v >= -4096 && v <= 4095) {
    const uint64_t u = static_cast<uint64_t>(v) & 0x1fff;
    e[0] = static_cast<uint8_t>(0xc0 | (u >> 8));
    e[1] = static_cast<uint8_t>(u & 0xff);
    n = 2;
  } else if (v >= INT16_MIN && v <= INT16_MAX) {
    put(0xf1, 2);
  } else if (v >= -(1 << 23) && v < (1 << 23)) {
    put(0xf2, 3);
  } else if (v >= INT32_MIN && v <= INT32_MAX) {
    put(0xf3, 4);
  } else {
    put(0xf4, 8);
  }
  n += PutBacklen(e + n, n);
  buf_.append(reinterpret_cast<const char*>(e), n);
  ++count_;
}

std::string ListpackWriter::Finish() {
  buf_.push_back(static_cast<char>(0xff));
  const uint32_t total = static_cast<uint32_t>(buf_.size());
  for (int i = 0; i < 4; ++i) buf_[i] = static_cast<char>((total >> (8 * i)) & 0xff);
  const uint16_t n = count_ < 65535 ? static_cast<uint16_t>(count_) : 65535;
  buf_[4] = static_cast<char>(n & 0xff);
  buf_[5] = static_cast<char>(n >> 8);
  std::string out = std::move(buf_);
  buf_.assign(6, '\0');
  count_ = 0;
  return out;
}

}  // namespace minired::rdb
