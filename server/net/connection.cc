#include "server/net/connection.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <algorithm>

#include "protocol/reply_writer.h"
#include "protocol/request_peek.h"
#include "server/blocking.h"
#include "server/replication.h"
#include "replication/replica_feed.h"
#include "server/pubsub.h"
#include "server/logger.h"
#include "server/server.h"
#include "server/net/tls.h"

namespace minired {
namespace {
std::string Endpoint(const asio::ip::tcp::endpoint& ep) {
  std::string ip = ep.address().to_string();
  return ip + ":" + std::to_string(ep.port());
}
}  // namespace

Connection::Connection(Server& server, IoThread& thread, asio::ip::tcp::socket socket, asio::ssl::context* tls)
    : server_(server),
      thread_(thread),
      socket_(std::move(socket)),
      tls_context_(tls),
      queued_read_([this](std::error_code& ec) { return AttemptQueuedRead(ec); },
                   [this](const std::error_code& ec) { OnQueuedRead(ec); }) {}

Connection::~Connection() = default;

// Why a new connection is refused (maxclients, protected mode), or nullptr; in Redis's
// order and words.
const char* Connection::Refusal() {
  const SecurityConfig& sec = server_.config().security;
  if (static_cast<int64_t>(server_.clients().size()) >= sec.maxclients.load(std::memory_order_relaxed)) {
    return "-ERR max number of clients reached\r\n";
  }
  if (sec.protected_mode.load(std::memory_order_relaxed) && !sec.password_required()) {
    std::error_code ec;
    asio::ip::address ip = socket_.remote_endpoint(ec).address();
    if (ip.is_v6() && ip.to_v6().is_v4_mapped()) ip = asio::ip::make_address_v4(asio::ip::v4_mapped, ip.to_v6());
    if (ec || !IsLoopbackForProtectedMode(ip.to_string())) return kProtectedModeDenied;
  }
  return nullptr;
}

void Connection::Start() {
  std::error_code ec;
  if (const char* refusal = Refusal()) {
    // Best effort, as Redis: one non-blocking write of the reason, then close.
    // A TLS client would read the plain text as a broken handshake: it only sees the close.
    thread_.stats().rejected_connections.Add();
    socket_.non_blocking(true, ec);
    if (tls_context_ == nullptr) socket_.send(asio::buffer(refusal, strlen(refusal)), 0, ec);
    socket_.close(ec);
    return;
  }
  socket_.set_option(asio::ip::tcp::no_delay(true), ec);
  socket_.non_blocking(true, ec);
  if (tls_context_) tls_ = std::make_unique<TlsStream>(*tls_context_, socket_.native_handle());
  SetKeepAlive();
  info_ = std::make_shared<ClientInfo>();
  info_->id = server_.clients().NextId();
  auto remote = socket_.remote_endpoint(ec);
  info_->addr = ec ? "?:0" : Endpoint(remote);
  auto local = socket_.local_endpoint(ec);
  info_->laddr = ec ? "?:0" : Endpoint(local);
  info_->fd = socket_.native_handle();
  info_->created_ms = server_.clock().NowMs();
  info_->last_interaction_ms = info_->created_ms;
  std::weak_ptr<Connection> weak = shared_from_this();
  asio::any_io_executor ex = socket_.get_executor();
  info_->unblock = [this, weak, ex](bool error) {
    // The ClientInfo (and this hook) live no longer than the registry keeps them, and
    // the connection removes itself from the registry in Close, on its own thread, so
    // `this` may be read here only through the weak pointer's lock.
    auto self = weak.lock();
    if (!self) return false;
    std::shared_ptr<BlockedClient> waiter;
    {
      std::lock_guard<std::mutex> l(blocked_mu_);
      waiter = blocked_shared_.lock();
    }
    if (!waiter || !waiter->Claim(BlockedClient::kDone)) return false;
    // Out of the registry at once: should the client disconnect before its thread ends
    // the wait, Close finds the waiter claimed and would leave it there.
    server_.blocking().Remove(waiter.get());
    asio::post(ex, [weak, error]() {
      if (auto c = weak.lock()) c->EndClaimedWait(error);
    });
    return true;
  };
  info_->close = [weak, ex]() {
    asio::post(ex, [weak]() {
      if (auto self = weak.lock()) {
        self->closing_ = true;
        self->Close();
      }
    });
  };
  // Invalidations other threads queue for this client (client tracking) wake it here.
  info_->inbox = std::make_shared<PushInbox>();
  info_->inbox->wake = [weak, ex]() {
    asio::post(ex, [weak]() {
      if (auto self = weak.lock()) self->DeliverTrackingPushes(true);
    });
  };
  session_.info = info_.get();
  session_.user = server_.config().security.acl.Get("default");
  session_.acl_version = server_.config().security.acl.version();
  session_.authenticated = !server_.config().security.password_required();
  session_.hooks = this;
  server_.clients().Add(info_);
  thread_.AddConnection(shared_from_this());
  ReadMore();
}

void Connection::SetKeepAlive() {
  int64_t idle = server_.config().limits.tcp_keepalive_s.load(std::memory_order_relaxed);
  if (idle <= 0) return;
  int fd = socket_.native_handle();
  int on = 1, secs = static_cast<int>(idle), interval = std::max(1, secs / 3), probes = 3;
  // Best effort, as Redis: a socket that refuses keep-alive still serves its client.
  setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof(on));
  setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &secs, sizeof(secs));
  setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &interval, sizeof(interval));
  setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &probes, sizeof(probes));
}

