// Differential tests for transactions, pub/sub and blocking lists: the same command
// sequences against redis-server and minired, replies compared byte for byte.
#include <chrono>
#include <memory>

#include "tests/integration/differential.h"

namespace minired {
namespace {

using Messaging = Differential;

TEST_F(Messaging, MultiExecAndErrors) {
  Compare({{"EXEC"}, {"DISCARD"}, {"MULTI"}, {"MULTI"}, {"SET", "a", "1"}, {"INCR", "a"}, {"LPUSH", "a", "x"},
           {"GET", "a"}, {"EXEC"}, {"MULTI"}, {"SET", "a", "2"}, {"DISCARD"}, {"GET", "a"}, {"MULTI"},
           {"SET", "a", "3"}, {"NOSUCHCOMMAND", "x"}, {"GET"}, {"EXEC"}, {"GET", "a"}, {"MULTI"}, {"WATCH", "a"},
           {"EXEC"}, {"MULTI"}, {"EXEC"}, {"MULTI"}, {"SELECT", "1"}, {"SET", "b", "in1"}, {"EXEC"}, {"GET", "b"},
           {"SELECT", "0"}, {"GET", "b"}, {"MULTI"}, {"BLPOP", "nolist", "0"}, {"BLMOVE", "nolist", "x", "LEFT", "LEFT", "0"},
           {"EXEC"}, {"UNWATCH"}, {"WATCH"}});
}

// Commands flagged no_multi (SHUTDOWN, SAVE, SYNC, PSYNC) are refused while queuing and
// fail the transaction; EXEC then answers EXECABORT and runs nothing, so a SHUTDOWN
// queued in MULTI never stops the server.
TEST_F(Messaging, NoMultiCommandsAreRefusedWhileQueuing) {
  ForBothProtocols([&] {
    for (const char* cmd : {"SHUTDOWN", "SAVE", "SYNC"}) {
      Compare({{"MULTI"}, {"SET", "k", cmd}, {cmd}, {"EXEC"}, {"GET", "k"}});
    }
    Compare({{"MULTI"}, {"PSYNC", "?", "-1"}, {"SHUTDOWN", "NOSAVE"}, {"EXEC"}, {"PING"},
             {"MULTI"}, {"MULTI"}, {"WATCH", "k"}, {"SET", "k", "1"}, {"EXEC"}, {"GET", "k"},
             {"MULTI"}, {"WATCH"}, {"EXEC"}});
  });
}

// Queue-time errors (unknown command, arity, unknown subcommand) abort the transaction;
// errors at run time are answered inside EXEC's reply and the others still run.
TEST_F(Messaging, QueueTimeAndRunTimeErrorsInTransactions) {
  ForBothProtocols([&] {
    Compare({{"MULTI"}, {"CONFIG", "SET", "maxmemory", "bla"}, {"SET", "a", "1"}, {"EXEC"}, {"GET", "a"},
             {"MULTI"}, {"SET", "a", "1"}, {"NOSUCH"}, {"EXEC"}, {"GET", "a"},
             {"MULTI"}, {"SET", "a"}, {"EXEC"},
             {"MULTI"}, {"OBJECT", "NOSUCH", "a"}, {"EXEC"},
             {"SET", "s", "x"}, {"MULTI"}, {"INCR", "s"}, {"LPUSH", "s", "x"}, {"SET", "b", "2"}, {"EXEC"},
             {"GET", "b"}, {"DISCARD"}, {"EXEC"}});
  });
}

// FLUSHALL by the very client that watches several keys aborts its transaction and
// leaves the connection working.
TEST_F(Messaging, FlushallByTheWatchingClientKeepsTheConnection) {
  ForBothProtocols([&] {
    Compare({{"SET", "a", "1"}, {"SET", "b", "2"}, {"SET", "c", "3"}, {"WATCH", "a", "b", "c", "nokey"},
             {"FLUSHALL"}, {"MULTI"}, {"SET", "a", "9"}, {"EXEC"}, {"GET", "a"},
             {"WATCH", "a", "b"}, {"FLUSHALL"}, {"FLUSHALL"}, {"UNWATCH"}, {"PING"}, {"DBSIZE"}});
  });
}

TEST_F(Messaging, WatchAbortsOnModification) {
  RespClient r2, m2;
  ASSERT_TRUE(r2.Connect(redis_->port()));
  ASSERT_TRUE(m2.Connect(minired_->port()));
  auto other = [&](const std::vector<std::string>& cmd) {
    EXPECT_EQ(m2.Call(cmd).raw, r2.Call(cmd).raw);
  };
  // Modified by another client: EXEC returns a null array.
  Compare({{"SET", "k", "1"}, {"WATCH", "k"}, {"MULTI"}, {"INCR", "k"}});
  other({"SET", "k", "5"});
  Compare({{"EXEC"}, {"GET", "k"}});
  // Another key, a failed write (NX) and a read do not abort.
  Compare({{"WATCH", "k"}, {"MULTI"}, {"INCR", "k"}});
  other({"SET", "other", "1"});
  other({"SET", "k", "9", "NX"});
  other({"GET", "k"});
  Compare({{"EXEC"}});
  // Deleted, expired, flushed: all abort.
  Compare({{"WATCH", "k"}, {"MULTI"}, {"INCR", "k"}});
  other({"DEL", "k"});
  Compare({{"EXEC"}, {"SET", "k", "1"}, {"PEXPIRE", "k", "50"}, {"WATCH", "k"}, {"MULTI"}, {"INCR", "k"}});
  usleep(100000);
  Compare({{"EXEC"}, {"SET", "k", "1"}, {"WATCH", "k"}, {"MULTI"}, {"INCR", "k"}});
  other({"FLUSHALL"});
  Compare({{"EXEC"}, {"WATCH", "nokey"}, {"MULTI"}, {"SET", "x", "1"}});
  other({"FLUSHALL"});
  Compare({{"EXEC"}, {"SET", "h", "1"}, {"WATCH", "h"}, {"UNWATCH"}, {"MULTI"}, {"INCR", "h"}});
  other({"SET", "h", "7"});
  Compare({{"EXEC"}, {"HSET", "hh", "f", "1"}, {"WATCH", "hh"}, {"MULTI"}, {"HGET", "hh", "f"}});
  other({"HINCRBY", "hh", "f", "1"});
  Compare({{"EXEC"}, {"SELECT", "0"}, {"SET", "s", "1"}, {"WATCH", "s"}, {"MULTI"}, {"GET", "s"}});
  other({"SWAPDB", "0", "1"});
  Compare({{"EXEC"}});
}

// Which writes of another client abort a WATCH: random commands on keys of every type,
// many of them writes that change nothing (an existing member added, a missing field
// deleted, SET NX on a key that exists) or reads that touch the key's bookkeeping
// (PFCOUNT refreshing its cached count). Redis signals some of those and not others;
// every EXEC's reply (null when aborted) is compared.
TEST_F(Messaging, WatchAbortsOnTheWritesRedisCounts) {
  RespClient r2, m2;
  ASSERT_TRUE(r2.Connect(redis_->port()));
  ASSERT_TRUE(m2.Connect(minired_->port()));
  RandomArgs rng(3308);
  const std::vector<std::vector<std::string>> setup = {
      {"FLUSHALL"}, {"SET", "str", "5"}, {"SADD", "set", "a", "b"}, {"HSET", "hash", "f", "1"},
      {"ZADD", "zset", "1", "a"}, {"RPUSH", "list", "a", "b"}, {"PFADD", "hll", "a", "b"}};
  const std::vector<std::vector<std::string>> writes = {
      {"SET", "str", "5"}, {"SET", "str", "6", "NX"}, {"SET", "str", "7", "XX"}, {"DEL", "nokey"},
      {"DEL", "str"}, {"EXPIRE", "str", "100"}, {"EXPIRE", "nokey", "100"}, {"PERSIST", "str"},
      {"INCRBY", "str", "0"}, {"APPEND", "str", ""}, {"SETRANGE", "str", "0", ""}, {"GETDEL", "nokey"},
      {"SADD", "set", "a"}, {"SADD", "set", "c"}, {"SREM", "set", "zz"}, {"SMOVE", "set", "set", "a"},
      {"HSET", "hash", "f", "1"}, {"HSETNX", "hash", "f", "2"}, {"HDEL", "hash", "zz"}, {"HINCRBY", "hash", "f", "0"},
      {"ZADD", "zset", "1", "a"}, {"ZADD", "zset", "XX", "2", "zz"}, {"ZINCRBY", "zset", "0", "a"},
      {"ZREM", "zset", "zz"}, {"LPUSHX", "nokey", "a"}, {"LTRIM", "list", "0", "-1"}, {"LSET", "list", "0", "a"},
      {"LREM", "list", "0", "zz"}, {"RPOPLPUSH", "nokey", "list"}, {"LMOVE", "list", "list", "LEFT", "RIGHT"},
      {"PFADD", "hll", "a"}, {"PFADD", "hll", "c"}, {"PFCOUNT", "hll"}, {"PFMERGE", "hll", "hll"},
      {"RENAME", "str", "str"}, {"COPY", "set", "str", "REPLACE"}, {"TOUCH", "str"}, {"GET", "str"},
      {"SORT", "list", "ALPHA", "STORE", "str"}, {"SINTERSTORE", "set", "set"}, {"SUNIONSTORE", "zz", "nokey"},
      {"EXPIRE", "str", "0"}, {"FLUSHDB"}, {"SWAPDB", "1", "2"}, {"BITOP", "AND", "str", "nokey"},
      {"SETBIT", "str", "0", "0"}, {"TYPE", "str"}};
  for (int round = 0; round < 400; ++round) {
    if (round % 25 == 0) Compare(setup);
    const std::vector<std::string>& w = writes[rng() % writes.size()];
    const std::string watched =
        std::vector<std::string>{"str", "set", "hash", "zset", "list", "hll", "nokey", "zz"}[rng() % 8];
    Compare({{"WATCH", watched}, {"MULTI"}, {"SET", "marker", rng.Num(0, 99)}});
    EXPECT_EQ(m2.Call(w).raw, r2.Call(w).raw) << w[0];
    Compare({{"EXEC"}});
    if (HasFailure()) {
      ADD_FAILURE() << "watching " << watched << " while the other client ran " << w[0] << " " << (w.size() > 1 ? w[1] : "");
      break;
    }
  }
}

TEST_F(Messaging, PubSubRepliesAndMessages) {
  CompareReplies({"SUBSCRIBE", "a", "b", "a"}, 3);
  Compare({{"PSUBSCRIBE", "n*"}, {"PING"}, {"PING", "x"}, {"GET", "k"},
           {"UNSUBSCRIBE", "zz"}, {"UNSUBSCRIBE", "b"}, {"PUNSUBSCRIBE"}, {"PUNSUBSCRIBE"}, {"UNSUBSCRIBE"},
           {"UNSUBSCRIBE"}, {"GET", "k"}});
  RespClient rp, mp;
  ASSERT_TRUE(rp.Connect(redis_->port()));
  ASSERT_TRUE(mp.Connect(minired_->port()));
  Compare({{"SUBSCRIBE", "news"}, {"PSUBSCRIBE", "ne*"}});
  EXPECT_EQ(mp.Call({"PUBLISH", "news", "hello"}).raw, rp.Call({"PUBLISH", "news", "hello"}).raw);
  EXPECT_EQ(mp.Call({"PUBLISH", "nobody", "x"}).raw, rp.Call({"PUBLISH", "nobody", "x"}).raw);
  EXPECT_EQ(mp.Call({"PUBSUB", "NUMSUB", "news", "x"}).raw, rp.Call({"PUBSUB", "NUMSUB", "news", "x"}).raw);
  EXPECT_EQ(mp.Call({"PUBSUB", "NUMPAT"}).raw, rp.Call({"PUBSUB", "NUMPAT"}).raw);
  EXPECT_EQ(mp.Call({"PUBSUB", "CHANNELS"}).raw, rp.Call({"PUBSUB", "CHANNELS"}).raw);
  EXPECT_EQ(mp.Call({"PUBSUB", "CHANNELS", "x*"}).raw, rp.Call({"PUBSUB", "CHANNELS", "x*"}).raw);
  EXPECT_EQ(mp.Call({"PUBSUB", "FOO"}).raw, rp.Call({"PUBSUB", "FOO"}).raw);
  for (int i = 0; i < 2; ++i) {  // the channel message, then the pattern message
    testing::Reply want, got;
    ASSERT_TRUE(r_.Read(&want));
    ASSERT_TRUE(m_.Read(&got));
    EXPECT_EQ(got.raw, want.raw);
  }
  Compare({{"RESET"}, {"GET", "k"}});
}

TEST_F(Messaging, PubSubResp3Pushes) {
  r_.Call({"HELLO", "3"});
  m_.Call({"HELLO", "3"});
  Compare({{"SUBSCRIBE", "c"}, {"GET", "k"}, {"PING"}});
  RespClient rp, mp;
  ASSERT_TRUE(rp.Connect(redis_->port()));
  ASSERT_TRUE(mp.Connect(minired_->port()));
  EXPECT_EQ(mp.Call({"PUBLISH", "c", "m"}).raw, rp.Call({"PUBLISH", "c", "m"}).raw);
  testing::Reply want, got;
  ASSERT_TRUE(r_.Read(&want));
  ASSERT_TRUE(m_.Read(&got));
  EXPECT_EQ(got.raw, want.raw);
  Compare({{"UNSUBSCRIBE", "c"}});
}

TEST_F(Messaging, BlockingCommandsArgumentsAndImmediateReplies) {
  Compare({{"RPUSH", "l", "a", "b"}, {"BLPOP", "nokey", "l", "0"}, {"BRPOP", "l", "1"}, {"BLPOP", "l", "x"},
           {"BLPOP", "l", "-1"}, {"BLPOP", "nokey", "0.01"}, {"SET", "str", "v"}, {"BLPOP", "str", "0"},
           {"BLPOP", "nokey", "str", "0"}, {"RPUSH", "l", "c"}, {"BLMOVE", "l", "d", "LEFT", "RIGHT", "0"},
           {"BLMOVE", "l", "d", "UP", "RIGHT", "0"}, {"BLMOVE", "nokey", "d", "LEFT", "RIGHT", "0.01"},
           {"BRPOPLPUSH", "d", "e", "0"}, {"LRANGE", "e", "0", "-1"}, {"BLMOVE", "e", "str", "LEFT", "LEFT", "0"},
           {"BLPOP", "l"}});
}

// A list that appears at a waited key by other means than a push (RENAME, COPY, MOVE,
// SWAPDB) serves the waiter, as Redis does; so does a push into another database's
// key only for that database's waiters.
// Timeouts below a millisecond and below any timer tick still time out: no earlier
// than asked, and well before "forever" (a generous bound: this is a shared machine).
// Each blocking command, RESP2 and RESP3, answers what redis-server answers.
TEST_F(Messaging, ShortBlockingTimeoutsExpireAsAsked) {
  const std::vector<std::vector<std::string>> commands = {
      {"BLPOP", "nokey"}, {"BRPOP", "nokey", "nokey2"}, {"BLMOVE", "nokey", "dst", "LEFT", "RIGHT"},
      {"BRPOPLPUSH", "nokey", "dst"}, {"BZPOPMIN", "nokey"}, {"BZPOPMAX", "nokey"}};
  for (int resp : {2, 3}) {
    r_.Call({"HELLO", std::to_string(resp)});  // replies differ by client id
    m_.Call({"HELLO", std::to_string(resp)});
    for (const char* timeout : {"0.0001", "0.001", "0.01", "0.1"}) {
      std::vector<std::vector<std::string>> all = commands;
      all.push_back({"BLMPOP", timeout, "1", "nokey", "LEFT"});
      all.push_back({"BZMPOP", timeout, "2", "nokey", "nokey2", "MIN", "COUNT", "2"});
      for (auto cmd : all) {
        if (cmd[0] != "BLMPOP" && cmd[0] != "BZMPOP") cmd.push_back(timeout);
        auto start = std::chrono::steady_clock::now();
        Reply got = m_.Call(cmd);
        auto took = std::chrono::steady_clock::now() - start;
        EXPECT_EQ(got.raw, r_.Call(cmd).raw) << cmd[0] << " " << timeout;
        EXPECT_GE(took, std::chrono::microseconds(static_cast<int64_t>(std::stod(timeout) * 1e6)))
            << cmd[0] << " " << timeout;
        EXPECT_LT(took, std::chrono::seconds(2)) << cmd[0] << " " << timeout;
      }
    }
  }
  // WAIT counts in milliseconds: with no replica it answers 0 once the time has passed.
  auto start = std::chrono::steady_clock::now();
  Compare({{"WAIT", "1", "20"}});
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(20));
}

TEST_F(Messaging, BadBlockingTimeoutsGetRedisErrors) {
  ForBothProtocols([&] {
    for (const char* bad : {"-1", "abc", "1e400", "inf", "-inf", "nan", "9300000000000000", "1e18", "", " 1", "1x"}) {
      Compare({{"BLPOP", "k", bad}, {"BZPOPMIN", "k", bad}, {"BLMOVE", "k", "d", "LEFT", "LEFT", bad},
               {"BLMPOP", bad, "1", "k", "LEFT"}, {"BZMPOP", bad, "1", "k", "MAX"}, {"WAIT", "0", bad}});
    }
    Compare({{"WAIT", "abc", "0"}, {"WAIT", "1", "1.5"}, {"WAIT", "0", "0"},
             {"BLMPOP", "1", "0", "k", "LEFT"}, {"BLMPOP", "abc", "1", "k", "NOWHERE"}});
  });
}

TEST_F(Messaging, ListsArrivingByRenameCopyMoveOrSwapdbServeWaiters) {
  RespClient rw, mw;
  ASSERT_TRUE(rw.Connect(redis_->port()));
  ASSERT_TRUE(mw.Connect(minired_->port()));
  auto wait_then = [&](const std::vector<std::string>& block, const Script& script) {
    ASSERT_TRUE(rw.Send(block));
    ASSERT_TRUE(mw.Send(block));
    usleep(100000);  // both waiters are blocked before the script runs
    Compare(script);
    testing::Reply want, got;
    ASSERT_TRUE(rw.Read(&want));
    ASSERT_TRUE(mw.Read(&got));
    EXPECT_EQ(got.raw, want.raw) << "waiter of " << block[1];
  };
  wait_then({"BLPOP", "renamed", "5"}, {{"RPUSH", "src", "a", "b"}, {"RENAME", "src", "renamed"}});
  wait_then({"BLPOP", "copied", "5"}, {{"COPY", "renamed", "copied"}, {"LRANGE", "copied", "0", "-1"}});
  EXPECT_EQ(mw.Call({"SELECT", "1"}).raw, rw.Call({"SELECT", "1"}).raw);
  wait_then({"BLPOP", "moved", "5"}, {{"RPUSH", "moved", "x"}, {"MOVE", "moved", "1"}, {"EXISTS", "moved"}});
  wait_then({"BRPOP", "swapped", "5"}, {{"RPUSH", "swapped", "y", "z"}, {"SWAPDB", "0", "1"},
                                        {"LRANGE", "swapped", "0", "-1"}, {"SWAPDB", "0", "1"}});
  Compare({{"SELECT", "1"}, {"DBSIZE"}, {"SELECT", "0"}, {"DBSIZE"}});
}

// Several waiters on a key that a list is moved into (RENAME, COPY, MOVE, SWAPDB): each
// gets the elements redis-server gives it, in the order they blocked.
TEST_F(Messaging, WaitersOnAMovedListAreServedInRedisOrder) {
  const std::vector<std::vector<std::string>> waiters = {
      {"BLPOP", "k", "1"}, {"BLMPOP", "1", "1", "k", "LEFT", "COUNT", "2"}, {"BRPOP", "k", "1"},
      {"BLMOVE", "k", "dst", "RIGHT", "LEFT", "1"}};  // a waiter left without elements times out
  const std::vector<Script> arrivals = {
      {{"RPUSH", "src", "a", "b", "c", "d", "e", "f"}, {"RENAME", "src", "k"}},
      {{"RPUSH", "src", "a", "b", "c"}, {"COPY", "src", "k"}},
      {{"SELECT", "1"}, {"RPUSH", "k", "a", "b", "c", "d", "e"}, {"MOVE", "k", "0"}, {"SELECT", "0"}},
      {{"SELECT", "1"}, {"RPUSH", "k", "a", "b", "c", "d", "e", "f", "g"}, {"SELECT", "0"}, {"SWAPDB", "0", "1"}}};
  for (const Script& arrival : arrivals) {
    Compare({{"FLUSHALL"}});
    std::vector<std::unique_ptr<RespClient>> rs, ms;
    for (const auto& w : waiters) {
      rs.push_back(std::make_unique<RespClient>());
      ms.push_back(std::make_unique<RespClient>());
      ASSERT_TRUE(rs.back()->Connect(redis_->port()));
      ASSERT_TRUE(ms.back()->Connect(minired_->port()));
      ASSERT_TRUE(rs.back()->Send(w));
      ASSERT_TRUE(ms.back()->Send(w));
      usleep(50000);  // blocked in this order on both servers
    }
    Compare(arrival);
    for (size_t i = 0; i < waiters.size(); ++i) {
      testing::Reply want, got;
      ASSERT_TRUE(rs[i]->Read(&want));
      ASSERT_TRUE(ms[i]->Read(&got));
      EXPECT_EQ(got.raw, want.raw) << waiters[i][0] << " after " << arrival.back()[0];
    }
    Compare({{"LRANGE", "k", "0", "-1"}, {"LRANGE", "dst", "0", "-1"}});
  }
}

TEST_F(Messaging, BlockingSortedSetAndMultiKeyPopsReplyAsRedis) {
  Compare({{"ZADD", "z", "1", "a", "2", "b", "3", "c"}, {"BZPOPMIN", "nokey", "z", "0"}, {"BZPOPMAX", "z", "1"},
           {"BZPOPMIN", "nokey", "0.01"}, {"BZPOPMIN", "z", "x"}, {"BZPOPMIN", "z", "-1"}, {"SET", "str", "v"},
           {"BZPOPMIN", "str", "0"}, {"BZPOPMIN", "nokey", "str", "0"}, {"BZPOPMIN", "z"},
           {"ZADD", "z", "1", "a", "2", "b"}, {"BZMPOP", "0", "2", "nokey", "z", "MIN", "COUNT", "5"},
           {"BZMPOP", "0.01", "1", "z", "MAX"}, {"BZMPOP", "x", "1", "z", "MAX"}, {"BZMPOP", "x", "0", "z", "MAX"},
           {"BZMPOP", "0", "1", "z", "UP"}, {"BZMPOP", "0", "1", "str", "MIN"}, {"BZMPOP", "0", "1", "z", "MIN", "COUNT", "0"},
           {"RPUSH", "l", "a", "b", "c"}, {"BLMPOP", "0", "2", "nokey", "l", "RIGHT", "COUNT", "2"},
           {"BLMPOP", "0", "1", "l", "LEFT"}, {"BLMPOP", "0.01", "1", "l", "LEFT"}, {"BLMPOP", "-1", "1", "l", "LEFT"},
           {"BLMPOP", "0", "1", "l", "FOO"}, {"BLMPOP", "0", "1", "str", "LEFT"}, {"BLMPOP", "0", "2", "l"},
           {"MULTI"}, {"BZPOPMIN", "nokey", "0"}, {"BLMPOP", "0", "1", "nokey", "LEFT"}, {"EXEC"}});
}

// Waiters on sorted sets are served by whatever puts members there; a waiter for a list
// on the same key is passed over, and served by the list that comes later.
TEST_F(Messaging, SortedSetWaitersAreServedInTurn) {
  RespClient rw, mw, rw2, mw2;
  ASSERT_TRUE(rw.Connect(redis_->port()) && mw.Connect(minired_->port()));
  ASSERT_TRUE(rw2.Connect(redis_->port()) && mw2.Connect(minired_->port()));
  auto block = [&](RespClient& r, RespClient& m, const std::vector<std::string>& cmd) {
    ASSERT_TRUE(r.Send(cmd));
    ASSERT_TRUE(m.Send(cmd));
    usleep(100000);
  };
  auto served = [&](RespClient& r, RespClient& m, const std::string& what) {
    testing::Reply want, got;
    ASSERT_TRUE(r.Read(&want));
    ASSERT_TRUE(m.Read(&got));
    EXPECT_EQ(got.raw, want.raw) << what;
  };
  block(rw, mw, {"BZPOPMIN", "z", "5"});
  Compare({{"ZADD", "z", "2", "b", "1", "a"}});
  served(rw, mw, "BZPOPMIN woken by ZADD");
  block(rw, mw, {"BZMPOP", "5", "1", "z2", "MAX", "COUNT", "2"});
  Compare({{"ZUNIONSTORE", "z2", "1", "z"}, {"ZADD", "z3", "5", "x"}});
  served(rw, mw, "BZMPOP woken by ZUNIONSTORE");
  block(rw, mw, {"BLPOP", "k", "5"});
  block(rw2, mw2, {"BZPOPMAX", "k", "5"});
  Compare({{"RENAME", "z3", "k"}});
  served(rw2, mw2, "BZPOPMAX served past a list waiter");
  Compare({{"RPUSH", "k", "l"}});
  served(rw, mw, "BLPOP served once a list came");
  block(rw, mw, {"BLMPOP", "5", "2", "m1", "m2", "RIGHT", "COUNT", "3"});
  Compare({{"RPUSH", "m2", "a", "b"}, {"EXISTS", "m2"}});
  served(rw, mw, "BLMPOP woken by RPUSH");
}

}  // namespace
}  // namespace minired
