// The command-duration clock: calibrated against steady_clock, it measures a wait as
// steady_clock does (on machines without an invariant TSC it is steady_clock).
#include "server/cycle_clock.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

namespace minired {
namespace {

TEST(CycleClock, MeasuresAWaitAsSteadyClockDoes) {
  CycleClock::Calibrate();
  for (int ms : {5, 30}) {
    auto s0 = std::chrono::steady_clock::now();
    uint64_t c0 = CycleClock::Now();
    std::this_thread::sleep_for(std::chrono::milliseconds(ms));
    uint64_t c1 = CycleClock::Now();
    auto s1 = std::chrono::steady_clock::now();
    auto steady_ns = static_cast<double>(std::chrono::duration_cast<std::chrono::nanoseconds>(s1 - s0).count());
    auto cycle_ns = static_cast<double>(CycleClock::ToNanos(c1 - c0));
    // The two pairs of reads bracket the same wait, a few microseconds apart.
    EXPECT_NEAR(cycle_ns / steady_ns, 1.0, 0.02) << ms << " ms wait, tsc: " << CycleClock::UsesTsc();
  }
}

TEST(CycleClock, NeverGoesBackwardsOnOneThread) {
  CycleClock::Calibrate();
  uint64_t last = CycleClock::Now();
  for (int i = 0; i < 100000; ++i) {
    uint64_t now = CycleClock::Now();
    ASSERT_GE(now, last);
    last = now;
  }
}

TEST(CommandClock, FollowsEveryStepOfAManualClock) {
  CycleClock::Calibrate();
  ManualClock manual;
  CommandClock clock(&manual);
  const int64_t start = clock.NowMs(CycleClock::Now());
  for (int i = 1; i <= 5; ++i) {
    manual.AdvanceMs(1);
    EXPECT_EQ(clock.NowMs(CycleClock::Now()), start + i);  // no caching: tests move time between commands
  }
}

TEST(CommandClock, StaysWithinAMillisecondOfTheSystemClockAndMovesOn) {
  CycleClock::Calibrate();
  CommandClock clock(SystemClock::Instance());
  for (int round = 0; round < 10; ++round) {
    for (int i = 0; i < 1000; ++i) {  // mostly answered from the thread's cached reading
      const int64_t before = SystemClock::Instance()->NowMs();
      const int64_t now = clock.NowMs(CycleClock::Now());
      const int64_t after = SystemClock::Instance()->NowMs();
      // Read at most 0.1 ms ago: never ahead, behind by at most a millisecond boundary.
      ASSERT_LE(now, after);
      ASSERT_GE(now, before - 1);
    }
    const int64_t last = clock.NowMs(CycleClock::Now());
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
    EXPECT_GT(clock.NowMs(CycleClock::Now()), last);
  }
}

}  // namespace
}  // namespace minired
