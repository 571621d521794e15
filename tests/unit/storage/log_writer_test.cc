// The log writer against a real RocksDB store in a temporary folder: what it reports
// to the latency hook under each fsync policy.
#include "storage/log_writer.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <map>
#include <mutex>
#include <thread>

namespace minired {
namespace {

namespace fs = std::filesystem;

class LogWriterLatency : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("minired-logwriter-" + std::to_string(getpid()));
    fs::remove_all(dir_);
    Status s = RocksStore::Open({.path = dir_.string()}, &store_);
    ASSERT_TRUE(s.ok()) << s.message();
  }
  void TearDown() override {
    store_.reset();
    fs::remove_all(dir_);
  }

  // Writes one entry under `policy` and waits until it is durable; returns the events
  // reported meanwhile (and for `linger` after).
  std::map<std::string, int> WriteOne(FsyncPolicy policy, std::chrono::milliseconds linger) {
    std::mutex mu;
    std::condition_variable cv;
    std::map<std::string, int> events;
    bool durable = false;
    LogWriter log(store_.get(), true, policy, [&](std::string_view event, std::chrono::steady_clock::duration took) {
      EXPECT_GE(took.count(), 0);
      std::lock_guard l(mu);
      ++events[std::string(event)];
    });
    JournalEntry e;
    e.seq = log.next_seq().fetch_add(1);
    e.commands.push_back({0, "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n"});
    uint64_t seq = e.seq;
    log.Submit(std::move(e));
    log.WaitDurable(seq, [&] {
      std::lock_guard l(mu);
      durable = true;
      cv.notify_all();
    });
    {
      std::unique_lock l(mu);
      EXPECT_TRUE(cv.wait_for(l, std::chrono::seconds(10), [&] { return durable; }));
    }
    std::this_thread::sleep_for(linger);
    log.Stop();
    std::lock_guard l(mu);
    return events;
  }

  fs::path dir_;
  std::unique_ptr<RocksStore> store_;
};

TEST_F(LogWriterLatency, AlwaysReportsEachSyncedAppend) {
  auto events = WriteOne(FsyncPolicy::kAlways, std::chrono::milliseconds(0));
  EXPECT_EQ(events, (std::map<std::string, int>{{"aof-fsync-always", 1}}));
}

TEST_F(LogWriterLatency, EverysecReportsTheAppendAndTheSecondlySync) {
  // Durable under everysec means synced: the append and the once-a-second sync.
  auto events = WriteOne(FsyncPolicy::kEverySec, std::chrono::milliseconds(0));
  EXPECT_EQ(events["aof-write"], 1);
  EXPECT_GE(events["aof-fsync-everysec"], 1);
  EXPECT_EQ(events.count("aof-fsync-always"), 0u);
}

TEST_F(LogWriterLatency, NoPolicyReportsOnlyTheAppend) {
  auto events = WriteOne(FsyncPolicy::kNo, std::chrono::milliseconds(50));
  EXPECT_EQ(events, (std::map<std::string, int>{{"aof-write", 1}}));
}

}  // namespace
}  // namespace minired
