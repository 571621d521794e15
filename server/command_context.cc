// The services CommandContext gives a handler, taken from the server it runs in.
#include "server/command_context.h"

#include "server/server.h"

namespace minired {

ShardSet& CommandContext::shards() { return server_.shards(); }
const ServerConfig& CommandContext::config() { return server_.config(); }
const CommandTable& CommandContext::commands() { return server_.commands(); }
BlockingRegistry& CommandContext::blocking() { return server_.blocking(); }
PubSub& CommandContext::pubsub() { return server_.pubsub(); }

void CommandContext::Call(Session& session, std::span<const std::string_view> args) { Call(session, args, reply_); }

void CommandContext::Call(Session& session, std::span<const std::string_view> args, ReplyWriter& reply) {
  server_.Execute(session, args, reply, thread_, frame_);
}

ScriptCache& CommandContext::scripts() { return server_.scripts(); }

void CommandContext::LogIn(std::shared_ptr<const AclUser> user) { server_.LogIn(session_, std::move(user)); }

void CommandContext::ResetSession() { server_.ResetSessionState(session_); }

}  // namespace minired
