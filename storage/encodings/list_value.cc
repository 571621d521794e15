#include "storage/encodings/list_value.h"

#include <vector>

#include "storage/encodings/value_store.h"

namespace minired {

ListRead::ListRead(const Entry* e) {
  if (e->is_object()) {
    list_ = e->object<ListObject>();
  } else {
    blob_ = e->compact_blob();
  }
}

size_t ListRead::size() const { return list_ ? list_->size() : ListpackCount(blob_); }

std::string_view ListRead::At(size_t i) const {
  if (list_) return list_->At(i);
  std::string_view out;
  ForRange(i, i, [&](std::string_view e) { out = e; });
  return out;
}

ListEdit::ListEdit(Db& db, Db::Slot s, std::string_view key, uint64_t hash, const EncodingLimits& limits)
    : db_(db), slot_(s), key_(key), hash_(hash), limits_(limits) {
  if (s && s.entry->is_object()) {
    list_ = s.entry->object<ListObject>();
    initial_size_ = list_->size();
    return;
  }
  decoded_ = std::make_unique<ListObject>();
  if (s) {
    CompactReader r(s.entry->compact_blob());
    std::string_view e;
    while (r.Next(&e)) decoded_->PushBack(e);
  }
  list_ = decoded_.get();
  initial_size_ = list_->size();
}

// list-max-listpack-size: > 0 counts elements, -1..-5 mean 4..64 KB of listpack.
bool ListEdit::FitsListpack(size_t divisor) const {
  int64_t limit = limits_.list_max_listpack_size.load(std::memory_order_relaxed);
  if (limit > 0) return list_->size() <= static_cast<size_t>(limit) / divisor;
  static const size_t kBytes[] = {4096, 8192, 16384, 32768, 65536};
  int64_t idx = std::min<int64_t>(std::max<int64_t>(-limit, 1), 5) - 1;
  size_t budget = kBytes[idx] / divisor;
  if (list_->size() * 2 > budget) return false;  // every element takes >= 2 bytes
  size_t bytes = 1;
  list_->ForEach([&](std::string_view e) { bytes += e.size() + 2; });
  return bytes <= budget;
}

void ListEdit::Commit(int64_t now_ms, bool changed) {
  if (!changed) return;
  const int64_t expire = ExpireOf(slot_);
  if (list_->empty()) return StoreCollection(db_, slot_, hash_, nullptr, now_ms);
  const bool was_object = slot_ && slot_.entry->is_object();
  if (was_object && list_->size() >= initial_size_) return db_.NoteWrite(key_);  // grew in place
  // Hysteresis: a quicklist returns to a listpack only at half the limit.
  if (FitsListpack(was_object ? 2 : 1)) {
    std::vector<std::string_view> views;
    views.reserve(list_->size());
    list_->ForEach([&](std::string_view e) { views.push_back(e); });
    Entry* e = Entry::NewCompact(key_, ValueType::kList, Encoding::kListpack, EncodeListpack(views), expire);
    return StoreCollection(db_, slot_, hash_, e, now_ms);
  }
  if (was_object) return db_.NoteWrite(key_);  // edited in place
  Entry* e = Entry::NewObject(key_, ValueType::kList, Encoding::kQuicklist, decoded_.release(), expire);
  StoreCollection(db_, slot_, hash_, e, now_ms);
}

}  // namespace minired
