// Reading and editing a list in either encoding: listpack (inline, while the list fits
// list-max-listpack-size) or quicklist (ListObject). Edits of a compact list decode it
// into a ListObject, apply the change there and re-encode: one code path for every list
// command, O(n) for the small n a listpack holds. A quicklist that shrinks to half the
// limit goes back to a listpack, as Redis 7.2 converts.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "storage/encodings/encoding_limits.h"
#include "storage/encodings/compact.h"
#include "storage/db.h"
#include "storage/encodings/list_object.h"

namespace minired {

class ListRead {
 public:
  explicit ListRead(const Entry* e);  // REQUIRES: e->type() == kList
  size_t size() const;
  // Visits elements [from, to] (REQUIRES: to < size()).
  template <typename Visit>  // Visit(std::string_view)
  void ForRange(size_t from, size_t to, Visit visit) const {
    if (list_) return list_->ForRange(from, to, visit);
    CompactReader r(blob_);
    std::string_view e;
    for (size_t i = 0; i <= to && r.Next(&e); ++i) {
      if (i >= from) visit(e);
    }
  }
  std::string At(size_t i) const;  // REQUIRES: i < size()

 private:
  const ListObject* list_ = nullptr;
  std::string_view blob_;
};

// Whether a list of `count` elements of `bytes` (1 + each element's length + 2, Redis's
// estimate of its listpack) fits list-max-listpack-size, less `divisor` times.
bool ListFitsListpack(size_t count, size_t bytes, const EncodingLimits& limits, size_t divisor);

// LPUSH/RPUSH onto a compact list (or a new one) that stays compact after the push: a
// new blob is the old one with the elements added, not decoded and encoded again.
// False (nothing done) when the list is a quicklist or would outgrow the listpack.
bool PushCompact(Db& db, Db::Slot s, std::string_view key, uint64_t hash, const EncodingLimits& limits,
                 std::span<const std::string_view> elements, bool front, int64_t now_ms, size_t* len);

// LPOP/RPOP of up to `count` elements from the list in `s` (REQUIRES: s holds a list),
// what is left stored back and an emptied key deleted (`*emptied`). A compact list is
// cut, not decoded and encoded again: what it keeps is one run of its blob's bytes.
std::vector<std::string> PopList(Db& db, Db::Slot s, std::string_view key, uint64_t hash, const EncodingLimits& limits,
                                 bool front, size_t count, int64_t now_ms, bool* emptied);

class ListEdit {
 public:
  // `s` may be empty: the list is created on Commit if it gained elements.
  ListEdit(Db& db, Db::Slot s, std::string_view key, uint64_t hash, const EncodingLimits& limits);
  ListObject& list() { return *list_; }
  // Writes the result back; `changed` false skips rebuilding an untouched compact list.
  void Commit(int64_t now_ms, bool changed = true);

 private:
  bool FitsListpack(size_t divisor) const;
  Db& db_;
  Db::Slot slot_;
  std::string_view key_;
  uint64_t hash_;
  const EncodingLimits& limits_;
  ListObject* list_;                    // the object being edited
  std::unique_ptr<ListObject> decoded_;  // when the list was compact (or new)
  size_t initial_size_;
};

}  // namespace minired
