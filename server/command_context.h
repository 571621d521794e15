// What a command handler receives: its arguments, where to write the reply, the calling
// client's session, and the services of the server it may use (the keyspace, the
// configuration, the command table, blocking and pub/sub, nested calls).
//
// The data families (server/families/) reach the server only through this class, so
// they do not depend on it (server.h, asio); the commands that operate the server itself
// (server/admin/) use server() for everything else.
#pragma once

#include <memory>
#include <span>
#include <string_view>

#include "protocol/reply_writer.h"
#include "server/session.h"

namespace minired {

class Server;
class ShardSet;
class BlockingRegistry;
class PubSub;
class CommandTable;
class ScriptCache;
class FunctionRegistry;
class ScriptGate;
struct ServerConfig;
struct AclUser;

// A command in progress on a thread, and the command that runs it (EXEC for its queued
// commands; a script for its redis.call), null for one a client sent. Only a top-level
// command submits its journal entry and serves blocked clients; errors written into a
// caller's reply are the caller's to count (dispatcher.cc).
struct CallFrame {
  CallFrame* caller = nullptr;
  ReplyWriter* reply = nullptr;  // where this command replies
  uint64_t errors_in_calls = 0;  // errors the commands it ran wrote there (not its own)
  bool top_level() const { return caller == nullptr; }
};

class CommandContext {
 public:
  CommandContext(Server& server, Session& session, std::span<const std::string_view> args, ReplyWriter& reply,
                 int64_t now_ms, int thread = 0, CallFrame* frame = nullptr)
      : server_(server),
        session_(session),
        args_(args),
        reply_(reply),
        now_ms_(now_ms),
        thread_(thread),
        frame_(frame) {}

  std::span<const std::string_view> args() const { return args_; }
  std::string_view arg(size_t i) const { return args_[i]; }
  size_t argc() const { return args_.size(); }
  ReplyWriter& reply() { return reply_; }
  Session& session() { return session_; }
  int db() const { return session_.db; }
  // The command's time: one snapshot per command, so every key it looks at is judged
  // against the same instant (as Redis's commandTimeSnapshot).
  int64_t now_ms() const { return now_ms_; }
  // The I/O thread running the command (its statistics are charged).
  int thread() const { return thread_; }

  // Services (command_context.cc).
  ShardSet& shards();
  const ServerConfig& config();
  const CommandTable& commands();
  BlockingRegistry& blocking();
  PubSub& pubsub();
  // A keyspace notification (notify-keyspace-events): `event` of class `cls`
  // (keyspace_events.h) happened to `key` of the client's database, or of `db`. Call it
  // under the key's lock, where the change happened, so one key's events are published
  // in the order of its changes.
  void Notify(uint32_t cls, std::string_view event, std::string_view key);
  void Notify(uint32_t cls, std::string_view event, std::string_view key, int db);
  // FLUSHALL, FLUSHDB, SWAPDB: every key may have changed, so every tracking client is
  // told to drop its whole cache (a null invalidation). Call it under every shard lock.
  void InvalidateTrackedKeys();
  // Runs `args` for `session` through the dispatcher as a call nested in this command,
  // writing its reply to this command's writer (EXEC's queued commands) or to `reply`
  // (a script's redis.call, which converts it for the script).
  void Call(Session& session, std::span<const std::string_view> args);
  void Call(Session& session, std::span<const std::string_view> args, ReplyWriter& reply);
  // The scripts EVAL and SCRIPT LOAD have seen (server/scripting/script_cache.h).
  ScriptCache& scripts();
  // The function libraries (server/scripting/function_registry.h).
  FunctionRegistry& functions();
  // maxmemory is set and eviction cannot bring memory under it (Redis's script_oom).
  bool OutOfMemory();
  // Why a script that may write cannot run now (Redis's scriptPrepareForRun): this is a
  // read-only replica, or the disk refuses writes; empty when it can.
  std::string ScriptWriteRefusal();
  // Shows this call to MONITOR clients now: a script's command comes before the calls
  // it makes (it is flagged skip-monitor, so it is not shown after it ran).
  void FeedMonitors();
  // Who waits for a running script, and how it is killed (server/script_gate.h).
  ScriptGate& script_gate();
  // AUTH / HELLO AUTH succeeded: the client runs as `user` from now on.
  void LogIn(std::shared_ptr<const AclUser> user);
  // RESET: the client's transaction, watches, subscriptions and login are dropped.
  void ResetSession();

  // The server itself, for the commands that operate it (server/admin/).
  Server& server() { return server_; }

 private:
  Server& server_;
  Session& session_;
  std::span<const std::string_view> args_;
  ReplyWriter& reply_;
  int64_t now_ms_;
  int thread_;
  CallFrame* frame_;
};

}  // namespace minired
