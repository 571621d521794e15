// The stream's entries (storage/encodings/stream.h): appends as XADD makes them, reads
// of 100 entries as XRANGE does, and the bytes an entry takes.
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "storage/encodings/stream.h"

namespace minired {
namespace {

// 3 small fields, as the memory target's entries: "name", "price", "stock".
struct Entry3 {
  std::string name, price, stock;
  std::vector<StreamField> Fields() const { return {{"name", name}, {"price", price}, {"stock", stock}}; }
};

Entry3 Make(size_t i) { return {"item-" + std::to_string(i), std::to_string(i % 1000) + ".99", std::to_string(i % 50)}; }

void Fill(Stream* s, size_t n) {
  const StreamNodeLimits limits;
  for (size_t i = 0; i < n; ++i) {
    Entry3 e = Make(i);
    auto f = e.Fields();
    s->Append(StreamId{1700000000000 + i / 8, i % 8}, f, limits);
  }
}

void BM_StreamAppend(benchmark::State& state) {
  const auto n = static_cast<size_t>(state.range(0));
  size_t bytes = 0;
  for (auto _ : state) {
    Stream s;
    Fill(&s, n);
    bytes = s.MemoryBytes();
    benchmark::DoNotOptimize(s.length());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * n));
  state.counters["bytes_per_entry"] = static_cast<double>(bytes) / static_cast<double>(n);
}
BENCHMARK(BM_StreamAppend)->Arg(1000000)->Unit(benchmark::kMillisecond);

void BM_StreamRange100(benchmark::State& state) {
  Stream s;
  Fill(&s, 1000000);
  uint64_t at = 0;
  for (auto _ : state) {
    StreamId start{1700000000000 + (at++ * 7919) % 120000, 0};
    const bool reverse = state.range(0) != 0;
    Stream::Cursor c(s, start, reverse ? StreamId::Min() : StreamId::Max(), reverse);
    size_t n = 0;
    while (n < 100 && c.Next()) n += c.fields().size() > 0;
    benchmark::DoNotOptimize(n);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * 100));
}
BENCHMARK(BM_StreamRange100)->Arg(0)->Arg(1);

}  // namespace
}  // namespace minired
