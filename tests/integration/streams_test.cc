// Streams in use, with real processes: consumers failing over with XAUTOCLAIM, many
// consumers blocked on both I/O threads each getting every entry exactly once, every
// acknowledged XADD surviving kill -9 under appendfsync always, and replicas whose
// streams (groups, consumers, pending entries) equal their master's after 100,000
// mixed stream commands and carry on the consumers' work once promoted.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "tests/testing/keyspace_dump.h"
#include "tests/testing/replica_sync.h"
#include "tests/testing/resp_client.h"
#include "tests/testing/test_process.h"

namespace minired::testing {
namespace {

using namespace std::chrono_literals;

// The IDs of an XREADGROUP/XAUTOCLAIM entries array.
std::vector<std::string> EntryIds(const RespValue& entries) {
  std::vector<std::string> ids;
  for (const RespValue& e : entries.elems) ids.push_back(e.elems[0].str);
  return ids;
}

// A consumer takes ten jobs and dies without acknowledging them; once they have been
// idle long enough another consumer claims them, finishes them, and nothing is left
// pending. The dead consumer's history is empty afterwards.
TEST(StreamsInUse, AnotherConsumerTakesOverADeadConsumersWork) {
  TestProcess server = TestProcess::StartMinired({"--appendonly", "no", "--save", ""});
  ASSERT_TRUE(server.ok()) << server.error();
  RespClient c;
  ASSERT_TRUE(c.Connect(server.port()));
  ASSERT_EQ(c.Call({"XGROUP", "CREATE", "jobs", "workers", "$", "MKSTREAM"}).value.str, "OK");
  for (int i = 0; i < 30; ++i) c.Call({"XADD", "jobs", "*", "job", std::to_string(i)});
  std::vector<std::string> taken;
  {
    RespClient doomed;
    ASSERT_TRUE(doomed.Connect(server.port()));
    Reply r = doomed.Call({"XREADGROUP", "GROUP", "workers", "doomed", "COUNT", "10", "STREAMS", "jobs", ">"});
    ASSERT_EQ(r.value.elems.size(), 1u) << r.value.DebugString();
    taken = EntryIds(r.value.elems[0].elems[1]);
    ASSERT_EQ(taken.size(), 10u);
  }  // its connection closes: the entries stay pending for it
  // The survivor works through the rest meanwhile.
  Reply rest = c.Call({"XREADGROUP", "GROUP", "workers", "survivor", "STREAMS", "jobs", ">"});
  std::vector<std::string> own = EntryIds(rest.value.elems[0].elems[1]);
  ASSERT_EQ(own.size(), 20u);
  std::vector<std::string> ack = {"XACK", "jobs", "workers"};
  ack.insert(ack.end(), own.begin(), own.end());
  EXPECT_EQ(c.Call(ack).value.integer, 20);
  // Too soon: nothing has been idle for 200 ms yet.
  Reply early = c.Call({"XAUTOCLAIM", "jobs", "workers", "survivor", "200", "0"});
  EXPECT_TRUE(early.value.elems[1].elems.empty()) << early.value.DebugString();
  std::this_thread::sleep_for(250ms);
  Reply claimed = c.Call({"XAUTOCLAIM", "jobs", "workers", "survivor", "200", "0", "COUNT", "100"});
  ASSERT_EQ(claimed.value.elems.size(), 3u);
  EXPECT_EQ(claimed.value.elems[0].str, "0-0");  // the whole PEL was scanned
  EXPECT_EQ(EntryIds(claimed.value.elems[1]), taken);
  // Delivered twice now.
  Reply pending = c.Call({"XPENDING", "jobs", "workers", "-", "+", "100"});
  ASSERT_EQ(pending.value.elems.size(), 10u);
  for (const RespValue& p : pending.value.elems) {
    EXPECT_EQ(p.elems[1].str, "survivor");
    EXPECT_EQ(p.elems[3].integer, 2);
  }
  ack = {"XACK", "jobs", "workers"};
  ack.insert(ack.end(), taken.begin(), taken.end());
  EXPECT_EQ(c.Call(ack).value.integer, 10);
  EXPECT_EQ(c.Call({"XPENDING", "jobs", "workers"}).value.elems[0].integer, 0);
  Reply history = c.Call({"XREADGROUP", "GROUP", "workers", "doomed", "STREAMS", "jobs", "0"});
  EXPECT_TRUE(history.value.elems[0].elems[1].elems.empty()) << history.value.DebugString();
  EXPECT_EQ(c.Call({"XGROUP", "DELCONSUMER", "jobs", "workers", "doomed"}).value.integer, 0);
}

// Twenty consumers of one group block on both I/O threads; a producer adds 600 entries
// in small bursts. Every entry reaches exactly one consumer, and the group ends with
// everything delivered and acknowledged.
TEST(StreamsInUse, ManyBlockedConsumersGetEveryEntryExactlyOnce) {
  TestProcess server = TestProcess::StartMinired({"--appendonly", "no", "--save", "", "--threads", "2"});
  ASSERT_TRUE(server.ok()) << server.error();
  RespClient admin;
  ASSERT_TRUE(admin.Connect(server.port()));
  admin.Call({"XGROUP", "CREATE", "feed", "g", "$", "MKSTREAM"});
  constexpr int kConsumers = 20, kEntries = 600;
  std::mutex mu;
  std::multiset<std::string> seen;
  std::atomic<bool> done{false};
  std::vector<std::thread> consumers;
  for (int i = 0; i < kConsumers; ++i) {
    consumers.emplace_back([&, i] {
      RespClient c;
      if (!c.Connect(server.port())) return;
      const std::string name = "c" + std::to_string(i);
      while (!done.load()) {
        Reply r = c.Call({"XREADGROUP", "GROUP", "g", name, "COUNT", "5", "BLOCK", "100", "STREAMS", "feed", ">"});
        if (r.value.is_null() || r.value.elems.empty()) continue;
        std::vector<std::string> ids = EntryIds(r.value.elems[0].elems[1]);
        std::vector<std::string> ack = {"XACK", "feed", "g"};
        ack.insert(ack.end(), ids.begin(), ids.end());
        c.Call(ack);
        std::lock_guard<std::mutex> l(mu);
        seen.insert(ids.begin(), ids.end());
      }
    });
  }
  std::this_thread::sleep_for(200ms);  // most of them are blocked by now
  RespClient producer;
  ASSERT_TRUE(producer.Connect(server.port()));
  std::set<std::string> added;
  for (int i = 0; i < kEntries; ++i) {
    added.insert(producer.Call({"XADD", "feed", "*", "n", std::to_string(i)}).value.str);
    if (i % 50 == 49) std::this_thread::sleep_for(5ms);
  }
  auto deadline = std::chrono::steady_clock::now() + 20s;
  while (std::chrono::steady_clock::now() < deadline) {
    {
      std::lock_guard<std::mutex> l(mu);
      if (seen.size() >= added.size()) break;
    }
    std::this_thread::sleep_for(20ms);
  }
  done = true;
  for (auto& t : consumers) t.join();
  EXPECT_EQ(seen.size(), added.size());  // no entry twice (a multiset) ...
  EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()), added);  // ... and none missing
  EXPECT_EQ(admin.Call({"XPENDING", "feed", "g"}).value.elems[0].integer, 0);
  EXPECT_EQ(InfoField(admin, "clients", "blocked_clients"), 0);
}

