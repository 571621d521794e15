// The full ("hashtable") encoding of hashes and sets: a SlotTable of packed
// field/value pairs, each pair one allocation ([varint flen][field][varint vlen][value]).
// Sets store members with an empty value. Iteration order is hash order, so HSCAN and
// SSCAN cursors have the keyspace SCAN's guarantees.
#pragma once

#include <cstdint>
#include <cstring>
#include <span>
#include <string_view>

#include "storage/slot_table.h"
#include "storage/varint.h"

namespace minired {

uint64_t HashKey(std::string_view key);

class PackedPair {
 public:
  PackedPair() = delete;
  static PackedPair* New(std::string_view field, std::string_view value);
  static void Free(PackedPair* p) { ::operator delete(static_cast<void*>(p)); }

  std::string_view field() const {
    uint64_t len;
    size_t n = GetVarint(bytes(), &len);
    return {reinterpret_cast<const char*>(bytes() + n), static_cast<size_t>(len)};
  }
  std::string_view value() const {
    std::string_view f = field();
    const auto* p = reinterpret_cast<const uint8_t*>(f.data() + f.size());
    uint64_t len;
    size_t n = GetVarint(p, &len);
    return {reinterpret_cast<const char*>(p + n), static_cast<size_t>(len)};
  }

 private:
  const uint8_t* bytes() const { return reinterpret_cast<const uint8_t*>(this); }
};

struct PairHashOf {
  uint64_t operator()(const PackedPair* p) const { return HashKey(p->field()); }
};

class StringMap {
 public:
  using Table = SlotTable<PackedPair, PairHashOf>;
  StringMap() = default;
  StringMap(const StringMap&) = delete;
  StringMap& operator=(const StringMap&) = delete;
  ~StringMap() { Clear(); }

  size_t size() const { return table_.size(); }
  // Asks for the slots, then the pairs, that a Find of each of `fields` reads, so that
  // the cache misses of a pipeline of lookups in one big map overlap.
  void PrefetchFields(std::span<const std::string_view> fields) const {
    table_.PrefetchLookups(fields, 16, HashKey);
  }
  void Reserve(size_t n) { table_.Reserve(n); }
  const PackedPair* Find(std::string_view field) const {
    size_t i = Locate(field, HashKey(field));
    return i == Table::kNotFound ? nullptr : table_.At(i);
  }
  // Inserts or overwrites; true if the field is new.
  bool Set(std::string_view field, std::string_view value);
  // Inserts only if absent; true if inserted.
  bool Add(std::string_view field, std::string_view value);
  bool Erase(std::string_view field);
  void Clear() {
    table_.Clear([](PackedPair* p) { PackedPair::Free(p); });
  }

  template <typename Visit>  // Visit(const PackedPair*)
  void ForEach(Visit visit) const {
    uint64_t pos = 0;
    while (pos < kScanEnd) table_.Scan(&pos, 1024, visit);
  }
  template <typename Visit>
  size_t Scan(uint64_t* pos, size_t max_slots, Visit visit) const {
    return table_.Scan(pos, max_slots, visit);
  }
  template <typename Rng>
  const PackedPair* Random(Rng& rng) const {
    size_t i = table_.RandomSlot(rng);
    return i == Table::kNotFound ? nullptr : table_.At(i);
  }
  // Bytes held, the pairs estimated from the first `samples` of them (0: all).
  size_t MemoryBytes(size_t samples = 0) const;

 private:
  size_t Locate(std::string_view field, uint64_t h) const {
    return table_.Find(h, [&](const PackedPair* p) { return p->field() == field; });
  }
  Table table_;
};

}  // namespace minired
