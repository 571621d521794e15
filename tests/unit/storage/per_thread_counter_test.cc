#include "storage/per_thread_counter.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace minired {
namespace {

TEST(PerThreadCounter, SumsWhatEveryThreadAdded) {
  PerThreadCounter counter;
  counter.Add(5);
  counter.Add(-2);
  EXPECT_EQ(counter.Sum(), 3);
  // More threads than lines: the late ones share the last line with atomic adds. Each
  // adds 1,000 and takes back 400, and a thread takes back what another added.
  std::vector<std::thread> threads;
  for (int t = 0; t < kPerThreadSlots + 40; ++t) {
    threads.emplace_back([&counter, t] {
      for (int i = 0; i < 1000; ++i) counter.Add(1);
      counter.Add(t % 2 == 0 ? -800 : 0);
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(counter.Sum(), 3 + (kPerThreadSlots + 40) * 1000 - ((kPerThreadSlots + 40 + 1) / 2) * 800);
}

}  // namespace
}  // namespace minired