// A writer adds entries one by one, each acknowledged before the next; kill -9 lands in
// the middle. Under appendfsync always every acknowledged ID is there after the
// restart, in order, with the stream's counters and its group's pending entries.
TEST(StreamsInUse, AcknowledgedEntriesSurviveKillNine) {
  TestProcess server = TestProcess::StartMinired({"--appendfsync", "always"});
  ASSERT_TRUE(server.ok()) << server.error();
  RespClient c;
  ASSERT_TRUE(c.Connect(server.port()));
  c.Call({"XGROUP", "CREATE", "log", "g", "$", "MKSTREAM"});
  std::vector<std::string> acked;
  std::atomic<size_t> acked_count{0};
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    RespClient w;
    if (!w.Connect(server.port())) return;
    for (int i = 0; !stop.load(); ++i) {
      Reply r = w.Call({"XADD", "log", "*", "i", std::to_string(i)});
      if (r.value.type != RespValue::Type::kBulkString) return;  // killed
      acked.push_back(r.value.str);
      acked_count.store(acked.size());
      if (i % 10 == 9) w.Call({"XREADGROUP", "GROUP", "g", "reader", "COUNT", "3", "STREAMS", "log", ">"});
      if (i == 300) w.Call({"BGSAVE"});
    }
  });
  // The kill lands some way past the BGSAVE, however slow this disk's fsync is (a CI
  // runner managed fewer than 300 fsyncs in 1.5 s).
  const auto deadline = std::chrono::steady_clock::now() + 60s;
  while (acked_count.load() < 400 && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(10ms);
  std::this_thread::sleep_for(100ms);
  server.Kill9();
  stop = true;
  writer.join();
  ASSERT_GT(acked.size(), 300u);
  ASSERT_TRUE(server.Restart()) << server.error();
  ASSERT_TRUE(c.Connect(server.port()));
  Reply all = c.Call({"XRANGE", "log", "-", "+"});
  std::vector<std::string> ids = EntryIds(all.value);
  // Every acknowledged entry, and at most the one in flight when the kill came.
  ASSERT_GE(ids.size(), acked.size());
  ASSERT_LE(ids.size(), acked.size() + 1);
  EXPECT_TRUE(std::equal(acked.begin(), acked.end(), ids.begin()));
  Reply info = c.Call({"XINFO", "STREAM", "log"});
  std::map<std::string, RespValue> fields;
  for (size_t i = 0; i + 1 < info.value.elems.size(); i += 2) fields[info.value.elems[i].str] = info.value.elems[i + 1];
  EXPECT_EQ(fields["entries-added"].integer, static_cast<int64_t>(ids.size()));
  EXPECT_EQ(fields["last-generated-id"].str, ids.back());
  Reply pending = c.Call({"XPENDING", "log", "g"});
  EXPECT_GE(pending.value.elems[0].integer, static_cast<int64_t>(3 * ((acked.size() - 1) / 10)));
}

