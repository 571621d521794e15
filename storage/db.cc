#include "storage/db.h"

#include <xxhash.h>

#include <algorithm>

#include "storage/encodings/string_map.h"
#include "storage/encodings/zset.h"
#include "storage/lazy_free.h"

namespace minired {

// A fixed seed: shard routing and table order must be the same in every process
// (snapshots and replicas rely on it).
static constexpr uint64_t kHashSeed = 0x6d696e6972656431ULL;  // "minired1"

uint64_t HashKey(std::string_view key) { return XXH3_64bits_withSeed(key.data(), key.size(), kHashSeed); }

Db::Slot Db::Find(std::string_view key, uint64_t hash, int64_t now_ms) {
  const size_t i = Locate(key, hash);
  if (i == KeyTable::kNotFound) return {};
  Slot s{i, keys_.At(i)};
  if (Expired(s.entry, now_ms)) {
    if (t_keep_expired_) return {};
    Journal::ExpiredKey(index(), key);
    // Announced before the entry goes: `key` may be a view of the entry's own name (the
    // active expiry cycle looks keys up by it). Under the lock either order looks the same.
    Signal(KeyspaceListener::kKeyExpired, key);
    Erase(s);
    ++stats_.expired_keys;
    return {};
  }
  return s;
}

void Db::PrefetchFields(std::string_view key, uint64_t hash, const PeekedFields& fields) const {
  const size_t i = Locate(key, hash);
  if (i == KeyTable::kNotFound) return;
  const Entry* e = keys_.At(i);
  if (e->encoding() == Encoding::kHashtable) {  // hashes and sets: a StringMap
    e->object<StringMap>()->PrefetchFields(fields.thirds);
  } else if (e->encoding() == Encoding::kSkiplist) {
    constexpr size_t kMax = 16;
    std::string_view members[kMax];
    const size_t n = std::min(fields.thirds.size(), kMax);
    for (size_t k = 0; k < n; ++k) members[k] = fields.fourths[k].empty() ? fields.thirds[k] : fields.fourths[k];
    e->object<ZSet>()->PrefetchMembers(std::span<const std::string_view>(members, n));
  }
}

void Db::Insert(Entry* e, uint64_t hash) {
  NoteWrite(e->key());
  keys_.Insert(e, hash);
  if (overwriting_.empty() || overwriting_ != e->key()) Signal(KeyspaceListener::kKeyAdded, e->key());
  if (e->has_expire()) {
    volatile_.Insert(e, PointerHashOf()(e));
    Journal::ExpirySet(index(), e->key(), e->expire_ms());
  }
}

void Db::UnindexVolatile(Entry* e) {
  size_t v = volatile_.Find(PointerHashOf()(e), [e](const Entry* x) { return x == e; });
  if (v != VolatileIndex::kNotFound) volatile_.EraseAt(v);
}

void Db::Replace(Slot slot, Entry* e) {
  NoteWrite(e->key());
  // A stream overwritten by another type is gone (a stream moved to a bigger entry,
  // SetExpire below, is the same stream; COPY onto one wakes its readers itself).
  if (e->type() != ValueType::kStream) NoteRemoved(slot.entry);
  if (slot.entry->has_expire()) UnindexVolatile(slot.entry);
  keys_.ReplaceAt(slot.index, e);
  if (e->has_expire()) {
    volatile_.Insert(e, PointerHashOf()(e));
    Journal::ExpirySet(index(), e->key(), e->expire_ms());
  }
  Dispose(slot.entry);
}

void Db::Upsert(Entry* e, uint64_t hash, int64_t now_ms) {
  Slot s = Find(e->key(), hash, now_ms);
  if (s) {
    Replace(s, e);
  } else {
    Insert(e, hash);
  }
}

Entry* Db::Detach(Slot slot) {
  NoteWrite(slot.entry->key());
  NoteRemoved(slot.entry);
  if (slot.entry->has_expire()) UnindexVolatile(slot.entry);
  keys_.EraseAt(slot.index);
  return slot.entry;
}

void Db::Erase(Slot slot) { Dispose(Detach(slot)); }

void Db::Dispose(Entry* e) {
  if (e->is_object() && e->ElementCount() > kLazyFreeThreshold) {
    // A big collection: unlink it now, free its elements on the lazy-free thread.
    ValueType type = e->type();
    Encoding enc = e->encoding();
    void* object = e->ReleaseObject();
    LazyFreer::Global().Submit([type, enc, object] { Entry::FreeObject(type, enc, object); });
  }
  Entry::Free(e);
}

void Db::SetExpire(Slot* slot, int64_t ms) {
  Entry* e = slot->entry;
  NoteWrite(e->key());
  if (ms == 0) {
    if (!e->has_expire()) return;
    UnindexVolatile(e);
    e->clear_expire();
    return;
  }
  if (e->has_expire_room()) {
    if (!e->has_expire()) volatile_.Insert(e, PointerHashOf()(e));
    e->set_expire_ms(ms);
    Journal::ExpirySet(index(), e->key(), ms);
    return;
  }
  Entry* fresh = Entry::MoveWith(e, e->key(), ms);
  Replace(*slot, fresh);
  slot->entry = fresh;
}

void Db::Watch(std::string_view key, std::shared_ptr<WatchFlag> flag) {
  if (!watchers_) watchers_ = std::make_unique<WatchTable>();
  auto& list = (*watchers_)[std::string(key)];
  for (const auto& f : list) {
    if (f == flag) return;
  }
  list.push_back(std::move(flag));
}

void Db::Unwatch(std::string_view key, const WatchFlag* flag) {
  if (!watchers_) return;
  auto it = watchers_->find(std::string(key));
  if (it == watchers_->end()) return;
  auto& list = it->second;
  std::erase_if(list, [flag](const std::shared_ptr<WatchFlag>& f) { return f.get() == flag; });
  if (list.empty()) watchers_->erase(it);
  if (watchers_->empty()) watchers_.reset();
}

void Db::TouchWatchers(std::string_view key) {
  auto it = watchers_->find(std::string(key));
  if (it == watchers_->end()) return;
  for (const auto& f : it->second) f->dirty.store(true, std::memory_order_relaxed);
}

void Db::TouchAllWatched(const Db* other) {
  Journal::Touch();  // FLUSH* and SWAPDB change the whole database: a journaled write
  if (!watchers_) return;
  for (auto& [watched_key, flags] : *watchers_) {
    const std::string& key = watched_key;  // clang 14 cannot capture a structured binding
    uint64_t h = HashKey(key);
    auto present = [&](const Db* db) {
      return db && db->Locate(key, h) != KeyTable::kNotFound;
    };
    if (present(this) || present(other)) {
      for (const auto& f : flags) f->dirty.store(true, std::memory_order_relaxed);
    }
  }
}

void Db::Clear() {
  volatile_.Clear([](Entry*) {});
  keys_.Clear([](Entry* e) { Entry::Free(e); });
  avg_ttl_ms_ = 0;
}

}  // namespace minired
