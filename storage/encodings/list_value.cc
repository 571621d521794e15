#include "storage/encodings/list_value.h"

#include <vector>

#include "storage/encodings/value_store.h"
#include "storage/varint.h"

namespace minired {

ListRead::ListRead(const Entry* e) {
  if (e->is_object()) {
    list_ = e->object<ListObject>();
  } else {
    blob_ = e->compact_blob();
  }
}

size_t ListRead::size() const { return list_ ? list_->size() : ListpackCount(blob_); }

std::string ListRead::At(size_t i) const {
  if (list_) return list_->At(i);
  std::string out;
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
bool ListFitsListpack(size_t count, size_t bytes, const EncodingLimits& limits, size_t divisor) {
  int64_t limit = limits.list_max_listpack_size.load(std::memory_order_relaxed);
  if (limit > 0) return count <= static_cast<size_t>(limit) / divisor;
  static const size_t kBytes[] = {4096, 8192, 16384, 32768, 65536};
  int64_t idx = std::min<int64_t>(std::max<int64_t>(-limit, 1), 5) - 1;
  return bytes <= kBytes[idx] / divisor;
}

bool ListEdit::FitsListpack(size_t divisor) const {
  // Every element takes 2 bytes or more (a byte for the listpack's end besides): a
  // count that fails already needs no walk over the elements.
  const size_t count = list_->size();
  if (!ListFitsListpack(count, 1 + 2 * count, limits_, divisor)) return false;
  if (limits_.list_max_listpack_size.load(std::memory_order_relaxed) > 0) return true;
  size_t bytes = 1;
  list_->ForEach([&](std::string_view e) { bytes += e.size() + 2; });
  return ListFitsListpack(count, bytes, limits_, divisor);
}

bool PushCompact(Db& db, Db::Slot s, std::string_view key, uint64_t hash, const EncodingLimits& limits,
                 std::span<const std::string_view> elements, bool front, int64_t now_ms, size_t* len) {
  if (s && s.entry->is_object()) return false;
  const std::string_view blob = s ? s.entry->compact_blob() : std::string_view();
  CompactReader r(blob);
  size_t count = r.count() + elements.size();
  size_t added = 0;
  for (std::string_view a : elements) added += a.size() + 2;
  // Each element's header takes a byte at least, so the blob's size plus a byte an
  // element bounds Redis's estimate from above: only a list near the limit needs the
  // walk over its elements for the exact figure.
  if (!ListFitsListpack(count, 1 + blob.size() + r.count() + added, limits, 1)) {
    size_t bytes = 1 + added;
    std::string_view e;
    while (r.Next(&e)) bytes += e.size() + 2;
    if (!ListFitsListpack(count, bytes, limits, 1)) return false;
  }
  Entry* entry = Entry::NewCompact(key, ValueType::kList, Encoding::kListpack, PushToListpack(blob, elements, front),
                                   ExpireOf(s));
  StoreCollection(db, s, hash, entry, now_ms);
  *len = count;
  return true;
}

std::vector<std::string> PopList(Db& db, Db::Slot s, std::string_view key, uint64_t hash, const EncodingLimits& limits,
                                 bool front, size_t count, int64_t now_ms, bool* emptied) {
  std::vector<std::string> out;
  if (s.entry->is_object()) {
    ListEdit l(db, s, key, hash, limits);
    ListObject& list = l.list();
    out.reserve(std::min(count, list.size()));
    while (out.size() < count && !list.empty()) out.push_back(front ? list.PopFront() : list.PopBack());
    *emptied = list.empty();
    l.Commit(now_ms);
    return out;
  }
  const std::string_view blob = s.entry->compact_blob();
  const std::vector<std::string_view> elements = DecodeListpack(blob);
  const size_t n = std::min(count, elements.size()), left = elements.size() - n;
  out.reserve(n);
  for (size_t i = 0; i < n; ++i) out.emplace_back(front ? elements[i] : elements[elements.size() - 1 - i]);
  *emptied = left == 0;
  if (left == 0) {
    StoreCollection(db, s, hash, nullptr, now_ms);
    return out;
  }
  // A list's element is its header (length << 1) and its bytes.
  auto start_of = [](std::string_view e) { return e.data() - VarintSize(static_cast<uint64_t>(e.size()) << 1); };
  const char* begin = start_of(elements[front ? n : 0]);
  const char* end = front ? blob.data() + blob.size() : start_of(elements[left]);
  std::string packed;
  packed.reserve(VarintSize(left) + static_cast<size_t>(end - begin));
  AppendVarint(&packed, left);
  packed.append(begin, end);
  Entry* e = Entry::NewCompact(key, ValueType::kList, Encoding::kListpack, packed, ExpireOf(s));
  StoreCollection(db, s, hash, e, now_ms);  // frees the old blob: `out` holds copies
  return out;
}

void ListEdit::Commit(int64_t now_ms, bool changed) {
  if (!changed) return;
  const int64_t expire = ExpireOf(slot_);
  if (list_->empty()) return StoreCollection(db_, slot_, hash_, nullptr, now_ms);
  const bool was_object = slot_ && slot_.entry->is_object();
  if (was_object && list_->size() >= initial_size_) return db_.NoteWrite(key_);  // grew in place
  // Hysteresis: a quicklist returns to a listpack only at half the limit.
  if (FitsListpack(was_object ? 2 : 1)) {
    // Copied out first: a number is read into a buffer that lasts for its visit only.
    std::vector<std::string> texts;
    texts.reserve(list_->size());
    list_->ForEach([&](std::string_view e) { texts.emplace_back(e); });
    const std::vector<std::string_view> views(texts.begin(), texts.end());
    Entry* e = Entry::NewCompact(key_, ValueType::kList, Encoding::kListpack, EncodeListpack(views), expire);
    return StoreCollection(db_, slot_, hash_, e, now_ms);
  }
  if (was_object) return db_.NoteWrite(key_);  // edited in place
  Entry* e = Entry::NewObject(key_, ValueType::kList, Encoding::kQuicklist, decoded_.release(), expire);
  StoreCollection(db_, slot_, hash_, e, now_ms);
}

}  // namespace minired
