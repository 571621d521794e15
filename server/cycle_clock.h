// Command durations (INFO commandstats/latencystats, SLOWLOG) from the CPU's time-stamp
// counter where it ticks at a constant rate whatever the core's frequency and sleep
// state (constant_tsc and nonstop_tsc), as Redis's monotonic clock does: two reads per
// command, each about half the cost of a clock_gettime (which was 6-8% of an I/O thread
// serving pipelined writes). Elsewhere, std::chrono::steady_clock.
#pragma once

#include <cstdint>

namespace minired {

class CycleClock {
 public:
  // Ticks since an arbitrary origin; only differences mean anything.
  static uint64_t Now() {
#if defined(__x86_64__)
    if (ns_per_tick_ > 0) return __builtin_ia32_rdtsc();
#endif
    return SteadyNanos();
  }
  static uint64_t ToNanos(uint64_t ticks) {
    return ns_per_tick_ > 0 ? static_cast<uint64_t>(static_cast<double>(ticks) * ns_per_tick_) : ticks;
  }
  // Whether the time-stamp counter is used (false: steady_clock nanoseconds).
  static bool UsesTsc() { return ns_per_tick_ > 0; }
  // Checks the CPU's flags and measures the counter's rate against steady_clock (2 ms);
  // called once at start-up, before any I/O thread runs.
  static void Calibrate();

 private:
  static uint64_t SteadyNanos();
  static inline double ns_per_tick_ = 0;
};

}  // namespace minired