// Streams count in used_memory as they grow and are given back when deleted; under
// maxmemory they are evicted like any other key, and memory stays near the limit.
TEST(StreamsInUse, StreamMemoryIsCountedAndEvicted) {
  TestProcess server = TestProcess::StartMinired({"--appendonly", "no", "--save", ""});
  ASSERT_TRUE(server.ok()) << server.error();
  RespClient c;
  ASSERT_TRUE(c.Connect(server.port()));
  const int64_t base = InfoField(c, "memory", "used_memory");
  for (int i = 0; i < 100000; ++i) c.Send({"XADD", "big", "*", "payload", std::string(100, 'x')});
  Reply r;
  for (int i = 0; i < 100000; ++i) ASSERT_TRUE(c.Read(&r));
  const int64_t grown = InfoField(c, "memory", "used_memory") - base;
  EXPECT_GT(grown, 100000 * 100);  // at least the payloads
  EXPECT_LT(grown, 100000 * 200);
  const int64_t usage = c.Call({"MEMORY", "USAGE", "big"}).value.integer;
  EXPECT_GT(usage, grown * 8 / 10);
  EXPECT_LT(usage, grown * 12 / 10);
  c.Call({"DEL", "big"});
  EXPECT_TRUE(WaitFor([&] { return InfoField(c, "memory", "used_memory") - base < grown / 10; }));

  c.Call({"CONFIG", "SET", "maxmemory-policy", "allkeys-lru"});
  c.Call({"CONFIG", "SET", "maxmemory", std::to_string(base + 8 * 1024 * 1024)});
  for (int i = 0; i < 40000; ++i) {
    c.Send({"XADD", "s:" + std::to_string(i % 400), "*", "payload", std::string(500, 'y')});
  }
  for (int i = 0; i < 40000; ++i) ASSERT_TRUE(c.Read(&r));
  EXPECT_GT(InfoField(c, "stats", "evicted_keys"), 0);
  EXPECT_LT(InfoField(c, "memory", "used_memory"), base + 10 * 1024 * 1024);
}