void Connection::ReadMore() {
  ReturnIdleReadBuffer();
  if (reading_ || closing_ || closed_ || awaiting_durable_) return;
  if (out_.size() + writing_.size() > kOutputHighWater) {
    // Paused for backpressure (OnWritable resumes). With no read queued, epoll edges in
    // this window are consumed unseen, so the resume must read rather than wait.
    maybe_more_input_ = true;
    return;
  }
  reading_ = true;
  if (maybe_more_input_) {
    // Bytes may be waiting that no new epoll edge will announce: read now.
    asio::post(socket_.get_executor(), [self = shared_from_this()] { self->OnReadable({}); });
    return;
  }
  if (tls_) {
    // TLS reads go through OpenSSL, which must see the socket itself: wait, then read.
    socket_.async_wait(asio::socket_base::wait_read,
                       [self = shared_from_this()](const std::error_code& ec) { self->OnReadable(ec); });
    return;
  }
  // A queued read rather than a wait for readiness: one recv per request (queued_read.h).
  socket_.QueueRead(queued_read_, shared_from_this());
}

size_t Connection::ReadIntoBuffer(std::error_code& ec) {
  if (!in_.has_storage()) in_.Adopt(thread_.BorrowReadBuffer());
  in_.PrepareForRead(parser_.min_bytes_needed());
  size_t offered = in_.free_space();
  size_t n = ReadSome(in_.write_ptr(), offered, ec);
  if (ec) return 0;
  // The socket is edge-triggered: a read that filled all the space offered may have left
  // bytes behind, and only a read (not a wait) will see them.
  maybe_more_input_ = n == offered || (tls_ && tls_->HasBuffered());
  in_.Commit(n);
  return n;
}

QueuedRead::Attempt Connection::AttemptQueuedRead(std::error_code& ec) {
  // Committed at once: a handler of this connection that runs before the completion
  // (a durable write's resume) must not hand the buffer back with these bytes in it.
  queued_bytes_ = ReadIntoBuffer(ec);
  if (ec == asio::error::would_block || ec == asio::error::try_again) {
    ec.clear();
    ReturnIdleReadBuffer();
    return QueuedRead::Attempt::kNothing;
  }
  if (ec) return QueuedRead::Attempt::kDrained;
  return maybe_more_input_ ? QueuedRead::Attempt::kMaybeMore : QueuedRead::Attempt::kDrained;
}

void Connection::OnQueuedRead(const std::error_code& ec) {
  reading_ = false;
  if (ec || closed_) {
    Close();
    return;
  }
  OnInput(queued_bytes_);
}

void Connection::OnReadable(const std::error_code& ec) {
  reading_ = false;
  if (ec || closed_) {
    Close();
    return;
  }
  std::error_code rec;
  size_t n = ReadIntoBuffer(rec);
  if (rec == asio::error::in_progress) return;  // TLS: retried once the socket can write
  if (rec == asio::error::would_block || rec == asio::error::try_again) {
    maybe_more_input_ = false;
    ReadMore();
    return;
  }
  if (rec) {
    Close();
    return;
  }
  OnInput(n);
}

void Connection::OnInput(size_t n) {
  ThreadStats& st = thread_.stats();
  st.net_input_bytes.Add(n);
  st.reads.Add();
  if (static_cast<int64_t>(in_.pending_size()) >
      server_.config().limits.query_buffer_limit.load(std::memory_order_relaxed)) {
    // A client that keeps sending without completing a command cannot make us hold more.
    Log(LogLevel::kWarning, "Closing client that reached max query buffer length: id={} addr={} (qbuf {} bytes)",
        info_->id, info_->addr, in_.pending_size());
    closing_ = true;
    Close();
    return;
  }
  info_->last_interaction_ms.store(server_.clock().NowMs(), std::memory_order_relaxed);
  ProcessAndFlush();
  ReadMore();
}

