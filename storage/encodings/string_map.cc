#include "storage/encodings/string_map.h"

#include "storage/memory.h"

namespace minired {

PackedPair* PackedPair::New(std::string_view field, std::string_view value) {
  size_t size = VarintSize(field.size()) + field.size() + VarintSize(value.size()) + value.size();
  auto* p = static_cast<uint8_t*>(::operator new(size));
  size_t off = PutVarint(p, field.size());
  if (!field.empty()) memcpy(p + off, field.data(), field.size());
  off += field.size();
  off += PutVarint(p + off, value.size());
  if (!value.empty()) memcpy(p + off, value.data(), value.size());
  return reinterpret_cast<PackedPair*>(p);
}

bool StringMap::Set(std::string_view field, std::string_view value) {
  uint64_t h = HashKey(field);
  size_t i = Locate(field, h);
  if (i != Table::kNotFound) {
    PackedPair* old = table_.At(i);
    if (old->value().size() == value.size()) {
      // Same length (counters, flags): overwrite in place, no allocation.
      if (!value.empty()) memcpy(const_cast<char*>(old->value().data()), value.data(), value.size());
      return false;
    }
    PackedPair::Free(table_.ReplaceAt(i, PackedPair::New(field, value)));
    return false;
  }
  table_.Insert(PackedPair::New(field, value), h);
  return true;
}

bool StringMap::Add(std::string_view field, std::string_view value) {
  uint64_t h = HashKey(field);
  if (Locate(field, h) != Table::kNotFound) return false;
  table_.Insert(PackedPair::New(field, value), h);
  return true;
}

bool StringMap::Erase(std::string_view field) {
  size_t i = Locate(field, HashKey(field));
  if (i == Table::kNotFound) return false;
  PackedPair* p = table_.At(i);
  table_.EraseAt(i);
  PackedPair::Free(p);
  return true;
}

size_t StringMap::MemoryBytes(size_t samples) const {
  size_t total = table_.MemoryBytes();
  if (samples == 0 || samples >= size()) {
    ForEach([&](const PackedPair* p) { total += AllocationSize(p); });
    return total;
  }
  // As Redis's MEMORY USAGE: the first `samples` pairs stand for the average.
  size_t seen = 0, bytes = 0;
  uint64_t pos = 0;
  while (pos < kScanEnd && seen < samples) {
    table_.Scan(&pos, samples, [&](const PackedPair* p) {
      if (seen < samples) {
        bytes += AllocationSize(p);
        ++seen;
      }
    });
  }
  return total + (seen == 0 ? 0 : bytes * size() / seen);
}

}  // namespace minired
