// One client connection, owned by one I/O thread from accept to close.
//
// Request path: a read queued on the reactor (queued_read.h) fills the ReadBuffer ->
// RequestParser -> Server::Execute for each complete command (pipelining: every command
// already in the buffer runs) -> replies appended to one output buffer -> written
// directly (non-blocking) for the whole batch; only a full socket buffer makes the
// connection wait for writability.
// A protocol error gets its "-ERR Protocol error" reply, then this connection closes;
// every other error reply leaves it open. A TLS client's bytes go through its TlsStream
// on the same path (tls.h). What the rest of the server asks of a connection (ClientHooks:
// pub/sub, blocking commands, a replica's feed, MONITOR) is in connection_hooks.cc.
#pragma once

#include <asio.hpp>

#include <memory>
#include <string>
#include <vector>

#include "protocol/request_parser.h"
#include "server/net/queued_read.h"
#include "server/net/read_buffer.h"
#include "server/session.h"

namespace asio::ssl {
class context;
}

namespace minired {

class Server;
class IoThread;
class TlsStream;

struct PubSubMessage;

class Connection : public std::enable_shared_from_this<Connection>, public ClientHooks {
 public:
  // `tls`: the client speaks TLS (accepted on tls-port); null for plain TCP.
  Connection(Server& server, IoThread& thread, asio::ip::tcp::socket socket, asio::ssl::context* tls = nullptr);
  ~Connection();
  // Registers the client and starts reading. Call once, on the owning thread.
  void Start();

  // ClientHooks.
  std::shared_ptr<Subscriber> subscriber() override;
  void Block(std::shared_ptr<BlockedClient> waiter, int64_t timeout_ms) override;
  void AttachReplicaFeed(std::shared_ptr<ReplicaFeed> feed) override;
  bool StartMonitor() override;
  void ServeThreadWhileBusy() override;
  // A replica's connection: sends what its feed holds now (IoThread's deferred flush).
  void SendReplicaStream() { Flush(); }
  // Writes the replies held for the end of the turn (IoThread::DeferReplyFlush).
  void WriteDeferredReplies();

