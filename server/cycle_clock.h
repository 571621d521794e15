// Command durations (INFO commandstats/latencystats, SLOWLOG) from the CPU's time-stamp
// counter where it ticks at a constant rate whatever the core's frequency and sleep
// state (constant_tsc and nonstop_tsc), as Redis's monotonic clock does: two reads per
// command, each about half the cost of a clock_gettime (which was 6-8% of an I/O thread
// serving pipelined writes). Elsewhere, std::chrono::steady_clock.
#pragma once

#include <cstdint>

#include "storage/clock.h"

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
  // The ticks that make `ns` nanoseconds.
  static uint64_t TicksFor(uint64_t ns) {
    return ns_per_tick_ > 0 ? static_cast<uint64_t>(static_cast<double>(ns) / ns_per_tick_) : ns;
  }
  // Checks the CPU's flags and measures the counter's rate against steady_clock (2 ms);
  // called once at start-up, before any I/O thread runs.
  static void Calibrate();

 private:
  static uint64_t SteadyNanos();
  static inline double ns_per_tick_ = 0;
};

// A command's wall-clock milliseconds, for its expiry checks. The system clock is read
// again only once 100 µs of counter ticks passed on the calling thread: through the vDSO
// it costs 30-40 ns on these machines, 7% of a thread serving pipelined INCRs. A key can
// so be served up to 0.1 ms past its expiry, inside the millisecond its expiry time is
// given in. Any other clock (a test's ManualClock) is read every time.
class CommandClock {
 public:
  explicit CommandClock(const Clock* clock = nullptr)
      : clock_(clock),
        cached_(clock == SystemClock::Instance() && CycleClock::UsesTsc()),
        refresh_ticks_(CycleClock::TicksFor(100'000)) {}
  // `now`: CycleClock::Now(), read by the caller just before.
  int64_t NowMs(uint64_t now) const {
    if (!cached_) return clock_->NowMs();
    thread_local uint64_t t_read_at = 0;
    thread_local int64_t t_ms = 0;
    // Unsigned: a counter that reads lower (another core's, skewed) also reads again.
    if (now - t_read_at >= refresh_ticks_) {
      t_read_at = now;
      t_ms = clock_->NowMs();
    }
    return t_ms;
  }

 private:
  const Clock* clock_;
  bool cached_;
  uint64_t refresh_ticks_;
};

}  // namespace minired
