// Blocking pops: BLPOP BRPOP BLMOVE BRPOPLPUSH BLMPOP, BZPOPMIN BZPOPMAX BZMPOP. See
// server/blocking.h for how waiters are registered and served.
#include <algorithm>
#include <cmath>
#include <span>
#include <utility>
#include <vector>

#include "server/blocking.h"
#include "server/command_table.h"
#include "server/families/arg_parsing.h"
#include "server/families/collection_util.h"
#include "server/families/families.h"
#include "server/families/key_access.h"
#include "server/families/list_family.h"
#include "server/families/pop.h"
#include "server/families/spec.h"
#include "storage/journal.h"

namespace minired {

void NotifyKeyReady(CommandContext& ctx, std::string_view key, int db) {
  if (db < 0) db = ctx.db();
  if (ctx.blocking().HasWaiters(db, key)) MarkKeyReady(db, key);
}

namespace {

// A client in a blocking pop (BLPOP, BZPOPMIN, BLMPOP...) or move (BLMOVE, BRPOPLPUSH):
// it waits on keys for a list or sorted set, and is served by popping as its command
// would have. The journal records what it did as the non-blocking command.
class BlockedPop : public BlockedClient {
 public:
  PopRequest pop;     // what it waits to pop
  bool move = false;  // BLMOVE: moves one element from pop.from to `to` of `dst`
  std::string dst;
  ListEnd to = ListEnd::kLeft;

