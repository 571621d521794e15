// Blocking list commands: BLPOP BRPOP BLMOVE BRPOPLPUSH. See server/blocking.h for how
// waiters are registered and served.
#include <cmath>
#include <vector>

#include "server/blocking.h"
#include "server/command_table.h"
#include "server/families/arg_parsing.h"
#include "server/families/collection_util.h"
#include "server/families/families.h"
#include "server/families/list_value.h"
#include "server/families/spec.h"
#include "server/server.h"

namespace minired {

void NotifyListPush(CommandContext& ctx, std::string_view key, int db) {
  if (db < 0) db = ctx.db();
  if (ctx.server().blocking().HasWaiters(db, key)) MarkKeyReady(db, key);
}

namespace {

// Redis's getTimeoutFromObjectOrReply for seconds given as a float; 0 means forever.
std::optional<int64_t> TimeoutArg(CommandContext& ctx, std::string_view arg) {
  auto secs = ParseLongDouble(arg);
  if (!secs || std::isinf(*secs)) {
    ctx.reply().Error(errors::kTimeoutNotFloat);
    return std::nullopt;
  }
  if (*secs < 0) {
    ctx.reply().Error("ERR timeout is negative");
    return std::nullopt;
  }
  long double ms = *secs * 1000;
  if (ms > static_cast<long double>(INT64_MAX / 2)) {
    ctx.reply().Error("ERR timeout is out of range");
    return std::nullopt;
  }
  return static_cast<int64_t>(ms);
}

// Parks the client unless it runs inside EXEC (or in-process), where it replies nil.
void BlockOrNil(CommandContext& ctx, std::shared_ptr<BlockedClient> waiter, int64_t timeout_ms) {
  if (ctx.session().in_exec || ctx.session().hooks == nullptr) {
    return waiter->move ? ctx.reply().Null() : ctx.reply().NullArray();
  }
  ctx.server().blocking().Add(waiter);
  ctx.session().hooks->Block(std::move(waiter), timeout_ms);
}

// BLPOP/BRPOP key [key ...] timeout
void BlockingPop(CommandContext& ctx, ListEnd end) {
  auto timeout = TimeoutArg(ctx, ctx.arg(ctx.argc() - 1));
  if (!timeout) return;
  auto keys = ctx.args().subspan(1, ctx.argc() - 2);
  {
    MultiKeyAccess m(ctx, keys);
    for (std::string_view key : keys) {
      Db::Slot s = m.FindWrite(key);
      if (IsWrongType(ctx, s, ValueType::kList)) return;
      if (!s) continue;
      uint64_t h = HashKey(key);
      ListEdit l(m.DbOf(h), s, key, h, Limits(ctx));
      std::string element = std::move(PopElements(l.list(), end, 1)[0]);
      l.Commit(ctx.now_ms());
      ctx.reply().ArrayHeader(2);
      ctx.reply().Bulk(key);
      ctx.reply().Bulk(element);
      return;
    }
    auto waiter = std::make_shared<BlockedClient>();
    waiter->db = ctx.db();
    waiter->resp = ctx.session().resp;
    waiter->from = end;
    for (std::string_view key : keys) {
      if (std::find(waiter->keys.begin(), waiter->keys.end(), key) == waiter->keys.end()) waiter->keys.emplace_back(key);
    }
    BlockOrNil(ctx, std::move(waiter), *timeout);  // still under the keys' locks
  }
}
void CmdBLPop(CommandContext& ctx) { BlockingPop(ctx, ListEnd::kLeft); }
void CmdBRPop(CommandContext& ctx) { BlockingPop(ctx, ListEnd::kRight); }

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
  auto waiter = std::make_shared<BlockedClient>();
  waiter->db = ctx.db();
  waiter->resp = ctx.session().resp;
  waiter->keys.emplace_back(src);
  waiter->move = true;
  waiter->from = from;
  waiter->to = to;
  waiter->dst = std::string(dst);
  BlockOrNil(ctx, std::move(waiter), timeout_ms);
  return true;
}

// BLMOVE source destination LEFT | RIGHT LEFT | RIGHT timeout / BRPOPLPUSH source destination timeout
void BlockingMove(CommandContext& ctx, ListEnd from, ListEnd to, std::string_view timeout_arg) {
  auto timeout = TimeoutArg(ctx, timeout_arg);
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

CommandSpec Spec(const char* name, int arity, int first, int last, const char* summary, const char* since,
                 CommandHandler h) {
  return MakeSpec("list", name, arity, kCmdWrite | kCmdBlocking, first, last, 1, summary, since, h,
                  {"@list", "@write", "@slow", "@blocking"});
}

}  // namespace

void RegisterBlockingFamily(CommandTable* t) {
  t->Register(Spec("blpop", -3, 1, -2, "Removes and returns the first element in a list. Blocks until an element is available otherwise. Deletes the list if the last element was popped.", "2.0.0", CmdBLPop));
  t->Register(Spec("brpop", -3, 1, -2, "Removes and returns the last element in a list. Blocks until an element is available otherwise. Deletes the list if the last element was popped.", "2.0.0", CmdBRPop));
  t->Register(Spec("blmove", 6, 1, 2, "Pops an element from a list, pushes it to another list and returns it. Blocks until an element is available otherwise. Deletes the list if the last element was moved.", "6.2.0", CmdBLMove));
  t->Register(Spec("brpoplpush", 4, 1, 2, "Pops an element from a list, pushes it to another list and returns it. Block until an element is available otherwise. Deletes the list if the last element was popped.", "2.2.0", CmdBRPopLPush));
}

}  // namespace minired
