// Encoding conversions of every collection type, both directions where Redis converts
// back, through the real command handlers (in-process).
#include <set>

#include "tests/testing/server_fixture.h"

namespace minired {
namespace {

class EncodingTest : public testing::ServerFixture {
 protected:
  std::string Encoding(const std::string& key) { return Str({"OBJECT", "ENCODING", key}); }
};

TEST_F(EncodingTest, HashGoesToHashtablePastEitherLimit) {
  config_.encoding.hash_max_listpack_entries = 3;
  for (int i = 0; i < 3; ++i) Run({"HSET", "h", "f" + std::to_string(i), "v"});
  EXPECT_EQ(Encoding("h"), "listpack");
  Run({"HSET", "h", "f3", "v"});
  EXPECT_EQ(Encoding("h"), "hashtable");
  EXPECT_EQ(Int({"HLEN", "h"}), 4);
  EXPECT_EQ(Str({"HGET", "h", "f0"}), "v");
  Run({"HSET", "long", "f", std::string(65, 'v')});
  EXPECT_EQ(Encoding("long"), "hashtable");
}

TEST_F(EncodingTest, SetLeavesIntsetForStringsOrSize) {
  config_.encoding.set_max_intset_entries = 2;
  Run({"SADD", "s", "1", "2"});
  EXPECT_EQ(Encoding("s"), "intset");
  Run({"SADD", "s", "3"});
  EXPECT_EQ(Encoding("s"), "hashtable");
  Run({"SADD", "t", "1"});
  Run({"SADD", "t", "x"});
  EXPECT_EQ(Encoding("t"), "hashtable");
  EXPECT_EQ(Int({"SISMEMBER", "t", "1"}), 1);
}

TEST_F(EncodingTest, ZsetGoesToSkiplistAndKeepsOrder) {
  config_.encoding.zset_max_listpack_entries = 2;
  Run({"ZADD", "z", "2", "b", "1", "a"});
  EXPECT_EQ(Encoding("z"), "listpack");
  Run({"ZADD", "z", "3", "c"});
  EXPECT_EQ(Encoding("z"), "skiplist");
  RespValue r = Run({"ZRANGE", "z", "0", "-1"});
  ASSERT_EQ(r.elems.size(), 3u);
  EXPECT_EQ(r.elems[0].str, "a");
  EXPECT_EQ(r.elems[2].str, "c");
}

TEST_F(EncodingTest, ListConvertsBothWaysWithHysteresis) {
  config_.encoding.list_max_listpack_size = 4;
  Run({"RPUSH", "l", "1", "2", "3", "4"});
  EXPECT_EQ(Encoding("l"), "listpack");
  Run({"RPUSH", "l", "5"});
  EXPECT_EQ(Encoding("l"), "quicklist");
  Run({"RPOP", "l"});
  Run({"RPOP", "l"});
  EXPECT_EQ(Encoding("l"), "quicklist");  // 3 > 4/2: stays
  Run({"RPOP", "l"});
  EXPECT_EQ(Encoding("l"), "listpack");  // back at half the limit
  RespValue r = Run({"LRANGE", "l", "0", "-1"});
  ASSERT_EQ(r.elems.size(), 2u);
  EXPECT_EQ(r.elems[1].str, "2");
}

TEST_F(EncodingTest, EmptiedCollectionsDeleteTheirKey) {
  Run({"HSET", "h", "f", "v"});
  Run({"HDEL", "h", "f"});
  Run({"SADD", "s", "x"});
  Run({"SREM", "s", "x"});
  Run({"ZADD", "z", "1", "m"});
  Run({"ZPOPMIN", "z"});
  Run({"RPUSH", "l", "x"});
  Run({"LPOP", "l"});
  EXPECT_EQ(Int({"DBSIZE"}), 0);
}

TEST_F(EncodingTest, ExpiryAndRenameKeepCollectionsIntact) {
  config_.encoding.set_max_intset_entries = 1;
  Run({"SADD", "s", "a", "b", "c"});  // hashtable object
  Run({"EXPIRE", "s", "100"});
  Run({"RENAME", "s", "t"});
  EXPECT_EQ(Int({"SCARD", "t"}), 3);
  EXPECT_GT(Int({"TTL", "t"}), 0);
  Run({"COPY", "t", "u"});
  Run({"SREM", "t", "a"});
  EXPECT_EQ(Int({"SCARD", "u"}), 3);
  clock_.AdvanceMs(200000);
  EXPECT_EQ(Int({"EXISTS", "t"}), 0);
}

}  // namespace
}  // namespace minired

namespace minired {
namespace {

// HSCAN/SSCAN/ZSCAN over full encodings: a cursor walk returns every element once.
TEST_F(EncodingTest, ScanCursorsVisitEveryElementOnce) {
  for (int i = 0; i < 1000; ++i) {
    std::string m = "m" + std::to_string(i);
    Run({"HSET", "h", m, "v"});
    Run({"SADD", "s", m});
    Run({"ZADD", "z", std::to_string(i), m});
  }
  for (const char* cmd : {"HSCAN", "SSCAN", "ZSCAN"}) {
    std::string key = cmd[0] == 'H' ? "h" : cmd[0] == 'S' ? "s" : "z";
    size_t step = cmd[0] == 'S' ? 1 : 2;
    std::set<std::string> seen;
    std::string cursor = "0";
    int calls = 0;
    do {
      RespValue r = Run({cmd, key, cursor, "COUNT", "10"});
      cursor = r.elems[0].str;
      for (size_t i = 0; i < r.elems[1].elems.size(); i += step) {
        EXPECT_TRUE(seen.insert(r.elems[1].elems[i].str).second) << cmd;
      }
      ++calls;
    } while (cursor != "0");
    EXPECT_EQ(seen.size(), 1000u) << cmd;
    EXPECT_GT(calls, 10) << cmd;
  }
}

}  // namespace
}  // namespace minired
