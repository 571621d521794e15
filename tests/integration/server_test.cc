// Black-box tests of the real minired-server binary over TCP.
#include <gtest/gtest.h>
#include <signal.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <thread>

#include "protocol/command_encoder.h"
#include "tests/testing/resp_client.h"
#include "tests/testing/test_process.h"

namespace minired {
namespace {

using testing::InfoField;
using testing::Reply;
using testing::RespClient;
using testing::TestProcess;

// Every test runs with the I/O threads' default loop and with busy-poll-us (which polls
// before it sleeps): both must serve the same.
class ServerTest : public ::testing::TestWithParam<int> {
 protected:
  void SetUp() override {
    server_ = TestProcess::StartMinired({"--threads", "2", "--busy-poll-us", std::to_string(GetParam())});
    ASSERT_TRUE(server_.ok()) << server_.error();
    ASSERT_TRUE(c_.Connect(server_.port()));
  }
  // A fresh connection sends `bytes`; the server must answer `error` and close it.
  void ExpectRejectedAndClosed(const std::string& bytes, const std::string& error) {
    RespClient c;
    ASSERT_TRUE(c.Connect(server_.port()));
    c.SendRaw(bytes);
    Reply r;
    ASSERT_TRUE(c.Read(&r));
    EXPECT_EQ(r.raw, error);
    EXPECT_TRUE(c.WaitClosed());
    // A connection the server hung up on is gone by the time its peer sees the close.
    ExpectOnlyThisClientConnected(c_);
  }
  TestProcess server_;
  RespClient c_;
};

TEST_P(ServerTest, PipelinedCommandsAllRunAndReplyInOrder) {
  std::string wire;
  for (int i = 0; i < 10000; ++i) {
    EncodeCommand({"SET", "k" + std::to_string(i), std::to_string(i)}, &wire);
    EncodeCommand({"GET", "k" + std::to_string(i)}, &wire);
  }
  ASSERT_TRUE(c_.SendRaw(wire));
  for (int i = 0; i < 10000; ++i) {
    Reply set, get;
    ASSERT_TRUE(c_.Read(&set));
    ASSERT_TRUE(c_.Read(&get));
    ASSERT_EQ(set.raw, "+OK\r\n");
    ASSERT_EQ(get.value.str, std::to_string(i));
  }
}

TEST_P(ServerTest, PipelineFarBeyondTheOutputHighWaterMarkCompletes) {
  // 400 GETs of a 100 KB value: 40 MB of replies for 13 KB of requests, all sent before
  // the client reads anything. The server must pause reading while its output drains
  // and then resume on its own: nothing new arrives to wake it.
  std::string value(100 * 1024, 'v');
  ASSERT_EQ(c_.Call({"SET", "big", value}).raw, "+OK\r\n");
  std::string wire;
  for (int i = 0; i < 400; ++i) EncodeCommand({"GET", "big"}, &wire);
  ASSERT_TRUE(c_.SendRaw(wire));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // let the kernel buffers fill
  for (int i = 0; i < 400; ++i) {
    Reply r;
    ASSERT_TRUE(c_.Read(&r, std::chrono::seconds(20))) << "stalled at reply " << i;
    ASSERT_EQ(r.value.str.size(), value.size());
  }
  EXPECT_EQ(c_.Call({"PING"}).raw, "+PONG\r\n");
}

TEST_P(ServerTest, CommandSplitAcrossManyWrites) {
  std::string wire = EncodeCommand({"SET", "split", std::string(1000, 'x')});
  for (size_t i = 0; i < wire.size(); i += 37) {
    ASSERT_TRUE(c_.SendRaw(wire.substr(i, 37)));
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
  Reply r;
  ASSERT_TRUE(c_.Read(&r));
  EXPECT_EQ(r.raw, "+OK\r\n");
  EXPECT_EQ(c_.Call({"STRLEN", "split"}).value.integer, 1000);
}

TEST_P(ServerTest, LargeValuesRoundTrip) {
  std::string big(20 * 1024 * 1024, 'b');
  big[12345] = '\r';
  EXPECT_EQ(c_.Call({"SET", "big", big}).raw, "+OK\r\n");
  EXPECT_EQ(c_.Call({"GET", "big"}).value.str, big);
}

TEST_P(ServerTest, ProtocolErrorClosesOnlyThatConnection) {
  ExpectRejectedAndClosed("*1\r\n$x\r\n", "-ERR Protocol error: invalid bulk length\r\n");
  EXPECT_EQ(c_.Call({"PING"}).raw, "+PONG\r\n");
}

TEST_P(ServerTest, CommandErrorsKeepTheConnection) {
  EXPECT_EQ(c_.Call({"NOSUCH"}).value.type, RespValue::Type::kError);
  EXPECT_EQ(c_.Call({"GET"}).value.type, RespValue::Type::kError);
  EXPECT_EQ(c_.Call({"PING"}).raw, "+PONG\r\n");
}

TEST_P(ServerTest, OversizedBulkIsRefusedBeforeItArrives) {
  EXPECT_EQ(c_.Call({"CONFIG", "SET", "proto-max-bulk-len", "1mb"}).raw, "+OK\r\n");
  ExpectRejectedAndClosed("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$2000000\r\n",
                          "-ERR Protocol error: invalid bulk length\r\n");
}

TEST_P(ServerTest, HostileHeadersDoNotMakeTheServerAllocate) {
  int64_t before = InfoField(c_, "memory", "used_memory");
  std::vector<std::unique_ptr<RespClient>> hostile;
  for (int i = 0; i < 20; ++i) {
    auto h = std::make_unique<RespClient>();
    ASSERT_TRUE(h->Connect(server_.port()));
    h->SendRaw("*2147483647\r\n$536870912\r\nabc");
    hostile.push_back(std::move(h));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  int64_t after = InfoField(c_, "memory", "used_memory");
  EXPECT_LT(after - before, 16 * 1024 * 1024) << "hostile headers grew memory";
  EXPECT_EQ(c_.Call({"PING"}).raw, "+PONG\r\n");
}

TEST_P(ServerTest, QuitRepliesThenCloses) {
  RespClient quitter;
  ASSERT_TRUE(quitter.Connect(server_.port()));
  EXPECT_EQ(quitter.Call({"QUIT"}).raw, "+OK\r\n");
  EXPECT_TRUE(quitter.WaitClosed());
  ExpectOnlyThisClientConnected(c_);
}

TEST_P(ServerTest, ClientKillClosesAnotherClient) {
  RespClient victim;
  ASSERT_TRUE(victim.Connect(server_.port()));
  int64_t id = victim.Call({"CLIENT", "ID"}).value.integer;
  EXPECT_EQ(c_.Call({"CLIENT", "KILL", "ID", std::to_string(id)}).value.integer, 1);
  EXPECT_TRUE(victim.WaitClosed());
  std::string list = c_.Call({"CLIENT", "LIST"}).value.str;
  EXPECT_EQ(list.find("id=" + std::to_string(id) + " "), std::string::npos);
}

TEST_P(ServerTest, ConcurrentIncrementsAreExact) {
  constexpr int kThreads = 8, kPerThread = 5000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      RespClient c;
      ASSERT_TRUE(c.Connect(server_.port()));
      std::string wire;
      for (int i = 0; i < kPerThread; ++i) EncodeCommand({"INCR", "counter"}, &wire);
      c.SendRaw(wire);
      Reply r;
      for (int i = 0; i < kPerThread; ++i) ASSERT_TRUE(c.Read(&r));
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(c_.Call({"GET", "counter"}).value.str, std::to_string(kThreads * kPerThread));
}

TEST_P(ServerTest, MultiKeyCommandsAreAtomicAcrossShards) {
  // Writers set both keys to the same value with MSET; readers must never see them differ.
  std::atomic<bool> stop{false};
  std::atomic<int> torn{0};
  std::thread writer([&] {
    RespClient c;
    ASSERT_TRUE(c.Connect(server_.port()));
    for (int i = 0; i < 20000 && !stop; ++i) {
      std::string v = std::to_string(i);
      c.Call({"MSET", "left", v, "right", v, "middle", v});
    }
    stop = true;
  });
  std::thread reader([&] {
    RespClient c;
    ASSERT_TRUE(c.Connect(server_.port()));
    while (!stop) {
      Reply r = c.Call({"MGET", "left", "middle", "right"});
      if (r.value.elems.size() == 3 && !(r.value.elems[0] == r.value.elems[1] && r.value.elems[1] == r.value.elems[2])) {
        ++torn;
      }
    }
  });
  writer.join();
  reader.join();
  EXPECT_EQ(torn.load(), 0);
}

TEST_P(ServerTest, ExpiredKeysAreReclaimedWithoutBeingTouched) {
  // 1,000,000 keys with a 1 s TTL, never read again: active expiry must remove them all
  // (and give their memory back) within a few seconds while the server keeps answering.
  // Without the log: RocksDB's write buffer would hold the SETs and hide what expiry frees.
  ASSERT_EQ(c_.Call({"CONFIG", "SET", "appendonly", "no", "save", ""}).value.str, "OK");
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // the cron applies it
  int64_t base_mem = InfoField(c_, "memory", "used_memory");
  constexpr int kKeys = 1000000, kBatch = 10000;
  for (int b = 0; b < kKeys / kBatch; ++b) {
    std::string wire;
    for (int i = 0; i < kBatch; ++i) {
      EncodeCommand({"SET", "ttl:" + std::to_string(b * kBatch + i), "some-value-21-bytes!!", "PX", "1000"}, &wire);
    }
    ASSERT_TRUE(c_.SendRaw(wire));
    Reply r;
    for (int i = 0; i < kBatch; ++i) ASSERT_TRUE(c_.Read(&r));
  }
  int64_t loaded = c_.Call({"DBSIZE"}).value.integer;
  EXPECT_GT(loaded, 0);
  auto start = std::chrono::steady_clock::now();
  int64_t left = loaded;
  double worst_ping_ms = 0;
  while (left > 0 && std::chrono::steady_clock::now() - start < std::chrono::seconds(15)) {
    auto t0 = std::chrono::steady_clock::now();
    ASSERT_EQ(c_.Call({"PING"}).raw, "+PONG\r\n");
    worst_ping_ms = std::max(worst_ping_ms, std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    left = c_.Call({"DBSIZE"}).value.integer;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_EQ(left, 0) << "keys still present after " << secs << " s";
  int64_t after_mem = InfoField(c_, "memory", "used_memory");
  EXPECT_LT(after_mem - base_mem, 8 * 1024 * 1024) << "memory not returned: " << after_mem;
  EXPECT_GE(InfoField(c_, "stats", "expired_keys"), loaded);
  // Liveness, not a benchmark: a stall of a whole second would mean expiry blocks clients.
  EXPECT_LT(worst_ping_ms, 1000.0);
  RecordProperty("reclaim_seconds", std::to_string(secs));
  RecordProperty("worst_ping_ms", std::to_string(worst_ping_ms));
}

TEST_P(ServerTest, ShutdownCommandStopsTheProcess) {
  c_.Send({"SHUTDOWN", "NOSAVE"});
  EXPECT_TRUE(c_.WaitClosed());
  int status = server_.Stop(0, 10000);  // signal 0: just wait for the exit
  ASSERT_NE(status, -1);
  EXPECT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

TEST_P(ServerTest, SigtermShutsDownGracefully) {
  int status = server_.Stop(SIGTERM);
  ASSERT_NE(status, -1);
  EXPECT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

INSTANTIATE_TEST_SUITE_P(IoLoop, ServerTest, ::testing::Values(0, 50),
                         [](const ::testing::TestParamInfo<int>& p) {
                           return p.param == 0 ? std::string("Sleeping") : "BusyPoll" + std::to_string(p.param) + "us";
                         });

TEST(ServerStartup, BadOptionStopsWithExitCode1) {
  TestProcess p = TestProcess::StartMinired({"--no-such-option", "1"});
  EXPECT_FALSE(p.ok());
  EXPECT_NE(p.error().find("--no-such-option"), std::string::npos) << p.error();
}

TEST(ServerStartup, BadConfigFileLineIsNamed) {
  testing::ChildProcess server("minired-conf");
  const std::string path = server.dir() + "/minired.conf", log = server.dir() + "/server.log";
  std::ofstream(path) << "port 6399\n# fine\nthreads two\n";
  server.Spawn(testing::MiniredServerPath(), {path}, log);
  int status = server.Wait();
  EXPECT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 1);
  std::string msg = testing::ReadFileText(log);
  EXPECT_NE(msg.find(path + ":3"), std::string::npos) << msg;
  EXPECT_NE(msg.find("threads two"), std::string::npos) << msg;
}

}  // namespace
}  // namespace minired
