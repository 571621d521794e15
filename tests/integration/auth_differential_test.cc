// requirepass and AUTH (issue #9's password part): the same sequences against
// redis-server and minired, each with a password set by CONFIG SET, replies compared
// byte for byte; unauthenticated request limits; a replica that authenticates with
// masterauth.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "tests/testing/replica_sync.h"
#include "tests/testing/resp_client.h"
#include "tests/testing/test_process.h"

namespace minired::testing {
namespace {

constexpr const char* kPassword = "s3cret-pass";

class Auth : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    redis_ = new TestProcess(TestProcess::StartRedis());
    minired_ = new TestProcess(TestProcess::StartMinired({"--appendonly", "no", "--save", ""}));
  }
  static void TearDownTestSuite() {
    delete redis_;
    delete minired_;
  }
  void SetUp() override {
    ASSERT_TRUE(redis_->ok()) << redis_->error();
    ASSERT_TRUE(minired_->ok()) << minired_->error();
    // The connections that set the password stay authenticated (they connected when
    // none was needed), as in Redis.
    ASSERT_TRUE(r_admin_.Connect(redis_->port()));
    ASSERT_TRUE(m_admin_.Connect(minired_->port()));
    for (RespClient* c : {&r_admin_, &m_admin_}) {
      ASSERT_EQ(c->Call({"CONFIG", "SET", "requirepass", kPassword}).raw, "+OK\r\n");
      ASSERT_EQ(c->Call({"FLUSHALL"}).raw, "+OK\r\n");
    }
    ASSERT_TRUE(r_.Connect(redis_->port()));
    ASSERT_TRUE(m_.Connect(minired_->port()));
  }
  void TearDown() override {
    for (RespClient* c : {&r_admin_, &m_admin_}) c->Call({"CONFIG", "SET", "requirepass", ""});
  }

  void Compare(const std::vector<std::vector<std::string>>& script) {
    for (const auto& cmd : script) {
      std::string shown;
      for (const auto& a : cmd) shown += a + " ";
      Reply want = r_.Call(cmd);
      Reply got = m_.Call(cmd);
      ASSERT_FALSE(want.raw.empty()) << "redis-server gave no reply to: " << shown;
      EXPECT_EQ(got.raw, want.raw) << "command: " << shown;
    }
  }

  // HELLO's reply holds the connection id, which differs: same reply type and
  // protocol, and the session state that follows is compared by the next commands.
  void CompareHello(const std::vector<std::string>& cmd) {
    Reply want = r_.Call(cmd);
    Reply got = m_.Call(cmd);
    EXPECT_EQ(got.value.type, want.value.type);
    EXPECT_EQ(got.value.elems.size(), want.value.elems.size());
  }

  static TestProcess* redis_;
  static TestProcess* minired_;
  RespClient r_admin_, m_admin_, r_, m_;
};

TestProcess* Auth::redis_ = nullptr;
TestProcess* Auth::minired_ = nullptr;

TEST_F(Auth, CommandsNeedAuthenticationAndWrongPasswordsAreRefused) {
  Compare({{"GET", "k"}, {"PING"}, {"SET", "k", "v"}, {"MULTI"}, {"SUBSCRIBE", "c"}, {"CLIENT", "ID"},
           // Unknown commands and arity errors come before the authentication check.
           {"NOSUCHCOMMAND"}, {"GET"},
           {"AUTH", "wrong"}, {"AUTH", "default", "wrong"}, {"AUTH", "nosuchuser", kPassword},
           {"AUTH", "a", "b", "c"}, {"HELLO", "3"}, {"HELLO", "3", "AUTH", "default", "wrong"},
           {"HELLO", "4"}, {"HELLO", "2", "SETNAME", "x"}, {"GET", "k"},
           {"AUTH", kPassword}, {"GET", "k"}, {"SET", "k", "v"}, {"GET", "k"}, {"AUTH", "wrong"}, {"GET", "k"},
           {"CONFIG", "GET", "requirepass"}});
}

TEST_F(Auth, HelloAuthAndResetLogOutAndIn) {
  CompareHello({"HELLO", "3", "AUTH", "default", kPassword, "SETNAME", "me"});
  Compare({{"CLIENT", "GETNAME"}, {"SET", "k", "1"}, {"RESET"}, {"GET", "k"}, {"AUTH", "default", kPassword},
           {"INCR", "k"}});
  CompareHello({"HELLO", "2"});
  Compare({{"GET", "k"}});
}

TEST_F(Auth, RemovingThePasswordOpensTheServerAgain) {
  for (RespClient* c : {&r_admin_, &m_admin_}) ASSERT_EQ(c->Call({"CONFIG", "SET", "requirepass", ""}).raw, "+OK\r\n");
  Compare({{"SET", "k", "v"}, {"AUTH", kPassword}, {"AUTH", "default", "anything"}, {"AUTH", "other", "x"}});
  CompareHello({"HELLO", "2"});
}

TEST_F(Auth, UnauthenticatedClientsMaySendOnlySmallCommands) {
  for (const char* bytes : {"*11\r\n", "*1\r\n$16385\r\n"}) {
    RespClient r, m;
    ASSERT_TRUE(r.Connect(redis_->port()));
    ASSERT_TRUE(m.Connect(minired_->port()));
    ASSERT_TRUE(r.SendRaw(bytes));
    ASSERT_TRUE(m.SendRaw(bytes));
    Reply want, got;
    ASSERT_TRUE(r.Read(&want));
    ASSERT_TRUE(m.Read(&got));
    EXPECT_EQ(got.raw, want.raw);
    EXPECT_TRUE(m.WaitClosed());
  }
  // Once authenticated, large commands are fine.
  std::string big(100000, 'x');
  ASSERT_EQ(m_.Call({"AUTH", kPassword}).raw, "+OK\r\n");
  EXPECT_EQ(m_.Call({"SET", "k", big}).raw, "+OK\r\n");
  std::vector<std::string> mset{"MSET"};
  for (int i = 0; i < 20; ++i) mset.insert(mset.end(), {"k" + std::to_string(i), "v"});
  EXPECT_EQ(m_.Call(mset).raw, "+OK\r\n");
}

TEST_F(Auth, ReplicaAuthenticatesWithMasterauth) {
  TestProcess replica = TestProcess::StartMinired({"--appendonly", "no", "--save", "", "--masterauth", kPassword,
                                                   "--replicaof", "127.0.0.1", std::to_string(minired_->port())});
  ASSERT_TRUE(replica.ok()) << replica.error();
  ASSERT_EQ(m_admin_.Call({"SET", "replicated", "yes"}).raw, "+OK\r\n");
  RespClient r;
  ASSERT_TRUE(r.Connect(replica.port()));
  EXPECT_TRUE(WaitFor([&] { return r.Call({"GET", "replicated"}).raw == "$3\r\nyes\r\n"; }));
  // Without the password a replica cannot sync.
  TestProcess stranger = TestProcess::StartMinired(
      {"--appendonly", "no", "--save", "", "--replicaof", "127.0.0.1", std::to_string(minired_->port())});
  ASSERT_TRUE(stranger.ok()) << stranger.error();
  RespClient s;
  ASSERT_TRUE(s.Connect(stranger.port()));
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  EXPECT_EQ(InfoString(s, "replication", "master_link_status"), "down");
  EXPECT_EQ(s.Call({"GET", "replicated"}).raw, "$-1\r\n");
}

}  // namespace
}  // namespace minired::testing
