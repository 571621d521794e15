// The log writer against a real RocksDB store in a temporary folder: what it reports
// to the latency hook under each fsync policy, and who hands entries to the listener.
#include "storage/log_writer.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

namespace minired {
namespace {

// The log hands its listener each batch; these tests look at the entries one by one.
template <typename F>
std::function<void(std::span<const JournalEntry>)> PerEntry(F f) {
  return [f](std::span<const JournalEntry> batch) mutable {
    for (const JournalEntry& e : batch) f(e);
  };
}

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
    const auto start = std::chrono::steady_clock::now();
    LogWriter log(store_.get(), true, policy, [&](std::string_view event, std::chrono::steady_clock::duration took) {
      // A reported duration was measured within this test's own run.
      EXPECT_LE(took, std::chrono::steady_clock::now() - start) << event;
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


JournalEntry Entry(LogWriter& log) {
  JournalEntry e;
  e.seq = log.next_seq().fetch_add(1);
  e.commands.push_back({0, "*2\r\n$3\r\nDEL\r\n$1\r\nk\r\n"});
  return e;
}

// Listens to a log: the sequence numbers heard, and whether the listener ever ran on two
// threads at once.
struct HeardInOrder {
  explicit HeardInOrder(LogWriter& log) {
    log.SetListener(PerEntry([this](const JournalEntry& e) {
      if (inside.fetch_add(1) != 0) overlapped = true;
      heard.push_back(e.seq);
      inside.fetch_sub(1);
    }));
  }
  // Every entry 1..n heard once, in order, one thread at a time.
  void Expect(size_t n) const {
    ASSERT_EQ(heard.size(), n);
    for (size_t i = 0; i < heard.size(); ++i) ASSERT_EQ(heard[i], i + 1);
    EXPECT_FALSE(overlapped);
  }
  std::vector<uint64_t> heard;
  std::atomic<int> inside{0};
  std::atomic<bool> overlapped{false};
};

// appendonly no: the submitter of the next entry in sequence hands it to the listener
// before Submit returns; one submitted ahead of its turn waits for the missing one.
TEST(LogWriterInline, NothingStoredTheSubmitterDeliversInOrder) {
  LogWriter log(nullptr, false, FsyncPolicy::kEverySec);
  std::vector<uint64_t> heard;
  log.SetListener(PerEntry([&](const JournalEntry& e) { heard.push_back(e.seq); }));
  JournalEntry first = Entry(log), second = Entry(log), third = Entry(log);
  log.Submit(std::move(first));
  EXPECT_EQ(heard, (std::vector<uint64_t>{1}));
  EXPECT_EQ(log.durable_seq(), 1u);
  log.Submit(std::move(third));  // 2 is still being executed elsewhere
  EXPECT_EQ(heard, (std::vector<uint64_t>{1}));
  log.Submit(std::move(second));
  EXPECT_EQ(heard, (std::vector<uint64_t>{1, 2, 3}));
  EXPECT_EQ(log.written_seq(), 3u);
  EXPECT_EQ(log.durable_seq(), 3u);
  log.Stop();
}

// Four threads numbering and submitting at once: the listener hears every entry once,
// in sequence order, never two threads at a time.
TEST(LogWriterInline, ConcurrentSubmittersKeepTheOrder) {
  LogWriter log(nullptr, false, FsyncPolicy::kEverySec);
  HeardInOrder order(log);
  constexpr int kThreads = 4, kEach = 20000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kEach; ++i) log.Submit(Entry(log));
    });
  }
  for (auto& t : threads) t.join();
  log.Stop();
  order.Expect(kThreads * kEach);
}

// With the log on, entries still go through the writer thread (appended first).
TEST_F(LogWriterLatency, StoringTheWriterThreadDelivers) {
  LogWriter log(store_.get(), true, FsyncPolicy::kNo);
  std::mutex mu;
  std::condition_variable cv;
  std::thread::id listener_thread;
  log.SetListener(PerEntry([&](const JournalEntry&) {
    std::lock_guard l(mu);
    listener_thread = std::this_thread::get_id();
    cv.notify_all();
  }));
  log.Submit(Entry(log));
  std::unique_lock l(mu);
  ASSERT_TRUE(cv.wait_for(l, std::chrono::seconds(10), [&] { return listener_thread != std::thread::id(); }));
  EXPECT_NE(listener_thread, std::this_thread::get_id());
  l.unlock();
  log.Stop();
}

// appendfsync always: the thread that calls FlushNow (an I/O thread at the end of its
// turn) appends the ready entries in one synced append and delivers them before it
// returns: no hand-off to the writer thread.
TEST_F(LogWriterLatency, AlwaysTheFlushingThreadAppendsSyncsAndDelivers) {
  std::vector<std::thread::id> reporters;
  std::mutex mu;
  LogWriter log(store_.get(), true, FsyncPolicy::kAlways, [&](std::string_view, std::chrono::steady_clock::duration) {
    std::lock_guard l(mu);
    reporters.push_back(std::this_thread::get_id());
  });
  std::vector<std::pair<uint64_t, std::thread::id>> heard;
  log.SetListener(PerEntry([&](const JournalEntry& e) {
    std::lock_guard l(mu);
    heard.emplace_back(e.seq, std::this_thread::get_id());
  }));
  log.ExpectFlush();
  log.Submit(Entry(log));
  log.Submit(Entry(log));
  bool durable = false;
  log.WaitDurable(2, [&] { durable = true; });
  log.FlushNow();
  {
    std::lock_guard l(mu);
    EXPECT_TRUE(durable);
    EXPECT_EQ(log.durable_seq(), 2u);
    EXPECT_EQ(log.appends(), 1u);  // both entries in one synced append
    ASSERT_EQ(heard.size(), 2u);
    EXPECT_EQ(heard[0], std::make_pair(uint64_t{1}, std::this_thread::get_id()));
    EXPECT_EQ(heard[1], std::make_pair(uint64_t{2}, std::this_thread::get_id()));
    EXPECT_EQ(reporters, std::vector<std::thread::id>{std::this_thread::get_id()});
  }
  log.Stop();
}

