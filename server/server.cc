#include "server/server.h"

#include <sched.h>

#include <algorithm>
#include <csignal>
#include <random>
#include <thread>

#include "server/net/connection.h"
#include "server/cycle_clock.h"
#include "server/errors.h"
#include "server/evictor.h"
#include "server/families/families.h"
#include "server/logger.h"
#include "server/persistence.h"
#include "server/replication.h"
#include "server/net/tls.h"
#include "protocol/command_encoder.h"
#include "protocol/numbers.h"
#include "storage/log_writer.h"
#include "storage/memory.h"

namespace minired {
namespace {

std::string RandomHex(size_t n) {
  static const char kHex[] = "0123456789abcdef";
  std::random_device rd;
  std::string s(n, '0');
  for (char& c : s) c = kHex[rd() % 16];
  return s;
}

// --threads' default: one I/O thread per core this process may run on (its CPU
// affinity: taskset, a container's cpuset), less one. The core left over serves the
// kernel's network processing, the log writer, RocksDB's flushes and compactions and the
// lazy freer, and on a small machine the clients that share it. Measured on 2 cores with
// redis-benchmark beside the server (docs/performance.md): 1 thread gave a p99 at
// pipeline 16 level with redis-server's where 2 gave 2-4x it, and half the CPU per ZADD
// on one hot key (the two threads took its cache lines from each other). On a many-core
// machine it leaves at most one core's worth of peak throughput unused.
int DefaultThreadCount() {
  cpu_set_t set;
  CPU_ZERO(&set);
  int cores = sched_getaffinity(0, sizeof set, &set) == 0 ? CPU_COUNT(&set)
                                                           : static_cast<int>(std::thread::hardware_concurrency());
  return std::max(1, cores - 1);
}

}  // namespace

Server::Server(ServerConfig& config, const Clock* clock)
    : config_(config),
      clock_(clock ? clock : SystemClock::Instance()),
      shards_(static_cast<size_t>(config.shards), config.databases, &config.eviction.access),
      commands_(BuiltinCommands()),
      latency_(&config.observability.latency_monitor_threshold_ms),
      notifier_(config.notifications.keyspace_events, pubsub_),
      tracking_(clients_),
      keyspace_signals_(blocking_, notifier_, tracking_),
      run_id_(RandomHex(40)),
      start_time_ms_(clock_->NowMs()) {
  CycleClock::Calibrate();
  command_clock_ = CommandClock(clock_);
  int n = config.threads > 0 ? config.threads : DefaultThreadCount();
  for (int i = 0; i < n; ++i) threads_.push_back(std::make_unique<IoThread>(i, commands_));
  script_gate_ = std::make_unique<ScriptGate>(static_cast<size_t>(n));
  expiry_cursor_.assign(static_cast<size_t>(n), 0);
  replication_ = std::make_unique<Replication>(*this);
  evictor_ = std::make_unique<Evictor>(*this);
  startup_memory_ = UsedMemory();
  // Removed streams answer their blocked group readers; key events become notifications
  // and tracking invalidations.
  shards_.SetListener(&keyspace_signals_);
  tracking_.on_active_changed = [this] { keyspace_signals_.Refresh(); };
  keyspace_signals_.Refresh();
}

Server::~Server() {
  // The log writer must not feed a replication source that is going away.
  if (persistence_) persistence_->log().SetListener(nullptr);
  replication_->Shutdown();
  RequestShutdown();
  Wait();
  persistence_.reset();  // its loader and snapshot threads call into replication_
}

void Server::ResetSessionState(Session& session) {
  DiscardTransaction(session);
  UnwatchAll(shards_, session);
  UnsubscribeAll(pubsub_, session);
  // RESET logs the client out, as in Redis: with a password set it must AUTH again.
  if (session.user) LogIn(session, config_.security.acl.Get("default"));
  session.authenticated = !config_.security.password_required();
}

void Server::LogIn(Session& session, std::shared_ptr<const AclUser> user) {
  session.acl_version = config_.security.acl.version();
  session.authenticated = true;
  if (session.info) session.info->set_user(user->name);
  session.user = std::move(user);
}

std::string Server::AclDenied(Session& session, const CommandSpec& spec, std::span<const std::string_view> args) {
  AclRegistry& acl = config_.security.acl;
  uint64_t v = acl.version();
  if (v != session.acl_version) {
    // The user changed (ACL SETUSER) or went away: its current rules apply at once.
    auto fresh = acl.Get(session.user->name);
    session.acl_version = v;
    if (!fresh) {
      session.close_after_reply = true;
      return AclDenialMessage(AclDenial::kCommand, spec.name);
    }
    session.user = std::move(fresh);
  }
  std::string what;
  AclDenial d = CheckAcl(*session.user, spec, args, &what);
  return d == AclDenial::kNone ? std::string() : AclDenialMessage(d, what);
}

void Server::DisconnectUsers(const std::vector<std::string>& names) {
  for (const auto& c : clients_.Snapshot()) {
    if (std::find(names.begin(), names.end(), c->user()) != names.end() && c->close) c->close();
  }
}

void Server::SetTlsContext(std::unique_ptr<asio::ssl::context> context) { tls_context_ = std::move(context); }

Status Server::Listen(int port, bool tls) {
  size_t before = acceptors_.size();
  for (const std::string& spec : config_.bind) {
    bool optional = !spec.empty() && spec[0] == '-';
    std::string addr = optional ? spec.substr(1) : spec;
    std::error_code ec;
    auto ip = asio::ip::make_address(addr == "*" ? "0.0.0.0" : addr, ec);
    if (ec) return Status::InvalidArgument("Invalid bind address '" + addr + "'");
    auto acc = std::make_unique<asio::ip::tcp::acceptor>(accept_ctx_);
    asio::ip::tcp::endpoint ep(ip, static_cast<unsigned short>(port));
    acc->open(ep.protocol(), ec);
    if (!ec) acc->set_option(asio::ip::tcp::acceptor::reuse_address(true), ec);
    if (!ec && ip.is_v6()) acc->set_option(asio::ip::v6_only(true), ec);
    if (!ec) acc->bind(ep, ec);
    if (!ec) acc->listen(511, ec);
    if (ec) {
      if (optional) continue;
      return Status::IOError(std::string("Could not create server ") + (tls ? "TLS" : "TCP") +
                             " listening socket " + addr + ":" + std::to_string(port) + ": " + ec.message());
    }
    if (!tls) listening_port_ = acc->local_endpoint().port();
    acceptors_.push_back(std::move(acc));
    acceptor_tls_.push_back(tls);
  }
  if (acceptors_.size() == before) return Status::IOError("No listening socket could be opened");
  return Status::Ok();
}

Status Server::Start() {
  if (Status s = Listen(config_.port, false); !s.ok()) return s;
  if (config_.tls.port > 0) {
    if (!tls_context_) return Status::InvalidArgument("tls-port is set but TLS was not configured");
    if (Status s = Listen(config_.tls.port, true); !s.ok()) return s;
  }
  for (size_t i = 0; i < acceptors_.size(); ++i) Accept(i);

  signals_ = std::make_unique<asio::signal_set>(accept_ctx_, SIGTERM, SIGINT, SIGHUP);
  WaitForSignal();
  accept_thread_ = std::thread([this] {
    auto guard = asio::make_work_guard(accept_ctx_);
    accept_ctx_.run();
  });

  for (int i = 0; i < thread_count(); ++i) ScheduleExpiry(i);
  ScheduleCron();
  for (auto& t : threads_) {
    IoThread* io = t.get();
    io->thread() = std::thread([io, busy_poll_us = config_.busy_poll_us]() {
      auto guard = asio::make_work_guard(io->context());
      // The log entries this thread's commands submit are appended by this thread, at
      // the end of its turn.
      LogWriter::SetThreadFlusher({[](void* arg, LogWriter& log) { static_cast<IoThread*>(arg)->RequestLogFlush(log); },
                                   io});
      IoThread::SetCurrent(io);
      RunIoLoop(io->context(), busy_poll_us);
      IoThread::SetCurrent(nullptr);
      LogWriter::SetThreadFlusher({});
    });
  }
  return Status::Ok();
}

// The append is posted this many times in a row. Each hop runs behind the handlers ready
// at that moment, and the reactor polls between hops, so every client whose command
// arrives in the meantime shares the one append (and, under `always`, the one sync).
// More hops make bigger groups, at the price of a non-blocking epoll_wait per hop; with
// 50 clients under `always`, 4 hops served 10-25% more writes per second than 2
// (redis-server groups a turn of its event loop, about 30 writes per sync), and 6 no more
// than 4. Under `everysec` and `no` an append (a RocksDB write and its write(2)) costs
// more than a poll: 1 hop took 8.95 us of server CPU per SET, 2 took 8.80, 4 took 8.29
// to 8.64, 8 took 8.11 to 8.56 (medians, 50 clients), with 2-5% more writes per second
// for 8 than 4 in each of three runs.
constexpr int kLogFlushHopsAlways = 4;
constexpr int kLogFlushHopsUnsynced = 8;

void IoThread::RequestLogFlush(LogWriter& log) {
  if (log_flush_posted_) return;
  log_flush_posted_ = true;
  flush_log_ = &log;
  log.ExpectFlush();
  PostLogFlush(log, log.policy() == FsyncPolicy::kAlways ? kLogFlushHopsAlways : kLogFlushHopsUnsynced);
}

void IoThread::PostLogFlush(LogWriter& log, int hops_left) {
  asio::post(ctx_, [this, &log, hops_left] {
    if (hops_left > 1) {
      PostLogFlush(log, hops_left - 1);
      return;
    }
    log_flush_posted_ = false;
    log.FlushNow();
  });
}

void Server::RunIoLoop(asio::io_context& ctx, int busy_poll_us) {
  if (busy_poll_us <= 0) {
    // The default: sleep in epoll_wait whenever nothing is ready, as redis-server.
    ctx.run();
    return;
  }
  // After the last work, poll for busy_poll_us before sleeping: a request that comes
  // within it finds the thread awake, with no wake-up to pay on either side.
  using Clock = std::chrono::steady_clock;
  const auto window = std::chrono::microseconds(busy_poll_us);
  auto last_work = Clock::now();
  while (!ctx.stopped()) {
    if (ctx.poll() > 0) {
      last_work = Clock::now();
    } else if (Clock::now() - last_work >= window) {
      ctx.run_one();
      last_work = Clock::now();
    }
  }
}

void Server::WaitForSignal() {
  signals_->async_wait([this](const std::error_code& ec, int sig) {
    if (ec) return;
    if (sig == SIGHUP) {
      // The operator rotated the log: write to a fresh file from now on.
      Logger::Get().Reopen();
      Log(LogLevel::kNotice, "Received SIGHUP, reopened the log file");
      WaitForSignal();
      return;
    }
    Log(LogLevel::kWarning, "Received {} scheduling shutdown...", sig == SIGINT ? "SIGINT" : "SIGTERM");
    RequestShutdown();
  });
}

void Server::Accept(size_t listener) {
  size_t target = next_thread_.fetch_add(1) % threads_.size();
  IoThread& io = *threads_[target];
  acceptors_[listener]->async_accept(
      io.context(), [this, listener, &io](const std::error_code& ec, asio::ip::tcp::socket sock) {
        if (stopping_) return;
        if (!ec) {
          AdoptClient(listener, io, std::move(sock));
        } else if (ec != asio::error::operation_aborted) {
          Log(LogLevel::kWarning, "Accepting client connection: {}", ec.message());
        }
        Accept(listener);
      });
}

void Server::AdoptClient(size_t listener, IoThread& io, asio::ip::tcp::socket sock) {
  io.stats().connections_received.Add();
  asio::ssl::context* tls = acceptor_tls_[listener] ? tls_context_.get() : nullptr;
  io.Adopt(std::make_shared<Connection>(*this, io, std::move(sock), tls));
}

void IoThread::Adopt(std::shared_ptr<Connection> c) {
  bool first;
  {
    std::lock_guard lock(adopted_mu_);
    first = adopted_.empty();
    adopted_.push_back(std::move(c));
  }
  if (first) asio::post(ctx_, [this] { StartAdopted(); });
}

namespace {
thread_local IoThread* t_current_io = nullptr;
}  // namespace

IoThread* IoThread::Current() { return t_current_io; }
void IoThread::SetCurrent(IoThread* io) { t_current_io = io; }

void IoThread::DeferReplicaFlush(std::weak_ptr<Connection> replica) {
  if (deferred_replicas_.empty()) asio::post(ctx_, [this] { FlushDeferredReplicas(); });
  deferred_replicas_.push_back(std::move(replica));
}

void IoThread::FlushReplicasBeforeReply() {
  if (deferred_replicas_.empty()) return;
  if (std::chrono::steady_clock::now() - replicas_flushed_at_ < kReplicaFlushGap) return;
  FlushDeferredReplicas();
}

void IoThread::FlushDeferredReplicas() {
  if (deferred_replicas_.empty()) return;
  replicas_flushed_at_ = std::chrono::steady_clock::now();
  // Swapped out first: a replica's Flush may wake another feed of this thread.
  std::vector<std::weak_ptr<Connection>> replicas;
  replicas.swap(deferred_replicas_);
  for (const auto& weak : replicas) {
    if (auto c = weak.lock()) c->SendReplicaStream();
  }
}

void IoThread::DeferReplyFlush(std::shared_ptr<Connection> c) {
  if (deferred_replies_.empty()) asio::post(ctx_, [this] { WriteDeferredReplies(); });
  deferred_replies_.push_back(std::move(c));
}

void IoThread::WriteDeferredReplies() {
  // Swapped out first: a write may defer another connection's replies (a push it made
  // ready), which then go out in the next turn's handler.
  std::vector<std::shared_ptr<Connection>> due;
  due.swap(deferred_replies_);
  RepliesNow writing(*this);
  // With replicas attached, what this turn wrote goes to the log now, and so to their
  // feeds (a replica gets what the log holds): the stream then leaves before the
  // replies, as redis-server writes its AOF, then its replicas' and clients' buffers,
  // before it sleeps. At most once per kReplicaFlushGap: under load the append waits its
  // hops (RequestLogFlush) and takes several turns' writes at once (an append every turn
  // cost a master with one replica 15 % of its pipelined SETs), as without replicas.
  if (log_flush_posted_ && flush_log_->eager()) {
    const auto now = std::chrono::steady_clock::now();
    if (now - log_appended_early_at_ >= kReplicaFlushGap) {
      log_appended_early_at_ = now;
      flush_log_->AppendReadyNow();
    }
  }
  for (auto& c : due) c->WriteDeferredReplies();  // each sends the replicas' stream first
}

void IoThread::StartAdopted() {
  std::vector<std::shared_ptr<Connection>> start;
  {
    std::lock_guard lock(adopted_mu_);
    start.swap(adopted_);
  }
  for (auto& c : start) c->Start();
}

void Server::ScheduleExpiry(int thread) {
  IoThread& io = *threads_[static_cast<size_t>(thread)];
  if (expiry_timers_.size() < threads_.size()) expiry_timers_.resize(threads_.size());
  auto& timer = expiry_timers_[static_cast<size_t>(thread)];
  if (!timer) timer = std::make_unique<asio::steady_timer>(io.context());
  int period_ms = 1000 / std::max(1, config_.hz.load());
  timer->expires_after(std::chrono::milliseconds(period_ms));
  timer->async_wait([this, thread, period_ms](const std::error_code& ec) {
    if (ec || stopping_) return;
    // Redis's slow cycle: at most 25% of each period spent on expiry.
    if (active_expire_) RunExpirySlices(thread, period_ms * 1000 / 4);
    ScheduleExpiry(thread);
  });
}

// Spends `budget_us` on active expiry in slices of at most 1 ms, each posted behind
// the connection handlers already queued on this thread: a burst of expiring keys
// delays a client by about a slice, not by the whole budget.
void Server::RunExpirySlices(int thread, int64_t budget_us) {
  constexpr int64_t kSliceUs = 1000;
  int64_t slice = std::min(budget_us, kSliceUs);
  bool more = ActiveExpireCycle(thread, slice);
  if (!more || budget_us <= slice || stopping_) return;
  asio::post(threads_[static_cast<size_t>(thread)]->context(),
             [this, thread, left = budget_us - slice] { RunExpirySlices(thread, left); });
}

bool Server::ActiveExpireCycle(int thread, int64_t budget_us) {
  // A running script holds every shard: this thread would wait for it, its clients too.
  if (!script_gate_->TryEnter(thread)) return false;
  struct LeaveGate {
    ScriptGate& gate;
    int thread;
    ~LeaveGate() { gate.Leave(thread); }
  } leave{*script_gate_, thread};
  if (loading_.load()) return false;  // the log replay still needs the keys as they were
  if (replication_->is_replica()) return false;  // the master expires keys; its DELs arrive in the stream
  if (pause_.active()) return false;  // CLIENT PAUSE: no writes of the server's own
  constexpr size_t kSamples = 20;
  IoThread& io = *threads_[static_cast<size_t>(thread)];
  const size_t nthreads = threads_.size();
  const size_t nshards = shards_.size();
  // A monotonic stopwatch for the budget: tests drive a manual clock for expiry times.
  auto t0 = std::chrono::steady_clock::now();
  auto spent_us = [&]() {
    return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t0).count();
  };
  size_t& cursor = expiry_cursor_[static_cast<size_t>(thread)];
  size_t owned = (nshards + nthreads - 1 - static_cast<size_t>(thread)) / nthreads;
  bool out_of_time = false;
  for (size_t visited = 0; visited < owned && !out_of_time; ++visited) {
    size_t shard_index = static_cast<size_t>(thread) + nthreads * (cursor % owned);
    cursor = (cursor + 1) % std::max<size_t>(owned, 1);
    if (shard_index >= nshards) continue;
    Shard& shard = shards_.shard(shard_index);
    for (int d = 0; d < shard.databases() && !out_of_time; ++d) {
      // Keep sampling this database while more than 10% of samples were expired.
      while (true) {
        ExpireStepResult r;
        {
          JournalScope journal(journal_sink());  // expired keys become DEL entries
          std::lock_guard<ShardMutex> l(shard.mu());
          Db& db = shard.db(d);
          if (db.volatile_size() == 0) break;
          r = db.ActiveExpireStep(clock_->NowMs(), kSamples, io.rng());
        }
        // An expired stream's blocked group readers are answered, outside the lock.
        AfterKeyspaceChanges();
        if (r.sampled == 0 || r.expired * 10 <= r.sampled) break;
        if (spent_us() > budget_us) {
          out_of_time = true;
          // Resume at this shard: it still had expired keys.
          cursor = (cursor + owned - 1) % std::max<size_t>(owned, 1);
          break;
        }
      }
    }
  }
  io.stats().expire_cycle_us.Add(static_cast<uint64_t>(spent_us()));
  if (latency_.enabled()) latency_.Add("expire-cycle", spent_us() / 1000, clock_->NowMs() / 1000);
  return out_of_time;
}

