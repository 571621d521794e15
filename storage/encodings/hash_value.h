// Reading and editing a hash in either encoding: listpack (inline, compact.h) or
// hashtable (StringMap). HashEdit converts listpack -> hashtable when the hash passes
// hash-max-listpack-entries or a field/value passes hash-max-listpack-value, as Redis.
#pragma once

#include <forward_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "storage/encodings/encoding_limits.h"
#include "storage/encodings/compact.h"
#include "storage/db.h"
#include "storage/encodings/string_map.h"

namespace minired {

class HashRead {
 public:
  explicit HashRead(const Entry* e);  // REQUIRES: e->type() == kHash
  size_t size() const;
  std::optional<std::string_view> Get(std::string_view field) const;
  template <typename Visit>  // Visit(field, value)
  void ForEach(Visit visit) const {
    if (map_) {
      map_->ForEach([&](const PackedPair* p) { visit(p->field(), p->value()); });
      return;
    }
    CompactReader r(blob_);
    std::string_view f, v;
    while (r.Next(&f) && r.Next(&v)) visit(f, v);
  }
  const StringMap* map() const { return map_; }

 private:
  const StringMap* map_ = nullptr;
  std::string_view blob_;
};

class HashEdit {
 public:
  // `s` may be empty: the hash is created on Commit if it gained fields.
  HashEdit(Db& db, Db::Slot s, std::string_view key, uint64_t hash, const EncodingLimits& limits);
  size_t size() const;
  std::optional<std::string_view> Get(std::string_view field) const;
  // Sets field to value; true if the field is new. `value` must outlive Commit (or use
  // Own()).
  bool Set(std::string_view field, std::string_view value);
  bool Delete(std::string_view field);
  // Keeps a computed value alive until Commit.
  std::string_view Own(std::string value);
  // Writes the result back: a new compact entry, a converted entry, or nothing when a
  // hashtable was edited in place; deletes the key when it became empty.
  void Commit(int64_t now_ms);

 private:
  void ConvertToMap();
  Db& db_;
  Db::Slot slot_;
  std::string_view key_;
  uint64_t hash_;
  const EncodingLimits& limits_;
  StringMap* map_ = nullptr;             // hashtable encoding (existing or converted)
  std::unique_ptr<StringMap> new_map_;   // converted during this edit
  std::vector<std::string_view> pairs_;  // listpack encoding: f0 v0 f1 v1 ...
  std::vector<uint64_t> field_headers_;  // how each field of pairs_ is written (compact.h)
  std::forward_list<std::string> owned_;  // allocates nothing until used (a deque did)
  bool changed_ = false;
};

}  // namespace minired
