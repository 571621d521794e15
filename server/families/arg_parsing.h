// Shared argument helpers for command handlers: typed reads that write Redis's error
// reply on failure and report it, so handlers stay linear.
#pragma once

#include <cstdint>
#include <climits>
#include <cmath>
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

// A blocking command's timeout (BLPOP ... 0.5 in seconds, WAIT ... 100 in ms) as
// milliseconds from now, 0 meaning forever; replies Redis 7.0's error and returns
// nullopt when it is not a number or negative. A fraction of a millisecond rounds up
// (BLPOP k 0.0001 waits 1 ms, not forever). A value past the int64 range of
// milliseconds answers "timeout is negative", as redis-server 7.0 does (its
// conversion wraps there), which keeps the replies byte for byte equal.
enum class TimeoutUnit { kSeconds, kMilliseconds };
inline std::optional<int64_t> BlockTimeoutArg(CommandContext& ctx, std::string_view arg, TimeoutUnit unit) {
  constexpr std::string_view kNegative = "ERR timeout is negative";
  if (unit == TimeoutUnit::kMilliseconds) {
    auto ms = ParseInt64(arg);
    if (!ms) {
      ctx.reply().Error("ERR timeout is not an integer or out of range");
      return std::nullopt;
    }
    if (*ms < 0) ctx.reply().Error(kNegative);
    return *ms < 0 ? std::nullopt : ms;
  }
  auto secs = ParseLongDouble(arg);
  if (!secs) {
    ctx.reply().Error(errors::kTimeoutNotFloat);
    return std::nullopt;
  }
  long double ms = std::ceil(*secs * 1000);
  if (!(ms >= 0 && ms < 9223372036854775808.0L)) {  // negative, infinite or past int64
    ctx.reply().Error(kNegative);
    return std::nullopt;
  }
  return static_cast<int64_t>(ms);
}

// Expiry options shared by SET and GETEX.
enum class ExpireUnit { kNone, kEx, kPx, kExAt, kPxAt };

// Converts an EX/PX/EXAT/PXAT argument to absolute ms, with Redis's checks: not an
// integer, <= 0, or overflowing ms replies the matching error and returns nullopt.
std::optional<int64_t> AbsoluteExpireMs(CommandContext& ctx, ExpireUnit unit,
                                        std::string_view arg, std::string_view cmd);

}  // namespace minired
