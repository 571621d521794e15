// Per-client state. ClientInfo is what other threads may read (CLIENT LIST, CLIENT
// KILL, INFO): its fields are atomics or guarded by its mutex. Session is the state
// only the connection's own thread touches while running that client's commands.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "storage/journal.h"

namespace minired {

struct CommandSpec;
class ScriptScope;
struct WatchFlag;
struct Subscriber;
class BlockedClient;
class ReplicaFeed;
struct AclUser;

class PushInbox;

struct ClientInfo {
  uint64_t id = 0;
  std::string addr;   // "ip:port" of the peer
  std::string laddr;  // "ip:port" of our side
  int fd = -1;
  int64_t created_ms = 0;

  std::atomic<int64_t> last_interaction_ms{0};
  std::atomic<int> db{0};
  std::atomic<int> resp{2};
  std::atomic<const CommandSpec*> last_cmd{nullptr};
  std::atomic<size_t> query_buffer{0};
  std::atomic<size_t> query_buffer_free{0};
  std::atomic<size_t> output_buffer{0};
  std::atomic<size_t> output_memory{0};  // allocated for output (capacity kept between replies)
  std::atomic<bool> no_evict{false};
  // For CLIENT LIST: subscriptions, queued MULTI commands (-1 outside MULTI), blocked.
  std::atomic<int> sub{0};
  std::atomic<int> psub{0};
  std::atomic<int> multi{-1};
  std::atomic<bool> blocked{false};
  std::atomic<bool> paused{false};   // held back by CLIENT PAUSE
  std::atomic<bool> replica{false};  // sent PSYNC/SYNC: fed the replication stream
  std::atomic<bool> monitor{false};  // sent MONITOR
  // CLIENT TRACKING (server/client_tracking.h): TrackingFlag bits, the client its
  // invalidations go to (0: itself), and CLIENT CACHING's answer for the next command.
  std::atomic<uint32_t> tracking{0};
  std::atomic<uint64_t> tracking_redirect{0};
  std::atomic<bool> tracking_caching{false};
  // Where other threads queue this client's invalidations; set by its connection (null
  // for in-process sessions, which get none).
  std::shared_ptr<PushInbox> inbox;

  // CLIENT LIST/KILL TYPE: "replica", "pubsub" or "normal".
  const char* type() const {
    if (replica.load(std::memory_order_relaxed)) return "replica";
    if (sub.load(std::memory_order_relaxed) + psub.load(std::memory_order_relaxed) > 0) return "pubsub";
    return "normal";
  }

  // Asks the owning thread to close the connection; safe from any thread.
  std::function<void()> close;
  // CLIENT UNBLOCK: ends the blocking command this client waits in, as if it timed out
  // (or with -UNBLOCKED when `error`); false if it waits in none. Safe from any thread.
  std::function<bool(bool error)> unblock;

  std::string name() const {
    std::lock_guard<std::mutex> l(mu);
    return name_;
  }
  void set_name(std::string n) {
    std::lock_guard<std::mutex> l(mu);
    name_ = std::move(n);
  }
  std::string user() const {
    std::lock_guard<std::mutex> l(mu);
    return user_;
  }
  void set_user(std::string u) {
    std::lock_guard<std::mutex> l(mu);
    user_ = std::move(u);
  }
  std::string lib_name() const {
    std::lock_guard<std::mutex> l(mu);
    return lib_name_;
  }
  std::string lib_ver() const {
    std::lock_guard<std::mutex> l(mu);
    return lib_ver_;
  }
  void set_lib(std::string name, std::string ver, bool set_name, bool set_ver) {
    std::lock_guard<std::mutex> l(mu);
    if (set_name) lib_name_ = std::move(name);
    if (set_ver) lib_ver_ = std::move(ver);
  }

