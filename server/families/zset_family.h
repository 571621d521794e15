// What the sorted-set families share.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "server/command_context.h"
#include "server/families/spec.h"
#include "storage/encodings/zset_value.h"

namespace minired {

// A sorted-set command's table entry (group sorted_set, ACL category @sortedset).
// The sorted-set commands' group and ACL category (zset_family.cc, zset_range_family.cc,
// zset_algebra_family.cc).
inline constexpr TypeFamily kSortedSetFamily{"sorted_set", "@sortedset"};

// Pops up to `count` members from the low (or, with `max`, the high) end.
std::vector<std::pair<std::string, double>> PopItems(CommandContext& ctx, ZSetValue& z, std::string_view key, int db,
                                                     bool max, uint64_t count);
// A blocking or multi-key pop's reply: [key, member, score] (BZPOPMIN), or with `mpop`
// [key, [[member, score], ...]] (ZMPOP, BZMPOP). REQUIRES: popped is not empty.
void ReplyPopped(CommandContext& ctx, std::string_view key, const std::vector<std::pair<std::string, double>>& popped,
                 bool mpop);

// Members in the given order; WITHSCORES adds each score (RESP3: [member, score] pairs).
void ReplyItems(CommandContext& ctx, const std::vector<ZItem>& items, bool with_scores);

}  // namespace minired