// An entry whose predecessor is still being executed elsewhere cannot be appended by
// FlushNow; once the predecessor comes, the writer thread appends both (nobody else
// flushes them), in order.
TEST_F(LogWriterLatency, AlwaysAnEntryAheadOfItsTurnIsLeftToTheWriterThread) {
  LogWriter log(store_.get(), true, FsyncPolicy::kAlways);
  std::mutex mu;
  std::condition_variable cv;
  std::vector<uint64_t> heard;
  log.SetListener(PerEntry([&](const JournalEntry& e) {
    std::lock_guard l(mu);
    heard.push_back(e.seq);
    cv.notify_all();
  }));
  JournalEntry first = Entry(log), second = Entry(log);
  log.Submit(std::move(second));
  log.ExpectFlush();
  log.FlushNow();
  EXPECT_EQ(log.durable_seq(), 0u);
  log.Submit(std::move(first));
  std::unique_lock l(mu);
  ASSERT_TRUE(cv.wait_for(l, std::chrono::seconds(10), [&] { return heard.size() == 2; }));
  EXPECT_EQ(heard, (std::vector<uint64_t>{1, 2}));
  l.unlock();
  log.Stop();
  EXPECT_EQ(log.durable_seq(), 2u);
}

// Four threads submit and flush at once while the writer thread collects too: every
// entry is heard once, in order, one deliverer at a time, and all end up durable.
TEST_F(LogWriterLatency, AlwaysConcurrentFlushersKeepTheOrder) {
  LogWriter log(store_.get(), true, FsyncPolicy::kAlways);
  HeardInOrder order(log);
  constexpr int kThreads = 4, kEach = 500;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        log.Submit(Entry(log));
        if ((i + t) % 3 != 0) {  // some entries are left for the writer thread alone
          log.ExpectFlush();
          log.FlushNow();
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  log.Stop();
  order.Expect(kThreads * kEach);
  EXPECT_EQ(log.durable_seq(), static_cast<uint64_t>(kThreads * kEach));
}

// A thread with a flusher (an I/O thread) is asked to append what it submits, and the
// writer thread leaves those entries to it: no wake-up of the writer per batch. Under
// everysec its append is not synced, and the writer thread syncs it within a second.
TEST_F(LogWriterLatency, EverysecAFlushingThreadAppendsAndTheWriterSyncsItWithinASecond) {
  LogWriter log(store_.get(), true, FsyncPolicy::kEverySec);
  struct Requests {
    int count = 0;
  } requests;
  LogWriter::SetThreadFlusher({[](void* arg, LogWriter& l) {
                                 if (static_cast<Requests*>(arg)->count++ == 0) l.ExpectFlush();
                               },
                               &requests});
  std::vector<std::thread::id> heard;
  std::mutex mu;
  log.SetListener(PerEntry([&](const JournalEntry&) {
    std::lock_guard l(mu);
    heard.push_back(std::this_thread::get_id());
  }));
  for (int i = 0; i < 3; ++i) log.Submit(Entry(log));
  LogWriter::SetThreadFlusher({});
  EXPECT_EQ(requests.count, 3);
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(log.written_seq(), 0u);  // left to the flushing thread
  log.FlushNow();
  EXPECT_EQ(log.written_seq(), 3u);
  EXPECT_EQ(log.appends(), 1u);
  {
    std::lock_guard l(mu);
    EXPECT_EQ(heard, std::vector<std::thread::id>(3, std::this_thread::get_id()));
  }
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(3);
  while (log.durable_seq() < 3 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(log.durable_seq(), 3u);  // the writer thread's everysec sync
  log.Stop();
}

// Under `no` the flushing thread's append counts as done at once, with no sync.
TEST_F(LogWriterLatency, NoPolicyAFlushingThreadsAppendIsDoneAtOnce) {
  std::atomic<int> syncs{0};
  LogWriter log(store_.get(), true, FsyncPolicy::kNo, [&](std::string_view event, std::chrono::steady_clock::duration) {
    if (event != "aof-write") ++syncs;
  });
  LogWriter::SetThreadFlusher({[](void*, LogWriter& l) { l.ExpectFlush(); }, nullptr});
  log.Submit(Entry(log));
  LogWriter::SetThreadFlusher({});
  log.FlushNow();
  EXPECT_EQ(log.written_seq(), 1u);
  EXPECT_EQ(log.durable_seq(), 1u);
  log.Stop();
  EXPECT_EQ(syncs.load(), 0);
}

}  // namespace
}  // namespace minired
