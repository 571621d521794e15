// Sorted sets: ZADD ZINCRBY ZREM ZSCORE ZMSCORE ZRANK ZREVRANK ZCARD ZPOPMIN ZPOPMAX ZSCAN
// ZUNIONSTORE ZINTERSTORE. Range queries are in zset_range_family.cc.
#include <climits>
#include <cmath>
#include <unordered_map>
#include <vector>

#include "server/command_table.h"
#include "server/families/arg_parsing.h"
#include "server/families/collection_util.h"
#include "server/families/families.h"
#include "server/families/set_value.h"
#include "server/families/spec.h"
#include "server/families/zset_value.h"
#include "storage/glob.h"

namespace minired {
namespace {

constexpr std::string_view kNaNScore = "ERR resulting score is not a number (NaN)";

// ZADD key [NX | XX] [GT | LT] [CH] [INCR] score member [score member ...]
void CmdZAdd(CommandContext& ctx) {
  bool nx = false, xx = false, gt = false, lt = false, ch = false, incr = false;
  size_t i = 2;
  for (; i < ctx.argc(); ++i) {
    std::string_view o = ctx.arg(i);
    if (EqualsIgnoreCase(o, "NX")) nx = true;
    else if (EqualsIgnoreCase(o, "XX")) xx = true;
    else if (EqualsIgnoreCase(o, "GT")) gt = true;
    else if (EqualsIgnoreCase(o, "LT")) lt = true;
    else if (EqualsIgnoreCase(o, "CH")) ch = true;
    else if (EqualsIgnoreCase(o, "INCR")) incr = true;
    else break;
  }
  size_t elements = ctx.argc() - i;
  if (elements % 2 != 0 || elements == 0) return ctx.reply().Error(errors::kSyntax);
  elements /= 2;
  if (nx && xx) return ctx.reply().Error("ERR XX and NX options at the same time are not compatible");
  if ((gt && nx) || (lt && nx) || (gt && lt)) {
    return ctx.reply().Error("ERR GT, LT, and/or NX options at the same time are not compatible");
  }
  if (incr && elements > 1) return ctx.reply().Error("ERR INCR option supports a single increment-element pair");
  std::vector<double> scores(elements);
  for (size_t j = 0; j < elements; ++j) {
    auto d = ParseDouble(ctx.arg(i + j * 2));
    if (!d) return ctx.reply().Error(errors::kNotFloat);
    scores[j] = *d;
  }
  KeyAccess k(ctx, ctx.arg(1));
  Db::Slot s = k.FindWrite();
  if (IsWrongType(ctx, s, ValueType::kZSet)) return;
  if (!s && xx) return incr ? ctx.reply().Null() : ctx.reply().Integer(0);
  ZSetValue z(k.db(), s, k.key(), k.hash(), Limits(ctx));
  int64_t added = 0, updated = 0;
  std::optional<double> incr_result;
  for (size_t j = 0; j < elements; ++j) {
    std::string_view member = ctx.arg(i + j * 2 + 1);
    double score = scores[j];
    auto cur = z.Score(member);
    if (cur) {
      if (nx) continue;
      if (incr) {
        score += *cur;
        if (std::isnan(score)) return ctx.reply().Error(kNaNScore);
      }
      if ((gt && score <= *cur) || (lt && score >= *cur)) continue;
      incr_result = score;
      if (score != *cur) {
        z.Upsert(member, score);
        ++updated;
      }
    } else {
      if (xx) continue;
      z.Upsert(member, score);
      incr_result = score;
      ++added;
    }
  }
  z.Commit(ctx.now_ms());
  Journal::CountChanges(added + updated);
  if (incr) return incr_result ? ctx.reply().Double(*incr_result) : ctx.reply().Null();
  ctx.reply().Integer(ch ? added + updated : added);
}

// ZINCRBY key increment member
void CmdZIncrBy(CommandContext& ctx) {
  auto by = ParseDouble(ctx.arg(2));
  if (!by) return ctx.reply().Error(errors::kNotFloat);
  KeyAccess k(ctx, ctx.arg(1));
  Db::Slot s = k.FindWrite();
  if (IsWrongType(ctx, s, ValueType::kZSet)) return;
  ZSetValue z(k.db(), s, k.key(), k.hash(), Limits(ctx));
  std::optional<double> old = z.Score(ctx.arg(3));
  double score = *by + old.value_or(0);
  if (std::isnan(score)) return ctx.reply().Error(kNaNScore);
  z.Upsert(ctx.arg(3), score);
  z.Commit(ctx.now_ms());
  Journal::CountChanges(old && *old == score ? 0 : 1);
  ctx.reply().Double(score);
}

// ZREM key member [member ...]
void CmdZRem(CommandContext& ctx) {
  KeyAccess k(ctx, ctx.arg(1));
  Db::Slot s = k.FindWrite();
  if (IsWrongType(ctx, s, ValueType::kZSet)) return;
  if (!s) return ctx.reply().Integer(0);
  ZSetValue z(k.db(), s, k.key(), k.hash(), Limits(ctx));
  int64_t removed = 0;
  for (size_t i = 2; i < ctx.argc(); ++i) removed += z.Erase(ctx.arg(i));
  z.Commit(ctx.now_ms());
  Journal::CountChanges(removed);
  ctx.reply().Integer(removed);
}

// ZSCORE key member / ZMSCORE key member [member ...]
void CmdZScore(CommandContext& ctx) {
  KeyAccess k(ctx, ctx.arg(1));
  Db::Slot s = k.FindRead();
  if (IsWrongType(ctx, s, ValueType::kZSet)) return;
  auto score = s ? ZSetValue(s.entry).Score(ctx.arg(2)) : std::nullopt;
  score ? ctx.reply().Double(*score) : ctx.reply().Null();
}

void CmdZMScore(CommandContext& ctx) {
  KeyAccess k(ctx, ctx.arg(1));
  Db::Slot s = k.FindRead();
  if (IsWrongType(ctx, s, ValueType::kZSet)) return;
  ZSetValue z(s ? s.entry : nullptr);
  ctx.reply().ArrayHeader(ctx.argc() - 2);
  for (size_t i = 2; i < ctx.argc(); ++i) {
    auto score = z.Score(ctx.arg(i));
    score ? ctx.reply().Double(*score) : ctx.reply().Null();
  }
}

// ZRANK / ZREVRANK key member
void RankGeneric(CommandContext& ctx, bool reverse) {
  KeyAccess k(ctx, ctx.arg(1));
  Db::Slot s = k.FindRead();
  if (IsWrongType(ctx, s, ValueType::kZSet)) return;
  if (!s) return ctx.reply().Null();
  ZSetValue z(s.entry);
  auto rank = z.Rank(ctx.arg(2));
  if (!rank) return ctx.reply().Null();
  ctx.reply().Integer(static_cast<int64_t>(reverse ? z.size() - 1 - *rank : *rank));
}
void CmdZRank(CommandContext& ctx) { RankGeneric(ctx, false); }
void CmdZRevRank(CommandContext& ctx) { RankGeneric(ctx, true); }

void CmdZCard(CommandContext& ctx) {
  KeyAccess k(ctx, ctx.arg(1));
  Db::Slot s = k.FindRead();
  if (IsWrongType(ctx, s, ValueType::kZSet)) return;
  ctx.reply().Integer(s ? static_cast<int64_t>(ZSetValue(s.entry).size()) : 0);
}

// ZPOPMIN / ZPOPMAX key [count]
void PopGeneric(CommandContext& ctx, bool max) {
  if (ctx.argc() > 3) return ctx.reply().Error(errors::kSyntax);
  int64_t count = 1;
  bool has_count = ctx.argc() == 3;
  if (has_count) {
    auto c = PopCountArg(ctx, ctx.arg(2));
    if (!c) return;
    count = *c;
  }
  KeyAccess k(ctx, ctx.arg(1));
  Db::Slot s = k.FindWrite();
  if (IsWrongType(ctx, s, ValueType::kZSet)) return;
  if (!s || count == 0) return ctx.reply().ArrayHeader(0);
  ZSetValue z(k.db(), s, k.key(), k.hash(), Limits(ctx));
  size_t n = std::min(static_cast<size_t>(count), z.size());
  std::vector<std::pair<std::string, double>> popped;
  z.Walk(max ? z.size() - 1 : 0, n, max, [&](ZItem it) { popped.emplace_back(it.member, it.score); });
  for (auto& [m, score] : popped) z.Erase(m);
  z.Commit(ctx.now_ms());
  Journal::CountChanges(popped.size());
  // RESP3 nests each pair only when a count was given, as Redis 7.
  bool nested = has_count && ctx.session().resp >= 3;
  ctx.reply().ArrayHeader(nested ? popped.size() : popped.size() * 2);
  for (auto& [m, score] : popped) {
    if (nested) ctx.reply().ArrayHeader(2);
    ctx.reply().Bulk(m);
    ctx.reply().Double(score);
  }
}
void CmdZPopMin(CommandContext& ctx) { PopGeneric(ctx, false); }
void CmdZPopMax(CommandContext& ctx) { PopGeneric(ctx, true); }

// ZSCAN key cursor [MATCH pattern] [COUNT count]
void CmdZScan(CommandContext& ctx) {
  auto cursor = ParseCursor(ctx.arg(2));
  if (!cursor) return ctx.reply().Error("ERR invalid cursor");
  KeyAccess k(ctx, ctx.arg(1));
  Db::Slot s = k.FindRead();
  if (IsWrongType(ctx, s, ValueType::kZSet)) return;
  ScanOptions opt;
  if (s && !ParseScanOptions(ctx, 3, &opt)) return;
  ZSetValue z(s ? s.entry : nullptr);
  std::vector<ZItem> found;
  auto take = [&](ZItem it) {
    if (!opt.has_pattern || GlobMatch(opt.pattern, it.member)) found.push_back(it);
  };
  uint64_t pos = *cursor;
  if (z.skiplist()) {
    ScanTable(*z.skiplist(), &pos, opt.count, found, [&](const ZNode* n) { take({n->member(), n->score()}); });
  } else {
    z.Walk(0, z.size(), false, take);
    pos = 0;
  }
  ctx.reply().ArrayHeader(2);
  ctx.reply().Bulk(Int64ToString(static_cast<int64_t>(pos)));
  ctx.reply().ArrayHeader(found.size() * 2);
  for (const ZItem& it : found) {
    ctx.reply().Bulk(it.member);
    ctx.reply().Bulk(FormatDouble(it.score));
  }
}

// ZUNIONSTORE / ZINTERSTORE destination numkeys key [key ...] [WEIGHTS weight ...]
//   [AGGREGATE SUM | MIN | MAX]. Inputs may be sets (every score 1) or sorted sets.
void StoreGeneric(CommandContext& ctx, bool inter) {
  const char* name = inter ? "zinterstore" : "zunionstore";
  auto numkeys = IntArg(ctx, ctx.arg(2));
  if (!numkeys) return;
  if (*numkeys < 1) {
    return ctx.reply().Error(std::string("ERR at least 1 input key is needed for '") + name + "' command");
  }
  if (static_cast<uint64_t>(*numkeys) > ctx.argc() - 3) return ctx.reply().Error(errors::kSyntax);
  size_t n = static_cast<size_t>(*numkeys);
  std::vector<double> weights(n, 1.0);
  enum { kSum, kMin, kMax } agg = kSum;
  for (size_t i = 3 + n; i < ctx.argc(); ++i) {
    size_t left = ctx.argc() - i - 1;
    if (EqualsIgnoreCase(ctx.arg(i), "WEIGHTS") && left >= n) {
      for (size_t j = 0; j < n; ++j) {
        auto w = ParseDouble(ctx.arg(i + 1 + j));
        if (!w) return ctx.reply().Error("ERR weight value is not a float");
        weights[j] = *w;
      }
      i += n;
    } else if (EqualsIgnoreCase(ctx.arg(i), "AGGREGATE") && left >= 1) {
      std::string_view a = ctx.arg(++i);
      if (EqualsIgnoreCase(a, "SUM")) agg = kSum;
      else if (EqualsIgnoreCase(a, "MIN")) agg = kMin;
      else if (EqualsIgnoreCase(a, "MAX")) agg = kMax;
      else return ctx.reply().Error(errors::kSyntax);
    } else {
      return ctx.reply().Error(errors::kSyntax);
    }
  }
  std::vector<std::string_view> keys(ctx.args().begin() + 3, ctx.args().begin() + 3 + static_cast<ptrdiff_t>(n));
  std::string_view dst = ctx.arg(1);
  std::vector<std::string_view> locked = keys;
  locked.push_back(dst);
  MultiKeyAccess m(ctx, locked);
  std::vector<const Entry*> inputs;
  for (std::string_view key : keys) {
    Db::Slot s = m.FindWrite(key);
    if (s && s.entry->type() != ValueType::kZSet && s.entry->type() != ValueType::kSet) {
      return ctx.reply().Error(errors::kWrongType);
    }
    inputs.push_back(s ? s.entry : nullptr);
  }
  auto combine = [&](double a, double b) {
    if (agg == kMin) return std::min(a, b);
    if (agg == kMax) return std::max(a, b);
    double r = a + b;
    return std::isnan(r) ? 0.0 : r;  // inf + -inf, as Redis
  };
  auto weighted = [](double score, double w) {
    double r = score * w;
    return std::isnan(r) ? 0.0 : r;
  };
  // Collect (member -> score, times seen).
  std::unordered_map<std::string, std::pair<double, size_t>> acc;
  for (size_t j = 0; j < n; ++j) {
    const Entry* e = inputs[j];
    if (!e) continue;
    auto add = [&](std::string_view member, double score) {
      double w = weighted(score, weights[j]);
      auto [it, fresh] = acc.try_emplace(std::string(member), w, 1);
      if (!fresh) {
        it->second.first = combine(it->second.first, w);
        ++it->second.second;
      }
    };
    if (e->type() == ValueType::kSet) {
      SetRead(e).ForEach([&](std::string_view member) { add(member, 1.0); });
    } else {
      ZSetValue z(e);
      z.Walk(0, z.size(), false, [&](ZItem it) { add(it.member, it.score); });
    }
  }
  uint64_t hd = HashKey(dst);
  Db& db = m.DbOf(hd);
  Db::Slot d = db.Find(dst, hd, ctx.now_ms());
  if (d) db.Erase(d);
  ZSetValue out(db, Db::Slot{}, dst, hd, Limits(ctx));
  for (auto& [member, v] : acc) {
    if (inter && v.second != n) continue;
    out.Upsert(member, v.first);
  }
  size_t size = out.size();
  out.Commit(ctx.now_ms());
  ctx.reply().Integer(static_cast<int64_t>(size));
}
void CmdZUnionStore(CommandContext& ctx) { StoreGeneric(ctx, false); }
void CmdZInterStore(CommandContext& ctx) { StoreGeneric(ctx, true); }

CommandSpec Spec(const char* name, int arity, uint32_t flags, int first, int last, const char* summary,
                 const char* since, CommandHandler h, std::vector<std::string> acl) {
  acl.insert(acl.begin(), "@sortedset");
  return MakeSpec("sorted_set", name, arity, flags, first, last, 1, summary, since, h, std::move(acl));
}

}  // namespace

void RegisterZSetFamily(CommandTable* t) {
  const uint32_t r = kCmdReadOnly | kCmdFast, w = kCmdWrite | kCmdDenyOom | kCmdFast;
  t->Register(Spec("zadd", -4, w, 1, 1, "Adds one or more members to a sorted set, or updates their scores. Creates the key if it doesn't exist.", "1.2.0", CmdZAdd, {"@write", "@fast"}));
  t->Register(Spec("zincrby", 4, w, 1, 1, "Increments the score of a member in a sorted set.", "1.2.0", CmdZIncrBy, {"@write", "@fast"}));
  t->Register(Spec("zrem", -3, kCmdWrite | kCmdFast, 1, 1, "Removes one or more members from a sorted set. Deletes the sorted set if all members were removed.", "1.2.0", CmdZRem, {"@write", "@fast"}));
  t->Register(Spec("zscore", 3, r, 1, 1, "Returns the score of a member in a sorted set.", "1.2.0", CmdZScore, {"@read", "@fast"}));
  t->Register(Spec("zmscore", -3, r, 1, 1, "Returns the score of one or more members in a sorted set.", "6.2.0", CmdZMScore, {"@read", "@fast"}));
  t->Register(Spec("zrank", 3, r, 1, 1, "Returns the index of a member in a sorted set ordered by ascending scores.", "2.0.0", CmdZRank, {"@read", "@fast"}));
  t->Register(Spec("zrevrank", 3, r, 1, 1, "Returns the index of a member in a sorted set ordered by descending scores.", "2.0.0", CmdZRevRank, {"@read", "@fast"}));
  t->Register(Spec("zcard", 2, r, 1, 1, "Returns the number of members in a sorted set.", "1.2.0", CmdZCard, {"@read", "@fast"}));
  t->Register(Spec("zpopmin", -2, kCmdWrite | kCmdFast, 1, 1, "Returns the lowest-scoring members from a sorted set after removing them. Deletes the sorted set if the last member was popped.", "5.0.0", CmdZPopMin, {"@write", "@fast"}));
  t->Register(Spec("zpopmax", -2, kCmdWrite | kCmdFast, 1, 1, "Returns the highest-scoring members from a sorted set after removing them. Deletes the sorted set if the last member was popped.", "5.0.0", CmdZPopMax, {"@write", "@fast"}));
  t->Register(Spec("zscan", -3, kCmdReadOnly, 1, 1, "Iterates over members and scores of a sorted set.", "2.8.0", CmdZScan, {"@read", "@slow"}));
  t->Register(Spec("zunionstore", -4, kCmdWrite | kCmdDenyOom, 1, 1, "Stores the union of multiple sorted sets in a key.", "2.0.0", CmdZUnionStore, {"@write", "@slow"}));
  t->Register(Spec("zinterstore", -4, kCmdWrite | kCmdDenyOom, 1, 1, "Stores the intersect of multiple sorted sets in a key.", "2.0.0", CmdZInterStore, {"@write", "@slow"}));
  RegisterZSetRangeFamily(t);
}

}  // namespace minired