void Server::ScheduleCron() {
  if (!cron_timer_) cron_timer_ = std::make_unique<asio::steady_timer>(threads_[0]->context());
  cron_timer_->expires_after(std::chrono::milliseconds(100));
  cron_timer_->async_wait([this](const std::error_code& ec) {
    if (ec || stopping_) return;
    int64_t now = clock_->NowMs();
    uint64_t count = ThreadTotals().commands;  // per-thread counters only: no shard locks
    if (ops_last_ms_ > 0 && now > ops_last_ms_) {
      int64_t rate = static_cast<int64_t>((count - ops_last_count_) * 1000 / static_cast<uint64_t>(now - ops_last_ms_));
      ops_samples_[ops_sample_index_].store(rate);
      ops_sample_index_ = (ops_sample_index_ + 1) % kOpsSamples;
    }
    ops_last_ms_ = now;
    ops_last_count_ = count;
    int64_t used = UsedMemory();
    if (used > peak_memory_.load()) peak_memory_.store(used);
    evictor_->set_not_counted(MemoryNotCountedForEviction());
    if (persistence_) persistence_->Cron(now);
    replication_->Cron(now);
    pause_.ExpireIfDue(now);  // should the pause timer have been missed
    // The tracking table is also trimmed before each command; this catches a limit
    // lowered by the last command of an idle server (as Redis's serverCron).
    if (tracking_.active()) {
      tracking_.LimitTable(config_.notifications.tracking_table_max_keys.load(std::memory_order_relaxed));
    }
    if (now - idle_check_ms_ >= 1000) {
      idle_check_ms_ = now;
      CloseIdleClients(now);
    }
    MaybeGiveMemoryBack(now, used);
    ScheduleCron();
  });
}

