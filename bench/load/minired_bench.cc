// minired-bench: a closed-loop load generator on minired's client library. Each thread
// runs its own event loop driving its share of the connections; each connection sends
// --pipeline commands, waits for all their replies, and sends the next batch (the model
// redis-benchmark uses, so the two agree on the same workload). Latency is measured per
// command from the moment its batch is issued to its reply.
#include <fmt/format.h>

#include <asio/executor_work_guard.hpp>
#include <asio/io_context.hpp>
#include <asio/post.hpp>
#include <asio/use_future.hpp>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <memory>
#include <random>
#include <thread>

#include "bench/load/bench_flags.h"
#include "bench/load/latency_histogram.h"
#include "bench/load/zipf.h"
#include "minired/connection.h"

namespace minired::bench {
namespace {

using Clock = std::chrono::steady_clock;
using client::Command;
using client::Connection;
using client::Reply;
using client::Result;

// Shared by every thread: how many commands may still be issued, and progress.
struct Budget {
  std::atomic<int64_t> tickets;   // commands left to issue (duration mode: effectively unbounded)
  std::atomic<bool> stop{false};  // duration elapsed
  std::atomic<uint64_t> completed{0};
  std::atomic<uint64_t> errors{0};
  std::atomic<uint64_t> hits{0};    // --read-through: GETs that found their key
  std::atomic<uint64_t> misses{0};
  std::atomic<int> clients_left{0};
  std::mutex mu;
  std::condition_variable all_done;
  std::string first_error;  // guarded by mu

  bool Take() {
    if (stop.load(std::memory_order_relaxed)) return false;
    return tickets.fetch_sub(1, std::memory_order_relaxed) > 0;
  }
};

class Worker {
 public:
  Worker(const BenchFlags& flags, Budget* budget, uint64_t seed)
      : flags_(flags), budget_(budget), work_(asio::make_work_guard(ctx_)), rng_(seed),
        value_(static_cast<size_t>(flags.value_size), 'x') {
    if (flags.zipf > 0) zipf_ = std::make_unique<ZipfSampler>(flags.keyspace, flags.zipf);
  }

  void AddClient() {
    client::Options o;
    o.host = flags_.host;
    o.port = static_cast<uint16_t>(flags_.port);
    o.command_timeout = std::chrono::seconds(30);
    o.reconnect = false;
    conns_.push_back(Connection::Create(ctx_.get_executor(), o));
  }
  void Run() { thread_ = std::thread([this] { ctx_.run(); }); }
  // Connects every client; the first error, or "".
  std::string Connect() {
    for (auto& c : conns_) {
      auto r = c->async_connect(asio::use_future).get();
      if (!r.ok()) return r.error().ToString();
    }
    return "";
  }
  void Start() {
    for (size_t i = 0; i < conns_.size(); ++i) {
      asio::post(ctx_, [this, i] { SendBatch(i); });
    }
  }
  void Finish() {
    for (auto& c : conns_) c->Close();
    work_.reset();
    thread_.join();
  }
  const LatencyHistogram& histogram() const { return hist_; }

 private:
  uint64_t NextKey() {
    if (zipf_) return zipf_->Sample([this] { return uniform_(rng_); }) - 1;
    return std::uniform_int_distribution<uint64_t>(0, flags_.keyspace - 1)(rng_);
  }

  Command NextCommand(std::string* key_out) {
    // "key:%012d", as redis-benchmark names its random keys.
    char key[32] = "key:000000000000";
    uint64_t id = NextKey();
    for (int d = 15; d >= 4 && id > 0; --d, id /= 10) key[d] = static_cast<char>('0' + id % 10);
    std::string_view k(key, 16);
    if (flags_.read_through) {
      key_out->assign(k);
      return Command("GET", k);
    }
    uint64_t total = flags_.set_ratio + flags_.get_ratio;
    bool set = std::uniform_int_distribution<uint64_t>(0, total - 1)(rng_) < flags_.set_ratio;
    return set ? Command("SET", k, value_) : Command("GET", k);
  }

  // Issues one batch on connection i; the last reply of the batch issues the next.
  void SendBatch(size_t i) {
    int batch = 0;
    while (batch < flags_.pipeline && budget_->Take()) ++batch;
    if (batch == 0) {
      if (budget_->clients_left.fetch_sub(1) == 1) {
        std::lock_guard lock(budget_->mu);
        budget_->all_done.notify_all();
      }
      return;
    }
    auto remaining = std::make_shared<int>(batch);
    auto start = Clock::now();
    for (int b = 0; b < batch; ++b) {
      auto key = std::make_shared<std::string>();
      conns_[i]->async_command(NextCommand(key.get()), [this, i, start, remaining, key](Result<Reply> r) {
        hist_.Record(static_cast<uint64_t>(
            std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - start).count()));
        budget_->completed.fetch_add(1, std::memory_order_relaxed);
        if (!r.ok()) {
          RecordError(r.error().ToString());
        } else if (flags_.read_through) {
          bool hit = !r.value().is_null();
          (hit ? budget_->hits : budget_->misses).fetch_add(1, std::memory_order_relaxed);
          if (!hit) {
            // The application fetched the value elsewhere and fills the cache; the
            // batch completes when the SET is acknowledged too.
            ++*remaining;
            conns_[i]->async_command(Command("SET", *key, value_), [this, i, remaining](Result<Reply> w) {
              if (!w.ok()) RecordError(w.error().ToString());
              if (--*remaining == 0) SendBatch(i);
            });
          }
        }
        if (--*remaining == 0) SendBatch(i);
      });
    }
  }

