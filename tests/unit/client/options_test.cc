#include "minired/options.h"

#include <gtest/gtest.h>

namespace minired::client {
namespace {

TEST(ParseOptions, HostPortForms) {
  auto o = ParseOptions("10.0.0.5:7000");
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->host, "10.0.0.5");
  EXPECT_EQ(o->port, 7000);
  EXPECT_EQ(ParseOptions("cache")->host, "cache");
  EXPECT_EQ(ParseOptions("cache")->port, 6379);
  EXPECT_EQ(ParseOptions(":6380")->host, "127.0.0.1");
  EXPECT_EQ(ParseOptions(":6380")->port, 6380);
  EXPECT_EQ(ParseOptions("[::1]:6390")->host, "::1");
  EXPECT_EQ(ParseOptions("[::1]:6390")->address(), "[::1]:6390");
}

TEST(ParseOptions, RedisUrlWithCredentialsAndDatabase) {
  auto o = ParseOptions("redis://app:p%40ss@db.local:6400/2");
  ASSERT_TRUE(o.ok()) << o.error().message;
  EXPECT_EQ(o->user, "app");
  EXPECT_EQ(o->password, "p@ss");
  EXPECT_EQ(o->host, "db.local");
  EXPECT_EQ(o->port, 6400);
  EXPECT_EQ(o->db, 2);
  auto pass_only = ParseOptions("redis://:secret@localhost");
  EXPECT_EQ(pass_only->user, "");
  EXPECT_EQ(pass_only->password, "secret");
  EXPECT_EQ(pass_only->port, 6379);
  EXPECT_EQ(ParseOptions("redis://localhost:6379/")->db, 0);
}

TEST(ParseOptions, BadAddressesSayWhy) {
  for (const char* bad : {"host:0", "host:65536", "host:x", "redis://h:1/notadb", "redis://h/-1",
                          "rediss://h:1", "redis://u:%zz@h", "http://h:1", "redis://h:1?timeout=1"}) {
    auto o = ParseOptions(bad);
    EXPECT_FALSE(o.ok()) << bad;
    if (!o.ok()) {
      EXPECT_NE(o.error().message.find(bad), std::string::npos) << o.error().message;
    }
  }
}

TEST(ParseOptions, KeepsBaseValuesForMissingParts) {
  Options base;
  base.port = 7777;
  base.command_timeout = std::chrono::milliseconds(50);
  auto o = ParseOptions("otherhost", base);
  EXPECT_EQ(o->port, 7777);
  EXPECT_EQ(o->command_timeout.count(), 50);
}

}  // namespace
}  // namespace minired::client
