// Limits that protect everyone else (issue #9): timeout for idle clients, tcp-keepalive,
// client-query-buffer-limit and the normal class's client-output-buffer-limit. Each test
// also checks that another client keeps being served.
#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/testing/resp_client.h"
#include "tests/testing/test_process.h"

namespace minired::testing {
namespace {

class ClientLimits : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = new TestProcess(TestProcess::StartMinired({"--appendonly", "no", "--save", ""}));
  }
  static void TearDownTestSuite() { delete server_; }
  void SetUp() override {
    ASSERT_TRUE(server_->ok()) << server_->error();
    ASSERT_TRUE(admin_.Connect(server_->port()));
  }
  void TearDown() override {
    admin_.Call({"CONFIG", "SET", "timeout", "0", "client-query-buffer-limit", "1gb"});
    admin_.Call({"CONFIG", "SET", "client-output-buffer-limit", "normal 0 0 0"});
    admin_.Call({"CONFIG", "SET", "maxclients", "10000"});
  }
  void ExpectOthersServed() { EXPECT_EQ(admin_.Call({"PING"}).raw, "+PONG\r\n"); }

  static TestProcess* server_;
  RespClient admin_;
};

TestProcess* ClientLimits::server_ = nullptr;

TEST_F(ClientLimits, IdleClientsAreClosedAfterTimeoutButSubscribersStay) {
  RespClient idle, subscriber, busy;
  ASSERT_TRUE(idle.Connect(server_->port()));
  ASSERT_TRUE(subscriber.Connect(server_->port()));
  ASSERT_TRUE(busy.Connect(server_->port()));
  ASSERT_FALSE(subscriber.Call({"SUBSCRIBE", "news"}).raw.empty());
  ASSERT_EQ(admin_.Call({"CONFIG", "SET", "timeout", "1"}).raw, "+OK\r\n");
  // The busy client talks every 200 ms: never idle for a second.
  auto start = std::chrono::steady_clock::now();
  while (std::chrono::steady_clock::now() - start < std::chrono::milliseconds(3500)) {
    ASSERT_EQ(busy.Call({"PING"}).raw, "+PONG\r\n");
    ASSERT_EQ(admin_.Call({"PING"}).raw, "+PONG\r\n");
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  EXPECT_TRUE(idle.WaitClosed(std::chrono::seconds(3)));
  Reply r = admin_.Call({"PUBLISH", "news", "still here"});
  EXPECT_EQ(r.raw, ":1\r\n");
  Reply msg;
  ASSERT_TRUE(subscriber.Read(&msg));
  EXPECT_EQ(msg.value.elems.back().str, "still here");
}

// /proc/net/tcp's "tr" column is 2 while a socket's keep-alive timer runs.
int KeepaliveTimerOfServerSide(int server_port, int client_port) {
  std::ifstream in("/proc/net/tcp");
  std::string line;
  std::getline(in, line);
  char want_local[16], want_remote[16];
  snprintf(want_local, sizeof(want_local), ":%04X", server_port);
  snprintf(want_remote, sizeof(want_remote), ":%04X", client_port);
  while (std::getline(in, line)) {
    std::istringstream f(line);
    std::string sl, local, remote, st, queues, timer;
    f >> sl >> local >> remote >> st >> queues >> timer;
    if (local.ends_with(want_local) && remote.ends_with(want_remote)) return std::stoi(timer.substr(0, 2), nullptr, 16);
  }
  return -1;
}

TEST_F(ClientLimits, TcpKeepaliveIsSetOnClientSockets) {
  std::string me = admin_.Call({"CLIENT", "INFO"}).value.str;
  auto port_at = me.find("addr=127.0.0.1:");
  ASSERT_NE(port_at, std::string::npos) << me;
  int client_port = std::stoi(me.substr(port_at + 15));
  EXPECT_EQ(KeepaliveTimerOfServerSide(server_->port(), client_port), 2);

  ASSERT_EQ(admin_.Call({"CONFIG", "SET", "tcp-keepalive", "0"}).raw, "+OK\r\n");
  RespClient plain;
  ASSERT_TRUE(plain.Connect(server_->port()));
  std::string info = plain.Call({"CLIENT", "INFO"}).value.str;
  int plain_port = std::stoi(info.substr(info.find("addr=127.0.0.1:") + 15));
  EXPECT_EQ(KeepaliveTimerOfServerSide(server_->port(), plain_port), 0);
  admin_.Call({"CONFIG", "SET", "tcp-keepalive", "300"});
}

TEST_F(ClientLimits, QueryBufferLimitDropsAClientThatNeverFinishesItsCommand) {
  ASSERT_EQ(admin_.Call({"CONFIG", "SET", "client-query-buffer-limit", "1mb"}).raw, "+OK\r\n");
  RespClient greedy;
  ASSERT_TRUE(greedy.Connect(server_->port()));
  // One argument announced as 100 MB (allowed by proto-max-bulk-len), then 2 MB of it.
  ASSERT_TRUE(greedy.SendRaw("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$100000000\r\n"));
  std::string chunk(64 * 1024, 'x');
  for (int i = 0; i < 32 && greedy.SendRaw(chunk); ++i) {
  }
  EXPECT_TRUE(greedy.WaitClosed(std::chrono::seconds(5)));
  ExpectOthersServed();
  // Inline garbage without a newline is held to the same limit.
  RespClient garbage;
  ASSERT_TRUE(garbage.Connect(server_->port()));
  std::string junk(1 << 20, 'g');
  for (int i = 0; i < 4 && garbage.SendRaw(junk); ++i) {
  }
  EXPECT_TRUE(garbage.WaitClosed(std::chrono::seconds(5)));
  ExpectOthersServed();
}

TEST_F(ClientLimits, NormalOutputLimitDropsAClientThatDoesNotRead) {
  ASSERT_EQ(admin_.Call({"SET", "big", std::string(512 * 1024, 'v')}).raw, "+OK\r\n");
  ASSERT_EQ(admin_.Call({"CONFIG", "SET", "client-output-buffer-limit", "normal 4mb 0 0"}).raw, "+OK\r\n");
  RespClient reader;  // never reads its replies
  ASSERT_TRUE(reader.Connect(server_->port()));
  std::string gets;
  for (int i = 0; i < 400; ++i) gets += "*2\r\n$3\r\nGET\r\n$3\r\nbig\r\n";
  reader.SendRaw(gets);  // 200 MB of replies asked for
  EXPECT_TRUE(reader.WaitClosed(std::chrono::seconds(10)));
  ExpectOthersServed();
}

int64_t UsedMemory(RespClient& c) {
  std::string info = c.Call({"INFO", "memory"}).value.str;
  return std::stoll(info.substr(info.find("used_memory:") + 12));
}

// The CLIENT LIST field `field` of the client named `name`.
std::string ClientField(RespClient& c, const std::string& name, const std::string& field) {
  std::istringstream list(c.Call({"CLIENT", "LIST"}).value.str);
  std::string line;
  while (std::getline(list, line)) {
    if (line.find(" name=" + name + " ") == std::string::npos) continue;
    size_t at = line.find(" " + field + "=");
    if (at == std::string::npos) return "?";
    size_t from = at + field.size() + 2;
    return line.substr(from, line.find(' ', from) - from);
  }
  return "?";
}

TEST_F(ClientLimits, IdleClientsHoldNoReadBuffer) {
  constexpr int kClients = 300;
  int64_t before = UsedMemory(admin_);
  std::vector<std::unique_ptr<RespClient>> idle;
  for (int i = 0; i < kClients; ++i) {
    idle.push_back(std::make_unique<RespClient>());
    ASSERT_TRUE(idle.back()->Connect(server_->port()));
    ASSERT_EQ(idle.back()->Call({"CLIENT", "SETNAME", "idle" + std::to_string(i)}).raw, "+OK\r\n");
  }
  int64_t per_client = (UsedMemory(admin_) - before) / kClients;
  // A 16 KB read buffer each would be more than this; redis-server 7.0 holds ~15 KB per idle client.
  EXPECT_LT(per_client, 8 * 1024);
  EXPECT_EQ(ClientField(admin_, "idle7", "qbuf"), "0");
  EXPECT_EQ(ClientField(admin_, "idle7", "qbuf-free"), "0");

  // A client left with part of a command keeps its bytes while others on the same threads come and go.
  RespClient half, other;
  ASSERT_TRUE(half.Connect(server_->port()));
  ASSERT_TRUE(other.Connect(server_->port()));
  ASSERT_EQ(half.Call({"CLIENT", "SETNAME", "half"}).raw, "+OK\r\n");
  ASSERT_TRUE(half.SendRaw("*3\r\n$3\r\nSET\r\n$4\r\nhalf\r\n$5\r\nva"));
  for (int i = 0; i < 20; ++i) ASSERT_EQ(other.Call({"SET", "other", std::to_string(i)}).raw, "+OK\r\n");
  for (auto& c : idle) ASSERT_EQ(c->Call({"PING"}).raw, "+PONG\r\n");
  std::string held;
  for (int i = 0; i < 100 && (held = ClientField(admin_, "half", "qbuf")) == "0"; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(held, "29");
  ASSERT_TRUE(half.SendRaw("lue\r\n"));
  Reply done;
  ASSERT_TRUE(half.Read(&done));
  EXPECT_EQ(done.raw, "+OK\r\n");
  EXPECT_EQ(admin_.Call({"GET", "half"}).raw, "$5\r\nvalue\r\n");
  EXPECT_EQ(ClientField(admin_, "half", "qbuf"), "0");
}

// Every way a connection ends takes it out of connected_clients and CLIENT LIST, so
// none keeps counting against maxclients: 30 rounds of six endings under maxclients 10
// still leave room for a new client.
TEST_F(ClientLimits, EveryWayOfClosingFreesTheClientSlot) {
  ASSERT_EQ(admin_.Call({"CONFIG", "SET", "maxclients", "10"}).raw, "+OK\r\n");
  ASSERT_EQ(admin_.Call({"CONFIG", "SET", "client-query-buffer-limit", "1mb"}).raw, "+OK\r\n");
  auto ended = [&](const std::string& how, const std::function<void(RespClient&)>& end) {
    RespClient c;
    ASSERT_TRUE(c.Connect(server_->port())) << how;
    ASSERT_EQ(c.Call({"PING"}).raw, "+PONG\r\n") << how << ": refused, a slot leaked";
    end(c);
    EXPECT_TRUE(c.WaitClosed(std::chrono::seconds(5))) << how;
  };
  for (int round = 0; round < 30; ++round) {
    ended("QUIT", [](RespClient& c) { c.Call({"QUIT"}); });
    ended("protocol error", [](RespClient& c) { c.SendRaw("*1\r\n$-5\r\n"); });
    ended("inline too big", [](RespClient& c) { c.SendRaw(std::string(70 * 1024, 'g')); });
    ended("query buffer limit", [](RespClient& c) {
      c.SendRaw("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$100000000\r\n" + std::string(2 << 20, 'x'));
    });
    ended("CLIENT KILL", [&](RespClient& c) {
      int64_t id = c.Call({"CLIENT", "ID"}).value.integer;
      admin_.Call({"CLIENT", "KILL", "ID", std::to_string(id)});
    });
    RespClient peer;
    ASSERT_TRUE(peer.Connect(server_->port()));
    ASSERT_EQ(peer.Call({"PING"}).raw, "+PONG\r\n");
    peer.Close();
  }
  // The peer's close is seen asynchronously: give the last one a moment.
  for (int i = 0; i < 100 && InfoField(admin_, "clients", "connected_clients") != 1; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ExpectOnlyThisClientConnected(admin_);
  ExpectOthersServed();
}

}  // namespace
}  // namespace minired::testing
