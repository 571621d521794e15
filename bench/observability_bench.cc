// What every command pays for INFO commandstats/latencystats: two clock reads and the
// counter and histogram updates (issue #9). Compare with the cost of a GET (storage_bench).
#include <benchmark/benchmark.h>

#include <chrono>

#include "server/command_stats.h"
#include "server/command_table.h"
#include "server/families/families.h"

namespace minired {
namespace {

void BM_ClockPair(benchmark::State& state) {
  for (auto _ : state) {
    auto t0 = std::chrono::steady_clock::now();
    auto t1 = std::chrono::steady_clock::now();
    benchmark::DoNotOptimize(t1 - t0);
  }
}
BENCHMARK(BM_ClockPair);

void BM_RecordCall(benchmark::State& state) {
  const CommandTable& table = BuiltinCommands();
  CommandStats stats(table);
  const CommandSpec* get = table.Find("get");
  bool track = state.range(0) != 0;
  uint64_t ns = 100;
  for (auto _ : state) {
    stats.RecordCall(stats.For(*get, {}), ns, track);
    ns = (ns * 7 + 13) % 100000;  // spread over buckets
  }
}
BENCHMARK(BM_RecordCall)->Arg(0)->Arg(1)->ArgName("latency_tracking");

}  // namespace
}  // namespace minired
