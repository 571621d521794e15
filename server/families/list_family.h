// List operations shared by the list commands and their blocking variants.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "server/command_context.h"
#include "storage/entry.h"

namespace minired {

enum class ListEnd { kLeft, kRight };

std::optional<ListEnd> ParseListEnd(std::string_view s);

// LMOVE's core, atomic over both keys: nullopt after replying an error; an empty
// inner optional when the source is missing; otherwise the moved element.
std::optional<std::optional<std::string>> MoveElement(CommandContext& ctx, std::string_view src,
                                                      std::string_view dst, ListEnd from, ListEnd to);

// A blocking or multi-key pop's reply: [key, element] (BLPOP), or with `mpop` [key,
// [elements]] (LMPOP, BLMPOP). REQUIRES: popped is not empty.
void ReplyPopped(CommandContext& ctx, std::string_view key, const std::vector<std::string>& popped, bool mpop);

// Tells clients blocked on `key` of database `db` (the client's by default; BLPOP,
// BZPOPMIN & co) that a list or sorted set may be there now.
void NotifyKeyReady(CommandContext& ctx, std::string_view key, int db = -1);

// Whether a key that comes to hold a value of type `t` (a push, RENAME, SWAPDB...) can
// serve a blocked client: lists, sorted sets and streams.
inline bool WakesWaiters(ValueType t) {
  return t == ValueType::kList || t == ValueType::kZSet || t == ValueType::kStream;
}

}  // namespace minired
