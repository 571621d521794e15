// SORT and SORT_RO against redis-server 7.0, byte for byte in RESP2 and RESP3: lists,
// sets and sorted sets, numeric and ALPHA order, LIMIT windows at every edge, BY
// patterns over strings and hash fields, BY nosort, GET (several, '#', missing keys),
// STORE (an empty result deletes the destination), and the errors.
#include <chrono>
#include <random>
#include <thread>
#include <string>

#include "tests/integration/differential.h"

namespace minired {
namespace {

using Sorts = Differential;

TEST_F(Sorts, SortEveryTypeWithEveryOption) {
  ForBothProtocols([&] {
    r_.Call({"FLUSHALL"});
    m_.Call({"FLUSHALL"});
    Compare(Lines({
       "RPUSH l 3 1 2 10 -5 1.5",
       "SORT l",
       "SORT l DESC",
       "SORT l LIMIT 1 2",
       "SORT l LIMIT -1 2",
       "SORT l LIMIT 10 2",
       "SORT l LIMIT 0 -1",
       "SORT l LIMIT 2 100",
       "SORT l ALPHA",
       "SORT l ALPHA DESC LIMIT 0 3",
       "MSET w_3 30 w_1 10 w_2 20 w_10 5 w_-5 0 w_1.5 15",
       "SORT l BY w_*",
       "SORT l BY w_* DESC GET #",
       "SORT l BY w_* GET w_* GET # GET nosuch_*",
       "SORT l BY nosort",
       "SORT l BY nosort DESC",
       "SORT l BY nosort LIMIT 1 2",
       "SORT l BY nosort DESC LIMIT 1 2",
       "HSET h_3 f c HSET h_1 f a",
       "HSET h_3 f c",
       "HSET h_1 f a",
       "HSET h_2 f b",
       "SORT l BY h_*->f ALPHA GET h_*->f GET #",
       "SORT l BY nosort GET h_*->f",
       "SORT l STORE dst",
       "LRANGE dst 0 -1",
       "SORT l BY w_* GET # GET w_* STORE dst",
       "LRANGE dst 0 -1",
       "SORT l BY w_* GET nosuch STORE dst",
       "LRANGE dst 0 -1",
       "SORT nokey STORE dst",
       "EXISTS dst",
       "RPUSH bad 1 x 3",
       "SORT bad",
       "SORT bad ALPHA",
       "SADD s 5 3 9 1",
       "SORT s",
       "SORT s DESC LIMIT 0 2",
       "SORT s BY nosort STORE dst2",
       "LRANGE dst2 0 -1",
       "SADD s2 b a c",
       "SORT s2 ALPHA",
       "SORT s2",
       "ZADD z 1 c 2 b 3 a",
       "SORT z ALPHA",
       "SORT z BY nosort",
       "SORT z BY nosort DESC",
       "SORT z BY nosort LIMIT 1 1",
       "SORT z BY nosort DESC LIMIT 1 5",
       "SET str x",
       "SORT str",
       "HSET hh a 1",
       "SORT hh",
       "SORT l LIMIT 1",
       "SORT l FOO",
       "SORT l STORE",
       "SORT_RO l STORE dst",
       "SORT_RO l DESC LIMIT 0 2",
       "SORT l LIMIT x 1",
       "SORT l BY w_* BY nosort",
       "SORT l BY nosort BY w_*",
       "SORT nokey",
       "SORT nokey BY w_* GET #",
       "RPUSH e1  1 0x10 inf -inf 1e2",
       "SORT e1",
       "RPUSH e2 nan",
       "SORT e2",
       "MULTI",
       "SORT l STORE dst3",
       "LRANGE dst3 0 -1",
       "EXEC"}));
    // Weights as strtod reads them: leading spaces, hex, infinities.
    Compare({{"RPUSH", "e1", " 1", "0x10", "inf", "-inf", "1e2"}, {"SORT", "e1"}, {"SORT", "e1", "DESC"}});
  });
}

// Random lists, weights and hash fields (some missing, some not numbers) sorted with
// random options: equal ALPHA BY values keep the list's order, as Redis's stable qsort,
// or, in a LIMIT window with BY, the order Redis's partial quicksort leaves them in
// (lists of up to 60, past its insertion sort and its median of medians). Sets and
// sorted sets are loaded in Redis's hash order, so their ties are not compared.
TEST_F(Sorts, RandomListsSortAsRedis) {
  std::mt19937 rng(7);
  auto pick = [&](std::initializer_list<const char*> from) { return std::string(*(from.begin() + rng() % from.size())); };
  for (int round = 0; round < 60; ++round) {
    Script s = {{"DEL", "l", "dst", "w_1", "w_2", "w_3", "w_10", "w_x", "h_1", "h_2", "h_x"}};
    std::vector<std::string> push = {"RPUSH", "l"};
    for (int i = 0, n = static_cast<int>(rng() % (round % 3 == 0 ? 60 : 12)); i < n; ++i) push.push_back(pick({"1", "2", "3", "10", "20", "-1", "2.5", "x", "y", "zz"}));
    if (push.size() > 2) s.push_back(push);
    for (const char* k : {"1", "2", "3", "10", "20", "-1", "x", "y"}) {
      if (rng() % 10 < 6) s.push_back({"SET", std::string("w_") + k, pick({"1", "2", "5", "5", "9", "-2", "q"})});
      if (rng() % 2) s.push_back({"HSET", std::string("h_") + k, "f", pick({"a", "b", "b", "c", "1", "2"})});
    }
    for (int j = 0; j < 10; ++j) {
      std::vector<std::string> cmd = {"SORT", "l"};
      bool store = false;
      if (rng() % 2) {
        const std::string pattern = pick({"w_*", "h_*->f", "nosort", "w_*->", "*"});
        cmd.insert(cmd.end(), {"BY", pattern});
      }
      if (rng() % 10 < 4) {
        const int span = round % 3 == 0 ? 50 : 7;
        cmd.insert(cmd.end(), {"LIMIT", std::to_string(static_cast<int>(rng() % span) - 1),
                               std::to_string(static_cast<int>(rng() % span) - 1)});
      }
      if (rng() % 2) cmd.insert(cmd.end(), {"GET", pick({"#", "w_*", "h_*->f", "nope"})});
      if (rng() % 10 < 3) cmd.insert(cmd.end(), {"GET", "#"});
      if (rng() % 2) cmd.push_back(pick({"ASC", "DESC"}));
      if (rng() % 2) {
        cmd.push_back("ALPHA");
      }
      if (rng() % 10 < 3) {
        cmd.insert(cmd.end(), {"STORE", "dst"});
        store = true;
      }
      s.push_back(cmd);
      if (store) s.push_back({"LRANGE", "dst", "0", "-1"});
    }
    Compare(s);
  }
}

// LIMIT windows of every start and count around the ends, sorted and unsorted.
TEST_F(Sorts, LimitWindowsAtEveryEdge) {
  Compare({{"RPUSH", "l", "5", "3", "8", "1", "9"}, {"ZADD", "z", "1", "a", "2", "b", "3", "c"}});
  Script s;
  for (const char* key : {"l", "z"}) {
    for (int start : {-2, 0, 1, 4, 5, 9}) {
      for (int count : {-2, -1, 0, 1, 3, 10}) {
        const std::string a = std::to_string(start), b = std::to_string(count);
        s.push_back({"SORT", key, "LIMIT", a, b, "ALPHA"});
        s.push_back({"SORT", key, "LIMIT", a, b, "ALPHA", "DESC"});
        s.push_back({"SORT", key, "BY", "nosort", "LIMIT", a, b});
        s.push_back({"SORT", key, "BY", "nosort", "LIMIT", a, b, "DESC"});
      }
    }
  }
  Compare(s);
}

// In a script a set left unsorted (BY nosort) comes out sorted as strings, as Redis
// makes it deterministic for replication; SORT_RO runs from read-only scripts.
TEST_F(Sorts, ScriptsSortUnsortedSetsAsStrings) {
  Compare({{"SADD", "s", "banana", "apple", "cherry", "10", "9"},
           {"EVAL", "return redis.call('sort', KEYS[1], 'BY', 'nosort')", "1", "s"},
           {"EVAL", "return redis.call('sort', KEYS[1], 'BY', 'nosort', 'DESC', 'LIMIT', '1', '2')", "1", "s"},
           {"EVAL_RO", "return redis.call('sort_ro', KEYS[1], 'ALPHA')", "1", "s"},
           {"EVAL", "return redis.call('sort', KEYS[1])", "1", "s"}});
  // A patterned SORT in a script reaches keys its declared keys do not cover: the
  // script runs holding every shard, and answers as Redis.
  Compare({{"RPUSH", "l", "3", "1", "2"}, {"MSET", "w_1", "30", "w_2", "20", "w_3", "10"},
           {"EVAL", "return redis.call('sort', KEYS[1], 'BY', 'w_*', 'GET', 'w_*')", "1", "l"},
           {"EVAL", "return redis.call('sort', KEYS[1], 'BY', 'w_*', 'STORE', KEYS[2])", "2", "l", "dst"},
           {"LRANGE", "dst", "0", "-1"}, {"EVAL_RO", "return redis.call('sort_ro', KEYS[1], 'BY', 'w_*', 'GET', '#')", "1", "l"}});
}

// SORT ... STORE and GEOSEARCHSTORE serve clients blocked on their destination (a
// BLPOP on the list SORT stores, a BZPOPMIN on the set GEOSEARCHSTORE stores).
TEST_F(Sorts, StoresWakeClientsBlockedOnTheDestination) {
  Compare({{"RPUSH", "l", "3", "1", "2"}, {"GEOADD", "g", "13.361389", "38.115556", "a", "15.087269", "37.502669", "b"}});
  const std::vector<std::vector<std::string>> waits = {{"BLPOP", "dst", "5"}, {"BZPOPMIN", "zdst", "5"}};
  const std::vector<std::vector<std::string>> stores = {
      {"SORT", "l", "STORE", "dst"}, {"GEOSEARCHSTORE", "zdst", "g", "FROMMEMBER", "a", "BYRADIUS", "500", "km"}};
  for (size_t i = 0; i < waits.size(); ++i) {
    RespClient r1, m1;
    ASSERT_TRUE(r1.Connect(redis_->port()));
    ASSERT_TRUE(m1.Connect(minired_->port()));
    r1.Send(waits[i]);
    m1.Send(waits[i]);
    std::this_thread::sleep_for(std::chrono::milliseconds(150));
    Compare({stores[i]});
    Reply want, got;
    ASSERT_TRUE(r1.Read(&want) && m1.Read(&got));
    EXPECT_EQ(got.raw, want.raw) << waits[i][0];
  }
  Compare({{"LRANGE", "dst", "0", "-1"}, {"ZRANGE", "zdst", "0", "-1", "WITHSCORES"}});
}

// A user who may not read every key cannot use patterns (they name keys the ACL rules
// would not see), with Redis's texts; STORE needs write access to the destination.
TEST_F(Sorts, PatternsNeedAccessToEveryKey) {
  Compare({{"RPUSH", "l", "2", "1"}, {"ACL", "SETUSER", "limited", "on", "nopass", "~l", "~d*", "+@all"},
           {"AUTH", "limited", "x"}, {"SORT", "l"}, {"SORT", "l", "BY", "w_*"}, {"SORT", "l", "GET", "#"},
           {"SORT", "l", "BY", "nosort"}, {"SORT", "l", "STORE", "other"}, {"SORT", "l", "STORE", "dst"},
           {"AUTH", "default", "x"}});
  r_.Call({"ACL", "DELUSER", "limited"});
  m_.Call({"ACL", "DELUSER", "limited"});
}

}  // namespace
}  // namespace minired
