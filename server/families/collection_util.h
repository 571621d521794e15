// Helpers shared by the collection families (hash, set, sorted set, list): type checks,
// storing a rebuilt collection, random numbers, index normalisation and the *SCAN
// options.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <random>
#include <string_view>

#include "server/command_context.h"
#include "server/config.h"
#include "server/errors.h"
#include "server/families/key_access.h"
#include "storage/encodings/value_store.h"
#include "storage/slot_table.h"

namespace minired {

// Replies WRONGTYPE when `s` holds a value of another type; true if it did.
inline bool IsWrongType(CommandContext& ctx, const Db::Slot& s, ValueType t) {
  if (s && s.entry->type() != t) {
    ctx.reply().Error(errors::kWrongType);
    return true;
  }
  return false;
}

const EncodingLimits& Limits(CommandContext& ctx);

// A per-thread generator for HRANDFIELD, SRANDMEMBER, SPOP and friends.
std::mt19937_64& ThreadRng();

// The optional count of LPOP/RPOP/SPOP/ZPOPMIN/ZPOPMAX: a non-negative integer, else
// Redis's "must be positive" error is replied and nullopt returned.
std::optional<int64_t> PopCountArg(CommandContext& ctx, std::string_view arg);

// SRANDMEMBER key [count], HRANDFIELD key [count [WITHVALUES]], ZRANDMEMBER key [count
// [WITHSCORES]] (`with_word`; empty for SRANDMEMBER, which takes none): checked in
// Redis's order. False after replying.
struct RandomCountArgs {
  bool single = true;  // no count: one element, replied as a bulk string
  int64_t count = 1;   // negative: that many, repeats allowed (never below -LONG_MAX)
  bool with = false;
};
bool ParseRandomCount(CommandContext& ctx, std::string_view with_word, RandomCountArgs* out);

// SRANDMEMBER, HRANDFIELD, ZRANDMEMBER with a negative count reply that many elements,
// repeats allowed: a short command could ask for a reply without bound (redis-server
// runs out of memory on SRANDMEMBER key -100000000000). False, after an error reply,
// when `count` replies of elements averaging `total_bytes / elements` bytes (plus
// their RESP framing) would pass proto-max-bulk-len.
bool RepeatedRepliesFit(CommandContext& ctx, uint64_t count, uint64_t total_bytes, uint64_t elements);

// LMPOP / ZMPOP: numkeys key [key ...] <from> [COUNT count], `from` one of the two
// words given (LEFT/RIGHT, MIN/MAX). Checked in Redis's order; false after replying.
struct MPopArgs {
  std::vector<std::string_view> keys;
  bool second_word = false;  // RIGHT, MAX
  uint64_t count = 1;
};
bool ParseMPop(CommandContext& ctx, size_t numkeys_index, std::string_view first_word, std::string_view second_word,
               MPopArgs* out);

// SCAN-family cursor: strtoull rules (leading spaces or junk are errors).
std::optional<uint64_t> ParseCursor(std::string_view s);

// [MATCH pattern] [COUNT count] (and [TYPE type] for SCAN, `allow_type`) from
// args[first..]; replies the error and returns false on a bad option.
struct ScanOptions {
  std::string_view pattern;
  bool has_pattern = false;
  int64_t count = 10;
  std::string_view type;
  bool has_type = false;
};
bool ParseScanOptions(CommandContext& ctx, size_t first, ScanOptions* out, bool allow_type = false);

// One HSCAN/SSCAN/ZSCAN step over a full-encoding table from hash position *pos: `visit`
// appends matches to `found`; stops after `count` of them or 10x that many slots examined
// (Redis's maxiterations); *pos becomes 0 when the table is done.
template <typename Table, typename Found, typename Visit>
void ScanTable(const Table& table, uint64_t* pos, int64_t count, const Found& found, Visit visit) {
  const size_t want = static_cast<size_t>(std::min<int64_t>(count, 1 << 20));
  size_t budget = want * 10;
  while (*pos < kScanEnd && found.size() < want && budget > 0) {
    size_t examined = table.Scan(pos, want, visit);
    budget -= std::min(budget, std::max<size_t>(examined, 1));
  }
  if (*pos >= kScanEnd) *pos = 0;
}

// Clamps Redis-style [start, end] indexes (negative from the end) to a length; false when
// the range is empty.
bool NormalizeRange(int64_t start, int64_t end, size_t len, size_t* from, size_t* to);

}  // namespace minired
