// Putting an edited collection back in its key: the step every *_value editor ends with.
#pragma once

#include <cstdint>

#include "storage/db.h"

namespace minired {

inline int64_t ExpireOf(const Db::Slot& s) { return s ? s.entry->expire_ms() : 0; }

// Puts `e` in place of the key's current entry (`s`, may be empty), or deletes the key
// when `e` is null (an emptied collection deletes its key, as Redis).
void StoreCollection(Db& db, Db::Slot s, uint64_t hash, Entry* e, int64_t now_ms);

}  // namespace minired
