#include <gtest/gtest.h>

#include <functional>
#include <set>
#include <string>
#include <vector>

#include "tests/testing/server_fixture.h"

namespace minired {
namespace {

class KeysFamily : public testing::ServerFixture {
 protected:
  // Runs SCAN with COUNT `count` from cursor 0 until it returns 0 (at most 10,000
  // calls), calling `between` after each call; returns every key seen, repeats included.
  std::vector<std::string> ScanAll(int count, const std::function<void()>& between = {}) {
    std::vector<std::string> seen;
    std::string cursor = "0";
    int calls = 0;
    do {
      RespValue v = Run({"SCAN", cursor, "COUNT", std::to_string(count)});
      cursor = v.elems[0].str;
      for (auto& e : v.elems[1].elems) seen.push_back(e.str);
      if (between) between();
    } while (cursor != "0" && ++calls < 10000);
    return seen;
  }
};

TEST_F(KeysFamily, DelExistsTouchType) {
  Str({"MSET", "a", "1", "b", "2"});
  EXPECT_EQ(Int({"EXISTS", "a", "a", "b", "c"}), 3);
  EXPECT_EQ(Int({"TOUCH", "a", "c"}), 1);
  EXPECT_EQ(Str({"TYPE", "a"}), "string");
  EXPECT_EQ(Str({"TYPE", "c"}), "none");
  EXPECT_EQ(Int({"DEL", "a", "b", "c"}), 2);
  EXPECT_EQ(Int({"UNLINK", "a"}), 0);
}

TEST_F(KeysFamily, RenameMovesValueAndTtl) {
  Str({"SET", "src", "v", "EX", "100"});
  EXPECT_EQ(Str({"RENAME", "src", "dst"}), "OK");
  EXPECT_EQ(Str({"GET", "dst"}), "v");
  EXPECT_EQ(Int({"TTL", "dst"}), 100);
  EXPECT_EQ(Int({"EXISTS", "src"}), 0);
  EXPECT_EQ(Err({"RENAME", "src", "x"}), "ERR no such key");
  EXPECT_EQ(Str({"RENAME", "dst", "dst"}), "OK");
  Str({"SET", "other", "o"});
  EXPECT_EQ(Int({"RENAMENX", "dst", "other"}), 0);
  EXPECT_EQ(Int({"RENAMENX", "dst", "fresh"}), 1);
}

TEST_F(KeysFamily, CopyAcrossDatabases) {
  Str({"SET", "k", "v"});
  EXPECT_EQ(Int({"COPY", "k", "k2"}), 1);
  EXPECT_EQ(Int({"COPY", "k", "k2"}), 0);
  EXPECT_EQ(Int({"COPY", "k", "k2", "REPLACE"}), 1);
  EXPECT_EQ(Err({"COPY", "k", "k"}), "ERR source and destination objects are the same");
  EXPECT_EQ(Int({"COPY", "k", "k", "DB", "3"}), 1);
  EXPECT_EQ(Err({"COPY", "k", "k", "DB", "99"}), "ERR DB index is out of range");
  EXPECT_EQ(Err({"COPY", "k", "k", "BOGUS"}), "ERR syntax error");
  Str({"SELECT", "3"});
  EXPECT_EQ(Str({"GET", "k"}), "v");
}

TEST_F(KeysFamily, KeysMatchesGlobs) {
  Str({"MSET", "user:1", "a", "user:2", "b", "item:1", "c"});
  RespValue v = Run({"KEYS", "user:*"});
  std::set<std::string> got;
  for (auto& e : v.elems) got.insert(e.str);
  EXPECT_EQ(got, (std::set<std::string>{"user:1", "user:2"}));
  EXPECT_EQ(Run({"KEYS", "*"}).elems.size(), 3u);
}

TEST_F(KeysFamily, ScanVisitsEveryKeyOnce) {
  for (int i = 0; i < 1000; ++i) Str({"SET", "k" + std::to_string(i), "v"});
  std::vector<std::string> seen = ScanAll(50);
  EXPECT_EQ(seen.size(), 1000u);
  EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()).size(), 1000u);
}

