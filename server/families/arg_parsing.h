// Shared argument helpers for command handlers: typed reads that write Redis's error
// reply on failure and report it, so handlers stay linear.
#pragma once

#include <cstdint>
#include <climits>
#include <optional>
#include <string>
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

// Parses an int argument as Redis's getIntFromObjectOrReply: with `error` it is the
// reply for any failure; without, an integer outside int's range gets its own.
inline std::optional<int> Int32Arg(CommandContext& ctx, std::string_view arg, std::string_view error = {}) {
  auto v = ParseInt64(arg);
  if (v && *v >= INT32_MIN && *v <= INT32_MAX) return static_cast<int>(*v);
  if (!error.empty()) {
    ctx.reply().Error(error);
  } else {
    ctx.reply().Error(v ? "ERR value is out of range, value must between -2147483648 and 2147483647"
                        : errors::kNotInteger);
  }
  return std::nullopt;
}

// Replies a HELP subcommand's lines, one status string each.
template <size_t N>
void ReplyHelp(CommandContext& ctx, const char* const (&lines)[N]) {
  ctx.reply().ArrayHeader(N);
  for (const char* line : lines) ctx.reply().SimpleString(line);
}

// For container commands (CLIENT, CONFIG, OBJECT...): replies Redis's arity error for
// "container|sub" unless `ok`; returns `ok`.
inline bool CheckSubcommandArity(CommandContext& ctx, std::string_view container,
                                 std::string_view sub, bool ok) {
  if (!ok) {
    std::string name = std::string(container) + "|" + std::string(sub);
    ToLowerInPlace(name);
    ctx.reply().Error(errors::WrongArity(name));
  }
  return ok;
}

// Expiry options shared by SET and GETEX.
enum class ExpireUnit { kNone, kEx, kPx, kExAt, kPxAt };

// Converts an EX/PX/EXAT/PXAT argument to absolute ms, with Redis's checks: not an
// integer, <= 0, or overflowing ms replies the matching error and returns nullopt.
std::optional<int64_t> AbsoluteExpireMs(CommandContext& ctx, ExpireUnit unit,
                                        std::string_view arg, std::string_view cmd);

}  // namespace minired
