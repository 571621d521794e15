// The composition root: owns the configuration, the keyspace, the command table, the
// I/O threads and the listeners, and their lifetimes.
//
// Threads: `threads` I/O threads, each running its own asio::io_context. A connection
// belongs to one thread for its whole life (all its reads, commands and writes run
// there). Thread 0 also runs the listeners, signal handling and the server cron.
// Each thread runs the active-expiry cycle for the shards i with i % threads == its
// index, so expiry work is spread and never crosses threads. The keyspace itself is
// shared: see storage/shard_set.h for its locking.
#pragma once

#include <asio.hpp>

#include <atomic>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "protocol/reply_writer.h"
#include "protocol/status.h"
#include "server/client_registry.h"
#include "server/command_stats.h"
#include "server/command_table.h"
#include "server/blocking.h"
#include "server/client_pause.h"
#include "server/client_tracking.h"
#include "server/keyspace_notifier.h"
#include "server/keyspace_signals.h"
#include "server/config.h"
#include "server/cycle_clock.h"
#include "server/latency_monitor.h"
#include "server/monitor.h"
#include "server/pubsub.h"
#include "server/script_gate.h"
#include "server/net/read_buffer.h"
#include "server/scripting/function_registry.h"
#include "server/scripting/script_cache.h"
#include "server/session.h"
#include "server/slowlog.h"
#include "server/stats.h"
#include "server/supervision.h"
#include "storage/clock.h"
#include "storage/journal.h"
#include "storage/lazy_free.h"
#include "storage/shard_set.h"

namespace asio::ssl {
class context;
}

namespace minired {

class Evictor;
class LogWriter;
class Persistence;
class Replication;
class Connection;
struct CallFrame;

class IoThread {
 public:
  IoThread(int index, const CommandTable& commands)
      : index_(index), ctx_(1), command_stats_(commands), rng_(std::random_device{}()) {}
  int index() const { return index_; }
  asio::io_context& context() { return ctx_; }
  ThreadStats& stats() { return stats_; }
  CommandStats& command_stats() { return command_stats_; }
  std::mt19937_64& rng() { return rng_; }
  std::thread& thread() { return thread_; }
  // Connections of this thread whose replies wait for the log (appendfsync always), and
  // whether a resume of them is already posted: one post wakes them all per sync.
  std::vector<std::shared_ptr<Connection>>& durable_waiters() { return durable_waiters_; }
  std::atomic<bool>& resume_posted() { return resume_posted_; }
  // Posts the log append (LogWriter::FlushNow) behind the handlers ready now, unless it
  // is already: one append per turn of the loop covers every write of this thread's
  // clients (LogWriter::ThreadFlusher).
  void RequestLogFlush(LogWriter& log);
  // The read buffer lent to a connection for one read (read_buffer.h); none when the
  // last was kept by a connection left with part of a command (the ReadBuffer then
  // allocates its own, as for its first read).
  ReadBuffer::Storage BorrowReadBuffer() { return std::exchange(spare_read_, {}); }
  // Takes a drained buffer back; one that a big request made large is freed instead.
  void ReturnReadBuffer(ReadBuffer::Storage storage) {
    if (!spare_read_.data && storage.cap <= ReadBuffer::kMaxKept) spare_read_ = std::move(storage);
  }
  // The open connections of this thread (used only on it): a busy script's thread
  // serves them from the script's hook (Connection::ServeThreadWhileBusy).
  // A connection accepted for this thread, started by a handler posted here, or by
  // StartAdopted from a busy script's hook, whichever comes first (any thread).
  void Adopt(std::shared_ptr<Connection> c);
  // Starts the connections adopted so far (this thread only).
  void StartAdopted();
  // Held weakly: one dropped without Close (at shutdown) is skipped.
  void AddConnection(const std::shared_ptr<Connection>& c) { connections_.emplace(c.get(), c); }
  void RemoveConnection(Connection* c) { connections_.erase(c); }
  const std::unordered_map<Connection*, std::weak_ptr<Connection>>& connections() const { return connections_; }

