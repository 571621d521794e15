#include "server/cycle_clock.h"

#include <chrono>
#include <fstream>
#include <mutex>
#include <string>

namespace minired {

namespace {

// Both flags on the first processor's line of /proc/cpuinfo: the counter neither changes
// rate with the frequency nor stops in deep sleep states.
bool TscIsInvariant() {
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::string line;
  while (std::getline(cpuinfo, line)) {
    if (line.rfind("flags", 0) == 0) {
      return line.find(" constant_tsc") != std::string::npos && line.find(" nonstop_tsc") != std::string::npos;
    }
  }
  return false;
}

}  // namespace

uint64_t CycleClock::SteadyNanos() {
  return static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
          .count());
}

void CycleClock::Calibrate() {
#if defined(__x86_64__)
  static std::once_flag once;
  std::call_once(once, [] {
    if (!TscIsInvariant()) return;
    const uint64_t t0 = SteadyNanos(), c0 = __builtin_ia32_rdtsc();
    uint64_t t1 = t0;
    while (t1 - t0 < 2'000'000) t1 = SteadyNanos();
    const uint64_t c1 = __builtin_ia32_rdtsc();
    if (c1 > c0) ns_per_tick_ = static_cast<double>(t1 - t0) / static_cast<double>(c1 - c0);
  });
#endif
}

}  // namespace minired
