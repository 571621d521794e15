// The command table against redis-server 7.0's: every command and subcommand minired
// has must describe itself as Redis does (arity, flags in Redis's order, key positions,
// ACL categories), since the flags drive behaviour (no_multi, loading, stale, noscript,
// admin) and clients read them; every command Redis has that minired lacks must answer
// an error at once, never hang or drop the connection.
#include <set>

#include "tests/integration/differential.h"

namespace minired {
namespace {

using CommandTable = Differential;

std::vector<std::string> Names(const Reply& r) {
  std::vector<std::string> out;
  for (const auto& e : r.value.elems) out.push_back(e.str);
  return out;
}

// Commands minired has on purpose that redis-server 7.0 lacks (7.2's CLIENT SETINFO,
// which client libraries send on connect).
const std::set<std::string> kNewerThanRedis70 = {"client|setinfo"};

// In RESP2 and RESP3 (where flags, categories, tips and key specs are sets and maps).
TEST_F(CommandTable, EveryCommandDescribesItselfAsRedisDoes) {
  std::vector<std::string> ours = Names(m_.Call({"COMMAND", "LIST"}));
  ASSERT_GT(ours.size(), 200u);
  for (const char* resp : {"2", "3"}) {
    r_.Call({"HELLO", resp});
    m_.Call({"HELLO", resp});
    size_t compared = 0;
    for (const std::string& name : ours) {
      if (kNewerThanRedis70.count(name)) continue;
      Reply want = r_.Call({"COMMAND", "INFO", name});
      Reply got = m_.Call({"COMMAND", "INFO", name});
      ASSERT_EQ(want.value.elems.size(), 1u) << name;
      ASSERT_EQ(got.value.elems.size(), 1u) << name;
      const RespValue& w = want.value.elems[0];
      const RespValue& g = got.value.elems[0];
      ASSERT_EQ(w.type, RespValue::Type::kArray) << name << " is not a redis-server 7.0 command";
      ASSERT_EQ(g.elems.size(), 10u) << name;
      // name, arity, flags, first key, last key, step, ACL categories, tips, key specs;
      // the subcommands of a container differ where minired lacks some (CLIENT
      // TRACKING), so only their type is compared.
      for (size_t i = 0; i < 9; ++i) {
        EXPECT_EQ(g.elems[i], w.elems[i]) << name << " field " << i << " (RESP" << resp << ")\n  minired: "
                                          << g.elems[i].DebugString() << "\n  redis:   " << w.elems[i].DebugString();
      }
      EXPECT_EQ(g.elems[9].type, w.elems[9].type) << name;
      if (name.find('|') != std::string::npos) {
        EXPECT_EQ(g.elems[9], w.elems[9]) << name;
      }
      ++compared;
    }
    EXPECT_EQ(compared + kNewerThanRedis70.size(), ours.size());
  }
  r_.Call({"HELLO", "2"});
  m_.Call({"HELLO", "2"});
}

// COMMAND GETKEYS / GETKEYSANDFLAGS find the keys Redis finds, through the key specs,
// for fixed, counted (numkeys) and stepped positions and subcommands, with Redis's
// errors; more than 256 keys are fine.
TEST_F(CommandTable, GetKeysFindsTheKeysRedisFinds) {
  ForBothProtocols([&] {
    Script calls = {
        {"GET", "a"}, {"SET", "a", "1"}, {"SET", "a", "1", "GET"}, {"SET", "a", "1", "get", "EX", "10"},
        {"MSET", "a", "1", "b", "2"}, {"MGET", "a", "b", "c"}, {"DEL", "a", "b"}, {"RENAME", "a", "b"},
        {"ZUNIONSTORE", "d", "2", "a", "b", "WEIGHTS", "1", "2"}, {"ZUNION", "3", "a", "b", "c"},
        {"LMPOP", "2", "a", "b", "LEFT"}, {"BLMPOP", "0", "2", "a", "b", "LEFT"}, {"BLPOP", "a", "b", "0"},
        {"SINTERCARD", "2", "a", "b", "LIMIT", "1"}, {"BITOP", "AND", "d", "a", "b"}, {"BLMOVE", "a", "b", "LEFT", "LEFT", "0"},
        {"MEMORY", "USAGE", "a"}, {"OBJECT", "ENCODING", "a"}, {"EXPIRE", "a", "10"}, {"COPY", "a", "b", "REPLACE"},
        {"WATCH", "a", "b"}, {"SMOVE", "a", "b", "m"}, {"GETEX", "a", "PERSIST"}, {"LMOVE", "a", "b", "LEFT", "RIGHT"},
        {"SORT", "a"}, {"SORT", "a", "BY", "w_*", "GET", "#", "STORE", "d", "LIMIT", "0", "1", "STORE", "e"},
        {"SORT_RO", "a", "GET", "x"}, {"GEORADIUS", "a", "1", "2", "3", "km", "STORE", "d", "STOREDIST", "e"},
        {"GEORADIUSBYMEMBER", "a", "m", "3", "km", "STOREDIST", "d"}, {"GEOSEARCHSTORE", "d", "a", "FROMMEMBER", "m"},
        {"LCS", "a", "b"}, {"PFMERGE", "d", "a", "b"}, {"PFCOUNT", "a", "b"}, {"PFDEBUG", "GETREG", "a"},
        {"BITFIELD", "a", "GET", "u8", "0"}, {"BITFIELD_RO", "a", "GET", "u8", "0"}};
    for (const auto& call : calls) {
      for (const char* sub : {"GETKEYS", "GETKEYSANDFLAGS"}) {
        std::vector<std::string> cmd = {"COMMAND", sub};
        cmd.insert(cmd.end(), call.begin(), call.end());
        Compare({cmd});
      }
    }
    Compare({{"COMMAND", "GETKEYS", "NOSUCH", "a"}, {"COMMAND", "GETKEYS", "PING", "x"}, {"COMMAND", "GETKEYS", "GET"},
             {"COMMAND", "GETKEYS", "GET", "a", "b"}, {"COMMAND", "GETKEYS", "ZUNIONSTORE", "d", "x", "a"},
             {"COMMAND", "GETKEYS", "ZUNIONSTORE", "d", "5", "a"}, {"COMMAND", "GETKEYS", "ZUNIONSTORE", "d", "0", "a"},
             {"COMMAND", "GETKEYS", "ZUNIONSTORE", "d", "-1", "a"}, {"COMMAND", "GETKEYS", "MSET", "a", "1", "b"},
             {"COMMAND", "GETKEYS", "CLIENT", "KILL", "x"}, {"COMMAND", "GETKEYS", "MEMORY", "NOSUCH", "a"},
             {"COMMAND", "GETKEYS"}, {"COMMAND", "GETKEYSANDFLAGS", "GET"}});
    std::vector<std::string> many = {"COMMAND", "GETKEYS", "MSET"}, counted = {"COMMAND", "GETKEYS", "ZUNION", "300"};
    for (int i = 0; i < 300; ++i) {
      many.push_back("key:" + std::to_string(i));
      many.push_back("v");
      counted.push_back("key:" + std::to_string(i));
    }
    Compare({many, counted});
    Reply keys = m_.Call(many);
    EXPECT_EQ(keys.value.elems.size(), 300u);
  });
}

TEST_F(CommandTable, CountListsTopLevelCommandsOnly) {
  std::vector<std::string> all = Names(m_.Call({"COMMAND", "LIST"}));
  size_t top = 0;
  for (const auto& n : all) top += n.find('|') == std::string::npos ? 1 : 0;
  EXPECT_EQ(m_.Call({"COMMAND", "COUNT"}).value.integer, static_cast<int64_t>(top));
  // Subcommands are found by their full names, and containers list theirs (two without
  // command tips, which minired does not report yet).
  Compare({{"COMMAND", "INFO", "config|get", "CLIENT|ID", "config|nosuch", "nosuch|get"}});
  Reply client = m_.Call({"COMMAND", "INFO", "client"});
  ASSERT_EQ(client.value.elems.size(), 1u);
  EXPECT_GT(client.value.elems[0].elems[9].elems.size(), 5u);
}

// COMMAND LIST FILTERBY lists what redis-server lists, less the commands minired does not
// have (Redis answers in its hash order: compared as sets).
TEST_F(CommandTable, ListFiltersAsRedis) {
  std::vector<std::string> all = Names(m_.Call({"COMMAND", "LIST"}));
  std::set<std::string> have(all.begin(), all.end());
  for (const std::vector<std::string>& filter : std::vector<std::vector<std::string>>{
           {"ACLCAT", "connection"}, {"ACLCAT", "admin"}, {"ACLCAT", "sortedset"}, {"ACLCAT", "blocking"},
           {"PATTERN", "client*"}, {"PATTERN", "z*store"}, {"PATTERN", "*|help"}, {"MODULE", "nosuch"}}) {
    std::vector<std::string> cmd = {"COMMAND", "LIST", "FILTERBY", filter[0], filter[1]};
    std::set<std::string> want, got;
    for (const auto& n : Names(r_.Call(cmd))) {
      if (have.count(n)) want.insert(n);
    }
    for (const auto& n : Names(m_.Call(cmd))) {
      if (!kNewerThanRedis70.count(n)) got.insert(n);
    }
    EXPECT_EQ(got, want) << filter[0] << " " << filter[1];
  }
  Compare({{"COMMAND", "LIST", "FILTERBY", "ACLCAT"}, {"COMMAND", "LIST", "FILTERBY", "NOSUCH", "x"},
           {"COMMAND", "LIST", "FILTERBY", "ACLCAT", "nosuch"}, {"COMMAND", "LIST", "x"}, {"COMMAND", "COUNT", "x"}});
}

// Each container's unknown subcommand and wrong arity are refused before the handler
// runs, with Redis's texts, and inside MULTI they fail the transaction.
TEST_F(CommandTable, SubcommandsAreCheckedByTheDispatcher) {
  ForBothProtocols([&] {
    Compare({{"CLIENT"}, {"CLIENT", "NOSUCH"}, {"client", "kill"}, {"CONFIG", "GET"}, {"config", "nosuch", "x"},
             {"COMMAND", "COUNT", "x"}, {"OBJECT", "ENCODING"}, {"MEMORY", "USAGE"}, {"SLOWLOG", "LEN", "x"},
             {"LATENCY", "GRAPH"}, {"ACL", "WHOAMI", "x"}, {"PUBSUB", "NUMPAT", "x"}, {"PUBSUB"},
             {"MULTI"}, {"CLIENT", "NOSUCH"}, {"SET", "a", "1"}, {"EXEC"}, {"GET", "a"},
             {"MULTI"}, {"CONFIG", "GET"}, {"EXEC"},
             {"CONFIG", "GET", "maxmemory-policy"}});
  });
}

// Every command of redis-server 7.0 that minired does not have yet: an immediate error
// naming it, and the connection keeps working.
TEST_F(CommandTable, CommandsMiniredLacksAnswerUnknownCommand) {
  std::vector<std::string> theirs = Names(r_.Call({"COMMAND", "LIST"}));
  ASSERT_GT(theirs.size(), 300u);
  std::vector<std::string> ours = Names(m_.Call({"COMMAND", "LIST"}));
  std::set<std::string> have(ours.begin(), ours.end());
  size_t lacking = 0;
  for (const std::string& name : theirs) {
    if (have.count(name)) continue;
    ++lacking;
    size_t bar = name.find('|');
    std::vector<std::string> cmd;
    if (bar == std::string::npos) {
      cmd = {name, "k", "v", "0"};
    } else {
      cmd = {name.substr(0, bar), name.substr(bar + 1), "k", "v", "0"};
    }
    Reply got = m_.Call(cmd);
    ASSERT_FALSE(got.raw.empty()) << name << ": no reply";
    EXPECT_EQ(got.value.type, RespValue::Type::kError) << name;
    if (bar == std::string::npos || !have.count(name.substr(0, bar))) {
      EXPECT_TRUE(got.value.str.starts_with("ERR unknown command '" + cmd[0] + "'")) << name << ": " << got.value.str;
    } else {
      EXPECT_TRUE(got.value.str.starts_with("ERR unknown subcommand '")) << name << ": " << got.value.str;
    }
    ASSERT_EQ(m_.Call({"PING"}).raw, "+PONG\r\n") << "after " << name;
  }
  EXPECT_GT(lacking, 0u);
}

}  // namespace
}  // namespace minired
