// What other parts of the server ask of a connection (its ClientHooks): pub/sub
// delivery, blocking commands, a replica's feed, MONITOR. Everything here runs on the
// connection's own I/O thread; other threads reach it by posting (connection.h).
#include <mutex>
#include <vector>

#include "replication/replica_feed.h"
#include "server/blocking.h"
#include "server/client_tracking.h"
#include "server/net/connection.h"
#include "server/logger.h"
#include "server/pubsub.h"
#include "server/server.h"

namespace minired {

std::shared_ptr<Subscriber> Connection::subscriber() {
  if (!subscriber_) {
    subscriber_ = std::make_shared<Subscriber>();
    std::weak_ptr<Connection> weak = shared_from_this();
    asio::any_io_executor ex = socket_.get_executor();
    // Messages wait in one queue, drained on this connection's thread in the order they
    // were handed over: a post per message would not keep that order, since Asio queues
    // a post made from this very thread apart from those of other threads until its
    // running handler ends (an expiry on this thread, published before a PUBLISH on
    // another, could be delivered after it).
    struct Mailbox {
      std::mutex mu;
      std::vector<std::shared_ptr<const PubSubMessage>> messages;  // guarded by mu
    };
    auto box = std::make_shared<Mailbox>();
    subscriber_->deliver = [weak, ex, box](std::shared_ptr<const PubSubMessage> m) {
      bool was_empty;
      {
        std::lock_guard<std::mutex> l(box->mu);
        was_empty = box->messages.empty();
        box->messages.push_back(std::move(m));
      }
      if (!was_empty) return;  // a drain is already on its way
      asio::post(ex, [weak, box]() {
        std::vector<std::shared_ptr<const PubSubMessage>> messages;
        {
          std::lock_guard<std::mutex> l(box->mu);
          messages.swap(box->messages);
        }
        auto self = weak.lock();
        if (!self) return;
        for (const auto& message : messages) self->DeliverPush(*message);
      });
    };
  }
  return subscriber_;
}

void Connection::DeliverPush(const PubSubMessage& m) {
  if (closed_ || closing_ || session_.reply_mode.off) return;
  ReplyWriter w(&out_, session_.resp);
  bool pattern = !m.pattern.empty();
  w.PushHeader(pattern ? 4 : 3);
  w.Bulk(pattern ? "pmessage" : "message");
  if (pattern) w.Bulk(m.pattern);
  w.Bulk(m.channel);
  w.Bulk(m.payload);
  if (DroppedOverOutputLimit()) return;
  Flush();
}

void Connection::DeliverTrackingPushes(bool flush) {
  if (closed_) return;
  std::vector<TrackingPush> pushes = info_->inbox->Take();
  if (pushes.empty()) return;
  const int resp = session_.resp;
  ReplyWriter w(&out_, resp);
  for (const TrackingPush& p : pushes) {
    if (p.kind == TrackingPush::Kind::kRedirectBroken) {
      // Only RESP3 can carry it on this connection (Redis's sendTrackingMessage).
      if (resp < 3) continue;
      w.PushHeader(2);
      w.Bulk("tracking-redir-broken");
      w.Integer(static_cast<int64_t>(p.redirect_id));
      continue;
    }
    if (resp >= 3) {
      w.PushHeader(2);
      w.Bulk("invalidate");
    } else if (p.via_redirect && session_.subs.count() > 0) {
      // RESP2 gets them through a redirect to a subscribed client, as messages on
      // __redis__:invalidate.
      w.PushHeader(3);
      w.Bulk("message");
      w.Bulk("__redis__:invalidate");
    } else {
      continue;  // RESP2 without a subscribed redirect target: nowhere to send them
    }
    if (p.all) {
      w.Raw(p.null_resp >= 3 ? "_\r\n" : "$-1\r\n");
    } else {
      w.ArrayHeader(p.keys.size());
      for (const auto& k : p.keys) w.Bulk(k);
    }
  }
  if (!flush) return;
  if (DroppedOverOutputLimit()) return;
  Flush();
}

void Connection::Block(std::shared_ptr<BlockedClient> waiter, int64_t timeout_ms) {
  std::weak_ptr<Connection> weak = shared_from_this();
  asio::any_io_executor ex = socket_.get_executor();
  waiter->deliver = [weak, ex](std::string reply) {
    asio::post(ex, [weak, reply = std::move(reply)]() mutable {
      if (auto self = weak.lock()) self->Unblock(std::move(reply));
    });
  };
  {
    std::lock_guard<std::mutex> l(blocked_mu_);
    blocked_shared_ = waiter;
  }
  blocked_ = std::move(waiter);
  info_->blocked.store(true, std::memory_order_relaxed);
  // The steady clock counts nanoseconds in an int64: a timeout past a century (BLPOP k
  // 9e15 is accepted, as by Redis) would overflow it, and is forever in practice.
  constexpr int64_t kForeverMs = int64_t{100} * 365 * 24 * 3600 * 1000;
  if (timeout_ms > 0 && timeout_ms < kForeverMs) {
    if (!block_timer_) block_timer_ = std::make_unique<asio::steady_timer>(socket_.get_executor());
    block_timer_->expires_after(std::chrono::milliseconds(timeout_ms));
    block_timer_->async_wait([self = shared_from_this()](const std::error_code& ec) { self->OnBlockTimeout(ec); });
  }
}

void Connection::OnBlockTimeout(const std::error_code& ec) {
  if (ec || !blocked_ || closed_) return;
  if (!blocked_->Claim(BlockedClient::kDone)) {
    // Being served on another thread right now: its reply (or a retry) follows.
    block_timer_->expires_after(std::chrono::milliseconds(1));
    block_timer_->async_wait([self = shared_from_this()](const std::error_code& e) { self->OnBlockTimeout(e); });
    return;
  }
  EndClaimedWait(false);
}

void Connection::EndClaimedWait(bool error) {
  if (closed_ || !blocked_) return;
  server_.blocking().Remove(blocked_.get());
  std::string reply;
  ReplyWriter w(&reply, session_.resp);
  if (error) {
    w.Error("UNBLOCKED client unblocked via CLIENT UNBLOCK");
    server_.CountErrors(w, thread_.index());
  } else {
    blocked_->ReplyTimeout(w);
  }
  Unblock(std::move(reply));
}

void Connection::Park() {
  paused_ = true;
  info_->paused.store(true, std::memory_order_relaxed);
  std::weak_ptr<Connection> weak = shared_from_this();
  asio::any_io_executor ex = socket_.get_executor();
  server_.pause().Park(info_->id, [weak, ex]() {
    asio::post(ex, [weak]() {
      if (auto self = weak.lock()) self->Resume();
    });
  });
}

void Connection::ParkForScript() {
  paused_ = true;
  std::weak_ptr<Connection> weak = shared_from_this();
  asio::any_io_executor ex = socket_.get_executor();
  server_.script_gate().Park(info_->id, [weak, ex]() {
    asio::post(ex, [weak]() {
      if (auto self = weak.lock()) self->Resume();
    });
  });
}

void Connection::Resume() {
  if (closed_ || !paused_) return;
  paused_ = false;
  info_->paused.store(false, std::memory_order_relaxed);
  ProcessAndFlush();  // the command that waited runs now (or parks again)
  ReadMore();
}

void Connection::Unblock(std::string reply) {
  if (closed_) return;
  if (block_timer_) block_timer_->cancel();
  blocked_.reset();
  {
    std::lock_guard<std::mutex> l(blocked_mu_);
    blocked_shared_.reset();
  }
  info_->blocked.store(false, std::memory_order_relaxed);
  if (!blocked_reply_skipped_ && !session_.reply_mode.off) out_ += reply;
  blocked_reply_skipped_ = false;
  ProcessAndFlush();  // commands pipelined behind the blocking one run now
  ReadMore();
}

void Connection::AttachReplicaFeed(std::shared_ptr<ReplicaFeed> feed) {
  std::weak_ptr<Connection> weak = shared_from_this();
  asio::any_io_executor ex = socket_.get_executor();
  IoThread* home = &thread_;
  feed->set_wake([weak, ex, home]() {
    // A write on this replica's own thread: its bytes leave before that thread's next
    // reply (IoThread::DeferReplicaFlush). From elsewhere, the thread is woken.
    if (IoThread::Current() == home) {
      home->DeferReplicaFlush(weak);
      return;
    }
    asio::post(ex, [weak]() {
      if (auto self = weak.lock()) self->Flush();
    });
  });
  replica_feed_ = std::move(feed);
  info_->replica = true;
}

bool Connection::StartMonitor() {
  if (replica_feed_) return false;
  std::weak_ptr<Connection> weak = shared_from_this();
  asio::any_io_executor ex = socket_.get_executor();
  server_.monitors().Add(info_->id, [weak, ex](std::shared_ptr<const std::string> line) {
    asio::post(ex, [weak, line = std::move(line)]() {
      if (auto self = weak.lock()) self->DeliverMonitorLine(*line);
    });
  });
  info_->monitor = true;
  return true;
}

void Connection::DeliverMonitorLine(const std::string& line) {
  if (closed_ || closing_) return;
  out_ += line;
  if (DroppedOverOutputLimit()) return;
  Flush();
}

bool Connection::KeepReplica() {
  std::string reason;
  if (replica_feed_->dropped(&reason)) {
    Log(LogLevel::kNotice, "Disconnecting replica {}: {}", info_->addr, reason);
    closing_ = true;
    Close();
    return false;
  }
  if (OverOutputLimit()) {
    // Never holds the master's clients back: the replica resyncs instead. The feed's
    // bytes count whether or not they were moved to out_ yet.
    CloseOverOutputLimit();
    return false;
  }
  return true;
}

bool Connection::TakeReplicaFeed() {
  if (!KeepReplica()) return false;
  if (!bulk_) {
    bulk_ = replica_feed_->Take(&out_);
    bulk_offset_ = 0;
  }
  return true;
}

}  // namespace minired
