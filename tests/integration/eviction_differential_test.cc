// maxmemory behaviour compared byte for byte with redis-server: the -OOM replies under
// noeviction (which commands are refused, MULTI/EXEC), OBJECT FREQ/IDLETIME by policy,
// and the errors of the eviction options; INFO memory and MEMORY STATS name Redis's fields.
#include "tests/integration/differential.h"

#include <algorithm>
#include <map>

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

// The names of INFO memory's fields, in order.
std::vector<std::string> InfoMemoryNames(RespClient& c) {
  std::vector<std::string> names;
  std::string info = c.Call({"INFO", "memory"}).value.str;
  for (size_t at = 0; at < info.size();) {
    size_t eol = info.find("\r\n", at);
    if (eol == std::string::npos) eol = info.size();
    std::string line = info.substr(at, eol - at);
    if (!line.empty() && line[0] != '#') names.push_back(line.substr(0, line.find(':')));
    at = eol + 2;
  }
  return names;
}

// The keys of MEMORY STATS, in order (db.N as db.*, since the two hold different databases).
std::vector<std::string> MemoryStatsNames(RespClient& c) {
  std::vector<std::string> names;
  RespValue v = c.Call({"MEMORY", "STATS"}).value;
  for (size_t i = 0; i + 1 < v.elems.size(); i += 2) {
    names.push_back(v.elems[i].str.rfind("db.", 0) == 0 ? "db.*" : v.elems[i].str);
  }
  return names;
}

// Every field redis-server reports is there, in its order (minired adds used_memory_tables).
TEST_F(Differential, InfoMemoryAndMemoryStatsNameRedissFields) {
  Compare({{"SET", "k", "v"}});
  std::vector<std::string> want = InfoMemoryNames(r_), got = InfoMemoryNames(m_);
  got.erase(std::remove(got.begin(), got.end(), "used_memory_tables"), got.end());
  EXPECT_EQ(got, want);
  EXPECT_EQ(MemoryStatsNames(m_), MemoryStatsNames(r_));
  // The allocator's figures hold together: allocated <= active, and the ratios are theirs.
  std::map<std::string, std::string> f;
  std::string info = m_.Call({"INFO", "memory"}).value.str;
  for (const std::string& name : got) {
    size_t at = info.find("\r\n" + name + ":");
    ASSERT_NE(at, std::string::npos) << name;
    at += name.size() + 3;
    f[name] = info.substr(at, info.find("\r\n", at) - at);
  }
  const double allocated = std::stod(f["allocator_allocated"]), active = std::stod(f["allocator_active"]);
  const double resident = std::stod(f["allocator_resident"]), rss = std::stod(f["used_memory_rss"]);
  EXPECT_GT(allocated, 0);
  EXPECT_LE(allocated, active);
  EXPECT_LE(resident, active);
  EXPECT_NEAR(std::stod(f["allocator_frag_ratio"]), active / allocated, 0.01);
  EXPECT_EQ(std::stoll(f["allocator_frag_bytes"]), static_cast<int64_t>(active - allocated));
  EXPECT_NEAR(std::stod(f["rss_overhead_ratio"]), rss / resident, 0.01);
  EXPECT_EQ(f["mem_cluster_links"], "0");
}

}  // namespace
}  // namespace minired
