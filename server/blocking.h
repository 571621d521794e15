// Clients blocked in BLPOP/BRPOP/BLMOVE/BLMPOP and BZPOPMIN/BZPOPMAX/BZMPOP, and how
// they are woken.
//
// A blocking command that finds nothing registers its BlockedClient here while it still
// holds the keys' shard locks, so a push cannot slip in between "empty" and "waiting".
// A command that pushes to a key with waiters, or puts a list or sorted set there
// (NotifyKeyReady, under the shard lock), only records the key as ready; when that
// command has finished and released its locks, the dispatcher serves the ready keys
// (ServeReadyKeys): each key's waiters in arrival order (longest-waiting first), popping
// for them under fresh locks, until the value is empty. A waiter for another type than
// the key now holds is passed over. A waiter is claimed with one atomic transition, so
// it is served, timed out or cancelled (disconnect) exactly once. Lock order: shard
// mutexes before the registry's.
#pragma once

#include <atomic>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "protocol/reply_writer.h"
#include "server/families/key_access.h"
#include "server/families/list_family.h"

namespace minired {

class Server;

// A type a blocked client may wait to pop from: a key that comes to hold one (a push,
// RENAME, SWAPDB...) is made ready.
inline bool Poppable(ValueType t) { return t == ValueType::kList || t == ValueType::kZSet; }

// What a pop takes and how it replies, whether it runs now or for a blocked client:
// lists (LMPOP, BLPOP, BLMPOP) or sorted sets (ZMPOP, BZPOPMIN, BZMPOP).
struct PopRequest {
  bool zset = false;
  ListEnd from = ListEnd::kLeft;  // lists
  bool max = false;               // sorted sets: the highest scores
  // Up to `count` elements replied as [key, [elements]] (the *MPOP commands); otherwise
  // one, replied as BLPOP or BZPOPMIN reply it.
  bool mpop = false;
  uint64_t count = 1;
};

// Pops per `req` from `key`, whose slot `s` in `db` holds a value of the request's type
// (under the caller's lock), and replies; returns how many elements it popped. The
// caller counts them as changes or not (a served waiter's are none).
size_t PopAndReply(CommandContext& ctx, Db& db, Db::Slot s, std::string_view key, const PopRequest& req);
// Pops per `req` from the first of `keys` (locked by `m`) that holds a value, counts the
// change and replies; false, with nothing replied, when none holds one. A key of
// another type gets WRONGTYPE (true).
bool PopFromFirst(CommandContext& ctx, MultiKeyAccess& m, std::span<const std::string_view> keys, const PopRequest& req);

struct BlockedClient {
  enum State { kWaiting = 0, kServing = 1, kDone = 2 };
  std::atomic<int> state{kWaiting};
  int db = 0;
  int resp = 2;
  std::vector<std::string> keys;
  PopRequest pop;     // what it waits to pop
  bool move = false;  // BLMOVE: moves one element from pop.from to `to` of `dst`
  std::string dst;
  ListEnd to = ListEnd::kLeft;
  // Hands the reply to the client's connection (posted to its thread).
  std::function<void(std::string reply)> deliver;
  // The reply when the timeout passes (WAIT answers its count); a null array if unset.
  std::function<void(ReplyWriter&)> timeout_reply;

  bool Claim(State to_state) {
    int expected = kWaiting;
    return state.compare_exchange_strong(expected, to_state);
  }
};

class BlockingRegistry {
 public:
  void Add(const std::shared_ptr<BlockedClient>& c);
  void Remove(const BlockedClient* c);
  // The clients waiting on (db, key), longest-waiting first.
  std::vector<std::shared_ptr<BlockedClient>> Waiters(int db, std::string_view key);
  bool HasWaiters(int db, std::string_view key);
  // The keys of database `db` that clients wait on.
  std::vector<std::string> WaitedKeys(int db);
  size_t blocked_clients() const { return count_.load(std::memory_order_relaxed); }

 private:
  std::mutex mu_;
  std::map<std::pair<int, std::string>, std::deque<std::shared_ptr<BlockedClient>>> waiting_;  // guarded by mu_
  std::atomic<size_t> count_{0};
};

// Keys made ready by the command running on this thread (NotifyKeyReady fills it).
void MarkKeyReady(int db, std::string_view key);
// Serves the waiters of every ready key; the dispatcher calls it after each top-level
// command, with no shard locks held.
void ServeReadyKeys(Server& server);

}  // namespace minired
