// Hashes: HSET HSETNX HMSET HGET HMGET HGETALL HKEYS HVALS HDEL HEXISTS HLEN HSTRLEN
// HINCRBY HINCRBYFLOAT HRANDFIELD HSCAN.
#include <climits>
#include <cmath>
#include <vector>

#include "server/command_table.h"
#include "server/families/arg_parsing.h"
#include "server/families/collection_util.h"
#include "server/families/families.h"
#include "server/keyspace_events.h"
#include "storage/encodings/hash_value.h"
#include "server/families/spec.h"
#include "storage/glob.h"

namespace minired {
namespace {

// HSET key field value [field value ...] / HMSET (replies OK)
void HSetGeneric(CommandContext& ctx, bool mset) {
  if (ctx.argc() % 2 != 0) return ctx.reply().Error(errors::WrongArity(mset ? "hmset" : "hset"));
  KeyAccess k(ctx, ctx.arg(1));
  Db::Slot s = k.FindWrite();
  if (IsWrongType(ctx, s, ValueType::kHash)) return;
  HashEdit h(k.db(), s, k.key(), k.hash(), Limits(ctx));
  int64_t created = 0;
  for (size_t i = 2; i < ctx.argc(); i += 2) created += h.Set(ctx.arg(i), ctx.arg(i + 1));
  h.Commit(ctx.now_ms());
  ctx.Notify(kEventHash, "hset", k.key());
  Journal::CountChanges((ctx.argc() - 2) / 2);  // every field set counts, new or not
  mset ? ctx.reply().Ok() : ctx.reply().Integer(created);
}
void CmdHSet(CommandContext& ctx) { HSetGeneric(ctx, false); }
void CmdHMSet(CommandContext& ctx) { HSetGeneric(ctx, true); }

// HSETNX key field value
void CmdHSetNx(CommandContext& ctx) {
  KeyAccess k(ctx, ctx.arg(1));
  Db::Slot s = k.FindWrite();
  if (IsWrongType(ctx, s, ValueType::kHash)) return;
  HashEdit h(k.db(), s, k.key(), k.hash(), Limits(ctx));
  if (h.Get(ctx.arg(2))) return ctx.reply().Integer(0);
  h.Set(ctx.arg(2), ctx.arg(3));
  h.Commit(ctx.now_ms());
  ctx.Notify(kEventHash, "hset", k.key());
  ctx.reply().Integer(1);
}

// HGET key field
void CmdHGet(CommandContext& ctx) {
  KeyAccess k(ctx, ctx.arg(1));
  Db::Slot s = k.FindRead();
  if (IsWrongType(ctx, s, ValueType::kHash)) return;
  if (!s) return ctx.reply().Null();
  auto v = HashRead(s.entry).Get(ctx.arg(2));
  v ? ctx.reply().Bulk(*v) : ctx.reply().Null();
}

// HMGET key field [field ...]
void CmdHMGet(CommandContext& ctx) {
  KeyAccess k(ctx, ctx.arg(1));
  Db::Slot s = k.FindRead();
  if (IsWrongType(ctx, s, ValueType::kHash)) return;
  ctx.reply().ArrayHeader(ctx.argc() - 2);
  for (size_t i = 2; i < ctx.argc(); ++i) {
    std::optional<std::string_view> v;
    if (s) v = HashRead(s.entry).Get(ctx.arg(i));
    v ? ctx.reply().Bulk(*v) : ctx.reply().Null();
  }
}

enum class HashPart { kKeys, kValues, kBoth };

// HGETALL / HKEYS / HVALS key
void ReplyHashParts(CommandContext& ctx, HashPart part) {
  KeyAccess k(ctx, ctx.arg(1));
  Db::Slot s = k.FindRead();
  if (IsWrongType(ctx, s, ValueType::kHash)) return;
  if (!s) return part == HashPart::kBoth ? ctx.reply().MapHeader(0) : ctx.reply().ArrayHeader(0);
  HashRead h(s.entry);
  if (part == HashPart::kBoth) {
    ctx.reply().MapHeader(h.size());
  } else {
    ctx.reply().ArrayHeader(h.size());
  }
  h.ForEach([&](std::string_view f, std::string_view v) {
    if (part != HashPart::kValues) ctx.reply().Bulk(f);
    if (part != HashPart::kKeys) ctx.reply().Bulk(v);
  });
}
void CmdHGetAll(CommandContext& ctx) { ReplyHashParts(ctx, HashPart::kBoth); }
void CmdHKeys(CommandContext& ctx) { ReplyHashParts(ctx, HashPart::kKeys); }
void CmdHVals(CommandContext& ctx) { ReplyHashParts(ctx, HashPart::kValues); }

// HDEL key field [field ...]
void CmdHDel(CommandContext& ctx) {
  KeyAccess k(ctx, ctx.arg(1));
  Db::Slot s = k.FindWrite();
  if (IsWrongType(ctx, s, ValueType::kHash)) return;
  if (!s) return ctx.reply().Integer(0);
  HashEdit h(k.db(), s, k.key(), k.hash(), Limits(ctx));
  int64_t deleted = 0;
  for (size_t i = 2; i < ctx.argc(); ++i) deleted += h.Delete(ctx.arg(i));
  const bool emptied = h.size() == 0;
  h.Commit(ctx.now_ms());
  if (deleted > 0) {
    ctx.Notify(kEventHash, "hdel", k.key());
    if (emptied) ctx.Notify(kEventGeneric, "del", k.key());
  }
  Journal::CountChanges(deleted);
  ctx.reply().Integer(deleted);
}

// HEXISTS key field / HSTRLEN key field / HLEN key
void CmdHExists(CommandContext& ctx) {
  KeyAccess k(ctx, ctx.arg(1));
  Db::Slot s = k.FindRead();
  if (IsWrongType(ctx, s, ValueType::kHash)) return;
  ctx.reply().Integer(s && HashRead(s.entry).Get(ctx.arg(2)) ? 1 : 0);
}

void CmdHStrLen(CommandContext& ctx) {
  KeyAccess k(ctx, ctx.arg(1));
  Db::Slot s = k.FindRead();
  if (IsWrongType(ctx, s, ValueType::kHash)) return;
  std::optional<std::string_view> v;
  if (s) v = HashRead(s.entry).Get(ctx.arg(2));
  ctx.reply().Integer(v ? static_cast<int64_t>(v->size()) : 0);
}

void CmdHLen(CommandContext& ctx) {
  KeyAccess k(ctx, ctx.arg(1));
  Db::Slot s = k.FindRead();
  if (IsWrongType(ctx, s, ValueType::kHash)) return;
  ctx.reply().Integer(s ? static_cast<int64_t>(HashRead(s.entry).size()) : 0);
}

// HINCRBY key field increment
void CmdHIncrBy(CommandContext& ctx) {
  auto by = IntArg(ctx, ctx.arg(3));
  if (!by) return;
  KeyAccess k(ctx, ctx.arg(1));
  Db::Slot s = k.FindWrite();
  if (IsWrongType(ctx, s, ValueType::kHash)) return;
  HashEdit h(k.db(), s, k.key(), k.hash(), Limits(ctx));
  int64_t cur = 0;
  if (auto v = h.Get(ctx.arg(2))) {
    auto parsed = ParseInt64(*v);
    if (!parsed) return ctx.reply().Error("ERR hash value is not an integer");
    cur = *parsed;
  }
  if ((*by < 0 && cur < 0 && *by < LLONG_MIN - cur) || (*by > 0 && cur > 0 && *by > LLONG_MAX - cur)) {
    return ctx.reply().Error(errors::kOverflow);
  }
  int64_t next = cur + *by;
  h.Set(ctx.arg(2), h.Own(Int64ToString(next)));
  h.Commit(ctx.now_ms());
  ctx.Notify(kEventHash, "hincrby", k.key());
  ctx.reply().Integer(next);
}

// HINCRBYFLOAT key field increment
void CmdHIncrByFloat(CommandContext& ctx) {
  auto by = ParseLongDouble(ctx.arg(3));
  if (!by) return ctx.reply().Error(errors::kNotFloat);
  if (std::isinf(*by)) return ctx.reply().Error("ERR value is NaN or Infinity");
  KeyAccess k(ctx, ctx.arg(1));
  Db::Slot s = k.FindWrite();
  if (IsWrongType(ctx, s, ValueType::kHash)) return;
  HashEdit h(k.db(), s, k.key(), k.hash(), Limits(ctx));
  long double cur = 0;
  if (auto v = h.Get(ctx.arg(2))) {
    auto parsed = ParseLongDouble(*v);
    if (!parsed || std::isinf(*parsed)) return ctx.reply().Error("ERR hash value is not a float");
    cur = *parsed;
  }
  long double next = cur + *by;
  if (std::isnan(next) || std::isinf(next)) return ctx.reply().Error(errors::kNanOrInfinity);
  std::string_view text = h.Own(FormatLongDoubleHuman(next));
  h.Set(ctx.arg(2), text);
  h.Commit(ctx.now_ms());
  ctx.Notify(kEventHash, "hincrbyfloat", k.key());
  ctx.reply().Bulk(text);
}

// HRANDFIELD key [count [WITHVALUES]]
void CmdHRandField(CommandContext& ctx) {
  RandomCountArgs a;
  if (!ParseRandomCount(ctx, "WITHVALUES", &a)) return;
  const bool single = a.single, with_values = a.with;
  const int64_t count = a.count;
  KeyAccess k(ctx, ctx.arg(1));
  Db::Slot s = k.FindRead();
  if (IsWrongType(ctx, s, ValueType::kHash)) return;
  if (!s) return single ? ctx.reply().Null() : ctx.reply().ArrayHeader(0);
  std::vector<std::pair<std::string_view, std::string_view>> all;
  HashRead h(s.entry);
  all.reserve(h.size());
  h.ForEach([&](std::string_view f, std::string_view v) { all.emplace_back(f, v); });
  auto& rng = ThreadRng();
  if (single) return ctx.reply().Bulk(all[std::uniform_int_distribution<size_t>(0, all.size() - 1)(rng)].first);
  std::vector<size_t> picks;
  if (count < 0) {
    uint64_t bytes = 0;
    for (const auto& [f, v] : all) bytes += f.size() + (with_values ? v.size() + 16 : 0);
    if (!RepeatedRepliesFit(ctx, static_cast<uint64_t>(-count), bytes, all.size())) return;
    std::uniform_int_distribution<size_t> pick(0, all.size() - 1);
    for (int64_t i = 0; i < -count; ++i) picks.push_back(pick(rng));
  } else {
    // A count covering the whole hash returns it in its own order, as Redis.
    size_t n = std::min(static_cast<size_t>(count), all.size());
    std::vector<size_t> idx(all.size());
    for (size_t i = 0; i < idx.size(); ++i) idx[i] = i;
    if (n < all.size()) std::shuffle(idx.begin(), idx.end(), rng);
    picks.assign(idx.begin(), idx.begin() + static_cast<ptrdiff_t>(n));
  }
  bool resp3_pairs = with_values && ctx.session().resp >= 3;
  ctx.reply().ArrayHeader(with_values && !resp3_pairs ? picks.size() * 2 : picks.size());
  for (size_t i : picks) {
    if (resp3_pairs) ctx.reply().ArrayHeader(2);
    ctx.reply().Bulk(all[i].first);
    if (with_values) ctx.reply().Bulk(all[i].second);
  }
}

// HSCAN key cursor [MATCH pattern] [COUNT count]
void CmdHScan(CommandContext& ctx) {
  auto cursor = ParseCursor(ctx.arg(2));
  if (!cursor) return ctx.reply().Error("ERR invalid cursor");
  KeyAccess k(ctx, ctx.arg(1));
  Db::Slot s = k.FindRead();
  if (IsWrongType(ctx, s, ValueType::kHash)) return;
  auto empty = [&] {
    ctx.reply().ArrayHeader(2);
    ctx.reply().Bulk("0");
    ctx.reply().ArrayHeader(0);
  };
  if (!s) return empty();
  ScanOptions opt;
  if (!ParseScanOptions(ctx, 3, &opt)) return;
  std::vector<std::pair<std::string_view, std::string_view>> found;
  auto take = [&](std::string_view f, std::string_view v) {
    if (!opt.has_pattern || GlobMatch(opt.pattern, f)) found.emplace_back(f, v);
  };
  uint64_t pos = *cursor;
  HashRead h(s.entry);
  if (h.map()) {
    ScanTable(*h.map(), &pos, opt.count, found, [&](const PackedPair* p) { take(p->field(), p->value()); });
  } else {
    h.ForEach(take);  // a compact hash is returned whole, as Redis does
    pos = 0;
  }
  ctx.reply().ArrayHeader(2);
  ctx.reply().Bulk(Int64ToString(static_cast<int64_t>(pos)));
  ctx.reply().ArrayHeader(found.size() * 2);
  for (auto& [f, v] : found) {
    ctx.reply().Bulk(f);
    ctx.reply().Bulk(v);
  }
}

}  // namespace

constexpr TypeFamily kHashFamily{"hash", "@hash"};

void RegisterHashFamily(CommandTable* t) {
  const uint32_t r = kCmdReadOnly | kCmdFast, w = kCmdWrite | kCmdDenyOom | kCmdFast;
  t->Register(kHashFamily.Spec("hset", -4, w, 1, 1, "Creates or modifies the value of a field in a hash.", "2.0.0", CmdHSet, {"@write", "@fast"}));
  t->Register(kHashFamily.Spec("hsetnx", 4, w, 1, 1, "Sets the value of a field in a hash only when the field doesn't exist.", "2.0.0", CmdHSetNx, {"@write", "@fast"}));
  t->Register(kHashFamily.Spec("hmset", -4, w, 1, 1, "Sets the values of multiple fields.", "2.0.0", CmdHMSet, {"@write", "@fast"}));
  t->Register(kHashFamily.Spec("hget", 3, r, 1, 1, "Returns the value of a field in a hash.", "2.0.0", CmdHGet, {"@read", "@fast"}));
  t->Register(kHashFamily.Spec("hmget", -3, r, 1, 1, "Returns the values of all fields in a hash.", "2.0.0", CmdHMGet, {"@read", "@fast"}));
  t->Register(kHashFamily.Spec("hgetall", 2, kCmdReadOnly, 1, 1, "Returns all fields and values in a hash.", "2.0.0", CmdHGetAll, {"@read", "@slow"}));
  t->Register(kHashFamily.Spec("hkeys", 2, kCmdReadOnly, 1, 1, "Returns all fields in a hash.", "2.0.0", CmdHKeys, {"@read", "@slow"}));
  t->Register(kHashFamily.Spec("hvals", 2, kCmdReadOnly, 1, 1, "Returns all values in a hash.", "2.0.0", CmdHVals, {"@read", "@slow"}));
  t->Register(kHashFamily.Spec("hdel", -3, kCmdWrite | kCmdFast, 1, 1, "Deletes one or more fields and their values from a hash. Deletes the hash if no fields remain.", "2.0.0", CmdHDel, {"@write", "@fast"}));
  t->Register(kHashFamily.Spec("hexists", 3, r, 1, 1, "Determines whether a field exists in a hash.", "2.0.0", CmdHExists, {"@read", "@fast"}));
  t->Register(kHashFamily.Spec("hlen", 2, r, 1, 1, "Returns the number of fields in a hash.", "2.0.0", CmdHLen, {"@read", "@fast"}));
  t->Register(kHashFamily.Spec("hstrlen", 3, r, 1, 1, "Returns the length of the value of a field.", "3.2.0", CmdHStrLen, {"@read", "@fast"}));
  t->Register(kHashFamily.Spec("hincrby", 4, w, 1, 1, "Increments the integer value of a field in a hash by a number. Uses 0 as initial value if the field doesn't exist.", "2.0.0", CmdHIncrBy, {"@write", "@fast"}));
  t->Register(kHashFamily.Spec("hincrbyfloat", 4, w, 1, 1, "Increments the floating point value of a field by a number. Uses 0 as initial value if the field doesn't exist.", "2.6.0", CmdHIncrByFloat, {"@write", "@fast"}));
  t->Register(kHashFamily.Spec("hrandfield", -2, kCmdReadOnly, 1, 1, "Returns one or more random fields from a hash.", "6.2.0", CmdHRandField, {"@read", "@slow"}));
  t->Register(kHashFamily.Spec("hscan", -3, kCmdReadOnly, 1, 1, "Iterates over fields and values of a hash.", "2.8.0", CmdHScan, {"@read", "@slow"}));
}

}  // namespace minired
