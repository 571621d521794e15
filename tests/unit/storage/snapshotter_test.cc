// The snapshotter against an in-memory sink: every entry of every database comes out
// once, writes made after the snapshot started are not in it, and the pauses it causes
// are reported to the latency hook.
#include "storage/snapshotter.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <map>
#include <mutex>

#include "storage/entry_codec.h"

namespace minired {
namespace {

class MemorySink : public SnapshotSink {
 public:
  Status Begin(SnapshotMeta* meta) override {
    meta->id = 7;
    return Status::Ok();
  }
  Status Chunk(std::string_view data) override {
    chunks.emplace_back(data);
    return Status::Ok();
  }
  Status Finish(const SnapshotMeta& meta) override { return Status::Ok(); }
  void Abort(const SnapshotMeta& meta) override { aborted = true; }
  std::vector<std::string> chunks;
  bool aborted = false;
};

struct CountingJournal : JournalSink {
  void Submit(JournalEntry) override {}
};

void Put(ShardSet& shards, int db, const std::string& key, const std::string& value) {
  uint64_t h = HashKey(key);
  Shard& s = shards.ShardFor(h);
  std::lock_guard<ShardMutex> l(s.mu());
  s.db(db).Upsert(Entry::NewString(key, value, 0), h, 0);
}

TEST(Snapshotter, CapturesTheKeyspaceAsItWasWhenItStarted) {
  ShardSet shards(16, 4);
  for (int i = 0; i < 5000; ++i) Put(shards, i % 4, "key:" + std::to_string(i), "v" + std::to_string(i));
  CountingJournal journal;
  journal.next_seq() = 42;
  std::mutex events_mu;
  std::map<std::string, int> events;  // what the latency monitor would be told
  Snapshotter snap(shards, journal, [&](std::string_view event, std::chrono::steady_clock::duration) {
    std::lock_guard l(events_mu);
    ++events[std::string(event)];
  });
  auto sink = std::make_unique<MemorySink>();
  MemorySink* out = sink.get();
  std::mutex m;
  std::condition_variable cv;
  bool done = false;
  SnapshotMeta result;
  ASSERT_TRUE(snap.Start(1000, std::move(sink), [&](const Status& s, const SnapshotMeta& meta) {
    EXPECT_TRUE(s.ok()) << s.message();
    std::lock_guard l(m);
    result = meta;
    done = true;
    cv.notify_all();
  }));
  // Written after the start: a shard not yet dumped is dumped before this change.
  for (int i = 0; i < 5000; i += 7) Put(shards, 0, "key:" + std::to_string(i), "changed");
  Put(shards, 1, "new-key", "x");
  {
    std::unique_lock l(m);
    cv.wait(l, [&] { return done; });
  }
  snap.Wait();
  EXPECT_EQ(result.id, 7u);
  EXPECT_EQ(result.seq, 41u);
  EXPECT_EQ(result.keys, 5000u);
  std::map<std::string, std::string> seen;
  for (const std::string& chunk : out->chunks) {
    std::string_view in = chunk;
    while (!in.empty()) {
      uint64_t db = static_cast<uint8_t>(in[0]);  // < 128: one varint byte
      in.remove_prefix(1);
      Entry* e = nullptr;
      ASSERT_TRUE(DecodeEntry(&in, &e).ok());
      char scratch[32];
      seen[std::to_string(db) + "/" + std::string(e->key())] = std::string(e->StringView(scratch));
      Entry::Free(e);
    }
  }
  ASSERT_EQ(seen.size(), 5000u);
  for (int i = 0; i < 5000; ++i) {
    EXPECT_EQ(seen[std::to_string(i % 4) + "/key:" + std::to_string(i)], "v" + std::to_string(i)) << i;
  }
  EXPECT_FALSE(out->aborted);
  EXPECT_FALSE(snap.in_progress());
  std::lock_guard l(events_mu);
  EXPECT_EQ(events, (std::map<std::string, int>{{"snapshot-shard", 16}, {"snapshot-start", 1}}));
}

}  // namespace
}  // namespace minired
