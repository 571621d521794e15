#include "server/families/collection_util.h"

#include <algorithm>
#include <cctype>
#include <climits>
#include <cerrno>
#include <cstdlib>
#include <string>

#include "protocol/numbers.h"

namespace minired {

const EncodingLimits& Limits(CommandContext& ctx) { return ctx.config().encoding; }

std::mt19937_64& ThreadRng() {
  thread_local std::mt19937_64 rng(std::random_device{}());
  return rng;
}

std::optional<int64_t> PopCountArg(CommandContext& ctx, std::string_view arg) {
  auto c = ParseInt64(arg);
  if (!c || *c < 0) {
    ctx.reply().Error("ERR value is out of range, must be positive");
    return std::nullopt;
  }
  return c;
}

bool ParseRandomCount(CommandContext& ctx, std::string_view with_word, RandomCountArgs* out) {
  if (with_word.empty() && ctx.argc() > 3) {
    ctx.reply().Error(errors::kSyntax);
    return false;
  }
  out->single = ctx.argc() == 2;
  if (out->single) return true;
  auto c = ParseInt64(ctx.arg(2));
  if (!c) {
    ctx.reply().Error(errors::kNotInteger);
    return false;
  }
  if (*c < -LONG_MAX) {
    ctx.reply().Error("ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807");
    return false;
  }
  out->count = *c;
  if (ctx.argc() > 4 || (ctx.argc() == 4 && !EqualsIgnoreCase(ctx.arg(3), with_word))) {
    ctx.reply().Error(errors::kSyntax);
    return false;
  }
  out->with = ctx.argc() == 4;
  if (out->with && (out->count < -LONG_MAX / 2 || out->count > LONG_MAX / 2)) {
    ctx.reply().Error("ERR value is out of range");
    return false;
  }
  return true;
}

bool RepeatedRepliesFit(CommandContext& ctx, uint64_t count, uint64_t total_bytes, uint64_t elements) {
  constexpr long double kFraming = 16;  // "$<len>\r\n...\r\n", score or value header
  const long double each = static_cast<long double>(total_bytes) / static_cast<long double>(std::max<uint64_t>(elements, 1)) + kFraming;
  const long double limit = static_cast<long double>(ctx.config().proto_max_bulk_len.load());
  if (static_cast<long double>(count) * each <= limit) return true;
  ctx.reply().Error("ERR the reply would be larger than proto-max-bulk-len; ask for fewer elements");
  return false;
}

bool ParseMPop(CommandContext& ctx, size_t numkeys_index, std::string_view first_word, std::string_view second_word,
               MPopArgs* out) {
  auto n = ParseInt64(ctx.arg(numkeys_index));
  if (!n || *n < 1) {
    ctx.reply().Error("ERR numkeys should be greater than 0");
    return false;
  }
  const size_t from = numkeys_index + 1;
  if (static_cast<uint64_t>(*n) >= ctx.argc() - from) {  // no room for the keys and the word
    ctx.reply().Error(errors::kSyntax);
    return false;
  }
  const size_t where = from + static_cast<size_t>(*n);
  out->keys.assign(ctx.args().begin() + static_cast<ptrdiff_t>(from), ctx.args().begin() + static_cast<ptrdiff_t>(where));
  if (EqualsIgnoreCase(ctx.arg(where), second_word)) {
    out->second_word = true;
  } else if (!EqualsIgnoreCase(ctx.arg(where), first_word)) {
    ctx.reply().Error(errors::kSyntax);
    return false;
  }
  bool counted = false;
  for (size_t i = where + 1; i < ctx.argc(); ++i) {
    if (!counted && EqualsIgnoreCase(ctx.arg(i), "COUNT") && i + 1 < ctx.argc()) {
      auto c = ParseInt64(ctx.arg(++i));
      if (!c || *c < 1) {
        ctx.reply().Error("ERR count should be greater than 0");
        return false;
      }
      out->count = static_cast<uint64_t>(*c);
      counted = true;
    } else {
      ctx.reply().Error(errors::kSyntax);
      return false;
    }
  }
  return true;
}

std::optional<uint64_t> ParseCursor(std::string_view s) {
  std::string copy(s);
  if (!copy.empty() && isspace(static_cast<unsigned char>(copy[0]))) return std::nullopt;
  char* end = nullptr;
  errno = 0;
  unsigned long long v = strtoull(copy.c_str(), &end, 10);
  if (*end != '\0' || errno == ERANGE) return std::nullopt;
  return v;
}

bool ParseScanOptions(CommandContext& ctx, size_t first, ScanOptions* out, bool allow_type) {
  for (size_t i = first; i < ctx.argc(); i += 2) {
    if (i + 1 >= ctx.argc()) {
      ctx.reply().Error(errors::kSyntax);
      return false;
    }
    std::string_view opt = ctx.arg(i), val = ctx.arg(i + 1);
    if (EqualsIgnoreCase(opt, "COUNT")) {
      auto c = ParseInt64(val);
      if (!c) {
        ctx.reply().Error(errors::kNotInteger);
        return false;
      }
      if (*c < 1) {
        ctx.reply().Error(errors::kSyntax);
        return false;
      }
      out->count = *c;
    } else if (EqualsIgnoreCase(opt, "MATCH")) {
      out->pattern = val;
      out->has_pattern = !(val == "*");
    } else if (allow_type && EqualsIgnoreCase(opt, "TYPE")) {
      out->type = val;
      out->has_type = true;
    } else {
      ctx.reply().Error(errors::kSyntax);
      return false;
    }
  }
  return true;
}

bool NormalizeRange(int64_t start, int64_t end, size_t len, size_t* from, size_t* to) {
  const auto n = static_cast<int64_t>(len);
  if (start < 0) start += n;
  if (end < 0) end += n;
  if (start < 0) start = 0;
  if (start > end || start >= n) return false;
  if (end >= n) end = n - 1;
  *from = static_cast<size_t>(start);
  *to = static_cast<size_t>(end);
  return true;
}

}  // namespace minired
