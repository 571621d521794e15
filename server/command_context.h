// What a command handler receives: its arguments, where to write the reply, the
// calling client's session and the server it runs in.
#pragma once

#include <span>
#include <string_view>

#include "protocol/reply_writer.h"
#include "server/session.h"

namespace minired {

class Server;
class ShardSet;

class CommandContext {
 public:
  CommandContext(Server& server, Session& session, std::span<const std::string_view> args,
                 ReplyWriter& reply, int64_t now_ms, int thread = 0)
      : server_(server), session_(session), args_(args), reply_(reply), now_ms_(now_ms), thread_(thread) {}

  std::span<const std::string_view> args() const { return args_; }
  std::string_view arg(size_t i) const { return args_[i]; }
  size_t argc() const { return args_.size(); }
  ReplyWriter& reply() { return reply_; }
  Session& session() { return session_; }
  Server& server() { return server_; }
  ShardSet& shards();
  int db() const { return session_.db; }
  // The command's time: one snapshot per command, so every key it looks at is judged
  // against the same instant (as Redis's commandTimeSnapshot).
  int64_t now_ms() const { return now_ms_; }
  // The I/O thread running the command (its statistics are charged).
  int thread() const { return thread_; }

 private:
  Server& server_;
  Session& session_;
  std::span<const std::string_view> args_;
  ReplyWriter& reply_;
  int64_t now_ms_;
  int thread_;
};

}  // namespace minired
