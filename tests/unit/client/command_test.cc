#include "minired/command.h"

#include <gtest/gtest.h>

#include "minired/commands.h"

namespace minired::client {
namespace {

TEST(Command, EncodesStringsAndNumbersAsMultibulk) {
  Command c("SET", "key", 42, 1.5);
  EXPECT_EQ(c.bytes(), "*4\r\n$3\r\nSET\r\n$3\r\nkey\r\n$2\r\n42\r\n$3\r\n1.5\r\n");
  EXPECT_EQ(c.argc(), 4u);
  EXPECT_EQ(Command("ECHO", std::string("a\r\nb")).bytes(), "*2\r\n$4\r\nECHO\r\n$4\r\na\r\nb\r\n");
  EXPECT_EQ(Command("INCRBY", "k", int64_t{-9223372036854775807 - 1}).bytes(),
            "*3\r\n$6\r\nINCRBY\r\n$1\r\nk\r\n$20\r\n-9223372036854775808\r\n");
}

TEST(Command, AppendingArgumentsRewritesTheCount) {
  Command c("DEL");
  for (int i = 0; i < 12; ++i) c << ("k" + std::to_string(i));
  EXPECT_EQ(c.argc(), 13u);
  EXPECT_TRUE(c.bytes().starts_with("*13\r\n$3\r\nDEL\r\n$2\r\nk0\r\n"));
  EXPECT_TRUE(c.bytes().ends_with("$3\r\nk11\r\n"));
}

TEST(Command, FromArgsAndPipelineConcatenate) {
  std::vector<std::string> args = {"GET", "x"};
  Pipeline p;
  p.add(Command::FromArgs(args)).add("PING");
  EXPECT_EQ(p.size(), 2u);
  EXPECT_EQ(p.bytes(), "*2\r\n$3\r\nGET\r\n$1\r\nx\r\n*1\r\n$4\r\nPING\r\n");
}

TEST(Command, TypedHelpersBuildRedisSyntax) {
  EXPECT_EQ(cmd::set("k", "v", {.ttl = std::chrono::seconds(2), .nx = true}).command.bytes(),
            Command("SET", "k", "v", "PX", 2000, "NX").bytes());
  EXPECT_EQ(cmd::zrange_withscores("z", 0, 9, true).command.bytes(),
            Command("ZRANGE", "z", 0, 9, "REV", "WITHSCORES").bytes());
  EXPECT_EQ(cmd::zrangebyscore("z", 1, 2, 10, 5).command.bytes(),
            Command("ZRANGEBYSCORE", "z", 1.0, 2.0, "LIMIT", 10, 5).bytes());
  EXPECT_EQ(cmd::hset("h", {{"a", "1"}, {"b", "2"}}).command.bytes(),
            Command("HSET", "h", "a", "1", "b", "2").bytes());
}

}  // namespace
}  // namespace minired::client
