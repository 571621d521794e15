// A counter that every I/O thread adds to and few read (the bytes the allocator holds,
// the changes since the last save): each thread adds into a cache line of its own, so
// the hot path has neither a shared line nor a locked instruction; a read sums the lines.
#pragma once

#include <atomic>
#include <cstdint>

namespace minired {

// The calling thread's line in every PerThreadCounter, given out once per thread: lines
// 0..kPerThreadSlots-2 have one writer each; later threads share the last one.
constexpr int kPerThreadSlots = 256;
int AssignPerThreadSlot();
inline thread_local int t_per_thread_slot = -1;
inline int PerThreadSlot() { return t_per_thread_slot >= 0 ? t_per_thread_slot : AssignPerThreadSlot(); }

class PerThreadCounter {
 public:
  constexpr PerThreadCounter() = default;
  void Add(int64_t n) {
    const int slot = PerThreadSlot();
    std::atomic<int64_t>& v = lines_[slot].value;
    if (slot < kPerThreadSlots - 1) {
      v.store(v.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);  // its only writer
    } else {
      v.fetch_add(n, std::memory_order_relaxed);
    }
  }
  // The total; a thread that subtracts what another added leaves its own line negative.
  int64_t Sum() const;

 private:
  struct alignas(64) Line {
    std::atomic<int64_t> value{0};
  };
  Line lines_[kPerThreadSlots];
};

}  // namespace minired
