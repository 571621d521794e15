// Sets: SADD SREM SMEMBERS SISMEMBER SMISMEMBER SCARD SPOP SRANDMEMBER SMOVE SSCAN and the
// algebra SINTER SUNION SDIFF (+STORE) SINTERCARD.
#include <algorithm>
#include <climits>
#include <unordered_set>
#include <vector>

#include "server/command_table.h"
#include "server/families/arg_parsing.h"
#include "server/families/collection_util.h"
#include "server/families/families.h"
#include "server/keyspace_events.h"
#include "storage/encodings/set_value.h"
#include "server/families/spec.h"
#include "storage/glob.h"
#include "storage/journal.h"

namespace minired {
namespace {

// SADD key member [member ...] / SREM key member [member ...]
void CmdSAdd(CommandContext& ctx) {
  KeyAccess k(ctx, ctx.arg(1));
  Db::Slot s = k.FindWrite();
  if (IsWrongType(ctx, s, ValueType::kSet)) return;
  SetEdit set(k.db(), s, k.key(), k.hash(), Limits(ctx));
  int64_t added = 0;
  for (size_t i = 2; i < ctx.argc(); ++i) added += set.Add(ctx.arg(i));
  set.Commit(ctx.now_ms());
  if (added > 0) ctx.Notify(kEventSet, "sadd", k.key());
  Journal::CountChanges(added);
  ctx.reply().Integer(added);
}

void CmdSRem(CommandContext& ctx) {
  KeyAccess k(ctx, ctx.arg(1));
  Db::Slot s = k.FindWrite();
  if (IsWrongType(ctx, s, ValueType::kSet)) return;
  if (!s) return ctx.reply().Integer(0);
  SetEdit set(k.db(), s, k.key(), k.hash(), Limits(ctx));
  int64_t removed = 0;
  for (size_t i = 2; i < ctx.argc(); ++i) removed += set.Remove(ctx.arg(i));
  const bool emptied = set.size() == 0;
  set.Commit(ctx.now_ms());
  if (removed > 0) {
    ctx.Notify(kEventSet, "srem", k.key());
    if (emptied) ctx.Notify(kEventGeneric, "del", k.key());
  }
  Journal::CountChanges(removed);
  ctx.reply().Integer(removed);
}

// SMEMBERS key: a set reply in RESP3.
void CmdSMembers(CommandContext& ctx) {
  KeyAccess k(ctx, ctx.arg(1));
  Db::Slot s = k.FindRead();
  if (IsWrongType(ctx, s, ValueType::kSet)) return;
  if (!s) return ctx.reply().SetHeader(0);
  SetRead set(s.entry);
  ctx.reply().SetHeader(set.size());
  set.ForEach([&](std::string_view m) { ctx.reply().Bulk(m); });
}

void CmdSIsMember(CommandContext& ctx) {
  KeyAccess k(ctx, ctx.arg(1));
  Db::Slot s = k.FindRead();
  if (IsWrongType(ctx, s, ValueType::kSet)) return;
  ctx.reply().Integer(s && SetRead(s.entry).Contains(ctx.arg(2)) ? 1 : 0);
}

void CmdSMIsMember(CommandContext& ctx) {
  KeyAccess k(ctx, ctx.arg(1));
  Db::Slot s = k.FindRead();
  if (IsWrongType(ctx, s, ValueType::kSet)) return;
  ctx.reply().ArrayHeader(ctx.argc() - 2);
  for (size_t i = 2; i < ctx.argc(); ++i) ctx.reply().Integer(s && SetRead(s.entry).Contains(ctx.arg(i)) ? 1 : 0);
}

void CmdSCard(CommandContext& ctx) {
  KeyAccess k(ctx, ctx.arg(1));
  Db::Slot s = k.FindRead();
  if (IsWrongType(ctx, s, ValueType::kSet)) return;
  ctx.reply().Integer(s ? static_cast<int64_t>(SetRead(s.entry).size()) : 0);
}

// Picks `n` distinct random members (all of them when n >= size).
std::vector<std::string> DistinctRandomMembers(const SetRead& set, size_t n) {
  std::vector<std::string> all = set.Members();
  if (n >= all.size()) return all;
  auto& rng = ThreadRng();
  for (size_t i = 0; i < n; ++i) {
    size_t j = std::uniform_int_distribution<size_t>(i, all.size() - 1)(rng);
    std::swap(all[i], all[j]);
  }
  all.resize(n);
  return all;
}

// SPOP key [count]
void CmdSPop(CommandContext& ctx) {
  if (ctx.argc() > 3) return ctx.reply().Error(errors::kSyntax);
  int64_t count = 1;
  bool single = ctx.argc() == 2;
  if (!single) {
    auto c = PopCountArg(ctx, ctx.arg(2));
    if (!c) return;
    count = *c;
  }
  KeyAccess k(ctx, ctx.arg(1));
  Db::Slot s = k.FindWrite();
  if (IsWrongType(ctx, s, ValueType::kSet)) return;
  if (!s) return single ? ctx.reply().Null() : ctx.reply().SetHeader(0);
  std::vector<std::string> picked = DistinctRandomMembers(SetRead(s.entry), static_cast<size_t>(count));
  SetEdit set(k.db(), s, k.key(), k.hash(), Limits(ctx));
  for (const auto& m : picked) set.Remove(m);
  const bool emptied = set.size() == 0;
  set.Commit(ctx.now_ms());
  if (!picked.empty()) {
    ctx.Notify(kEventSet, "spop", k.key());
    if (emptied) ctx.Notify(kEventGeneric, "del", k.key());
  }
  Journal::CountChanges(picked.size());
  if (Journal* j = Journal::Active(); j && !picked.empty()) {
    // The random choice is recorded as its effect, so replay and replicas agree.
    std::vector<std::string> rec = {"SREM", std::string(k.key())};
    rec.insert(rec.end(), picked.begin(), picked.end());
    j->Substitute(std::move(rec));
  }
  if (single) return ctx.reply().Bulk(picked[0]);
  ctx.reply().SetHeader(picked.size());
  for (const auto& m : picked) ctx.reply().Bulk(m);
}

// SRANDMEMBER key [count]: negative count allows repeats.
void CmdSRandMember(CommandContext& ctx) {
  RandomCountArgs a;
  if (!ParseRandomCount(ctx, "", &a)) return;
  const bool single = a.single;
  const int64_t count = a.count;
  KeyAccess k(ctx, ctx.arg(1));
  Db::Slot s = k.FindRead();
  if (IsWrongType(ctx, s, ValueType::kSet)) return;
  if (!s) return single ? ctx.reply().Null() : ctx.reply().ArrayHeader(0);
  SetRead set(s.entry);
  if (single) return ctx.reply().Bulk(DistinctRandomMembers(set, 1)[0]);
  if (count >= 0) {
    auto picked = DistinctRandomMembers(set, static_cast<size_t>(count));
    ctx.reply().ArrayHeader(picked.size());
    for (const auto& m : picked) ctx.reply().Bulk(m);
    return;
  }
  std::vector<std::string> all = set.Members();
  uint64_t bytes = 0;
  for (const auto& m : all) bytes += m.size();
  if (!RepeatedRepliesFit(ctx, static_cast<uint64_t>(-count), bytes, all.size())) return;
  std::uniform_int_distribution<size_t> pick(0, all.size() - 1);
  ctx.reply().ArrayHeader(static_cast<size_t>(-count));
  for (int64_t i = 0; i < -count; ++i) ctx.reply().Bulk(all[pick(ThreadRng())]);
}

// SMOVE source destination member
void CmdSMove(CommandContext& ctx) {
  std::string_view src = ctx.arg(1), dst = ctx.arg(2), member = ctx.arg(3);
  std::string_view keys[] = {src, dst};
  MultiKeyAccess m(ctx, keys);
  Db::Slot s = m.FindWrite(src);
  Db::Slot d = m.FindWrite(dst);
  // A missing source answers 0 before any type is checked, the destination's included,
  // as Redis's smoveCommand.
  if (!s) return ctx.reply().Integer(0);
  if (IsWrongType(ctx, s, ValueType::kSet) || IsWrongType(ctx, d, ValueType::kSet)) return;
  if (src == dst) return ctx.reply().Integer(SetRead(s.entry).Contains(member) ? 1 : 0);
  uint64_t hs = HashKey(src), hd = HashKey(dst);
  SetEdit from(m.DbOf(hs), s, src, hs, Limits(ctx));
  if (!from.Remove(member)) return ctx.reply().Integer(0);
  const bool emptied = from.size() == 0;
  // Commit the source first: if it empties, its slot goes and the table may move.
  from.Commit(ctx.now_ms());
  ctx.Notify(kEventSet, "srem", src);
  if (emptied) ctx.Notify(kEventGeneric, "del", src);
  d = m.FindWrite(dst);
  SetEdit to(m.DbOf(hd), d, dst, hd, Limits(ctx));
  bool added = to.Add(member);
  to.Commit(ctx.now_ms());
  if (added) ctx.Notify(kEventSet, "sadd", dst);
  Journal::CountChanges(added ? 2 : 1);  // the removal, and the addition if new
  ctx.reply().Integer(1);
}

enum class SetOp { kInter, kUnion, kDiff };

// Computes the algebra over `keys` (missing keys are empty sets). Returns false after
// replying WRONGTYPE.
bool ComputeSetOp(CommandContext& ctx, MultiKeyAccess& m, std::span<const std::string_view> keys, SetOp op,
                  size_t limit, std::vector<std::string>* out) {
  std::vector<const Entry*> sets;
  for (std::string_view key : keys) {
    Db::Slot s = m.FindRead(key);
    if (IsWrongType(ctx, s, ValueType::kSet)) return false;
    sets.push_back(s ? s.entry : nullptr);
  }
  if (op == SetOp::kInter) {
    if (std::find(sets.begin(), sets.end(), nullptr) != sets.end()) return true;
    // Walk the smallest set, probe the others.
    std::sort(sets.begin(), sets.end(), [](const Entry* a, const Entry* b) { return SetRead(a).size() < SetRead(b).size(); });
    SetRead(sets[0]).ForEach([&](std::string_view mbr) {
      if (limit && out->size() >= limit) return;
      for (size_t i = 1; i < sets.size(); ++i) {
        if (!SetRead(sets[i]).Contains(mbr)) return;
      }
      out->emplace_back(mbr);
    });
    return true;
  }
  std::unordered_set<std::string> acc;
  if (op == SetOp::kUnion) {
    for (const Entry* e : sets) {
      if (e) SetRead(e).ForEach([&](std::string_view mbr) { acc.emplace(mbr); });
    }
  } else {
    if (sets[0] == nullptr) return true;
    SetRead(sets[0]).ForEach([&](std::string_view mbr) {
      for (size_t i = 1; i < sets.size(); ++i) {
        if (sets[i] && SetRead(sets[i]).Contains(mbr)) return;
      }
      acc.emplace(mbr);
    });
  }
  out->assign(acc.begin(), acc.end());
  return true;
}

// SINTER/SUNION/SDIFF key [key ...]
void SetOpCommand(CommandContext& ctx, SetOp op) {
  auto keys = ctx.args().subspan(1);
  MultiKeyAccess m(ctx, keys);
  std::vector<std::string> result;
  if (!ComputeSetOp(ctx, m, keys, op, 0, &result)) return;
  ctx.reply().SetHeader(result.size());
  for (const auto& r : result) ctx.reply().Bulk(r);
}
void CmdSInter(CommandContext& ctx) { SetOpCommand(ctx, SetOp::kInter); }
void CmdSUnion(CommandContext& ctx) { SetOpCommand(ctx, SetOp::kUnion); }
void CmdSDiff(CommandContext& ctx) { SetOpCommand(ctx, SetOp::kDiff); }

// SINTERSTORE/SUNIONSTORE/SDIFFSTORE destination key [key ...]
void SetOpStoreCommand(CommandContext& ctx, SetOp op) {
  auto all = ctx.args().subspan(1);
  auto keys = all.subspan(1);
  std::string_view dst = all[0];
  MultiKeyAccess m(ctx, all);
  std::vector<std::string> result;
  if (!ComputeSetOp(ctx, m, keys, op, 0, &result)) return;
  uint64_t hd = HashKey(dst);
  Db& db = m.DbOf(hd);
  Db::Slot d = db.Find(dst, hd, ctx.now_ms());
  if (d) db.EraseToOverwrite(d);  // the destination is overwritten whatever its type
  SetEdit out(db, Db::Slot{}, dst, hd, Limits(ctx));
  for (const auto& r : result) out.Add(r);
  out.Commit(ctx.now_ms());
  db.EndOverwrite();
  if (!result.empty()) {
    ctx.Notify(kEventSet, op == SetOp::kInter ? "sinterstore" : op == SetOp::kUnion ? "sunionstore" : "sdiffstore", dst);
  } else if (d) {
    ctx.Notify(kEventGeneric, "del", dst);
  }
  ctx.reply().Integer(static_cast<int64_t>(result.size()));
}
void CmdSInterStore(CommandContext& ctx) { SetOpStoreCommand(ctx, SetOp::kInter); }
void CmdSUnionStore(CommandContext& ctx) { SetOpStoreCommand(ctx, SetOp::kUnion); }
void CmdSDiffStore(CommandContext& ctx) { SetOpStoreCommand(ctx, SetOp::kDiff); }

// SINTERCARD numkeys key [key ...] [LIMIT limit]
void CmdSInterCard(CommandContext& ctx) {
  auto numkeys = ParseInt64(ctx.arg(1));
  if (!numkeys || *numkeys > INT_MAX) return ctx.reply().Error("ERR numkeys should be greater than 0");
  if (*numkeys <= 0) return ctx.reply().Error("ERR numkeys should be greater than 0");
  if (static_cast<size_t>(*numkeys) > ctx.argc() - 2) {
    return ctx.reply().Error("ERR Number of keys can't be greater than number of args");
  }
  size_t n = static_cast<size_t>(*numkeys);
  int64_t limit = 0;
  for (size_t i = 2 + n; i < ctx.argc(); i += 2) {
    if (EqualsIgnoreCase(ctx.arg(i), "LIMIT") && i + 1 < ctx.argc()) {
      auto l = ParseInt64(ctx.arg(i + 1));
      if (!l) return ctx.reply().Error("ERR LIMIT can't be negative");
      if (*l < 0) return ctx.reply().Error("ERR LIMIT can't be negative");
      limit = *l;
    } else {
      return ctx.reply().Error(errors::kSyntax);
    }
  }
  auto keys = ctx.args().subspan(2, n);
  MultiKeyAccess m(ctx, keys);
  std::vector<std::string> result;
  if (!ComputeSetOp(ctx, m, keys, SetOp::kInter, static_cast<size_t>(limit), &result)) return;
  ctx.reply().Integer(static_cast<int64_t>(result.size()));
}

// SSCAN key cursor [MATCH pattern] [COUNT count]
void CmdSScan(CommandContext& ctx) {
  auto cursor = ParseCursor(ctx.arg(2));
  if (!cursor) return ctx.reply().Error("ERR invalid cursor");
  KeyAccess k(ctx, ctx.arg(1));
  Db::Slot s = k.FindRead();
  if (IsWrongType(ctx, s, ValueType::kSet)) return;
  ScanOptions opt;
  if (s && !ParseScanOptions(ctx, 3, &opt)) return;
  std::vector<std::string> found;
  uint64_t pos = *cursor;
  auto take = [&](std::string_view mbr) {
    if (!opt.has_pattern || GlobMatch(opt.pattern, mbr)) found.emplace_back(mbr);
  };
  if (s && SetRead(s.entry).map()) {
    ScanTable(*SetRead(s.entry).map(), &pos, opt.count, found, [&](const PackedPair* p) { take(p->field()); });
  } else {
    if (s) SetRead(s.entry).ForEach(take);
    pos = 0;
  }
  ctx.reply().ArrayHeader(2);
  ctx.reply().Bulk(Int64ToString(static_cast<int64_t>(pos)));
  ctx.reply().ArrayHeader(found.size());
  for (const auto& f : found) ctx.reply().Bulk(f);
}

}  // namespace

constexpr TypeFamily kSetFamily{"set", "@set"};

void RegisterSetFamily(CommandTable* t) {
  const uint32_t r = kCmdReadOnly | kCmdFast, w = kCmdWrite | kCmdDenyOom;
  t->Register(kSetFamily.Spec("sadd", -3, w | kCmdFast, 1, 1, "Adds one or more members to a set. Creates the key if it doesn't exist.", "1.0.0", CmdSAdd, {"@write", "@fast"}));
  t->Register(kSetFamily.Spec("srem", -3, kCmdWrite | kCmdFast, 1, 1, "Removes one or more members from a set. Deletes the set if the last member was removed.", "1.0.0", CmdSRem, {"@write", "@fast"}));
  t->Register(kSetFamily.Spec("smembers", 2, kCmdReadOnly, 1, 1, "Returns all members of a set.", "1.0.0", CmdSMembers, {"@read", "@slow"}));
  t->Register(kSetFamily.Spec("sismember", 3, r, 1, 1, "Determines whether a member belongs to a set.", "1.0.0", CmdSIsMember, {"@read", "@fast"}));
  t->Register(kSetFamily.Spec("smismember", -3, r, 1, 1, "Determines whether multiple members belong to a set.", "6.2.0", CmdSMIsMember, {"@read", "@fast"}));
  t->Register(kSetFamily.Spec("scard", 2, r, 1, 1, "Returns the number of members in a set.", "1.0.0", CmdSCard, {"@read", "@fast"}));
  t->Register(kSetFamily.Spec("spop", -2, kCmdWrite | kCmdFast, 1, 1, "Returns one or more random members from a set after removing them. Deletes the set if the last member was popped.", "1.0.0", CmdSPop, {"@write", "@fast"}));
  t->Register(kSetFamily.Spec("srandmember", -2, kCmdReadOnly, 1, 1, "Get one or multiple random members from a set", "1.0.0", CmdSRandMember, {"@read", "@slow"}));
  t->Register(kSetFamily.Spec("smove", 4, kCmdWrite | kCmdFast, 1, 2, "Moves a member from one set to another.", "1.0.0", CmdSMove, {"@write", "@fast"}));
  t->Register(kSetFamily.Spec("sinter", -2, kCmdReadOnly, 1, -1, "Returns the intersect of multiple sets.", "1.0.0", CmdSInter, {"@read", "@slow"}));
  t->Register(kSetFamily.Spec("sunion", -2, kCmdReadOnly, 1, -1, "Returns the union of multiple sets.", "1.0.0", CmdSUnion, {"@read", "@slow"}));
  t->Register(kSetFamily.Spec("sdiff", -2, kCmdReadOnly, 1, -1, "Returns the difference of multiple sets.", "1.0.0", CmdSDiff, {"@read", "@slow"}));
  t->Register(kSetFamily.Spec("sinterstore", -3, w, 1, -1, "Stores the intersect of multiple sets in a key.", "1.0.0", CmdSInterStore, {"@write", "@slow"}));
  t->Register(kSetFamily.Spec("sunionstore", -3, w, 1, -1, "Stores the union of multiple sets in a key.", "1.0.0", CmdSUnionStore, {"@write", "@slow"}));
  t->Register(kSetFamily.Spec("sdiffstore", -3, w, 1, -1, "Stores the difference of multiple sets in a key.", "1.0.0", CmdSDiffStore, {"@write", "@slow"}));
  CommandSpec sintercard = kSetFamily.Spec("sintercard", -3, kCmdReadOnly, 0, 0, "Returns the number of members of the intersect of multiple sets.", "7.0.0", CmdSInterCard, {"@read", "@slow"});
  sintercard.numkeys_arg = 1;  // the keys follow numkeys (ACL checks them by it)
  t->Register(std::move(sintercard));
  t->Register(kSetFamily.Spec("sscan", -3, kCmdReadOnly, 1, 1, "Iterates over members of a set.", "2.6.0", CmdSScan, {"@read", "@slow"}));
}

}  // namespace minired
