// What the sorted-set families share.
#pragma once

#include <string>
#include <vector>

#include "server/command_context.h"
#include "server/families/spec.h"
#include "server/families/zset_value.h"

namespace minired {

// A sorted-set command's table entry (group sorted_set, ACL category @sortedset).
inline CommandSpec ZSetSpec(const char* name, int arity, uint32_t flags, int first, int last, const char* summary,
                            const char* since, CommandHandler h, std::vector<std::string> acl) {
  acl.insert(acl.begin(), "@sortedset");
  return MakeSpec("sorted_set", name, arity, flags, first, last, 1, summary, since, h, std::move(acl));
}

// Members in the given order; WITHSCORES adds each score (RESP3: [member, score] pairs).
void ReplyItems(CommandContext& ctx, const std::vector<ZItem>& items, bool with_scores);

}  // namespace minired
