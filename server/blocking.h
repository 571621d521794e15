// Clients parked by a blocking command, and how they are woken.
//
// A blocking command that finds nothing registers its BlockedClient here while it still
// holds the keys' shard locks, so a push cannot slip in between "empty" and "waiting".
// A command that pushes to a key with waiters, or puts a value they wait for there
// (NotifyKeyReady, under the shard lock), only records the key as ready; when that
// command has finished and released its locks, the dispatcher serves the ready keys
// (ServeReadyKeys): each key's waiters in arrival order (longest-waiting first), each
// served by its own Serve under fresh locks, until one finds the key empty. A waiter
// for another type than the key now holds is passed over. A waiter is claimed with one
// atomic transition, so it is served, timed out or cancelled (disconnect, CLIENT
// UNBLOCK) exactly once. Lock order: shard mutexes before the registry's.
//
// What a client waits for is the BlockedClient's own: the blocking pops
// (families/blocking_family.cc) wait on keys; WAIT (replication.cc) waits on replica
// acknowledgements and has no keys; stream reads (families/stream_read_family.cc) wait
// on keys for entries past an ID.
#pragma once

#include <atomic>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "protocol/reply_writer.h"
#include "storage/db.h"

namespace minired {

class CommandContext;
class Server;

class BlockedClient {
 public:
  enum State { kWaiting = 0, kServing = 1, kDone = 2 };
  // What serving a waiter from a ready key found.
  enum class Served {
    kServed,     // replied (and journaled what it changed)
    kEmpty,      // nothing there: the waiters after it are not tried either
    kNotForIt,   // the key holds nothing this one wants (another type, no entry past its
                 // stream ID): it goes on waiting and the next one is tried
  };

  virtual ~BlockedClient() = default;

  // How it is served once `key` is ready: `ctx` runs in the waiter's database and
  // protocol, with no locks held; Serve takes the locks it needs, writes the reply to
  // ctx.reply() and journals its change. Waiters without keys are never asked.
  virtual Served Serve(CommandContext& ctx, std::string_view key) = 0;
  // What its timeout (or CLIENT UNBLOCK ... TIMEOUT) answers: a null array unless the
  // command says otherwise (BLMOVE a null, WAIT its count).
  virtual void ReplyTimeout(ReplyWriter& w) { w.NullArray(); }

  // Takes the waiter from kWaiting; false when it is served, timed out or gone.
  bool Claim(State to_state) {
    int expected = kWaiting;
    return state.compare_exchange_strong(expected, to_state);
  }

  std::atomic<int> state{kWaiting};
  int db = 0;
  int resp = 2;
  std::vector<std::string> keys;  // what it waits on, in database `db`
  // Hands the reply to the client's connection (posted to its thread).
  std::function<void(std::string reply)> deliver;
};

void MarkKeyReady(int db, std::string_view key);

// A stream removed from a key that clients wait on marks the key ready on the removing
// thread (KeyspaceSignals, the keyspace's listener), so its group readers are answered
// -UNBLOCKED after that thread's command (or its active-expiry step, or its flush).
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
// Takes (and clears) this thread's ready keys, to be put back with RestoreReadyKeys:
// the clients a busy script's thread serves meanwhile must not serve the waiters of
// keys the script, still running, has pushed to.
std::vector<std::pair<int, std::string>> SetReadyKeysAside();
void RestoreReadyKeys(std::vector<std::pair<int, std::string>> keys);
// Serves the waiters of every ready key; the dispatcher calls it after each top-level
// command, with no shard locks held.
void ServeReadyKeys(Server& server);

}  // namespace minired