 private:
  const char* Refusal();
  void ReadMore();
  void OnReadable(const std::error_code& ec);
  // One read into the buffer (lent by the thread when it holds none); what came is
  // committed and maybe_more_input_ says whether more may be waiting. ec as ReadSome's.
  size_t ReadIntoBuffer(std::error_code& ec);
  // A plain socket's queued read: the reactor's attempt, then its completion.
  QueuedRead::Attempt AttemptQueuedRead(std::error_code& ec);
  void OnQueuedRead(const std::error_code& ec);
  // Serving from a busy script's hook (serve_while_busy.cc): whether this connection is
  // idle, waiting for input that may be served now; then reads and serves what came.
  bool WaitsForInput() const;
  void ServeWhileBusy();
  // After n bytes were added to the read buffer: limits, then the commands.
  void OnInput(size_t n);
  // Hands the read buffer back to the thread once every byte in it was consumed.
  void ReturnIdleReadBuffer();
  // Reads into the buffer; 0 with ec would_block when nothing came (a TLS stream that
  // must write first has already queued the wait for that).
  size_t ReadSome(char* buf, size_t len, std::error_code& ec);
  // Writes from `data`; 0 with ec would_block when the socket (or TLS) must wait.
  size_t WriteSome(const char* data, size_t len, std::error_code& ec);
  // Runs every complete command in the buffer; true if it stopped early because the
  // output passed the high-water mark.
  bool ProcessInput();
  // Asks for the key table lines of the next kPrefetchBatch requests' keys, so that
  // their cache misses overlap (a pipeline of random keys waited on each in turn).
  // Returns how many requests that covered (fewer when scripts' keys filled the batch),
  // at least 1: when to look ahead again.
  size_t PrefetchPipeline();
  static constexpr size_t kPrefetchBatch = 16;
  // Past this much unsent output the connection stops reading until the socket drains,
  // so a client that pipelines without reading cannot make us buffer without bound.
  static constexpr size_t kOutputHighWater = 4 * 1024 * 1024;
  void ProcessAndFlush();
  void Flush();
  void WriteNow();
  void OnWritable(const std::error_code& ec);
  void Close();
  // Pub/sub delivery, on this connection's thread.
  void DeliverPush(const PubSubMessage& m);
  // Writes the invalidations queued in this client's inbox (connection_hooks.cc), and
  // sends them when `flush` (a wake, not the command loop).
  void DeliverTrackingPushes(bool flush);
  // A MONITOR line, on this connection's thread.
  void DeliverMonitorLine(const std::string& line);
  // SO_KEEPALIVE with tcp-keepalive's idle time (probes every third of it, 3 of them).
  void SetKeepAlive();
  // Whether the pending output passed its class limit (normal, pubsub, replica).
  bool OverOutputLimit();
  // Logs and closes a client whose pending output passed its limit.
  void CloseOverOutputLimit();
  // OverOutputLimit, then drops the unsent replies and closes; true if it did.
  bool DroppedOverOutputLimit();
  // A replica's connection: closes it (false) when its feed was dropped or its pending
  // output, the feed's included, passed the replica limit.
  bool KeepReplica();
  // KeepReplica, then moves what its feed holds into out_ (and the payload into bulk_).
  bool TakeReplicaFeed();
  void Unblock(std::string reply);
  // Resumes this thread's connections whose writes became durable (appendfsync always).
  static void ResumeDurable(IoThread& thread);
  void OnDurable();
  void OnBlockTimeout(const std::error_code& ec);
  // Ends the wait of a blocking command this thread claimed (timeout, CLIENT UNBLOCK):
  // its timeout reply, or -UNBLOCKED when `error`.
  void EndClaimedWait(bool error);
  // CLIENT PAUSE: parks this connection before `args` runs; it resumes in Resume.
  void Park();
  // Waits for the running script to end or turn busy (server/script_gate.h).
  void ParkForScript();
  void Resume();
  size_t PendingOutput() const { return out_.size() + writing_.size() - write_offset_; }

  Server& server_;
  IoThread& thread_;
  ClientSocket socket_;
  asio::ssl::context* tls_context_;  // set until Start makes the stream
  std::unique_ptr<TlsStream> tls_;
  ReadBuffer in_;
  QueuedRead queued_read_;
  size_t queued_bytes_ = 0;  // what the queued read's attempt added to in_
  RequestParser parser_;
  std::string out_;      // replies not yet handed to the socket
  std::string writing_;  // the batch being written
  size_t write_offset_ = 0;  // bytes of writing_ already sent
  // A full sync's payload, written after writing_ (shared by the replicas it serves).
  std::shared_ptr<const std::string> bulk_;
  size_t bulk_offset_ = 0;
  std::shared_ptr<ReplicaFeed> replica_feed_;  // set once this client became a replica
  bool reading_ = false;
  bool maybe_more_input_ = true;  // the last read filled its buffer (or none happened yet)
  bool writing_active_ = false;
  bool reply_flush_deferred_ = false;  // queued on the thread's end-of-turn write
  bool awaiting_durable_ = false;  // replies held until the log synced (appendfsync always)
  bool closing_ = false;   // no more input is processed; close once output is flushed
  bool closed_ = false;
  std::shared_ptr<ClientInfo> info_;
  Session session_;
  std::shared_ptr<Subscriber> subscriber_;  // created by the first SUBSCRIBE
  std::shared_ptr<BlockedClient> blocked_;  // set while a blocking command waits
  // Also in info_'s unblock hook, which other threads read (CLIENT UNBLOCK).
  std::mutex blocked_mu_;
  std::weak_ptr<BlockedClient> blocked_shared_;  // guarded by blocked_mu_
  bool blocked_reply_skipped_ = false;  // the waiting command's reply is to be dropped (SKIP)
  bool paused_ = false;                 // parked by CLIENT PAUSE until Resume
  std::unique_ptr<asio::steady_timer> block_timer_;
  int64_t soft_limit_since_ms_ = 0;  // when pending output first passed the soft limit
};

}  // namespace minired
