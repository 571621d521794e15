// DUMP and RESTORE against redis-server 7.0: every type and encoding of the corpus
// dumped by one server restores in the other with the same contents, both ways; and
// RESTORE's options and errors (footer, checksum, TTLs, BUSYKEY, IDLETIME, FREQ, bad
// and empty payloads) answer byte for byte as redis-server answers them.
#include <map>
#include <string>
#include <vector>

#include "storage/rdb/crc64.h"
#include "tests/integration/differential.h"
#include "tests/integration/rdb_corpus.h"
#include "tests/testing/keyspace_dump.h"

namespace minired {
namespace {

class RdbDumps : public Differential {
 protected:
  // Runs the corpus on `from`, then restores every key of it in `to` from DUMP, with
  // its absolute expiry; true when every RESTORE answered +OK.
  static void Carry(RespClient& from, RespClient& to) {
    for (const auto& cmd : RdbCorpus()) {
      Reply r = from.Call(cmd);
      ASSERT_NE(r.raw[0], '-') << r.raw << " to " << cmd[0] << " " << cmd[1];
    }
    for (const RespValue& k : from.Call({"KEYS", "*"}).value.elems) {
      Reply payload = from.Call({"DUMP", k.str});
      ASSERT_EQ(payload.value.type, RespValue::Type::kBulkString) << k.str;
      const int64_t at = from.Call({"PEXPIRETIME", k.str}).value.integer;
      Reply r = to.Call({"RESTORE", k.str, std::to_string(at > 0 ? at : 0), payload.value.str, "ABSTTL"});
      EXPECT_EQ(r.raw, "+OK\r\n") << "RESTORE of " << k.str;
    }
  }

