// Blocking convenience API for tools and tests: a Connection driven by its own I/O
// thread, each call waiting for its result. Thread-safe; concurrent calls from several
// threads share the connection and are batched together.
//
//   auto c = SyncClient::Connect("redis://127.0.0.1:6379/0");
//   if (!c) { fmt::print("{}\n", c.error().ToString()); return 1; }
//   (*c)->exec(cmd::set("greeting", "hello"));
#pragma once

#include <asio/executor_work_guard.hpp>
#include <asio/io_context.hpp>
#include <asio/use_future.hpp>
#include <memory>
#include <string_view>
#include <thread>
#include <vector>

#include "minired/commands.h"
#include "minired/connection.h"

namespace minired::client {

// An io_context run by `threads` threads until destroyed, for code that is not
// itself asynchronous (tools, tests, the benchmark's client threads).
class IoThread {
 public:
  explicit IoThread(int threads = 1);
  ~IoThread();
  IoThread(const IoThread&) = delete;
  IoThread& operator=(const IoThread&) = delete;
  asio::io_context& context() { return ctx_; }
  asio::any_io_executor executor() { return ctx_.get_executor(); }

 private:
  asio::io_context ctx_;
  asio::executor_work_guard<asio::io_context::executor_type> work_;
  std::vector<std::thread> threads_;
};

class SyncClient {
 public:
  // Connects and waits for the handshake; the error when that first attempt fails.
  static Result<std::unique_ptr<SyncClient>> Connect(Options options);
  // "host:port" or "redis://[user:password@]host:port/db".
  static Result<std::unique_ptr<SyncClient>> Connect(std::string_view address);
  ~SyncClient();

  Result<Reply> command(const Command& c) { return exec(Typed<Reply>{c}); }
  template <typename... Args>
  Result<Reply> command(std::string_view name, const Args&... args) {
    return command(Command(name, args...));
  }
  template <typename T>
  Result<T> exec(Typed<T> typed) {
    return conn_->async_exec(std::move(typed), asio::use_future).get();
  }
  // `script` by its SHA1, its body sent only when the server lacks it (commands.h).
  Result<Reply> eval(const Script& script, std::span<const std::string> keys = {},
                     std::span<const std::string> args = {}) {
    return conn_->async_eval(script, keys, args, asio::use_future).get();
  }
  Result<std::vector<Reply>> pipeline(const Pipeline& p) {
    return conn_->async_pipeline(p, asio::use_future).get();
  }
  Result<std::optional<std::vector<Reply>>> transaction(const Pipeline& p) {
    return conn_->async_transaction(p, asio::use_future).get();
  }

  Connection& connection() { return *conn_; }
  const std::shared_ptr<Connection>& shared_connection() { return conn_; }

 private:
  SyncClient() = default;
  std::unique_ptr<IoThread> io_;
  std::shared_ptr<Connection> conn_;
};

}  // namespace minired::client
