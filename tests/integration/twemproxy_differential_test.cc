// minired behind twemproxy (nutcracker): the same commands through one proxy in front
// of two minired masters and another in front of two redis-servers (same server names,
// so the same keys land on the same backend), replies compared byte for byte. Covers
// what the catalog sends and what twemproxy forwards, including the multi-key commands
// it splits across backends and joins again (MGET, MSET, DEL, EXISTS).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/testing/nutcracker_process.h"
#include "tests/testing/resp_client.h"
#include "tests/testing/test_process.h"

namespace minired::testing {
namespace {

class Twemproxy : public ::testing::Test {
 protected:
  void SetUp() override {
    for (int i = 0; i < 2; ++i) {
      minired_.push_back(TestProcess::StartMinired({"--appendonly", "no", "--save", ""}));
      ASSERT_TRUE(minired_.back().ok()) << minired_.back().error();
      redis_.push_back(TestProcess::StartRedis({"--save", ""}));
      ASSERT_TRUE(redis_.back().ok()) << redis_.back().error();
    }
    m_proxy_ = NutcrackerProcess::Start({{"a", minired_[0].port()}, {"b", minired_[1].port()}});
    ASSERT_TRUE(m_proxy_.ok()) << m_proxy_.error();
    r_proxy_ = NutcrackerProcess::Start({{"a", redis_[0].port()}, {"b", redis_[1].port()}});
    ASSERT_TRUE(r_proxy_.ok()) << r_proxy_.error();
    ASSERT_TRUE(m_.Connect(m_proxy_.port()));
    ASSERT_TRUE(r_.Connect(r_proxy_.port()));
  }

  void Compare(const std::vector<std::vector<std::string>>& script) {
    for (const auto& cmd : script) {
      std::string shown;
      for (const auto& a : cmd) shown += a + " ";
      Reply want = r_.Call(cmd);
      Reply got = m_.Call(cmd);
      ASSERT_FALSE(want.raw.empty()) << "twemproxy + redis-server gave no reply to: " << shown;
      EXPECT_EQ(got.raw, want.raw) << "command: " << shown;
    }
  }

  std::vector<TestProcess> minired_, redis_;
  NutcrackerProcess m_proxy_, r_proxy_;
  RespClient m_, r_;
};

TEST_F(Twemproxy, StringsCountersAndKeysAcrossBackends) {
  Compare({{"PING"},
           {"MSET", "k1", "a", "k2", "b", "k3", "c", "k4", "d", "k5", "e", "k6", "f"},
           {"MGET", "k1", "k2", "k3", "k4", "k5", "k6", "missing"},
           {"EXISTS", "k1", "k2", "k3", "missing"},
           {"DEL", "k1", "k2", "missing"},
           {"MGET", "k1", "k2", "k3"},
           {"SET", "s", "v", "NX", "EX", "100"}, {"SET", "s", "w", "NX"}, {"GET", "s"}, {"TTL", "s"},
           {"SET", "s", "v", "XX", "PX", "100000"}, {"PERSIST", "s"}, {"TTL", "s"}, {"EXPIRE", "s", "50"},
           {"PEXPIRE", "s", "50000"}, {"TYPE", "s"}, {"APPEND", "s", "++"}, {"STRLEN", "s"},
           {"GETRANGE", "s", "1", "-1"}, {"SETRANGE", "s", "1", "XY"}, {"GET", "s"}, {"GETSET", "s", "n"},
           {"GETDEL", "s"}, {"GET", "s"},
           {"INCR", "c"}, {"INCRBY", "c", "41"}, {"DECR", "c"}, {"DECRBY", "c", "2"}, {"INCRBYFLOAT", "c", "0.5"},
           {"INCR", "c"}, {"SETNX", "c", "1"}, {"SETEX", "e", "100", "v"}, {"PSETEX", "p", "100000", "v"},
           {"INCR", "e"}, {"INCRBY", "c", "x"}});
}

TEST_F(Twemproxy, HashesListsSetsAndSortedSets) {
  Compare({{"HSET", "h", "f1", "1", "f2", "2"}, {"HGET", "h", "f1"}, {"HMGET", "h", "f1", "nope", "f2"},
           {"HINCRBY", "h", "f1", "5"}, {"HINCRBYFLOAT", "h", "f2", "0.25"}, {"HLEN", "h"}, {"HEXISTS", "h", "f1"},
           {"HSETNX", "h", "f1", "x"}, {"HSTRLEN", "h", "f2"}, {"HDEL", "h", "f1", "nope"}, {"HGETALL", "h"},
           {"RPUSH", "l", "a", "b", "c", "d"}, {"LPUSH", "l", "z"}, {"LRANGE", "l", "0", "-1"}, {"LLEN", "l"},
           {"LINDEX", "l", "2"}, {"LSET", "l", "0", "y"}, {"LREM", "l", "0", "b"}, {"LINSERT", "l", "BEFORE", "c", "q"},
           {"LTRIM", "l", "0", "2"}, {"LPOP", "l"}, {"RPOP", "l"}, {"LRANGE", "l", "0", "-1"},
           {"SADD", "st", "1", "2", "3"}, {"SISMEMBER", "st", "2"}, {"SCARD", "st"}, {"SREM", "st", "2"},
           {"SMEMBERS", "st"}, {"SPOP", "st", "5"}, {"SCARD", "st"},
           {"ZADD", "z", "1", "a", "2", "b", "3", "c"}, {"ZADD", "z", "XX", "INCR", "5", "a"}, {"ZSCORE", "z", "a"},
           {"ZRANGE", "z", "0", "-1", "WITHSCORES"}, {"ZRANGE", "z", "0", "1", "REV", "WITHSCORES"},
           {"ZREVRANGE", "z", "0", "-1"}, {"ZRANGEBYSCORE", "z", "2", "(6"}, {"ZINCRBY", "z", "1", "b"},
           {"ZRANK", "z", "b"}, {"ZCOUNT", "z", "-inf", "+inf"}, {"ZREM", "z", "c"}, {"ZCARD", "z"},
           // Wrong types and bad arguments: the same errors through the proxy.
           {"GET", "h"}, {"HGET", "l", "x"}, {"ZADD", "z", "nan", "x"}, {"LINDEX", "l", "x"}});
}

}  // namespace
}  // namespace minired::testing
