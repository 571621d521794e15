#include "server/config.h"

#include <gtest/gtest.h>

namespace minired {
namespace {

TEST(Security, ConstantTimeEqualsComparesWholeStrings) {
  EXPECT_TRUE(ConstantTimeEquals("secret", "secret"));
  EXPECT_TRUE(ConstantTimeEquals("", ""));
  EXPECT_FALSE(ConstantTimeEquals("secret", "secreT"));
  EXPECT_FALSE(ConstantTimeEquals("secret", "secret2"));
  EXPECT_FALSE(ConstantTimeEquals("secret2", "secret"));
  EXPECT_FALSE(ConstantTimeEquals("", "x"));
  EXPECT_FALSE(ConstantTimeEquals(std::string("a\0", 2), "a"));
}

TEST(Security, RequirepassIsTheDefaultUsersPassword) {
  SecurityConfig s;
  EXPECT_TRUE(s.Authenticates("default", "anything"));  // no password: "nopass"
  EXPECT_FALSE(s.Authenticates("alice", "anything"));
  s.set_requirepass("pw");
  EXPECT_TRUE(s.password_required());
  EXPECT_TRUE(s.Authenticates("default", "pw"));
  EXPECT_FALSE(s.Authenticates("default", "pw "));
  EXPECT_FALSE(s.Authenticates("alice", "pw"));
  s.set_requirepass("");
  EXPECT_FALSE(s.password_required());
}

TEST(Config, FileLinesAndComments) {
  ServerConfig c;
  Status s = LoadConfigText("# comment\n\nport 7000\nbind 0.0.0.0 ::\nthreads 4\n  hz 20\n",
                            "test.conf", &c);
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(c.port, 7000);
  EXPECT_EQ(c.bind, (std::vector<std::string>{"0.0.0.0", "::"}));
  EXPECT_EQ(c.threads, 4);
  EXPECT_EQ(c.hz.load(), 20);
}

TEST(Config, BusyPollIsAStartUpOptionInMicroseconds) {
  ServerConfig c;
  EXPECT_EQ(c.busy_poll_us, 0);  // off unless asked for, as redis-server never polls
  ASSERT_TRUE(LoadConfigText("busy-poll-us 50\n", "test.conf", &c).ok());
  EXPECT_EQ(c.busy_poll_us, 50);
  EXPECT_FALSE(LoadConfigText("busy-poll-us -1\n", "test.conf", &c).ok());
  EXPECT_FALSE(LoadConfigText("busy-poll-us 10001\n", "test.conf", &c).ok());
  EXPECT_FALSE(LoadConfigText("busy-poll-us soon\n", "test.conf", &c).ok());
}

TEST(Config, ErrorsNameFileAndLine) {
  ServerConfig c;
  Status s = LoadConfigText("port 7000\nfoo bar\n", "my.conf", &c);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("my.conf:2"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("'foo bar'"), std::string::npos) << s.message();
  s = LoadConfigText("port seventy\n", "my.conf", &c);
  EXPECT_NE(s.message().find("my.conf:1"), std::string::npos);
  s = LoadConfigText("port 1 2\n", "my.conf", &c);
  EXPECT_FALSE(s.ok());
  s = LoadConfigText("shards 100\n", "my.conf", &c);
  EXPECT_NE(s.message().find("power of two"), std::string::npos);
}

TEST(Config, CommandLineOverridesFile) {
  const char* argv[] = {"minired-server", "--port", "7100", "--loglevel", "warning"};
  ServerConfig c;
  ASSERT_TRUE(ParseCommandLine(5, const_cast<char**>(argv), &c).ok());
  EXPECT_EQ(c.port, 7100);
  EXPECT_EQ(c.loglevel.load(), static_cast<int>(LogLevel::kWarning));
  const char* bad[] = {"minired-server", "--nope", "1"};
  Status s = ParseCommandLine(3, const_cast<char**>(bad), &c);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("--nope"), std::string::npos);
}

TEST(Config, MemoryUnits) {
  int64_t v;
  ASSERT_TRUE(ParseMemory("1gb", &v));
  EXPECT_EQ(v, 1024LL * 1024 * 1024);
  ASSERT_TRUE(ParseMemory("5k", &v));
  EXPECT_EQ(v, 5000);
  ASSERT_TRUE(ParseMemory("12MB", &v));
  EXPECT_EQ(v, 12LL * 1024 * 1024);
  EXPECT_FALSE(ParseMemory("12xb", &v));
  EXPECT_FALSE(ParseMemory("-1", &v));
}

}  // namespace
}  // namespace minired