  // Its timeout answers a null array, BLMOVE's too, as Redis's timed-out list blocks.
  Served Serve(CommandContext& ctx, std::string_view key) override;
};

BlockedClient::Served BlockedPop::Serve(CommandContext& ctx, std::string_view key) {
  {
    KeyAccess k(ctx, key);
    Db::Slot s = k.FindWrite();
    if (!s) return Served::kEmpty;
    if (s.entry->type() != (pop.zset ? ValueType::kZSet : ValueType::kList)) return Served::kNotForIt;
    if (!move) {
      size_t n = PopAndReply(ctx, k.db(), s, key, pop);
      if (Journal* j = Journal::Active()) {
        std::string count = std::to_string(n);
        std::string_view rec[] = {pop.zset ? (pop.max ? "ZPOPMAX" : "ZPOPMIN") : (pop.from == ListEnd::kLeft ? "LPOP" : "RPOP"),
                                  key, count};
        j->AddCommand(db, rec);
      }
      return Served::kServed;
    }
  }
  auto moved = MoveElement(ctx, key, dst, pop.from, to);  // takes both keys' locks
  if (moved && !moved->has_value()) return Served::kEmpty;
  if (moved) ctx.reply().Bulk(**moved);  // else MoveElement replied the error
  if (Journal* j = Journal::Active(); j && moved) {
    std::string_view rec[] = {"LMOVE", key, dst, pop.from == ListEnd::kLeft ? "LEFT" : "RIGHT",
                              to == ListEnd::kLeft ? "LEFT" : "RIGHT"};
    j->AddCommand(db, rec);
  }
  return Served::kServed;
}

// Parks the client unless it runs inside EXEC (or in-process), where it replies nil.
void BlockOrNil(CommandContext& ctx, std::shared_ptr<BlockedPop> waiter, int64_t timeout_ms) {
  if (ctx.session().tx.executing || ctx.session().hooks == nullptr) {
    return waiter->move ? ctx.reply().Null() : ctx.reply().NullArray();  // as the non-blocking command
  }
  ctx.blocking().Add(waiter);
  ctx.session().hooks->Block(std::move(waiter), timeout_ms);
}

// Pops for `waiter` now from the first of `keys` that holds a value of its type, or
// parks it (under the keys' locks, so nothing can arrive in between).
void PopOrBlock(CommandContext& ctx, std::span<const std::string_view> keys, std::shared_ptr<BlockedPop> waiter,
                int64_t timeout_ms) {
  MultiKeyAccess m(ctx, keys);
  if (PopFromFirst(ctx, m, keys, waiter->pop)) return;
  waiter->db = ctx.db();
  waiter->resp = ctx.session().resp;
  for (std::string_view key : keys) {
    if (std::find(waiter->keys.begin(), waiter->keys.end(), key) == waiter->keys.end()) waiter->keys.emplace_back(key);
  }
  BlockOrNil(ctx, std::move(waiter), timeout_ms);
}

// BLPOP/BRPOP key [key ...] timeout, BZPOPMIN/BZPOPMAX key [key ...] timeout
void BlockingPop(CommandContext& ctx, PopRequest req) {
  auto timeout = BlockTimeoutArg(ctx, ctx.arg(ctx.argc() - 1), TimeoutUnit::kSeconds);
  if (!timeout) return;
  auto waiter = std::make_shared<BlockedPop>();
  waiter->pop = req;
  PopOrBlock(ctx, ctx.args().subspan(1, ctx.argc() - 2), std::move(waiter), *timeout);
}
void CmdBLPop(CommandContext& ctx) { BlockingPop(ctx, {.from = ListEnd::kLeft}); }
void CmdBRPop(CommandContext& ctx) { BlockingPop(ctx, {.from = ListEnd::kRight}); }
void CmdBZPopMin(CommandContext& ctx) { BlockingPop(ctx, {.zset = true, .max = false}); }
void CmdBZPopMax(CommandContext& ctx) { BlockingPop(ctx, {.zset = true, .max = true}); }

// BLMPOP timeout numkeys key [key ...] LEFT | RIGHT [COUNT count] / BZMPOP ... MIN | MAX:
// the arguments after the timeout are checked first, as Redis does.
void BlockingMPop(CommandContext& ctx, bool zset) {
  MPopArgs a;
  if (!ParseMPop(ctx, 2, zset ? "MIN" : "LEFT", zset ? "MAX" : "RIGHT", &a)) return;
  auto timeout = BlockTimeoutArg(ctx, ctx.arg(1), TimeoutUnit::kSeconds);
  if (!timeout) return;
  auto waiter = std::make_shared<BlockedPop>();
  waiter->pop = {.zset = zset,
                 .from = a.second_word ? ListEnd::kRight : ListEnd::kLeft,
                 .max = a.second_word,
                 .mpop = true,
                 .count = a.count};
  PopOrBlock(ctx, a.keys, std::move(waiter), *timeout);
}
void CmdBLMPop(CommandContext& ctx) { BlockingMPop(ctx, false); }
void CmdBZMPop(CommandContext& ctx) { BlockingMPop(ctx, true); }

enum class Attempt { kReplied, kEmpty };

// Moves an element now if the source has one. MoveElement takes the locks itself.
Attempt TryMove(CommandContext& ctx, ListEnd from, ListEnd to) {
  std::string_view src = ctx.arg(1), dst = ctx.arg(2);
  while (true) {
    {
      KeyAccess k(ctx, src);
      Db::Slot s = k.FindWrite();
      if (IsWrongType(ctx, s, ValueType::kList)) return Attempt::kReplied;
      if (!s) return Attempt::kEmpty;
    }
    auto moved = MoveElement(ctx, src, dst, from, to);
    if (!moved) return Attempt::kReplied;  // an error was replied
    if (moved->has_value()) {
      ctx.reply().Bulk(**moved);
      return Attempt::kReplied;
    }
    // Emptied by another client between the check and the move: look again.
  }
}

// Registers the waiter if the source is still empty, under its lock (no push can slip
// in between); false when an element arrived meanwhile.
bool BlockIfStillEmpty(CommandContext& ctx, ListEnd from, ListEnd to, int64_t timeout_ms) {
  std::string_view src = ctx.arg(1), dst = ctx.arg(2);
  KeyAccess k(ctx, src);
  if (k.FindWrite()) return false;
  auto waiter = std::make_shared<BlockedPop>();
  waiter->db = ctx.db();
  waiter->resp = ctx.session().resp;
  waiter->keys.emplace_back(src);
  waiter->move = true;
  waiter->pop.from = from;
  waiter->to = to;
  waiter->dst = std::string(dst);
  BlockOrNil(ctx, std::move(waiter), timeout_ms);
  return true;
}

// BLMOVE source destination LEFT | RIGHT LEFT | RIGHT timeout / BRPOPLPUSH source destination timeout
void BlockingMove(CommandContext& ctx, ListEnd from, ListEnd to, std::string_view timeout_arg) {
  auto timeout = BlockTimeoutArg(ctx, timeout_arg, TimeoutUnit::kSeconds);
  if (!timeout) return;
  while (TryMove(ctx, from, to) == Attempt::kEmpty) {
    if (BlockIfStillEmpty(ctx, from, to, *timeout)) return;
  }
}

void CmdBLMove(CommandContext& ctx) {
  auto from = ParseListEnd(ctx.arg(3)), to = ParseListEnd(ctx.arg(4));
  if (!from || !to) return ctx.reply().Error(errors::kSyntax);
  BlockingMove(ctx, *from, *to, ctx.arg(5));
}
void CmdBRPopLPush(CommandContext& ctx) { BlockingMove(ctx, ListEnd::kRight, ListEnd::kLeft, ctx.arg(3)); }

// `flags` beyond write and blocking, as Redis 7.0 gives them (BLPOP is noscript, BLMPOP
// is not; BZPOPMIN is fast).
CommandSpec Spec(const char* name, int arity, uint32_t flags, int first, int last, const char* summary,
                 const char* since, CommandHandler h, bool zset = false) {
  return MakeSpec(zset ? "sorted_set" : "list", name, arity, kCmdWrite | kCmdBlocking | flags, first, last, 1,
                  summary, since, h,
                  {zset ? "@sortedset" : "@list", "@write", (flags & kCmdFast) ? "@fast" : "@slow", "@blocking"});
}

}  // namespace

void RegisterBlockingFamily(CommandTable* t) {
  t->Register(Spec("blpop", -3, kCmdNoScript, 1, -2, "Removes and returns the first element in a list. Blocks until an element is available otherwise. Deletes the list if the last element was popped.", "2.0.0", CmdBLPop));
  t->Register(Spec("brpop", -3, kCmdNoScript, 1, -2, "Removes and returns the last element in a list. Blocks until an element is available otherwise. Deletes the list if the last element was popped.", "2.0.0", CmdBRPop));
  t->Register(Spec("blmove", 6, kCmdNoScript | kCmdDenyOom, 1, 2, "Pops an element from a list, pushes it to another list and returns it. Blocks until an element is available otherwise. Deletes the list if the last element was moved.", "6.2.0", CmdBLMove));
  t->Register(Spec("bzpopmin", -3, kCmdNoScript | kCmdFast, 1, -2, "Removes and returns the member with the lowest score from one or more sorted sets. Blocks until a member is available otherwise. Deletes the sorted set if the last element was popped.", "5.0.0", CmdBZPopMin, true));
  t->Register(Spec("bzpopmax", -3, kCmdNoScript | kCmdFast, 1, -2, "Removes and returns the member with the highest score from one or more sorted sets. Blocks until a member available otherwise.  Deletes the sorted set if the last element was popped.", "5.0.0", CmdBZPopMax, true));
  for (auto [name, zset] : {std::pair{"blmpop", false}, std::pair{"bzmpop", true}}) {
    CommandSpec spec = Spec(name, -5, 0, 0, 0, zset ? "Removes and returns a member by score from one or more sorted sets. Blocks until a member is available otherwise. Deletes the sorted set if the last element was popped." : "Pops the first element from one of multiple lists. Blocks until an element is available otherwise. Deletes the list if the last element was popped.", "7.0.0", zset ? CmdBZMPop : CmdBLMPop, zset);
    spec.numkeys_arg = 2;
    spec.numkeys_written = true;
    t->Register(std::move(spec));
  }
  t->Register(Spec("brpoplpush", 4, kCmdNoScript | kCmdDenyOom, 1, 2, "Pops an element from a list, pushes it to another list and returns it. Block until an element is available otherwise. Deletes the list if the last element was popped.", "2.2.0", CmdBRPopLPush));
}

}  // namespace minired
