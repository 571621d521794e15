// Debian's redis-tools against minired: redis-cli (one-shot, interactive, --pipe) and
// redis-benchmark must work unchanged.
#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include "tests/testing/resp_client.h"
#include "tests/testing/test_process.h"

namespace minired {
namespace {

using testing::TestProcess;

std::string Shell(const std::string& cmd) { return testing::RunShell(cmd); }

class ToolsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(system("command -v redis-cli >/dev/null && command -v redis-benchmark >/dev/null"), 0)
        << "redis-tools is not installed (apt-get install redis-tools)";
    server_ = TestProcess::StartMinired();
    ASSERT_TRUE(server_.ok()) << server_.error();
    cli_ = "redis-cli -p " + std::to_string(server_.port());
  }
  TestProcess server_;
  std::string cli_;
};

TEST_F(ToolsTest, RedisCliOneShotCommands) {
  EXPECT_EQ(Shell(cli_ + " SET greeting hello"), "OK\n");
  EXPECT_EQ(Shell(cli_ + " GET greeting"), "hello\n");
  EXPECT_EQ(Shell(cli_ + " INCRBY n 5"), "5\n");
  EXPECT_EQ(Shell(cli_ + " GET nothing"), "\n");
  EXPECT_NE(Shell(cli_ + " INFO server").find("redis_version:"), std::string::npos);
}

TEST_F(ToolsTest, RedisCliInteractiveSession) {
  // redis-cli reads commands line by line from stdin when it is not a terminal, and
  // fetches COMMAND DOCS for hints as it starts: both must work.
  std::string out = Shell("printf 'SET a 1\\nINCR a\\nGET a\\nTTL a\\n' | " + cli_);
  EXPECT_EQ(out, "OK\n2\n2\n-1\n");
}

TEST_F(ToolsTest, RedisCliPipeMassInsertion) {
  char path[] = "/tmp/minired-pipe-XXXXXX";
  int fd = mkstemp(path);
  FILE* f = fdopen(fd, "w");
  for (int i = 0; i < 100000; ++i) {
    std::string k = "mass:" + std::to_string(i);
    fprintf(f, "*3\r\n$3\r\nSET\r\n$%zu\r\n%s\r\n$1\r\nx\r\n", k.size(), k.c_str());
  }
  fclose(f);
  std::string out = Shell("cat " + std::string(path) + " | " + cli_ + " --pipe");
  unlink(path);
  EXPECT_NE(out.find("errors: 0, replies: 100000"), std::string::npos) << out;
  EXPECT_EQ(Shell(cli_ + " DBSIZE"), "100000\n");
}

TEST_F(ToolsTest, RedisBenchmarkRunsWithoutErrors) {
  std::string out = Shell("redis-benchmark -p " + std::to_string(server_.port()) +
                        " -t ping,set,get,incr,mset -n 20000 -c 20 -q --csv");
  for (const char* test : {"PING_INLINE", "PING_MBULK", "SET", "GET", "INCR", "MSET (10 keys)"}) {
    EXPECT_NE(out.find(std::string("\"") + test + "\""), std::string::npos) << test << "\n" << out;
  }
  EXPECT_EQ(out.find("ERR"), std::string::npos) << out;
  EXPECT_EQ(out.find("rror"), std::string::npos) << out;
}

}  // namespace
}  // namespace minired
