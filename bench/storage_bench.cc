// Key table insert/lookup and shard routing.
#include <benchmark/benchmark.h>

#include <deque>
#include <random>
#include <string>
#include <type_traits>
#include <vector>

#include "storage/block_allocator.h"
#include "storage/db.h"
#include "storage/encodings/compact.h"
#include "storage/encodings/list_object.h"
#include "storage/encodings/zset.h"
#include "storage/shard_set.h"

namespace minired {
namespace {

std::vector<std::string> Keys(size_t n) {
  std::vector<std::string> keys;
  keys.reserve(n);
  for (size_t i = 0; i < n; ++i) keys.push_back("key:" + std::to_string(i));
  return keys;
}

void Fill(Db& db, const std::vector<std::string>& keys, std::string_view value) {
  for (const auto& k : keys) db.Insert(Entry::NewString(k, value, 0), HashKey(k));
}

void BM_DbInsert(benchmark::State& state) {
  auto keys = Keys(static_cast<size_t>(state.range(0)));
  for (auto _ : state) {
    Db db;
    for (const auto& k : keys) db.Insert(Entry::NewString(k, "value-of-21-bytes-xx!", 0), HashKey(k));
    benchmark::DoNotOptimize(db.size());
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_DbInsert)->Arg(10000)->Arg(1000000)->Unit(benchmark::kMillisecond);

// SET over existing keys: a new entry replaces the old one, which is freed.
void BM_DbOverwrite(benchmark::State& state) {
  auto keys = Keys(static_cast<size_t>(state.range(0)));
  Db db;
  Fill(db, keys, "value-of-21-bytes-xx!");
  size_t i = 0;
  for (auto _ : state) {
    const std::string& k = keys[i];
    db.Upsert(Entry::NewString(k, "value-of-21-bytes-yy!", 0), HashKey(k), 0);
    i = i + 1 == keys.size() ? 0 : i + 1;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_DbOverwrite)->Arg(10000)->Arg(1000000);

// What an entry's block costs, against the general allocator (mimalloc through operator
// new) for the same 38 bytes: allocate one, free the one allocated `live` blocks ago.
template <typename Alloc, typename Free>
void Churn(benchmark::State& state, Alloc alloc, Free free) {
  std::vector<void*> ring(static_cast<size_t>(state.range(0)));
  for (auto& p : ring) p = alloc();
  size_t i = 0;
  for (auto _ : state) {
    free(ring[i]);
    ring[i] = alloc();
    benchmark::DoNotOptimize(ring[i]);
    i = i + 1 == ring.size() ? 0 : i + 1;
  }
  for (void* p : ring) free(p);
}
void BM_EntryBlockChurn(benchmark::State& state) {
  Churn(state, [] { return blocks::Allocate(38); }, [](void* p) { blocks::Free(p, 38); });
}
BENCHMARK(BM_EntryBlockChurn)->Arg(1000)->Arg(1000000);
void BM_OperatorNewChurn(benchmark::State& state) {
  Churn(state, [] { return ::operator new(38); }, [](void* p) { ::operator delete(p); });
}
BENCHMARK(BM_OperatorNewChurn)->Arg(1000)->Arg(1000000);

// redis-benchmark's ZADD: a random score for a random one of 100,000 members, most of
// them already there (moved: unlinked and inserted again) once the set has filled.
void BM_ZSetUpsertRandom(benchmark::State& state) {
  const auto members = Keys(static_cast<size_t>(state.range(0)));
  ZSet z;
  std::mt19937_64 rng(1);
  for (const auto& m : members) z.Upsert(m, static_cast<double>(rng() % 100000));
  for (auto _ : state) {
    const uint64_t r = rng();
    benchmark::DoNotOptimize(z.Upsert(members[r % members.size()], static_cast<double>((r >> 32) % 100000)));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ZSetUpsertRandom)->Arg(100000)->Arg(1000000);

// A job queue on a big list (LPUSH + RPOP at a steady 100,000 elements of 12 bytes), the
// packed quicklist beside the deque of strings it replaced.
template <typename List>
void PushFront(List& l, const std::string& e) {
  if constexpr (std::is_same_v<List, ListObject>) {
    l.PushFront(e);
  } else {
    l.emplace_front(e);
  }
}
template <typename List>
std::string PopBack(List& l) {
  if constexpr (std::is_same_v<List, ListObject>) {
    return l.PopBack();
  } else {
    std::string e = std::move(l.back());
    l.pop_back();
    return e;
  }
}
template <typename List>
void BM_ListQueue(benchmark::State& state) {
  List l;
  const std::string e = "job:00000001";
  for (int64_t i = 0; i < state.range(0); ++i) PushFront(l, e);
  for (auto _ : state) {
    PushFront(l, e);
    benchmark::DoNotOptimize(PopBack(l));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ListQueue<ListObject>)->Arg(100000);
BENCHMARK(BM_ListQueue<std::deque<std::string>>)->Arg(100000);

// LINDEX of a random index, LRANGE 0 99 (a visit of the first 100) of 100,000 elements.
void BM_ListIndexRandom(benchmark::State& state) {
  std::vector<std::string> elements(static_cast<size_t>(state.range(0)), "job:00000001");
  ListObject l(elements.begin(), elements.end());
  std::mt19937_64 rng(1);
  for (auto _ : state) benchmark::DoNotOptimize(l.At(rng() % l.size()));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ListIndexRandom)->Arg(1000)->Arg(100000);

void BM_ListRangeFirst100(benchmark::State& state) {
  std::vector<std::string> elements(100000, "job:00000001");
  ListObject l(elements.begin(), elements.end());
  for (auto _ : state) {
    size_t bytes = 0;
    l.ForRange(0, 99, [&](std::string_view e) { bytes += e.size(); });
    benchmark::DoNotOptimize(bytes);
  }
  state.SetItemsProcessed(state.iterations() * 100);
}
BENCHMARK(BM_ListRangeFirst100);

// What HSET on a compact product hash does to its blob: decode, change a value, encode
// again; with the shared field names (EncodeHashListpack) and without (EncodeListpack).
template <bool kShared>
void BM_ProductHashReencode(benchmark::State& state) {
  const std::vector<std::string_view> fields = {"name",  "Product 42", "price", "42.99",   "category", "cat-42",
                                                "brand", "brand-42",   "stock", "42",      "rank",     "42",
                                                "image", "/img/42.jpg"};
  std::string blob = kShared ? EncodeHashListpack(fields) : EncodeListpack(fields);
  for (int i = 0; i < 20; ++i) blob = kShared ? EncodeHashListpack(fields) : EncodeListpack(fields);  // admitted
  for (auto _ : state) {
    std::vector<std::string_view> pairs;
    std::string next;
    if constexpr (kShared) {  // as HashEdit: the kept fields' numbers come with them
      std::vector<uint64_t> headers;
      DecodeHashListpack(blob, &pairs, &headers);
      pairs[3] = "43.99";
      next = EncodeHashListpack(pairs, headers);
    } else {
      pairs = DecodeListpack(blob);
      pairs[3] = "43.99";
      next = EncodeListpack(pairs);
    }
    benchmark::DoNotOptimize(next);
  }
}
BENCHMARK_TEMPLATE(BM_ProductHashReencode, false)->Name("BM_ProductHashReencode/plain");
BENCHMARK_TEMPLATE(BM_ProductHashReencode, true)->Name("BM_ProductHashReencode/shared_names");

void BM_DbLookupHit(benchmark::State& state) {
  auto keys = Keys(static_cast<size_t>(state.range(0)));
  Db db;
  Fill(db, keys, "v");
  size_t i = 0;
  for (auto _ : state) {
    const std::string& k = keys[i++ % keys.size()];
    benchmark::DoNotOptimize(db.Find(k, HashKey(k), 1).entry);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_DbLookupHit)->Arg(10000)->Arg(1000000);

void BM_DbLookupMiss(benchmark::State& state) {
  auto keys = Keys(static_cast<size_t>(state.range(0)));
  Db db;
  Fill(db, keys, "v");
  auto misses = Keys(1000);
  for (auto& m : misses) m = "miss:" + m;
  size_t i = 0;
  for (auto _ : state) {
    const std::string& k = misses[i++ % misses.size()];
    benchmark::DoNotOptimize(db.Find(k, HashKey(k), 1).entry);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_DbLookupMiss)->Arg(1000000);

void BM_HashKey(benchmark::State& state) {
  std::string key = "product:123456";
  for (auto _ : state) benchmark::DoNotOptimize(HashKey(key));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_HashKey);

// Routing a key to its shard and taking that shard's lock, as every command does.
void BM_ShardRouteAndLock(benchmark::State& state) {
  ShardSet shards(128, 16);
  auto keys = Keys(1024);
  size_t i = 0;
  for (auto _ : state) {
    const std::string& k = keys[i++ & 1023];
    Shard& s = shards.ShardFor(HashKey(k));
    std::lock_guard<ShardMutex> l(s.mu());
    benchmark::DoNotOptimize(&s);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ShardRouteAndLock)->Threads(1)->Threads(2);

}  // namespace
}  // namespace minired
