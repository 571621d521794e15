// Client controls against redis-server 7.0: CLIENT REPLY, CLIENT PAUSE / UNPAUSE and
// CLIENT UNBLOCK, replies compared byte for byte and waits observed from other clients.
#include <chrono>
#include <set>
#include <thread>

#include "tests/integration/differential.h"

namespace minired {
namespace {

using namespace std::chrono_literals;
using ClientControls = Differential;

// A second client on each server.
struct Pair {
  RespClient r, m;
  bool Connect(int redis_port, int minired_port) { return r.Connect(redis_port) && m.Connect(minired_port); }
  void Send(const std::vector<std::string>& cmd) {
    ASSERT_TRUE(r.Send(cmd));
    ASSERT_TRUE(m.Send(cmd));
  }
  // The next reply of each, compared; false if either did not come within `wait`.
  bool ReadSame(std::chrono::milliseconds wait = 5s) {
    Reply want, got;
    bool rw = r.Read(&want, wait), mw = m.Read(&got, wait);
    EXPECT_EQ(mw, rw) << "minired " << (mw ? "answered" : "did not answer") << ", redis-server "
                      << (rw ? "answered" : "did not");
    if (rw && mw) {
      EXPECT_EQ(got.raw, want.raw);
    }
    return rw && mw;
  }
  // Neither answers within `wait`: the command is held back on both.
  void ExpectHeld(std::chrono::milliseconds wait = 150ms) {
    Reply a, b;
    EXPECT_FALSE(r.Read(&a, wait)) << "redis-server answered: " << a.raw;
    EXPECT_FALSE(m.Read(&b, wait)) << "minired answered: " << b.raw;
  }
};

// CLIENT INFO / CLIENT LIST lines as ordered (field, value) pairs.
std::vector<std::pair<std::string, std::string>> Fields(const std::string& line) {
  std::vector<std::pair<std::string, std::string>> out;
  size_t pos = 0;
  while (pos < line.size()) {
    size_t end = line.find_first_of(" \n", pos);
    if (end == std::string::npos) end = line.size();
    std::string kv = line.substr(pos, end - pos);
    size_t eq = kv.find('=');
    if (eq != std::string::npos) out.emplace_back(kv.substr(0, eq), kv.substr(eq + 1));
    pos = end + 1;
  }
  return out;
}

// Compares the field names, in order, and the values that do not depend on the process
// or the moment (ids, ports, descriptors, buffer capacities, memory and seconds do).
// `caller`: the line of the client that asked, whose query buffer holds the command
// being run (other clients' buffers hold what Redis kept of their last command).
// lib-name and lib-ver, which Redis 7.2 added, close minired's lines.
void CompareClientLine(const std::string& want_line, const std::string& got_line, bool caller = true) {
  static const std::set<std::string> kProcessDependent = {"id", "addr", "laddr", "fd", "qbuf-free", "rbs", "rbp",
                                                          "tot-mem", "multi-mem", "age", "idle"};
  auto want = Fields(want_line), got = Fields(got_line);
  ASSERT_EQ(got.size(), want.size() + 2) << got_line;
  EXPECT_EQ(got[want.size()].first, "lib-name");
  EXPECT_EQ(got[want.size() + 1].first, "lib-ver");
  for (size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(got[i].first, want[i].first);
    if (kProcessDependent.count(want[i].first)) continue;
    if (!caller && (want[i].first == "qbuf" || want[i].first == "argv-mem")) continue;
    EXPECT_EQ(got[i].second, want[i].second) << want[i].first;
  }
}

TEST_F(ClientControls, ReplyOffSkipAndOn) {
  Pair p;
  ASSERT_TRUE(p.Connect(redis_->port(), minired_->port()));
  for (const std::vector<std::string>& cmd :
       std::vector<std::vector<std::string>>{{"CLIENT", "REPLY", "SKIP"}, {"SET", "a", "1"}, {"GET", "a"},
                                             {"CLIENT", "REPLY", "OFF"}, {"SET", "b", "2"}, {"GET", "b"},
                                             {"NOSUCH"}, {"CLIENT", "REPLY", "SKIP"}, {"GET", "a"},
                                             {"CLIENT", "REPLY", "ON"}, {"GET", "b"}}) {
    p.Send(cmd);
  }
  ASSERT_TRUE(p.ReadSame());  // GET a
  ASSERT_TRUE(p.ReadSame());  // CLIENT REPLY ON
  ASSERT_TRUE(p.ReadSame());  // GET b
  p.ExpectHeld(100ms);        // nothing else was answered
  Compare({{"CLIENT", "REPLY"}, {"CLIENT", "REPLY", "MAYBE"}, {"CLIENT", "REPLY", "ON", "x"}});
}

TEST_F(ClientControls, PauseWriteHoldsWritesAndLetsReadsThrough) {
  Pair p;
  ASSERT_TRUE(p.Connect(redis_->port(), minired_->port()));
  Compare({{"SET", "k", "v"}, {"CLIENT", "PAUSE", "10000", "WRITE"}});
  p.Send({"GET", "k"});
  ASSERT_TRUE(p.ReadSame(1s));  // reads go on
  p.Send({"SET", "k"});  // refused at once: arity comes before the pause, as in Redis
  ASSERT_TRUE(p.ReadSame(1s));
  p.Send({"NOSUCH", "k"});
  ASSERT_TRUE(p.ReadSame(1s));
  p.Send({"SET", "k", "w"});
  p.ExpectHeld();
  p.Send({"MULTI"});  // MULTI queues nothing yet: it waits behind the SET
  Compare({{"GET", "k"}, {"CLIENT", "UNPAUSE"}});
  ASSERT_TRUE(p.ReadSame());  // SET
  ASSERT_TRUE(p.ReadSame());  // MULTI
  p.Send({"DISCARD"});
  ASSERT_TRUE(p.ReadSame());
  Compare({{"GET", "k"}});
}

TEST_F(ClientControls, PauseAllHoldsEverythingUntilItsDeadline) {
  Pair p;
  ASSERT_TRUE(p.Connect(redis_->port(), minired_->port()));
  auto start = std::chrono::steady_clock::now();
  Compare({{"CLIENT", "PAUSE", "300", "ALL"}});
  p.Send({"PING"});
  p.ExpectHeld(100ms);
  ASSERT_TRUE(p.ReadSame(5s));
  EXPECT_GE(std::chrono::steady_clock::now() - start, 250ms);
  // A pause too long for any clock lasts until UNPAUSE.
  Compare({{"CLIENT", "PAUSE", "9223372036854775807", "WRITE"}, {"GET", "k"}, {"CLIENT", "UNPAUSE"}, {"SET", "k", "v"}});
  Compare({{"CLIENT", "PAUSE", "abc"}, {"CLIENT", "PAUSE", "-1"}, {"CLIENT", "PAUSE", "10", "SOME"},
           {"CLIENT", "PAUSE", "10", "ALL", "x"}, {"CLIENT", "PAUSE", "1.5"}, {"CLIENT", "UNPAUSE", "x"},
           {"CLIENT", "UNPAUSE"}});
}

// Keys that expire during a pause are not removed (a read sees them gone), so a
// paused server writes nothing of its own.
TEST_F(ClientControls, NothingExpiresWhilePaused) {
  Compare({{"SET", "k", "v", "PX", "50"}, {"SET", "other", "1"}, {"CLIENT", "PAUSE", "2000", "WRITE"}});
  std::this_thread::sleep_for(200ms);
  Compare({{"GET", "k"}, {"EXISTS", "k"}, {"DBSIZE"}, {"CLIENT", "UNPAUSE"}, {"GET", "k"}, {"DBSIZE"}});
}

TEST_F(ClientControls, UnblockEndsAWaitAsATimeoutOrAnError) {
  Pair p;
  ASSERT_TRUE(p.Connect(redis_->port(), minired_->port()));
  int64_t rid = p.r.Call({"CLIENT", "ID"}).value.integer;
  int64_t mid = p.m.Call({"CLIENT", "ID"}).value.integer;
  auto unblock = [&](const std::vector<std::string>& extra) {
    std::vector<std::string> r = {"CLIENT", "UNBLOCK", std::to_string(rid)}, m = {"CLIENT", "UNBLOCK", std::to_string(mid)};
    r.insert(r.end(), extra.begin(), extra.end());
    m.insert(m.end(), extra.begin(), extra.end());
    EXPECT_EQ(m_.Call(m).raw, r_.Call(r).raw);
  };
  unblock({});  // not blocked: 0
  for (const auto& reason : std::vector<std::vector<std::string>>{{}, {"TIMEOUT"}, {"ERROR"}}) {
    for (const std::vector<std::string>& wait : std::vector<std::vector<std::string>>{
             {"BLPOP", "nolist", "0"}, {"BZPOPMAX", "nozset", "0"}, {"BLMOVE", "nolist", "d", "LEFT", "LEFT", "0"},
             {"WAIT", "1", "0"}}) {
      p.Send(wait);
      p.ExpectHeld(100ms);
      unblock(reason);
      ASSERT_TRUE(p.ReadSame()) << wait[0];
    }
  }
  Compare({{"CLIENT", "UNBLOCK", "abc"}, {"CLIENT", "UNBLOCK", "1", "LATER"}, {"CLIENT", "UNBLOCK", "1", "ERROR", "x"},
           {"CLIENT", "UNBLOCK", "999999"}});
  p.Send({"PING"});  // the unblocked client serves on
  ASSERT_TRUE(p.ReadSame());
  // A client unblocked and gone before it read its reply leaves no waiter behind.
  p.Send({"BLPOP", "nolist", "0"});
  p.ExpectHeld(100ms);
  unblock({});
  p.r.Close();
  p.m.Close();
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(testing::InfoField(m_, "clients", "blocked_clients"), testing::InfoField(r_, "clients", "blocked_clients"));
  EXPECT_EQ(testing::InfoField(m_, "clients", "blocked_clients"), 0);
}

}  // namespace
}  // namespace minired

