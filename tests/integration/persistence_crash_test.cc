// Persistence under crashes: kill -9 while clients write (under appendfsync always and
// everysec, and in the middle of a snapshot), a torn log tail and damage before the end
// of the log.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <thread>
#include <vector>

#include "tests/testing/background_threads.h"
#include "tests/testing/resp_client.h"
#include "tests/testing/test_process.h"

namespace minired::testing {
namespace {

using namespace std::chrono_literals;

// Clients INCR their own counters one at a time and remember the last acknowledged
// value; the server is killed mid-stream (and mid-snapshot). Under appendfsync always
// every counter comes back as acknowledged, or one more (the INCR in flight).
void CrashWhileWriting(bool snapshot_during, const std::string& policy = "always") {
  TestProcess server = TestProcess::StartMinired({"--appendfsync", policy, "--threads", "2"});
  ASSERT_TRUE(server.ok()) << server.error();
  {
    // Data for the snapshot to chew on while the counters run.
    RespClient filler;
    ASSERT_TRUE(filler.Connect(server.port()));
    std::string wire;
    for (int i = 0; i < 100000; ++i) {
      std::string k = "fill:" + std::to_string(i);
      wire += "*3\r\n$3\r\nSET\r\n$" + std::to_string(k.size()) + "\r\n" + k + "\r\n$5\r\nvalue\r\n";
    }
    filler.SendRaw(wire);
    for (int i = 0; i < 100000; ++i) {
      Reply r;
      ASSERT_TRUE(filler.Read(&r));
    }
  }
  constexpr int kWriters = 4;
  std::vector<int64_t> acked(kWriters, 0);
  std::vector<std::vector<std::chrono::steady_clock::time_point>> ack_times(kWriters);
  BackgroundThreads writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.Run([&, w] {
      RespClient c;
      if (!c.Connect(server.port())) return;
      std::string key = "counter:" + std::to_string(w);
      while (!writers.stopping()) {
        Reply r = c.Call({"INCR", key});
        if (r.value.type != RespValue::Type::kInteger) return;  // killed
        acked[static_cast<size_t>(w)] = r.value.integer;
        ack_times[static_cast<size_t>(w)].push_back(std::chrono::steady_clock::now());
        c.Call({"HSET", "hash:" + std::to_string(w), "n", std::to_string(r.value.integer)});
      }
    });
  }
  std::this_thread::sleep_for(300ms);
  if (snapshot_during) {
    RespClient admin;
    ASSERT_TRUE(admin.Connect(server.port()));
    ASSERT_EQ(admin.Call({"BGSAVE"}).value.str, "Background saving started");
    std::this_thread::sleep_for(std::chrono::milliseconds(std::random_device{}() % 50));
  } else {
    std::this_thread::sleep_for(std::chrono::milliseconds(std::random_device{}() % 300));
  }
  server.Kill9();
  auto killed_at = std::chrono::steady_clock::now();
  writers.StopAndJoin();
  ASSERT_TRUE(server.Restart()) << server.error();
  RespClient c;
  ASSERT_TRUE(c.Connect(server.port()));
  for (int w = 0; w < kWriters; ++w) {
    std::string text = c.Call({"GET", "counter:" + std::to_string(w)}).value.str;
    int64_t got = text.empty() ? 0 : std::stoll(text);
    if (policy == "everysec") {
      // Only writes acknowledged in about the last second may be missing.
      const auto& times = ack_times[static_cast<size_t>(w)];
      for (int64_t v = got; v < acked[static_cast<size_t>(w)]; ++v) {
        EXPECT_LT(killed_at - times[static_cast<size_t>(v)], 2s) << "INCR " << v + 1 << " lost";
      }
      EXPECT_LE(got, acked[static_cast<size_t>(w)] + 1);
      continue;
    }
    EXPECT_GE(got, acked[static_cast<size_t>(w)]) << "an acknowledged INCR was lost";
    EXPECT_LE(got, acked[static_cast<size_t>(w)] + 1) << "an INCR was applied twice";
    EXPECT_GT(got, 0);
  }
  if (policy == "always") {
    EXPECT_EQ(c.Call({"DBSIZE"}).value.integer, 100000 + 2 * kWriters);
  }
}

TEST(Persistence, KillNineUnderAppendfsyncAlwaysLosesNothingAcknowledged) { CrashWhileWriting(false); }

TEST(Persistence, KillNineDuringASnapshotLosesNothingAndAppliesNothingTwice) { CrashWhileWriting(true); }

TEST(Persistence, KillNineUnderEverysecLosesAtMostTheLastSecond) { CrashWhileWriting(false, "everysec"); }

// The log segment a server appends to (storage/log_segments.h).
std::filesystem::path NewestSegment(const std::string& dir) {
  std::filesystem::path newest;
  for (const auto& f : std::filesystem::directory_iterator(dir + "/minired.rocksdb/appendonly")) {
    if (f.path().extension() == ".mlog" && (newest.empty() || f.path().filename() > newest.filename())) newest = f.path();
  }
  return newest;
}

TEST(Persistence, TornLogTailIsDroppedAndDamageBeforeTheEndStopsStartUp) {
  TestProcess server = TestProcess::StartMinired({"--appendfsync", "always"});
  ASSERT_TRUE(server.ok()) << server.error();
  RespClient c;
  ASSERT_TRUE(c.Connect(server.port()));
  for (int i = 0; i < 200; ++i) c.Call({"SET", "k" + std::to_string(i), std::string(200, 'v')});
  server.Kill9();
  auto wal = NewestSegment(server.dir());
  ASSERT_FALSE(wal.empty());
  auto size = std::filesystem::file_size(wal);
  std::filesystem::resize_file(wal, size - 100);  // the last record is torn
  ASSERT_TRUE(server.Restart()) << server.error();
  ASSERT_TRUE(c.Connect(server.port()));
  int64_t n = c.Call({"DBSIZE"}).value.integer;
  EXPECT_GE(n, 198);
  EXPECT_LT(n, 200);
  EXPECT_EQ(c.Call({"GET", "k0"}).value.str, std::string(200, 'v'));
  EXPECT_GT(InfoField(c, "persistence", "aof_last_load_truncated_bytes"), 0);
  EXPECT_NE(server.ReadLog().find("Dropped the last"), std::string::npos) << server.ReadLog();

  // Now damage the middle of the log written since that restart.
  for (int i = 0; i < 200; ++i) c.Call({"SET", "m" + std::to_string(i), std::string(200, 'w')});
  server.Kill9();
  wal = NewestSegment(server.dir());
  {
    std::fstream f(wal, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(std::filesystem::file_size(wal) / 2));
    f.write("garbage!garbage!", 16);
  }
  EXPECT_FALSE(server.Restart());
  EXPECT_NE(server.error().find("aof-load-corrupt"), std::string::npos) << server.error();
}

}  // namespace
}  // namespace minired::testing
