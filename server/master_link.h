// A replica's link to its master: connect, the handshake (PING, AUTH, REPLCONF
// listening-port, REPLCONF capa, PSYNC), a full sync (receive the payload, load it
// into a fresh keyspace on a loader thread, swap it in) or a partial one, then apply
// the master's stream through the ordinary command path and acknowledge the offset
// every second. Reconnects after a second when the link drops.
//
// Threads: the link is one coroutine on one I/O thread; the commands it applies run
// there like a client's. Stop() may be called from any thread and returns once the
// link applies nothing more, so a promotion never races a command from the old master.
#pragma once

#include <asio.hpp>

#include <atomic>
#include <functional>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "protocol/request_parser.h"
#include "protocol/status.h"
#include "server/scripting/function_registry.h"
#include "server/session.h"
#include "storage/shard_set.h"

namespace minired {

class Server;
class IoThread;
class Replication;

class MasterLink : public std::enable_shared_from_this<MasterLink> {
 public:
  enum class State { kConnect, kConnecting, kHandshake, kTransfer, kLoading, kConnected };

  MasterLink(Server& server, Replication& replication, IoThread& thread, std::string host, int port);
  ~MasterLink();

  void Start();
  // `wait`: block until the link's thread acknowledged (not at shutdown, when the I/O
  // threads are gone).
  void Stop(bool wait);
  // Drops the link when the master has been silent for longer than repl-timeout.
  void CheckTimeout(int64_t now_ms, int64_t timeout_ms);
  // Runs `fn` on the link's thread, between two commands of the stream.
  void Post(std::function<void()> fn);

  const std::string& host() const { return host_; }
  int port() const { return port_; }
  State state() const { return state_.load(); }
  uint64_t offset() const { return offset_.load(); }
  int64_t last_io_ms() const { return last_io_ms_.load(); }
  int64_t down_since_ms() const { return down_since_ms_.load(); }
  uint64_t transfer_total() const { return transfer_total_.load(); }
  uint64_t transfer_read() const { return transfer_read_.load(); }
  uint64_t loaded_keys() const { return loaded_keys_.load(); }
  // Why the link stopped for good (a command this replica cannot apply); "" while not.
  std::string halt_reason() const;

 private:
  asio::awaitable<void> Run();
  asio::awaitable<void> SyncOnce();
  asio::awaitable<void> Handshake();
  asio::awaitable<void> FullSync(std::string replid, uint64_t offset);
  asio::awaitable<void> Stream();
  asio::awaitable<void> AckLoop(uint64_t generation);
  asio::awaitable<std::string> ReadLine();
  asio::awaitable<std::string> Call(std::vector<std::string> args);
  void Send(const std::string& bytes);
  void SendAck();
  // Runs every complete command of the stream in inbuf_; true if one asked for an ACK.
  bool ApplyBuffered();
  void CloseSocket();
  void Halt(std::string reason);
  Status LoadRdbPayload(std::string_view payload, ShardSet& fresh, int* stream_db,
                        std::vector<FunctionRegistry::LibraryPtr>* libraries);

  Server& server_;
  Replication& replication_;
  IoThread& thread_;
  const std::string host_;
  const int port_;
  asio::ip::tcp::socket socket_;
  asio::steady_timer timer_;
  std::string inbuf_;  // bytes read and not yet used
  RequestParser parser_;
  ClientInfo info_;  // the master as a client (not listed: Redis lists it with flag M)
  Session session_;
  std::string scratch_;  // replies to the master's commands, dropped
  uint64_t generation_ = 0;  // one per connection, so an old ACK loop ends

  std::atomic<bool> stopped_{false};
  std::mutex swap_mu_;  // a full sync's swap happens entirely before Stop, or not at all
  std::atomic<State> state_{State::kConnect};
  std::atomic<uint64_t> offset_{0};
  std::atomic<int64_t> last_io_ms_{0};
  std::atomic<int64_t> down_since_ms_{0};
  std::atomic<uint64_t> transfer_total_{0};
  std::atomic<uint64_t> transfer_read_{0};
  std::atomic<uint64_t> loaded_keys_{0};
  mutable std::mutex halt_mu_;
  std::string halt_reason_;  // guarded by halt_mu_
};

}  // namespace minired