void Server::GiveMemoryBack() {
  // mimalloc returns a thread's free pages (and frees other threads handed it) only when
  // that thread allocates or collects: after a FLUSHALL an idle thread would keep them
  // committed for good. The I/O threads here; the log writer's and RocksDB's through
  // Persistence.
  for (auto& t : threads_) asio::post(t->context(), [] { AllocatorPurge(); });
  if (persistence_) persistence_->GiveMemoryBack();
}

// Memory freed by FLUSHALL, DEL, expiry or eviction goes back to the OS within seconds:
// right after used_memory drops by a tenth, and once a second while the RSS exceeds 1.2x
// used_memory + 16 MB (what the allocator may keep for reuse), every thread that
// allocates collects its heap (GiveMemoryBack). A try that gave back less than a tenth
// doubles the wait before the next (fragmentation no collect can undo), up to a minute.
void Server::MaybeGiveMemoryBack(int64_t now_ms, int64_t used) {
  // A drop of a tenth since the last tick (a flush, a big DEL) is worth a try at once,
  // whatever the backoff says.
  const bool dropped = used < last_used_ - last_used_ / 10;
  last_used_ = used;
  if (!dropped && now_ms < next_purge_ms_) return;
  constexpr int64_t kSlack = int64_t{16} << 20;
  // The bound leaves the fresh process's code, libraries and stacks no room of their own:
  // an idle server that cannot get under it tries less and less often (the backoff).
  const int64_t rss = ProcessRss();
  if (rss <= used + used / 5 + kSlack) {
    purge_backoff_ms_ = 1000;
    next_purge_ms_ = now_ms + 1000;
    last_purge_rss_ = 0;
    return;
  }
  if (!dropped && last_purge_rss_ > 0 && rss > last_purge_rss_ - last_purge_rss_ / 10) {
    purge_backoff_ms_ = std::min<int64_t>(purge_backoff_ms_ * 2, 60000);
  } else {
    purge_backoff_ms_ = 1000;
  }
  last_purge_rss_ = rss;
  next_purge_ms_ = now_ms + purge_backoff_ms_;
  GiveMemoryBack();
}