TEST_F(KeysFamily, ScanGuaranteeHoldsWhileTheKeyspaceGrows) {
  for (int i = 0; i < 500; ++i) Str({"SET", "old" + std::to_string(i), "v"});
  int added = 0;
  std::vector<std::string> scanned = ScanAll(10, [&] {
    for (int j = 0; j < 100 && added < 10000; ++j) Str({"SET", "new" + std::to_string(added++), "v"});
  });
  std::set<std::string> seen(scanned.begin(), scanned.end());
  EXPECT_EQ(added, 10000);  // the keyspace grew 20x during the scan
  for (int i = 0; i < 500; ++i) EXPECT_TRUE(seen.count("old" + std::to_string(i))) << i;
}

TEST_F(KeysFamily, ScanOptions) {
  Str({"MSET", "a1", "1", "a2", "2", "b1", "3"});
  RespValue v = Run({"SCAN", "0", "MATCH", "a*", "COUNT", "1000"});
  EXPECT_EQ(v.elems[0].str, "0");
  EXPECT_EQ(v.elems[1].elems.size(), 2u);
  v = Run({"SCAN", "0", "TYPE", "string", "COUNT", "1000"});
  EXPECT_EQ(v.elems[1].elems.size(), 3u);
  v = Run({"SCAN", "0", "TYPE", "hash", "COUNT", "1000"});
  EXPECT_EQ(v.elems[1].elems.size(), 0u);
  EXPECT_EQ(Err({"SCAN", "x"}), "ERR invalid cursor");
  EXPECT_EQ(Err({"SCAN", "0", "COUNT", "0"}), "ERR syntax error");
  EXPECT_EQ(Err({"SCAN", "0", "MATCH"}), "ERR syntax error");
  EXPECT_EQ(Err({"SCAN", "0", "FOO", "bar"}), "ERR syntax error");
}

TEST_F(KeysFamily, RandomKeyAndDatabases) {
  EXPECT_EQ(Str({"RANDOMKEY"}), "(nil)");
  Str({"SET", "only", "1"});
  EXPECT_EQ(Str({"RANDOMKEY"}), "only");
  EXPECT_EQ(Err({"SELECT", "16"}), "ERR DB index is out of range");
  EXPECT_EQ(Err({"SELECT", "x"}), "ERR value is not an integer or out of range");
  EXPECT_EQ(Str({"SELECT", "1"}), "OK");
  EXPECT_EQ(Int({"DBSIZE"}), 0);
  Str({"SET", "in1", "x"});
  EXPECT_EQ(Str({"SWAPDB", "0", "1"}), "OK");
  EXPECT_EQ(Str({"GET", "only"}), "1");
  EXPECT_EQ(Err({"SWAPDB", "a", "1"}), "ERR invalid first DB index");
  EXPECT_EQ(Err({"SWAPDB", "0", "99"}), "ERR DB index is out of range");
  EXPECT_EQ(Str({"FLUSHDB"}), "OK");
  EXPECT_EQ(Int({"DBSIZE"}), 0);
  Str({"SELECT", "0"});
  EXPECT_EQ(Int({"DBSIZE"}), 1);
  EXPECT_EQ(Str({"FLUSHALL", "ASYNC"}), "OK");
  EXPECT_EQ(Int({"DBSIZE"}), 0);
  EXPECT_EQ(Err({"FLUSHALL", "LATER"}), "ERR syntax error");
}

TEST_F(KeysFamily, ObjectSubcommands) {
  Str({"SET", "k", "v"});
  AdvanceMs(5000);
  EXPECT_EQ(Int({"OBJECT", "IDLETIME", "k"}), 5);
  Str({"GET", "k"});
  EXPECT_EQ(Int({"OBJECT", "IDLETIME", "k"}), 0);
  EXPECT_EQ(Err({"OBJECT", "ENCODING"}), "ERR wrong number of arguments for 'object|encoding' command");
  EXPECT_EQ(Err({"OBJECT", "NOPE", "k"}), "ERR unknown subcommand 'NOPE'. Try OBJECT HELP.");
  EXPECT_TRUE(Run({"OBJECT", "HELP"}).is_array());
}

TEST_F(KeysFamily, UnknownCommandAndArity) {
  EXPECT_EQ(Err({"NOPE", "a", "b"}), "ERR unknown command 'NOPE', with args beginning with: 'a' 'b' ");
  EXPECT_EQ(Err({"GET"}), "ERR wrong number of arguments for 'get' command");
  EXPECT_EQ(Err({"get", "a", "b"}), "ERR wrong number of arguments for 'get' command");
}

}  // namespace
}  // namespace minired
