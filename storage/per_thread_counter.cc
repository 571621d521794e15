#include "storage/per_thread_counter.h"

#include <algorithm>

namespace minired {
namespace {
std::atomic<int> g_next_slot{0};
}  // namespace

int AssignPerThreadSlot() {
  t_per_thread_slot = std::min(g_next_slot.fetch_add(1, std::memory_order_relaxed), kPerThreadSlots - 1);
  return t_per_thread_slot;
}

int64_t PerThreadCounter::Sum() const {
  // Lines past the last given out are still zero.
  const int used = std::min(g_next_slot.load(std::memory_order_relaxed), kPerThreadSlots);
  int64_t sum = 0;
  for (int i = 0; i < used; ++i) sum += lines_[i].value.load(std::memory_order_relaxed);
  return sum;
}

}  // namespace minired
