// BITFIELD and BITFIELD_RO: signed and unsigned integers of 1 to 64 bits (u64 excepted,
// as Redis) at any bit offset of a string, read, set and incremented with Redis's
// overflow rules (WRAP, SAT, FAIL). Bits are numbered from the most significant bit of
// the first byte, as GETBIT's. A write grows the string with zero bytes to its
// furthest field before the first operation runs, as Redis's lookupStringForBitCommand,
// and is a change (one, persisted and replicated) only when it created or grew the key
// or changed a value.
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "protocol/numbers.h"
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

enum class Overflow { kWrap, kSat, kFail };
enum class Op { kGet, kSet, kIncrBy };

struct FieldOp {
  Op op;
  Overflow overflow;
  bool is_signed;
  uint32_t bits;
  uint64_t offset;
  int64_t value;  // SET's value, INCRBY's increment
};

constexpr std::string_view kBadType =
    "ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.";

// i1..i64 or u1..u63 (the prefix is case-sensitive, as Redis's).
bool ParseFieldType(std::string_view s, bool* is_signed, uint32_t* bits) {
  if (s.empty() || (s[0] != 'i' && s[0] != 'u')) return false;
  *is_signed = s[0] == 'i';
  auto n = ParseInt64(s.substr(1));
  if (!n || *n < 1 || *n > (*is_signed ? 64 : 63)) return false;
  *bits = static_cast<uint32_t>(*n);
  return true;
}

// A bit offset, or with '#' a field index multiplied by the width (wrapping as Redis's
// multiplication does), at most the last bit of a proto-max-bulk-len string.
bool ParseFieldOffset(CommandContext& ctx, std::string_view s, uint32_t bits, uint64_t* out) {
  const bool by_index = !s.empty() && s[0] == '#';
  auto v = ParseInt64(by_index ? s.substr(1) : s);
  if (!v) return false;
  int64_t off = by_index ? static_cast<int64_t>(static_cast<uint64_t>(*v) * bits) : *v;
  if (off < 0 || (off >> 3) >= ctx.config().proto_max_bulk_len.load()) return false;
  *out = static_cast<uint64_t>(off);
  return true;
}

// Parses the operations; false after replying the first error, as Redis orders them.
bool ParseOps(CommandContext& ctx, std::vector<FieldOp>* ops) {
  Overflow overflow = Overflow::kWrap;
  for (size_t j = 2; j < ctx.argc(); ++j) {
    const size_t left = ctx.argc() - j - 1;
    std::string_view name = ctx.arg(j);
    Op op;
    if (EqualsIgnoreCase(name, "GET") && left >= 2) {
      op = Op::kGet;
    } else if (EqualsIgnoreCase(name, "SET") && left >= 3) {
      op = Op::kSet;
    } else if (EqualsIgnoreCase(name, "INCRBY") && left >= 3) {
      op = Op::kIncrBy;
    } else if (EqualsIgnoreCase(name, "OVERFLOW") && left >= 1) {
      std::string_view how = ctx.arg(++j);
      if (EqualsIgnoreCase(how, "WRAP")) overflow = Overflow::kWrap;
      else if (EqualsIgnoreCase(how, "SAT")) overflow = Overflow::kSat;
      else if (EqualsIgnoreCase(how, "FAIL")) overflow = Overflow::kFail;
      else {
        ctx.reply().Error("ERR Invalid OVERFLOW type specified");
        return false;
      }
      continue;
    } else {
      ctx.reply().Error(errors::kSyntax);
      return false;
    }
    FieldOp f{op, overflow, false, 0, 0, 0};
    if (!ParseFieldType(ctx.arg(j + 1), &f.is_signed, &f.bits)) {
      ctx.reply().Error(kBadType);
      return false;
    }
    if (!ParseFieldOffset(ctx, ctx.arg(j + 2), f.bits, &f.offset)) {
      ctx.reply().Error("ERR bit offset is not an integer or out of range");
      return false;
    }
    if (op != Op::kGet) {
      auto v = IntArg(ctx, ctx.arg(j + 3));
      if (!v) return false;
      f.value = *v;
    }
    ops->push_back(f);
    j += op == Op::kGet ? 2 : 3;
  }
  return true;
}

// REQUIRES: the string holds bits [offset, offset + bits).
uint64_t GetUnsigned(const unsigned char* p, uint64_t offset, uint32_t bits) {
  uint64_t v = 0;
  for (uint32_t j = 0; j < bits; ++j, ++offset) v = (v << 1) | ((p[offset >> 3] >> (7 - (offset & 7))) & 1);
  return v;
}