namespace minired {
namespace {

TEST_F(ClientControls, ClientInfoAndListShowRedisFields) {
  auto info = [&](const std::vector<std::string>& setup) {
    for (const auto& cmd : std::vector<std::vector<std::string>>{setup}) {
      if (!cmd.empty()) Compare({cmd});
    }
    CompareClientLine(r_.Call({"CLIENT", "INFO"}).value.str, m_.Call({"CLIENT", "INFO"}).value.str);
  };
  info({});
  info({"CLIENT", "SETNAME", "worker-1"});
  info({"SELECT", "3"});
  for (const char* resp : {"3", "2"}) {  // HELLO's reply holds the client id: not compared
    r_.Call({"HELLO", resp});
    m_.Call({"HELLO", resp});
    info({});
  }
  Compare({{"SELECT", "0"}});
  // Another client subscribed, and another blocked, seen from this one.
  Pair sub, blocked;
  ASSERT_TRUE(sub.Connect(redis_->port(), minired_->port()));
  ASSERT_TRUE(blocked.Connect(redis_->port(), minired_->port()));
  sub.Send({"SUBSCRIBE", "news", "sports"});
  ASSERT_TRUE(sub.ReadSame());
  ASSERT_TRUE(sub.ReadSame());
  blocked.Send({"BLPOP", "nolist", "0"});
  blocked.ExpectHeld(100ms);
  CompareClientLine(r_.Call({"CLIENT", "LIST", "TYPE", "pubsub"}).value.str,
                    m_.Call({"CLIENT", "LIST", "TYPE", "pubsub"}).value.str, false);
  Reply rl = r_.Call({"CLIENT", "LIST", "TYPE", "normal"}), ml = m_.Call({"CLIENT", "LIST", "TYPE", "normal"});
  auto lines = [](const std::string& text) {
    std::vector<std::string> out;
    size_t pos = 0, nl;
    while ((nl = text.find('\n', pos)) != std::string::npos) {
      out.push_back(text.substr(pos, nl - pos));
      pos = nl + 1;
    }
    return out;
  };
  auto want = lines(rl.value.str), got = lines(ml.value.str);
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) CompareClientLine(want[i], got[i], false);
  Compare({{"CLIENT", "LIST", "TYPE", "bogus"}, {"CLIENT", "LIST", "ID", "abc"}, {"CLIENT", "LIST", "FOO"},
           {"CLIENT", "LIST", "ID", "999999"}});
}

}  // namespace
}  // namespace minired

