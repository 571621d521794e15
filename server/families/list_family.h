// List operations shared by the list commands and their blocking variants.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "server/command_context.h"
#include "storage/list_object.h"

namespace minired {

enum class ListEnd { kLeft, kRight };

std::optional<ListEnd> ParseListEnd(std::string_view s);

// Removes up to `count` elements from one end.
std::vector<std::string> PopElements(ListObject& list, ListEnd end, size_t count);

// LMOVE's core, atomic over both keys: nullopt after replying an error; an empty
// inner optional when the source is missing; otherwise the moved element.
std::optional<std::optional<std::string>> MoveElement(CommandContext& ctx, std::string_view src,
                                                      std::string_view dst, ListEnd from, ListEnd to);

// Tells clients blocked on `key` of database `db` (the client's by default; BLPOP &
// co) that elements arrived.
void NotifyListPush(CommandContext& ctx, std::string_view key, int db = -1);

}  // namespace minired