int64_t GetSigned(const unsigned char* p, uint64_t offset, uint32_t bits) {
  uint64_t v = GetUnsigned(p, offset, bits);
  if (bits < 64 && (v & (uint64_t{1} << (bits - 1)))) v |= ~uint64_t{0} << bits;
  return static_cast<int64_t>(v);
}

void SetBits(unsigned char* p, uint64_t offset, uint32_t bits, uint64_t v) {
  for (uint32_t j = 0; j < bits; ++j, ++offset) {
    const bool bit = (v >> (bits - 1 - j)) & 1;
    const auto mask = static_cast<unsigned char>(1u << (7 - (offset & 7)));
    unsigned char& byte = p[offset >> 3];
    byte = bit ? (byte | mask) : (byte & ~mask);
  }
}

// Redis's checkUnsignedBitfieldOverflow: whether value + incr leaves [0, 2^bits), and
// in *limit what WRAP or SAT makes of it.
bool UnsignedOverflows(uint64_t value, int64_t incr, uint32_t bits, Overflow how, uint64_t* limit) {
  const uint64_t max = (uint64_t{1} << bits) - 1;  // bits <= 63
  const auto maxincr = static_cast<int64_t>(max - value);
  const auto minincr = static_cast<int64_t>(-value);
  bool high = value > max || (incr > 0 && incr > maxincr);
  bool low = !high && incr < 0 && incr < minincr;
  if (!high && !low) return false;
  if (how == Overflow::kWrap) {
    *limit = (value + static_cast<uint64_t>(incr)) & max;
  } else if (how == Overflow::kSat) {
    *limit = high ? max : 0;
  }
  return true;
}

// Redis's checkSignedBitfieldOverflow, its arithmetic done unsigned where it may wrap.
bool SignedOverflows(int64_t value, int64_t incr, uint32_t bits, Overflow how, int64_t* limit) {
  const int64_t max = bits == 64 ? INT64_MAX : static_cast<int64_t>((uint64_t{1} << (bits - 1)) - 1);
  const int64_t min = -max - 1;
  const auto maxincr = static_cast<int64_t>(static_cast<uint64_t>(max) - static_cast<uint64_t>(value));
  const auto minincr = static_cast<int64_t>(static_cast<uint64_t>(min) - static_cast<uint64_t>(value));
  bool high = value > max || (bits != 64 && incr > maxincr) || (value >= 0 && incr > 0 && incr > maxincr);
  bool low = !high && (value < min || (bits != 64 && incr < minincr) || (value < 0 && incr < 0 && incr < minincr));
  if (!high && !low) return false;
  if (how == Overflow::kWrap) {
    uint64_t c = static_cast<uint64_t>(value) + static_cast<uint64_t>(incr);
    if (bits < 64) {
      const uint64_t mask = ~uint64_t{0} << bits;
      c = (c & (uint64_t{1} << (bits - 1))) ? (c | mask) : (c & ~mask);
    }
    *limit = static_cast<int64_t>(c);
  } else if (how == Overflow::kSat) {
    *limit = high ? max : min;
  }
  return true;
}

// A field read from a string that may end before it: missing bytes read as zeros.
void ReplyGet(ReplyWriter& w, std::string_view s, const FieldOp& f) {
  unsigned char buf[9] = {};
  const uint64_t byte = f.offset >> 3;
  for (uint64_t i = 0; i < 9 && byte + i < s.size(); ++i) buf[i] = static_cast<unsigned char>(s[byte + i]);
  const uint64_t off = f.offset - byte * 8;
  if (f.is_signed) {
    w.Integer(GetSigned(buf, off, f.bits));
  } else {
    w.Integer(static_cast<int64_t>(GetUnsigned(buf, off, f.bits)));
  }
}

