// The differential fixture: one redis-server (the behavioural reference) and one
// minired for the whole suite; each test sends the same commands to both and compares
// the replies byte for byte (or as multisets where the order is unspecified).
#pragma once

#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "tests/testing/resp_client.h"
#include "tests/testing/test_process.h"

namespace minired {

using testing::Reply;
using testing::RespClient;
using testing::TestProcess;
using Script = std::vector<std::vector<std::string>>;

// Sends each command of `script` to both servers and compares the replies' bytes.
// "XADD s * a 1" -> {"XADD", "s", "*", "a", "1"}: a command written as one line of
// words (no quoting; for arguments without spaces).
inline std::vector<std::string> Words(const std::string& line) {
  std::vector<std::string> out;
  std::istringstream in(line);
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

// A seeded generator for the random differential tests (the same commands on every
// run), with the whole number as text they all draw.
class RandomArgs {
 public:
  explicit RandomArgs(uint32_t seed) : rng_(seed) {}
  uint32_t operator()() { return static_cast<uint32_t>(rng_()); }
  // A whole number in [lo, hi], as text.
  std::string Num(int lo, int hi) {
    return std::to_string(lo + static_cast<int>(rng_() % static_cast<uint32_t>(hi - lo + 1)));
  }

 private:
  std::mt19937 rng_;
};

inline Script Lines(std::initializer_list<const char*> lines) {
  Script s;
  for (const char* l : lines) s.push_back(Words(l));
  return s;
}

inline void CompareOn(RespClient& redis, RespClient& minired, const Script& script) {
  for (const auto& cmd : script) {
    Reply want = redis.Call(cmd);
    Reply got = minired.Call(cmd);
    std::string shown;
    for (const auto& a : cmd) shown += a + " ";
    ASSERT_FALSE(want.raw.empty()) << "redis-server gave no reply to: " << shown;
    EXPECT_EQ(got.raw, want.raw) << "command: " << shown;
  }
}

// One redis-server and one minired-server for a whole test suite: a suite's
// SetUpTestSuite starts them with its own arguments, its TearDownTestSuite stops them
// (gtest runs suites one after another, so the two pointers serve each in turn).
class ServerPair : public ::testing::Test {
 protected:
  static void StartServers(std::vector<std::string> redis_args, std::vector<std::string> minired_args) {
    redis_ = new TestProcess(TestProcess::StartRedis(std::move(redis_args)));
    minired_ = new TestProcess(TestProcess::StartMinired(std::move(minired_args)));
  }
  static void StopServers() {
    delete redis_;
    delete minired_;
    redis_ = minired_ = nullptr;
  }
  // For SetUp: both servers started (their start-up error otherwise).
  static void ExpectServersUp() {
    ASSERT_TRUE(redis_->ok()) << redis_->error();
    ASSERT_TRUE(minired_->ok()) << minired_->error();
  }

  static TestProcess* redis_;
  static TestProcess* minired_;
};

inline TestProcess* ServerPair::redis_ = nullptr;
inline TestProcess* ServerPair::minired_ = nullptr;

class Differential : public ServerPair {
 protected:
  static void SetUpTestSuite() { StartServers({"--enable-debug-command", "yes"}, {}); }
  static void TearDownTestSuite() { StopServers(); }
  void SetUp() override {
    ExpectServersUp();
    ASSERT_TRUE(r_.Connect(redis_->port()));
    ASSERT_TRUE(m_.Connect(minired_->port()));
    r_.Call({"FLUSHALL"});
    m_.Call({"FLUSHALL"});
  }

  // Runs `script` on both servers and compares each reply's bytes.
  void Compare(const Script& script) { CompareOn(r_, m_, script); }

  // Both connections speak RESP3 from here on (for the rest of the test).
  void SwitchToResp3() {
    r_.Call({"HELLO", "3"});
    m_.Call({"HELLO", "3"});
  }

  // Runs `body` once in RESP2 and once in RESP3 on the suite's two connections (HELLO's
  // replies hold the client id, so they are not compared), and leaves them in RESP2.
  template <typename Body>
  void ForBothProtocols(Body body) {
    for (const char* resp : {"2", "3"}) {
      SCOPED_TRACE(std::string("RESP") + resp);
      r_.Call({"HELLO", resp});
      m_.Call({"HELLO", resp});
      body();
    }
    r_.Call({"HELLO", "2"});
    m_.Call({"HELLO", "2"});
  }

  // For commands that answer with several replies (SUBSCRIBE a b: one per channel):
  // reads all `replies` from each server, so later commands are not read one behind.
  void CompareReplies(const std::vector<std::string>& cmd, int replies) {
    Compare({cmd});
    for (int i = 1; i < replies; ++i) {
      Reply want, got;
      ASSERT_TRUE(r_.Read(&want));
      ASSERT_TRUE(m_.Read(&got));
      EXPECT_EQ(got.raw, want.raw) << "reply " << i + 1 << " of " << cmd[0];
    }
  }

  // For replies whose element order Redis leaves unspecified (SMEMBERS of a hashtable
  // set, SINTER, HGETALL of a hashtable...): same type and the same multiset of elements.
  void CompareUnordered(const std::vector<std::string>& cmd) {
    Reply want = r_.Call(cmd);
    Reply got = m_.Call(cmd);
    std::string shown;
    for (const auto& a : cmd) shown += a + " ";
    EXPECT_EQ(got.value.type, want.value.type) << "command: " << shown;
    EXPECT_EQ(Sorted(got.value), Sorted(want.value)) << "command: " << shown;
  }
  static std::vector<std::string> Sorted(const RespValue& v) {
    std::vector<std::string> out;
    bool map = v.type == RespValue::Type::kMap;
    for (size_t i = 0; i < v.elems.size(); i += map ? 2 : 1) {
      out.push_back(v.elems[i].DebugString() + (map ? "=" + v.elems[i + 1].DebugString() : ""));
    }
    std::sort(out.begin(), out.end());
    return out;
  }

  RespClient r_, m_;
};

}  // namespace minired