  // A payload of `body` (type byte and value) with a valid footer: version 10, CRC64.
  static std::string Seal(std::string body) {
    body.push_back(10);
    body.push_back(0);
    const uint64_t crc = rdb::Crc64(0, body);
    for (int i = 0; i < 8; ++i) body.push_back(static_cast<char>((crc >> (8 * i)) & 0xff));
    return body;
  }
};

TEST_F(RdbDumps, EveryTypeFromRedisRestoresInMinired) {
  Carry(r_, m_);
  auto want = testing::DumpKeyspaceContents(r_);
  auto got = testing::DumpKeyspaceContents(m_);
  EXPECT_EQ(got.size(), RdbCorpus().size() > 0 ? want.size() : 0);
  for (const auto& [key, desc] : want) EXPECT_EQ(got[key], desc) << key;
}

TEST_F(RdbDumps, EveryTypeFromMiniredRestoresInRedis) {
  Carry(m_, r_);
  auto want = testing::DumpKeyspaceContents(m_);
  auto got = testing::DumpKeyspaceContents(r_);
  EXPECT_EQ(got.size(), want.size());
  for (const auto& [key, desc] : want) EXPECT_EQ(got[key], desc) << key;
}

// The same value dumps to the same bytes where both servers hold it in the same
// encoding and write it the same way (integers, short strings, listpacks, intsets).
TEST_F(RdbDumps, CompactValuesDumpToRedisBytes) {
  Compare({{"SET", "s", "hello"}, {"SET", "n", "12345"}, {"SET", "big", "-9223372036854775808"},
           {"HSET", "h", "a", "1", "b", "two"}, {"ZADD", "z", "1", "a", "2.5", "b", "-inf", "c"},
           {"SADD", "si", "1", "-70000", "3"}, {"DUMP", "s"}, {"DUMP", "n"}, {"DUMP", "big"}, {"DUMP", "h"},
           {"DUMP", "z"}, {"DUMP", "si"}, {"DUMP", "missing"}});
}

TEST_F(RdbDumps, RestoreOptionsAndErrorsAsRedis) {
  const std::string good = r_.Call({"DUMP", "x"}).value.str;  // nil: make one
  r_.Call({"SET", "src", "value"});
  const std::string payload = r_.Call({"DUMP", "src"}).value.str;
  r_.Call({"DEL", "src"});
  std::string bad_crc = payload;
  bad_crc.back() ^= 1;
  std::string newer = payload.substr(0, payload.size() - 10);
  newer.push_back(11);
  newer.push_back(0);
  const uint64_t crc = rdb::Crc64(0, newer);
  for (int i = 0; i < 8; ++i) newer.push_back(static_cast<char>((crc >> (8 * i)) & 0xff));
  Compare({
      {"RESTORE", "k", "0", "garbage"},
      {"RESTORE", "k", "0", bad_crc},
      {"RESTORE", "k", "0", newer},
      {"RESTORE", "k", "-1", payload},
      {"RESTORE", "k", "abc", payload},
      {"RESTORE", "k", "0", payload, "IDLETIME", "-1"},
      {"RESTORE", "k", "0", payload, "FREQ", "256"},
      {"RESTORE", "k", "0", payload, "FREQ", "1", "IDLETIME", "1"},
      {"RESTORE", "k", "0", payload, "IDLETIME", "x"},
      {"RESTORE", "k", "0", payload, "BOGUS"},
      {"RESTORE", "k", "0"},
      {"RESTORE", "k", "0", payload},
      {"GET", "k"},
      {"RESTORE", "k", "0", payload},
      {"RESTORE", "k", "100000", payload, "REPLACE"},
      {"TTL", "k"},
      {"RESTORE", "k", "1", payload, "REPLACE", "ABSTTL"},  // long past: deletes k
      {"EXISTS", "k"},
      {"RESTORE", "k2", "1", payload, "ABSTTL"},
      {"EXISTS", "k2"},
      {"RESTORE", "k3", "0", payload, "IDLETIME", "1000"},
      {"OBJECT", "IDLETIME", "k3"},
      {"RESTORE-ASKING", "k4", "0", payload},
      {"GET", "k4"},
      {"DUMP", "nokey"},
  });
  (void)good;
}

// Payloads that pass the footer check but hold no valid value: "Bad data format".
TEST_F(RdbDumps, MalformedValuesBehindAValidFooterAreRefused) {
  const std::vector<std::string> bodies = {
      std::string("\x02\x00", 2),             // a set of no members
      std::string("\x04\x00", 2),             // a hash of no fields
      std::string("\x06\x00", 2),             // a module value
      std::string("\x00\x0fhel", 4),          // a string longer than the payload
      std::string("\x00\x05hel", 4),          // one that runs into the footer (Redis loads it)
      std::string("\x63", 1),                 // no such type
      std::string("\x0b\x03\x01\x02\x03", 5),  // an intset of a bad encoding
      std::string("\x10\x02\x00\x00", 4),     // a listpack shorter than its header
      std::string("\x02\x02\x01" "a\x01" "a", 6),  // a set with one member twice
  };
  for (const std::string& b : bodies) Compare({{"RESTORE", "k", "0", Seal(b)}, {"EXISTS", "k"}, {"DEL", "k"}});
}

// The REPLCONF options redis-cli --rdb and --functions-rdb send.
TEST_F(RdbDumps, ReplconfRdbOptionsAnswerAsRedis) {
  Compare({{"REPLCONF", "rdb-only", "5"}, {"REPLCONF", "rdb-only", "x"}, {"REPLCONF", "rdb-only", "0"},
           {"REPLCONF", "rdb-filter-only", "functions bogus"}, {"REPLCONF", "rdb-filter-only", "\"unbalanced"},
           {"REPLCONF", "rdb-filter-only", ""}, {"REPLCONF", "rdb-filter-only", "functions"}});
}

TEST_F(RdbDumps, FreqSetsTheLfuCounterUnderAnLfuPolicy) {
  r_.Call({"SET", "src", "v"});
  const std::string payload = r_.Call({"DUMP", "src"}).value.str;
  Compare({{"CONFIG", "SET", "maxmemory-policy", "allkeys-lfu"},
           {"RESTORE", "k", "0", payload, "FREQ", "100"},
           {"OBJECT", "FREQ", "k"},
           {"CONFIG", "SET", "maxmemory-policy", "noeviction"}});
}

}  // namespace
}  // namespace minired

