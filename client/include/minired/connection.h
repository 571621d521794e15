// One multiplexed connection to a minired or Redis server, asynchronous on Asio.
//
// Any thread may issue calls at any time; they are queued, written in batches (calls
// made while a write is in flight go out together in the next one) and their replies
// matched in order. Each call completes exactly once, with a Result: the reply, a
// server error, a connection error, or a timeout. Completion tokens make the same call
// usable with a callback, `asio::use_future` or `asio::use_awaitable`:
//
//   conn->async_exec(cmd::get("product:1"), [](Result<std::optional<std::string>> r) {...});
//   auto r = co_await conn->async_exec(cmd::incr("hits"), asio::use_awaitable);
//
// Threading: all state lives on a strand of the given executor; handlers run on their
// own associated executor, or on that strand. Lifetime: the connection's pending I/O
// holds a reference to it, so it lives until Close() (SyncClient, Pool and Subscriber
// close theirs when destroyed).
#pragma once

#include <asio/any_io_executor.hpp>
#include <asio/associated_executor.hpp>
#include <asio/async_result.hpp>
#include <asio/dispatch.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/steady_timer.hpp>
#include <asio/system_executor.hpp>
#include <asio/strand.hpp>
#include <atomic>
#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <type_traits>
#include <string>
#include <vector>

#include "minired/command.h"
#include "minired/commands.h"
#include "minired/detail/unique_function.h"
#include "minired/error.h"
#include "minired/options.h"
#include "minired/reply.h"
#include "protocol/reply_parser.h"

namespace minired::client {

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  enum class State { kIdle, kConnecting, kReady, kBackoff, kClosed };
  using executor_type = asio::any_io_executor;
  using ReplyCallback = detail::UniqueFunction<void(Result<Reply>)>;

  static std::shared_ptr<Connection> Create(asio::any_io_executor ex, Options options);
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection();

  executor_type get_executor() const { return strand_; }
  const Options& options() const { return options_; }
  State state() const { return state_.load(std::memory_order_acquire); }
  // Connections made so far (1 after the first, more after reconnects).
  uint64_t connects() const { return connects_.load(std::memory_order_relaxed); }

  // Starts connecting if idle; completes with Ok when the connection is ready (the
  // handshake done), or with the error of the attempt. Signature: void(Result<Ok>).
  template <typename Token>
  auto async_connect(Token&& token) {
    return asio::async_initiate<Token, void(Result<Ok>)>(
        [self = shared_from_this()](auto handler) {
          self->WaitReady(self->BindPlain<Ok>(std::move(handler)));
        },
        token);
  }

  // Any command; a server error reply completes with Error::kServer.
  // Signature: void(Result<Reply>).
  template <typename Token>
  auto async_command(Command cmd, Token&& token) {
    return async_exec(Typed<Reply>{std::move(cmd)}, std::forward<Token>(token));
  }

  // A typed command from commands.h. Signature: void(Result<T>).
  template <typename T, typename Token>
  auto async_exec(Typed<T> typed, Token&& token) {
    return asio::async_initiate<Token, void(Result<T>)>(
        [self = shared_from_this()](auto handler, Command cmd) {
          self->Submit(cmd.bytes(), 1, self->Bind<T>(std::move(handler), &ReplyAs<T>));
        },
        token, std::move(typed.command));
  }

  // Runs `script` by its SHA1, sending its body only when the server answers NOSCRIPT
  // (commands.h, Script). A server error completes with Error::kServer.
  // Signature: void(Result<Reply>).
  template <typename Token>
  auto async_eval(const Script& script, std::span<const std::string> keys, std::span<const std::string> args,
                  Token&& token) {
    return asio::async_initiate<Token, void(Result<Reply>)>(
        [self = shared_from_this()](auto handler, Command evalsha, Command eval) {
          ReplyCallback done = self->Bind<Reply>(std::move(handler), &ReplyAs<Reply>);
          self->Submit(evalsha.bytes(), 1,
                       [self, eval = std::move(eval), done = std::move(done)](Result<Reply> r) mutable {
                         if (r.ok() && r.value().is_error() && r.value().str.rfind("NOSCRIPT", 0) == 0) {
                           self->Submit(eval.bytes(), 1, std::move(done));
                           return;
                         }
                         done(std::move(r));
                       });
        },
        token, script.EvalSha(keys, args), script.Eval(keys, args));
  }

  // Every command of `p` in one write; the replies in order (server errors stay
  // in the vector as error replies). Signature: void(Result<std::vector<Reply>>).
  template <typename Token>
  auto async_pipeline(const Pipeline& p, Token&& token) {
    return asio::async_initiate<Token, void(Result<std::vector<Reply>>)>(
        [self = shared_from_this()](auto handler, std::string bytes, size_t count) {
          self->Submit(bytes, count,
                       self->Bind<std::vector<Reply>>(std::move(handler), &PipelineReplies), true);
        },
        token, p.bytes(), p.size());
  }

  // MULTI, the commands of `p`, EXEC, sent together so no other caller's command can
  // fall between them. Completes with EXEC's replies, nullopt when a WATCHed key
  // changed (use WATCH only on a connection of your own, e.g. a Pool lease), or the
  // error (EXECABORT when a command was rejected while queuing).
  // Signature: void(Result<std::optional<std::vector<Reply>>>).
  template <typename Token>
  auto async_transaction(const Pipeline& p, Token&& token) {
    using T = std::optional<std::vector<Reply>>;
    return asio::async_initiate<Token, void(Result<T>)>(
        [self = shared_from_this()](auto handler, std::string bytes, size_t count) {
          self->Submit(bytes, count, self->Bind<T>(std::move(handler), &TransactionReplies), true);
        },
        token, Command("MULTI").bytes() + p.bytes() + Command("EXEC").bytes(), p.size() + 2);
  }

