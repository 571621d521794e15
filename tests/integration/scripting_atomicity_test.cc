// A script is one atomic step for every client on every I/O thread, whichever way it
// runs (docs/scripting.md, "Atomicity"): under its declared keys' shards, holding every
// shard because it names its keys in ARGV (as BullMQ's scripts do), or rolled back and
// run again holding every shard after it went beyond the keys it declared.
#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <vector>

#include "tests/testing/background_threads.h"
#include "tests/testing/resp_client.h"
#include "tests/testing/test_process.h"

namespace minired::testing {
namespace {

std::vector<std::string> TenKeys(const std::string& prefix) {
  std::vector<std::string> keys;
  for (int i = 0; i < 10; ++i) keys.push_back(prefix + std::to_string(i));
  return keys;
}

// Writers increment the ten keys (on different shards) in one script each; readers, in
// a script, read all ten and write their sum elsewhere, and must always find them equal
// and store ten times their value. `declared`: the keys come in KEYS, else in ARGV.
void CheckWritersAndSummers(bool declared) {
  TestProcess server = TestProcess::StartMinired({"--threads", "2", "--appendonly", "no", "--save", ""});
  ASSERT_TRUE(server.ok()) << server.error();
  const std::vector<std::string> keys = TenKeys(declared ? "declared:" : "undeclared:");
  const std::string list = declared ? "KEYS" : "ARGV";
  const std::string incr_all = "for i = 1, #" + list + " do redis.call('incr', " + list + "[i]) end return 1";
  const std::string sum_all =
      "local first = tonumber(redis.call('get', " + list + "[1]) or 0) local sum = 0 local equal = 1 "
      "for i = 1, #" + list + " do local v = tonumber(redis.call('get', " + list + "[i]) or 0) "
      "if v ~= first then equal = 0 end sum = sum + v end "
      "redis.call('set', 'sum:' .. " + list + "[1], sum) return {equal, sum, first}";
  auto command = [&](const std::string& script) {
    std::vector<std::string> cmd = {"EVAL", script, declared ? std::to_string(keys.size()) : "0"};
    cmd.insert(cmd.end(), keys.begin(), keys.end());
    return cmd;
  };
  constexpr int kWriters = 40, kScriptsEach = 60, kSummers = 10;
  std::atomic<int> torn{0}, sums{0}, failures{0};
  {
    BackgroundThreads summers;
    for (int r = 0; r < kSummers; ++r) {
      summers.Run([&] {
        RespClient c;
        if (!c.Connect(server.port())) return failures.fetch_add(1), void();
        const std::vector<std::string> cmd = command(sum_all);
        while (!summers.stopping()) {
          Reply reply = c.Call(cmd);
          if (reply.value.elems.size() != 3 || reply.value.elems[0].integer != 1 ||
              reply.value.elems[1].integer != 10 * reply.value.elems[2].integer) {
            torn.fetch_add(1);
          }
          sums.fetch_add(1);
        }
      });
    }
    BackgroundThreads writers;
    for (int w = 0; w < kWriters; ++w) {
      writers.Run([&] {
        RespClient c;
        if (!c.Connect(server.port())) return failures.fetch_add(1), void();
        const std::vector<std::string> cmd = command(incr_all);
        for (int i = 0; i < kScriptsEach; ++i) {
          if (c.Call(cmd).raw != ":1\r\n") failures.fetch_add(1);
        }
      });
    }
    writers.StopAndJoin();
    summers.StopAndJoin();
  }
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(torn.load(), 0) << "of " << sums.load() << " sums";
  EXPECT_GT(sums.load(), 0);
  RespClient c;
  ASSERT_TRUE(c.Connect(server.port()));
  for (const std::string& key : keys) EXPECT_EQ(c.Call({"GET", key}).value.str, std::to_string(kWriters * kScriptsEach));
}

TEST(ScriptAtomicity, DeclaredKeysRunUnderTheirShardsAlone) { CheckWritersAndSummers(true); }

TEST(ScriptAtomicity, KeysNamedInArgvRunHoldingEveryShard) { CheckWritersAndSummers(false); }

// A script first seen staying within its declared key (so later runs hold only that
// key's shard) that then goes beyond it: each such run is rolled back at the first
// undeclared call and runs again holding every shard. Its two counters are always
// seen equal, each run counts once, and the log replays to the same values.
TEST(ScriptAtomicity, AScriptThatGoesBeyondItsKeysIsRolledBackAndRunAgain) {
  TestProcess server = TestProcess::StartMinired(
      {"--threads", "2", "--appendonly", "yes", "--appendfsync", "always", "--save", ""});
  ASSERT_TRUE(server.ok()) << server.error();
  const std::string script =
      "redis.call('incr', KEYS[1]) redis.call('set', KEYS[1] .. ':last', ARGV[2]) "
      "if ARGV[1] == 'beyond' then redis.call('incr', 'beyond:b') end return redis.call('get', KEYS[1])";
  {
    RespClient c;
    ASSERT_TRUE(c.Connect(server.port()));
    for (int i = 0; i < 3; ++i) ASSERT_EQ(c.Call({"EVAL", script, "1", "warmup", "stay", "x"}).raw.substr(0, 1), "$");
  }
  constexpr int kWriters = 8, kRunsEach = 100;
  std::atomic<int> torn{0}, failures{0}, reads{0};
  {
    BackgroundThreads readers;
    for (int r = 0; r < 4; ++r) {
      readers.Run([&] {
        RespClient c;
        if (!c.Connect(server.port())) return failures.fetch_add(1), void();
        while (!readers.stopping()) {
          Reply reply = c.Call({"MGET", "beyond:a", "beyond:b"});
          if (reply.value.elems.size() != 2 || reply.value.elems[0].str != reply.value.elems[1].str) torn.fetch_add(1);
          reads.fetch_add(1);
        }
      });
    }
    BackgroundThreads writers;
    for (int w = 0; w < kWriters; ++w) {
      writers.Run([&, w] {
        RespClient c;
        if (!c.Connect(server.port())) return failures.fetch_add(1), void();
        for (int i = 0; i < kRunsEach; ++i) {
          Reply reply = c.Call({"EVAL", script, "1", "beyond:a", "beyond", std::to_string(w * 1000 + i)});
          if (reply.value.type != RespValue::Type::kBulkString) failures.fetch_add(1);
        }
      });
    }
    writers.StopAndJoin();
    readers.StopAndJoin();
  }
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(torn.load(), 0) << "of " << reads.load() << " reads";
  const std::string total = std::to_string(kWriters * kRunsEach);
  std::string last;
  {
    RespClient c;
    ASSERT_TRUE(c.Connect(server.port()));
    EXPECT_EQ(c.Call({"GET", "beyond:a"}).value.str, total);
    EXPECT_EQ(c.Call({"GET", "beyond:b"}).value.str, total);
    last = c.Call({"GET", "beyond:a:last"}).value.str;
  }
  server.Kill9();
  ASSERT_TRUE(server.Restart()) << server.error();
  RespClient c;
  ASSERT_TRUE(c.Connect(server.port()));
  EXPECT_EQ(c.Call({"GET", "beyond:a"}).value.str, total);
  EXPECT_EQ(c.Call({"GET", "beyond:b"}).value.str, total);
  EXPECT_EQ(c.Call({"GET", "beyond:a:last"}).value.str, last);
}

}  // namespace
}  // namespace minired::testing
