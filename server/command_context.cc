// The services CommandContext gives a handler, taken from the server it runs in.
#include "server/command_context.h"

#include "server/evictor.h"
#include "server/persistence.h"
#include "server/replication.h"
#include "server/server.h"

namespace minired {

ShardSet& CommandContext::shards() { return server_.shards(); }
const ServerConfig& CommandContext::config() { return server_.config(); }
const CommandTable& CommandContext::commands() { return server_.commands(); }
BlockingRegistry& CommandContext::blocking() { return server_.blocking(); }
PubSub& CommandContext::pubsub() { return server_.pubsub(); }

void CommandContext::InvalidateTrackedKeys() { server_.tracking().InvalidateAll(); }

void CommandContext::Notify(uint32_t cls, std::string_view event, std::string_view key) {
  server_.notifier().Notify(cls, event, key, session_.db);
}

void CommandContext::Notify(uint32_t cls, std::string_view event, std::string_view key, int db) {
  server_.notifier().Notify(cls, event, key, db);
}

void CommandContext::Call(Session& session, std::span<const std::string_view> args) { Call(session, args, reply_); }

void CommandContext::Call(Session& session, std::span<const std::string_view> args, ReplyWriter& reply) {
  server_.Execute(session, args, reply, thread_, frame_);
}

ScriptCache& CommandContext::scripts() { return server_.scripts(); }
FunctionRegistry& CommandContext::functions() { return server_.functions(); }
ScriptGate& CommandContext::script_gate() { return server_.script_gate(); }
void CommandContext::FeedMonitors() { server_.FeedMonitors(session_, args_); }

bool CommandContext::OutOfMemory() {
  if (server_.config().eviction.maxmemory.load(std::memory_order_relaxed) == 0) return false;
  return server_.evictor().MakeRoom(thread_) == Evictor::Result::kFail;
}

std::string CommandContext::ScriptWriteRefusal() {
  if (!session_.checked_at_source() && server_.replication().is_replica() &&
      server_.config().replication.read_only.load(std::memory_order_relaxed)) {
    return "ERR Can not run script with write flag on readonly replica";
  }
  std::string why;
  Persistence* persistence = server_.persistence();
  if (persistence != nullptr && !server_.replication().is_replica() && !persistence->WritesAllowed(&why)) return why;
  return {};
}

void CommandContext::LogIn(std::shared_ptr<const AclUser> user) { server_.LogIn(session_, std::move(user)); }

void CommandContext::ResetSession() { server_.ResetSessionState(session_); }

}  // namespace minired