namespace minired {
namespace {

// MIGRATE from either server into a third (a redis-server): the same replies, byte for
// byte, and the same keys moved or copied with their values and expiries.
class RdbMigrate : public RdbDumps {
 protected:
  static void SetUpTestSuite() {
    RdbDumps::SetUpTestSuite();
    target_ = new TestProcess(TestProcess::StartRedis({"--save", "", "--appendonly", "no"}));
  }
  static void TearDownTestSuite() {
    delete target_;
    target_ = nullptr;
    RdbDumps::TearDownTestSuite();
  }
  static TestProcess* target_;
};
TestProcess* RdbMigrate::target_ = nullptr;

TEST_F(RdbMigrate, MovesCopiesAndFailsAsRedis) {
  ASSERT_TRUE(target_->ok()) << target_->error();
  RespClient t;
  ASSERT_TRUE(t.Connect(target_->port()));
  const std::string port = std::to_string(target_->port());
  auto setup = [&] {
    t.Call({"FLUSHALL"});
    return Script{{"FLUSHALL"}, {"SET", "a", "1"}, {"HSET", "h", "f", "v"}, {"SET", "t", "x", "PXAT", "4102444800000"},
                  {"RPUSH", "l", "x", "y"}};
  };
  // Each server in turn moves into a fresh target; both replies are compared, and what
  // the target holds afterwards.
  auto run = [&](const Script& script) {
    Script with_setup = setup();
    Reply want, got;
    std::vector<std::map<std::string, std::string>> held;
    for (RespClient* c : {&r_, &m_}) {
      t.Call({"FLUSHALL"});
      for (const auto& cmd : setup()) c->Call(cmd);
      t.Call({"SET", "a", "already-there"});
      std::string replies;
      for (const auto& cmd : script) replies += c->Call(cmd).raw;
      std::map<std::string, std::string> h;
      // A moved TTL is relative (Redis sends what is left): the two clocks agree to a
      // second, not to the millisecond.
      auto seconds = [](std::string v) {
        const size_t at = v.find("exp=");
        const size_t end = v.find(' ', at);
        if (at != std::string::npos && v[at + 4] != '-') v.replace(at + 4, end - at - 4, v.substr(at + 4, end - at - 4 - 3));
        return v;
      };
      for (int db : {0, 2}) {
        for (const auto& [k, v] : testing::DumpKeyspaceContents(t, db)) h[std::to_string(db) + "/" + k] = seconds(v);
        for (const auto& [k, v] : testing::DumpKeyspaceContents(*c, db)) {
          h["src" + std::to_string(db) + "/" + k] = seconds(v);
        }
      }
      t.Call({"SELECT", "0"});
      c->Call({"SELECT", "0"});
      held.push_back(h);
      (c == &r_ ? want : got).raw = replies;
    }
    EXPECT_EQ(got.raw, want.raw);
    EXPECT_EQ(held[1], held[0]);
  };
  run({{"MIGRATE", "127.0.0.1", port, "h", "0", "1000"}});
  run({{"MIGRATE", "127.0.0.1", port, "a", "0", "1000"}});  // BUSYKEY: stays here
  run({{"MIGRATE", "127.0.0.1", port, "a", "0", "1000", "REPLACE"}});
  run({{"MIGRATE", "127.0.0.1", port, "", "2", "1000", "COPY", "KEYS", "a", "h", "t", "l", "missing"}});
  run({{"MIGRATE", "127.0.0.1", port, "", "0", "1000", "REPLACE", "KEYS", "h", "t", "a"}});
  run({{"MIGRATE", "127.0.0.1", port, "missing", "0", "1000"}});
  run({{"MIGRATE", "127.0.0.1", port, "a", "0", "1000", "KEYS", "h"}});
  run({{"MIGRATE", "127.0.0.1", port, "a", "0", "1000", "AUTH"}});
  run({{"MIGRATE", "127.0.0.1", port, "a", "0", "1000", "AUTH", "pw"}});
  run({{"MIGRATE", "127.0.0.1", port, "a", "0", "1000", "AUTH2", "user"}});
  run({{"MIGRATE", "127.0.0.1", port, "a", "0", "1000", "BOGUS"}});
  run({{"MIGRATE", "127.0.0.1", port, "a", "x", "1000"}});
  run({{"MIGRATE", "127.0.0.1", port, "a", "0", "y"}});
  run({{"MIGRATE", "127.0.0.1", port, "a", "99", "1000"}});
  run({{"MIGRATE", "127.0.0.1", std::to_string(testing::FreePort()), "a", "0", "500"}});
}

TEST_F(RdbMigrate, ItsKeysAreFoundAsRedisFindsThem) {
  Compare({{"COMMAND", "GETKEYS", "MIGRATE", "h", "1", "", "0", "10", "KEYS", "a", "b"},
           {"COMMAND", "GETKEYS", "MIGRATE", "h", "1", "k", "0", "10"},
           {"COMMAND", "GETKEYS", "MIGRATE", "h", "1", "", "0", "10", "AUTH2", "u", "p", "KEYS", "x"},
           {"COMMAND", "GETKEYSANDFLAGS", "MIGRATE", "h", "1", "k", "0", "10", "COPY"},
           {"COMMAND", "GETKEYS", "DUMP", "d"},
           {"COMMAND", "GETKEYS", "RESTORE", "r", "0", "p"}});
}

}  // namespace
}  // namespace minired
