// A near cache: values of keys kept in this process and dropped the moment the server
// says they changed (Redis 6+ client-side caching, CLIENT TRACKING), so a hit costs no
// round trip for the value and is never a value the server has already replaced.
//
// The cache owns one RESP3 connection with tracking on (default mode: the server
// remembers the keys read on it; or BCAST with prefixes: every change under them).
// Reads that miss go out on that same connection, so its replies and the server's
// invalidation pushes arrive in one ordered stream: an invalidation that was queued
// before a read ran comes before that read's reply, and one for a later change comes
// after it and drops what the reply stored. No value can outlive its invalidation.
//
// "Never stale" across processes needs one more step: another process's write may be
// acknowledged before this connection has read the invalidation it caused. With
// `read_barrier` on (the default) a hit waits for the reply of a PING sent after the
// hit was asked for; the server queues every invalidation it owes this connection
// before that reply (server/client_tracking.h), so a hit after any acknowledged write
// sees it. One PING serves every hit that arrived while it was out, so the cost is a
// round trip of latency and almost no server work, not a round trip per key.
//
// Lost connection: everything is dropped and, until tracking is on again on the new
// connection, reads go to the server and nothing is stored. Bounded: least recently
// used entries go first once `max_bytes` is reached.
//
//   auto near = NearCache::Create(io.executor(), opts, {.max_bytes = 64 << 20});
//   auto values = near->async_mget({"a", "b"}, asio::use_future).get();
#pragma once

#include <asio/any_io_executor.hpp>
#include <asio/async_result.hpp>
#include <asio/dispatch.hpp>
#include <atomic>
#include <cstdint>
#include <list>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "minired/connection.h"

namespace minired::client {

class NearCache : public std::enable_shared_from_this<NearCache> {
 public:
  struct Settings {
    size_t max_bytes = 64u << 20;
    // Empty: default tracking (the keys read here). Otherwise BCAST on these prefixes.
    std::vector<std::string> bcast_prefixes;
    bool read_barrier = true;
  };
  struct Stats {
    uint64_t hits = 0;           // keys answered from memory
    uint64_t misses = 0;         // keys read from the server
    uint64_t invalidations = 0;  // keys dropped because the server said they changed
    uint64_t flushes = 0;        // everything dropped (FLUSHALL, lost connection)
    uint64_t entries = 0;
    uint64_t bytes = 0;
  };
  using Values = std::vector<std::optional<std::string>>;

  static std::shared_ptr<NearCache> Create(asio::any_io_executor ex, Options options, Settings settings);
  ~NearCache();

  // The values of `keys` (nullopt: no such key, or not a string), each from memory
  // or, if any is missing there, all of them from the server in one MGET.
  // Signature: void(Result<Values>).
  template <typename Token>
  auto async_mget(std::vector<std::string> keys, Token&& token) {
    return asio::async_initiate<Token, void(Result<Values>)>(
        [self = shared_from_this()](auto handler, std::vector<std::string> keys) {
          self->MGet(std::move(keys), [h = std::move(handler), ex = self->conn_->get_executor()](Result<Values> r) mutable {
            auto hex = asio::get_associated_executor(h, ex);
            asio::dispatch(hex, [h = std::move(h), r = std::move(r)]() mutable { std::move(h)(std::move(r)); });
          });
        },
        token, std::move(keys));
  }

  // Whether tracking is on for the current connection (hits are possible).
  bool tracking() const { return tracking_.load(std::memory_order_acquire); }
  Stats stats() const;
  Connection& connection() { return *conn_; }
  void Close();

 private:
  using Done = detail::UniqueFunction<void(Result<Values>)>;
  struct Slot {
    std::optional<std::string> value;
    std::list<std::string>::iterator lru;
    size_t bytes;
  };
  struct Waiter {
    std::vector<std::string> keys;
    Done done;
  };

  NearCache(asio::any_io_executor ex, Options options, Settings settings);

  // All below run on the connection's strand.
  void MGet(std::vector<std::string> keys, Done done);
  // From memory when every key is there; false otherwise.
  bool Answer(const std::vector<std::string>& keys, Done& done);
  void Fetch(std::vector<std::string> keys, Done done);
  void StartBarrier();
  void OnPush(Reply&& reply);
  void OnLink(bool up);
  void EnableTracking();
  void Store(const std::string& key, std::optional<std::string> value);
  void Drop(const std::string& key);
  void DropAll();

  const Settings settings_;
  std::shared_ptr<Connection> conn_;
  std::unordered_map<std::string, Slot> map_;
  std::list<std::string> lru_;  // most recent first
  size_t bytes_ = 0;
  uint64_t link_epoch_ = 0;      // changes whenever the link goes up or down
  std::atomic<bool> tracking_{false};
  bool barrier_out_ = false;
  std::vector<Waiter> barrier_waiters_;  // hits answered when the PING out comes back
  std::vector<Waiter> next_waiters_;     // hits that came after it was sent
  std::atomic<uint64_t> hits_{0}, misses_{0}, invalidations_{0}, flushes_{0}, entries_{0}, size_{0};
};

}  // namespace minired::client
