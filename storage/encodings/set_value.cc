#include "storage/encodings/set_value.h"

#include <algorithm>
#include <cstring>

#include "storage/encodings/value_store.h"

namespace minired {

SetRead::SetRead(const Entry* e) {
  if (e->is_object()) {
    map_ = e->object<StringMap>();
  } else {
    blob_ = e->compact_blob();
  }
}

size_t SetRead::size() const { return map_ ? map_->size() : IntsetCount(blob_); }

int64_t SetRead::IntAt(size_t i) const {
  int64_t v;
  memcpy(&v, blob_.data() + i * 8, 8);
  return v;
}

bool SetRead::Contains(std::string_view member) const {
  if (map_) return map_->Find(member) != nullptr;
  auto v = ParseInt64(member);
  return v && IntsetContains(blob_, *v);
}

std::vector<std::string> SetRead::Members() const {
  std::vector<std::string> out;
  out.reserve(size());
  ForEach([&](std::string_view m) { out.emplace_back(m); });
  return out;
}

SetEdit::SetEdit(Db& db, Db::Slot s, std::string_view key, uint64_t hash, const EncodingLimits& limits)
    : db_(db), slot_(s), key_(key), hash_(hash), limits_(limits) {
  if (s && s.entry->is_object()) {
    map_ = s.entry->object<StringMap>();
  } else if (s) {
    ints_ = DecodeIntset(s.entry->compact_blob());
  }
}

bool SetEdit::Contains(std::string_view member) const {
  if (map_) return map_->Find(member) != nullptr;
  auto v = ParseInt64(member);
  return v && std::binary_search(ints_.begin(), ints_.end(), *v);
}

void SetEdit::ConvertToMap() {
  new_map_ = std::make_unique<StringMap>();
  char buf[kMaxInt64Chars];
  for (int64_t v : ints_) new_map_->Add({buf, FormatInt64(v, buf)}, {});
  ints_.clear();
  map_ = new_map_.get();
}

bool SetEdit::Add(std::string_view member) {
  if (!map_) {
    auto v = ParseInt64(member);
    if (!v) {
      ConvertToMap();
    } else {
      auto it = std::lower_bound(ints_.begin(), ints_.end(), *v);
      if (it != ints_.end() && *it == *v) return false;
      ints_.insert(it, *v);
      changed_ = true;
      const auto max = static_cast<size_t>(limits_.set_max_intset_entries.load(std::memory_order_relaxed));
      if (ints_.size() > max) ConvertToMap();
      return true;
    }
  }
  bool added = map_->Add(member, {});
  changed_ |= added;
  return added;
}

bool SetEdit::Remove(std::string_view member) {
  if (map_) {
    bool erased = map_->Erase(member);
    changed_ |= erased;
    return erased;
  }
  auto v = ParseInt64(member);
  if (!v) return false;
  auto it = std::lower_bound(ints_.begin(), ints_.end(), *v);
  if (it == ints_.end() || *it != *v) return false;
  ints_.erase(it);
  changed_ = true;
  return true;
}

void SetEdit::Commit(int64_t now_ms) {
  if (!changed_ && !new_map_) return;
  const int64_t expire = ExpireOf(slot_);
  if (size() == 0) return StoreCollection(db_, slot_, hash_, nullptr, now_ms);
  if (new_map_) {
    Entry* e = Entry::NewObject(key_, ValueType::kSet, Encoding::kHashtable, new_map_.release(), expire);
    return StoreCollection(db_, slot_, hash_, e, now_ms);
  }
  if (map_) return db_.NoteWrite(key_);  // edited in place
  Entry* e = Entry::NewCompact(key_, ValueType::kSet, Encoding::kIntset, EncodeIntset(ints_), expire);
  StoreCollection(db_, slot_, hash_, e, now_ms);
}

}  // namespace minired
