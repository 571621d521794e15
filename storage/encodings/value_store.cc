#include "storage/encodings/value_store.h"

#include "storage/access_clock.h"

namespace minired {

void StoreCollection(Db& db, Db::Slot s, uint64_t hash, Entry* e, int64_t now_ms) {
  if (e == nullptr) {
    if (s) db.Erase(s);
    return;
  }
  if (s) {
    e->set_lru(s.entry->lru());  // the lookup that found it recorded this access
    db.Replace(s, e);
  } else {
    InitAccess(e, now_ms, db.access());
    db.Insert(e, hash);
  }
}

}  // namespace minired
