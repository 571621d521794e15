// maxmemory behaviour compared byte for byte with redis-server: the -OOM replies under
// noeviction (which commands are refused, MULTI/EXEC), OBJECT FREQ/IDLETIME by policy,
// and the errors of the eviction options.
#include "tests/integration/differential.h"

namespace minired {
namespace {

// Puts both servers back to no limit and noeviction, even when a test fails midway.
struct RestoreMemoryConfig {
  RespClient& a;
  RespClient& b;
  ~RestoreMemoryConfig() {
    for (RespClient* c : {&a, &b}) c->Call({"CONFIG", "SET", "maxmemory", "0", "maxmemory-policy", "noeviction"});
  }
};

TEST_F(Differential, OutOfMemoryRepliesUnderNoeviction) {
  RestoreMemoryConfig restore{r_, m_};
  Compare({{"SET", "a", "1"}, {"RPUSH", "l", "x", "y"}, {"CONFIG", "SET", "maxmemory", "1"}, {"SET", "b", "1"},
           {"GET", "a"}, {"INCR", "a"}, {"APPEND", "a", "x"}, {"SETRANGE", "a", "0", "x"}, {"HSET", "h", "f", "v"},
           {"LPUSH", "l", "z"}, {"LPOP", "l"}, {"SADD", "s", "m"}, {"ZADD", "z", "1", "m"}, {"ZINCRBY", "z", "1", "m"},
           {"EXPIRE", "a", "100"}, {"PERSIST", "a"}, {"RENAME", "a", "a2"}, {"COPY", "a2", "a3"}, {"DEL", "a2"},
           {"MSET", "x", "1"}, {"GETSET", "a", "2"}, {"EXISTS", "a"}, {"DBSIZE"}, {"PING"}, {"MULTI"},
           {"GET", "l"}, {"EXEC"}, {"FLUSHALL"}, {"DBSIZE"}, {"CONFIG", "SET", "maxmemory", "0"}, {"SET", "b", "1"}});
}

// A few keys spread over many shards are still found and evicted; when nothing is left
// to evict the write is refused, as in Redis.
TEST_F(Differential, EvictingEverythingThenRefusing) {
  RestoreMemoryConfig restore{r_, m_};
  Compare({{"SET", "a", "1"}, {"SET", "b", "2", "EX", "100"}, {"HSET", "h", "f", "v"},
           {"CONFIG", "SET", "maxmemory-policy", "volatile-ttl"}, {"CONFIG", "SET", "maxmemory", "1"},
           {"GET", "missing"}, {"EXISTS", "b"}, {"DBSIZE"}, {"SET", "c", "3"},
           {"CONFIG", "SET", "maxmemory-policy", "allkeys-random"}, {"GET", "a"}, {"DBSIZE"}, {"SET", "c", "3"},
           {"DBSIZE"}});
}

TEST_F(Differential, ObjectFreqAndIdletimeFollowThePolicy) {
  RestoreMemoryConfig restore{r_, m_};
  Compare({{"SET", "k", "v"}, {"OBJECT", "FREQ", "k"}});
  // Idle seconds come from a clock with one-second steps on both servers: a step may
  // fall between the SET and this on either one, so 0 or 1, not always the same.
  for (RespClient* c : {&r_, &m_}) {
    Reply idle = c->Call({"OBJECT", "IDLETIME", "k"});
    EXPECT_TRUE(idle.raw == ":0\r\n" || idle.raw == ":1\r\n") << idle.raw;
  }
  Compare({{"CONFIG", "SET", "maxmemory-policy", "allkeys-lfu"}, {"OBJECT", "IDLETIME", "k"},
           {"SET", "fresh", "v"}, {"OBJECT", "FREQ", "fresh"}, {"OBJECT", "FREQ", "missing"},
           {"CONFIG", "SET", "maxmemory-policy", "volatile-lfu"}, {"OBJECT", "IDLETIME", "k"},
           {"CONFIG", "SET", "maxmemory-policy", "volatile-ttl"}, {"OBJECT", "FREQ", "k"}});
}

TEST_F(Differential, EvictionOptionErrors) {
  Compare({{"CONFIG", "SET", "maxmemory-policy", "lru"}, {"CONFIG", "SET", "maxmemory-samples", "0"},
           {"CONFIG", "SET", "maxmemory-samples", "65"}, {"CONFIG", "SET", "maxmemory-samples", "x"},
           {"CONFIG", "SET", "maxmemory-eviction-tenacity", "101"}, {"CONFIG", "SET", "lfu-log-factor", "-1"},
           {"CONFIG", "SET", "lfu-decay-time", "-1"}, {"CONFIG", "SET", "maxmemory", "lots"},
           {"CONFIG", "SET", "maxmemory", "-1"}, {"CONFIG", "GET", "maxmemory"},
           {"CONFIG", "GET", "maxmemory-policy"}, {"CONFIG", "GET", "maxmemory-samples"},
           {"CONFIG", "GET", "maxmemory-eviction-tenacity"}, {"CONFIG", "GET", "lfu-log-factor"},
           {"CONFIG", "GET", "lfu-decay-time"}});
}

}  // namespace
}  // namespace minired
