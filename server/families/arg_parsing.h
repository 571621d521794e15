// Shared argument helpers for command handlers: typed reads that write Redis's error
// reply on failure and report it, so handlers stay linear.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "protocol/numbers.h"
#include "server/command_context.h"
#include "server/errors.h"

namespace minired {

// Parses an int64 argument; on failure replies `error` and returns nullopt.
inline std::optional<int64_t> IntArg(CommandContext& ctx, std::string_view arg,
                                     std::string_view error = errors::kNotInteger) {
  auto v = ParseInt64(arg);
  if (!v) ctx.reply().Error(error);
  return v;
}

// Expiry options shared by SET and GETEX.
enum class ExpireUnit { kNone, kEx, kPx, kExAt, kPxAt };

// Converts an EX/PX/EXAT/PXAT argument to absolute ms, with Redis's checks: not an
// integer, <= 0, or overflowing ms replies the matching error and returns nullopt.
std::optional<int64_t> AbsoluteExpireMs(CommandContext& ctx, ExpireUnit unit,
                                        std::string_view arg, std::string_view cmd);

}  // namespace minired
