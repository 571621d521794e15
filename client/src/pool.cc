#include "minired/pool.h"

#include <algorithm>

#include "minired/commands.h"

namespace minired::client {

Pool::Lease& Pool::Lease::operator=(Lease&& o) noexcept {
  if (this != &o) {
    release();
    pool_ = std::move(o.pool_);
    conn_ = std::move(o.conn_);
  }
  return *this;
}

void Pool::Lease::release() {
  if (pool_ && conn_) pool_->Release(std::move(conn_));
  pool_.reset();
  conn_.reset();
}

std::shared_ptr<Pool> Pool::Create(asio::any_io_executor ex, Options options,
                                   PoolOptions pool_options) {
  auto pool = std::shared_ptr<Pool>(new Pool(std::move(ex), std::move(options), pool_options));
  pool->ScheduleHealthCheck();
  return pool;
}

Pool::Pool(asio::any_io_executor ex, Options options, PoolOptions pool_options)
    : executor_(std::move(ex)),
      options_(std::move(options)),
      pool_options_(pool_options),
      health_timer_(executor_) {
  if (pool_options_.size == 0) pool_options_.size = 1;
}

Pool::~Pool() {
  // Leases hold the pool, so nothing is leased here; connections must stop reconnecting.
  for (auto& c : all_) c->Close();
}

void Pool::Acquire(Waiter done) {
  std::shared_ptr<Connection> conn;
  {
    std::unique_lock lock(mu_);
    if (closed_) {
      lock.unlock();
      done(Error{Error::Kind::kClosed, "pool closed"});
      return;
    }
    if (!idle_.empty() && waiters_.empty()) {
      // Prefer a ready connection; any idle one when none is (it reconnects itself).
      auto ready = std::find_if(idle_.rbegin(), idle_.rend(), [](const auto& c) {
        return c->state() == Connection::State::kReady;
      });
      auto it = ready != idle_.rend() ? std::prev(ready.base()) : std::prev(idle_.end());
      conn = std::move(*it);
      idle_.erase(it);
    } else if (all_.size() < pool_options_.size) {
      conn = Connection::Create(executor_, options_);
      all_.push_back(conn);
    } else {
      auto timer = std::make_shared<asio::steady_timer>(executor_);
      uint64_t id = next_waiter_id_++;
      timer->expires_after(pool_options_.acquire_timeout);
      timer->async_wait([weak = weak_from_this(), id](std::error_code ec) {
        if (auto self = weak.lock(); self && !ec) self->OnWaitTimeout(id);
      });
      waiters_.push_back(Queued{id, std::move(done), std::move(timer)});
      return;
    }
    ++stats_.leases;
  }
  done(Lease(shared_from_this(), std::move(conn)));
}

void Pool::Release(std::shared_ptr<Connection> conn) {
  Queued next;
  {
    std::lock_guard lock(mu_);
    if (closed_) return;
    if (conn->state() == Connection::State::kClosed) {
      // Its user closed it: replace it, but only when someone is waiting.
      std::erase(all_, conn);
      conn.reset();
      if (waiters_.empty()) return;
      conn = Connection::Create(executor_, options_);
      all_.push_back(conn);
    }
    if (waiters_.empty()) {
      idle_.push_back(std::move(conn));
      return;
    }
    next = std::move(waiters_.front());
    waiters_.pop_front();
    ++stats_.leases;
  }
  next.timer->cancel();
  next.done(Lease(shared_from_this(), std::move(conn)));
}

void Pool::OnWaitTimeout(uint64_t id) {
  Waiter done;
  {
    std::lock_guard lock(mu_);
    auto it = std::find_if(waiters_.begin(), waiters_.end(), [id](const Queued& q) { return q.id == id; });
    if (it == waiters_.end()) return;
    done = std::move(it->done);
    waiters_.erase(it);
    ++stats_.timeouts;
  }
  done(Error{Error::Kind::kTimeout, "no pooled connection became free within " +
                                        std::to_string(pool_options_.acquire_timeout.count()) + " ms"});
}

void Pool::ScheduleHealthCheck() {
  if (pool_options_.health_interval.count() <= 0) return;
  health_timer_.expires_after(pool_options_.health_interval);
  health_timer_.async_wait([weak = weak_from_this()](std::error_code ec) {
    if (auto self = weak.lock(); self && !ec) {
      self->HealthCheck();
      self->ScheduleHealthCheck();
    }
  });
}

// PINGs every idle connection: a dead socket is noticed (and reconnected by the
// connection itself) before a caller is handed it.
void Pool::HealthCheck() {
  std::vector<std::shared_ptr<Connection>> idle;
  {
    std::lock_guard lock(mu_);
    if (closed_) return;
    idle.assign(idle_.begin(), idle_.end());
  }
  for (auto& c : idle) {
    if (c->state() != Connection::State::kReady) continue;
    c->async_exec(cmd::ping(), [weak = weak_from_this()](Result<std::string> r) {
      auto self = weak.lock();
      if (!self || r.ok()) return;
      std::lock_guard lock(self->mu_);
      ++self->stats_.health_failures;
    });
  }
}

Pool::Stats Pool::stats() const {
  std::lock_guard lock(mu_);
  Stats s = stats_;
  s.open = all_.size();
  s.idle = idle_.size();
  s.waiting = waiters_.size();
  return s;
}

void Pool::Close() {
  std::deque<Queued> waiters;
  std::vector<std::shared_ptr<Connection>> all;
  {
    std::lock_guard lock(mu_);
    if (closed_) return;
    closed_ = true;
    waiters.swap(waiters_);
    all = all_;
    idle_.clear();
  }
  health_timer_.cancel();
  for (auto& c : all) c->Close();
  for (auto& w : waiters) {
    w.timer->cancel();
    w.done(Error{Error::Kind::kClosed, "pool closed"});
  }
}

}  // namespace minired::client
