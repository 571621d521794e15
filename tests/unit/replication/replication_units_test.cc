// The replication pieces that need no server: the backlog ring, the stream encoder,
// the full-sync payload and the source's history rules.
#include <gtest/gtest.h>

#include <string>

#include "protocol/command_encoder.h"
#include "replication/backlog.h"
#include "replication/payload.h"
#include "replication/source.h"
#include "replication/stream_encoder.h"
#include "storage/entry.h"
#include "storage/snapshotter.h"

namespace minired {
namespace {

TEST(ReplBacklog, KeepsTheNewestBytesAcrossWrapsAndResizes) {
  ReplBacklog b(10);
  EXPECT_EQ(b.first_offset(), 1u);
  EXPECT_TRUE(b.Covers(1));
  EXPECT_FALSE(b.Covers(2));
  b.Append("abcdef");
  EXPECT_EQ(b.end_offset(), 6u);
  std::string out;
  b.CopyFrom(3, &out);
  EXPECT_EQ(out, "cdef");
  b.Append("ghijklm");  // wraps: holds "defghijklm"
  EXPECT_EQ(b.histlen(), 10u);
  EXPECT_EQ(b.first_offset(), 4u);
  EXPECT_FALSE(b.Covers(3));
  out.clear();
  b.CopyFrom(4, &out);
  EXPECT_EQ(out, "defghijklm");
  b.Append("0123456789ABC");  // longer than the ring
  out.clear();
  b.CopyFrom(b.first_offset(), &out);
  EXPECT_EQ(out, "3456789ABC");
  b.Resize(4);
  out.clear();
  b.CopyFrom(b.first_offset(), &out);
  EXPECT_EQ(out, "9ABC");
  EXPECT_EQ(b.end_offset(), 26u);
  out.clear();
  b.CopyFrom(27, &out);  // a replica that has everything: nothing to send
  EXPECT_EQ(out, "");
  b.Reset(100);
  EXPECT_EQ(b.first_offset(), 101u);
  EXPECT_TRUE(b.Covers(101));
}

JournalEntry Entry(uint64_t seq, std::initializer_list<std::pair<int, std::string>> cmds) {
  JournalEntry e;
  e.seq = seq;
  for (const auto& [db, word] : cmds) e.commands.push_back({db, EncodeCommand({"SET", word, "v"})});
  return e;
}

TEST(StreamEncoder, SelectsADatabaseOnlyWhenItChanges) {
  StreamEncoder enc;
  std::string out;
  enc.Encode(Entry(1, {{0, "a"}, {0, "b"}, {3, "c"}}), &out);
  EXPECT_EQ(out, EncodeCommand({"SELECT", "0"}) + EncodeCommand({"SET", "a", "v"}) + EncodeCommand({"SET", "b", "v"}) +
                     EncodeCommand({"SELECT", "3"}) + EncodeCommand({"SET", "c", "v"}));
  out.clear();
  enc.Encode(Entry(2, {{3, "d"}}), &out);
  EXPECT_EQ(out, EncodeCommand({"SET", "d", "v"}));
  enc.ForgetDb();
  out.clear();
  StreamEncoder sizer;
  EXPECT_EQ(sizer.EncodedSize(Entry(1, {{0, "a"}, {3, "c"}})),
            (EncodeCommand({"SELECT", "0"}) + EncodeCommand({"SET", "a", "v"}) + EncodeCommand({"SELECT", "3"}) +
             EncodeCommand({"SET", "c", "v"})).size());
  enc.Encode(Entry(3, {{3, "e"}}), &out);
  EXPECT_EQ(out, EncodeCommand({"SELECT", "3"}) + EncodeCommand({"SET", "e", "v"}));
}

TEST(ReplicationSource, MapsJournalEntriesToOffsetsAndDecidesPartialResyncs) {
  ReplicationSource src(1024);
  src.ActivateBacklog();
  src.FeedEntry(Entry(1, {{0, "a"}}));
  uint64_t after1 = src.position().offset;
  src.FeedEntry(JournalEntry{2, {}});  // wrote nothing: no bytes
  src.FeedEntry(Entry(3, {{1, "b"}}));
  auto p1 = src.OffsetAfterSeq(1, {});
  ASSERT_TRUE(p1);
  EXPECT_EQ(p1->offset, after1);
  EXPECT_EQ(p1->db, 0);
  EXPECT_EQ(src.OffsetAfterSeq(2, {})->offset, after1);
  EXPECT_EQ(src.OffsetAfterSeq(3, {})->db, 1);
  EXPECT_FALSE(src.OffsetAfterSeq(4, {}));  // not fed yet
  src.FeedControl(EncodeCommand({"PING"}));
  EXPECT_EQ(src.OffsetAfterSeq(3, {}, true)->offset, src.position().offset);

  std::string id = src.position().replid;
  auto feed = std::make_shared<ReplicaFeed>(1, "127.0.0.1");
  EXPECT_FALSE(src.TryContinue(std::string(40, 'x'), 1, feed));            // another history
  EXPECT_FALSE(src.TryContinue(id, src.position().offset + 2, feed));      // from the future
  ASSERT_TRUE(src.TryContinue(id, after1 + 1, feed));
  src.FeedEntry(Entry(4, {{1, "d"}}));  // after the resync: follows the catch-up
  std::string sent;
  std::shared_ptr<const std::string> catch_up = feed->Take(&sent);
  EXPECT_EQ(sent, "+CONTINUE " + id + "\r\n");
  ASSERT_NE(catch_up, nullptr);  // not counted against the output limit, unlike the stream
  std::string after_resync;
  EXPECT_EQ(feed->Take(&after_resync), nullptr);
  EXPECT_EQ(catch_up->size() + after_resync.size(), src.position().offset - after1);
  EXPECT_FALSE(after_resync.empty());
  EXPECT_EQ(feed->pending_bytes(), 0u);

  // Promotion: the old id stays valid up to the offset at the switch, not beyond.
  uint64_t at_switch = src.position().offset;
  src.ShiftReplid(NewReplicationId());
  EXPECT_EQ(src.position().replid2, id);
  src.FeedEntry(Entry(5, {{1, "c"}}));
  auto sibling = std::make_shared<ReplicaFeed>(2, "127.0.0.1");
  EXPECT_FALSE(src.TryContinue(id, src.position().offset + 1, sibling));
  EXPECT_TRUE(src.TryContinue(id, at_switch + 1, sibling));
}

TEST(ReplicationSource, CountsTheStreamTheSameWithoutABacklog) {
  ReplicationSource kept(1024), counted(1024);
  kept.ActivateBacklog();
  for (auto* src : {&kept, &counted}) {
    src->FeedEntry(Entry(1, {{0, "a"}, {2, "b"}}));
    src->FeedEntry(Entry(2, {{2, "c"}}));
  }
  EXPECT_EQ(counted.position().offset, kept.position().offset);
  EXPECT_EQ(counted.position().db, 2);
  EXPECT_EQ(counted.position().backlog_histlen, 0u);
  EXPECT_EQ(counted.OffsetAfterSeq(1, {})->offset, kept.OffsetAfterSeq(1, {})->offset);
}

TEST(ReplicationSource, AFullSyncReplicaGetsTheStreamAfterItsSnapshotOnlyAfterThePayload) {
  ReplicationSource src(1024);
  src.ActivateBacklog();
  src.FeedEntry(Entry(1, {{0, "a"}}));
  uint64_t snap = src.position().offset;
  src.FeedEntry(Entry(2, {{0, "b"}}));  // written after the snapshot's position
  auto feed = std::make_shared<ReplicaFeed>(1, "127.0.0.1");
  ASSERT_TRUE(src.AttachFullSync(src.position().replid, snap, feed));
  src.FeedEntry(Entry(3, {{0, "c"}}));
  std::string out;
  EXPECT_EQ(feed->Take(&out), nullptr);
  EXPECT_EQ(out, "+FULLRESYNC " + src.position().replid + " " + std::to_string(snap) + "\r\n");  // stream held
  feed->SetPayload(std::make_shared<const std::string>("PAYLOAD"));
  out.clear();
  auto payload = feed->Take(&out);
  ASSERT_NE(payload, nullptr);
  EXPECT_EQ(out, "$7\r\n");
  out.clear();
  EXPECT_EQ(feed->Take(&out), nullptr);
  EXPECT_EQ(out, EncodeCommand({"SET", "b", "v"}) + EncodeCommand({"SET", "c", "v"}));
}

// A snapshot sink into memory, as the snapshotter feeds it, then loaded back.
TEST(Payload, RoundTripsAKeyspaceAndRejectsDamage) {
  ShardSet shards(4, 2);
  for (int i = 0; i < 100; ++i) {
    std::string key = "k" + std::to_string(i);
    Shard& sh = shards.ShardFor(HashKey(key));
    std::lock_guard<ShardMutex> l(sh.mu());
    sh.db(i % 2).Insert(Entry::NewString(key, "v" + std::to_string(i), 0), HashKey(key));
  }
  struct NullJournal : JournalSink {
    void Submit(JournalEntry) override {}
  } journal;
  Snapshotter snap(shards, journal);
  std::shared_ptr<const std::string> payload;
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;
  auto sink = std::make_unique<PayloadSink>(
      [](const SnapshotMeta&) { return Status::Ok(); },
      [&](const Status& s, SyncPayloads p) {
        EXPECT_TRUE(s.ok());
        payload = p.of(SyncFormat::kMinired);
      });
  ASSERT_TRUE(snap.Start(0, std::move(sink), [&](const Status&, const SnapshotMeta&) {
    std::lock_guard l(mu);
    done = true;
    cv.notify_all();
  }));
  {
    std::unique_lock l(mu);
    cv.wait(l, [&] { return done; });
  }
  ASSERT_NE(payload, nullptr);
  ShardSet copy(4, 2);
  std::atomic<uint64_t> keys{0};
  int db = 7;
  ASSERT_TRUE(LoadPayload(*payload, copy, &keys, &db).ok());
  EXPECT_EQ(keys.load(), 100u);
  EXPECT_EQ(db, -1);
  Shard& sh = copy.ShardFor(HashKey("k41"));
  {
    std::lock_guard<ShardMutex> l(sh.mu());
    EXPECT_TRUE(sh.db(1).Find("k41", HashKey("k41"), 0));
  }

  ShardSet scratch(4, 2);
  EXPECT_EQ(LoadPayload("REDIS0011", scratch, &keys, &db).code(), Status::Code::kCorruption);
  std::string truncated = payload->substr(0, payload->size() / 2);
  ShardSet scratch2(4, 2);
  EXPECT_FALSE(LoadPayload(truncated, scratch2, &keys, &db).ok());
  std::string extra = *payload + "x";
  ShardSet scratch3(4, 2);
  EXPECT_FALSE(LoadPayload(extra, scratch3, &keys, &db).ok());
}

}  // namespace
}  // namespace minired
