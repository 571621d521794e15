// Sorted-set range queries, written once over ranks for both encodings (zset_value.h):
// ZRANGE (BYSCORE BYLEX REV LIMIT WITHSCORES) ZRANGESTORE ZREVRANGE ZRANGEBYSCORE
// ZREVRANGEBYSCORE ZRANGEBYLEX ZREVRANGEBYLEX ZCOUNT ZLEXCOUNT ZREMRANGEBYRANK
// ZREMRANGEBYSCORE ZREMRANGEBYLEX.
#include <climits>
#include <vector>

#include "server/command_table.h"
#include "server/families/arg_parsing.h"
#include "server/families/collection_util.h"
#include "server/families/families.h"
#include "server/families/list_family.h"
#include "server/families/spec.h"
#include "server/families/zset_family.h"
#include "server/keyspace_events.h"
#include "storage/encodings/zset_value.h"

namespace minired {
namespace {

enum class RangeBy { kAuto, kRank, kScore, kLex };

struct RangeRequest {
  RangeBy by = RangeBy::kAuto;
  bool reverse = false;
  bool rev_given = false;
  bool with_scores = false;
  int64_t offset = 0;
  int64_t limit = -1;  // -1: no LIMIT
  std::string_view min_arg, max_arg;
};

// Parses the arguments after "key min max" (args from index `opts`), with Redis's
// zrangeGenericCommand checks and messages. `fixed` is the legacy commands' range type.
bool ParseRangeRequest(CommandContext& ctx, size_t opts, bool store, RangeRequest* r) {
  for (size_t j = opts; j < ctx.argc(); ++j) {
    size_t left = ctx.argc() - j - 1;
    std::string_view a = ctx.arg(j);
    if (!store && EqualsIgnoreCase(a, "WITHSCORES")) {
      r->with_scores = true;
    } else if (EqualsIgnoreCase(a, "LIMIT") && left >= 2) {
      auto off = IntArg(ctx, ctx.arg(j + 1));
      if (!off) return false;
      auto lim = IntArg(ctx, ctx.arg(j + 2));
      if (!lim) return false;
      r->offset = *off;
      r->limit = *lim;
      j += 2;
    } else if (!r->rev_given && EqualsIgnoreCase(a, "REV")) {
      r->reverse = true;
      r->rev_given = true;
    } else if (r->by == RangeBy::kAuto && EqualsIgnoreCase(a, "BYLEX")) {
      r->by = RangeBy::kLex;
    } else if (r->by == RangeBy::kAuto && EqualsIgnoreCase(a, "BYSCORE")) {
      r->by = RangeBy::kScore;
    } else {
      ctx.reply().Error(errors::kSyntax);
      return false;
    }
  }
  if (r->by == RangeBy::kAuto) r->by = RangeBy::kRank;
  if (r->limit != -1 && r->by == RangeBy::kRank) {
    ctx.reply().Error("ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX");
    return false;
  }
  if (r->with_scores && r->by == RangeBy::kLex) {
    ctx.reply().Error("ERR syntax error, WITHSCORES not supported in combination with BYLEX");
    return false;
  }
  if (r->reverse && r->by != RangeBy::kRank) std::swap(r->min_arg, r->max_arg);
  return true;
}

// The selected ranks: `count` items starting at `start`, walking down when reverse.
struct RankSpan {
  size_t start = 0;
  size_t count = 0;
};

// Resolves the request against `z`; false after replying a range-syntax error.
bool ResolveRange(CommandContext& ctx, const RangeRequest& r, const ZSetValue& z, RankSpan* out) {
  const size_t size = z.size();
  size_t first = 0, last = 0;  // [first, last) in ascending ranks
  if (r.by == RangeBy::kRank) {
    auto start = ParseInt64(r.min_arg), end = ParseInt64(r.max_arg);
    if (!start || !end) {
      ctx.reply().Error(errors::kNotInteger);
      return false;
    }
    size_t from, to;
    if (!NormalizeRange(*start, *end, size, &from, &to)) return true;
    out->count = to - from + 1;
    out->start = r.reverse ? size - 1 - from : from;
    return true;
  }
  size_t skip = 0;  // members the window starts past
  if (r.by == RangeBy::kScore) {
    auto min = ParseScoreBound(r.min_arg), max = ParseScoreBound(r.max_arg);
    if (!min || !max) {
      ctx.reply().Error("ERR min or max is not a float");
      return false;
    }
    if (r.offset < 0) return true;
    z.ScoreRange(*min, *max, &first, &last);
    skip = static_cast<size_t>(r.offset);
  } else {
    auto min = ParseLexBound(r.min_arg), max = ParseLexBound(r.max_arg);
    if (!min || !max) {
      ctx.reply().Error("ERR min or max not valid string range item");
      return false;
    }
    if (r.offset < 0) return true;
    // The offset is the walk's to skip (zset_value.h): what is left is the window.
    z.LexRange(*min, *max, r.reverse, static_cast<size_t>(r.offset), &first, &last);
  }
  size_t n = last - first;
  if (skip >= n) return true;
  n -= skip;
  if (r.limit >= 0) n = std::min(n, static_cast<size_t>(r.limit));
  out->count = n;
  out->start = r.reverse ? last - 1 - skip : first + skip;
  return true;
}

// Parses range arguments before looking at the key, as Redis does, so a bad range is
// reported even for a missing key.
bool ValidateRangeArgs(CommandContext& ctx, const RangeRequest& r) {
  ZSetValue empty(nullptr);
  RankSpan ignored;
  return ResolveRange(ctx, r, empty, &ignored);
}


// The shared body of every range read: key at args[key_index], min/max after it.
void RangeGeneric(CommandContext& ctx, size_t key_index, RangeBy fixed, bool reverse) {
  RangeRequest r;
  r.by = fixed;
  r.reverse = reverse;
  r.rev_given = fixed != RangeBy::kAuto;
  r.min_arg = ctx.arg(key_index + 1);
  r.max_arg = ctx.arg(key_index + 2);
  if (!ParseRangeRequest(ctx, key_index + 3, false, &r)) return;
  if (!ValidateRangeArgs(ctx, r)) return;
  KeyAccess k(ctx, ctx.arg(key_index));
  Db::Slot s = k.FindRead();
  if (IsWrongType(ctx, s, ValueType::kZSet)) return;
  ZSetValue z(s ? s.entry : nullptr);
  RankSpan span;
  ResolveRange(ctx, r, z, &span);
  std::vector<ZItem> items;
  items.reserve(span.count);
  z.Walk(span.start, span.count, r.reverse, [&](ZItem it) { items.push_back(it); });
  ReplyItems(ctx, items, r.with_scores);
}

void CmdZRange(CommandContext& ctx) { RangeGeneric(ctx, 1, RangeBy::kAuto, false); }
void CmdZRevRange(CommandContext& ctx) { RangeGeneric(ctx, 1, RangeBy::kRank, true); }
void CmdZRangeByScore(CommandContext& ctx) { RangeGeneric(ctx, 1, RangeBy::kScore, false); }
void CmdZRevRangeByScore(CommandContext& ctx) { RangeGeneric(ctx, 1, RangeBy::kScore, true); }
void CmdZRangeByLex(CommandContext& ctx) { RangeGeneric(ctx, 1, RangeBy::kLex, false); }
void CmdZRevRangeByLex(CommandContext& ctx) { RangeGeneric(ctx, 1, RangeBy::kLex, true); }

// ZRANGESTORE dst src min max [BYSCORE | BYLEX] [REV] [LIMIT offset count]
void CmdZRangeStore(CommandContext& ctx) {
  RangeRequest r;
  r.min_arg = ctx.arg(3);
  r.max_arg = ctx.arg(4);
  if (!ParseRangeRequest(ctx, 5, true, &r)) return;
  if (!ValidateRangeArgs(ctx, r)) return;
  std::string_view dst = ctx.arg(1), src = ctx.arg(2);
  std::string_view keys[] = {dst, src};
  MultiKeyAccess m(ctx, keys);
  Db::Slot s = m.FindRead(src);
  if (IsWrongType(ctx, s, ValueType::kZSet)) return;
  std::vector<std::pair<std::string, double>> items;
  {
    ZSetValue z(s ? s.entry : nullptr);
    RankSpan span;
    ResolveRange(ctx, r, z, &span);
    z.Walk(span.start, span.count, r.reverse, [&](ZItem it) { items.emplace_back(it.member, it.score); });
  }
  uint64_t hd = HashKey(dst);
  Db& db = m.DbOf(hd);
  Db::Slot d = db.Find(dst, hd, ctx.now_ms());
  if (d) db.EraseToOverwrite(d);
  ZSetValue out(db, Db::Slot{}, dst, hd, Limits(ctx));
  for (auto& [member, score] : items) out.Upsert(member, score);
  out.Commit(ctx.now_ms());
  db.EndOverwrite();
  if (!items.empty()) {
    ctx.Notify(kEventZset, "zrangestore", dst);
  } else if (d) {
    ctx.Notify(kEventGeneric, "del", dst);
  }
  if (!items.empty()) NotifyKeyReady(ctx, ctx.arg(1));  // BZPOPMIN waiters on dst
  ctx.reply().Integer(static_cast<int64_t>(items.size()));
}

// ZCOUNT key min max / ZLEXCOUNT key min max
void CountGeneric(CommandContext& ctx, bool lex) {
  size_t first = 0, last = 0;
  std::optional<ScoreBound> smin, smax;
  std::optional<LexBound> lmin, lmax;
  if (lex) {
    lmin = ParseLexBound(ctx.arg(2));
    lmax = ParseLexBound(ctx.arg(3));
    if (!lmin || !lmax) return ctx.reply().Error("ERR min or max not valid string range item");
  } else {
    smin = ParseScoreBound(ctx.arg(2));
    smax = ParseScoreBound(ctx.arg(3));
    if (!smin || !smax) return ctx.reply().Error("ERR min or max is not a float");
  }
  KeyAccess k(ctx, ctx.arg(1));
  Db::Slot s = k.FindRead();
  if (IsWrongType(ctx, s, ValueType::kZSet)) return;
  if (!s) return ctx.reply().Integer(0);
  ZSetValue z(s.entry);
  lex ? z.LexRange(*lmin, *lmax, false, 0, &first, &last) : z.ScoreRange(*smin, *smax, &first, &last);
  ctx.reply().Integer(static_cast<int64_t>(last - first));
}
void CmdZCount(CommandContext& ctx) { CountGeneric(ctx, false); }
void CmdZLexCount(CommandContext& ctx) { CountGeneric(ctx, true); }

// ZREMRANGEBYRANK key start stop / ZREMRANGEBYSCORE key min max / ZREMRANGEBYLEX key min max
void RemRangeGeneric(CommandContext& ctx, RangeBy by) {
  RangeRequest r;
  r.by = by;
  r.min_arg = ctx.arg(2);
  r.max_arg = ctx.arg(3);
  if (!ValidateRangeArgs(ctx, r)) return;
  KeyAccess k(ctx, ctx.arg(1));
  Db::Slot s = k.FindWrite();
  if (IsWrongType(ctx, s, ValueType::kZSet)) return;
  if (!s) return ctx.reply().Integer(0);
  ZSetValue z(k.db(), s, k.key(), k.hash(), Limits(ctx));
  RankSpan span;
  ResolveRange(ctx, r, z, &span);
  std::vector<std::string> doomed;
  doomed.reserve(span.count);
  z.Walk(span.start, span.count, false, [&](ZItem it) { doomed.emplace_back(it.member); });
  for (const auto& member : doomed) z.Erase(member);
  const bool emptied = z.size() == 0;
  z.Commit(ctx.now_ms());
  if (!doomed.empty()) {
    ctx.Notify(kEventZset, by == RangeBy::kRank ? "zremrangebyrank" : by == RangeBy::kScore ? "zremrangebyscore" : "zremrangebylex",
               k.key());
    if (emptied) ctx.Notify(kEventGeneric, "del", k.key());
  }
  Journal::CountChanges(doomed.size());
  ctx.reply().Integer(static_cast<int64_t>(doomed.size()));
}
void CmdZRemRangeByRank(CommandContext& ctx) { RemRangeGeneric(ctx, RangeBy::kRank); }
void CmdZRemRangeByScore(CommandContext& ctx) { RemRangeGeneric(ctx, RangeBy::kScore); }
void CmdZRemRangeByLex(CommandContext& ctx) { RemRangeGeneric(ctx, RangeBy::kLex); }

}  // namespace

void ReplyItems(CommandContext& ctx, const std::vector<ZItem>& items, bool with_scores) {
  bool pairs = with_scores && ctx.session().resp >= 3;
  ctx.reply().ArrayHeader(with_scores && !pairs ? items.size() * 2 : items.size());
  for (const ZItem& it : items) {
    if (pairs) ctx.reply().ArrayHeader(2);
    ctx.reply().Bulk(it.member);
    if (with_scores) ctx.reply().Double(it.score);
  }
}

void RegisterZSetRangeFamily(CommandTable* t) {
  const uint32_t r = kCmdReadOnly;
  t->Register(kSortedSetFamily.Spec("zrange", -4, r, 1, 1, "Returns members in a sorted set within a range of indexes.", "1.2.0", CmdZRange, {"@read", "@slow"}));
  t->Register(kSortedSetFamily.Spec("zrevrange", -4, r, 1, 1, "Returns members in a sorted set within a range of indexes in reverse order.", "1.2.0", CmdZRevRange, {"@read", "@slow"}));
  t->Register(kSortedSetFamily.Spec("zrangebyscore", -4, r, 1, 1, "Returns members in a sorted set within a range of scores.", "1.0.5", CmdZRangeByScore, {"@read", "@slow"}));
  t->Register(kSortedSetFamily.Spec("zrevrangebyscore", -4, r, 1, 1, "Returns members in a sorted set within a range of scores in reverse order.", "2.2.0", CmdZRevRangeByScore, {"@read", "@slow"}));
  t->Register(kSortedSetFamily.Spec("zrangebylex", -4, r, 1, 1, "Returns members in a sorted set within a lexicographical range.", "2.8.9", CmdZRangeByLex, {"@read", "@slow"}));
  t->Register(kSortedSetFamily.Spec("zrevrangebylex", -4, r, 1, 1, "Returns members in a sorted set within a lexicographical range in reverse order.", "2.8.9", CmdZRevRangeByLex, {"@read", "@slow"}));
  t->Register(kSortedSetFamily.Spec("zrangestore", -5, kCmdWrite | kCmdDenyOom, 1, 2, "Stores a range of members from sorted set in a key.", "6.2.0", CmdZRangeStore, {"@write", "@slow"}));
  t->Register(kSortedSetFamily.Spec("zcount", 4, r | kCmdFast, 1, 1, "Returns the count of members in a sorted set that have scores within a range.", "2.0.0", CmdZCount, {"@read", "@fast"}));
  t->Register(kSortedSetFamily.Spec("zlexcount", 4, r | kCmdFast, 1, 1, "Returns the number of members in a sorted set within a lexicographical range.", "2.8.9", CmdZLexCount, {"@read", "@fast"}));
  t->Register(kSortedSetFamily.Spec("zremrangebyrank", 4, kCmdWrite, 1, 1, "Removes members in a sorted set within a range of indexes. Deletes the sorted set if all members were removed.", "2.0.0", CmdZRemRangeByRank, {"@write", "@slow"}));
  t->Register(kSortedSetFamily.Spec("zremrangebyscore", 4, kCmdWrite, 1, 1, "Removes members in a sorted set within a range of scores. Deletes the sorted set if all members were removed.", "1.2.0", CmdZRemRangeByScore, {"@write", "@slow"}));
  t->Register(kSortedSetFamily.Spec("zremrangebylex", 4, kCmdWrite, 1, 1, "Removes members in a sorted set within a lexicographical range. Deletes the sorted set if all members were removed.", "2.8.9", CmdZRemRangeByLex, {"@write", "@slow"}));
}

}  // namespace minired
