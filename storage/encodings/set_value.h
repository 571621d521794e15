// Reading and editing a set in either encoding, as Redis 7.0: intset (inline sorted
// int64s while every member is an integer and there are at most set-max-intset-entries)
// or hashtable (StringMap with empty values).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/numbers.h"
#include "storage/encodings/encoding_limits.h"
#include "storage/encodings/compact.h"
#include "storage/db.h"
#include "storage/encodings/string_map.h"

namespace minired {

class SetRead {
 public:
  explicit SetRead(const Entry* e);  // REQUIRES: e->type() == kSet
  size_t size() const;
  bool Contains(std::string_view member) const;
  // Visit(std::string_view member); the view is only valid during the call.
  template <typename Visit>
  void ForEach(Visit visit) const {
    if (map_) {
      map_->ForEach([&](const PackedPair* p) { visit(p->field()); });
      return;
    }
    char buf[kMaxInt64Chars];
    for (size_t i = 0; i < IntsetCount(blob_); ++i) visit(std::string_view(buf, FormatInt64(IntAt(i), buf)));
  }
  std::vector<std::string> Members() const;
  const StringMap* map() const { return map_; }
  int64_t IntAt(size_t i) const;  // REQUIRES: intset encoding

 private:
  const StringMap* map_ = nullptr;
  std::string_view blob_;
};

class SetEdit {
 public:
  // `s` may be empty: the set is created on Commit if it gained members.
  SetEdit(Db& db, Db::Slot s, std::string_view key, uint64_t hash, const EncodingLimits& limits);
  size_t size() const { return map_ ? map_->size() : ints_.size(); }
  bool Contains(std::string_view member) const;
  bool Add(std::string_view member);  // true if new
  bool Remove(std::string_view member);
  // Writes the result back (or deletes the emptied key).
  void Commit(int64_t now_ms);

 private:
  void ConvertToMap();
  Db& db_;
  Db::Slot slot_;
  std::string_view key_;
  uint64_t hash_;
  const EncodingLimits& limits_;
  StringMap* map_ = nullptr;
  std::unique_ptr<StringMap> new_map_;
  std::vector<int64_t> ints_;  // intset encoding, sorted
  bool changed_ = false;
};

}  // namespace minired