  void RecordError(const std::string& what) {
    budget_->errors.fetch_add(1, std::memory_order_relaxed);
    std::lock_guard lock(budget_->mu);
    if (budget_->first_error.empty()) budget_->first_error = what;
  }

  const BenchFlags& flags_;
  Budget* budget_;
  asio::io_context ctx_;
  asio::executor_work_guard<asio::io_context::executor_type> work_;
  std::thread thread_;
  std::vector<std::shared_ptr<Connection>> conns_;
  LatencyHistogram hist_;  // touched only by this worker's thread
  std::mt19937_64 rng_;
  std::uniform_real_distribution<double> uniform_{0.0, 1.0};
  std::unique_ptr<ZipfSampler> zipf_;
  std::string value_;
};

std::string Ms(uint64_t ns) { return fmt::format("{:.3f}", static_cast<double>(ns) / 1e6); }

int Run(const BenchFlags& f) {
  Budget budget;
  budget.tickets = f.duration_s > 0 ? INT64_MAX / 2 : static_cast<int64_t>(f.requests);
  budget.clients_left = f.clients;
  std::vector<std::unique_ptr<Worker>> workers;
  for (int t = 0; t < f.threads; ++t) workers.push_back(std::make_unique<Worker>(f, &budget, 0x5eed + t));
  for (int c = 0; c < f.clients; ++c) workers[static_cast<size_t>(c % f.threads)]->AddClient();
  for (auto& w : workers) w->Run();
  for (auto& w : workers) {
    if (std::string err = w->Connect(); !err.empty()) {
      fmt::print(stderr, "minired-bench: cannot connect to {}:{}: {}\n", f.host, f.port, err);
      for (auto& x : workers) x->Finish();
      return 1;
    }
  }
  std::string keys = f.zipf > 0 ? fmt::format("zipf {}", f.zipf) : "uniform";
  fmt::print("minired-bench: {}:{} threads={} clients={} pipeline={} {} keyspace={} ({}) value={}B SET:GET={}:{}\n",
             f.host, f.port, f.threads, f.clients, f.pipeline,
             f.duration_s > 0 ? fmt::format("duration={}s", f.duration_s) : fmt::format("requests={}", f.requests),
             f.keyspace, keys, f.value_size, f.set_ratio, f.get_ratio);
  auto start = Clock::now();
  for (auto& w : workers) w->Start();
  {
    std::unique_lock lock(budget.mu);
    uint64_t last = 0;
    auto last_at = start;
    auto tick = [&] {
      auto next = std::chrono::duration<double>(1.0);
      if (f.duration_s > 0 && !budget.stop) {
        double left = f.duration_s - std::chrono::duration<double>(Clock::now() - start).count();
        next = std::chrono::duration<double>(std::clamp(left, 0.0, 1.0));
      }
      return std::chrono::duration_cast<std::chrono::milliseconds>(next);
    };
    while (!budget.all_done.wait_for(lock, tick(), [&] { return budget.clients_left == 0; })) {
      auto now = Clock::now();
      double elapsed = std::chrono::duration<double>(now - start).count();
      if (f.duration_s > 0 && elapsed >= f.duration_s - 0.001) budget.stop = true;
      uint64_t done = budget.completed.load();
      if (!f.quiet) {
        double rate = static_cast<double>(done - last) / std::chrono::duration<double>(now - last_at).count();
        fmt::print(stderr, "  {:5.1f}s  {} done  {:.0f} ops/s\n", elapsed, done, rate);
      }
      last = done;
      last_at = now;
    }
  }
  double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  for (auto& w : workers) w->Finish();
  LatencyHistogram all;
  for (auto& w : workers) all.Merge(w->histogram());
  fmt::print("requests: {} in {:.3f} s, errors: {}\n", all.count(), seconds, budget.errors.load());
  fmt::print("ops/s: {:.0f}\n", static_cast<double>(all.count()) / seconds);
  if (f.read_through) {
    uint64_t hits = budget.hits.load(), misses = budget.misses.load();
    fmt::print("hits: {}  misses: {}  hit ratio: {:.4f}\n", hits, misses,
               hits + misses ? static_cast<double>(hits) / static_cast<double>(hits + misses) : 0.0);
  }
  fmt::print("latency ms: p50 {}  p90 {}  p99 {}  p99.9 {}  max {}  mean {:.3f}\n",
             Ms(all.ValueAtPercentile(50)), Ms(all.ValueAtPercentile(90)), Ms(all.ValueAtPercentile(99)),
             Ms(all.ValueAtPercentile(99.9)), Ms(all.max()), all.mean() / 1e6);
  if (budget.errors > 0) {
    fmt::print(stderr, "minired-bench: {} errors; first: {}\n", budget.errors.load(), budget.first_error);
    return 2;
  }
  return 0;
}

}  // namespace
}  // namespace minired::bench

int main(int argc, char** argv) {
  minired::bench::BenchFlags flags;
  std::string err = minired::bench::ParseBenchFlags({argv + 1, argv + argc}, &flags);
  if (!err.empty()) {
    std::fprintf(stderr, "minired-bench: %s\n", err.c_str());
    return 64;
  }
  if (flags.help) {
    std::fputs(minired::bench::BenchUsage(), stdout);
    return 0;
  }
  return minired::bench::Run(flags);
}
