// Open-addressing hash table of pointers to T (keyspace entries, hash fields, set
// members, sorted-set nodes) with linear probing, designed for memory:
// one 8-byte slot per entry, holding the pointer in its low 48 bits and 16 bits of the
// key's hash as a tag in the high 16, so a probe rejects non-matching slots without
// touching the entry. Deletion shifts the cluster back (no tombstones).
//
// Home slot = ((hash >> 24) * capacity) >> 40: monotone in the hash, for any capacity.
// Slots are therefore ordered by hash (up to displacement within a cluster), which is
// what lets Scan() walk "every key whose hash is below the cursor has been returned":
// a cursor in hash space survives growth and shrink, so a key present for a whole
// SCAN is never missed and never returned twice.
//
// Not thread-safe: the owning Shard's mutex guards every call.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <random>
#include <span>
#include <string_view>
#include <vector>

#include "storage/prefetch.h"

namespace minired {

// Hash positions used by the scan cursor have 40 bits.
inline constexpr uint64_t kScanPositionBits = 40;
inline constexpr uint64_t kScanEnd = 1ULL << kScanPositionBits;

template <typename T, typename HashOf>  // HashOf: uint64_t(const T*) — the hash an element is stored by
class SlotTable {
 public:
  static constexpr size_t kNotFound = SIZE_MAX;
  static constexpr size_t kMinCapacity = 8;
  static constexpr size_t kMaxCapacity = 1ULL << 24;  // so (pos40 * capacity) fits 64 bits

  SlotTable() = default;
  SlotTable(const SlotTable&) = delete;
  SlotTable& operator=(const SlotTable&) = delete;
  SlotTable(SlotTable&& o) noexcept { *this = std::move(o); }
  SlotTable& operator=(SlotTable&& o) noexcept {
    slots_ = std::move(o.slots_);
    size_ = o.size_;
    o.size_ = 0;
    Publish();
    o.Publish();
    return *this;
  }

  size_t size() const { return size_; }
  // Grows to hold `n` entries without resizing. Inserting many entries in hash order
  // (a snapshot being loaded) needs this: in a smaller table their homes would all fall
  // in its first slots, one long probe run.
  void Reserve(size_t n) {
    size_t c = NextCapacity(n);
    if (c > slots_.size()) Resize(c);
  }
  size_t capacity() const { return slots_.size(); }
  size_t MemoryBytes() const { return slots_.capacity() * sizeof(uint64_t); }

  T* At(size_t slot) const { return Ptr(slots_[slot]); }

  // Asks for the elements in the slots a Find of `hash` would compare (those tagged
  // like it, up to the first gap): the first `bytes` of each, one or two cache lines
  // (elements are not aligned to lines). REQUIRES: the owner's lock, as Find.
  void PrefetchTagged(uint64_t hash, size_t bytes) const {
    if (size_ == 0) return;
    const size_t cap = slots_.size();
    const uint64_t tag = Tag(hash);
    for (size_t i = Home(hash, cap), n = 0; n < 8; i = i + 1 == cap ? 0 : i + 1, ++n) {
      const uint64_t s = slots_[i];
      if (s == 0) return;
      if ((s & kTagMask) != tag) continue;
      const char* element = reinterpret_cast<const char*>(Ptr(s));
      PrefetchLine(element);
      if ((reinterpret_cast<uintptr_t>(element) & 63) + bytes > 64) PrefetchLine(element + bytes - 1);
    }
  }

  // Asks for the lines a Find of each of `names` reads (at most 16): their home slots
  // first, then the elements tagged like them, `header` bytes plus the name's length of
  // each, so that the misses of a pipeline of lookups in one big table overlap (the look
  // ahead's fields of a hash or set, members of a sorted set).
  template <typename Hash>
  void PrefetchLookups(std::span<const std::string_view> names, size_t header, Hash hash) const {
    constexpr size_t kMax = 16;
    uint64_t hashes[kMax];
    const size_t n = std::min(names.size(), kMax);
    for (size_t i = 0; i < n; ++i) {
      hashes[i] = hash(names[i]);
      PrefetchHome(hashes[i]);
    }
    for (size_t i = 0; i < n; ++i) PrefetchTagged(hashes[i], names[i].size() + header);
  }

