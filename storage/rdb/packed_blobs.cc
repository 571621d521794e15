#include "storage/rdb/packed_blobs.h"

#include "protocol/numbers.h"
#include "storage/rdb/bytes.h"
#include "storage/rdb/listpack.h"

namespace minired::rdb {

bool ReadListpackElements(std::string_view blob, std::vector<std::string>* out) {
  ListpackReader r(blob);
  if (!r.valid()) return false;
  ListpackItem item;
  std::string scratch;
  while (r.Next(&item)) out->emplace_back(item.View(&scratch));
  return r.at_end();
}

bool ReadListpackViews(std::string_view blob, std::vector<std::string_view>* out, std::string* arena) {
  ListpackReader r(blob);
  if (!r.valid()) return false;
  // An integer takes at least 2 bytes of the blob and prints in at most 20 characters.
  arena->clear();
  arena->reserve(blob.size() * 10 + 32);
  if (r.header_count() != 65535) out->reserve(out->size() + r.header_count());
  ListpackItem item;
  char buf[kMaxInt64Chars];
  while (r.Next(&item)) {
    if (!item.is_int) {
      out->push_back(item.text);
      continue;
    }
    const size_t n = FormatInt64(item.value, buf);
    const size_t at = arena->size();
    arena->append(buf, n);
    out->emplace_back(arena->data() + at, n);
  }
  return r.at_end();
}

// zlbytes u32 | zltail u32 | zllen u16 | entries | 0xff; an entry is its previous
// entry's length (1 byte, or 0xfe and 4 bytes), its encoding, its data.
bool ReadZiplistElements(std::string_view blob, std::vector<std::string>* out) {
  const auto* p = reinterpret_cast<const uint8_t*>(blob.data());
  const size_t size = blob.size();
  if (size < 11 || LoadLittleEndian(p, 4) != size || p[size - 1] != 0xff) return false;
  size_t pos = 10;
  while (pos < size - 1) {
    if (p[pos] == 0xfe) {
      pos += 5;
    } else {
      pos += 1;
    }
    if (pos >= size - 1) return false;
    const uint8_t enc = p[pos];
    size_t header = 1, data = 0;
    bool is_int = true;
    int int_bytes = 0;
    int64_t imm = 0;
    switch (enc >> 6) {
      case 0: is_int = false; data = enc & 0x3f; break;
      case 1:
        is_int = false;
        header = 2;
        if (pos + 2 > size) return false;
        data = (static_cast<size_t>(enc & 0x3f) << 8) | p[pos + 1];
        break;
      case 2:
        is_int = false;
        header = 5;
        if (pos + 5 > size) return false;
        data = (size_t{p[pos + 1]} << 24) | (size_t{p[pos + 2]} << 16) | (size_t{p[pos + 3]} << 8) | p[pos + 4];
        break;
      default:
        switch (enc) {
          case 0xc0: int_bytes = 2; break;
          case 0xd0: int_bytes = 4; break;
          case 0xe0: int_bytes = 8; break;
          case 0xf0: int_bytes = 3; break;
          case 0xfe: int_bytes = 1; break;
          default:
            if (enc >= 0xf1 && enc <= 0xfd) {
              imm = (enc & 0x0f) - 1;
            } else {
              return false;
            }
        }
        data = static_cast<size_t>(int_bytes);
    }
    if (data > size || pos + header + data > size - 1) return false;
    const uint8_t* d = p + pos + header;
    if (!is_int) {
      out->emplace_back(reinterpret_cast<const char*>(d), data);
    } else if (int_bytes == 0) {
      out->push_back(std::to_string(imm));
    } else {
      out->push_back(std::to_string(SignExtend(LoadLittleEndian(d, int_bytes), int_bytes * 8)));
    }
    pos += header + data;
  }
  return pos == size - 1;
}

// zmlen u8 | (len key len free value free-bytes)* | 0xff; a length is one byte below
// 254, or 254 and 4 bytes (little-endian).
bool ReadZipmapElements(std::string_view blob, std::vector<std::string>* out) {
  const auto* p = reinterpret_cast<const uint8_t*>(blob.data());
  const size_t size = blob.size();
  size_t pos = 1;
  auto read_len = [&](size_t* len) {
    if (pos >= size) return false;
    if (p[pos] < 254) {
      *len = p[pos++];
      return true;
    }
    if (p[pos] != 254 || pos + 5 > size) return false;
    *len = LoadLittleEndian(p + pos + 1, 4);
    pos += 5;
    return true;
  };
  if (size < 2) return false;
  while (pos < size && p[pos] != 0xff) {
    size_t klen, vlen;
    if (!read_len(&klen) || klen > size - pos) return false;
    out->emplace_back(reinterpret_cast<const char*>(p + pos), klen);
    pos += klen;
    if (!read_len(&vlen) || pos >= size) return false;
    const size_t free = p[pos++];
    if (vlen > size - pos || free > size - pos - vlen) return false;
    out->emplace_back(reinterpret_cast<const char*>(p + pos), vlen);
    pos += vlen + free;
  }
  return pos == size - 1 && out->size() % 2 == 0;
}

bool ReadIntset(std::string_view blob, std::vector<int64_t>* out) {
  const auto* p = reinterpret_cast<const uint8_t*>(blob.data());
  if (blob.size() < 8) return false;
  const uint32_t width = static_cast<uint32_t>(LoadLittleEndian(p, 4));
  const uint64_t count = LoadLittleEndian(p + 4, 4);
  if ((width != 2 && width != 4 && width != 8) || blob.size() != 8 + count * width) return false;
  out->reserve(out->size() + count);
  for (uint64_t i = 0; i < count; ++i) {
    const int64_t v = SignExtend(LoadLittleEndian(p + 8 + i * width, static_cast<int>(width)), static_cast<int>(width) * 8);
    if (!out->empty() && i > 0 && v <= out->back()) return false;  // sorted and distinct, as Redis checks
    out->push_back(v);
  }
  return true;
}

std::string WriteIntset(const std::vector<int64_t>& sorted_values) {
  uint32_t width = 2;
  for (int64_t v : sorted_values) {
    if (v < INT32_MIN || v > INT32_MAX) {
      width = 8;
    } else if ((v < INT16_MIN || v > INT16_MAX) && width < 4) {
      width = 4;
    }
  }
  std::string out;
  auto put = [&](uint64_t v, uint32_t bytes) {
    for (uint32_t i = 0; i < bytes; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  };
  put(width, 4);
  put(sorted_values.size(), 4);
  for (int64_t v : sorted_values) put(static_cast<uint64_t>(v), width);
  return out;
}

}  // namespace minired::rdb