 private:
  mutable std::mutex mu;
  std::string name_;      // guarded by mu
  std::string user_ = "default";  // guarded by mu
  std::string lib_name_;  // guarded by mu
  std::string lib_ver_;   // guarded by mu
};

// What only the connection can do for a command: deliver pub/sub messages to it and
// park it while a blocking command waits. In-process sessions have none.
class ClientHooks {
 public:
  virtual ~ClientHooks() = default;
  // The endpoint PUBLISH delivers to (created on first use).
  virtual std::shared_ptr<Subscriber> subscriber() = 0;
  // Stops running this client's commands until `waiter` is served or times out
  // (timeout_ms 0: never).
  virtual void Block(std::shared_ptr<BlockedClient> waiter, int64_t timeout_ms) = 0;
  // PSYNC/SYNC: from now on this connection is a replica fed by `feed`; replies to its
  // commands (REPLCONF ACK) are not sent.
  virtual void AttachReplicaFeed(std::shared_ptr<ReplicaFeed> feed) = 0;
  // MONITOR: from now on every command the server runs is sent to this client. False
  // where that is not possible (a replica link).
  virtual bool StartMonitor() = 0;
  // The script this client runs is past busy-reply-threshold: serves, once, the input
  // that has come for the other clients of its I/O thread, which that script occupies
  // (they get -BUSY, or run SCRIPT KILL, FUNCTION KILL, SHUTDOWN NOSAVE...).
  virtual void ServeThreadWhileBusy() {}
};

// The parts of a session that each subsystem owns.

// MULTI/EXEC and WATCH (families/transaction_family.cc).
struct TransactionState {
  bool active = false;     // MULTI: commands are queued until EXEC
  bool failed = false;     // a command was refused while queuing: EXEC aborts
  bool executing = false;  // running EXEC's commands: blocking commands must not block
  std::vector<std::vector<std::string>> queued;
  // WATCH: the keys (db, key) and the flag any change to them raises.
  std::shared_ptr<WatchFlag> watch_flag;
  std::vector<std::pair<int, std::string>> watched;
};

// Pub/sub channels and patterns the client listens to (families/pubsub_family.cc).
struct Subscriptions {
  std::set<std::string> channels;
  std::set<std::string> patterns;
  size_t count() const { return channels.size() + patterns.size(); }
};

// A client that sent PSYNC/SYNC to this master: the feed it is sent and the port it
// announced with REPLCONF listening-port (replication.cc).
struct ReplicaState {
  std::shared_ptr<ReplicaFeed> feed;
  int listening_port = 0;
  bool minired_payload = false;  // REPLCONF capa minired: a minired replica
  bool functions_only = false;   // REPLCONF rdb-filter-only functions (redis-cli --functions-rdb)
};

// CLIENT REPLY: OFF discards every reply (and pub/sub message) until ON; SKIP drops the
// reply of the next command only (Redis's CLIENT_REPLY_SKIP_NEXT).
struct ReplyMode {
  bool off = false;
  bool skip_next = false;
};

// Who a command runs for; the dispatcher's checks depend on it (server/dispatcher.cc).
// A client's command passes every check. The log replayed at start-up and the master's
// stream were checked where they first ran: they skip the checks of who may write
// (auth, read-only replica, disk errors, memory), and run at the time they carry, so
// nothing expires by this server's clock while they apply. A script's calls pass the
// checks Redis makes inside scripts, with their texts.
enum class Origin : uint8_t {
  kClient,     // a connection, or an in-process caller standing for one
  kLogReplay,  // the append-only log replayed at start-up: not journaled, not counted
  kMaster,     // a replica applying its master's replication stream
  kScript,     // a script's redis.call: the checks and error texts of Redis's scriptCall
};

struct Session {
  ClientInfo* info = nullptr;  // outlives the session
  Origin origin = Origin::kClient;
  // Whether its commands were checked where they first ran (the log, the master).
  bool checked_at_source() const { return origin == Origin::kLogReplay || origin == Origin::kMaster; }
  // A read-only script's client (EVAL_RO, `no-writes`): its writes are refused.
  bool no_writes = false;
  // A script's client while memory was full when it started: commands that take memory
  // are refused until it wrote something (Redis's scriptVerifyOOM).
  bool deny_oom = false;
  // A script's client run under its declared keys' shards (or watched for going beyond
  // them): each call is admitted by it first (server/scripting/script_scope.h).
  ScriptScope* scope = nullptr;
  // Where a script's writes go (redis.set_repl): the log, the replicas, both or neither.
  uint8_t repl_targets = kReplToLog | kReplToReplicas;
  ClientHooks* hooks = nullptr;
  int db = 0;
  int resp = 2;
  bool close_after_reply = false;  // QUIT, CLIENT KILL of itself
  // Authenticated as the default user (AUTH, HELLO ... AUTH), or connected while no
  // password was required; commands without kCmdNoAuth need it while one is.
  bool authenticated = true;
  // The ACL user commands run as (a snapshot; looked up again when the registry's
  // version moves past acl_version), null for internal sessions (no checks).
  std::shared_ptr<const AclUser> user;
  uint64_t acl_version = 0;
  // Persistence: the journal entry of this client's latest write (its reply waits for
  // it to be durable under appendfsync always).
  uint64_t last_write_seq = 0;
  // A snapshot is taken once the running top-level command's entry is submitted
  // (FLUSHALL with save rules, as Redis saves after it).
  bool save_after_command = false;
  TransactionState tx;
  Subscriptions subs;
  ReplicaState replica;
  ReplyMode reply_mode;
};

}  // namespace minired
