// Lists: LPUSH RPUSH LPUSHX RPUSHX LPOP RPOP LLEN LRANGE LINDEX LSET LINSERT LREM LTRIM
// LPOS LMOVE RPOPLPUSH. The blocking variants are in blocking_family.cc.
#include <algorithm>
#include <climits>
#include <vector>

#include "server/families/pop.h"
#include "server/command_table.h"
#include "server/families/arg_parsing.h"
#include "server/families/collection_util.h"
#include "server/families/families.h"
#include "server/families/list_family.h"
#include "server/keyspace_events.h"
#include "storage/encodings/list_value.h"
#include "server/families/spec.h"

namespace minired {
void ReplyPopped(CommandContext& ctx, std::string_view key, const std::vector<std::string>& popped, bool mpop) {
  ctx.reply().ArrayHeader(2);
  ctx.reply().Bulk(key);
  if (!mpop) return ctx.reply().Bulk(popped[0]);
  ctx.reply().ArrayHeader(popped.size());
  for (const auto& e : popped) ctx.reply().Bulk(e);
}

namespace {

// LPUSH/RPUSH key element [element ...]; LPUSHX/RPUSHX only when the list exists.
void PushGeneric(CommandContext& ctx, ListEnd end, bool only_existing) {
  KeyAccess k(ctx, ctx.arg(1));
  Db::Slot s = k.FindWrite();
  if (IsWrongType(ctx, s, ValueType::kList)) return;
  if (!s && only_existing) return ctx.reply().Integer(0);
  const std::span<const std::string_view> elements = ctx.args().subspan(2);
  size_t len;
  if (!PushCompact(k.db(), s, k.key(), k.hash(), Limits(ctx), elements, end == ListEnd::kLeft, ctx.now_ms(), &len)) {
    ListEdit l(k.db(), s, k.key(), k.hash(), Limits(ctx));
    for (std::string_view e : elements) {
      if (end == ListEnd::kLeft) {
        l.list().PushFront(e);
      } else {
        l.list().PushBack(e);
      }
    }
    len = l.list().size();
    l.Commit(ctx.now_ms());
  }
  ctx.Notify(kEventList, end == ListEnd::kLeft ? "lpush" : "rpush", k.key());
  Journal::CountChanges(ctx.argc() - 2);
  ctx.reply().Integer(static_cast<int64_t>(len));
  NotifyKeyReady(ctx, k.key());
}
void CmdLPush(CommandContext& ctx) { PushGeneric(ctx, ListEnd::kLeft, false); }
void CmdRPush(CommandContext& ctx) { PushGeneric(ctx, ListEnd::kRight, false); }
void CmdLPushX(CommandContext& ctx) { PushGeneric(ctx, ListEnd::kLeft, true); }
void CmdRPushX(CommandContext& ctx) { PushGeneric(ctx, ListEnd::kRight, true); }

// LPOP/RPOP key [count]
void PopGeneric(CommandContext& ctx, ListEnd end) {
  if (ctx.argc() > 3) return ctx.reply().Error(errors::WrongArity(end == ListEnd::kLeft ? "lpop" : "rpop"));
  bool has_count = ctx.argc() == 3;
  int64_t count = 1;
  if (has_count) {
    auto c = PopCountArg(ctx, ctx.arg(2));
    if (!c) return;
    count = *c;
  }
  KeyAccess k(ctx, ctx.arg(1));
  Db::Slot s = k.FindWrite();
  if (IsWrongType(ctx, s, ValueType::kList)) return;
  if (!s) return has_count ? ctx.reply().NullArray() : ctx.reply().Null();
  if (has_count && count == 0) return ctx.reply().ArrayHeader(0);
  const std::vector<std::string> popped =
      PopListNotifying(ctx, k.db(), s, k.key(), k.hash(), end, static_cast<size_t>(count));
  Journal::CountChanges(popped.size());
  if (!has_count) return ctx.reply().Bulk(popped[0]);
  ctx.reply().ArrayHeader(popped.size());
  for (const auto& e : popped) ctx.reply().Bulk(e);
}
void CmdLPop(CommandContext& ctx) { PopGeneric(ctx, ListEnd::kLeft); }

void CmdRPop(CommandContext& ctx) { PopGeneric(ctx, ListEnd::kRight); }

// LMPOP numkeys key [key ...] LEFT | RIGHT [COUNT count]: pops from the first key that
// holds a list; replies [key, [elements]], or a null array when none does.
void CmdLMPop(CommandContext& ctx) {
  MPopArgs a;
  if (!ParseMPop(ctx, 1, "LEFT", "RIGHT", &a)) return;
  MultiKeyAccess m(ctx, a.keys);
  PopRequest req{.from = a.second_word ? ListEnd::kRight : ListEnd::kLeft, .mpop = true, .count = a.count};
  if (!PopFromFirst(ctx, m, a.keys, req)) ctx.reply().NullArray();
}

void CmdLLen(CommandContext& ctx) {
  KeyAccess k(ctx, ctx.arg(1));
  Db::Slot s = k.FindRead();
  if (IsWrongType(ctx, s, ValueType::kList)) return;
  ctx.reply().Integer(s ? static_cast<int64_t>(ListRead(s.entry).size()) : 0);
}

// LRANGE key start stop
void CmdLRange(CommandContext& ctx) {
  auto start = IntArg(ctx, ctx.arg(2));
  if (!start) return;
  auto stop = IntArg(ctx, ctx.arg(3));
  if (!stop) return;
  KeyAccess k(ctx, ctx.arg(1));
  Db::Slot s = k.FindRead();
  if (IsWrongType(ctx, s, ValueType::kList)) return;
  if (!s) return ctx.reply().ArrayHeader(0);
  ListRead l(s.entry);
  size_t from, to;
  if (!NormalizeRange(*start, *stop, l.size(), &from, &to)) return ctx.reply().ArrayHeader(0);
  ctx.reply().ArrayHeader(to - from + 1);
  l.ForRange(from, to, [&](std::string_view e) { ctx.reply().Bulk(e); });
}

// Resolves a possibly negative index; false when out of range.
bool ResolveIndex(int64_t index, size_t len, size_t* out) {
  if (index < 0) index += static_cast<int64_t>(len);
  if (index < 0 || index >= static_cast<int64_t>(len)) return false;
  *out = static_cast<size_t>(index);
  return true;
}

// LINDEX key index
void CmdLIndex(CommandContext& ctx) {
  auto index = IntArg(ctx, ctx.arg(2));
  if (!index) return;
  KeyAccess k(ctx, ctx.arg(1));
  Db::Slot s = k.FindRead();
  if (IsWrongType(ctx, s, ValueType::kList)) return;
  if (!s) return ctx.reply().Null();
  ListRead l(s.entry);
  size_t i;
  if (!ResolveIndex(*index, l.size(), &i)) return ctx.reply().Null();
  ctx.reply().Bulk(l.At(i));
}

// LSET key index element
void CmdLSet(CommandContext& ctx) {
  auto index = IntArg(ctx, ctx.arg(2));
  if (!index) return;
  KeyAccess k(ctx, ctx.arg(1));
  Db::Slot s = k.FindWrite();
  if (!s) return ctx.reply().Error(errors::kNoSuchKey);
  if (IsWrongType(ctx, s, ValueType::kList)) return;
  ListEdit l(k.db(), s, k.key(), k.hash(), Limits(ctx));
  size_t i;
  if (!ResolveIndex(*index, l.list().size(), &i)) return ctx.reply().Error("ERR index out of range");
  l.list().Set(i, ctx.arg(3));
  l.Commit(ctx.now_ms());
  ctx.Notify(kEventList, "lset", k.key());
  ctx.reply().Ok();
}

// LINSERT key BEFORE | AFTER pivot element
void CmdLInsert(CommandContext& ctx) {
  bool after;
  if (EqualsIgnoreCase(ctx.arg(2), "AFTER")) {
    after = true;
  } else if (EqualsIgnoreCase(ctx.arg(2), "BEFORE")) {
    after = false;
  } else {
    return ctx.reply().Error(errors::kSyntax);
  }
  KeyAccess k(ctx, ctx.arg(1));
  Db::Slot s = k.FindWrite();
  if (IsWrongType(ctx, s, ValueType::kList)) return;
  if (!s) return ctx.reply().Integer(0);
  ListEdit l(k.db(), s, k.key(), k.hash(), Limits(ctx));
  ListObject& list = l.list();
  size_t pivot = list.Find(ctx.arg(3));
  if (pivot == ListObject::npos) return ctx.reply().Integer(-1);
  list.Insert(after ? pivot + 1 : pivot, ctx.arg(4));
  int64_t len = static_cast<int64_t>(list.size());
  l.Commit(ctx.now_ms());
  ctx.Notify(kEventList, "linsert", k.key());
  ctx.reply().Integer(len);
}

// LREM key count element: count > 0 from the head, < 0 from the tail, 0 all.
void CmdLRem(CommandContext& ctx) {
  auto count = IntArg(ctx, ctx.arg(2));
  if (!count) return;
  KeyAccess k(ctx, ctx.arg(1));
  Db::Slot s = k.FindWrite();
  if (IsWrongType(ctx, s, ValueType::kList)) return;
  if (!s) return ctx.reply().Integer(0);
  ListEdit l(k.db(), s, k.key(), k.hash(), Limits(ctx));
  ListObject& list = l.list();
  std::string_view target = ctx.arg(3);
  const uint64_t limit = *count == 0 ? UINT64_MAX
                       : *count < 0 ? static_cast<uint64_t>(-(*count + 1)) + 1
                                    : static_cast<uint64_t>(*count);
  // One pass however many go: erasing each match from the middle was O(n) a match
  // (6 s for 100,000 of 200,000 elements, the shard held throughout).
  const auto removed = static_cast<int64_t>(list.RemoveMatches(target, limit, *count < 0));
  const bool emptied = list.empty();
  l.Commit(ctx.now_ms(), removed > 0);
  if (removed > 0) {
    ctx.Notify(kEventList, "lrem", k.key());
    if (emptied) ctx.Notify(kEventGeneric, "del", k.key());
  }
  Journal::CountChanges(removed);
  ctx.reply().Integer(removed);
}

// LTRIM key start stop
void CmdLTrim(CommandContext& ctx) {
  auto start = IntArg(ctx, ctx.arg(2));
  if (!start) return;
  auto stop = IntArg(ctx, ctx.arg(3));
  if (!stop) return;
  KeyAccess k(ctx, ctx.arg(1));
  Db::Slot s = k.FindWrite();
  if (IsWrongType(ctx, s, ValueType::kList)) return;
  if (!s) return ctx.reply().Ok();
  ListEdit l(k.db(), s, k.key(), k.hash(), Limits(ctx));
  ListObject& list = l.list();
  size_t from, to;
  size_t before = list.size();
  if (!NormalizeRange(*start, *stop, list.size(), &from, &to)) {
    list.Clear();
  } else {
    list.EraseBack(list.size() - 1 - to);
    list.EraseFront(from);
  }
  Journal::CountChanges(before - list.size());
  const bool emptied = list.empty();
  l.Commit(ctx.now_ms(), list.size() != before);
  ctx.Notify(kEventList, "ltrim", k.key());
  if (emptied) ctx.Notify(kEventGeneric, "del", k.key());
  ctx.reply().Ok();
}

// LPOS key element [RANK rank] [COUNT num-matches] [MAXLEN len]
void CmdLPos(CommandContext& ctx) {
  int64_t rank = 1, count = -1, maxlen = 0;
  for (size_t i = 3; i < ctx.argc(); i += 2) {
    if (i + 1 >= ctx.argc()) return ctx.reply().Error(errors::kSyntax);
    std::string_view opt = ctx.arg(i);
    auto v = IntArg(ctx, ctx.arg(i + 1));
    if (!v) return;
    if (EqualsIgnoreCase(opt, "RANK")) {
      if (*v == 0 || *v == LLONG_MIN) {
        return ctx.reply().Error(*v == 0 ? "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list"
                                         : "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807");
      }
      rank = *v;
    } else if (EqualsIgnoreCase(opt, "COUNT")) {
      if (*v < 0) return ctx.reply().Error("ERR COUNT can't be negative");
      count = *v;
    } else if (EqualsIgnoreCase(opt, "MAXLEN")) {
      if (*v < 0) return ctx.reply().Error("ERR MAXLEN can't be negative");
      maxlen = *v;
    } else {
      return ctx.reply().Error(errors::kSyntax);
    }
  }
  KeyAccess k(ctx, ctx.arg(1));
  Db::Slot s = k.FindRead();
  if (IsWrongType(ctx, s, ValueType::kList)) return;
  if (!s) return count >= 0 ? ctx.reply().ArrayHeader(0) : ctx.reply().Null();
  ListRead l(s.entry);
  const size_t len = l.size();
  std::vector<int64_t> matches;
  const std::string_view target = ctx.arg(2);
  const int64_t skip = (rank > 0 ? rank : -rank) - 1;
  const uint64_t want = count == 0 ? UINT64_MAX : (count < 0 ? 1 : static_cast<uint64_t>(count));
  const size_t scan = maxlen == 0 ? len : std::min(len, static_cast<size_t>(maxlen));
  // The indexes that hold the element within the MAXLEN elements scanned from the
  // rank's end, in the order of the scan (a number in a big list is read into a buffer
  // that lasts for its visit only: keep indexes, not views).
  std::vector<size_t> found;
  const size_t lo = rank > 0 ? 0 : len - scan;
  if (scan > 0) {
    size_t i = lo;
    l.ForRange(lo, lo + scan - 1, [&](std::string_view e) {
      if (e == target) found.push_back(i);
      ++i;
    });
  }
  if (rank < 0) std::reverse(found.begin(), found.end());
  for (size_t n = static_cast<size_t>(skip); n < found.size() && matches.size() < want; ++n) {
    matches.push_back(static_cast<int64_t>(found[n]));
  }
  if (count < 0) return matches.empty() ? ctx.reply().Null() : ctx.reply().Integer(matches[0]);
  ctx.reply().ArrayHeader(matches.size());
  for (int64_t m : matches) ctx.reply().Integer(m);
}

// LMOVE source destination LEFT | RIGHT LEFT | RIGHT / RPOPLPUSH source destination
void MoveCommand(CommandContext& ctx, ListEnd from, ListEnd to) {
  auto moved = MoveElement(ctx, ctx.arg(1), ctx.arg(2), from, to);
  if (!moved) return;  // an error was replied
  moved->has_value() ? ctx.reply().Bulk(**moved) : ctx.reply().Null();
}

void CmdLMove(CommandContext& ctx) {
  auto from = ParseListEnd(ctx.arg(3)), to = ParseListEnd(ctx.arg(4));
  if (!from || !to) return ctx.reply().Error(errors::kSyntax);
  MoveCommand(ctx, *from, *to);
}
void CmdRPopLPush(CommandContext& ctx) { MoveCommand(ctx, ListEnd::kRight, ListEnd::kLeft); }

}  // namespace

std::optional<ListEnd> ParseListEnd(std::string_view s) {
  if (EqualsIgnoreCase(s, "LEFT")) return ListEnd::kLeft;
  if (EqualsIgnoreCase(s, "RIGHT")) return ListEnd::kRight;
  return std::nullopt;
}

std::optional<std::optional<std::string>> MoveElement(CommandContext& ctx, std::string_view src,
                                                      std::string_view dst, ListEnd from, ListEnd to) {
  std::string_view keys[] = {src, dst};
  MultiKeyAccess m(ctx, keys);
  Db::Slot s = m.FindWrite(src);
  if (IsWrongType(ctx, s, ValueType::kList)) return std::nullopt;
  if (!s) return std::optional<std::string>();
  Db::Slot d = m.FindWrite(dst);
  if (IsWrongType(ctx, d, ValueType::kList)) return std::nullopt;
  uint64_t hs = HashKey(src), hd = HashKey(dst);
  std::string element;
  auto push = [&](ListObject& list) {
    if (to == ListEnd::kLeft) {
      list.PushFront(element);
    } else {
      list.PushBack(element);
    }
  };
  const char* push_event = to == ListEnd::kLeft ? "lpush" : "rpush";
  const char* pop_event = from == ListEnd::kLeft ? "lpop" : "rpop";
  if (src == dst) {
    // A rotation: the list never empties, so the key is neither deleted nor created.
    ListEdit l(m.DbOf(hs), s, src, hs, Limits(ctx));
    element = from == ListEnd::kLeft ? l.list().PopFront() : l.list().PopBack();
    push(l.list());
    l.Commit(ctx.now_ms());
    ctx.Notify(kEventList, push_event, dst);
    ctx.Notify(kEventList, pop_event, src);
    NotifyKeyReady(ctx, dst);
    return std::optional<std::string>(std::move(element));
  }
  // A reliable queue's move (RPOPLPUSH, BLMOVE) between short lists: the pop cuts the
  // source's blob and the push adds to the destination's.
  bool emptied;
  element = std::move(
      PopList(m.DbOf(hs), s, src, hs, Limits(ctx), from == ListEnd::kLeft, 1, ctx.now_ms(), &emptied)[0]);
  d = m.FindWrite(dst);  // the source's commit may have moved slots
  const std::string_view pushed[] = {element};
  size_t len;
  if (!PushCompact(m.DbOf(hd), d, dst, hd, Limits(ctx), pushed, to == ListEnd::kLeft, ctx.now_ms(), &len)) {
    ListEdit l(m.DbOf(hd), d, dst, hd, Limits(ctx));
    push(l.list());
    l.Commit(ctx.now_ms());
  }
  // In Redis's order: the push, then the pop and the source's deletion.
  ctx.Notify(kEventList, push_event, dst);
  ctx.Notify(kEventList, pop_event, src);
  if (emptied) ctx.Notify(kEventGeneric, "del", src);
  NotifyKeyReady(ctx, dst);
  return std::optional<std::string>(std::move(element));
}

constexpr TypeFamily kListFamily{"list", "@list"};

void RegisterListFamily(CommandTable* t) {
  const uint32_t w = kCmdWrite | kCmdDenyOom | kCmdFast;
  t->Register(kListFamily.Spec("lpush", -3, w, 1, 1, "Prepends one or more elements to a list. Creates the key if it doesn't exist.", "1.0.0", CmdLPush, {"@write", "@fast"}));
  t->Register(kListFamily.Spec("rpush", -3, w, 1, 1, "Appends one or more elements to a list. Creates the key if it doesn't exist.", "1.0.0", CmdRPush, {"@write", "@fast"}));
  t->Register(kListFamily.Spec("lpushx", -3, w, 1, 1, "Prepends one or more elements to a list only when the list exists.", "2.2.0", CmdLPushX, {"@write", "@fast"}));
  t->Register(kListFamily.Spec("rpushx", -3, w, 1, 1, "Appends an element to a list only when the list exists.", "2.2.0", CmdRPushX, {"@write", "@fast"}));
  t->Register(kListFamily.Spec("lpop", -2, kCmdWrite | kCmdFast, 1, 1, "Returns the first elements in a list after removing it. Deletes the list if the last element was popped.", "1.0.0", CmdLPop, {"@write", "@fast"}));
  t->Register(kListFamily.Spec("rpop", -2, kCmdWrite | kCmdFast, 1, 1, "Returns and removes the last elements of a list. Deletes the list if the last element was popped.", "1.0.0", CmdRPop, {"@write", "@fast"}));
  CommandSpec lmpop = kListFamily.Spec("lmpop", -4, kCmdWrite, 0, 0, "Returns multiple elements from a list after removing them. Deletes the list if the last element was popped.", "7.0.0", CmdLMPop, {"@write", "@slow"});
  lmpop.numkeys_arg = 1;
  lmpop.numkeys_written = true;
  t->Register(std::move(lmpop));
  t->Register(kListFamily.Spec("llen", 2, kCmdReadOnly | kCmdFast, 1, 1, "Returns the length of a list.", "1.0.0", CmdLLen, {"@read", "@fast"}));
  t->Register(kListFamily.Spec("lrange", 4, kCmdReadOnly, 1, 1, "Returns a range of elements from a list.", "1.0.0", CmdLRange, {"@read", "@slow"}));
  t->Register(kListFamily.Spec("lindex", 3, kCmdReadOnly, 1, 1, "Returns an element from a list by its index.", "1.0.0", CmdLIndex, {"@read", "@slow"}));
  t->Register(kListFamily.Spec("lset", 4, kCmdWrite | kCmdDenyOom, 1, 1, "Sets the value of an element in a list by its index.", "1.0.0", CmdLSet, {"@write", "@slow"}));
  t->Register(kListFamily.Spec("linsert", 5, kCmdWrite | kCmdDenyOom, 1, 1, "Inserts an element before or after another element in a list.", "2.2.0", CmdLInsert, {"@write", "@slow"}));
  t->Register(kListFamily.Spec("lrem", 4, kCmdWrite, 1, 1, "Removes elements from a list. Deletes the list if the last element was removed.", "1.0.0", CmdLRem, {"@write", "@slow"}));
  t->Register(kListFamily.Spec("ltrim", 4, kCmdWrite, 1, 1, "Removes elements from both ends a list. Deletes the list if all elements were trimmed.", "1.0.0", CmdLTrim, {"@write", "@slow"}));
  t->Register(kListFamily.Spec("lpos", -3, kCmdReadOnly, 1, 1, "Returns the index of matching elements in a list.", "6.0.6", CmdLPos, {"@read", "@slow"}));
  t->Register(kListFamily.Spec("lmove", 5, kCmdWrite | kCmdDenyOom, 1, 2, "Returns an element after popping it from one list and pushing it to another. Deletes the list if the last element was moved.", "6.2.0", CmdLMove, {"@write", "@slow"}));
  t->Register(kListFamily.Spec("rpoplpush", 3, kCmdWrite | kCmdDenyOom, 1, 2, "Returns the last element of a list after removing and pushing it to another list. Deletes the list if the last element was popped.", "1.2.0", CmdRPopLPush, {"@write", "@slow"}));
}

}  // namespace minired
