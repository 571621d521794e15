// Sorted sets: ZADD ZINCRBY ZREM ZSCORE ZMSCORE ZRANK ZREVRANK ZCARD ZPOPMIN ZPOPMAX ZSCAN
// ZRANDMEMBER. Range queries are in zset_range_family.cc, unions and intersections in
// zset_algebra_family.cc.
#include <algorithm>
#include <climits>
#include <cmath>
#include <random>
#include <vector>

#include "server/families/pop.h"
#include "server/command_table.h"
#include "server/families/arg_parsing.h"
#include "server/families/collection_util.h"
#include "server/families/families.h"
#include "server/families/list_family.h"
#include "server/families/spec.h"
#include "server/families/zset_family.h"
#include "server/keyspace_events.h"
#include "storage/encodings/zset_value.h"
#include "storage/glob.h"

namespace minired {
std::vector<std::pair<std::string, double>> PopItems(CommandContext& ctx, ZSetValue& z, std::string_view key, int db,
                                                     bool max, uint64_t count) {
  size_t n = static_cast<size_t>(std::min<uint64_t>(count, z.size()));
  std::vector<std::pair<std::string, double>> popped;
  z.Walk(max ? z.size() - 1 : 0, n, max, [&](ZItem it) { popped.emplace_back(it.member, it.score); });
  for (auto& [m, score] : popped) z.Erase(m);
  const bool emptied = z.size() == 0;
  z.Commit(ctx.now_ms());
  if (!popped.empty()) {
    ctx.Notify(kEventZset, max ? "zpopmax" : "zpopmin", key, db);
    if (emptied) ctx.Notify(kEventGeneric, "del", key, db);
  }
  return popped;
}

void ReplyPopped(CommandContext& ctx, std::string_view key, const std::vector<std::pair<std::string, double>>& popped,
                 bool mpop) {
  ctx.reply().ArrayHeader(mpop ? 2 : 3);
  ctx.reply().Bulk(key);
  if (!mpop) {
    ctx.reply().Bulk(popped[0].first);
    return ctx.reply().Double(popped[0].second);
  }
  ctx.reply().ArrayHeader(popped.size());
  for (const auto& [member, score] : popped) {
    ctx.reply().ArrayHeader(2);
    ctx.reply().Bulk(member);
    ctx.reply().Double(score);
  }
}

namespace {

constexpr std::string_view kNaNScore = "ERR resulting score is not a number (NaN)";

void AddScores(CommandContext& ctx, size_t i, bool nx, bool xx, bool gt, bool lt, bool ch, bool incr);

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
  AddScores(ctx, i, nx, xx, gt, lt, ch, incr);
}

// What ZADD and ZINCRBY (Redis's zaddGenericCommand with INCR) share: the score and
// member pairs from argument `i` on, with the options.
void AddScores(CommandContext& ctx, size_t i, bool nx, bool xx, bool gt, bool lt, bool ch, bool incr) {
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
  if (added + updated > 0) ctx.Notify(kEventZset, incr ? "zincr" : "zadd", k.key());
  Journal::CountChanges(added + updated);
  if (added > 0) NotifyKeyReady(ctx, k.key());  // BZPOPMIN waiters
  if (incr) return incr_result ? ctx.reply().Double(*incr_result) : ctx.reply().Null();
  ctx.reply().Integer(ch ? added + updated : added);
}

// ZINCRBY key increment member
void CmdZIncrBy(CommandContext& ctx) { AddScores(ctx, 2, false, false, false, false, false, true); }

// ZREM key member [member ...]
void CmdZRem(CommandContext& ctx) {
  KeyAccess k(ctx, ctx.arg(1));
  Db::Slot s = k.FindWrite();
  if (IsWrongType(ctx, s, ValueType::kZSet)) return;
  if (!s) return ctx.reply().Integer(0);
  ZSetValue z(k.db(), s, k.key(), k.hash(), Limits(ctx));
  int64_t removed = 0;
  for (size_t i = 2; i < ctx.argc(); ++i) removed += z.Erase(ctx.arg(i));
  const bool emptied = z.size() == 0;
  z.Commit(ctx.now_ms());
  if (removed > 0) {
    ctx.Notify(kEventZset, "zrem", k.key());
    if (emptied) ctx.Notify(kEventGeneric, "del", k.key());
  }
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
  auto popped = PopItems(ctx, z, k.key(), ctx.db(), max, static_cast<uint64_t>(count));
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

// ZMPOP numkeys key [key ...] MIN | MAX [COUNT count]: pops from the first key that
// holds a sorted set; replies [key, [[member, score], ...]], or a null array.
void CmdZMPop(CommandContext& ctx) {
  MPopArgs a;
  if (!ParseMPop(ctx, 1, "MIN", "MAX", &a)) return;
  MultiKeyAccess m(ctx, a.keys);
  PopRequest req{.zset = true, .max = a.second_word, .mpop = true, .count = a.count};
  if (!PopFromFirst(ctx, m, a.keys, req)) ctx.reply().NullArray();
}

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
    ScanTable(*z.skiplist(), &pos, opt.count, found, [&](const ZElement* e) { take({e->member(), e->score()}); });
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

// ZRANDMEMBER key [count [WITHSCORES]]: a negative count allows repeats; a count
// covering the whole set returns it from the highest rank down, as Redis iterates it.
void CmdZRandMember(CommandContext& ctx) {
  RandomCountArgs a;
  if (!ParseRandomCount(ctx, "WITHSCORES", &a)) return;
  const bool single = a.single, with_scores = a.with;
  const int64_t count = a.count;
  KeyAccess k(ctx, ctx.arg(1));
  Db::Slot s = k.FindRead();
  if (IsWrongType(ctx, s, ValueType::kZSet)) return;
  if (!s) return single ? ctx.reply().Null() : ctx.reply().ArrayHeader(0);
  ZSetValue z(s.entry);
  auto& rng = ThreadRng();
  std::uniform_int_distribution<size_t> pick(0, z.size() - 1);
  if (single) return ctx.reply().Bulk(z.At(pick(rng)).member);
  std::vector<ZItem> items;
  if (count < 0) {
    uint64_t bytes = 0;
    z.Walk(0, z.size(), false, [&](ZItem it) { bytes += it.member.size() + (with_scores ? 24 : 0); });
    if (!RepeatedRepliesFit(ctx, static_cast<uint64_t>(-count), bytes, z.size())) return;
    for (int64_t i = 0; i < -count; ++i) items.push_back(z.At(pick(rng)));
  } else if (static_cast<uint64_t>(count) >= z.size()) {
    z.Walk(z.size() - 1, z.size(), true, [&](ZItem it) { items.push_back(it); });
  } else {
    std::vector<size_t> ranks(z.size());
    for (size_t i = 0; i < ranks.size(); ++i) ranks[i] = i;
    std::shuffle(ranks.begin(), ranks.end(), rng);
    for (size_t i = 0; i < static_cast<size_t>(count); ++i) items.push_back(z.At(ranks[i]));
  }
  ReplyItems(ctx, items, with_scores);
}

}  // namespace

void RegisterZSetFamily(CommandTable* t) {
  const uint32_t r = kCmdReadOnly | kCmdFast, w = kCmdWrite | kCmdDenyOom | kCmdFast;
  t->Register(kSortedSetFamily.Spec("zadd", -4, w, 1, 1, "Adds one or more members to a sorted set, or updates their scores. Creates the key if it doesn't exist.", "1.2.0", CmdZAdd, {"@write", "@fast"}));
  t->Register(kSortedSetFamily.Spec("zincrby", 4, w, 1, 1, "Increments the score of a member in a sorted set.", "1.2.0", CmdZIncrBy, {"@write", "@fast"}));
  t->Register(kSortedSetFamily.Spec("zrem", -3, kCmdWrite | kCmdFast, 1, 1, "Removes one or more members from a sorted set. Deletes the sorted set if all members were removed.", "1.2.0", CmdZRem, {"@write", "@fast"}));
  t->Register(kSortedSetFamily.Spec("zscore", 3, r, 1, 1, "Returns the score of a member in a sorted set.", "1.2.0", CmdZScore, {"@read", "@fast"}));
  t->Register(kSortedSetFamily.Spec("zmscore", -3, r, 1, 1, "Returns the score of one or more members in a sorted set.", "6.2.0", CmdZMScore, {"@read", "@fast"}));
  t->Register(kSortedSetFamily.Spec("zrank", 3, r, 1, 1, "Returns the index of a member in a sorted set ordered by ascending scores.", "2.0.0", CmdZRank, {"@read", "@fast"}));
  t->Register(kSortedSetFamily.Spec("zrevrank", 3, r, 1, 1, "Returns the index of a member in a sorted set ordered by descending scores.", "2.0.0", CmdZRevRank, {"@read", "@fast"}));
  t->Register(kSortedSetFamily.Spec("zcard", 2, r, 1, 1, "Returns the number of members in a sorted set.", "1.2.0", CmdZCard, {"@read", "@fast"}));
  t->Register(kSortedSetFamily.Spec("zpopmin", -2, kCmdWrite | kCmdFast, 1, 1, "Returns the lowest-scoring members from a sorted set after removing them. Deletes the sorted set if the last member was popped.", "5.0.0", CmdZPopMin, {"@write", "@fast"}));
  t->Register(kSortedSetFamily.Spec("zpopmax", -2, kCmdWrite | kCmdFast, 1, 1, "Returns the highest-scoring members from a sorted set after removing them. Deletes the sorted set if the last member was popped.", "5.0.0", CmdZPopMax, {"@write", "@fast"}));
  t->Register(kSortedSetFamily.Spec("zscan", -3, kCmdReadOnly, 1, 1, "Iterates over members and scores of a sorted set.", "2.8.0", CmdZScan, {"@read", "@slow"}));
  CommandSpec zmpop = kSortedSetFamily.Spec("zmpop", -4, kCmdWrite, 0, 0, "Returns the highest- or lowest-scoring members from one or more sorted sets after removing them. Deletes the sorted set if the last member was popped.", "7.0.0", CmdZMPop, {"@write", "@slow"});
  zmpop.numkeys_arg = 1;
  zmpop.numkeys_written = true;
  t->Register(std::move(zmpop));
  t->Register(kSortedSetFamily.Spec("zrandmember", -2, kCmdReadOnly, 1, 1, "Returns one or more random members from a sorted set.", "6.2.0", CmdZRandMember, {"@read", "@slow"}));
  RegisterZSetRangeFamily(t);
  RegisterZSetAlgebraFamily(t);
}

}  // namespace minired