  // Asks for the cache line of `hash`'s home slot: a hint, callable from any thread
  // without the owner's lock (the pipeline look ahead, protocol/request_peek.h). It
  // reads the table's address and size from copies kept for it in atomics; read while
  // the table is resized they may disagree, and the prefetch of a wrong address is
  // harmless (it never faults; nothing is read).
  void PrefetchHome(uint64_t hash) const {
    const uint64_t* base = prefetch_base_.load(std::memory_order_relaxed);
    const size_t cap = prefetch_cap_.load(std::memory_order_relaxed);
    if (base != nullptr && cap != 0) PrefetchLine(base + Home(hash, cap));
  }

  // First slot whose entry satisfies `match` among those tagged like `hash`.
  template <typename Match>
  size_t Find(uint64_t hash, Match match) const {
    if (size_ == 0) return kNotFound;
    const size_t cap = slots_.size();
    const uint64_t tag = Tag(hash);
    for (size_t i = Home(hash, cap);; i = i + 1 == cap ? 0 : i + 1) {
      uint64_t s = slots_[i];
      if (s == 0) return kNotFound;
      if ((s & kTagMask) == tag && match(Ptr(s))) return i;
    }
  }

  // REQUIRES: no entry equal to `e` is present.
  void Insert(T* e, uint64_t hash) {
    if ((size_ + 1) * 5 > capacity() * 4) Resize(NextCapacity(size_ + 1));
    Place(slots_, Pack(e, hash), hash);
    ++size_;
  }

  // Swaps the entry in `slot` for one with the same hash; returns the old one.
  T* ReplaceAt(size_t slot, T* e) {
    T* old = Ptr(slots_[slot]);
    slots_[slot] = (slots_[slot] & kTagMask) | reinterpret_cast<uint64_t>(e);
    return old;
  }

  // Removes the entry in `slot` (not freed) and closes the gap. May shrink the table.
  void EraseAt(size_t slot) {
    const size_t cap = slots_.size();
    size_t hole = slot;
    slots_[hole] = 0;
    for (size_t j = hole + 1 == cap ? 0 : hole + 1; slots_[j] != 0; j = j + 1 == cap ? 0 : j + 1) {
      size_t home = Home(HashOf()(Ptr(slots_[j])), cap);
      // Move j back into the hole unless its home lies cyclically in (hole, j].
      size_t dist_home = (j + cap - home) % cap;
      size_t dist_hole = (j + cap - hole) % cap;
      if (dist_home >= dist_hole) {
        slots_[hole] = slots_[j];
        slots_[j] = 0;
        hole = j;
      }
    }
    --size_;
    if (cap > kMinCapacity && size_ * 10 < cap) Resize(NextCapacity(size_));
  }

  // Removes every entry, handing each to `release`.
  template <typename Release>
  void Clear(Release release) {
    for (uint64_t s : slots_) {
      if (s) release(Ptr(s));
    }
    std::vector<uint64_t>().swap(slots_);
    size_ = 0;
    Publish();
  }

  // Visits every entry whose hash position lies in [*pos, next) where next is chosen so
  // that about `max_slots` slots are examined; sets *pos = next (kScanEnd when done).
  // Returns the number of slots examined.
  template <typename Visit>
  size_t Scan(uint64_t* pos, size_t max_slots, Visit visit) const {
    const size_t cap = slots_.size();
    if (size_ == 0 || *pos >= kScanEnd) {
      *pos = kScanEnd;
      return 0;
    }
    const uint64_t start = *pos;
    const size_t first = static_cast<size_t>((start * cap) >> kScanPositionBits);
    const size_t last = std::min(cap, first + std::max<size_t>(max_slots, 1));
    const uint64_t end = last == cap ? kScanEnd : Boundary(last, cap);
    auto emit = [&](uint64_t s) {
      uint64_t p = HashOf()(Ptr(s)) >> (64 - kScanPositionBits);
      if (p >= start && p < end) visit(Ptr(s));
    };
    for (size_t i = first; i < last; ++i) {
      if (slots_[i]) emit(slots_[i]);
    }
    // Entries homed in [first, last) may sit displaced past `last`, up to the next gap.
    // Stop before reaching slots the first loop already visited (wrap-around).
    const size_t unvisited = cap - (last - first);
    size_t n = 0;
    for (size_t i = last % cap; n < unvisited && slots_[i] != 0; i = (i + 1) % cap, ++n) {
      emit(slots_[i]);
    }
    *pos = end;
    return (last - first) + n;
  }

