#include "server/families/list_family.h"
namespace minired {
void NotifyListPush(CommandContext&, std::string_view) {}
}  // namespace minired