// Runs a SET or INCRBY on `p`, replying its result (or a null when FAIL refuses it);
// true if it changed the field.
bool ApplyWrite(ReplyWriter& w, unsigned char* p, const FieldOp& f) {
  if (f.is_signed) {
    const int64_t old = GetSigned(p, f.offset, f.bits);
    int64_t next = f.op == Op::kIncrBy ? static_cast<int64_t>(static_cast<uint64_t>(old) + static_cast<uint64_t>(f.value))
                                       : f.value;
    int64_t limit = 0;
    const bool over = f.op == Op::kIncrBy ? SignedOverflows(old, f.value, f.bits, f.overflow, &limit)
                                          : SignedOverflows(f.value, 0, f.bits, f.overflow, &limit);
    if (over && f.overflow == Overflow::kFail) {
      w.Null();
      return false;
    }
    if (over) next = limit;
    w.Integer(f.op == Op::kIncrBy ? next : old);
    SetBits(p, f.offset, f.bits, static_cast<uint64_t>(next));
    return next != old;
  }
  const uint64_t old = GetUnsigned(p, f.offset, f.bits);
  uint64_t next = f.op == Op::kIncrBy ? old + static_cast<uint64_t>(f.value) : static_cast<uint64_t>(f.value);
  uint64_t limit = 0;
  const bool over = f.op == Op::kIncrBy ? UnsignedOverflows(old, f.value, f.bits, f.overflow, &limit)
                                        : UnsignedOverflows(static_cast<uint64_t>(f.value), 0, f.bits, f.overflow, &limit);
  if (over && f.overflow == Overflow::kFail) {
    w.Null();
    return false;
  }
  if (over) next = limit;
  w.Integer(static_cast<int64_t>(f.op == Op::kIncrBy ? next : old));
  SetBits(p, f.offset, f.bits, next);
  return next != old;
}

void BitFieldGeneric(CommandContext& ctx, bool read_only_command) {
  std::vector<FieldOp> ops;
  if (!ParseOps(ctx, &ops)) return;
  uint64_t highest = 0;
  bool writes = false;
  for (const FieldOp& f : ops) {
    if (f.op == Op::kGet) continue;
    writes = true;
    highest = std::max(highest, f.offset + f.bits - 1);
  }
  KeyAccess k(ctx, ctx.arg(1));
  ReplyWriter& w = ctx.reply();
  char scratch[kMaxInt64Chars];
  if (!writes) {
    Db::Slot s = k.FindRead();
    if (IsWrongType(ctx, s, ValueType::kString)) return;
    std::string_view value = s ? s.entry->StringView(scratch) : std::string_view();
    w.ArrayHeader(ops.size());
    for (const FieldOp& f : ops) ReplyGet(w, value, f);
    return;
  }
  if (read_only_command) return w.Error("ERR BITFIELD_RO only supports the GET subcommand");
  Db::Slot s = k.FindWrite();
  if (IsWrongType(ctx, s, ValueType::kString)) return;
  const uint64_t need = (highest >> 3) + 1;
  std::string_view cur = s ? s.entry->StringView(scratch) : std::string_view();
  const bool in_place = s && !s.entry->is_int() && s.entry->encoding() == Encoding::kRaw && cur.size() >= need;
  std::string copy;
  unsigned char* p;
  if (in_place) {
    p = reinterpret_cast<unsigned char*>(s.entry->mutable_str_data());
  } else {
    copy.assign(cur);
    if (copy.size() < need) copy.resize(need, '\0');
    p = reinterpret_cast<unsigned char*>(copy.data());
  }
  bool changed = !s || cur.size() < need;
  w.ArrayHeader(ops.size());
  for (const FieldOp& f : ops) {
    if (f.op == Op::kGet) {
      ReplyGet(w, std::string_view(reinterpret_cast<const char*>(p), in_place ? cur.size() : copy.size()), f);
    } else {
      changed |= ApplyWrite(w, p, f);
    }
  }
  if (!changed) return;  // otherwise one change, whatever the number of operations (as Redis)
  if (in_place) {
    k.db().NoteWrite(k.key());
  } else {
    StoreString(k, s, copy, s ? s.entry->expire_ms() : 0, Entry::StringForm::kRaw);
  }
  ctx.Notify(kEventString, "setbit", k.key());
}

// BITFIELD key [GET encoding offset | [OVERFLOW WRAP | SAT | FAIL] SET encoding offset
//   value | INCRBY encoding offset increment ...]
void CmdBitField(CommandContext& ctx) { BitFieldGeneric(ctx, false); }
// BITFIELD_RO key [GET encoding offset ...]
void CmdBitFieldRo(CommandContext& ctx) { BitFieldGeneric(ctx, true); }

}  // namespace

void RegisterBitFieldFamily(CommandTable* t) {
  constexpr TypeFamily kBitmap{"bitmap", "@bitmap"};
  t->Register(kBitmap.Spec("bitfield", -2, kCmdWrite | kCmdDenyOom, 1, 1, "Perform arbitrary bitfield integer operations on strings",
                           "3.2.0", CmdBitField, {"@write", "@slow"}));
  t->Register(kBitmap.Spec("bitfield_ro", -2, kCmdReadOnly | kCmdFast, 1, 1,
                           "Perform arbitrary bitfield integer operations on strings. Read-only variant of BITFIELD",
                           "6.0.0", CmdBitFieldRo, {"@read", "@fast"}));
}

}  // namespace minired