  // Fails every pending call with Error::kClosed and stops reconnecting. Idempotent.
  void Close();

  // --- Lower level: used by the templates above and by Subscriber. ---

  // Queues `bytes` holding `count` commands; `done` gets their reply, or (collect)
  // an array of their `count` replies, or the error. Count 0 without collect expects
  // no reply (a subscriber's SUBSCRIBE).
  void Submit(std::string_view bytes, size_t count, ReplyCallback done, bool collect = false);
  // Replies nobody waits for: RESP3 pushes, and (for a subscriber) every reply that
  // arrives with no call pending. Set before connecting; runs on the strand.
  void SetPushHandler(std::function<void(Reply&&)> handler) { push_handler_ = std::move(handler); }
  // Runs on the strand with true each time a connection becomes ready, and with false
  // when it is lost (a subscriber resubscribes, and fails what it waited for).
  void SetLinkHandler(std::function<void(bool up)> handler) { link_handler_ = std::move(handler); }
  void WaitReady(detail::UniqueFunction<void(Result<Ok>)> done);

 private:
  struct Link;
  struct Pending {
    ReplyCallback done;
    size_t count;
    bool collect;
    std::chrono::steady_clock::time_point deadline;
    bool finished = false;          // timed out; its late reply is dropped
    std::vector<Reply> collected;   // the replies of a multi-command call so far
  };

  Connection(asio::any_io_executor ex, Options options);

  // Completes `h` with `r` on its associated executor. A handler without one (a
  // plain callback) runs right here on the strand, with no dispatch cost.
  template <typename Handler, typename T>
  static void Complete(Handler& h, const Connection* self, Result<T>&& r) {
    if constexpr (std::is_same_v<asio::associated_executor_t<Handler, asio::system_executor>,
                                 asio::system_executor>) {
      std::move(h)(std::move(r));
    } else {
      auto hex = asio::get_associated_executor(h, self->get_executor());
      asio::dispatch(hex, [h = std::move(h), r = std::move(r)]() mutable { std::move(h)(std::move(r)); });
    }
  }
  // Wraps a completion handler: converts the reply, then completes it.
  template <typename T, typename Handler>
  ReplyCallback Bind(Handler handler, Result<T> (*convert)(Reply&&)) {
    return [h = std::move(handler), convert, self = this](Result<Reply> r) mutable {
      Complete(h, self, r.ok() ? convert(std::move(r).value()) : Result<T>(r.error()));
    };
  }
  template <typename T, typename Handler>
  detail::UniqueFunction<void(Result<T>)> BindPlain(Handler handler) {
    return [h = std::move(handler), self = this](Result<T> r) mutable {
      Complete(h, self, std::move(r));
    };
  }
  static Result<std::vector<Reply>> PipelineReplies(Reply&& r);
  static Result<std::optional<std::vector<Reply>>> TransactionReplies(Reply&& r);

  // All below run on the strand.
  void Flush();
  void StartConnect();
  void OnConnected(std::shared_ptr<Link> link);
  void Handshake();
  void BecomeReady();
  void StartRead();
  void StartWrite();
  void OnReply(Reply&& reply);
  void Enqueue(std::string_view bytes, std::vector<Pending>& calls);
  void ArmDeadlineTimer();
  void OnDeadline();
  Error TimeoutError() const;
  void Fail(const Error& error);
  void FailPending(std::vector<Pending>& calls, const Error& error);
  void NotifyWaiters(const Result<Ok>& result);
  Error NotConnectedError() const;

  asio::strand<asio::any_io_executor> strand_;
  const Options options_;
  std::atomic<State> state_{State::kIdle};
  std::atomic<uint64_t> connects_{0};

  // Staging: filled by Submit from any thread, drained by Flush on the strand.
  std::mutex mu_;
  std::string staged_bytes_;        // guarded by mu_
  std::vector<Pending> staged_;     // guarded by mu_
  bool flush_posted_ = false;       // guarded by mu_

  // Strand-owned.
  std::shared_ptr<Link> link_;      // the current socket; null when disconnected
  asio::ip::tcp::resolver resolver_;
  asio::steady_timer connect_timer_;
  asio::steady_timer backoff_timer_;
  asio::steady_timer deadline_timer_;
  std::chrono::milliseconds backoff_{0};
  uint64_t attempt_ = 0;            // numbers connect attempts, so stale handlers know
  std::string out_;                 // bytes waiting for the write in flight to finish
  bool writing_ = false;
  ReplyParser parser_;
  // Calls written (or being written), oldest first. Every call has the same timeout,
  // so deadlines rise along the queue and one timer, set to the oldest call not yet
  // checked, covers them all.
  std::deque<Pending> inflight_;
  uint64_t front_seq_ = 0;          // sequence number of inflight_.front()
  uint64_t unchecked_seq_ = 0;      // first call whose deadline the timer has not passed
  bool timer_armed_ = false;
  std::vector<detail::UniqueFunction<void(Result<Ok>)>> ready_waiters_;
  std::string last_error_;
  std::function<void(Reply&&)> push_handler_;
  std::function<void(bool)> link_handler_;
};

}  // namespace minired::client
