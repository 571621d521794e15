// CONFIG against redis-server 7.0: every parameter of its CONFIG GET * exists in
// minired with the same default (a few differ on purpose, listed below), and CONFIG SET
// of a bad or an extreme value answers what redis-server answers, so a redis.conf or a
// client library that sets a parameter behaves the same on both.
#include <map>
#include <set>

#include "tests/integration/differential.h"

namespace minired {
namespace {

using Config = Differential;

std::map<std::string, std::string> AllParameters(RespClient& c) {
  Reply r = c.Call({"CONFIG", "GET", "*"});
  std::map<std::string, std::string> out;
  for (size_t i = 0; i + 1 < r.value.elems.size(); i += 2) out[r.value.elems[i].str] = r.value.elems[i + 1].str;
  return out;
}

// Defaults minired chooses differently, and why.
const std::set<std::string> kOwnDefaults = {
    "hash-max-listpack-entries", "hash-max-ziplist-entries",  // 128: docs/memory, compact hashes
    "io-threads",         // minired's I/O threads (0: one per core), not Redis's helper threads
    "repl-backlog-size",  // 10mb, Valkey 8's default (docs/replication.md)
};

// Parameters whose test values would change what the suite relies on (the password,
// the listening socket, the data directory): their values are checked, not set.
bool Untouchable(const std::string& name) {
  static const std::set<std::string> kNames = {"requirepass", "masterauth", "masteruser", "bind", "dir",
                                               "dbfilename", "aclfile", "port", "replicaof", "slaveof",
                                               "logfile", "pidfile", "daemonize", "unixsocket", "save"};
  return kNames.count(name) || name.starts_with("tls-");
}

TEST_F(Config, EveryRedisParameterExistsWithItsDefault) {
  auto theirs = AllParameters(r_);
  auto ours = AllParameters(m_);
  ASSERT_GT(theirs.size(), 180u);
  for (const auto& [name, value] : theirs) {
    auto it = ours.find(name);
    ASSERT_NE(it, ours.end()) << name << " is missing";
    if (kOwnDefaults.count(name) || name == "port" || name == "dir" || name == "dbfilename" || name == "pidfile" ||
        name == "logfile" || name == "save" || name == "appendonly" || name == "enable-debug-command") {
      continue;  // per-process values (and the fixture's own settings)
    }
    EXPECT_EQ(it->second, value) << name;
  }
}

TEST_F(Config, SettingBadAndExtremeValuesAnswersAsRedis) {
  auto theirs = AllParameters(r_);
  auto ours = AllParameters(m_);
  for (const auto& [name, value] : theirs) {
    if (Untouchable(name)) continue;
    for (const char* probe : {"not-a-value!", "-9223372036854775808", "9223372036854775807", "-1", "0", "1gb", "10%"}) {
      EXPECT_EQ(m_.Call({"CONFIG", "SET", name, probe}).raw, r_.Call({"CONFIG", "SET", name, probe}).raw)
          << name << " " << probe;
      EXPECT_EQ(m_.Call({"CONFIG", "GET", name}).value.elems.size(), 2u) << name;
    }
    r_.Call({"CONFIG", "SET", name, value});
    m_.Call({"CONFIG", "SET", name, ours[name]});
  }
}

// Values that parse are stored in Redis's canonical form; several parameters in one
// CONFIG SET are all or nothing; patterns and aliases report every name they match.
TEST_F(Config, AcceptedValuesReadBackAsRedisPrintsThem) {
  ForBothProtocols([&] {
    Compare({{"CONFIG", "SET", "notify-keyspace-events", "KEA"}, {"CONFIG", "GET", "notify-keyspace-events"},
             {"CONFIG", "SET", "notify-keyspace-events", "Exn"}, {"CONFIG", "GET", "notify-keyspace-events"},
             {"CONFIG", "SET", "notify-keyspace-events", "Kq"}, {"CONFIG", "SET", "notify-keyspace-events", ""},
             {"CONFIG", "SET", "oom-score-adj-values", "1 2 3"}, {"CONFIG", "GET", "oom-score-adj-values"},
             {"CONFIG", "SET", "oom-score-adj-values", "1 2"}, {"CONFIG", "SET", "oom-score-adj-values", "0 200 800"},
             {"CONFIG", "SET", "shutdown-on-sigint", "now save"}, {"CONFIG", "GET", "shutdown-on-sigint"},
             {"CONFIG", "SET", "shutdown-on-sigint", "default"}, {"CONFIG", "SET", "maxmemory-clients", "101%"},
             {"CONFIG", "SET", "maxmemory-clients", "5%"}, {"CONFIG", "GET", "maxmemory-clients"},
             {"CONFIG", "SET", "maxmemory-clients", "0"}, {"CONFIG", "SET", "list-compress-depth", "2"},
             {"CONFIG", "GET", "list-compress-depth"}, {"CONFIG", "SET", "list-compress-depth", "0"},
             {"CONFIG", "SET", "lua-time-limit", "200"}, {"CONFIG", "GET", "busy-reply-threshold"},
             {"CONFIG", "SET", "busy-reply-threshold", "5000"}, {"CONFIG", "SET", "hz", "1000"}, {"CONFIG", "GET", "hz"},
             {"CONFIG", "SET", "hz", "0"}, {"CONFIG", "GET", "hz"}, {"CONFIG", "SET", "hz", "10"},
             {"CONFIG", "SET", "supervised", "systemd"}, {"CONFIG", "SET", "cluster-announce-hostname", "a_b"},
             {"CONFIG", "SET", "hz", "20", "maxmemory", "bla"}, {"CONFIG", "GET", "hz"},
             {"CONFIG", "SET", "hz", "15", "hz", "16"}, {"CONFIG", "SET", "lua-time-limit", "1", "busy-reply-threshold", "2"},
             {"CONFIG", "SET", "nosuch", "1"}, {"CONFIG", "GET", "nosuch*"}, {"CONFIG", "SET", "hz"},
             {"CONFIG", "GET", "busy-reply-threshold"}, {"CONFIG", "SET", "busy-reply-threshold", "5000"}});
    // Redis replies in its dictionary's order: compared as sets.
    CompareUnordered({"CONFIG", "GET", "slave-read-only", "replica-read-only"});
    CompareUnordered({"CONFIG", "GET", "*lazy*", "maxmemory*", "hz"});
    // Protected and hidden parameters; a failed apply rolls back the ones before it.
    Compare({{"CONFIG", "SET", "hz", "20", "dir", "/nonexistent"}, {"CONFIG", "GET", "hz"},
             {"CONFIG", "SET", "dbfilename", "x"}, {"CONFIG", "GET", "key-load-delay"},
             {"CONFIG", "GET", "key-load*"}, {"CONFIG", "SET", "key-load-delay", "x"},
             {"CONFIG", "SET", "loading-process-events-interval-bytes", "10"}});
    CompareUnordered({"CONFIG", "GET", "loading-process-events-interval-bytes", "rdb-key-save-delay"});
    CompareUnordered({"CONFIG", "GET", "*slave*"});
  });
}

}  // namespace
}  // namespace minired