namespace minired {
namespace {

// OBJECT FREQ and IDLETIME answer by the eviction policy as Redis does; MEMORY USAGE's
// options and errors (its byte counts are minired's own layout, so only their presence
// is compared).
TEST_F(ClientControls, ObjectAndMemoryIntrospectionFollowThePolicy) {
  ForBothProtocols([&] {
    Compare({{"SET", "k", "v"}, {"OBJECT", "FREQ", "k"}, {"OBJECT", "FREQ", "nokey"}, {"OBJECT", "IDLETIME", "nokey"},
             {"CONFIG", "SET", "maxmemory-policy", "allkeys-lfu"}, {"OBJECT", "IDLETIME", "k"},
             {"OBJECT", "FREQ", "nokey"}, {"CONFIG", "SET", "maxmemory-policy", "noeviction"},
             {"OBJECT", "HELP", "x"}, {"OBJECT", "FREQ"}, {"OBJECT", "NOSUCH", "k"},
             {"MEMORY", "USAGE", "nokey"}, {"MEMORY", "USAGE", "k", "SAMPLES"}, {"MEMORY", "USAGE", "k", "SAMPLES", "-1"},
             {"MEMORY", "USAGE", "k", "SAMPLES", "abc"}, {"MEMORY", "USAGE", "k", "FOO", "1"}, {"MEMORY", "NOSUCH"}});
    for (const std::vector<std::string>& cmd : std::vector<std::vector<std::string>>{
             {"MEMORY", "USAGE", "k"}, {"MEMORY", "USAGE", "k", "SAMPLES", "0"}, {"MEMORY", "USAGE", "k", "SAMPLES", "5"}}) {
      EXPECT_EQ(m_.Call(cmd).value.type, r_.Call(cmd).value.type);
    }
  });
}

}  // namespace
}  // namespace minired