  // The I/O thread running on the calling thread; null elsewhere (cron, log writer).
  static IoThread* Current();
  static void SetCurrent(IoThread* io);
  // A replica connection of this thread has stream bytes to send (called on this thread,
  // as its feed is woken): they go out before the next reply this thread writes, as
  // redis-server writes its replicas' buffers first in the turn's write phase, so a client
  // that got its reply and reads from a replica finds the write there sooner. A handler
  // posted behind the ones ready now sends them if no reply comes first.
  void DeferReplicaFlush(std::weak_ptr<Connection> replica);
  // Sends what DeferReplicaFlush collected, before a reply of this thread; unless it sent
  // some within kReplicaFlushGap, when the posted handler sends it instead: under load the
  // stream then leaves in one send for many writes rather than one per client served.
  void FlushReplicasBeforeReply();
  // A connection's replies go out at the end of the turn (a handler posted behind the
  // ones ready now), with every other connection's of this thread, as redis-server
  // writes its clients' replies before it sleeps (handleClientsWithPendingWrites): a
  // load generator sharing the cores is then woken once per turn rather than once per
  // reply. Pipelined ZADD on one core (2-core machine, the client on the other): 2.1-2.4
  // µs of server CPU a request instead of 2.8-3.3, 30-50 % more requests served; no
  // change measurable for PING or INCR (bench/results/2026-12-07-log-files.md).
  void DeferReplyFlush(std::shared_ptr<Connection> c);
  // Replies are written at once: while the deferred ones are, and while a busy script's
  // hook serves this thread's clients (the turn does not end until the script does).
  bool writes_replies_now() const { return replies_now_ > 0; }
  class RepliesNow {
   public:
    explicit RepliesNow(IoThread& t) : t_(t) { ++t_.replies_now_; }
    ~RepliesNow() { --t_.replies_now_; }
    RepliesNow(const RepliesNow&) = delete;
    RepliesNow& operator=(const RepliesNow&) = delete;

   private:
    IoThread& t_;
  };

 private:
  void WriteDeferredReplies();
  // 100 us: with one replica and 50 clients writing (2 cores), a send before every reply
  // (0) served 38-47k SETs/s, 25 us 55k, 100 us 90-109k, as many as with no replica;
  // idle, every write still goes out before its reply.
  static constexpr std::chrono::microseconds kReplicaFlushGap{100};
  void FlushDeferredReplicas();
  // One hop of RequestLogFlush's post; the last hop appends.
  void PostLogFlush(LogWriter& log, int hops_left);

  int index_;
  asio::io_context ctx_;
  ThreadStats stats_;
  CommandStats command_stats_;
  std::mt19937_64 rng_;  // used only on this thread
  std::thread thread_;
  std::vector<std::shared_ptr<Connection>> durable_waiters_;  // used only on this thread
  std::atomic<bool> resume_posted_{false};
  bool log_flush_posted_ = false;  // used only on this thread
  LogWriter* flush_log_ = nullptr;  // the log of the posted flush; used only on this thread
  std::chrono::steady_clock::time_point log_appended_early_at_;  // used only on this thread
  ReadBuffer::Storage spare_read_;  // used only on this thread
  std::unordered_map<Connection*, std::weak_ptr<Connection>> connections_;  // used only on this thread
  std::mutex adopted_mu_;
  std::vector<std::shared_ptr<Connection>> adopted_;  // guarded by adopted_mu_
  std::vector<std::weak_ptr<Connection>> deferred_replicas_;  // used only on this thread
  std::vector<std::shared_ptr<Connection>> deferred_replies_;  // used only on this thread
  int replies_now_ = 0;                                        // used only on this thread
  std::chrono::steady_clock::time_point replicas_flushed_at_;  // used only on this thread
};

class Server {
 public:
  // `config` must outlive the server. `clock` defaults to the system clock.
  explicit Server(ServerConfig& config, const Clock* clock = nullptr);
  ~Server();

