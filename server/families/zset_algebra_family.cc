// Sorted-set algebra: ZUNION ZINTER ZDIFF (WITHSCORES), ZUNIONSTORE ZINTERSTORE
// ZDIFFSTORE, ZINTERCARD. Inputs may be sets (every score 1) or sorted sets; a missing
// key is an empty input.
//
// Checks run in Redis's order: numkeys, then every input key's type, then the options,
// so an invalid command gets the error redis-server gives it.
#include <algorithm>
#include <cmath>
#include <string>
#include <unordered_map>
#include <vector>

#include "server/command_table.h"
#include "server/families/arg_parsing.h"
#include "server/families/collection_util.h"
#include "server/families/families.h"
#include "server/families/list_family.h"
#include "server/families/key_access.h"
#include "server/keyspace_events.h"
#include "storage/encodings/set_value.h"
#include "server/families/spec.h"
#include "server/families/zset_family.h"
#include "storage/encodings/zset_value.h"

namespace minired {
namespace {

enum class ZOp { kUnion, kInter, kDiff };
enum class Aggregate { kSum, kMin, kMax };

// One command's shape: where numkeys is, whether it stores, counts, or replies members.
struct AlgebraCommand {
  ZOp op;
  size_t numkeys_index;  // 1, or 2 after a destination
  bool store = false;
  bool card_only = false;  // ZINTERCARD
};

struct Input {
  const Entry* entry = nullptr;  // null: missing key
  double weight = 1.0;
  size_t size() const {
    if (entry == nullptr) return 0;
    return entry->type() == ValueType::kSet ? SetRead(entry).size() : ZSetValue(entry).size();
  }
  template <typename Visit>  // Visit(member, score)
  void ForEach(Visit visit) const {
    if (entry == nullptr) return;
    if (entry->type() == ValueType::kSet) {
      SetRead(entry).ForEach([&](std::string_view m) { visit(m, 1.0); });
    } else {
      ZSetValue z(entry);
      z.Walk(0, z.size(), false, [&](ZItem it) { visit(it.member, it.score); });
    }
  }
  std::optional<double> Score(std::string_view member) const {
    if (entry == nullptr) return std::nullopt;
    if (entry->type() == ValueType::kSet) {
      return SetRead(entry).Contains(member) ? std::optional<double>(1.0) : std::nullopt;
    }
    return ZSetValue(entry).Score(member);
  }
};

double Weighted(double score, double weight) {
  double r = score * weight;
  return std::isnan(r) ? 0.0 : r;  // 0 * inf, as Redis
}

double Combine(Aggregate agg, double a, double b) {
  if (agg == Aggregate::kMin) return std::min(a, b);
  if (agg == Aggregate::kMax) return std::max(a, b);
  double r = a + b;
  return std::isnan(r) ? 0.0 : r;  // inf + -inf, as Redis
}

// The result as (member, score), members owned. Inputs are taken smallest first, as
// Redis does, so sums of non-integers add up in the same order.
std::vector<std::pair<std::string, double>> Compute(ZOp op, std::vector<Input> inputs, Aggregate agg,
                                                    size_t limit) {
  std::vector<std::pair<std::string, double>> out;
  if (op == ZOp::kDiff) {
    inputs[0].ForEach([&](std::string_view m, double score) {
      for (size_t j = 1; j < inputs.size(); ++j) {
        if (inputs[j].Score(m)) return;
      }
      out.emplace_back(std::string(m), score);
    });
    return out;
  }
  std::stable_sort(inputs.begin(), inputs.end(), [](const Input& a, const Input& b) { return a.size() < b.size(); });
  if (op == ZOp::kInter) {
    inputs[0].ForEach([&](std::string_view m, double score) {
      if (limit != 0 && out.size() >= limit) return;
      double acc = Weighted(score, inputs[0].weight);
      for (size_t j = 1; j < inputs.size(); ++j) {
        auto s = inputs[j].Score(m);
        if (!s) return;
        // Unlike the first input's (and a union's), these products are combined as they
        // are, as Redis does: inf * 0 (NaN) makes a sum 0 and leaves a MIN or MAX as it was.
        acc = Combine(agg, acc, *s * inputs[j].weight);
      }
      out.emplace_back(std::string(m), acc);
    });
    return out;
  }
  std::unordered_map<std::string, size_t> at;  // member -> index in out
  for (const Input& in : inputs) {
    in.ForEach([&](std::string_view m, double score) {
      double w = Weighted(score, in.weight);
      auto [it, fresh] = at.try_emplace(std::string(m), out.size());
      if (fresh) {
        out.emplace_back(it->first, w);
      } else {
        out[it->second].second = Combine(agg, out[it->second].second, w);
      }
    });
  }
  return out;
}

void RunAlgebra(CommandContext& ctx, const AlgebraCommand& cmd) {
  const size_t ni = cmd.numkeys_index;
  auto numkeys = IntArg(ctx, ctx.arg(ni));
  if (!numkeys) return;
  if (*numkeys < 1) {
    std::string name(ctx.arg(0));
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
    return ctx.reply().Error("ERR at least 1 input key is needed for '" + name + "' command");
  }
  if (static_cast<uint64_t>(*numkeys) > ctx.argc() - ni - 1) return ctx.reply().Error(errors::kSyntax);
  const size_t n = static_cast<size_t>(*numkeys);
  std::vector<std::string_view> keys(ctx.args().begin() + static_cast<ptrdiff_t>(ni + 1),
                                     ctx.args().begin() + static_cast<ptrdiff_t>(ni + 1 + n));
  std::vector<std::string_view> locked = keys;
  if (cmd.store) locked.push_back(ctx.arg(1));
  MultiKeyAccess m(ctx, locked);
  std::vector<Input> inputs(n);
  for (size_t j = 0; j < n; ++j) {
    Db::Slot s = cmd.store ? m.FindWrite(keys[j]) : m.FindRead(keys[j]);
    if (s && s.entry->type() != ValueType::kZSet && s.entry->type() != ValueType::kSet) {
      return ctx.reply().Error(errors::kWrongType);
    }
    inputs[j].entry = s ? s.entry : nullptr;
  }
  Aggregate agg = Aggregate::kSum;
  bool with_scores = false;
  uint64_t limit = 0;
  const bool weighable = cmd.op != ZOp::kDiff && !cmd.card_only;
  for (size_t i = ni + 1 + n; i < ctx.argc(); ++i) {
    const size_t remaining = ctx.argc() - i;
    std::string_view opt = ctx.arg(i);
    if (weighable && remaining >= n + 1 && EqualsIgnoreCase(opt, "WEIGHTS")) {
      for (size_t j = 0; j < n; ++j) {
        auto w = ParseDouble(ctx.arg(++i));
        if (!w) return ctx.reply().Error("ERR weight value is not a float");
        inputs[j].weight = *w;
      }
    } else if (weighable && remaining >= 2 && EqualsIgnoreCase(opt, "AGGREGATE")) {
      std::string_view a = ctx.arg(++i);
      if (EqualsIgnoreCase(a, "SUM")) agg = Aggregate::kSum;
      else if (EqualsIgnoreCase(a, "MIN")) agg = Aggregate::kMin;
      else if (EqualsIgnoreCase(a, "MAX")) agg = Aggregate::kMax;
      else return ctx.reply().Error(errors::kSyntax);
    } else if (!cmd.store && !cmd.card_only && EqualsIgnoreCase(opt, "WITHSCORES")) {
      with_scores = true;
    } else if (cmd.card_only && remaining >= 2 && EqualsIgnoreCase(opt, "LIMIT")) {
      auto l = ParseInt64(ctx.arg(++i));
      if (!l || *l < 0) return ctx.reply().Error("ERR LIMIT can't be negative");
      limit = static_cast<uint64_t>(*l);
    } else {
      return ctx.reply().Error(errors::kSyntax);
    }
  }
  auto result = Compute(cmd.op, std::move(inputs), agg, cmd.card_only ? limit : 0);
  if (cmd.card_only) return ctx.reply().Integer(static_cast<int64_t>(result.size()));
  if (cmd.store) {
    std::string_view dst = ctx.arg(1);
    uint64_t hd = HashKey(dst);
    Db& db = m.DbOf(hd);
    Db::Slot d = db.Find(dst, hd, ctx.now_ms());
    if (d) db.EraseToOverwrite(d);
    ZSetValue out(db, Db::Slot{}, dst, hd, Limits(ctx));
    for (const auto& [member, score] : result) out.Upsert(member, score);
    out.Commit(ctx.now_ms());
    db.EndOverwrite();
    if (!result.empty()) {
      ctx.Notify(kEventZset, cmd.op == ZOp::kUnion ? "zunionstore" : cmd.op == ZOp::kInter ? "zinterstore" : "zdiffstore", dst);
    } else if (d) {
      ctx.Notify(kEventGeneric, "del", dst);
    }
    Journal::CountChanges(result.empty() && !d ? 0 : 1);
    if (!result.empty()) NotifyKeyReady(ctx, dst);
    return ctx.reply().Integer(static_cast<int64_t>(result.size()));
  }
  // Replied in the order a sorted set keeps: by score, then by member.
  std::sort(result.begin(), result.end(), [](const auto& a, const auto& b) {
    return a.second < b.second || (a.second == b.second && a.first < b.first);
  });
  std::vector<ZItem> items;
  items.reserve(result.size());
  for (const auto& [member, score] : result) items.push_back(ZItem{member, score});
  ReplyItems(ctx, items, with_scores);
}

void CmdZUnion(CommandContext& ctx) { RunAlgebra(ctx, {ZOp::kUnion, 1}); }
void CmdZInter(CommandContext& ctx) { RunAlgebra(ctx, {ZOp::kInter, 1}); }
void CmdZDiff(CommandContext& ctx) { RunAlgebra(ctx, {ZOp::kDiff, 1}); }
void CmdZUnionStore(CommandContext& ctx) { RunAlgebra(ctx, {ZOp::kUnion, 2, true}); }
void CmdZInterStore(CommandContext& ctx) { RunAlgebra(ctx, {ZOp::kInter, 2, true}); }
void CmdZDiffStore(CommandContext& ctx) { RunAlgebra(ctx, {ZOp::kDiff, 2, true}); }
void CmdZInterCard(CommandContext& ctx) { RunAlgebra(ctx, {ZOp::kInter, 1, false, true}); }

}  // namespace

void RegisterZSetAlgebraFamily(CommandTable* t) {
  const uint32_t r = kCmdReadOnly, w = kCmdWrite | kCmdDenyOom;
  // The input keys follow numkeys (ACL checks them by it); a destination is key 1.
  auto reg = [t](CommandSpec spec, int numkeys_arg) {
    spec.numkeys_arg = numkeys_arg;
    t->Register(std::move(spec));
  };
  reg(kSortedSetFamily.Spec("zunion", -3, r, 0, 0, "Returns the union of multiple sorted sets.", "6.2.0", CmdZUnion, {"@read", "@slow"}), 1);
  reg(kSortedSetFamily.Spec("zinter", -3, r, 0, 0, "Returns the intersect of multiple sorted sets.", "6.2.0", CmdZInter, {"@read", "@slow"}), 1);
  reg(kSortedSetFamily.Spec("zdiff", -3, r, 0, 0, "Returns the difference between multiple sorted sets.", "6.2.0", CmdZDiff, {"@read", "@slow"}), 1);
  reg(kSortedSetFamily.Spec("zintercard", -3, r, 0, 0, "Returns the number of members of the intersect of multiple sorted sets.", "7.0.0", CmdZInterCard, {"@read", "@slow"}), 1);
  reg(kSortedSetFamily.Spec("zunionstore", -4, w, 1, 1, "Stores the union of multiple sorted sets in a key.", "2.0.0", CmdZUnionStore, {"@write", "@slow"}), 2);
  reg(kSortedSetFamily.Spec("zinterstore", -4, w, 1, 1, "Stores the intersect of multiple sorted sets in a key.", "2.0.0", CmdZInterStore, {"@write", "@slow"}), 2);
  reg(kSortedSetFamily.Spec("zdiffstore", -4, w, 1, 1, "Stores the difference of multiple sorted sets in a key.", "6.2.0", CmdZDiffStore, {"@write", "@slow"}), 2);
}

}  // namespace minired
