// Pub/sub on a connection of its own. Messages go to one callback; subscribe calls
// complete once the server confirmed every channel. After a lost connection the
// subscriber reconnects and subscribes again to everything it was subscribed to
// (messages published while it was away are lost, as pub/sub promises no more).
//
// The connection speaks RESP3 (HELLO 3), so messages arrive as push frames and
// cannot be mistaken for replies; minired and Redis 6+ support it.
//
//   auto sub = Subscriber::Create(ex, opts, [](const Message& m) { ... });
//   sub->async_subscribe({"catalog:invalidate"}, asio::use_future).get();
//
// Keyspace notifications are pub/sub messages too: psubscribe "__keyevent@0__:expired"
// (or "__keyspace@0__:user:*") and read each with ParseKeyspaceEvent.
#pragma once

#include <asio/any_io_executor.hpp>
#include <asio/async_result.hpp>
#include <asio/dispatch.hpp>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "minired/connection.h"

namespace minired::client {

struct Message {
  std::string channel;
  std::string payload;
  std::string pattern;  // the matching pattern for PSUBSCRIBE deliveries, else empty
};

// A keyspace notification (notify-keyspace-events) as a message carries it: on
// __keyspace@<db>__:<key> the payload is the event, on __keyevent@<db>__:<event> the key.
struct KeyspaceEvent {
  int db = 0;
  std::string key;
  std::string event;  // "set", "del", "expired", "evicted"...
};
// Nullopt for a message on any other channel.
std::optional<KeyspaceEvent> ParseKeyspaceEvent(const Message& m);

class Subscriber : public std::enable_shared_from_this<Subscriber> {
 public:
  using MessageHandler = std::function<void(const Message&)>;
  enum class Kind { kSubscribe, kPsubscribe, kUnsubscribe, kPunsubscribe };

  // `on_message` runs on the subscriber's strand, in delivery order.
  static std::shared_ptr<Subscriber> Create(asio::any_io_executor ex, Options options,
                                            MessageHandler on_message);
  ~Subscriber();

  // Signature of each: void(Result<Ok>). An empty list unsubscribes from all.
  template <typename Token>
  auto async_subscribe(std::vector<std::string> channels, Token&& token) {
    return Async(Kind::kSubscribe, std::move(channels), std::forward<Token>(token));
  }
  template <typename Token>
  auto async_psubscribe(std::vector<std::string> patterns, Token&& token) {
    return Async(Kind::kPsubscribe, std::move(patterns), std::forward<Token>(token));
  }
  template <typename Token>
  auto async_unsubscribe(std::vector<std::string> channels, Token&& token) {
    return Async(Kind::kUnsubscribe, std::move(channels), std::forward<Token>(token));
  }
  template <typename Token>
  auto async_punsubscribe(std::vector<std::string> patterns, Token&& token) {
    return Async(Kind::kPunsubscribe, std::move(patterns), std::forward<Token>(token));
  }

  // Messages delivered so far (for tests and INFO-like reporting).
  uint64_t delivered() const { return delivered_.load(std::memory_order_relaxed); }
  Connection& connection() { return *conn_; }
  void Close();

 private:
  using Done = detail::UniqueFunction<void(Result<Ok>)>;
  struct Op {
    uint64_t id;
    Kind kind;
    size_t remaining;  // confirmations still expected
    Done done;         // empty for the resubscribe after a reconnect
  };

  Subscriber(asio::any_io_executor ex, Options options, MessageHandler on_message);

  template <typename Token>
  auto Async(Kind kind, std::vector<std::string> names, Token&& token) {
    return asio::async_initiate<Token, void(Result<Ok>)>(
        [self = shared_from_this()](auto handler, Kind kind, std::vector<std::string> names) {
          self->Request(kind, std::move(names),
                        [h = std::move(handler), ex = self->conn_->get_executor()](Result<Ok> r) mutable {
                          auto hex = asio::get_associated_executor(h, ex);
                          asio::dispatch(hex, [h = std::move(h), r = std::move(r)]() mutable {
                            std::move(h)(std::move(r));
                          });
                        });
        },
        token, kind, std::move(names));
  }

  // All below run on the connection's strand.
  void Request(Kind kind, std::vector<std::string> names, Done done);
  void Send(Kind kind, const std::vector<std::string>& names, size_t confirmations, Done done);
  void OnPush(Reply&& reply);
  void OnLink(bool up);
  void Confirm(Kind kind);
  void FailOp(uint64_t id, const Error& error);

  std::shared_ptr<Connection> conn_;
  MessageHandler on_message_;
  std::set<std::string> channels_;  // what we want to be subscribed to
  std::set<std::string> patterns_;
  std::deque<Op> ops_;              // awaiting confirmations, oldest first
  uint64_t next_op_ = 0;
  std::atomic<uint64_t> delivered_{0};
};

}  // namespace minired::client
