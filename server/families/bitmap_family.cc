// Bitmaps, bit operations on string values: GETBIT SETBIT BITCOUNT BITPOS BITOP.
// Bit 0 is the most significant bit of the first byte, as in Redis; an integer-encoded
// string is read as its decimal text, and SETBIT turns it into raw bytes.
#include <bit>
#include <climits>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "server/command_table.h"
#include "server/config.h"
#include "server/families/arg_parsing.h"
#include "server/families/collection_util.h"
#include "server/families/families.h"
#include "server/families/key_access.h"
#include "server/families/spec.h"
#include "server/families/string_family.h"
#include "server/keyspace_events.h"

namespace minired {
namespace {

constexpr std::string_view kBadOffset = "ERR bit offset is not an integer or out of range";

// A bit offset, at most the last bit of a proto-max-bulk-len string.
std::optional<uint64_t> BitOffsetArg(CommandContext& ctx, std::string_view arg) {
  auto v = ParseInt64(arg);
  if (!v || *v < 0 || (*v >> 3) >= ctx.config().proto_max_bulk_len.load()) {
    ctx.reply().Error(kBadOffset);
    return std::nullopt;
  }
  return static_cast<uint64_t>(*v);
}

bool BitAt(std::string_view s, uint64_t bit) {
  uint64_t byte = bit >> 3;
  return byte < s.size() && (static_cast<unsigned char>(s[byte]) >> (7 - (bit & 7))) & 1;
}

// A string key's value for reading (a missing key: exists false, empty value).
struct StringRead {
  bool exists = false;
  std::string_view value;
  char scratch[kMaxInt64Chars];
};
// False after replying WRONGTYPE.
bool ReadString(CommandContext& ctx, KeyAccess& k, StringRead* out) {
  Db::Slot s = k.FindRead();
  if (IsWrongType(ctx, s, ValueType::kString)) return false;
  out->exists = static_cast<bool>(s);
  if (s) out->value = s.entry->StringView(out->scratch);
  return true;
}

// GETBIT key offset
void CmdGetBit(CommandContext& ctx) {
  auto bit = BitOffsetArg(ctx, ctx.arg(2));
  if (!bit) return;
  KeyAccess k(ctx, ctx.arg(1));
  StringRead r;
  if (!ReadString(ctx, k, &r)) return;
  ctx.reply().Integer(BitAt(r.value, *bit) ? 1 : 0);
}

// SETBIT key offset 0|1: replies the bit's previous value. Grows the string with zero
// bytes to reach the offset; changes nothing (and writes nothing) when the bit already
// holds the value and the string need not grow.
void CmdSetBit(CommandContext& ctx) {
  auto bit = BitOffsetArg(ctx, ctx.arg(2));
  if (!bit) return;
  auto on = ParseInt64(ctx.arg(3));
  if (!on || (*on & ~1) != 0) return ctx.reply().Error("ERR bit is not an integer or out of range");
  KeyAccess k(ctx, ctx.arg(1));
  Db::Slot s = k.FindWrite();
  if (IsWrongType(ctx, s, ValueType::kString)) return;
  char scratch[kMaxInt64Chars];
  std::string_view cur = s ? s.entry->StringView(scratch) : std::string_view();
  const uint64_t byte = *bit >> 3;
  const bool old = BitAt(cur, *bit);
  ctx.reply().Integer(old ? 1 : 0);
  const bool grows = !s || byte >= cur.size();
  if (!grows && old == (*on == 1)) return;
  const auto mask = static_cast<unsigned char>(1u << (7 - (*bit & 7)));
  if (!grows && !s.entry->is_int() && s.entry->encoding() == Encoding::kRaw) {
    auto* p = reinterpret_cast<unsigned char*>(s.entry->mutable_str_data()) + byte;
    *p = *on ? (*p | mask) : (*p & ~mask);  // in place
    k.db().NoteWrite(k.key());
    ctx.Notify(kEventString, "setbit", k.key());
    return;
  }
  std::string value(cur);
  if (value.size() <= byte) value.resize(byte + 1, '\0');
  auto& b = reinterpret_cast<unsigned char&>(value[byte]);
  b = *on ? (b | mask) : (b & ~mask);
  StoreString(k, s, value, s ? s.entry->expire_ms() : 0, Entry::StringForm::kRaw);
  ctx.Notify(kEventString, "setbit", k.key());
}

// The range arguments of BITCOUNT and BITPOS: [start [end [BYTE | BIT]]], in bits.
struct BitRange {
  int64_t first = 0;  // inclusive
  int64_t last = -1;  // inclusive; first > last: empty
};

// Redis's clamping of start/end (negative from the end) over a string of `len` bytes.
BitRange Clamp(int64_t start, int64_t end, uint64_t len, bool in_bits) {
  const int64_t total = static_cast<int64_t>(in_bits ? len * 8 : len);
  if (start < 0) start += total;
  if (end < 0) end += total;
  if (start < 0) start = 0;
  if (end < 0) end = 0;
  if (end >= total) end = total - 1;
  if (start > end) return {};  // before scaling: a start past the end may be near 2^63
  if (in_bits) return {start, end};
  return {start * 8, end * 8 + 7};
}

// Parses BYTE | BIT at `i`; false after replying a syntax error.
bool UnitArg(CommandContext& ctx, size_t i, bool* in_bits) {
  if (EqualsIgnoreCase(ctx.arg(i), "BIT")) {
    *in_bits = true;
  } else if (!EqualsIgnoreCase(ctx.arg(i), "BYTE")) {
    ctx.reply().Error(errors::kSyntax);
    return false;
  }
  return true;
}

uint64_t CountBits(std::string_view s, const BitRange& r) {
  if (r.first > r.last) return 0;
  uint64_t n = 0;
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  int64_t b = r.first;
  for (; b <= r.last && (b & 7) != 0; ++b) n += BitAt(s, static_cast<uint64_t>(b));
  for (; b + 63 <= r.last; b += 64) {
    uint64_t word;
    memcpy(&word, p + (b >> 3), sizeof(word));
    n += static_cast<uint64_t>(std::popcount(word));
  }
  for (; b + 7 <= r.last; b += 8) n += static_cast<uint64_t>(std::popcount(p[b >> 3]));
  for (; b <= r.last; ++b) n += BitAt(s, static_cast<uint64_t>(b));
  return n;
}

// BITCOUNT key [start end [BYTE | BIT]]
void CmdBitCount(CommandContext& ctx) {
  KeyAccess k(ctx, ctx.arg(1));
  StringRead r;
  if (!ReadString(ctx, k, &r)) return;
  if (!r.exists) return ctx.reply().Integer(0);  // before the arguments, as Redis
  BitRange range = Clamp(0, -1, r.value.size(), false);
  if (ctx.argc() == 4 || ctx.argc() == 5) {
    auto start = IntArg(ctx, ctx.arg(2));
    if (!start) return;
    auto end = IntArg(ctx, ctx.arg(3));
    if (!end) return;
    if (*start < 0 && *end < 0 && *start > *end) return ctx.reply().Integer(0);
    bool in_bits = false;
    if (ctx.argc() == 5 && !UnitArg(ctx, 4, &in_bits)) return;
    range = Clamp(*start, *end, r.value.size(), in_bits);
  } else if (ctx.argc() != 2) {
    return ctx.reply().Error(errors::kSyntax);
  }
  ctx.reply().Integer(static_cast<int64_t>(CountBits(r.value, range)));
}

// BITPOS key 0|1 [start [end [BYTE | BIT]]]: the first bit holding the value, or -1. A
// string is followed by endless zero bits, so looking for a 0 without an end finds
// the first bit past it when every bit in range is 1.
void CmdBitPos(CommandContext& ctx) {
  auto want = IntArg(ctx, ctx.arg(2));
  if (!want) return;
  if (*want != 0 && *want != 1) return ctx.reply().Error("ERR The bit argument must be 1 or 0.");
  KeyAccess k(ctx, ctx.arg(1));
  StringRead r;
  if (!ReadString(ctx, k, &r)) return;
  if (!r.exists) return ctx.reply().Integer(*want ? -1 : 0);
  BitRange range = Clamp(0, -1, r.value.size(), false);
  bool end_given = false;
  if (ctx.argc() >= 4 && ctx.argc() <= 6) {
    auto start = IntArg(ctx, ctx.arg(3));
    if (!start) return;
    bool in_bits = false;
    if (ctx.argc() == 6 && !UnitArg(ctx, 5, &in_bits)) return;
    int64_t end = -1;
    if (ctx.argc() >= 5) {
      auto e = IntArg(ctx, ctx.arg(4));
      if (!e) return;
      end = *e;
      end_given = true;
    }
    range = Clamp(*start, end, r.value.size(), in_bits);
  } else if (ctx.argc() != 3) {
    return ctx.reply().Error(errors::kSyntax);
  }
  if (range.first > range.last) return ctx.reply().Integer(-1);
  const bool bit = *want == 1;
  const auto* p = reinterpret_cast<const unsigned char*>(r.value.data());
  const unsigned char skip = bit ? 0x00 : 0xff;  // a byte with no bit of interest
  for (int64_t b = range.first; b <= range.last;) {
    if ((b & 7) == 0 && b + 7 <= range.last && p[b >> 3] == skip) {
      b += 8;
      continue;
    }
    if (BitAt(r.value, static_cast<uint64_t>(b)) == bit) return ctx.reply().Integer(b);
    ++b;
  }
  if (bit || end_given) return ctx.reply().Integer(-1);
  ctx.reply().Integer(range.last + 1);
}

// BITOP AND | OR | XOR | NOT destkey key [key ...]: missing keys are empty strings,
// shorter ones are padded with zero bytes; the result replaces destkey (its TTL
// too), and an empty result deletes it. Replies the result's length.
void CmdBitOp(CommandContext& ctx) {
  enum class Op { kAnd, kOr, kXor, kNot } op;
  std::string_view name = ctx.arg(1);
  if (EqualsIgnoreCase(name, "AND")) op = Op::kAnd;
  else if (EqualsIgnoreCase(name, "OR")) op = Op::kOr;
  else if (EqualsIgnoreCase(name, "XOR")) op = Op::kXor;
  else if (EqualsIgnoreCase(name, "NOT")) op = Op::kNot;
  else return ctx.reply().Error(errors::kSyntax);
  if (op == Op::kNot && ctx.argc() != 4) return ctx.reply().Error("ERR BITOP NOT must be called with a single source key.");
  std::vector<std::string_view> keys(ctx.args().begin() + 2, ctx.args().end());
  MultiKeyAccess m(ctx, keys);
  std::vector<std::string> sources;
  size_t longest = 0;
  for (size_t i = 3; i < ctx.argc(); ++i) {
    Db::Slot s = m.FindRead(ctx.arg(i));
    if (IsWrongType(ctx, s, ValueType::kString)) return;
    char scratch[kMaxInt64Chars];
    sources.emplace_back(s ? s.entry->StringView(scratch) : std::string_view());
    longest = std::max(longest, sources.back().size());
  }
  std::string out(longest, '\0');
  for (size_t j = 0; j < longest; ++j) {
    auto byte = [&](size_t i) { return j < sources[i].size() ? static_cast<unsigned char>(sources[i][j]) : 0; };
    unsigned char v = byte(0);
    if (op == Op::kNot) v = static_cast<unsigned char>(~v);
    for (size_t i = 1; i < sources.size(); ++i) {
      if (op == Op::kAnd) v &= byte(i);
      else if (op == Op::kOr) v |= byte(i);
      else v ^= byte(i);
    }
    out[j] = static_cast<char>(v);
  }
  std::string_view dst = ctx.arg(2);
  uint64_t hd = HashKey(dst);
  Db& db = m.DbOf(hd);
  Db::Slot d = db.Find(dst, hd, ctx.now_ms());
  if (longest == 0) {
    if (d) {
      db.Erase(d);
      ctx.Notify(kEventGeneric, "del", dst);
    }
    return ctx.reply().Integer(0);
  }
  StoreString(db, d, dst, hd, ctx.now_ms(), out, 0, Entry::StringForm::kRaw);
  ctx.Notify(kEventString, "set", dst);
  ctx.reply().Integer(static_cast<int64_t>(longest));
}

}  // namespace

constexpr TypeFamily kBitmapFamily{"bitmap", "@bitmap"};

void RegisterBitmapFamily(CommandTable* t) {
  const uint32_t r = kCmdReadOnly, w = kCmdWrite | kCmdDenyOom;
  t->Register(kBitmapFamily.Spec("getbit", 3, r | kCmdFast, 1, 1, "Returns a bit value by offset.", "2.2.0", CmdGetBit, {"@read", "@fast"}));
  t->Register(kBitmapFamily.Spec("setbit", 4, w, 1, 1, "Sets or clears the bit at offset of the string value. Creates the key if it doesn't exist.", "2.2.0", CmdSetBit, {"@write", "@slow"}));
  t->Register(kBitmapFamily.Spec("bitcount", -2, r, 1, 1, "Counts the number of set bits (population counting) in a string.", "2.6.0", CmdBitCount, {"@read", "@slow"}));
  t->Register(kBitmapFamily.Spec("bitpos", -3, r, 1, 1, "Finds the first set (1) or clear (0) bit in a string.", "2.8.7", CmdBitPos, {"@read", "@slow"}));
  t->Register(kBitmapFamily.Spec("bitop", -4, w, 2, -1, "Performs bitwise operations on multiple strings, and stores the result.", "2.6.0", CmdBitOp, {"@write", "@slow"}));
}

}  // namespace minired
