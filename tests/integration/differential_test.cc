// Differential tests: the same command sequences go to redis-server (Debian's 7.0, the
// behavioural reference) and to minired; every reply must match byte for byte.
// Commands whose replies legitimately differ (INFO, CLIENT LIST, RANDOMKEY, key order
// of KEYS/SCAN over many keys) are covered by the other suites instead.
#include "tests/integration/differential.h"

namespace minired {
namespace {

TEST_F(Differential, SetAndGetWithOptions) {
  Compare({{"SET", "k", "v"}, {"GET", "k"}, {"GET", "nokey"}, {"SET", "k", "v2", "NX"},
           {"SET", "k", "v3", "XX"}, {"SET", "n", "1", "XX"}, {"SET", "k", "v4", "GET"},
           {"SET", "new", "x", "NX", "GET"}, {"SET", "k", "v5", "NX", "GET"},
           {"SET", "k", "v", "EX", "100"}, {"TTL", "k"}, {"SET", "k", "v", "KEEPTTL"}, {"TTL", "k"},
           {"SET", "k", "v", "PX", "100000"}, {"TTL", "k"}, {"SET", "k", "v", "EXAT", "99999999999"},
           {"TTL", "k"}, {"SET", "k", "v", "PXAT", "99999999999999"}, {"EXPIRETIME", "k"},
           {"SET", "k", "v"}, {"TTL", "k"}, {"SET", "k", "v", "PXAT", "1"}, {"EXISTS", "k"},
           {"set", "K", "mixed", "ex", "5", "xx"}, {"SET", "e", ""}, {"GET", "e"}, {"STRLEN", "e"}});
}

TEST_F(Differential, SetErrors) {
  Compare({{"SET", "k"}, {"SET", "k", "v", "NX", "XX"}, {"SET", "k", "v", "EX"},
           {"SET", "k", "v", "EX", "x"}, {"SET", "k", "v", "EX", "0"}, {"SET", "k", "v", "EX", "-1"},
           {"SET", "k", "v", "PX", "0"}, {"SET", "k", "v", "EX", "1", "PX", "1"},
           {"SET", "k", "v", "KEEPTTL", "EX", "1"}, {"SET", "k", "v", "EX", "1", "KEEPTTL"},
           {"SET", "k", "v", "EX", "9223372036854775807"}, {"SET", "k", "v", "PX", "9223372036854775807"},
           {"SET", "k", "v", "EXAT", "9223372036854775807"}, {"SET", "k", "v", "FOO"},
           {"SETEX", "k", "0", "v"}, {"SETEX", "k", "x", "v"}, {"PSETEX", "k", "-5", "v"},
           {"SETEX", "k", "10"}, {"GETEX", "k", "EX"}, {"GETEX", "k", "EX", "1", "PERSIST"},
           {"GETEX", "k", "FOO"}, {"GETEX", "k", "PX", "0"}});
}

TEST_F(Differential, MultiKeyStrings) {
  Compare({{"MSET", "a", "1", "b", "2", "c", "3"}, {"MGET", "a", "b", "c", "d"},
           {"MSET", "a"}, {"MSET", "a", "1", "b"}, {"MSETNX", "a", "9", "z", "9"}, {"GET", "z"},
           {"MSETNX", "y", "1", "z", "2"}, {"MGET", "y", "z"}, {"GETSET", "a", "new"},
           {"GETSET", "nope", "x"}, {"GETDEL", "a"}, {"GETDEL", "a"}, {"GETEX", "b"},
           {"GETEX", "b", "EX", "100"}, {"TTL", "b"}, {"GETEX", "b", "PERSIST"}, {"TTL", "b"},
           {"GETEX", "missing", "EX", "10"}, {"SETNX", "s", "1"}, {"SETNX", "s", "2"}, {"GET", "s"}});
}

TEST_F(Differential, AppendRangeLength) {
  Compare({{"APPEND", "k", "Hello"}, {"APPEND", "k", " World"}, {"GET", "k"}, {"STRLEN", "k"},
           {"STRLEN", "none"}, {"GETRANGE", "k", "0", "4"}, {"GETRANGE", "k", "-5", "-1"},
           {"GETRANGE", "k", "-100", "100"}, {"GETRANGE", "k", "5", "1"}, {"GETRANGE", "k", "-1", "-5"},
           {"GETRANGE", "k", "x", "1"}, {"GETRANGE", "none", "0", "-1"}, {"SUBSTR", "k", "0", "2"},
           {"SETRANGE", "k", "6", "Redis"}, {"GET", "k"}, {"SETRANGE", "k", "20", "!"}, {"GET", "k"},
           {"SETRANGE", "fresh", "2", "ab"}, {"GET", "fresh"}, {"SETRANGE", "empty", "3", ""},
           {"EXISTS", "empty"}, {"SETRANGE", "k", "-1", "x"}, {"SETRANGE", "k", "x", "y"},
           {"SETRANGE", "k", "536870912", "x"}, {"SET", "n", "12345"}, {"APPEND", "n", "6"},
           {"GET", "n"}, {"OBJECT", "ENCODING", "n"}, {"SET", "i", "99"}, {"SETRANGE", "i", "0", "1"},
           {"GET", "i"}, {"OBJECT", "ENCODING", "i"}, {"STRLEN", "i"}});
}

TEST_F(Differential, Counters) {
  Compare({{"INCR", "c"}, {"INCRBY", "c", "41"}, {"DECR", "c"}, {"DECRBY", "c", "50"},
           {"GET", "c"}, {"INCRBY", "c", "x"}, {"INCRBY", "c", "1.0"}, {"INCRBY", "c", ""},
           {"SET", "big", "9223372036854775806"}, {"INCR", "big"}, {"INCR", "big"},
           {"SET", "small", "-9223372036854775807"}, {"DECR", "small"}, {"DECR", "small"},
           {"DECRBY", "c", "-9223372036854775808"}, {"INCRBY", "c", "9223372036854775807"},
           {"SET", "s", "abc"}, {"INCR", "s"}, {"SET", "sp", " 1"}, {"INCR", "sp"},
           {"SET", "lz", "01"}, {"INCR", "lz"}, {"SET", "t", "1", "EX", "100"}, {"INCR", "t"},
           {"TTL", "t"}, {"OBJECT", "ENCODING", "c"}, {"OBJECT", "REFCOUNT", "c"},
           {"SET", "r", "1000000"}, {"OBJECT", "REFCOUNT", "r"}});
}

TEST_F(Differential, IncrByFloat) {
  Compare({{"INCRBYFLOAT", "f", "10.5"}, {"INCRBYFLOAT", "f", "0.1"}, {"INCRBYFLOAT", "f", "-5"},
           {"INCRBYFLOAT", "f", "5.0e3"}, {"INCRBYFLOAT", "f", "2.0e-3"}, {"GET", "f"},
           {"OBJECT", "ENCODING", "f"}, {"INCRBYFLOAT", "f", "abc"}, {"INCRBYFLOAT", "f", "inf"},
           {"INCRBYFLOAT", "f", "nan"}, {"INCRBYFLOAT", "f", " 1"}, {"SET", "i", "3"},
           {"INCRBYFLOAT", "i", "1.5"}, {"SET", "x", "hello"}, {"INCRBYFLOAT", "x", "1"},
           {"INCRBYFLOAT", "z", "3"}, {"OBJECT", "ENCODING", "z"}, {"INCRBYFLOAT", "neg", "-0.0"}});
}

TEST_F(Differential, KeyCommands) {
  Compare({{"MSET", "a", "1", "b", "2"}, {"EXISTS", "a", "b", "a", "zz"}, {"TYPE", "a"},
           {"TYPE", "zz"}, {"TOUCH", "a", "zz"}, {"DEL", "a", "zz"}, {"DEL", "a"}, {"UNLINK", "b"},
           {"SET", "src", "v"}, {"EXPIRE", "src", "100"}, {"RENAME", "src", "dst"}, {"TTL", "dst"},
           {"GET", "dst"}, {"RENAME", "src", "dst"}, {"RENAME", "dst", "dst"}, {"RENAMENX", "dst", "dst"},
           {"SET", "o", "x"}, {"RENAMENX", "dst", "o"}, {"RENAMENX", "dst", "p"}, {"GET", "p"},
           {"COPY", "p", "q"}, {"COPY", "p", "q"}, {"COPY", "p", "q", "REPLACE"}, {"COPY", "p", "p"},
           {"COPY", "p", "p", "DB", "1"}, {"COPY", "p", "p", "DB", "100"}, {"COPY", "p", "p", "DB", "x"},
           {"COPY", "p", "r", "FOO"}, {"COPY", "nope", "r"}, {"TTL", "q"}, {"KEYS", "q"},
           {"KEYS", "nomatch*"}, {"OBJECT", "ENCODING", "q"}, {"OBJECT", "ENCODING"},
           {"OBJECT", "FOO", "q"}, {"OBJECT", "HELP"}, {"OBJECT", "REFCOUNT", "nope"},
           {"OBJECT", "FREQ", "q"}, {"OBJECT", "IDLETIME", "nope"}, {"COPY", "p", "r", "DB", "2147483648"}});
}

TEST_F(Differential, MoveBetweenDatabases) {
  Compare({{"SET", "m", "v", "PX", "100000"}, {"MOVE", "m", "1"}, {"EXISTS", "m"}, {"SELECT", "1"},
           {"GET", "m"}, {"EXPIRETIME", "m"}, {"MOVE", "m", "1"}, {"SET", "n", "1"}, {"SELECT", "0"},
           {"SET", "n", "0"}, {"MOVE", "n", "1"}, {"GET", "n"}, {"MOVE", "nope", "1"}, {"MOVE", "n", "0"},
           {"MOVE", "n", "16"}, {"MOVE", "n", "-1"}, {"MOVE", "n", "x"}, {"MOVE", "n", "2147483648"},
           {"MOVE", "n", "-2147483649"}, {"MOVE", "n"}, {"MOVE", "n", "1", "2"}, {"RPUSH", "l", "a", "b"},
           {"MOVE", "l", "2"}, {"SELECT", "2"}, {"LRANGE", "l", "0", "-1"}, {"TYPE", "l"}, {"SELECT", "0"},
           {"TYPE", "l"}});
}

TEST_F(Differential, ExpiryCommands) {
  Compare({{"SET", "k", "v"}, {"TTL", "k"}, {"PTTL", "k"}, {"TTL", "nope"}, {"EXPIRETIME", "k"},
           {"EXPIRE", "k", "100", "XX"}, {"EXPIRE", "k", "100", "GT"}, {"EXPIRE", "k", "100", "LT"},
           {"TTL", "k"}, {"EXPIRE", "k", "50", "NX"}, {"EXPIRE", "k", "50", "GT"},
           {"EXPIRE", "k", "500", "GT"}, {"TTL", "k"}, {"EXPIRE", "k", "600", "LT"},
           {"EXPIRE", "k", "1", "NX", "XX"}, {"EXPIRE", "k", "1", "GT", "LT"}, {"EXPIRE", "k", "1", "FOO"},
           {"EXPIRE", "k", "x"}, {"EXPIRE", "k", "9223372036854775807"},
           {"PEXPIRE", "k", "9223372036854775807"}, {"EXPIREAT", "k", "99999999999"},
           {"EXPIRETIME", "k"}, {"PEXPIREAT", "k", "99999999999999"}, {"PEXPIRETIME", "k"},
           {"PERSIST", "k"}, {"PERSIST", "k"}, {"PERSIST", "nope"}, {"EXPIRE", "nope", "10"},
           {"EXPIRE", "k", "0"}, {"EXISTS", "k"}, {"SET", "k2", "v"}, {"PEXPIREAT", "k2", "1"},
           {"GET", "k2"}, {"EXPIRE", "k3"}});
}

// Random key-level commands over keys of every type: absolute expiry times with every
// condition, renames and copies across types and databases, and the encoding each
// value has (no hashes: the two servers' listpack limits for them differ).
TEST_F(Differential, KeyCommandsAtRandom) {
  RandomArgs rng(3305);
  auto key = [&] { return "key" + rng.Num(0, 5); };
  auto when = [&] { return rng.Num(2000000000, 2000000100); };  // absolute seconds, in 2033
  for (int step = 0; step < 2000; ++step) {
    const std::string k = key();
    switch (rng() % 18) {
      case 0: Compare({{"SET", k, rng() % 2 ? rng.Num(-99, 99) : std::string(static_cast<size_t>(rng() % 60), 's')}}); break;
      case 1: Compare({{"RPUSH", k, rng.Num(0, 9), std::string(static_cast<size_t>(rng() % 80), 'l')}}); break;
      case 2: Compare({{"SADD", k, rng() % 3 ? rng.Num(0, 999) : "m" + rng.Num(0, 9)}}); break;
      case 3: Compare({{"ZADD", k, rng.Num(0, 9), rng() % 10 ? "m" + rng.Num(0, 200) : std::string(70, 'z')}}); break;
      case 4: {
        const char* cond = rng() % 5 == 0 ? "NX" : rng() % 4 == 0 ? "XX" : rng() % 3 == 0 ? "GT" : rng() % 2 ? "LT" : "";
        std::vector<std::string> cmd = {"EXPIREAT", k, when()};
        if (*cond) cmd.push_back(cond);
        Compare({cmd, {"EXPIRETIME", k}});
        break;
      }
      case 5: Compare({{"PEXPIREAT", k, when() + "123"}, {"PEXPIRETIME", k}}); break;
      case 6: Compare({{"PERSIST", k}, {"EXPIRETIME", k}}); break;
      case 7: Compare({{"RENAME", k, key()}}); break;
      case 8: Compare({{"RENAMENX", k, key()}}); break;
      case 9: {
        std::vector<std::string> cmd = {"COPY", k, key()};
        if (rng() % 2) cmd.push_back("REPLACE");
        if (rng() % 3 == 0) cmd.insert(cmd.end(), {"DB", rng.Num(0, 1)});
        Compare({cmd});
        break;
      }
      case 10: Compare({{"TYPE", k}, {"EXISTS", k, key(), k}}); break;
      case 11:
        // Lists excepted: minired names a small list "listpack", as Redis 7.2 (README).
        if (r_.Call({"TYPE", k}).value.str != "list") Compare({{"OBJECT", "ENCODING", k}});
        break;
      case 12: Compare({{"DEL", k, key()}}); break;
      case 13: Compare({{"MOVE", k, "1"}, {"SELECT", "1"}, {"EXPIRETIME", k}, {"TYPE", k}, {"MOVE", k, "0"},
                        {"SELECT", "0"}});
        break;
      case 14: Compare({{"SMOVE", key(), k, rng.Num(0, 999)}}); break;
      case 15: Compare({{"APPEND", k, rng() % 2 ? rng.Num(0, 9) : "a" + rng.Num(0, 9)}}); break;
      case 16: Compare({{"INCR", k}}); break;
      default: Compare({{"SMOVE", k, key(), rng.Num(0, 999)}, {"LPOP", k}, {"ZPOPMIN", k}}); break;
    }
  }
  Compare({{"FLUSHDB"}, {"SELECT", "1"}, {"FLUSHDB"}, {"SELECT", "0"}});
}

TEST_F(Differential, DatabasesAndFlush) {
  Compare({{"SET", "k", "0"}, {"SELECT", "1"}, {"GET", "k"}, {"SET", "k", "1"}, {"DBSIZE"},
           {"SELECT", "16"}, {"SELECT", "-1"}, {"SELECT", "x"}, {"SELECT", "99999999999"}, {"SWAPDB", "0", "1"}, {"GET", "k"},
           {"SELECT", "0"}, {"GET", "k"}, {"SWAPDB", "0", "16"}, {"SWAPDB", "x", "0"},
           {"SWAPDB", "0", "x"}, {"SWAPDB", "99999999999", "0"}, {"FLUSHDB", "SYNC"}, {"DBSIZE"}, {"SELECT", "1"}, {"DBSIZE"},
           {"FLUSHALL", "ASYNC"}, {"DBSIZE"}, {"FLUSHALL", "FOO"}, {"FLUSHDB", "ASYNC", "SYNC"},
           {"RANDOMKEY"}, {"SET", "only", "x"}, {"RANDOMKEY"}, {"SCAN", "0"}, {"SCAN", "x"},
           {"SCAN", "0", "COUNT", "0"}, {"SCAN", "0", "COUNT", "x"}, {"SCAN", "0", "MATCH"},
           {"SCAN", "0", "BLAH", "1"}, {"SCAN", "0", "MATCH", "o*", "COUNT", "100"},
           {"SCAN", "0", "TYPE", "string"}, {"KEYS", "*"}, {"SELECT", "0"}});
}

TEST_F(Differential, ConnectionCommands) {
  Compare({{"PING"}, {"PING", "hello"}, {"PING", "a", "b"}, {"ECHO", "x"}, {"ECHO"},
           {"AUTH", "pw"}, {"AUTH", "bob", "pw"}, {"AUTH", "a", "b", "c"},
           {"HELLO", "4"}, {"HELLO", "x"}, {"HELLO", "2", "FOO"}, {"CLIENT", "FOO"},
           {"CLIENT", "SETNAME", "a b"}, {"CLIENT", "SETNAME", "good"}, {"CLIENT", "GETNAME"},
           {"CLIENT", "SETNAME"}, {"CLIENT", "KILL", "9.9.9.9:1"}, {"CLIENT", "KILL", "ID", "0"},
           {"CLIENT", "KILL", "ID", "99999"}, {"CLIENT", "KILL", "TYPE", "foo"},
           {"CLIENT", "NO-EVICT", "on"}, {"CLIENT", "NO-EVICT", "x"}, {"RESET"},
           {"CLIENT", "GETNAME"}, {"NOTACOMMAND", "a", "b"}, {"GET"}, {"get", "a", "b"},
           {"CONFIG", "FOO"}, {"CONFIG", "GET"}, {"CONFIG", "SET", "nosuch", "1"},
           {"CONFIG", "SET", "databases", "1"}, {"CONFIG", "SET", "hz"}, {"CONFIG", "GET", "nosuch"},
           {"CONFIG", "GET", "hz"}, {"CONFIG", "GET", "databases"}, {"CONFIG", "RESETSTAT"},
           {"DEBUG", "SLEEP", "0"}, {"COMMAND", "INFO", "nosuchcmd"}, {"SHUTDOWN", "ABORT"},
           {"SHUTDOWN", "BLAH"}});
}

TEST_F(Differential, Resp3Replies) {
  // HELLO's reply carries the connection id, which differs; the rest is compared.
  ASSERT_EQ(r_.Call({"HELLO", "3", "SETNAME", "r3"}).value.elems.size(), 14u);
  ASSERT_EQ(m_.Call({"HELLO", "3", "SETNAME", "r3"}).value.elems.size(), 14u);
  Compare({{"GET", "nope"}, {"SET", "k", "v"}, {"MGET", "k", "nope"},
           {"CONFIG", "GET", "hz"}, {"COMMAND", "INFO", "nosuchcmd"}, {"OBJECT", "ENCODING", "nope"},
           {"CLIENT", "GETNAME"}, {"INCRBYFLOAT", "f", "1.5"}});
}

TEST_F(Differential, InlineAndPipelinedInput) {
  // The same raw bytes to both, replies read one by one.
  std::string wire =
      "SET a 1\r\nGET a\r\n*2\r\n$3\r\nGET\r\n$1\r\na\r\nset \"sp ace\" 'x y'\nget \"sp ace\"\r\n"
      "\r\n*0\r\nINCR a\r\n";
  ASSERT_TRUE(r_.SendRaw(wire));
  ASSERT_TRUE(m_.SendRaw(wire));
  for (int i = 0; i < 6; ++i) {
    Reply want, got;
    ASSERT_TRUE(r_.Read(&want));
    ASSERT_TRUE(m_.Read(&got));
    EXPECT_EQ(got.raw, want.raw) << "reply " << i;
  }
}

TEST_F(Differential, ProtocolErrorsReplyThenClose) {
  for (std::string bad : {"*abc\r\n", "*1\r\n+PING\r\n", "*1\r\n$-5\r\n", "SET \"unbalanced\r\n",
                          "*1\r\n$abc\r\n", "*3000000000\r\n"}) {
    RespClient r, m;
    ASSERT_TRUE(r.Connect(redis_->port()));
    ASSERT_TRUE(m.Connect(minired_->port()));
    r.SendRaw(bad);
    m.SendRaw(bad);
    Reply want, got;
    ASSERT_TRUE(r.Read(&want)) << bad;
    ASSERT_TRUE(m.Read(&got)) << bad;
    EXPECT_EQ(got.raw, want.raw) << bad;
    EXPECT_TRUE(m.WaitClosed()) << "minired kept the connection after: " << bad;
  }
}

}  // namespace
}  // namespace minired