void Connection::ReturnIdleReadBuffer() {
  if (!in_.has_storage() || in_.pending_size() > 0) return;
  thread_.ReturnReadBuffer(in_.Release());
  info_->query_buffer_free.store(0, std::memory_order_relaxed);
}

size_t Connection::PrefetchPipeline() {
  std::string_view keys[kPrefetchBatch];
  std::string_view thirds[kPrefetchBatch];
  std::string_view fourths[kPrefetchBatch];
  size_t requests = 0;
  const size_t found = PeekFirstKeys(in_.pending(), keys, thirds, fourths, kPrefetchBatch, &requests);
  if (found < 2) return kPrefetchBatch;  // a lone request's lookup follows at once: nothing to overlap
  ShardSet& shards = server_.shards();
  uint64_t hashes[kPrefetchBatch];
  size_t run_starts[kPrefetchBatch];  // where in keys[] the run on hashes[i]'s key began
  size_t n = 0;
  for (size_t i = 0; i < found; ++i) {
    const uint64_t h = HashKey(keys[i]);
    if (n > 0 && hashes[n - 1] == h) continue;  // a run on one key (HSET myhash ...): asked once
    run_starts[n] = i;
    hashes[n++] = h;
    shards.PrefetchKey(session_.db, h);
  }
  // Then the entries those slots point to: the slots asked for first have arrived, or
  // are on their way, while the others are asked for.
  for (size_t i = 0; i < n; ++i) shards.PrefetchEntry(session_.db, hashes[i], keys[run_starts[i]].size());
  // A run of requests on one key (HSET myhash f1 v1, HSET myhash f2 v2, ...) names its
  // fields third (a sorted set's members third or fourth: ZSCORE z m, ZADD z 1 m): if the
  // key is a big hash, set or sorted set, each field's lookup misses the cache as a
  // random key's does, and their misses overlap too.
  for (size_t r = 0; r < n; ++r) {
    const size_t start = run_starts[r];
    const size_t end = r + 1 < n ? run_starts[r + 1] : found;
    if (end - start < 2) continue;
    shards.PrefetchFields(session_.db, hashes[r], keys[start],
                          {std::span<const std::string_view>(thirds + start, end - start),
                           std::span<const std::string_view>(fourths + start, end - start)});
  }
  return std::max<size_t>(requests, 1);
}

bool Connection::ProcessInput() {
  ReplyWriter writer(&out_, session_.resp);
  const ServerConfig& config = server_.config();
  size_t until_prefetch = 0;
  while (!closing_ && !blocked_ && !paused_ && !awaiting_durable_ && in_.pending_size() > 0 &&
         out_.size() <= kOutputHighWater) {
    // Per command: an AUTH earlier in the same read lifts the unauthenticated limits.
    RequestLimits limits;
    limits.max_bulk_len = config.proto_max_bulk_len.load(std::memory_order_relaxed);
    limits.unauthenticated =
        !session_.authenticated && config.security.password_required();
    parser_.set_limits(limits);
    if (until_prefetch-- == 0) until_prefetch = PrefetchPipeline() - 1;
    size_t consumed = 0;
    RequestParser::Result r = parser_.Parse(in_.pending(), &consumed);
    if (r == RequestParser::Result::kNeedMore) break;
    if (r == RequestParser::Result::kError) {
      writer.Error("ERR " + parser_.error());
      server_.CountErrors(writer, thread_.index());
      Log(LogLevel::kVerbose, "Protocol error ({}) from client: id={} addr={}", parser_.error(),
          info_->id, info_->addr);
      closing_ = true;
      in_.ConsumeAll();
      break;
    }
    if (!parser_.args().empty()) {
      if (server_.PostponedByPause(session_, parser_.args())) {
        Park();  // not consumed: parsed again once the pause ends
        break;
      }
      // While a script runs (it holds every shard) the command waits for it, parked,
      // until it is past busy-reply-threshold: then the dispatcher answers -BUSY to all
      // but the few commands Redis allows, which touch no shard (server/script_gate.h).
      ScriptGate& gate = server_.script_gate();
      const bool entered = gate.TryEnter(thread_.index());
      if (!entered && !gate.busy()) {
        ParkForScript();  // not consumed: parsed again once the script ends or turns busy
        break;
      }
      // The tracking table is kept within tracking-table-max-keys before each command
      // (as Redis's processCommand); what that forgets is invalidated, for this client
      // too, before its reply. Invalidations queued before this command are written
      // before its reply (a reply never shows a value newer than an invalidation still
      // unsent: client_tracking.h).
      ClientTracking& tracking = server_.tracking();
      if (tracking.active()) {
        tracking.LimitTable(server_.config().notifications.tracking_table_max_keys.load(std::memory_order_relaxed));
      }
      if (info_->inbox->pending()) DeliverTrackingPushes(false);
      writer.set_protocol(session_.resp);
      size_t out_before = out_.size();
      bool replica = replica_feed_ != nullptr;
      bool skip = session_.reply_mode.skip_next;  // CLIENT REPLY SKIP came just before
      session_.reply_mode.skip_next = false;
      server_.Execute(session_, parser_.args(), writer, thread_.index());
      if (entered) gate.Leave(thread_.index());
      // A replica's REPLCONF ACKs get no reply, nor do commands under CLIENT REPLY
      // OFF/SKIP (the reply to CLIENT REPLY ON is sent: it turned reply_off back off).
      if (replica || skip || session_.reply_mode.off) out_.resize(out_before);
      if (blocked_) blocked_reply_skipped_ = skip;
      if (session_.close_after_reply) closing_ = true;
    }
    in_.Consume(consumed);
  }
  info_->query_buffer.store(in_.pending_size(), std::memory_order_relaxed);
  // Everything allocated beyond the pending bytes, consumed space included.
  info_->query_buffer_free.store(in_.capacity() - in_.pending_size(), std::memory_order_relaxed);
  return !closing_ && !blocked_ && !paused_ && !awaiting_durable_ && in_.pending_size() > 0 &&
         out_.size() > kOutputHighWater;
}