  // TLS for the tls-port listener (MakeTlsContext); set before Start.
  void SetTlsContext(std::unique_ptr<asio::ssl::context> context);
  // Binds the listeners and starts the I/O threads. Returns an error naming the
  // address that could not be bound.
  Status Start();
  // Blocks until shutdown was requested and every thread has stopped.
  void Wait();
  // Safe from any thread or a signal handler context posted through asio.
  void RequestShutdown();

  // Runs one command through the dispatcher (server/dispatcher.cc): connections, the
  // log replay, the master link, and in-process tests and the fuzzer without a socket.
  // `thread` is the I/O thread whose statistics are charged; `caller` the command that
  // runs this one (EXEC, a script), null for a top-level command.
  void Execute(Session& session, std::span<const std::string_view> args, ReplyWriter& reply, int thread = 0,
               CallFrame* caller = nullptr);

  ServerConfig& config() { return config_; }
  ShardSet& shards() { return shards_; }
  const CommandTable& commands() const { return commands_; }
  ClientRegistry& clients() { return clients_; }
  // Persistence (null until OpenPersistence, e.g. in-process tests).
  Persistence* persistence() { return persistence_.get(); }
  // Opens the files under the current directory and starts loading them in the
  // background once the server runs (clients get -LOADING meanwhile).
  Status OpenPersistence();
  JournalSink* journal_sink();
  Replication& replication() { return *replication_; }
  // Readiness for a service manager (supervised systemd/upstart).
  Supervision& supervision() { return supervision_; }
  Evictor& evictor() { return *evictor_; }
  // The memory that maxmemory does not count: replica output buffers, the log's buffer
  // (what the cron hands the evictor, and INFO's mem_not_counted_for_evict).
  int64_t MemoryNotCountedForEviction();
  // Used memory when the server started (INFO's used_memory_startup).
  int64_t startup_memory() const { return startup_memory_; }
  IoThread& io_thread(int i) { return *threads_[static_cast<size_t>(i)]; }
  bool loading() const { return loading_.load(); }
  void set_loading(bool on) { loading_.store(on); }
  // SHUTDOWN NOSAVE clears it; main takes the final snapshot when set.
  bool shutdown_save() const { return shutdown_save_.load(); }
  void set_shutdown_save(bool on) { shutdown_save_.store(on); }
  PubSub& pubsub() { return pubsub_; }
  ScriptCache& scripts() { return scripts_; }
  FunctionRegistry& functions() { return functions_; }
  SlowLog& slowlog() { return slowlog_; }
  LatencyMonitor& latency() { return latency_; }
  Monitors& monitors() { return monitors_; }
  // Every I/O thread's command statistics (INFO commandstats, LATENCY HISTOGRAM).
  std::vector<const CommandStats*> command_stats() const;
  // Counts the errors `reply` wrote outside Execute (a protocol error) in errorstats.
  void CountErrors(ReplyWriter& reply, int thread);
  BlockingRegistry& blocking() { return blocking_; }
  KeyspaceNotifier& notifier() { return notifier_; }
  ClientTracking& tracking() { return tracking_; }
  // A CONFIG SET applied: subsystems that keep a derived view of the config refresh it.
  void ConfigChanged();
  // After keyspace changes made outside a command's run (active expiry, eviction before
  // a command): serves the clients blocked on keys they made ready and sends the BCAST
  // invalidations they gathered, with no shard lock held.
  void AfterKeyspaceChanges();
  ClientPause& pause() { return pause_; }
  ScriptGate& script_gate() { return *script_gate_; }
  // CLIENT PAUSE for `timeout_ms`; the pause ends by itself at its deadline.
  void PauseClients(ClientPause::Mode mode, int64_t timeout_ms);
  // Whether a normal client's next command (`args`) must wait for CLIENT UNPAUSE.
  bool PostponedByPause(const Session& session, std::span<const std::string_view> args) const;
  // Whether a command queued by the session's MULTI carries one of `flags`.
  bool QueuedCommandHas(const Session& session, uint32_t flags) const;
  // The flags a call of `spec` with `args` is checked with: spec's, or for a command
  // that runs a script, those the script declares (dispatcher.cc).
  uint32_t CallFlags(const CommandSpec& spec, std::span<const std::string_view> args) const;
  // Shows a call to MONITOR clients now (EVAL and FCALL, before the calls they make).
  void FeedMonitors(const Session& session, std::span<const std::string_view> args);
  // AUTH / HELLO AUTH succeeded: the session runs as `user` from now on.
  void LogIn(Session& session, std::shared_ptr<const AclUser> user);
  // A session's ACL denial for a command ("" when allowed); refreshes its user snapshot.
  std::string AclDenied(Session& session, const CommandSpec& spec, std::span<const std::string_view> args);
  // Disconnects the clients logged in as these users (ACL DELUSER, ACL LOAD).
  void DisconnectUsers(const std::vector<std::string>& names);
  // Drops a client's transaction, watches and subscriptions (RESET, disconnect).
  void ResetSessionState(Session& session);
  LazyFreer& lazy_freer() { return LazyFreer::Global(); }
  const Clock& clock() const { return *clock_; }
  int thread_count() const { return static_cast<int>(threads_.size()); }
  // Returns the allocator's free pages to the OS from every thread that allocates (each
  // thread's heap is its own: the I/O threads, the log writer, RocksDB's background
  // threads): MEMORY PURGE, and the cron when the RSS is well above used_memory.
  void GiveMemoryBack();
  const std::string& run_id() const { return run_id_; }
  int64_t start_time_ms() const { return start_time_ms_; }
  int listening_port() const { return listening_port_; }

