#include <gtest/gtest.h>

#include "tests/testing/server_fixture.h"

namespace minired {
namespace {

using StringFamily = testing::ServerFixture;

TEST_F(StringFamily, SetAndGet) {
  EXPECT_EQ(Str({"SET", "k", "v"}), "OK");
  EXPECT_EQ(Str({"GET", "k"}), "v");
  EXPECT_EQ(Str({"GET", "missing"}), "(nil)");
}

TEST_F(StringFamily, SetConditionsAndGetOption) {
  EXPECT_EQ(Str({"SET", "k", "1", "NX"}), "OK");
  EXPECT_EQ(Str({"SET", "k", "2", "NX"}), "(nil)");
  EXPECT_EQ(Str({"SET", "k", "3", "XX", "GET"}), "1");
  EXPECT_EQ(Str({"SET", "other", "3", "XX"}), "(nil)");
  EXPECT_EQ(Str({"SET", "k", "4", "NX", "GET"}), "3");  // NX fails, old value returned
  EXPECT_EQ(Str({"GET", "k"}), "3");
}

TEST_F(StringFamily, SetSyntaxErrors) {
  EXPECT_EQ(Err({"SET", "k", "v", "NX", "XX"}), "ERR syntax error");
  EXPECT_EQ(Err({"SET", "k", "v", "EX", "10", "PX", "10"}), "ERR syntax error");
  EXPECT_EQ(Err({"SET", "k", "v", "EX"}), "ERR syntax error");
  EXPECT_EQ(Err({"SET", "k", "v", "KEEPTTL", "EX", "1"}), "ERR syntax error");
  EXPECT_EQ(Err({"SET", "k", "v", "BOGUS"}), "ERR syntax error");
  EXPECT_EQ(Err({"SET", "k", "v", "EX", "abc"}), "ERR value is not an integer or out of range");
  EXPECT_EQ(Err({"SET", "k", "v", "EX", "0"}), "ERR invalid expire time in 'set' command");
  EXPECT_EQ(Err({"SET", "k", "v", "EX", "-5"}), "ERR invalid expire time in 'set' command");
  EXPECT_EQ(Err({"SET", "k", "v", "EX", "9223372036854775807"}), "ERR invalid expire time in 'set' command");
  EXPECT_EQ(Err({"SET", "k"}), "ERR wrong number of arguments for 'set' command");
}

TEST_F(StringFamily, SetExpiryOptionsWithInjectedClock) {
  Str({"SET", "a", "1", "EX", "10"});
  Str({"SET", "b", "1", "PX", "1500"});
  Str({"SET", "c", "1", "EXAT", std::to_string(NowMs() / 1000 + 20)});
  Str({"SET", "d", "1", "PXAT", std::to_string(NowMs() + 2500)});
  EXPECT_EQ(Int({"TTL", "a"}), 10);
  EXPECT_EQ(Int({"PTTL", "b"}), 1500);
  AdvanceMs(1500);
  EXPECT_EQ(Str({"GET", "b"}), "(nil)");
  EXPECT_EQ(Str({"GET", "a"}), "1");
  AdvanceMs(1000);
  EXPECT_EQ(Str({"GET", "d"}), "(nil)");
  EXPECT_EQ(Str({"SET", "a", "2", "KEEPTTL"}), "OK");
  EXPECT_EQ(Int({"TTL", "a"}), 8);
  EXPECT_EQ(Str({"SET", "a", "3"}), "OK");
  EXPECT_EQ(Int({"TTL", "a"}), -1);  // a plain SET drops the TTL
}

TEST_F(StringFamily, SetWithExpiryInThePastDeletes) {
  Str({"SET", "k", "v"});
  EXPECT_EQ(Str({"SET", "k", "v2", "PXAT", std::to_string(NowMs() - 1)}), "OK");
  EXPECT_EQ(Int({"EXISTS", "k"}), 0);
}

TEST_F(StringFamily, WrongTypeIsNeverSilent) {
  // Only strings exist yet; the wrong-type paths are exercised fully with collections.
  EXPECT_EQ(Str({"SET", "k", "v", "GET"}), "(nil)");
}

TEST_F(StringFamily, SetNxSetExPSetEx) {
  EXPECT_EQ(Int({"SETNX", "k", "1"}), 1);
  EXPECT_EQ(Int({"SETNX", "k", "2"}), 0);
  EXPECT_EQ(Str({"SETEX", "e", "5", "v"}), "OK");
  EXPECT_EQ(Int({"TTL", "e"}), 5);
  EXPECT_EQ(Err({"SETEX", "e", "0", "v"}), "ERR invalid expire time in 'setex' command");
  EXPECT_EQ(Str({"PSETEX", "p", "500", "v"}), "OK");
  EXPECT_EQ(Int({"PTTL", "p"}), 500);
  EXPECT_EQ(Err({"PSETEX", "p", "x", "v"}), "ERR value is not an integer or out of range");
}

TEST_F(StringFamily, MultiKey) {
  EXPECT_EQ(Str({"MSET", "a", "1", "b", "2"}), "OK");
  RespValue v = Run({"MGET", "a", "nope", "b"});
  ASSERT_EQ(v.elems.size(), 3u);
  EXPECT_EQ(v.elems[0].str, "1");
  EXPECT_TRUE(v.elems[1].is_null());
  EXPECT_EQ(v.elems[2].str, "2");
  EXPECT_EQ(Err({"MSET", "a", "1", "b"}), "ERR wrong number of arguments for 'mset' command");
  EXPECT_EQ(Int({"MSETNX", "c", "3", "a", "9"}), 0);
  EXPECT_EQ(Str({"GET", "c"}), "(nil)");
  EXPECT_EQ(Int({"MSETNX", "c", "3", "d", "4"}), 1);
}

TEST_F(StringFamily, GetSetGetDelGetEx) {
  EXPECT_EQ(Str({"GETSET", "k", "1"}), "(nil)");
  EXPECT_EQ(Str({"GETSET", "k", "2"}), "1");
  EXPECT_EQ(Str({"GETEX", "k", "EX", "100"}), "2");
  EXPECT_EQ(Int({"TTL", "k"}), 100);
  EXPECT_EQ(Str({"GETEX", "k", "PERSIST"}), "2");
  EXPECT_EQ(Int({"TTL", "k"}), -1);
  EXPECT_EQ(Err({"GETEX", "k", "EX", "1", "PX", "1"}), "ERR syntax error");
  EXPECT_EQ(Err({"GETEX", "k", "EX", "0"}), "ERR invalid expire time in 'getex' command");
  EXPECT_EQ(Str({"GETDEL", "k"}), "2");
  EXPECT_EQ(Str({"GETDEL", "k"}), "(nil)");
}

TEST_F(StringFamily, AppendStrlenRanges) {
  EXPECT_EQ(Int({"APPEND", "k", "Hello"}), 5);
  EXPECT_EQ(Int({"APPEND", "k", " World"}), 11);
  EXPECT_EQ(Int({"STRLEN", "k"}), 11);
  EXPECT_EQ(Str({"GETRANGE", "k", "0", "4"}), "Hello");
  EXPECT_EQ(Str({"GETRANGE", "k", "-5", "-1"}), "World");
  EXPECT_EQ(Str({"GETRANGE", "k", "5", "2"}), "");
  EXPECT_EQ(Str({"GETRANGE", "k", "-1", "-5"}), "");
  EXPECT_EQ(Str({"GETRANGE", "k", "0", "100"}), "Hello World");
  EXPECT_EQ(Int({"SETRANGE", "k", "6", "Redis"}), 11);
  EXPECT_EQ(Str({"GET", "k"}), "Hello Redis");
  EXPECT_EQ(Int({"SETRANGE", "pad", "3", "x"}), 4);
  EXPECT_EQ(Str({"GET", "pad"}), std::string("\0\0\0x", 4));
  EXPECT_EQ(Int({"SETRANGE", "none", "5", ""}), 0);
  EXPECT_EQ(Int({"EXISTS", "none"}), 0);
  EXPECT_EQ(Err({"SETRANGE", "k", "-1", "x"}), "ERR offset is out of range");
  EXPECT_EQ(Err({"SETRANGE", "k", "536870912", "x"}),
            "ERR string exceeds maximum allowed size (proto-max-bulk-len)");
  EXPECT_EQ(Str({"OBJECT", "ENCODING", "k"}), "raw");
}

TEST_F(StringFamily, CountersAndTheirErrors) {
  EXPECT_EQ(Int({"INCR", "c"}), 1);
  EXPECT_EQ(Int({"INCRBY", "c", "10"}), 11);
  EXPECT_EQ(Int({"DECR", "c"}), 10);
  EXPECT_EQ(Int({"DECRBY", "c", "20"}), -10);
  EXPECT_EQ(Str({"OBJECT", "ENCODING", "c"}), "int");
  Str({"SET", "big", "9223372036854775807"});
  EXPECT_EQ(Err({"INCR", "big"}), "ERR increment or decrement would overflow");
  Str({"SET", "s", "abc"});
  EXPECT_EQ(Err({"INCR", "s"}), "ERR value is not an integer or out of range");
  EXPECT_EQ(Err({"INCRBY", "c", "1.5"}), "ERR value is not an integer or out of range");
  EXPECT_EQ(Err({"DECRBY", "c", "-9223372036854775808"}), "ERR decrement would overflow");
  Str({"SET", "t", "5", "EX", "100"});
  EXPECT_EQ(Int({"INCR", "t"}), 6);
  EXPECT_EQ(Int({"TTL", "t"}), 100);  // counters keep their TTL
}

TEST_F(StringFamily, IncrByFloat) {
  EXPECT_EQ(Str({"INCRBYFLOAT", "f", "10.5"}), "10.5");
  EXPECT_EQ(Str({"INCRBYFLOAT", "f", "0.1"}), "10.6");
  EXPECT_EQ(Str({"INCRBYFLOAT", "f", "-10.6"}), "0");
  EXPECT_EQ(Str({"INCRBYFLOAT", "f", "5.0e3"}), "5000");
  EXPECT_EQ(Str({"OBJECT", "ENCODING", "f"}), "embstr");
  EXPECT_EQ(Err({"INCRBYFLOAT", "f", "abc"}), "ERR value is not a valid float");
  EXPECT_EQ(Err({"INCRBYFLOAT", "f", "inf"}), "ERR increment would produce NaN or Infinity");
  Str({"SET", "s", "x"});
  EXPECT_EQ(Err({"INCRBYFLOAT", "s", "1"}), "ERR value is not a valid float");
}

TEST_F(StringFamily, ObjectEncodingFollowsRedis) {
  Str({"SET", "i", "12345"});
  Str({"SET", "lead", "012"});
  Str({"SET", "e", std::string(44, 'x')});
  Str({"SET", "r", std::string(45, 'x')});
  EXPECT_EQ(Str({"OBJECT", "ENCODING", "i"}), "int");
  EXPECT_EQ(Str({"OBJECT", "ENCODING", "lead"}), "embstr");
  EXPECT_EQ(Str({"OBJECT", "ENCODING", "e"}), "embstr");
  EXPECT_EQ(Str({"OBJECT", "ENCODING", "r"}), "raw");
  EXPECT_EQ(Int({"OBJECT", "REFCOUNT", "i"}), 1);
  Str({"SET", "small", "42"});
  EXPECT_EQ(Int({"OBJECT", "REFCOUNT", "small"}), 2147483647);
  EXPECT_EQ(Str({"OBJECT", "ENCODING", "missing"}), "(nil)");
}

}  // namespace
}  // namespace minired
