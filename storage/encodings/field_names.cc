#include "storage/encodings/field_names.h"

#include <xxhash.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <mutex>

#include "storage/memory.h"

namespace minired::field_names {
namespace {

// Twice kMaxNames, so that probe runs stay short and one always ends at an empty slot.
constexpr size_t kSlots = 2 * kMaxNames;
constexpr size_t kSketchCounters = 1 << 14;
// Misses a thread counts before adding them to the shared count (one shared write per
// this many, not one per miss).
constexpr uint32_t kMissBatch = 256;

static_assert((kSlots & (kSlots - 1)) == 0 && (kSketchCounters & (kSketchCounters - 1)) == 0);

// A slot: the hash's high 32 bits, then id + 1 (0: empty).
std::atomic<uint64_t> g_slots[kSlots];
// Each name: one length byte, then its bytes.
std::atomic<const uint8_t*> g_names[kMaxNames];
std::atomic<uint32_t> g_count{0};
std::atomic<int64_t> g_bytes{0};
std::mutex g_admit_mu;

// Counters of recent misses; read and written with plain (relaxed) loads and stores, not
// read-modify-writes: a count lost to a race only delays an admission.
std::atomic<uint16_t> g_seen[kSketchCounters];
std::atomic<uint32_t> g_misses{0};
thread_local uint32_t t_misses = 0;

std::optional<uint32_t> Lookup(std::string_view name, uint64_t hash) {
  const uint64_t tag = hash >> 32;
  for (size_t i = hash & (kSlots - 1);; i = (i + 1) & (kSlots - 1)) {
    const uint64_t s = g_slots[i].load(std::memory_order_acquire);
    if (s == 0) return std::nullopt;
    if ((s >> 32) == tag) {
      const auto id = static_cast<uint32_t>(s & 0xffffffff) - 1;
      if (Name(id) == name) return id;
    }
  }
}

uint16_t Bump(size_t i) {
  const uint16_t v = g_seen[i].load(std::memory_order_relaxed);
  const uint16_t next = v == UINT16_MAX ? v : static_cast<uint16_t>(v + 1);
  g_seen[i].store(next, std::memory_order_relaxed);
  return next;
}

void CountMiss() {
  if (++t_misses < kMissBatch) return;
  t_misses = 0;
  const uint32_t before = g_misses.fetch_add(kMissBatch, std::memory_order_relaxed);
  if (before / kDecayEvery == (before + kMissBatch) / kDecayEvery) return;
  for (auto& c : g_seen) c.store(static_cast<uint16_t>(c.load(std::memory_order_relaxed) / 2), std::memory_order_relaxed);
}

std::optional<uint32_t> Admit(std::string_view name, uint64_t hash) {
  std::lock_guard<std::mutex> lock(g_admit_mu);
  if (auto id = Lookup(name, hash)) return id;  // admitted by another thread meanwhile
  const uint32_t id = g_count.load(std::memory_order_relaxed);
  if (id >= kMaxNames) return std::nullopt;
  auto* copy = static_cast<uint8_t*>(::operator new(1 + name.size()));
  copy[0] = static_cast<uint8_t>(name.size());
  memcpy(copy + 1, name.data(), name.size());
  g_bytes.fetch_add(static_cast<int64_t>(AllocationSize(copy)), std::memory_order_relaxed);
  g_names[id].store(copy, std::memory_order_release);
  g_count.store(id + 1, std::memory_order_release);
  size_t i = hash & (kSlots - 1);
  while (g_slots[i].load(std::memory_order_relaxed) != 0) i = (i + 1) & (kSlots - 1);
  // The name is published before the slot that leads to it.
  g_slots[i].store(((hash >> 32) << 32) | (id + 1), std::memory_order_release);
  return id;
}

}  // namespace

std::optional<uint32_t> Find(std::string_view name) {
  if (name.size() < kMinNameBytes || name.size() > kMaxNameBytes) return std::nullopt;
  const uint64_t hash = XXH3_64bits(name.data(), name.size());
  if (auto id = Lookup(name, hash)) return id;
  if (g_count.load(std::memory_order_relaxed) >= kMaxNames) return std::nullopt;
  CountMiss();
  // Two counters per name: a name is admitted once both reached kAdmitAfter, so
  // another name sharing one of them cannot carry it in.
  const uint16_t a = Bump(hash & (kSketchCounters - 1));
  const uint16_t b = Bump((hash >> 14) & (kSketchCounters - 1));
  if (std::min(a, b) < kAdmitAfter) return std::nullopt;
  return Admit(name, hash);
}

std::string_view Name(uint32_t id) {
  const uint8_t* p = g_names[id].load(std::memory_order_acquire);
  return {reinterpret_cast<const char*>(p + 1), p[0]};
}

size_t Count() { return g_count.load(std::memory_order_acquire); }

size_t MemoryBytes() { return static_cast<size_t>(g_bytes.load(std::memory_order_relaxed)); }

}  // namespace minired::field_names