  StatsTotals Totals();  // since the last CONFIG RESETSTAT
  void ResetStats();
  int64_t peak_memory() const { return peak_memory_.load(); }
  int64_t instantaneous_ops_per_sec() const;
  void set_active_expire(bool on) { active_expire_ = on; }

  // Runs one active-expiry pass for the shards owned by `thread` (see class comment),
  // within `budget_us` microseconds; true if it stopped for time with expired keys left.
  // Exposed for tests.
  bool ActiveExpireCycle(int thread, int64_t budget_us);

 private:
  // Binds `port` on every bind address (tls: the tls-port listeners).
  Status Listen(int port, bool tls);
  void Accept(size_t listener);
  // Hands an accepted client to its I/O thread.
  void AdoptClient(size_t listener, IoThread& io, asio::ip::tcp::socket sock);
  void WaitForSignal();
  // An I/O thread's loop: the io_context's handlers until it stops (busy-poll-us).
  static void RunIoLoop(asio::io_context& ctx, int busy_poll_us);
  void ScheduleExpiry(int thread);
  void RunExpirySlices(int thread, int64_t budget_us);
  void ScheduleCron();
  void ArmPauseTimer(int64_t ms);
  void CloseIdleClients(int64_t now_ms);
  void MaybeGiveMemoryBack(int64_t now_ms, int64_t used);
  // The dispatcher's call of a command that passed its checks (dispatcher.cc).
  void Run(Session& session, const CommandSpec& spec, std::span<const std::string_view> args, ReplyWriter& reply,
           int thread, CallFrame* caller);
  void SaveAfterCommand(Session& session);
  // `targets`: where the record goes (a script's redis.set_repl; JournalTarget).
  void RecordWrite(Journal& j, const CommandSpec& spec, int db, std::span<const std::string_view> args,
                   uint64_t touches_before, size_t first_record, uint8_t targets, bool top_level);
  // After a command ran (calls, time, latency, slow log, latency monitor, monitors).
  void RecordCall(Session& session, const CommandSpec& spec, std::span<const std::string_view> args, int thread,
                  uint64_t ns, bool failed);
  // A known command refused before it ran (arity, NOAUTH, OOM...).
  void RecordRejected(const CommandSpec& spec, std::span<const std::string_view> args, int thread);
  void RememberReadKeys(const Session& session, const CommandSpec& spec, std::span<const std::string_view> args);
  StatsTotals ThreadTotals();  // counters of the I/O threads, lock-free
  StatsTotals RawTotals();     // ThreadTotals plus keyspace counters (locks every shard)

