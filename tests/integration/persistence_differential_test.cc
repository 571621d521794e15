// Differential tests for the changes persistence counts between saves (Redis's `dirty`:
// INFO's rdb_changes_since_last_save, which the save rules compare against): each
// command must move the count as much as it moves redis-server's.
#include "tests/integration/differential.h"

namespace minired {
namespace {

class ChangeCounts : public Differential {
 protected:
  void SetUp() override {
    Differential::SetUp();
    // No save rule may reset minired's count mid-test (redis-server runs with save "").
    ASSERT_EQ(m_.Call({"CONFIG", "SET", "save", ""}).raw, "+OK\r\n");
  }
  void TearDown() override { m_.Call({"CONFIG", "SET", "save", "3600 1 300 100 60 10000"}); }

  static int64_t Changes(RespClient& c) { return testing::InfoField(c, "persistence", "rdb_changes_since_last_save"); }

  // Runs each command on both servers and compares its reply and how much it moved the
  // count. `unordered` replies (random pops) are compared by the count alone.
  void CompareCounts(const Script& script, bool unordered = false) {
    for (const auto& cmd : script) {
      int64_t r0 = Changes(r_), m0 = Changes(m_);
      Reply want = r_.Call(cmd);
      Reply got = m_.Call(cmd);
      std::string shown;
      for (const auto& a : cmd) shown += a + " ";
      if (!unordered) {
        EXPECT_EQ(got.raw, want.raw) << "command: " << shown;
      }
      EXPECT_EQ(Changes(m_) - m0, Changes(r_) - r0) << "changes counted by: " << shown;
    }
  }
};

TEST_F(ChangeCounts, StringsAndKeysCountEveryKeyTheyChange) {
  CompareCounts({{"SET", "a", "1"}, {"SET", "a", "1", "NX"}, {"MSET", "a", "1", "b", "2", "c", "3"},
                 {"MSETNX", "x", "1", "y", "2"}, {"MSETNX", "x", "1", "z", "2"}, {"INCR", "n"},
                 {"INCRBY", "n", "0"}, {"INCRBYFLOAT", "f", "1.5"}, {"APPEND", "a", "x"}, {"APPEND", "a", ""},
                 {"SETRANGE", "a", "0", ""}, {"SETRANGE", "a", "0", "z"}, {"GETSET", "a", "q"}, {"GETDEL", "a"},
                 {"GETDEL", "a"}, {"GETEX", "b", "PX", "100000"}, {"GETEX", "b", "PERSIST"},
                 {"GETEX", "b", "PERSIST"}, {"GETEX", "c"}, {"SET", "past", "1", "EXAT", "1"}, {"GET", "past"},
                 {"SET", "c", "1", "PXAT", "1", "GET"}, {"DEL", "b", "c", "nokey"}, {"DEL", "nokey"},
                 {"UNLINK", "x", "y", "n"}, {"SET", "e", "1"}, {"EXPIRE", "e", "100"}, {"EXPIRE", "e", "50", "GT"},
                 {"EXPIRE", "nokey", "100"}, {"PERSIST", "e"}, {"PERSIST", "e"}, {"EXPIRE", "e", "-5"},
                 {"SET", "r", "1"}, {"RENAME", "r", "r"}, {"RENAME", "r", "r2"}, {"RENAMENX", "r2", "f"},
                 {"COPY", "r2", "r3"}, {"MOVE", "r3", "1"}, {"SWAPDB", "0", "1"}, {"SWAPDB", "0", "1"},
                 {"SETBIT", "bits", "7", "1"}, {"SETBIT", "bits", "7", "1"}, {"SETBIT", "bits", "30", "0"},
                 {"BITOP", "OR", "bd", "bits"}, {"BITOP", "OR", "bd", "nokey"}, {"BITOP", "OR", "bd", "nokey"},
                 {"FLUSHDB"}, {"FLUSHDB"}, {"SET", "k", "1"}, {"FLUSHALL"}, {"FLUSHALL"}});
}

TEST_F(ChangeCounts, HyperLogLogGeoSortAndBitFieldCountAsRedis) {
  std::vector<std::string> many = {"PFADD", "big"};
  for (int i = 0; i < 3000; ++i) many.push_back("e" + std::to_string(i));
  CompareCounts(Lines({"PFADD h a b c", "PFADD h a", "PFADD h", "PFADD new", "PFCOUNT h", "PFCOUNT h", "PFCOUNT h new",
                       "PFMERGE m h new", "PFMERGE m", "PFDEBUG ENCODING m", "PFDEBUG TODENSE m", "PFDEBUG TODENSE m",
                       "PFADD s x", "PFDEBUG GETREG s", "GEOADD g 13.3 38.1 a 15.0 37.5 b", "GEOADD g 13.3 38.1 a",
                       "GEOADD g CH 13.4 38.1 a", "GEOADD g XX 1 1 c", "GEOSEARCHSTORE d g FROMLONLAT 15 37 BYRADIUS 300 km",
                       "GEOSEARCHSTORE d g FROMLONLAT 15 37 BYRADIUS 1 m", "GEOSEARCHSTORE d g FROMLONLAT 15 37 BYRADIUS 1 m",
                       "GEORADIUS g 15 37 300 km STORE d", "RPUSH l 3 1 2", "SORT l STORE sl", "SORT l STORE sl",
                       "SORT nokey STORE sl", "SORT nokey STORE sl", "BITFIELD bf SET u8 0 0", "BITFIELD bf SET u8 0 0",
                       "BITFIELD bf SET u8 0 1 GET u8 0 SET u4 0 0", "BITFIELD bf SET u8 100 0",
                       "BITFIELD bf OVERFLOW FAIL INCRBY u2 0 10", "BITFIELD_RO bf GET u8 0"}));
  CompareCounts({many, {"PFCOUNT", "big"}, {"PFADD", "big", "zzz-new-1", "zzz-new-2"}});
}

TEST_F(ChangeCounts, CollectionsCountEveryElementTheyChange) {
  CompareCounts({{"HSET", "h", "f1", "1", "f2", "2", "f3", "3"}, {"HSET", "h", "f1", "1"},
                 {"HMSET", "h", "f1", "1", "f9", "9"}, {"HSETNX", "h", "f1", "2"}, {"HDEL", "h", "f1", "f2", "no"},
                 {"HINCRBY", "h", "n", "1"}, {"HINCRBYFLOAT", "h", "g", "0"}, {"RPUSH", "l", "a", "b", "c", "d", "e"},
                 {"LPOP", "l"}, {"LPOP", "l", "2"}, {"LPOP", "l", "0"}, {"LREM", "l", "0", "nothing"},
                 {"RPUSH", "l", "x", "x", "x", "y"}, {"LREM", "l", "0", "x"}, {"LTRIM", "l", "0", "-1"},
                 {"RPUSH", "l", "1", "2", "3", "4", "5", "6"}, {"LTRIM", "l", "1", "2"}, {"LSET", "l", "0", "q"},
                 {"LINSERT", "l", "BEFORE", "q", "w"}, {"LMOVE", "l", "l2", "LEFT", "RIGHT"},
                 {"LPUSHX", "l", "a", "b"}, {"RPUSHX", "nol", "a"}, {"RPOP", "l", "5"}, {"RPOPLPUSH", "l2", "l3"},
                 {"SADD", "s", "a", "b", "c", "a"}, {"SADD", "s", "a"}, {"SREM", "s", "a", "zz"},
                 {"SADD", "t", "b"}, {"SMOVE", "s", "t", "b"}, {"SMOVE", "s", "t", "c"}, {"SMOVE", "t", "t", "c"},
                 {"SINTERSTORE", "d", "s", "t"}, {"SUNIONSTORE", "d", "s", "t"}, {"SDIFFSTORE", "d", "t", "s"},
                 {"ZADD", "z", "1", "a", "2", "b", "3", "c"}, {"ZADD", "z", "1", "a"}, {"ZADD", "z", "5", "a"},
                 {"ZADD", "z", "XX", "CH", "6", "a", "7", "b"}, {"ZADD", "z", "GT", "1", "a"},
                 {"ZADD", "z", "LT", "CH", "1", "a", "2", "n"}, {"ZADD", "z", "INCR", "0", "a"},
                 {"ZINCRBY", "z", "0", "a"}, {"ZINCRBY", "z", "1", "a"}, {"ZINCRBY", "z", "0", "new"},
                 {"ZREM", "z", "a", "nothere"}, {"ZADD", "z", "1", "x", "2", "y", "3", "w"},
                 {"ZREMRANGEBYSCORE", "z", "0", "2"}, {"ZREMRANGEBYRANK", "z", "0", "0"},
                 {"ZREMRANGEBYLEX", "z", "[zz", "+"}, {"ZPOPMIN", "z", "2"}, {"ZPOPMAX", "z"},
                 {"ZPOPMIN", "nozset", "5"}, {"ZADD", "z", "1", "q"}, {"ZRANGESTORE", "dz", "z", "0", "-1"},
                 {"ZUNIONSTORE", "zu", "1", "z"}, {"ZINTERSTORE", "zi", "2", "z", "nozset"},
                 {"RPUSH", "ml", "a", "b", "c"}, {"LMPOP", "2", "nol", "ml", "LEFT", "COUNT", "2"},
                 {"LMPOP", "1", "nol", "RIGHT"}, {"ZADD", "mz", "1", "a", "2", "b"}, {"ZMPOP", "1", "mz", "MAX", "COUNT", "5"},
                 {"RPUSH", "bl", "a", "b", "c", "d"}, {"BLPOP", "bl", "0"}, {"BLMPOP", "0", "1", "bl", "LEFT", "COUNT", "2"},
                 {"ZADD", "bz", "1", "a", "2", "b", "3", "c"}, {"BZPOPMIN", "bz", "0"},
                 {"BZMPOP", "0", "1", "bz", "MAX", "COUNT", "5"}});
  CompareCounts({{"SADD", "p", "1", "2", "3", "4", "5"}, {"SPOP", "p"}, {"SPOP", "p", "3"}, {"SPOP", "p", "0"}},
                /*unordered=*/true);
}

// EXEC counts what its commands changed, nothing of its own; a failed transaction
// changes nothing. (INFO would be queued inside MULTI: the count is read around each.)
TEST_F(ChangeCounts, TransactionsCountTheirCommands) {
  for (const Script& tx : {Script{{"MULTI"}, {"SET", "a", "1"}, {"HSET", "h", "a", "1", "b", "2"}, {"DEL", "no"}, {"EXEC"}},
                           Script{{"MULTI"}, {"SET", "a", "2"}, {"NOSUCHCOMMAND"}, {"EXEC"}},
                           Script{{"WATCH", "a"}, {"SET", "a", "3"}, {"MULTI"}, {"DEL", "a"}, {"EXEC"}}}) {
    int64_t r0 = Changes(r_), m0 = Changes(m_);
    Compare(tx);
    EXPECT_EQ(Changes(m_) - m0, Changes(r_) - r0) << "transaction starting with " << tx[0][0] << " " << tx[1][0];
  }
}

// An expired key deleted when looked up, or by the active expiry cycle, is no change,
// nor is a pop served to a client that was blocked on the key.
TEST_F(ChangeCounts, ExpiriesAndServedWaitersAreNoChanges) {
  CompareCounts({{"SET", "p", "1", "PX", "20"}});
  for (int i = 0; i < 50; ++i) CompareCounts({{"SET", "e" + std::to_string(i), "v", "PX", "20"}});
  usleep(300000);  // the active cycle reclaims most, lookups the rest
  CompareCounts({{"GET", "p"}, {"DBSIZE"}});
  RespClient rw, mw;
  ASSERT_TRUE(rw.Connect(redis_->port()));
  ASSERT_TRUE(mw.Connect(minired_->port()));
  ASSERT_TRUE(rw.Send({"BLPOP", "bl", "5"}));
  ASSERT_TRUE(mw.Send({"BLPOP", "bl", "5"}));
  usleep(100000);
  CompareCounts({{"RPUSH", "bl", "a", "b", "c"}});
  Reply want, got;
  ASSERT_TRUE(rw.Read(&want));
  ASSERT_TRUE(mw.Read(&got));
  EXPECT_EQ(got.raw, want.raw);
  CompareCounts({{"LLEN", "bl"}});
}

}  // namespace
}  // namespace minired