void Connection::ProcessAndFlush() {
  // Commands held back by the output high-water mark run as soon as the output drained,
  // without waiting for the client to send more.
  bool more = true;
  while (more && !closed_) {
    more = ProcessInput();
    // client-output-buffer-limit for normal (and pub/sub) clients: the replies this
    // client does not read are dropped with it, not buffered without bound.
    if (!replica_feed_ && DroppedOverOutputLimit()) return;
    Flush();
    if (writing_active_) break;  // the socket is full: OnWritable continues
  }
}

void Connection::Close() {
  if (closed_) return;
  closed_ = true;
  thread_.RemoveConnection(this);
  if (info_->tracking.load() != 0) server_.tracking().Disable(*info_);
  if (blocked_ && blocked_->Claim(BlockedClient::kDone)) server_.blocking().Remove(blocked_.get());
  if (block_timer_) block_timer_->cancel();
  if (paused_) {
    server_.pause().Forget(info_->id);
    server_.script_gate().Forget(info_->id);
  }
  server_.ResetSessionState(session_);
  if (info_->monitor.load(std::memory_order_relaxed)) server_.monitors().Remove(info_->id);
  if (replica_feed_) {
    server_.replication().source().Detach(replica_feed_.get());
    replica_feed_->Drop("connection closed");
  }
  // Gone from CLIENT LIST before the peer can see the socket close.
  server_.clients().Remove(info_->id);
  if (tls_) tls_->Shutdown();
  std::error_code ec;
  socket_.shutdown(asio::ip::tcp::socket::shutdown_both, ec);
  socket_.close(ec);
}

size_t Connection::ReadSome(char* buf, size_t len, std::error_code& ec) {
  if (!tls_) return socket_.read_some(asio::buffer(buf, len), ec);
  TlsStream::Result r = tls_->Read(buf, len);
  switch (r.want) {
    case TlsStream::Want::kRead:
      ec = asio::error::would_block;
      return 0;
    case TlsStream::Want::kWrite:
      // The handshake (or a record) must send before it can read on.
      reading_ = true;
      socket_.async_wait(asio::socket_base::wait_write,
                         [self = shared_from_this()](const std::error_code& e) { self->OnReadable(e); });
      ec = asio::error::in_progress;
      return 0;
    case TlsStream::Want::kNothing:
      break;
  }
  if (r.closed) {
    if (!r.error.empty()) {
      Log(LogLevel::kVerbose, "Error accepting a client connection: {} (addr={})", r.error, info_->addr);
    }
    ec = asio::error::eof;
    return 0;
  }
  return r.bytes;
}

size_t Connection::WriteSome(const char* data, size_t len, std::error_code& ec) {
  if (!tls_) return socket_.write_some(asio::buffer(data, len), ec);
  TlsStream::Result r = tls_->Write(data, len);
  switch (r.want) {
    case TlsStream::Want::kWrite:
      ec = asio::error::would_block;
      return 0;
    case TlsStream::Want::kRead:
      // Renegotiation or a key update: the write goes on once the peer's record came.
      socket_.async_wait(asio::socket_base::wait_read,
                         [self = shared_from_this()](const std::error_code& e) { self->OnWritable(e); });
      ec = asio::error::in_progress;
      return 0;
    case TlsStream::Want::kNothing:
      break;
  }
  if (r.closed) {
    ec = asio::error::connection_reset;
    return 0;
  }
  return r.bytes;
}

}  // namespace minired
