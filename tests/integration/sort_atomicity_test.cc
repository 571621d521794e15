// SORT with BY and GET patterns is one atomic step for every client on every I/O
// thread (docs/ARCHITECTURE.md, "The keyspace and its locks"): the keys its patterns
// name, spread over many shards, are seen in one state while other threads move
// amounts between them.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <random>
#include <string>
#include <vector>

#include "tests/testing/background_threads.h"
#include "tests/testing/resp_client.h"
#include "tests/testing/test_process.h"

namespace minired::testing {
namespace {

constexpr int kItems = 200;

// Writers move one unit from w_<a> to w_<b> and from h_<a>->g to h_<b>->g in a script
// that declares its four keys (so it holds only their shards, not every shard as EXEC
// would); the weights and the fields always sum to 0. Sorters read all of them through
// patterns and must find that sum in every reply.
TEST(SortAtomicity, PatternsSeeOneStateOfEveryKeyTheyRead) {
  TestProcess server = TestProcess::StartMinired({"--threads", "2", "--appendonly", "no", "--save", ""});
  ASSERT_TRUE(server.ok()) << server.error();
  {
    RespClient c;
    ASSERT_TRUE(c.Connect(server.port()));
    std::vector<std::string> ids = {"RPUSH", "ids"};
    for (int i = 0; i < kItems; ++i) {
      ids.push_back(std::to_string(i));
      c.Call({"SET", "w_" + ids.back(), "0"});
      c.Call({"HSET", "h_" + ids.back(), "g", "0"});
    }
    c.Call(ids);
  }
  const std::string move =
      "redis.call('decr', KEYS[1]) redis.call('incr', KEYS[2]) "
      "redis.call('hincrby', KEYS[3], 'g', -1) redis.call('hincrby', KEYS[4], 'g', 1) return 1";
  std::atomic<int> torn{0}, sorts{0}, failures{0};
  {
    BackgroundThreads sorters;
    for (int s = 0; s < 4; ++s) {
      sorters.Run([&, s] {
        RespClient c;
        if (!c.Connect(server.port())) return failures.fetch_add(1), void();
        const std::vector<std::string> cmd = s % 2 == 1
            ? std::vector<std::string>{"SORT", "ids", "BY", "h_*->g", "GET", "h_*->g", "GET", "w_*"}
            : std::vector<std::string>{"SORT", "ids", "BY", "w_*", "GET", "w_*", "GET", "h_*->g"};
        while (!sorters.stopping()) {
          Reply r = c.Call(cmd);
          if (r.value.elems.size() != 2 * kItems) {
            failures.fetch_add(1);
            continue;
          }
          long sum[2] = {0, 0};
          for (size_t i = 0; i < r.value.elems.size(); ++i) sum[i % 2] += std::stol(r.value.elems[i].str);
          if (sum[0] != 0 || sum[1] != 0) torn.fetch_add(1);
          sorts.fetch_add(1);
        }
      });
    }
    BackgroundThreads writers;
    for (int w = 0; w < 6; ++w) {
      writers.Run([&, w] {
        RespClient c;
        if (!c.Connect(server.port())) return failures.fetch_add(1), void();
        std::mt19937 rng(w);
        const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(1500);
        while (std::chrono::steady_clock::now() < until) {
          const std::string a = std::to_string(rng() % kItems), b = std::to_string(rng() % kItems);
          if (a == b) continue;
          if (c.Call({"EVAL", move, "4", "w_" + a, "w_" + b, "h_" + a, "h_" + b}).raw != ":1\r\n") failures.fetch_add(1);
        }
      });
    }
    writers.StopAndJoin();
    sorters.StopAndJoin();
  }
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(torn.load(), 0) << "of " << sorts.load() << " sorts";
  EXPECT_GT(sorts.load(), 0);
}

}  // namespace
}  // namespace minired::testing
