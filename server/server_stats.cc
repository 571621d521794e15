// The server's statistics: INFO stats' counters summed over threads, and what every
// call records (commandstats, latencystats, errorstats, the slow log, the latency
// monitor, MONITOR).
#include <chrono>

#include "server/evictor.h"
#include "server/server.h"
#include "storage/memory.h"

namespace minired {
namespace {
int64_t UnixMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}
}  // namespace

void Server::RecordCall(Session& session, const CommandSpec& spec, std::span<const std::string_view> args,
                        int thread, uint64_t ns, bool failed) {
  if (session.origin == Origin::kLogReplay) return;  // the log replayed at start-up is not traffic
  CommandStats& cs = threads_[static_cast<size_t>(thread)]->command_stats();
  const CommandSpec& base = spec.parent ? *spec.parent : spec;
  std::string sub = base.subcommands.empty() ? std::string() : SubcommandOfCall(base, args);
  CommandCounters& c = cs.For(base, sub);
  cs.RecordCall(c, ns, config_.observability.latency_tracking.load(std::memory_order_relaxed));
  if (failed) c.failed.Add();
  if (monitors_.active() && ShownToMonitors(spec)) monitors_.Feed(session, args, UnixMicros());
  const int64_t us = static_cast<int64_t>(ns / 1000);
  const int64_t slower_than = config_.observability.slowlog_slower_than_us.load(std::memory_order_relaxed);
  // EXEC (skip_slowlog) is not logged itself: the commands it ran are, one by one.
  if (slower_than >= 0 && us >= slower_than && !(spec.flags & kCmdSkipSlowlog)) {
    SlowLogEntry e;
    e.time_s = UnixMicros() / 1000000;
    e.duration_us = us;
    e.args = SlowLogArgs(args);
    if (session.info) {
      e.addr = session.info->addr;
      e.name = session.info->name();
    }
    slowlog_.Push(std::move(e), static_cast<size_t>(config_.observability.slowlog_max_len.load()));
  }
  if (latency_.enabled()) {
    latency_.Add((spec.flags & kCmdFast) ? "fast-command" : "command", us / 1000, UnixMicros() / 1000000);
  }
}

void Server::FeedMonitors(const Session& session, std::span<const std::string_view> args) {
  if (monitors_.active()) monitors_.Feed(session, args, UnixMicros());
}

void Server::RecordRejected(const CommandSpec& spec, std::span<const std::string_view> args, int thread) {
  CommandStats& cs = threads_[static_cast<size_t>(thread)]->command_stats();
  const CommandSpec& base = spec.parent ? *spec.parent : spec;
  cs.For(base, SubcommandOfCall(base, args)).rejected.Add();
}

void Server::CountErrors(ReplyWriter& reply, int thread) {
  if (reply.pending_errors().empty()) return;
  IoThread& io = *threads_[static_cast<size_t>(thread)];
  std::vector<std::string> errors = reply.TakeErrors();
  io.stats().error_replies.Add(errors.size());
  for (const std::string& e : errors) io.command_stats().RecordError(ErrorCode(e));
}

std::vector<const CommandStats*> Server::command_stats() const {
  std::vector<const CommandStats*> out;
  for (const auto& t : threads_) out.push_back(&t->command_stats());
  return out;
}

int64_t Server::instantaneous_ops_per_sec() const {
  int64_t sum = 0;
  for (const auto& s : ops_samples_) sum += s.load();
  return sum / kOpsSamples;
}

StatsTotals Server::ThreadTotals() {
  StatsTotals t;
  for (auto& th : threads_) {
    ThreadStats& s = th->stats();
    t.commands += s.commands.Get();
    t.net_input_bytes += s.net_input_bytes.Get();
    t.net_output_bytes += s.net_output_bytes.Get();
    t.connections_received += s.connections_received.Get();
    t.rejected_connections += s.rejected_connections.Get();
    t.error_replies += s.error_replies.Get();
    t.reads += s.reads.Get();
    t.writes += s.writes.Get();
    t.expire_cycle_us += s.expire_cycle_us.Get();
    t.evicted_keys += s.evicted_keys.Get();
  }
  return t;
}

StatsTotals Server::RawTotals() {
  StatsTotals t = ThreadTotals();
  for (size_t i = 0; i < shards_.size(); ++i) {
    Shard& sh = shards_.shard(i);
    std::lock_guard<ShardMutex> l(sh.mu());
    for (int d = 0; d < sh.databases(); ++d) {
      KeyspaceStats& ks = sh.db(d).stats();
      t.expired_keys += ks.expired_keys;
      t.keyspace_hits += ks.hits;
      t.keyspace_misses += ks.misses;
    }
  }
  return t;
}

StatsTotals Server::Totals() {
  StatsTotals raw = RawTotals();
  std::lock_guard<std::mutex> l(baseline_mu_);
  return raw - baseline_;
}

void Server::ResetStats() {
  StatsTotals raw = RawTotals();
  std::lock_guard<std::mutex> l(baseline_mu_);
  baseline_ = raw;
  peak_memory_.store(UsedMemory());
  evictor_->ResetStats();
  for (auto& t : threads_) t->command_stats().Reset();
}

}  // namespace minired
