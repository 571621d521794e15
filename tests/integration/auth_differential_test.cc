// requirepass and AUTH (issue #9's password part): the same sequences against
// redis-server and minired, each with a password set by CONFIG SET, replies compared
// byte for byte; unauthenticated request limits; a replica that authenticates with
// masterauth.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "tests/testing/replica_sync.h"
#include "tests/integration/differential.h"
#include "tests/testing/resp_client.h"
#include "tests/testing/test_process.h"

namespace minired::testing {
namespace {

constexpr const char* kPassword = "s3cret-pass";

class Auth : public minired::ServerPair {
 protected:
  static void SetUpTestSuite() { StartServers({}, {"--appendonly", "no", "--save", ""}); }
  static void TearDownTestSuite() { StopServers(); }
  void SetUp() override {
    ExpectServersUp();
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

  void Compare(const minired::Script& script) { minired::CompareOn(r_, m_, script); }

  // HELLO's reply holds the connection id, which differs: same reply type and
  // protocol, and the session state that follows is compared by the next commands.
  void CompareHello(const std::vector<std::string>& cmd) {
    Reply want = r_.Call(cmd);
    Reply got = m_.Call(cmd);
    EXPECT_EQ(got.value.type, want.value.type);
    EXPECT_EQ(got.value.elems.size(), want.value.elems.size());
  }

  RespClient r_admin_, m_admin_, r_, m_;
};

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

// Connects to 127.0.0.1:port from `source` (127.0.0.2 is loopback to the kernel but not
// to protected mode), sends PING and returns what the server wrote before closing.
std::string PingFrom(const char* source, int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in src{};
  src.sin_family = AF_INET;
  inet_pton(AF_INET, source, &src.sin_addr);
  sockaddr_in dst{};
  dst.sin_family = AF_INET;
  dst.sin_port = htons(static_cast<uint16_t>(port));
  inet_pton(AF_INET, "127.0.0.1", &dst.sin_addr);
  std::string got;
  if (bind(fd, reinterpret_cast<sockaddr*>(&src), sizeof(src)) == 0 &&
      connect(fd, reinterpret_cast<sockaddr*>(&dst), sizeof(dst)) == 0) {
    (void)!write(fd, "PING\r\n", 6);
    timeval tv{5, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    char buf[4096];
    ssize_t n;
    while ((n = read(fd, buf, sizeof(buf))) > 0) {
      got.append(buf, static_cast<size_t>(n));
      if (got.size() >= 2 && got.compare(got.size() - 2, 2, "\r\n") == 0) break;  // one reply
    }
  }
  close(fd);
  return got;
}

TEST(AccessLimits, ProtectedModeServesOnlyLoopbackWithoutAPassword) {
  TestProcess redis = TestProcess::StartRedis();
  TestProcess minired = TestProcess::StartMinired({"--appendonly", "no", "--save", ""});
  ASSERT_TRUE(redis.ok()) << redis.error();
  ASSERT_TRUE(minired.ok()) << minired.error();
  std::string denied = PingFrom("127.0.0.2", redis.port());
  ASSERT_EQ(denied.substr(0, 8), "-DENIED ");
  EXPECT_EQ(PingFrom("127.0.0.2", minired.port()), denied);
  EXPECT_EQ(PingFrom("127.0.0.1", minired.port()), "+PONG\r\n");
  RespClient m;
  ASSERT_TRUE(m.Connect(minired.port()));
  EXPECT_EQ(InfoField(m, "stats", "rejected_connections"), 1);
  // A password, or protected-mode no, lets other addresses in.
  ASSERT_EQ(m.Call({"CONFIG", "SET", "requirepass", "pw"}).raw, "+OK\r\n");
  EXPECT_EQ(PingFrom("127.0.0.2", minired.port()), "-NOAUTH Authentication required.\r\n");
  ASSERT_EQ(m.Call({"CONFIG", "SET", "requirepass", "", "protected-mode", "no"}).raw, "+OK\r\n");
  EXPECT_EQ(PingFrom("127.0.0.2", minired.port()), "+PONG\r\n");
  EXPECT_EQ(m.Call({"CONFIG", "SET", "protected-mode", "maybe"}).raw.substr(0, 4), "-ERR");
}

TEST(AccessLimits, MaxclientsRefusesTheClientPastTheLimit) {
  TestProcess redis = TestProcess::StartRedis();
  TestProcess minired = TestProcess::StartMinired({"--appendonly", "no", "--save", ""});
  ASSERT_TRUE(redis.ok()) << redis.error();
  ASSERT_TRUE(minired.ok()) << minired.error();
  std::vector<std::string> refusals;
  for (int port : {redis.port(), minired.port()}) {
    RespClient admin, second, third;
    ASSERT_TRUE(admin.Connect(port));
    ASSERT_EQ(admin.Call({"CONFIG", "SET", "maxclients", "2"}).raw, "+OK\r\n");
    ASSERT_TRUE(second.Connect(port));
    EXPECT_EQ(second.Call({"PING"}).raw, "+PONG\r\n");
    ASSERT_TRUE(third.Connect(port));
    Reply r;
    ASSERT_TRUE(third.Read(&r));
    refusals.push_back(r.raw);
    EXPECT_TRUE(third.WaitClosed());
    EXPECT_EQ(admin.Call({"PING"}).raw, "+PONG\r\n");  // the others go on
    EXPECT_EQ(InfoField(admin, "stats", "rejected_connections"), 1);
    EXPECT_EQ(admin.Call({"CONFIG", "GET", "maxclients"}).raw, "*2\r\n$10\r\nmaxclients\r\n$1\r\n2\r\n");
    second.Close();
    EXPECT_TRUE(WaitFor([&] {
      RespClient again;
      return again.Connect(port) && again.Call({"PING"}).raw == "+PONG\r\n";
    }));
  }
  EXPECT_EQ(refusals[1], refusals[0]);
  EXPECT_EQ(refusals[1], "-ERR max number of clients reached\r\n");
}

}  // namespace
}  // namespace minired::testing
