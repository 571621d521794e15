// Concurrency tests of transactions, blocking lists, pub/sub and lazy freeing against
// the real binary with several I/O threads and many clients.
#include <gtest/gtest.h>
#include <sys/socket.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "tests/testing/background_threads.h"
#include "tests/testing/resp_client.h"
#include "tests/testing/test_process.h"

namespace minired {
namespace {

using testing::BackgroundThreads;
using testing::InfoField;
using testing::Reply;
using testing::RespClient;
using testing::TestProcess;

class MessagingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = TestProcess::StartMinired({"--threads", "3"});
    ASSERT_TRUE(server_.ok()) << server_.error();
    ASSERT_TRUE(c_.Connect(server_.port()));
  }
  // Waits until INFO clients reports `n` blocked clients.
  bool WaitBlocked(int64_t n) {
    for (int i = 0; i < 500; ++i) {
      if (InfoField(c_, "clients", "blocked_clients") == n) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return false;
  }
  TestProcess server_;
  RespClient c_;
};

// 50 clients increment one counter with optimistic locking: every EXEC that succeeded
// added exactly one, none was lost or applied twice.
TEST_F(MessagingTest, WatchedIncrementsNeverLoseAnUpdate) {
  c_.Call({"SET", "counter", "0"});
  std::atomic<int> committed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 50; ++t) {
    threads.emplace_back([&] {
      RespClient c;
      if (!c.Connect(server_.port())) return;
      for (int i = 0; i < 20; ++i) {
        c.Call({"WATCH", "counter"});
        int64_t v = std::stoll(c.Call({"GET", "counter"}).value.str);
        c.Call({"MULTI"});
        c.Call({"SET", "counter", std::to_string(v + 1)});
        Reply r = c.Call({"EXEC"});
        if (r.value.is_array()) committed.fetch_add(1);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_GT(committed.load(), 0);
  EXPECT_EQ(c_.Call({"GET", "counter"}).value.str, std::to_string(committed.load()));
}

// A transaction over keys in different shards is atomic for readers on other threads.
TEST_F(MessagingTest, ExecIsAtomicAcrossShards) {
  std::atomic<int> torn{0};
  BackgroundThreads reader;
  reader.Run([&] {
    RespClient c;
    ASSERT_TRUE(c.Connect(server_.port()));
    while (!reader.stopping()) {
      Reply r = c.Call({"MGET", "{a}x", "b-other", "c-third"});
      const auto& e = r.value.elems;
      if (e.size() == 3 && !(e[0].str == e[1].str && e[1].str == e[2].str)) torn.fetch_add(1);
    }
  });
  for (int i = 0; i < 2000; ++i) {
    c_.Call({"MULTI"});
    c_.Call({"INCR", "{a}x"});
    c_.Call({"INCR", "b-other"});
    c_.Call({"INCR", "c-third"});
    ASSERT_TRUE(c_.Call({"EXEC"}).value.is_array());
  }
  reader.StopAndJoin();
  EXPECT_EQ(torn.load(), 0);
  EXPECT_EQ(c_.Call({"GET", "c-third"}).value.str, "2000");
}

TEST_F(MessagingTest, BlockedClientsAreServedLongestWaitingFirst) {
  std::vector<std::unique_ptr<RespClient>> waiters;
  for (int i = 0; i < 3; ++i) {
    waiters.push_back(std::make_unique<RespClient>());
    ASSERT_TRUE(waiters.back()->Connect(server_.port()));
    ASSERT_TRUE(waiters.back()->Send({"BLPOP", "q", "other", "0"}));
    ASSERT_TRUE(WaitBlocked(i + 1));  // fixes the arrival order
  }
  EXPECT_EQ(c_.Call({"RPUSH", "q", "1", "2"}).value.integer, 2);
  for (int i = 0; i < 2; ++i) {
    Reply r;
    ASSERT_TRUE(waiters[static_cast<size_t>(i)]->Read(&r));
    ASSERT_EQ(r.value.elems.size(), 2u);
    EXPECT_EQ(r.value.elems[0].str, "q");
    EXPECT_EQ(r.value.elems[1].str, std::to_string(i + 1));
  }
  EXPECT_TRUE(WaitBlocked(1));
  EXPECT_EQ(c_.Call({"EXISTS", "q"}).value.integer, 0);  // both elements went to waiters
  c_.Call({"LPUSH", "other", "x"});
  Reply r;
  ASSERT_TRUE(waiters[2]->Read(&r));
  EXPECT_EQ(r.value.elems[0].str, "other");
  EXPECT_TRUE(WaitBlocked(0));
}

TEST_F(MessagingTest, BlockingTimesOutAndKeepsServingPipelinedCommands) {
  RespClient w;
  ASSERT_TRUE(w.Connect(server_.port()));
  auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(w.SendRaw("*3\r\n$5\r\nBLPOP\r\n$1\r\nq\r\n$3\r\n0.2\r\n*1\r\n$4\r\nPING\r\n"));
  Reply r, pong;
  ASSERT_TRUE(w.Read(&r));
  EXPECT_EQ(r.raw, "*-1\r\n");
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(190));
  ASSERT_TRUE(w.Read(&pong));
  EXPECT_EQ(pong.raw, "+PONG\r\n");
  EXPECT_EQ(InfoField(c_, "clients", "blocked_clients"), 0);
}

TEST_F(MessagingTest, BlmoveWakesAndMovesAcrossShards) {
  RespClient w;
  ASSERT_TRUE(w.Connect(server_.port()));
  ASSERT_TRUE(w.Send({"BLMOVE", "src", "dst", "RIGHT", "LEFT", "0"}));
  ASSERT_TRUE(WaitBlocked(1));
  c_.Call({"RPUSH", "src", "a", "b"});
  Reply r;
  ASSERT_TRUE(w.Read(&r));
  EXPECT_EQ(r.raw, "$1\r\nb\r\n");
  EXPECT_EQ(c_.Call({"LRANGE", "dst", "0", "-1"}).value.elems.at(0).str, "b");
  EXPECT_EQ(c_.Call({"LRANGE", "src", "0", "-1"}).value.elems.at(0).str, "a");
}

TEST_F(MessagingTest, DisconnectedWaiterIsForgotten) {
  {
    RespClient w;
    ASSERT_TRUE(w.Connect(server_.port()));
    ASSERT_TRUE(w.Send({"BLPOP", "q", "0"}));
    ASSERT_TRUE(WaitBlocked(1));
  }
  ASSERT_TRUE(WaitBlocked(0));
  c_.Call({"RPUSH", "q", "kept"});
  EXPECT_EQ(c_.Call({"LPOP", "q"}).value.str, "kept");
}

TEST_F(MessagingTest, MessagesFromOnePublisherArriveInOrder) {
  RespClient sub, pattern_sub;
  ASSERT_TRUE(sub.Connect(server_.port()));
  ASSERT_TRUE(pattern_sub.Connect(server_.port()));
  sub.Call({"SUBSCRIBE", "orders"});
  pattern_sub.Call({"PSUBSCRIBE", "ord*"});
  constexpr int kMessages = 10000;
  std::thread publisher([&] {
    RespClient p;
    ASSERT_TRUE(p.Connect(server_.port()));
    for (int i = 0; i < kMessages; ++i) EXPECT_EQ(p.Call({"PUBLISH", "orders", std::to_string(i)}).value.integer, 2);
  });
  for (int i = 0; i < kMessages; ++i) {
    Reply m, pm;
    ASSERT_TRUE(sub.Read(&m));
    ASSERT_TRUE(pattern_sub.Read(&pm));
    ASSERT_EQ(m.value.elems.at(2).str, std::to_string(i));
    ASSERT_EQ(pm.value.elems.at(3).str, std::to_string(i));
  }
  publisher.join();
}

// A subscriber that stops reading is dropped at its output limit; everyone else is
// served throughout.
TEST_F(MessagingTest, SubscriberThatStopsReadingIsDisconnectedAtItsLimit) {
  c_.Call({"CONFIG", "SET", "client-output-buffer-limit", "pubsub 1mb 512kb 60"});
  RespClient slow;
  ASSERT_TRUE(slow.Connect(server_.port()));
  slow.Call({"SUBSCRIBE", "feed"});  // and never reads again
  std::string payload(64 * 1024, 'x');
  bool dropped = false;
  for (int i = 0; i < 2000 && !dropped; ++i) {
    c_.Call({"PUBLISH", "feed", payload});
    if (i % 20 == 0) {
      Reply r = c_.Call({"PUBSUB", "NUMSUB", "feed"});
      dropped = r.value.elems.size() == 2 && r.value.elems[1].integer == 0;
      EXPECT_EQ(c_.Call({"PING"}).raw, "+PONG\r\n");
    }
  }
  EXPECT_TRUE(dropped);
  EXPECT_EQ(c_.Call({"PUBLISH", "feed", "x"}).value.integer, 0);
}

TEST_F(MessagingTest, BigCollectionsAreFreedInTheBackground) {
  for (int batch = 0; batch < 10; ++batch) {
    std::vector<std::string> cmd = {"SADD", "big"};
    for (int i = 0; i < 1000; ++i) cmd.push_back("m" + std::to_string(batch * 1000 + i));
    c_.Call(cmd);
  }
  c_.Call({"SADD", "small", "a", "b"});
  int64_t before = InfoField(c_, "memory", "lazyfreed_objects");
  EXPECT_EQ(c_.Call({"DEL", "small"}).value.integer, 1);
  EXPECT_EQ(c_.Call({"DEL", "big"}).value.integer, 1);
  EXPECT_EQ(c_.Call({"EXISTS", "big"}).value.integer, 0);
  int64_t after = before;
  for (int i = 0; i < 200 && after == before; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    after = InfoField(c_, "memory", "lazyfreed_objects");
  }
  EXPECT_EQ(after, before + 1);  // the big set only
}

}  // namespace
}  // namespace minired
