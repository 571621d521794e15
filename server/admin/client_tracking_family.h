// CLIENT TRACKING | CACHING | GETREDIR | TRACKINGINFO (client_tracking_family.cc): the
// client-side caching subcommands of CLIENT, run by CLIENT's handler.
#pragma once

#include <string_view>

namespace minired {

class CommandContext;

// Runs `sub` if it is one of them; false when it is not.
bool RunClientTrackingSubcommand(CommandContext& ctx, std::string_view sub);

}  // namespace minired
