// Today's Node.js clients (node-redis with RESP3, ioredis) against the real binary:
// they must connect and work unchanged. tests/clients/check.mjs holds the checks;
// scripts/test.sh installs its pinned packages with `npm ci`.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <string>

#include "tests/testing/test_process.h"

namespace minired {
namespace {

TEST(StandardClients, NodeRedisAndIoredisWorkUnchanged) {
  std::string dir = std::string(MINIRED_SOURCE_DIR) + "/tests/clients";
  ASSERT_EQ(system(("test -d " + dir + "/node_modules/redis && command -v node >/dev/null").c_str()), 0)
      << "run `npm ci --prefix tests/clients` (scripts/test.sh does)";
  auto server = testing::TestProcess::StartMinired();
  ASSERT_TRUE(server.ok()) << server.error();
  std::string cmd = "timeout 60 node " + dir + "/check.mjs " + std::to_string(server.port()) + " 2>&1";
  std::string out;
  FILE* p = popen(cmd.c_str(), "r");
  ASSERT_NE(p, nullptr);
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) out.append(buf.data(), n);
  int status = pclose(p);
  EXPECT_EQ(status, 0) << out;
  EXPECT_NE(out.find("ok node-redis"), std::string::npos) << out;
  EXPECT_NE(out.find("ok ioredis"), std::string::npos) << out;
}

}  // namespace
}  // namespace minired