// `timeout`: a client idle that long is closed, unless it waits by design (a replica, a
// monitor, a subscriber, a blocked command), as in Redis.
void Server::CloseIdleClients(int64_t now_ms) {
  int64_t timeout_s = config_.limits.timeout_s.load(std::memory_order_relaxed);
  if (timeout_s <= 0) return;
  for (const auto& c : clients_.Snapshot()) {
    if (c->replica.load() || c->monitor.load() || c->blocked.load() || c->sub.load() + c->psub.load() > 0) continue;
    if (now_ms - c->last_interaction_ms.load(std::memory_order_relaxed) <= timeout_s * 1000) continue;
    Log(LogLevel::kVerbose, "Closing idle client id={} addr={}", c->id, c->addr);
    if (c->close) c->close();
  }
}

int64_t Server::MemoryNotCountedForEviction() {
  int64_t bytes = persistence_ ? static_cast<int64_t>(persistence_->MemTableBytes()) : 0;
  for (const auto& c : clients_.Snapshot()) {
    if (c->replica.load(std::memory_order_relaxed)) bytes += static_cast<int64_t>(c->output_buffer.load());
  }
  return bytes;
}

void Server::RequestShutdown() {
  if (stopping_.exchange(true)) return;
  accept_ctx_.stop();
  for (auto& t : threads_) {
    asio::io_context* ctx = &t->context();
    asio::post(*ctx, [ctx]() { ctx->stop(); });
    ctx->stop();
  }
}

Status Server::OpenPersistence() {
  persistence_ = std::make_unique<Persistence>(*this);
  Status s = persistence_->Open();
  if (!s.ok()) {
    persistence_.reset();
    return s;
  }
  replication_->Attach();
  persistence_->StartLoading();
  return Status::Ok();
}

JournalSink* Server::journal_sink() { return persistence_ ? &persistence_->log() : nullptr; }

void Server::Wait() {
  for (auto& t : threads_) {
    if (t->thread().joinable()) t->thread().join();
  }
  if (accept_thread_.joinable()) accept_thread_.join();
}

void Server::ConfigChanged() { keyspace_signals_.Refresh(); }

void Server::AfterKeyspaceChanges() {
  ServeReadyKeys(*this);
  tracking_.FlushBroadcasts();
}

}  // namespace minired
