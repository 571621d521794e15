// Bytes per key, by component, for the data sets bench/vs-redis measures against
// redis-server: 1,000,000 strings key:N with 21-byte values and 100,000 product hashes
// of 7 short fields, loaded into a keyspace of 128 shards as the server holds them.
//
//   build/bench/memory_bench [--benchmark_filter=Strings]
//
// Counters, per key:
//   data        the bytes a client sent: key, value (fields and values of a hash)
//   layout      what the entry adds around them: header, length varints, listpack count
//   names       what the shared field names took off (field_names.h; negative)
//   rounding    the allocator's size class beyond the entry's bytes (AllocationSize)
//   table       the key tables' slots (8 bytes each, 60-80 % full)
//   expires     the expiry index (only keys with a TTL)
//   other       the rest of used_memory's growth (shards, databases, spare capacity)
//   total       used_memory's growth over the number of keys
// A regression in any of them shows here first; redis-server's figure for the same data
// is in bench/vs-redis's memory table.
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "storage/encodings/compact.h"
#include "storage/entry.h"
#include "storage/memory.h"
#include "storage/shard_set.h"

namespace minired {
namespace {

constexpr size_t kShards = 128;  // the server's default --shards

struct Breakdown {
  double keys = 0, data = 0, layout = 0, names = 0, rounding = 0, table = 0, expires = 0, total = 0;
};

// What the entries built so far hold: the client's bytes, and the field names' bytes
// the shared table took off.
struct Sent {
  size_t data = 0;
  size_t names_saved = 0;
};

// Loads `n` entries built by make(i, &sent) and measures where the bytes went.
template <typename Make>
Breakdown Load(size_t n, Make make) {
  Breakdown b;
  const int64_t before = UsedMemory();
  {
    ShardSet shards(kShards, 1);
    Sent sent;
    size_t encoded = 0, allocated = 0;
    for (size_t i = 0; i < n; ++i) {
      Entry* e = make(i, &sent);
      encoded += e->EncodedSize();
      allocated += e->AllocatedSize();
      const uint64_t hash = HashKey(e->key());
      shards.ShardFor(hash).db(0).Insert(e, hash);
    }
    size_t table = 0, expires = 0;
    for (size_t i = 0; i < shards.size(); ++i) {
      table += shards.shard(i).db(0).KeyTableBytes();
      expires += shards.shard(i).db(0).VolatileTableBytes();
    }
    const double keys = static_cast<double>(n);
    b.keys = keys;
    b.data = static_cast<double>(sent.data) / keys;
    b.layout = static_cast<double>(encoded + sent.names_saved - sent.data) / keys;
    b.names = sent.names_saved == 0 ? 0 : -static_cast<double>(sent.names_saved) / keys;
    b.rounding = static_cast<double>(allocated - encoded) / keys;
    b.table = static_cast<double>(table) / keys;
    b.expires = static_cast<double>(expires) / keys;
    b.total = static_cast<double>(UsedMemory() - before) / keys;
  }
  return b;
}

void Report(benchmark::State& state, const Breakdown& b) {
  state.counters["data"] = b.data;
  state.counters["layout"] = b.layout;
  state.counters["names"] = b.names;
  state.counters["rounding"] = b.rounding;
  state.counters["table"] = b.table;
  state.counters["expires"] = b.expires;
  state.counters["other"] = b.total - b.data - b.layout - b.names - b.rounding - b.table - b.expires;
  state.counters["total"] = b.total;
}

Entry* StringKey(size_t i, int64_t expire_ms, Sent* sent) {
  static const std::string value(21, 'v');
  const std::string key = "key:" + std::to_string(i);
  sent->data += key.size() + value.size();
  return Entry::NewString(key, value, expire_ms);
}

void BM_MemoryPerKey_Strings(benchmark::State& state) {
  Breakdown b;
  for (auto _ : state) b = Load(1'000'000, [](size_t i, Sent* sent) { return StringKey(i, 0, sent); });
  Report(state, b);
}
BENCHMARK(BM_MemoryPerKey_Strings)->Unit(benchmark::kMillisecond)->Iterations(1);

// The same strings, each with a TTL (SET ... EX): 8 more bytes in the entry and a slot
// in the expiry index.
void BM_MemoryPerKey_StringsWithTtl(benchmark::State& state) {
  Breakdown b;
  for (auto _ : state) {
    b = Load(1'000'000, [](size_t i, Sent* sent) { return StringKey(i, 4'000'000'000'000, sent); });
  }
  Report(state, b);
}
BENCHMARK(BM_MemoryPerKey_StringsWithTtl)->Unit(benchmark::kMillisecond)->Iterations(1);

// bench/vs-redis's product hashes: HSET product:N with 7 fields, listpack-encoded.
void BM_MemoryPerKey_ProductHashes(benchmark::State& state) {
  Breakdown b;
  for (auto _ : state) {
    b = Load(100'000, [](size_t i, Sent* sent) {
      const std::string n = std::to_string(i);
      const std::vector<std::string> fv = {
          "name",  "Product " + n, "price", std::to_string(i % 500) + ".99", "category", "cat-" + std::to_string(i % 50),
          "brand", "brand-" + std::to_string(i % 200), "stock", std::to_string(i % 1000), "rank", n,
          "image", "/img/" + n + ".jpg"};
      std::vector<std::string_view> views(fv.begin(), fv.end());
      const std::string key = "product:" + n;
      sent->data += key.size();
      for (const auto& s : fv) sent->data += s.size();
      const std::string blob = EncodeHashListpack(views);
      sent->names_saved += EncodeListpack(views).size() - blob.size();
      return Entry::NewCompact(key, ValueType::kHash, Encoding::kListpack, blob, 0);
    });
  }
  Report(state, b);
}
BENCHMARK(BM_MemoryPerKey_ProductHashes)->Unit(benchmark::kMillisecond)->Iterations(1);

}  // namespace
}  // namespace minired