  ServerConfig& config_;
  const Clock* clock_;
  CommandClock command_clock_;  // clock_ for commands, read at most every 100 µs per thread
  ShardSet shards_;
  const CommandTable& commands_;  // BuiltinCommands(): shared with the ACL rules
  ClientRegistry clients_;
  PubSub pubsub_;
  ScriptCache scripts_;
  FunctionRegistry functions_;
  SlowLog slowlog_;
  LatencyMonitor latency_;
  Monitors monitors_;
  BlockingRegistry blocking_;
  KeyspaceNotifier notifier_;
  ClientTracking tracking_;
  KeyspaceSignals keyspace_signals_;  // the keyspace's listener: blocking, notifier_, tracking_
  ClientPause pause_;
  std::unique_ptr<ScriptGate> script_gate_;  // one slot per I/O thread
  std::vector<std::unique_ptr<IoThread>> threads_;
  // The listeners and the signals live on a thread of their own, not on an I/O thread:
  // a script running long on an I/O thread must not stop the server from accepting
  // (SCRIPT KILL must get in) or from hearing SIGTERM.
  asio::io_context accept_ctx_{1};
  std::thread accept_thread_;
  std::vector<std::unique_ptr<asio::ip::tcp::acceptor>> acceptors_;
  std::vector<bool> acceptor_tls_;  // per acceptor: its clients speak TLS
  std::unique_ptr<asio::ssl::context> tls_context_;
  std::vector<std::unique_ptr<asio::steady_timer>> expiry_timers_;
  std::unique_ptr<asio::steady_timer> cron_timer_;
  std::unique_ptr<asio::steady_timer> pause_timer_;  // on thread 0: ends CLIENT PAUSE
  std::unique_ptr<asio::signal_set> signals_;
  std::vector<size_t> expiry_cursor_;  // per thread: next shard to visit
  std::atomic<size_t> next_thread_{0};
  std::atomic<bool> stopping_{false};
  std::atomic<bool> active_expire_{true};
  std::atomic<bool> loading_{false};
  std::atomic<bool> shutdown_save_{true};
  Supervision supervision_;
  std::unique_ptr<Persistence> persistence_;
  std::unique_ptr<Replication> replication_;
  std::unique_ptr<Evictor> evictor_;
  int64_t startup_memory_ = 0;
  std::atomic<int64_t> peak_memory_{0};
  StatsTotals baseline_;
  std::mutex baseline_mu_;
  // instantaneous_ops_per_sec: ring of per-100ms rates, as Redis's STATS_METRIC samples.
  static constexpr int kOpsSamples = 16;
  std::atomic<int64_t> ops_samples_[kOpsSamples] = {};
  int ops_sample_index_ = 0;
  uint64_t ops_last_count_ = 0;
  int64_t ops_last_ms_ = 0;
  int64_t idle_check_ms_ = 0;  // used by the cron only
  // Giving freed memory back to the OS (GiveMemoryBack): when the cron may next try, and
  // how long it waits after a try that did not help (doubling up to a minute).
  int64_t next_purge_ms_ = 0;       // used by the cron only
  int64_t purge_backoff_ms_ = 1000;  // used by the cron only
  int64_t last_purge_rss_ = 0;       // used by the cron only: RSS when it last tried
  int64_t last_used_ = 0;            // used by the cron only: used_memory at the last tick
  std::string run_id_;
  int64_t start_time_ms_;
  int listening_port_ = 0;
};

}  // namespace minired
