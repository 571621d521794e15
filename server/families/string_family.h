// What the string families (strings, bitmaps) share.
#pragma once

#include <cstdint>
#include <string_view>

#include "server/command_context.h"
#include "server/families/key_access.h"
#include "storage/entry.h"

namespace minired {

// Stores `value` under `key` of `db` (replacing `existing`, if any), with `expire_ms`
// (0: none); the new entry inherits the old one's access history. For commands that
// hold several keys (BITOP, PFMERGE); REQUIRES: the key's shard is held.
void StoreString(Db& db, Db::Slot existing, std::string_view key, uint64_t hash, int64_t now_ms,
                 std::string_view value, int64_t expire_ms, Entry::StringForm form = Entry::StringForm::kAuto);
// The same under the key of `k`.
inline void StoreString(KeyAccess& k, Db::Slot existing, std::string_view value, int64_t expire_ms,
                        Entry::StringForm form = Entry::StringForm::kAuto) {
  StoreString(k.db(), existing, k.key(), k.hash(), k.now(), value, expire_ms, form);
}

// False, after replying Redis's error, when a string would grow to `len` bytes, past
// proto-max-bulk-len.
bool CheckStringLength(CommandContext& ctx, uint64_t len);

}  // namespace minired
