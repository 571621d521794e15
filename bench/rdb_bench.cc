// The RDB code paths DUMP and RESTORE spend their time in, for the 100-field product
// hash bench/rdb-vs-redis measures end to end: a DUMP payload built from minired's
// compact hash, one restored into an entry, and LZF and CRC64 on their own.
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "storage/encodings/compact.h"
#include "storage/encodings/encoding_limits.h"
#include "storage/entry.h"
#include "storage/rdb/crc64.h"
#include "storage/rdb/dump_payload.h"
#include "storage/rdb/lzf.h"

namespace minired {
namespace {

// The hash bench/rdb-vs-redis dumps: field:i -> value-i-<i*7919>, compact (listpack).
Entry* Hash100() {
  std::vector<std::string> owned;
  for (int i = 0; i < 100; ++i) {
    owned.push_back("field:" + std::to_string(i));
    owned.push_back("value-" + std::to_string(i) + "-" + std::to_string(i * 7919));
  }
  std::vector<std::string_view> views(owned.begin(), owned.end());
  return Entry::NewCompact("h100", ValueType::kHash, Encoding::kListpack, EncodeHashListpack(views), 0);
}

void BM_DumpHash100(benchmark::State& state) {
  Entry* e = Hash100();
  for (auto _ : state) benchmark::DoNotOptimize(rdb::DumpPayload(e));
  Entry::Free(e);
}
BENCHMARK(BM_DumpHash100);

void BM_RestoreHash100(benchmark::State& state) {
  Entry* e = Hash100();
  const std::string payload = rdb::DumpPayload(e);
  Entry::Free(e);
  EncodingLimits limits;
  for (auto _ : state) {
    Entry* out = nullptr;
    benchmark::DoNotOptimize(rdb::RestorePayload(payload, "r100", 0, limits, &out));
    Entry::Free(out);
  }
}
BENCHMARK(BM_RestoreHash100);

std::string Text(size_t n) {
  std::string s;
  for (size_t i = 0; s.size() < n; ++i) s += "field:" + std::to_string(i) + "value-" + std::to_string(i * 7919);
  return s.substr(0, n);
}

void BM_LzfCompress(benchmark::State& state) {
  const std::string in = Text(static_cast<size_t>(state.range(0)));
  std::string out;
  for (auto _ : state) benchmark::DoNotOptimize(rdb::LzfCompress(in, in.size() - 4, &out));
  state.SetBytesProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_LzfCompress)->Arg(2500)->Arg(1 << 20);

void BM_Crc64(benchmark::State& state) {
  const std::string in = Text(static_cast<size_t>(state.range(0)));
  for (auto _ : state) benchmark::DoNotOptimize(rdb::Crc64(0, in));
  state.SetBytesProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_Crc64)->Arg(2500)->Arg(1 << 20);

}  // namespace
}  // namespace minired
