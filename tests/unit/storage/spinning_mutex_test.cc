#include "storage/spinning_mutex.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

namespace minired {
namespace {

// Four threads take turns on one counter; a second, unsynchronized flag would be seen
// set by a thread entering if two were ever inside together.
TEST(SpinningMutex, OneThreadInsideAtATime) {
  SpinningMutex mu;
  int64_t counter = 0;
  bool inside = false;
  std::atomic<int> overlaps{0};
  constexpr int kThreads = 4, kRounds = 50'000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kRounds; ++i) {
        mu.lock();
        if (inside) overlaps.fetch_add(1);
        inside = true;
        ++counter;
        inside = false;
        mu.unlock();
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(counter, int64_t{kThreads} * kRounds);
  EXPECT_EQ(overlaps.load(), 0);
}

TEST(SpinningMutex, TryLockFailsWhileHeld) {
  SpinningMutex mu;
  ASSERT_TRUE(mu.try_lock());
  std::thread other([&] { EXPECT_FALSE(mu.try_lock()); });
  other.join();
  mu.unlock();
  std::thread after([&] {
    EXPECT_TRUE(mu.try_lock());
    mu.unlock();
  });
  after.join();
}

// Held far past the spinning (2,000 pauses), the waiters go to sleep on the futex; the
// release must wake them, one after the other, each seeing what the holder wrote.
TEST(SpinningMutex, SleepingWaitersAreWokenByTheRelease) {
  SpinningMutex mu;
  int value = 0;
  mu.lock();
  std::atomic<int> started{0};
  std::vector<int> seen(3, -1);
  std::vector<std::thread> waiters;
  for (int t = 0; t < 3; ++t) {
    waiters.emplace_back([&, t] {
      started.fetch_add(1);
      mu.lock();
      seen[static_cast<size_t>(t)] = value;
      ++value;
      mu.unlock();
    });
  }
  while (started.load() < 3) std::this_thread::yield();
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  value = 100;
  mu.unlock();
  for (auto& w : waiters) w.join();
  EXPECT_EQ(value, 103);
  for (int v : seen) {
    EXPECT_GE(v, 100);  // every waiter entered after the release
    EXPECT_LE(v, 102);
  }
  EXPECT_TRUE(mu.try_lock());  // free again, its sleepers' mark cleared
  mu.unlock();
}

}  // namespace
}  // namespace minired