// Mixed stream commands, pipelined: adds with server-made IDs and approximate trims,
// deletions, group reads new and old, acknowledgements, claims by idle time and by
// force, group and consumer changes.
void MixedStreamCommands(RespClient& c, int n, int seed) {
  std::mt19937 rng(seed);
  const char* groups[] = {"g1", "g2", "g3"};
  int sent = 0;
  while (sent < n) {
    const int batch = std::min(500, n - sent);
    for (int i = 0; i < batch; ++i) {
      const std::string key = "s" + std::to_string(rng() % 4);
      const std::string group = groups[rng() % 3];
      const std::string consumer = "c" + std::to_string(rng() % 5);
      const std::string id = std::to_string(rng() % 3000000000000ULL) + "-0";
      switch (rng() % 16) {
        case 0: case 1: case 2: case 3:
          c.Send({"XADD", key, "*", "f", std::to_string(rng()), "g", "x"});
          break;
        case 4: c.Send({"XADD", key, "MAXLEN", "~", "300", "*", "f", "v"}); break;
        case 5: c.Send({"XGROUP", "CREATE", key, group, "0", "MKSTREAM"}); break;
        case 6: case 7:
          c.Send({"XREADGROUP", "GROUP", group, consumer, "COUNT", "3", "STREAMS", key, ">"});
          break;
        case 8: c.Send({"XREADGROUP", "GROUP", group, consumer, "COUNT", "2", "STREAMS", key, "0"}); break;
        case 9: c.Send({"XREADGROUP", "GROUP", group, consumer, "NOACK", "COUNT", "1", "STREAMS", key, ">"}); break;
        case 10: c.Send({"XAUTOCLAIM", key, group, consumer, "0", "0", "COUNT", "2"}); break;
        case 11: c.Send({"XCLAIM", key, group, consumer, "0", id, "FORCE", "JUSTID"}); break;
        case 12: c.Send({"XDEL", key, id}); break;
        case 13: c.Send({"XTRIM", key, "MINID", "~", id}); break;
        case 14: c.Send({"XGROUP", "DELCONSUMER", key, group, consumer}); break;
        default: c.Send({"XGROUP", "SETID", key, group, "0"}); break;
      }
    }
    Reply r;
    for (int i = 0; i < batch; ++i) ASSERT_TRUE(c.Read(&r));
    // Acknowledge some of what is pending, by the IDs the master reports.
    for (int k = 0; k < 4; ++k) {
      const std::string key = "s" + std::to_string(k);
      Reply p = c.Call({"XPENDING", key, "g1", "-", "+", "5"});
      std::vector<std::string> ack = {"XACK", key, "g1"};
      for (const RespValue& e : p.value.elems) ack.push_back(e.elems[0].str);
      if (ack.size() > 3) c.Call(ack);
    }
    sent += batch;
  }
}

