// A bounded pool of connections for work that needs a connection of its own
// (WATCH/MULTI, blocking pops, SELECT) or to spread load over several sockets.
//
// acquire hands out an idle connection, opens a new one while fewer than `size`
// exist, or queues the caller; queued callers are served first come, first served,
// and fail with kTimeout after `acquire_timeout`. A Lease gives its connection back
// when destroyed. Idle connections are PINGed every `health_interval`; a connection
// that failed reconnects by itself and ready ones are preferred when handing out.
#pragma once

#include <asio/any_io_executor.hpp>
#include <asio/async_result.hpp>
#include <asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <vector>

#include "minired/connection.h"

namespace minired::client {

struct PoolOptions {
  size_t size = 8;
  std::chrono::milliseconds acquire_timeout{2000};
  std::chrono::milliseconds health_interval{5000};  // 0 disables health checks
};

class Pool : public std::enable_shared_from_this<Pool> {
 public:
  // Exclusive use of one pooled connection until destroyed (or release()).
  class Lease {
   public:
    Lease() = default;
    Lease(Lease&& o) noexcept = default;
    Lease& operator=(Lease&& o) noexcept;
    ~Lease() { release(); }
    Connection* operator->() const { return conn_.get(); }
    Connection& operator*() const { return *conn_; }
    const std::shared_ptr<Connection>& connection() const { return conn_; }
    void release();

   private:
    friend class Pool;
    Lease(std::shared_ptr<Pool> pool, std::shared_ptr<Connection> conn)
        : pool_(std::move(pool)), conn_(std::move(conn)) {}
    std::shared_ptr<Pool> pool_;
    std::shared_ptr<Connection> conn_;
  };

  struct Stats {
    size_t open = 0;     // connections that exist
    size_t idle = 0;     // of which not leased
    size_t waiting = 0;  // callers queued for a connection
    uint64_t leases = 0;           // hand-outs so far
    uint64_t timeouts = 0;         // callers that gave up waiting
    uint64_t health_failures = 0;  // health PINGs that failed
  };

  static std::shared_ptr<Pool> Create(asio::any_io_executor ex, Options options,
                                      PoolOptions pool_options = {});
  ~Pool();

  // Signature: void(Result<Lease>).
  template <typename Token>
  auto async_acquire(Token&& token) {
    return asio::async_initiate<Token, void(Result<Lease>)>(
        [self = shared_from_this()](auto handler) {
          self->Acquire([h = std::move(handler), ex = self->executor_](Result<Lease> r) mutable {
            auto hex = asio::get_associated_executor(h, ex);
            asio::dispatch(hex, [h = std::move(h), r = std::move(r)]() mutable {
              std::move(h)(std::move(r));
            });
          });
        },
        token);
  }

  Stats stats() const;
  const Options& options() const { return options_; }
  // Closes every connection; queued and later acquires fail with kClosed.
  void Close();

 private:
  using Waiter = detail::UniqueFunction<void(Result<Lease>)>;
  struct Queued {
    uint64_t id;
    Waiter done;
    std::shared_ptr<asio::steady_timer> timer;
  };

  Pool(asio::any_io_executor ex, Options options, PoolOptions pool_options);
  void Acquire(Waiter done);
  void Release(std::shared_ptr<Connection> conn);
  void OnWaitTimeout(uint64_t id);
  void ScheduleHealthCheck();
  void HealthCheck();

  asio::any_io_executor executor_;
  const Options options_;
  PoolOptions pool_options_;
  asio::steady_timer health_timer_;

  mutable std::mutex mu_;
  std::vector<std::shared_ptr<Connection>> all_;   // guarded by mu_
  std::deque<std::shared_ptr<Connection>> idle_;   // guarded by mu_; most recent at back
  std::deque<Queued> waiters_;                     // guarded by mu_; oldest first
  uint64_t next_waiter_id_ = 0;                    // guarded by mu_
  bool closed_ = false;                            // guarded by mu_
  Stats stats_;                                    // guarded by mu_ (open/idle/waiting computed)
};

}  // namespace minired::client
