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

TEST_F(CommandTable, EveryCommandDescribesItselfAsRedisDoes) {
  std::vector<std::string> ours = Names(m_.Call({"COMMAND", "LIST"}));
  ASSERT_GT(ours.size(), 200u);
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
    // name, arity, flags, first key, last key, step, ACL categories. Tips, key specs and
    // the list of subcommands (minired lacks some, such as CLIENT TRACKING) are not
    // compared here.
    for (size_t i = 0; i < 7; ++i) {
      EXPECT_EQ(g.elems[i].DebugString(), w.elems[i].DebugString()) << name << " field " << i;
    }
    ++compared;
  }
  EXPECT_EQ(compared + kNewerThanRedis70.size(), ours.size());
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

// Each container's unknown subcommand and wrong arity are refused before the handler
// runs, with Redis's texts, and inside MULTI they fail the transaction.
TEST_F(CommandTable, SubcommandsAreCheckedByTheDispatcher) {
  Compare({{"CLIENT"}, {"CLIENT", "NOSUCH"}, {"client", "kill"}, {"CONFIG", "GET"}, {"config", "nosuch", "x"},
           {"COMMAND", "COUNT", "x"}, {"OBJECT", "ENCODING"}, {"MEMORY", "USAGE"}, {"SLOWLOG", "LEN", "x"},
           {"LATENCY", "GRAPH"}, {"ACL", "WHOAMI", "x"}, {"PUBSUB", "NUMPAT", "x"}, {"PUBSUB"},
           {"MULTI"}, {"CLIENT", "NOSUCH"}, {"SET", "a", "1"}, {"EXEC"}, {"GET", "a"},
           {"MULTI"}, {"CONFIG", "GET"}, {"EXEC"},
           {"CONFIG", "GET", "maxmemory-policy"}});
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