// An evicted stream answers its blocked group readers -UNBLOCKED at once, even when
// the command whose memory check evicted it is then refused.
TEST(StreamsInUse, AnEvictedStreamUnblocksItsGroupReaders) {
  TestProcess server = TestProcess::StartMinired({"--appendonly", "no", "--save", "", "--threads", "2"});
  ASSERT_TRUE(server.ok()) << server.error();
  RespClient admin, reader;
  ASSERT_TRUE(admin.Connect(server.port()));
  ASSERT_TRUE(reader.Connect(server.port()));
  admin.Call({"CONFIG", "SET", "maxmemory-policy", "allkeys-lru"});
  admin.Call({"XGROUP", "CREATE", "jobs", "workers", "$", "MKSTREAM"});
  reader.Send({"XREADGROUP", "GROUP", "workers", "w1", "BLOCK", "5000", "STREAMS", "jobs", ">"});
  std::this_thread::sleep_for(150ms);
  admin.Call({"CONFIG", "SET", "maxmemory", "1"});
  const auto start = std::chrono::steady_clock::now();
  admin.Call({"SET", "k", "v"});  // evicts every key, then is refused (-OOM)
  Reply r;
  ASSERT_TRUE(reader.Read(&r));
  EXPECT_EQ(r.raw, "-UNBLOCKED the stream key no longer exists\r\n");
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);  // not its 5 s timeout
  admin.Call({"CONFIG", "SET", "maxmemory", "0"});
  EXPECT_EQ(admin.Call({"EXISTS", "jobs"}).value.integer, 0);
}

TEST(StreamsInUse, ReplicaStreamsEqualTheMastersAndAPromotedReplicaCarriesOn) {
  TestProcess master = TestProcess::StartMinired({"--appendonly", "no", "--save", ""});
  ASSERT_TRUE(master.ok()) << master.error();
  TestProcess r1 = TestProcess::StartReplicaOf(master.port());
  ASSERT_TRUE(r1.ok()) << r1.error();
  RespClient m, c1;
  ASSERT_TRUE(m.Connect(master.port()));
  ASSERT_TRUE(c1.Connect(r1.port()));
  MixedStreamCommands(m, 50000, 7);
  // The second replica's full sync carries streams with their groups.
  TestProcess r2 = TestProcess::StartReplicaOf(master.port());
  ASSERT_TRUE(r2.ok()) << r2.error();
  MixedStreamCommands(m, 50000, 8);
  RespClient c2;
  ASSERT_TRUE(c2.Connect(r2.port()));
  ASSERT_TRUE(CaughtUp(m, c1));
  ASSERT_TRUE(CaughtUp(m, c2));
  auto want = DumpKeyspace(m);
  ASSERT_EQ(want.size(), 4u);
  // What is compared holds groups with work in progress, not just entries.
  int64_t pending = 0;
  for (const char* key : {"s0", "s1", "s2", "s3"}) {
    for (const char* group : {"g1", "g2", "g3"}) {
      Reply p = m.Call({"XPENDING", key, group});
      if (!p.value.is_error()) pending += p.value.elems[0].integer;
    }
  }
  EXPECT_GT(pending, 50);
  EXPECT_EQ(DumpKeyspace(c1), want);
  EXPECT_EQ(DumpKeyspace(c2), want);
  // Promoted, a replica hands out the same pending entries its master would.
  ASSERT_EQ(c1.Call({"REPLICAOF", "NO", "ONE"}).value.str, "OK");
  for (const char* key : {"s0", "s1", "s2", "s3"}) {
    std::vector<std::string> claim = {"XAUTOCLAIM", key, "g1", "successor", "0", "0", "COUNT", "50", "JUSTID"};
    Reply a = m.Call(claim), b = c1.Call(claim);
    EXPECT_EQ(b.value, a.value) << key;
    std::vector<std::string> next = {"XREADGROUP", "GROUP", "g2", "successor", "COUNT", "5", "STREAMS", key, ">"};
    EXPECT_EQ(c1.Call(next).value, m.Call(next).value) << key;
  }
}

}  // namespace
}  // namespace minired::testing
