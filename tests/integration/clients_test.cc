// Standard clients against the real binary: they must connect and work unchanged.
// tests/clients/check.mjs (node-redis with RESP3, ioredis; pinned, installed by
// scripts/test.sh with `npm ci`) and check_redis_py.py (Debian's python3-redis).
#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include "tests/testing/test_process.h"

namespace minired {
namespace {

// Runs `cmd` (which gets the port appended) against a fresh server; returns its output
// and sets *status to its exit status.
std::string RunAgainstServer(const std::string& cmd, int* status) {
  auto server = testing::TestProcess::StartMinired();
  if (!server.ok()) return "server failed: " + server.error();
  return testing::RunShell(cmd + " " + std::to_string(server.port()), status);
}

TEST(StandardClients, RedisPyWorksUnchanged) {
  ASSERT_EQ(system("/usr/bin/python3 -c 'import redis' 2>/dev/null"), 0)
      << "needs Debian's python3-redis (scripts/install-deps.sh --test)";
  int status = -1;
  std::string out = RunAgainstServer(
      "timeout 60 /usr/bin/python3 " + std::string(MINIRED_SOURCE_DIR) + "/tests/clients/check_redis_py.py", &status);
  EXPECT_EQ(status, 0) << out;
  EXPECT_NE(out.find("ok redis-py"), std::string::npos) << out;
}

TEST(StandardClients, NodeRedisAndIoredisWorkUnchanged) {
  std::string dir = std::string(MINIRED_SOURCE_DIR) + "/tests/clients";
  ASSERT_EQ(system(("test -d " + dir + "/node_modules/redis && command -v node >/dev/null").c_str()), 0)
      << "run `npm ci --prefix tests/clients` (scripts/test.sh does)";
  int status = -1;
  std::string out = RunAgainstServer("timeout 60 node " + dir + "/check.mjs", &status);
  EXPECT_EQ(status, 0) << out;
  EXPECT_NE(out.find("ok node-redis"), std::string::npos) << out;
  EXPECT_NE(out.find("ok ioredis"), std::string::npos) << out;
}

}  // namespace
}  // namespace minired
