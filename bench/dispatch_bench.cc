// What a command costs between the parsed request and its reply, without the network:
// Server::Execute (the checks, the journal scope, the call's statistics) and the
// handler, on an in-process server (no socket, no log). The keys cycle through 1,000,
// so this is the instructions' cost; the cache misses of a big keyspace are the look
// ahead's (bench/vs-redis measures whole servers).
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "server/server.h"
#include "storage/clock.h"

namespace minired {
namespace {

constexpr int kKeys = 1000;

class InProcessServer {
 public:
  InProcessServer() {
    config_.threads = 1;
    config_.shards = 16;
    server_ = std::make_unique<Server>(config_, &clock_);
    session_.info = &info_;
  }
  // Runs `args`, the reply written into a buffer kept between calls (as a connection's).
  void Run(std::span<const std::string_view> args) {
    out_.clear();
    ReplyWriter reply(&out_, session_.resp);
    server_->Execute(session_, args, reply);
  }

 private:
  ServerConfig config_;
  ManualClock clock_;
  std::unique_ptr<Server> server_;
  ClientInfo info_;
  Session session_;
  std::string out_;
};

// Runs `make(i)` for i = 0, 1, 2...: the arguments of the i-th call.
template <typename Make>
void RunCalls(benchmark::State& state, Make make) {
  InProcessServer server;
  std::vector<std::vector<std::string>> calls;
  for (int i = 0; i < kKeys; ++i) calls.push_back(make(i));
  std::vector<std::vector<std::string_view>> views;
  for (const auto& c : calls) views.emplace_back(c.begin(), c.end());
  for (const auto& v : views) server.Run(v);  // the keys exist before the timing
  size_t i = 0;
  for (auto _ : state) {
    server.Run(views[i]);
    i = i + 1 == views.size() ? 0 : i + 1;
  }
  state.SetItemsProcessed(state.iterations());
}

std::string Key(int i) { return "key:" + std::to_string(i); }

void BM_Ping(benchmark::State& state) {
  RunCalls(state, [](int) { return std::vector<std::string>{"PING"}; });
}
BENCHMARK(BM_Ping);

void BM_Get(benchmark::State& state) {
  RunCalls(state, [](int i) { return std::vector<std::string>{"GET", Key(i)}; });
}
BENCHMARK(BM_Get);

void BM_Set(benchmark::State& state) {
  RunCalls(state, [](int i) { return std::vector<std::string>{"SET", Key(i), "xxx"}; });
}
BENCHMARK(BM_Set);

void BM_Incr(benchmark::State& state) {
  RunCalls(state, [](int i) { return std::vector<std::string>{"INCR", Key(i)}; });
}
BENCHMARK(BM_Incr);

// redis-benchmark's HSET: one big hash, a field of many.
void BM_HSet(benchmark::State& state) {
  RunCalls(state, [](int i) { return std::vector<std::string>{"HSET", "myhash", "element:" + std::to_string(i), "xxx"}; });
}
BENCHMARK(BM_HSet);

void BM_LPushRPop(benchmark::State& state) {
  // Pushes and pops in turn, so that the list stays small and the run can be long.
  RunCalls(state, [](int i) {
    return i % 2 == 0 ? std::vector<std::string>{"LPUSH", "mylist", "xxx"} : std::vector<std::string>{"RPOP", "mylist"};
  });
}
BENCHMARK(BM_LPushRPop);

}  // namespace
}  // namespace minired
