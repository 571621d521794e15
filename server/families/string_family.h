// What the string families (strings, bitmaps) share.
#pragma once

#include <cstdint>
#include <string_view>

#include "server/command_context.h"
#include "server/families/key_access.h"
#include "storage/entry.h"

namespace minired {

// Stores `value` under the key of `k` (replacing `existing`, if any), with `expire_ms`
// (0: none); the new entry inherits the old one's access history.
void StoreString(KeyAccess& k, Db::Slot existing, std::string_view value, int64_t expire_ms,
                 Entry::StringForm form = Entry::StringForm::kAuto);

// False, after replying Redis's error, when a string would grow to `len` bytes, past
// proto-max-bulk-len.
bool CheckStringLength(CommandContext& ctx, uint64_t len);

}  // namespace minired
