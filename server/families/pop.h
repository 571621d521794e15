// The pops shared by LMPOP/ZMPOP, their blocking forms and the clients those serve.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "server/command_context.h"
#include "server/families/key_access.h"
#include "server/families/list_family.h"

namespace minired {

// What a pop takes and how it replies, whether it runs now or for a blocked client:
// lists (LMPOP, BLPOP, BLMPOP) or sorted sets (ZMPOP, BZPOPMIN, BZMPOP).
struct PopRequest {
  bool zset = false;
  ListEnd from = ListEnd::kLeft;  // lists
  bool max = false;               // sorted sets: the highest scores
  // Up to `count` elements replied as [key, [elements]] (the *MPOP commands); otherwise
  // one, replied as BLPOP or BZPOPMIN reply it.
  bool mpop = false;
  uint64_t count = 1;
};

// LPOP/RPOP's core, for them and for the *MPOP and blocking pops: up to `count` elements
// from the `from` end of the list in `s` (under the caller's lock), with the lpop/rpop
// event and, when it empties, del. Counting the change is the caller's.
std::vector<std::string> PopListNotifying(CommandContext& ctx, Db& db, Db::Slot s, std::string_view key, uint64_t hash,
                                          ListEnd from, size_t count);

// Pops per `req` from `key`, whose slot `s` in `db` holds a value of the request's type
// (under the caller's lock), and replies; returns how many elements it popped. The
// caller counts them as changes or not (a served waiter's are none).
size_t PopAndReply(CommandContext& ctx, Db& db, Db::Slot s, std::string_view key, const PopRequest& req);
// Pops per `req` from the first of `keys` (locked by `m`) that holds a value, counts the
// change and replies; false, with nothing replied, when none holds one. A key of
// another type gets WRONGTYPE (true).
bool PopFromFirst(CommandContext& ctx, MultiKeyAccess& m, std::span<const std::string_view> keys, const PopRequest& req);

}  // namespace minired
