#include "storage/encodings/hash_value.h"

#include "storage/encodings/value_store.h"

namespace minired {

HashRead::HashRead(const Entry* e) {
  if (e->is_object()) {
    map_ = e->object<StringMap>();
  } else {
    blob_ = e->compact_blob();
  }
}

size_t HashRead::size() const { return map_ ? map_->size() : ListpackCount(blob_) / 2; }

std::optional<std::string_view> HashRead::Get(std::string_view field) const {
  if (map_) {
    const PackedPair* p = map_->Find(field);
    if (!p) return std::nullopt;
    return p->value();
  }
  CompactReader r(blob_);
  std::string_view f, v;
  while (r.Next(&f) && r.Next(&v)) {
    if (f == field) return v;
  }
  return std::nullopt;
}

HashEdit::HashEdit(Db& db, Db::Slot s, std::string_view key, uint64_t hash, const EncodingLimits& limits)
    : db_(db), slot_(s), key_(key), hash_(hash), limits_(limits) {
  if (s && s.entry->is_object()) {
    map_ = s.entry->object<StringMap>();
  } else if (s) {
    DecodeHashListpack(s.entry->compact_blob(), &pairs_, &field_headers_);
  }
}

size_t HashEdit::size() const { return map_ ? map_->size() : pairs_.size() / 2; }

std::optional<std::string_view> HashEdit::Get(std::string_view field) const {
  if (map_) {
    const PackedPair* p = map_->Find(field);
    if (!p) return std::nullopt;
    return p->value();
  }
  for (size_t i = 0; i + 1 < pairs_.size(); i += 2) {
    if (pairs_[i] == field) return pairs_[i + 1];
  }
  return std::nullopt;
}

void HashEdit::ConvertToMap() {
  new_map_ = std::make_unique<StringMap>();
  for (size_t i = 0; i + 1 < pairs_.size(); i += 2) new_map_->Set(pairs_[i], pairs_[i + 1]);
  pairs_.clear();
  field_headers_.clear();
  map_ = new_map_.get();
}

bool HashEdit::Set(std::string_view field, std::string_view value) {
  changed_ = true;
  if (!map_) {
    const auto max_value = static_cast<size_t>(limits_.hash_max_listpack_value.load(std::memory_order_relaxed));
    if (field.size() > max_value || value.size() > max_value) ConvertToMap();
  }
  if (map_) return map_->Set(field, value);
  for (size_t i = 0; i + 1 < pairs_.size(); i += 2) {
    if (pairs_[i] == field) {
      pairs_[i + 1] = value;
      return false;
    }
  }
  pairs_.push_back(field);
  pairs_.push_back(value);
  field_headers_.push_back(kLookUpName);
  const auto max_entries = static_cast<size_t>(limits_.hash_max_listpack_entries.load(std::memory_order_relaxed));
  if (pairs_.size() / 2 > max_entries) ConvertToMap();
  return true;
}

bool HashEdit::Delete(std::string_view field) {
  if (map_) {
    bool erased = map_->Erase(field);
    changed_ |= erased;
    return erased;
  }
  for (size_t i = 0; i + 1 < pairs_.size(); i += 2) {
    if (pairs_[i] == field) {
      pairs_.erase(pairs_.begin() + static_cast<ptrdiff_t>(i), pairs_.begin() + static_cast<ptrdiff_t>(i) + 2);
      field_headers_.erase(field_headers_.begin() + static_cast<ptrdiff_t>(i / 2));
      changed_ = true;
      return true;
    }
  }
  return false;
}

std::string_view HashEdit::Own(std::string value) {
  owned_.push_front(std::move(value));
  return owned_.front();
}

void HashEdit::Commit(int64_t now_ms) {
  if (!changed_) return;
  const int64_t expire = ExpireOf(slot_);
  if (size() == 0) return StoreCollection(db_, slot_, hash_, nullptr, now_ms);
  if (new_map_) {
    Entry* e = Entry::NewObject(key_, ValueType::kHash, Encoding::kHashtable, new_map_.release(), expire);
    return StoreCollection(db_, slot_, hash_, e, now_ms);
  }
  if (map_) return db_.NoteWrite(key_);  // edited in place
  std::string blob = EncodeHashListpack(pairs_, field_headers_);
  Entry* e = Entry::NewCompact(key_, ValueType::kHash, Encoding::kListpack, blob, expire);
  StoreCollection(db_, slot_, hash_, e, now_ms);
}

}  // namespace minired
