#include "storage/db.h"

#include <xxhash.h>

#include "storage/lazy_free.h"

namespace minired {

// A fixed seed: shard routing and table order must be the same in every process
// (snapshots and replicas rely on it).
static constexpr uint64_t kHashSeed = 0x6d696e6972656431ULL;  // "minired1"

uint64_t HashKey(std::string_view key) { return XXH3_64bits_withSeed(key.data(), key.size(), kHashSeed); }

Db::Slot Db::Find(std::string_view key, uint64_t hash, int64_t now_ms) {
  size_t i = keys_.Find(hash, [&](const Entry* e) { return e->key() == key; });
  if (i == KeyTable::kNotFound) return {};
  Slot s{i, keys_.At(i)};
  if (Expired(s.entry, now_ms)) {
    Erase(s);
    ++stats_.expired_keys;
    return {};
  }
  return s;
}

void Db::Insert(Entry* e, uint64_t hash) {
  keys_.Insert(e, hash);
  if (e->has_expire()) volatile_.Insert(e, PointerHashOf()(e));
}

void Db::UnindexVolatile(Entry* e) {
  size_t v = volatile_.Find(PointerHashOf()(e), [e](const Entry* x) { return x == e; });
  if (v != VolatileIndex::kNotFound) volatile_.EraseAt(v);
}

void Db::Replace(Slot slot, Entry* e) {
  if (slot.entry->has_expire()) UnindexVolatile(slot.entry);
  keys_.ReplaceAt(slot.index, e);
  if (e->has_expire()) volatile_.Insert(e, PointerHashOf()(e));
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
  if (ms == 0) {
    if (!e->has_expire()) return;
    UnindexVolatile(e);
    e->clear_expire();
    return;
  }
  if (e->has_expire_room()) {
    if (!e->has_expire()) volatile_.Insert(e, PointerHashOf()(e));
    e->set_expire_ms(ms);
    return;
  }
  Entry* fresh = Entry::MoveWith(e, e->key(), ms);
  Replace(*slot, fresh);
  slot->entry = fresh;
}

void Db::Clear() {
  volatile_.Clear([](Entry*) {});
  keys_.Clear([](Entry* e) { Entry::Free(e); });
  avg_ttl_ms_ = 0;
}

}  // namespace minired
