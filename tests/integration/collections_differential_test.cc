// Differential tests for hashes, sets, sorted sets and lists: replies, errors and
// encodings compared with redis-server byte for byte (multisets where Redis leaves the
// order unspecified), in scripted cases; the random runs over the same types are in
// collections_random_differential_test.cc.
#include "tests/integration/differential.h"

namespace minired {
namespace {

using Collections = Differential;

TEST_F(Collections, HashCommands) {
  Compare({{"HSET", "h", "a", "1", "b", "2"}, {"HSET", "h", "a", "3", "c", "4"}, {"HGET", "h", "a"},
           {"HGET", "h", "zz"}, {"HGET", "nokey", "a"}, {"HMGET", "h", "a", "zz", "c"}, {"HMGET", "nokey", "a"},
           {"HGETALL", "h"}, {"HKEYS", "h"}, {"HVALS", "h"}, {"HLEN", "h"}, {"HLEN", "nokey"},
           {"HEXISTS", "h", "a"}, {"HEXISTS", "h", "zz"}, {"HSTRLEN", "h", "a"}, {"HSTRLEN", "h", "zz"},
           {"HSETNX", "h", "a", "9"}, {"HSETNX", "h", "d", "9"}, {"HMSET", "h", "e", "5"},
           {"HDEL", "h", "a", "zz", "b"}, {"HGETALL", "h"}, {"OBJECT", "ENCODING", "h"},
           {"HDEL", "h", "c", "d", "e"}, {"EXISTS", "h"}, {"HGETALL", "nokey"}, {"HDEL", "nokey", "a"}});
}

TEST_F(Collections, HashCountersAndErrors) {
  Compare({{"HINCRBY", "h", "n", "5"}, {"HINCRBY", "h", "n", "-7"}, {"HINCRBY", "h", "n", "x"},
           {"HINCRBY", "h", "n", "9223372036854775807"}, {"HSET", "h", "s", "abc"}, {"HINCRBY", "h", "s", "1"},
           {"HINCRBYFLOAT", "h", "f", "1.5"}, {"HINCRBYFLOAT", "h", "f", "0.1"}, {"HINCRBYFLOAT", "h", "s", "1"},
           {"HINCRBYFLOAT", "h", "f", "inf"}, {"HINCRBYFLOAT", "h", "f", "x"}, {"HINCRBYFLOAT", "h", "n", "1e3"},
           {"HSET", "h", "a"}, {"HSET", "h"}, {"HMSET", "h", "a", "1", "b"}, {"HGET", "h"},
           {"SET", "str", "v"}, {"HSET", "str", "a", "1"}, {"HGET", "str", "a"}, {"HGETALL", "str"},
           {"HLEN", "str"}, {"HDEL", "str", "a"}, {"HINCRBY", "str", "a", "1"}, {"HRANDFIELD", "str"},
           {"HSCAN", "str", "0"}, {"HRANDFIELD", "h", "1", "foo"}, {"HRANDFIELD", "h", "x"},
           {"HRANDFIELD", "nokey"}, {"HRANDFIELD", "nokey", "3"}, {"HRANDFIELD", "h", "0"},
           {"HSCAN", "h", "x"}, {"HSCAN", "nokey", "0"}, {"HSCAN", "h", "0", "COUNT", "0"},
           {"HSCAN", "h", "0", "MATCH"}, {"HSCAN", "h", "0", "TYPE", "string"}});
}

TEST_F(Collections, HashEncodingConversion) {
  Script s = {{"CONFIG", "SET", "hash-max-listpack-entries", "4"}, {"CONFIG", "SET", "hash-max-listpack-value", "8"}};
  for (int i = 0; i < 4; ++i) s.push_back({"HSET", "h", "f" + std::to_string(i), "v"});
  s.push_back({"OBJECT", "ENCODING", "h"});
  s.push_back({"HSET", "h", "f4", "v"});
  s.push_back({"OBJECT", "ENCODING", "h"});
  s.push_back({"HSET", "long", "f", "123456789"});
  s.push_back({"OBJECT", "ENCODING", "long"});
  s.push_back({"HSET", "short", "f", "12345678"});
  s.push_back({"OBJECT", "ENCODING", "short"});
  s.push_back({"CONFIG", "SET", "hash-max-listpack-entries", "128"});
  s.push_back({"CONFIG", "SET", "hash-max-listpack-value", "64"});
  Compare(s);
  CompareUnordered({"HGETALL", "h"});
  CompareUnordered({"HKEYS", "h"});
  Compare({{"HLEN", "h"}, {"HGET", "h", "f3"}, {"HDEL", "h", "f0"}, {"HINCRBY", "h", "c", "2"}});
  Compare({{"HSCAN", "short", "0"}, {"HSCAN", "short", "0", "MATCH", "f*"}});
}

TEST_F(Collections, SetCommands) {
  Compare({{"SADD", "s", "3", "1", "2", "2"}, {"SMEMBERS", "s"}, {"OBJECT", "ENCODING", "s"},
           {"SISMEMBER", "s", "1"}, {"SISMEMBER", "s", "9"}, {"SMISMEMBER", "s", "1", "9", "2"},
           {"SCARD", "s"}, {"SCARD", "nokey"}, {"SREM", "s", "1", "9"}, {"SMEMBERS", "s"},
           {"SADD", "s", "-5", "100000000000"}, {"SMEMBERS", "s"}, {"SADD", "s", "a"},
           {"OBJECT", "ENCODING", "s"}, {"SREM", "s", "a", "2", "3", "-5", "100000000000"}, {"EXISTS", "s"},
           {"SMEMBERS", "nokey"}, {"SPOP", "nokey"}, {"SPOP", "nokey", "2"}, {"SRANDMEMBER", "nokey"},
           {"SRANDMEMBER", "nokey", "2"}, {"SADD", "one", "x"}, {"SPOP", "one"}, {"EXISTS", "one"},
           {"SADD", "one", "x"}, {"SRANDMEMBER", "one"}, {"SRANDMEMBER", "one", "-3"}, {"SPOP", "one", "0"},
           {"SPOP", "one", "-1"}, {"SPOP", "one", "x"}, {"SRANDMEMBER", "one", "x"}, {"SPOP", "one", "1", "2"},
           {"SPOP", "one", "5"}, {"EXISTS", "one"}});
  Compare({{"SADD", "a", "1", "2", "3", "x"}, {"SADD", "b", "2", "3", "4"}, {"SADD", "c", "3", "x"},
           {"SET", "str", "v"}, {"SINTERCARD", "2", "a", "b"}, {"SINTERCARD", "3", "a", "b", "c", "LIMIT", "1"},
           {"SINTERCARD", "0", "a"}, {"SINTERCARD", "3", "a"}, {"SINTERCARD", "1", "a", "LIMIT", "-1"},
           {"SINTERCARD", "1", "a", "FOO"}, {"SINTERCARD", "2", "a", "nokey"}, {"SINTER", "a", "str"},
           {"SINTER", "nokey", "str"}, {"SINTERSTORE", "d", "a", "b"}, {"SMEMBERS", "d"},
           {"SUNIONSTORE", "d", "b", "c"}, {"SCARD", "d"}, {"SDIFFSTORE", "d", "a", "b"}, {"SCARD", "d"},
           {"SINTERSTORE", "d", "a", "nokey"}, {"EXISTS", "d"}, {"SET", "d", "str"}, {"SUNIONSTORE", "d", "b"},
           {"TYPE", "d"}, {"SMOVE", "a", "b", "1"}, {"SMOVE", "a", "b", "nope"}, {"SMOVE", "nokey", "b", "1"},
           {"SMOVE", "a", "str", "2"}, {"SMOVE", "str", "a", "2"}, {"SMOVE", "b", "b", "1"}, {"SMEMBERS", "b"}});
  CompareUnordered({"SINTER", "a", "b"});
  CompareUnordered({"SUNION", "a", "b", "c", "nokey"});
  CompareUnordered({"SDIFF", "a", "b", "nokey"});
  CompareUnordered({"SDIFF", "nokey", "a"});
  CompareUnordered({"SMEMBERS", "a"});
}

TEST_F(Collections, SetEncodingConversionAndScan) {
  Script s = {{"CONFIG", "SET", "set-max-intset-entries", "3"}, {"SADD", "s", "1", "2", "3"},
              {"OBJECT", "ENCODING", "s"}, {"SADD", "s", "4"}, {"OBJECT", "ENCODING", "s"},
              {"CONFIG", "SET", "set-max-intset-entries", "512"}, {"SSCAN", "nokey", "0"},
              {"SADD", "i", "5", "1", "3"}, {"SSCAN", "i", "0"}, {"SSCAN", "i", "0", "MATCH", "1*"},
              {"SSCAN", "i", "abc"}, {"SSCAN", "i", "0", "COUNT", "0"}};
  Compare(s);
  CompareUnordered({"SMEMBERS", "s"});
}

TEST_F(Collections, SortedSetAddAndScores) {
  Compare({{"ZADD", "z", "1", "a", "2", "b", "3", "c"}, {"ZADD", "z", "NX", "5", "a", "4", "d"},
           {"ZADD", "z", "XX", "CH", "10", "a", "7", "e"}, {"ZADD", "z", "GT", "CH", "1", "a", "20", "b"},
           {"ZADD", "z", "LT", "CH", "0", "a"}, {"ZADD", "z", "INCR", "5", "c"}, {"ZADD", "z", "NX", "INCR", "5", "c"},
           {"ZADD", "z", "XX", "INCR", "1", "nope"}, {"ZADD", "nokey", "XX", "1", "a"}, {"EXISTS", "nokey"},
           {"ZRANGE", "z", "0", "-1", "WITHSCORES"}, {"ZSCORE", "z", "c"}, {"ZSCORE", "z", "nope"},
           {"ZMSCORE", "z", "a", "nope", "b"}, {"ZMSCORE", "nokey", "a"}, {"ZCARD", "z"}, {"ZCARD", "nokey"},
           {"ZRANK", "z", "a"}, {"ZREVRANK", "z", "a"}, {"ZRANK", "z", "nope"}, {"ZINCRBY", "z", "2.5", "a"},
           {"ZINCRBY", "z", "1", "new"}, {"ZINCRBY", "z", "x", "a"}, {"ZADD", "z", "0.1", "f", "-inf", "g", "+inf", "h"},
           {"ZRANGE", "z", "0", "-1", "WITHSCORES"}, {"ZINCRBY", "z", "-inf", "h"}, {"ZADD", "z", "INCR", "-inf", "h"},
           {"ZREM", "z", "a", "nope", "b"}, {"ZREM", "nokey", "a"}, {"OBJECT", "ENCODING", "z"}});
  Compare({{"ZADD", "z"}, {"ZADD", "z", "1"}, {"ZADD", "z", "x", "a"}, {"ZADD", "z", "1", "a", "2"},
           {"ZADD", "z", "NX", "XX", "1", "a"}, {"ZADD", "z", "NX", "GT", "1", "a"}, {"ZADD", "z", "GT", "LT", "1", "a"},
           {"ZADD", "z", "INCR", "1", "a", "2", "b"}, {"ZADD", "z", "nan", "a"}, {"SET", "str", "v"},
           {"ZADD", "str", "1", "a"}, {"ZSCORE", "str", "a"}, {"ZRANGE", "str", "0", "-1"}, {"ZCARD", "str"}});
}

TEST_F(Collections, SortedSetRanges) {
  Script setup = {{"ZADD", "z", "1", "a", "2", "b", "2", "bb", "3", "c", "4", "d", "5", "e"},
                  {"ZADD", "lex", "0", "a", "0", "b", "0", "c", "0", "d", "0", "e"}};
  Compare(setup);
  Compare({{"ZRANGE", "z", "0", "2"}, {"ZRANGE", "z", "-2", "-1", "WITHSCORES"}, {"ZRANGE", "z", "5", "1"},
           {"ZRANGE", "z", "0", "100"}, {"ZRANGE", "z", "-100", "1"}, {"ZRANGE", "z", "0", "1", "REV"},
           {"ZREVRANGE", "z", "0", "2", "WITHSCORES"}, {"ZRANGE", "z", "2", "4", "BYSCORE"},
           {"ZRANGE", "z", "(2", "4", "BYSCORE", "WITHSCORES"}, {"ZRANGE", "z", "2", "(4", "BYSCORE"},
           {"ZRANGE", "z", "-inf", "+inf", "BYSCORE", "LIMIT", "1", "2"}, {"ZRANGE", "z", "4", "2", "BYSCORE", "REV"},
           {"ZRANGE", "z", "+inf", "-inf", "BYSCORE", "REV", "LIMIT", "1", "3", "WITHSCORES"},
           {"ZRANGE", "z", "-inf", "+inf", "BYSCORE", "LIMIT", "-1", "2"}, {"ZRANGE", "z", "-inf", "+inf", "BYSCORE", "LIMIT", "2", "-1"},
           {"ZRANGE", "z", "-inf", "+inf", "BYSCORE", "LIMIT", "10", "1"}, {"ZRANGE", "z", "(3", "(3", "BYSCORE"},
           {"ZRANGEBYSCORE", "z", "2", "3"}, {"ZRANGEBYSCORE", "z", "2", "3", "WITHSCORES", "LIMIT", "1", "1"},
           {"ZREVRANGEBYSCORE", "z", "3", "2"}, {"ZREVRANGEBYSCORE", "z", "(5", "-inf", "LIMIT", "0", "2"},
           {"ZRANGE", "lex", "[b", "(d", "BYLEX"}, {"ZRANGE", "lex", "-", "+", "BYLEX", "LIMIT", "1", "2"},
           {"ZRANGE", "lex", "+", "-", "BYLEX", "REV"}, {"ZRANGE", "lex", "(c", "+", "BYLEX"},
           {"ZRANGEBYLEX", "lex", "[aa", "[c"}, {"ZREVRANGEBYLEX", "lex", "[d", "-", "LIMIT", "1", "1"},
           {"ZRANGE", "lex", "+", "[c", "BYLEX"}, {"ZCOUNT", "z", "2", "4"}, {"ZCOUNT", "z", "(2", "+inf"},
           {"ZCOUNT", "z", "5", "1"}, {"ZCOUNT", "nokey", "0", "1"}, {"ZLEXCOUNT", "lex", "-", "+"},
           {"ZLEXCOUNT", "lex", "[b", "(e"}, {"ZRANGE", "nokey", "0", "-1"}});
  Compare({{"ZRANGE", "z", "a", "1"}, {"ZRANGE", "z", "0", "1", "LIMIT", "0", "1"},
           {"ZRANGE", "z", "a", "b", "BYLEX", "WITHSCORES"}, {"ZRANGE", "z", "x", "1", "BYSCORE"},
           {"ZRANGE", "z", "a", "b", "BYLEX"}, {"ZRANGE", "z", "0", "1", "BYSCORE", "BYLEX"},
           {"ZRANGE", "z", "0", "1", "FOO"}, {"ZRANGEBYSCORE", "z", "0", "1", "BYSCORE"},
           {"ZRANGEBYSCORE", "z", "0", "1", "LIMIT", "0"}, {"ZRANGE", "nokey", "x", "1"},
           {"ZRANGE", "z", "0", "1", "BYSCORE", "LIMIT", "x", "1"}, {"ZCOUNT", "z", "x", "1"},
           {"ZLEXCOUNT", "lex", "a", "b"}, {"ZREVRANGE", "z", "0", "1", "LIMIT", "0", "1"}});
}

TEST_F(Collections, SortedSetStoreRemoveAndPop) {
  Compare({{"ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e"}, {"ZADD", "y", "10", "b", "20", "x"},
           {"SADD", "s", "a", "x", "q"}, {"ZRANGESTORE", "dst", "z", "1", "3"}, {"ZRANGE", "dst", "0", "-1", "WITHSCORES"},
           {"ZRANGESTORE", "dst", "z", "(1", "4", "BYSCORE", "LIMIT", "1", "5"}, {"ZRANGE", "dst", "0", "-1"},
           {"ZRANGESTORE", "dst", "nokey", "0", "-1"}, {"EXISTS", "dst"}, {"ZRANGESTORE", "dst", "z", "0", "1", "WITHSCORES"},
           {"ZUNIONSTORE", "u", "2", "z", "y"}, {"ZRANGE", "u", "0", "-1", "WITHSCORES"},
           {"ZUNIONSTORE", "u", "3", "z", "y", "s", "WEIGHTS", "1", "2", "3", "AGGREGATE", "MAX"},
           {"ZRANGE", "u", "0", "-1", "WITHSCORES"}, {"ZINTERSTORE", "i", "2", "z", "y"},
           {"ZRANGE", "i", "0", "-1", "WITHSCORES"}, {"ZINTERSTORE", "i", "2", "z", "s", "AGGREGATE", "MIN"},
           {"ZRANGE", "i", "0", "-1", "WITHSCORES"}, {"ZINTERSTORE", "i", "2", "z", "nokey"}, {"EXISTS", "i"},
           {"ZUNIONSTORE", "u", "0", "z"}, {"ZUNIONSTORE", "u", "3", "z"}, {"ZUNIONSTORE", "u", "1", "z", "WEIGHTS", "x"},
           {"ZUNIONSTORE", "u", "1", "z", "AGGREGATE", "AVG"}, {"SET", "str", "v"}, {"ZUNIONSTORE", "u", "2", "z", "str"},
           {"ZREMRANGEBYRANK", "z", "0", "0"}, {"ZREMRANGEBYSCORE", "z", "(4", "+inf"}, {"ZRANGE", "z", "0", "-1"},
           {"ZREMRANGEBYSCORE", "z", "x", "1"}, {"ZREMRANGEBYRANK", "z", "a", "1"}, {"ZREMRANGEBYRANK", "nokey", "0", "1"},
           {"ZADD", "lex", "0", "a", "0", "b", "0", "c"}, {"ZREMRANGEBYLEX", "lex", "[a", "(c"}, {"ZRANGE", "lex", "0", "-1"},
           {"ZPOPMIN", "z"}, {"ZPOPMAX", "z", "5"}, {"EXISTS", "z"}, {"ZPOPMIN", "nokey"}, {"ZPOPMIN", "u", "-1"},
           {"ZPOPMIN", "u", "0"}, {"ZPOPMAX", "u", "x"}, {"ZPOPMIN", "u", "1", "2"}});
}

TEST_F(Collections, SortedSetEncodingAndScan) {
  Script s = {{"CONFIG", "SET", "zset-max-listpack-entries", "3"}};
  s.push_back({"ZADD", "z", "1", "a", "2", "b", "3", "c"});
  s.push_back({"OBJECT", "ENCODING", "z"});
  s.push_back({"ZADD", "z", "4", "d"});
  s.push_back({"OBJECT", "ENCODING", "z"});
  s.push_back({"ZADD", "long", "1", std::string(65, 'm')});
  s.push_back({"OBJECT", "ENCODING", "long"});
  s.push_back({"CONFIG", "SET", "zset-max-listpack-entries", "128"});
  for (int i = 0; i < 200; ++i) s.push_back({"ZADD", "big", std::to_string(i % 17), "m" + std::to_string(i)});
  Compare(s);
  Compare({{"ZRANGE", "big", "10", "20", "WITHSCORES"}, {"ZRANGE", "big", "3", "(5", "BYSCORE", "LIMIT", "2", "7"},
           {"ZREVRANGE", "big", "0", "5"}, {"ZRANK", "big", "m77"}, {"ZREVRANK", "big", "m77"}, {"ZCOUNT", "big", "(3", "9"},
           {"ZREMRANGEBYRANK", "big", "50", "60"}, {"ZRANGE", "big", "45", "55"}, {"ZREMRANGEBYSCORE", "big", "10", "12"},
           {"ZCARD", "big"}, {"ZPOPMAX", "big", "3"}, {"ZADD", "small", "2", "x", "1", "y"}, {"ZSCAN", "small", "0"},
           {"ZSCAN", "small", "0", "MATCH", "x"}, {"ZSCAN", "nokey", "0"}});
}

TEST_F(Collections, ListCommands) {
  Compare({{"RPUSH", "l", "a", "b", "c"}, {"LPUSH", "l", "x", "y"}, {"LRANGE", "l", "0", "-1"},
           {"LRANGE", "l", "-2", "100"}, {"LRANGE", "l", "3", "1"}, {"LLEN", "l"}, {"LLEN", "nokey"},
           {"LINDEX", "l", "0"}, {"LINDEX", "l", "-1"}, {"LINDEX", "l", "9"}, {"LSET", "l", "1", "Y"},
           {"LSET", "l", "9", "z"}, {"LSET", "nokey", "0", "z"}, {"LINSERT", "l", "BEFORE", "a", "pre"},
           {"LINSERT", "l", "AFTER", "c", "post"}, {"LINSERT", "l", "AFTER", "nope", "z"}, {"LINSERT", "nokey", "AFTER", "a", "z"},
           {"LINSERT", "l", "MIDDLE", "a", "z"}, {"LRANGE", "l", "0", "-1"}, {"LPUSHX", "nokey", "a"}, {"RPUSHX", "l", "a", "a"},
           {"LREM", "l", "1", "a"}, {"RPUSH", "l", "a", "b", "a"}, {"LREM", "l", "-2", "a"}, {"LREM", "l", "0", "b"},
           {"LRANGE", "l", "0", "-1"}, {"LTRIM", "l", "1", "-2"}, {"LRANGE", "l", "0", "-1"}, {"LTRIM", "l", "5", "1"},
           {"EXISTS", "l"}, {"LPOP", "nokey"}, {"LPOP", "nokey", "2"}, {"RPUSH", "l", "1", "2", "3"}, {"LPOP", "l"},
           {"RPOP", "l", "5"}, {"EXISTS", "l"}, {"RPUSH", "l", "1"}, {"LPOP", "l", "0"}, {"LPOP", "l", "-1"},
           {"LPOP", "l", "1", "2"}, {"SET", "str", "v"}, {"LPUSH", "str", "a"}, {"LRANGE", "str", "0", "1"},
           {"LPOP", "str"}, {"LLEN", "str"}, {"LRANGE", "l", "a", "1"}, {"LINDEX", "l", "x"}});
}

// A list is a listpack up to list-max-listpack-size (elements, or with -1..-5 bytes
// as Redis estimates them) and a quicklist past it, however many elements one push
// adds; it goes back at half the limit. Redis 7.2's rule: 7.0 answers "quicklist" for
// every list, so the encodings are minired's alone, the replies compared with Redis.
TEST_F(Collections, ListEncodingFollowsTheListpackLimit) {
  auto encoding = [&](const char* key) { return m_.Call({"OBJECT", "ENCODING", key}).value.str; };
  Compare({{"CONFIG", "SET", "list-max-listpack-size", "5"}, {"RPUSH", "l", "a", "b", "c", "d", "e"}});
  EXPECT_EQ(encoding("l"), "listpack");
  Compare({{"LPUSH", "l", "x"}});
  EXPECT_EQ(encoding("l"), "quicklist");
  Compare({{"RPOP", "l", "3"}});
  EXPECT_EQ(encoding("l"), "quicklist");  // 3 elements: above half the limit
  Compare({{"RPOP", "l"}, {"LRANGE", "l", "0", "-1"}});
  EXPECT_EQ(encoding("l"), "listpack");
  Compare({{"LPUSH", "m", "a", "b", "c"}, {"LPUSH", "m", "d", "e", "f"}, {"LRANGE", "m", "0", "-1"}});
  EXPECT_EQ(encoding("m"), "quicklist");  // one push took it past the limit
  Compare({{"RPUSH", "n", "1", "2"}, {"RPUSHX", "n", "3", "4", "5"}, {"LRANGE", "n", "0", "-1"}});
  EXPECT_EQ(encoding("n"), "listpack");
  Compare({{"LPUSHX", "n", "0"}, {"LRANGE", "n", "0", "-1"}, {"LINDEX", "n", "-1"}, {"LPOS", "n", "3"}});
  EXPECT_EQ(encoding("n"), "quicklist");

  // 4 KB: four elements of 1,000 bytes are 4,009 by Redis's estimate, a fifth is over.
  const std::string k(1000, 'k');
  Compare({{"CONFIG", "SET", "list-max-listpack-size", "-1"}, {"RPUSH", "big", k, k, k, k}});
  EXPECT_EQ(encoding("big"), "listpack");
  Compare({{"RPUSH", "big", "k"}});  // 4,012
  EXPECT_EQ(encoding("big"), "listpack");
  Compare({{"RPUSH", "big", k}});
  EXPECT_EQ(encoding("big"), "quicklist");
  Compare({{"LPOP", "big", "2"}});
  EXPECT_EQ(encoding("big"), "quicklist");  // 3,010 bytes: above half the limit
  Compare({{"LPOP", "big"}, {"LLEN", "big"}});
  EXPECT_EQ(encoding("big"), "listpack");  // 2,008
  Compare({{"CONFIG", "SET", "list-max-listpack-size", "-2"}});
}

// LREM on a list past the listpack limit (a quicklist in minired: 600 elements > 128),
// with every kind of count: the survivors keep their order and the right matches go.
TEST_F(Collections, ListRemoveFromABigList) {
  std::vector<std::vector<std::string>> s;
  s.push_back({"CONFIG", "SET", "list-max-listpack-size", "128"});
  for (int i = 0; i < 600; ++i) s.push_back({"RPUSH", "big", i % 3 == 0 ? "a" : "e" + std::to_string(i)});
  Compare(s);
  Compare({{"LREM", "big", "5", "a"}, {"LREM", "big", "-7", "a"}, {"LLEN", "big"},
           {"LRANGE", "big", "0", "20"}, {"LRANGE", "big", "-20", "-1"}, {"LREM", "big", "-1000", "a"},
           {"LREM", "big", "1", "e598"}, {"LREM", "big", "-1", "e1"}, {"LREM", "big", "0", "a"}, {"LLEN", "big"},
           {"LRANGE", "big", "0", "-1"}, {"LREM", "big", "0", "nothing"}});
}

TEST_F(Collections, ListPosAndMove) {
  Compare({{"RPUSH", "l", "a", "b", "c", "b", "a", "b"}, {"LPOS", "l", "b"}, {"LPOS", "l", "b", "RANK", "2"},
           {"LPOS", "l", "b", "RANK", "-1"}, {"LPOS", "l", "b", "COUNT", "0"}, {"LPOS", "l", "b", "COUNT", "2", "RANK", "-1"},
           {"LPOS", "l", "b", "MAXLEN", "2", "COUNT", "0"}, {"LPOS", "l", "z"}, {"LPOS", "l", "z", "COUNT", "1"},
           {"LPOS", "nokey", "a"}, {"LPOS", "nokey", "a", "COUNT", "0"}, {"LPOS", "l", "b", "RANK", "0"},
           {"LPOS", "l", "b", "COUNT", "-1"}, {"LPOS", "l", "b", "MAXLEN", "-1"}, {"LPOS", "l", "b", "FOO", "1"},
           {"LPOS", "l", "b", "RANK"}, {"LMOVE", "l", "d", "LEFT", "RIGHT"}, {"LMOVE", "l", "d", "RIGHT", "LEFT"},
           {"LRANGE", "d", "0", "-1"}, {"LMOVE", "l", "l", "LEFT", "RIGHT"}, {"LRANGE", "l", "0", "-1"},
           {"LMOVE", "nokey", "d", "LEFT", "LEFT"}, {"LMOVE", "l", "d", "UP", "LEFT"}, {"RPOPLPUSH", "l", "d"},
           {"SET", "str", "v"}, {"LMOVE", "l", "str", "LEFT", "LEFT"}, {"LMOVE", "str", "l", "LEFT", "LEFT"},
           {"LMOVE", "nokey", "str", "LEFT", "LEFT"}, {"RPUSH", "one", "x"}, {"LMOVE", "one", "two", "LEFT", "LEFT"},
           {"EXISTS", "one"}, {"LRANGE", "two", "0", "-1"}});
}

TEST_F(Collections, GenericCommandsOnEveryType) {
  Compare({{"HSET", "h", "a", "1"}, {"SADD", "s", "a"}, {"ZADD", "z", "1", "a"}, {"RPUSH", "l", "a"},
           {"TYPE", "h"}, {"TYPE", "s"}, {"TYPE", "z"}, {"TYPE", "l"}, {"EXPIRE", "h", "100"}, {"TTL", "h"},
           {"RENAME", "h", "h2"}, {"TTL", "h2"}, {"HGETALL", "h2"}, {"COPY", "z", "z2"}, {"ZADD", "z2", "2", "b"},
           {"ZRANGE", "z", "0", "-1"}, {"ZRANGE", "z2", "0", "-1"}, {"COPY", "l", "s", "REPLACE"}, {"TYPE", "s"},
           {"LRANGE", "s", "0", "-1"}, {"OBJECT", "ENCODING", "z2"}, {"DEL", "h2", "z", "z2", "l", "s"},
           {"DBSIZE"}, {"SADD", "big", "x"}, {"PERSIST", "big"}});
}

TEST_F(Collections, Resp3Replies) {
  r_.Call({"HELLO", "3"});
  m_.Call({"HELLO", "3"});
  Compare({{"HSET", "h", "a", "1", "b", "2"}, {"HGETALL", "h"}, {"HGETALL", "nokey"}, {"HRANDFIELD", "h", "5", "WITHVALUES"},
           {"SADD", "s", "1", "2"}, {"SMEMBERS", "s"}, {"SINTER", "s"}, {"SPOP", "nokey", "1"},
           {"ZADD", "z", "1.5", "a", "2", "b"}, {"ZSCORE", "z", "a"}, {"ZMSCORE", "z", "a", "x"}, {"ZINCRBY", "z", "1", "a"},
           {"ZADD", "z", "INCR", "1", "b"}, {"ZRANGE", "z", "0", "-1", "WITHSCORES"}, {"ZPOPMIN", "z"}, {"ZPOPMAX", "z", "1"},
           {"RPUSH", "l", "a"}, {"LPOP", "nokey", "1"}, {"LPOP", "l", "1"}});
}

// ZUNION ZINTER ZDIFF (WITHSCORES), their STORE forms and ZINTERCARD, over sorted sets,
// sets and missing keys, with weights and aggregates; errors in Redis's order (numkeys,
// then the keys' types, then the options).
TEST_F(Collections, SortedSetAlgebra) {
  Compare({{"ZADD", "z1", "1", "a", "2", "b", "3", "c"}, {"ZADD", "z2", "2", "b", "1", "c", "5", "d"},
           {"SADD", "s1", "a", "d", "e"}, {"SET", "str", "x"},
           {"ZUNION", "2", "z1", "z2"}, {"ZUNION", "2", "z1", "z2", "WITHSCORES"},
           {"ZUNION", "3", "z1", "z2", "s1", "WEIGHTS", "2", "0.5", "inf", "WITHSCORES"},
           {"ZUNION", "2", "z1", "s1", "AGGREGATE", "MIN", "WEIGHTS", "-1", "2", "WITHSCORES"},
           {"ZINTER", "2", "z1", "z2", "WITHSCORES", "AGGREGATE", "MAX"}, {"ZINTER", "3", "z1", "z2", "s1"},
           {"ZINTER", "2", "z1", "nokey"}, {"ZDIFF", "2", "z1", "z2", "WITHSCORES"}, {"ZDIFF", "1", "s1"},
           {"ZINTERCARD", "2", "z1", "z2"}, {"ZINTERCARD", "2", "z1", "z2", "LIMIT", "1"},
           {"ZINTERCARD", "2", "z1", "z2", "LIMIT", "0"}, {"ZUNIONSTORE", "d", "2", "z1", "z2"},
           {"ZRANGE", "d", "0", "-1", "WITHSCORES"}, {"ZINTERSTORE", "d", "2", "z1", "s1"}, {"TYPE", "d"},
           {"ZDIFFSTORE", "d", "2", "z1", "z2"}, {"ZRANGE", "d", "0", "-1", "WITHSCORES"},
           {"ZINTERSTORE", "d", "2", "z1", "nokey"}, {"EXISTS", "d"}, {"ZUNION", "0", "z1"},
           {"ZUNION", "-1", "z1"}, {"ZUNION", "x", "z1"}, {"ZUNION", "3", "z1", "z2"},
           {"ZUNION", "1", "str", "BADOPT"}, {"ZUNIONSTORE", "d", "1", "str", "BADOPT"},
           {"ZUNION", "2", "z1", "z2", "WEIGHTS", "1"}, {"ZUNION", "2", "z1", "z2", "WEIGHTS", "1", "x"},
           {"ZUNION", "2", "z1", "z2", "AGGREGATE", "FOO"}, {"ZDIFF", "2", "z1", "z2", "WEIGHTS", "1", "1"},
           {"ZDIFFSTORE", "d", "0", "z1"}, {"ZDIFFSTORE", "d", "2", "z1", "z2", "WITHSCORES"},
           {"ZINTERCARD", "0", "z1"}, {"ZINTERCARD", "2", "z1", "z2", "LIMIT", "-1"},
           {"ZINTERCARD", "2", "z1", "z2", "WITHSCORES"}, {"ZINTERCARD", "1", "str"}});
  r_.Call({"HELLO", "3"});  // (HELLO's reply holds the client id, which differs)
  m_.Call({"HELLO", "3"});
  Compare({{"ZUNION", "2", "z1", "z2", "WITHSCORES"}, {"ZINTER", "1", "z1"}});
}

// ZRANDMEMBER: what does not depend on chance (errors, missing keys, a count covering
// the whole set, which comes from the highest rank down) byte for byte; the rest by size.
TEST_F(Collections, ZRandMember) {
  Compare({{"ZADD", "z", "1", "a", "2", "b", "3", "c"}, {"SET", "str", "x"}, {"ZRANDMEMBER", "z", "x"},
           {"ZRANDMEMBER", "z", "1", "FOO"}, {"ZRANDMEMBER", "z", "1", "WITHSCORES", "x"},
           {"ZRANDMEMBER", "z", "9223372036854775807", "WITHSCORES"}, {"ZRANDMEMBER", "z", "-9223372036854775808"},
           {"ZRANDMEMBER", "z", "10", "WITHSCORES"}, {"ZRANDMEMBER", "z", "3"}, {"ZRANDMEMBER", "nokey", "3"},
           {"ZRANDMEMBER", "nokey"}, {"ZRANDMEMBER", "str"}, {"ZRANDMEMBER", "z", "0"},
           {"ZRANDMEMBER", "nokey", "0", "WITHSCORES"}});
  for (const auto& cmd : std::vector<std::vector<std::string>>{{"ZRANDMEMBER", "z"},
                                                                {"ZRANDMEMBER", "z", "2"},
                                                                {"ZRANDMEMBER", "z", "-7"},
                                                                {"ZRANDMEMBER", "z", "-4", "WITHSCORES"}}) {
    Reply want = r_.Call(cmd), got = m_.Call(cmd);
    EXPECT_EQ(got.value.type, want.value.type) << cmd.size();
    EXPECT_EQ(got.value.elems.size(), want.value.elems.size()) << cmd.size();
  }
  std::string one = m_.Call({"ZRANDMEMBER", "z"}).value.str;
  EXPECT_TRUE(one == "a" || one == "b" || one == "c") << one;
  r_.Call({"HELLO", "3"});
  m_.Call({"HELLO", "3"});
  Compare({{"ZRANDMEMBER", "z", "5", "WITHSCORES"}, {"ZRANDMEMBER", "nokey"}});
}

// The count arguments of SRANDMEMBER, HRANDFIELD and ZRANDMEMBER, checked in Redis's
// order (the count before the extra arguments; -2^63 is out of range for all three).
TEST_F(Collections, RandomCountArguments) {
  Compare({{"SADD", "s", "a"}, {"HSET", "h", "a", "1"}, {"ZADD", "z", "1", "a"},
           {"SRANDMEMBER", "s", "-9223372036854775808"}, {"SRANDMEMBER", "s", "x"}, {"SRANDMEMBER", "s", "1", "2"},
           {"SRANDMEMBER", "s", "x", "2"}, {"HRANDFIELD", "h", "-9223372036854775808"},
           {"HRANDFIELD", "h", "-9223372036854775808", "WITHVALUES"}, {"HRANDFIELD", "h", "x", "a", "b"},
           {"HRANDFIELD", "h", "1", "a", "b"}, {"HRANDFIELD", "h", "4611686018427387904", "WITHVALUES"},
           {"ZRANDMEMBER", "z", "x", "a", "b"}, {"ZRANDMEMBER", "z", "-9223372036854775808", "WITHSCORES"},
           {"HRANDFIELD", "h", "1", "WITHVALUES"}, {"SRANDMEMBER", "s", "-2"}, {"ZRANDMEMBER", "z", "3", "WITHSCORES"}});
}

// LMPOP and ZMPOP pop from the first key that holds a value; errors in Redis's order.
TEST_F(Collections, MultiKeyPops) {
  Compare({{"RPUSH", "l1", "a", "b", "c"}, {"RPUSH", "l2", "x"}, {"LMPOP", "2", "nokey", "l1", "LEFT"},
           {"LMPOP", "2", "nokey", "l1", "right", "COUNT", "5"}, {"EXISTS", "l1"},
           {"LMPOP", "2", "l1", "l2", "LEFT", "COUNT", "2"}, {"LMPOP", "1", "nokey", "LEFT"},
           {"LMPOP", "0", "l1", "LEFT"}, {"LMPOP", "x", "l1", "LEFT"}, {"LMPOP", "-1", "l1", "LEFT"},
           {"LMPOP", "2", "l1", "LEFT"}, {"LMPOP", "9223372036854775807", "l1", "LEFT"}, {"LMPOP", "1", "l1", "UP"},
           {"LMPOP", "1", "l1", "LEFT", "COUNT", "0"}, {"LMPOP", "1", "l1", "LEFT", "COUNT", "x"},
           {"LMPOP", "1", "l1", "LEFT", "COUNT", "1", "COUNT", "2"}, {"LMPOP", "1", "l1", "LEFT", "COUNT"},
           {"LMPOP", "1", "l1", "LEFT", "FOO"}, {"SET", "s", "v"}, {"LMPOP", "2", "nokey", "s", "LEFT"},
           {"ZADD", "z", "1", "a", "2.5", "b", "3", "c"}, {"ZMPOP", "1", "z", "MIN"},
           {"ZMPOP", "2", "nokey", "z", "max", "COUNT", "5"}, {"ZMPOP", "1", "z", "MIN"}, {"ZMPOP", "0", "z", "MIN"},
           {"ZMPOP", "1", "z", "FOO"}, {"ZMPOP", "1", "s", "MIN"}, {"ZMPOP", "1", "z", "MIN", "COUNT", "0"},
           {"ZADD", "z", "1", "a", "2", "b"}, {"LMPOP", "1", "z", "LEFT"}});
  r_.Call({"HELLO", "3"});  // (HELLO's reply holds the client id, which differs)
  m_.Call({"HELLO", "3"});
  Compare({{"ZMPOP", "1", "z", "MIN", "COUNT", "2"}, {"RPUSH", "l9", "a", "b"}, {"LMPOP", "1", "l9", "LEFT", "COUNT", "5"},
           {"LMPOP", "1", "l9", "LEFT"}, {"ZMPOP", "1", "z", "MIN"}});
}

// A negative count asks for that many elements with repeats: a short command could ask
// for a reply without bound (redis-server runs out of memory on SRANDMEMBER key
// -100000000000, so this is minired's own guard, not compared): the reply is refused
// past proto-max-bulk-len and the server keeps serving.
TEST_F(Collections, RandomRepliesWithRepeatsAreBounded) {
  m_.Call({"SADD", "s", "a", "b"});
  m_.Call({"HSET", "h", "f", "v"});
  m_.Call({"ZADD", "z", "1", "m"});
  const std::string kTooLarge = "-ERR the reply would be larger than proto-max-bulk-len; ask for fewer elements\r\n";
  for (const auto& cmd : std::vector<std::vector<std::string>>{{"SRANDMEMBER", "s", "-100000000000"},
                                                                {"HRANDFIELD", "h", "-100000000000"},
                                                                {"HRANDFIELD", "h", "-4611686018427387903", "WITHVALUES"},
                                                                {"ZRANDMEMBER", "z", "-9223372036854775807"},
                                                                {"ZRANDMEMBER", "z", "-100000000", "WITHSCORES"}}) {
    EXPECT_EQ(m_.Call(cmd).raw, kTooLarge) << cmd[0] << " " << cmd[2];
  }
  EXPECT_EQ(m_.Call({"SRANDMEMBER", "s", "-100000"}).value.elems.size(), 100000u);
  ASSERT_EQ(m_.Call({"CONFIG", "SET", "proto-max-bulk-len", "1mb"}).raw, "+OK\r\n");
  EXPECT_EQ(m_.Call({"SRANDMEMBER", "s", "-100000"}).raw, kTooLarge);
  EXPECT_EQ(m_.Call({"SRANDMEMBER", "s", "-1000"}).value.elems.size(), 1000u);
  ASSERT_EQ(m_.Call({"CONFIG", "SET", "proto-max-bulk-len", "512mb"}).raw, "+OK\r\n");
  EXPECT_EQ(m_.Call({"PING"}).raw, "+PONG\r\n");
}

}  // namespace
}  // namespace minired