  // Up to `n` slots holding entries, each chosen as RandomSlot does (repeats possible),
  // into out; returns how many (0 only when the table is empty). The draws of a round
  // are prefetched together so that their cache misses overlap: eviction samples keys
  // of a table far bigger than the caches.
  static constexpr size_t kMaxSampleBatch = 32;
  template <typename Rng>
  size_t RandomSlots(Rng& rng, size_t* out, size_t n) const {
    if (size_ == 0) return 0;
    n = std::min(n, kMaxSampleBatch);
    const size_t cap = slots_.size();
    std::uniform_int_distribution<size_t> any(0, cap - 1);
    size_t got = 0;
    for (int round = 0; round < 64 && got < n; ++round) {
      size_t draws[kMaxSampleBatch];
      const size_t want = n - got;
      for (size_t k = 0; k < want; ++k) {
        draws[k] = any(rng);
        PrefetchLine(&slots_[draws[k]]);
      }
      for (size_t k = 0; k < want; ++k) {
        if (slots_[draws[k]] != 0) out[got++] = draws[k];
      }
    }
    while (got < n) out[got++] = RandomSlot(rng);  // a nearly empty table
    return got;
  }

  // A slot holding some entry, chosen at random; kNotFound when empty.
  template <typename Rng>
  size_t RandomSlot(Rng& rng) const {
    if (size_ == 0) return kNotFound;
    const size_t cap = slots_.size();
    std::uniform_int_distribution<size_t> any(0, cap - 1);
    // Probing on from one random slot would favour entries after long empty runs (a
    // table thinned by deletions), so eviction would keep sampling the same few keys.
    // Drawing again is uniform and costs 1/load draws on average.
    for (int tries = 0; tries < 64; ++tries) {
      size_t i = any(rng);
      if (slots_[i] != 0) return i;
    }
    size_t i = any(rng);
    while (slots_[i] == 0) i = i + 1 == cap ? 0 : i + 1;
    return i;
  }

 private:
  static constexpr uint64_t kPtrMask = (1ULL << 48) - 1;
  static constexpr uint64_t kTagMask = ~kPtrMask;

  static uint64_t Tag(uint64_t hash) { return (hash & 0xffff) << 48; }
  static uint64_t Pack(T* e, uint64_t hash) {
    return Tag(hash) | reinterpret_cast<uint64_t>(e);
  }
  static T* Ptr(uint64_t s) { return reinterpret_cast<T*>(s & kPtrMask); }
  static size_t Home(uint64_t hash, size_t cap) {
    return static_cast<size_t>(((hash >> (64 - kScanPositionBits)) * cap) >> kScanPositionBits);
  }
  // Smallest hash position whose home is >= slot b.
  static uint64_t Boundary(size_t b, size_t cap) {
    return ((static_cast<uint64_t>(b) << kScanPositionBits) + cap - 1) / cap;
  }
  static size_t NextCapacity(size_t n) {
    // Aim for ~60% load after a resize: 1.67x the entries, at least kMinCapacity.
    size_t c = std::max(kMinCapacity, n + n * 2 / 3 + 1);
    return std::min(c, kMaxCapacity);
  }
  static void Place(std::vector<uint64_t>& slots, uint64_t packed, uint64_t hash) {
    const size_t cap = slots.size();
    size_t i = Home(hash, cap);
    while (slots[i] != 0) i = i + 1 == cap ? 0 : i + 1;
    slots[i] = packed;
  }
  void Resize(size_t new_cap) {
    if (new_cap == slots_.size() || new_cap < size_ + 1) return;
    std::vector<uint64_t> fresh(new_cap, 0);
    for (uint64_t s : slots_) {
      if (s) Place(fresh, s, HashOf()(Ptr(s)));
    }
    slots_.swap(fresh);
    Publish();
  }
  void Publish() {
    prefetch_base_.store(slots_.data(), std::memory_order_relaxed);
    prefetch_cap_.store(slots_.size(), std::memory_order_relaxed);
  }

  std::vector<uint64_t> slots_;
  size_t size_ = 0;
  std::atomic<const uint64_t*> prefetch_base_{nullptr};
  std::atomic<size_t> prefetch_cap_{0};
};

}  // namespace minired
