// A connection's replies (the output half of connection.cc): held to the client output
// buffer limits, written at the end of the I/O thread's turn (IoThread::DeferReplyFlush)
// or at once, after the replicas' stream, held until durable under appendfsync always,
// and written as far as the socket takes them, the rest when it is writable again.
#include "replication/replica_feed.h"
#include "server/logger.h"
#include "server/net/connection.h"
#include "server/persistence.h"
#include "server/server.h"

namespace minired {

bool Connection::OverOutputLimit() {
  const ServerConfig& c = server_.config();
  const OutputBufferLimit& l = replica_feed_                 ? c.output_limit_replica
                               : session_.subs.count() > 0 ? c.output_limit_pubsub
                                                              : c.output_limit_normal;
  auto pending = static_cast<int64_t>(PendingOutput());
  if (replica_feed_) pending += static_cast<int64_t>(replica_feed_->pending_bytes());
  const int64_t hard = l.hard.load(std::memory_order_relaxed), soft = l.soft.load(std::memory_order_relaxed);
  if (hard > 0 && pending >= hard) return true;
  if (soft > 0 && pending >= soft) {
    int64_t now = server_.clock().NowMs();
    if (soft_limit_since_ms_ == 0) soft_limit_since_ms_ = now;
    return now - soft_limit_since_ms_ >= l.soft_seconds.load(std::memory_order_relaxed) * 1000;
  }
  soft_limit_since_ms_ = 0;
  return false;
}

bool Connection::DroppedOverOutputLimit() {
  if (!OverOutputLimit()) return false;
  out_.clear();
  CloseOverOutputLimit();
  return true;
}

void Connection::CloseOverOutputLimit() {
  Log(LogLevel::kWarning, "Client id={} addr={}{} scheduled to be closed ASAP for overcoming of output buffer limits.",
      info_->id, info_->addr, replica_feed_ ? " (replica)" : "");
  closing_ = true;
  Close();
}

void Connection::Flush() {
  if (replica_feed_ && writing_active_ && !closed_) {
    // The replica is not reading: what piles up in its feed still counts against its
    // limit, checked on every wake.
    replica_feed_->Rearm();
    KeepReplica();
    return;
  }
  if (writing_active_ || closed_ || awaiting_durable_) return;
  if (replica_feed_) {
    // Until the feed is empty: the stream held behind a payload is due once it is out.
    do {
      if (!TakeReplicaFeed() || (out_.empty() && !bulk_)) return;
      writing_.swap(out_);
      write_offset_ = 0;
      WriteNow();
    } while (!writing_active_ && !closed_ && replica_feed_->pending_bytes() > 0);
    return;
  }
  if (out_.empty()) {
    if (closing_) Close();
    return;
  }
  // appendfsync always: the replies go out once this client's writes are on disk.
  Persistence* p = server_.persistence();
  if (p && session_.last_write_seq > 0 && p->MustWait(session_.last_write_seq)) {
    awaiting_durable_ = true;
    thread_.durable_waiters().push_back(shared_from_this());  // holds the connection meanwhile
    IoThread* t = &thread_;
    p->log().WaitDurable(session_.last_write_seq, [t] {
      if (!t->resume_posted().exchange(true)) asio::post(t->context(), [t] { ResumeDurable(*t); });
    });
    return;
  }
  // At the end of the turn, with the other clients' replies (IoThread::DeferReplyFlush);
  // a last reply before hanging up, or one big enough to hold back this client's
  // commands (kOutputHighWater), goes now.
  if (!closing_ && !thread_.writes_replies_now() && out_.size() <= kOutputHighWater) {
    if (!reply_flush_deferred_) {
      reply_flush_deferred_ = true;
      thread_.DeferReplyFlush(shared_from_this());
    }
    return;
  }
  thread_.FlushReplicasBeforeReply();  // the stream this thread's writes fed goes first
  writing_.swap(out_);
  write_offset_ = 0;
  WriteNow();
  // The last reply (QUIT's +OK, a protocol error) is out: hang up now; otherwise
  // OnWritable gets here once it is.
  if (closing_ && !writing_active_ && !closed_ && out_.empty()) Close();
}

// Writes as much of writing_ as the socket takes now; waits for writability only when
// the kernel buffer is full (a slow reader), as redis-server's writeToClient does.
void Connection::WriteNow() {
  while (true) {
    bool from_bulk = write_offset_ >= writing_.size();
    if (from_bulk && (!bulk_ || bulk_offset_ >= bulk_->size())) break;
    const char* data = from_bulk ? bulk_->data() + bulk_offset_ : writing_.data() + write_offset_;
    size_t len = from_bulk ? bulk_->size() - bulk_offset_ : writing_.size() - write_offset_;
    std::error_code ec;
    size_t n = WriteSome(data, len, ec);
    if (ec == asio::error::would_block || ec == asio::error::try_again || ec == asio::error::in_progress) {
      writing_active_ = true;
      info_->output_buffer.store(writing_.size() - write_offset_ + out_.size(), std::memory_order_relaxed);
      info_->output_memory.store(out_.capacity() + writing_.capacity(), std::memory_order_relaxed);
      if (ec != asio::error::in_progress) {
        socket_.async_wait(asio::socket_base::wait_write,
                           [self = shared_from_this()](const std::error_code& e) { self->OnWritable(e); });
      }
      return;
    }
    if (ec) {
      Close();
      return;
    }
    (from_bulk ? bulk_offset_ : write_offset_) += n;
    thread_.stats().net_output_bytes.Add(n);
  }
  if (bulk_) {
    bulk_.reset();
    replica_feed_->state = ReplicaFeed::State::kOnline;
  }
  thread_.stats().writes.Add();
  if (writing_.capacity() > 1024 * 1024) {
    std::string().swap(writing_);
  } else {
    writing_.clear();
  }
  info_->output_buffer.store(out_.size(), std::memory_order_relaxed);
  info_->output_memory.store(out_.capacity() + writing_.capacity(), std::memory_order_relaxed);
}

void Connection::WriteDeferredReplies() {
  reply_flush_deferred_ = false;
  if (closed_) return;
  Flush();
  ReadMore();
}

void Connection::OnWritable(const std::error_code& ec) {
  writing_active_ = false;
  if (ec || closed_) {
    Close();
    return;
  }
  WriteNow();
  if (writing_active_ || closed_) return;
  ProcessAndFlush();
  ReadMore();
}

void Connection::ResumeDurable(IoThread& thread) {
  thread.resume_posted() = false;
  auto waiters = std::move(thread.durable_waiters());
  thread.durable_waiters().clear();
  for (auto& c : waiters) c->OnDurable();
}

void Connection::OnDurable() {
  if (closed_) return;
  Persistence* p = server_.persistence();
  if (p && p->MustWait(session_.last_write_seq)) {
    thread_.durable_waiters().push_back(shared_from_this());  // its own wait fires later
    return;
  }
  awaiting_durable_ = false;
  ProcessAndFlush();
  ReadMore();
}

}  // namespace minired
