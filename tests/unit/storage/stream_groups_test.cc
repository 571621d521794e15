// A stream's consumer groups (storage/encodings/stream_value.h): pending entries move
// between consumers and stay consistent with each consumer's list, copies are
// independent, the read counter and lag follow Redis's rules, and the snapshot codec
// writes streams back exactly and refuses every truncated or inconsistent payload.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "storage/encodings/stream_value.h"
#include "storage/entry.h"
#include "storage/entry_codec.h"

namespace minired {
namespace {

StreamId Id(uint64_t ms, uint64_t seq) { return StreamId{ms, seq}; }

void Add(StreamValue& v, StreamId id) {
  const StreamField f[] = {{"field", "value"}};
  v.stream.Append(id, f, StreamNodeLimits{});
  v.stream.last_id = id;
  ++v.stream.entries_added;
}

// Every PEL entry's consumer lists it, and every consumer's ID is in the PEL.
void ExpectConsistent(const StreamGroup& g) {
  size_t listed = 0;
  for (const auto& [name, c] : g.consumers()) {
    EXPECT_EQ(c->name, name);
    for (StreamId id : c->pending) {
      auto it = g.pel.find(id);
      ASSERT_NE(it, g.pel.end());
      EXPECT_EQ(it->second.consumer, c.get());
    }
    listed += c->pending.size();
  }
  EXPECT_EQ(listed, g.pel.size());
}

TEST(StreamGroups, PendingEntriesFollowTheirConsumer) {
  StreamValue v;
  StreamGroup* g = v.CreateGroup("g", StreamId::Min(), 0);
  ASSERT_NE(g, nullptr);
  EXPECT_EQ(v.CreateGroup("g", StreamId::Min(), 0), nullptr);
  StreamConsumer* alice = g->CreateConsumer("alice", 100);
  StreamConsumer* bob = g->CreateConsumer("bob", 100);
  EXPECT_EQ(g->CreateConsumer("bob", 5), nullptr);
  g->Deliver(Id(1, 1), alice, 200, 1);
  g->Deliver(Id(1, 2), alice, 200, 1);
  g->Deliver(Id(1, 3), bob, 200, 1);
  ExpectConsistent(*g);
  // A delivery to another consumer moves the entry, with the count given.
  const StreamPending& p = g->Deliver(Id(1, 1), bob, 300, 4);
  EXPECT_EQ(p.consumer, bob);
  EXPECT_EQ(p.delivery_count, 4u);
  EXPECT_EQ(p.delivery_ms, 300);
  EXPECT_EQ(alice->pending.size(), 1u);
  EXPECT_EQ(bob->pending.size(), 2u);
  ExpectConsistent(*g);
  EXPECT_TRUE(g->Acknowledge(Id(1, 3)));
  EXPECT_FALSE(g->Acknowledge(Id(1, 3)));
  ExpectConsistent(*g);
  // Deleting a consumer drops its pending entries from the group too.
  EXPECT_EQ(g->DeleteConsumer(bob), 1u);
  EXPECT_EQ(g->FindConsumer("bob"), nullptr);
  EXPECT_EQ(g->pel.size(), 1u);
  ExpectConsistent(*g);
  EXPECT_TRUE(v.DestroyGroup("g"));
  EXPECT_FALSE(v.DestroyGroup("g"));
}

TEST(StreamGroups, GroupsAndConsumersAreKeptInNameOrder) {
  StreamValue v;
  for (const char* name : {"zeta", "alpha", "mid"}) v.CreateGroup(name, StreamId::Min(), 0);
  std::vector<std::string> names;
  for (const auto& [name, g] : v.groups()) names.push_back(name);
  EXPECT_EQ(names, (std::vector<std::string>{"alpha", "mid", "zeta"}));
}

TEST(StreamGroups, CopiesAreIndependent) {
  StreamValue v;
  Add(v, Id(1, 1));
  Add(v, Id(1, 2));
  StreamGroup* g = v.CreateGroup("g", Id(1, 2), 2);
  StreamConsumer* c = g->CreateConsumer("c", 10);
  g->Deliver(Id(1, 1), c, 20, 3);
  auto copy = v.Clone();
  StreamGroup* cg = copy->FindGroup("g");
  ASSERT_NE(cg, nullptr);
  ExpectConsistent(*cg);
  ASSERT_EQ(cg->pel.size(), 1u);
  EXPECT_NE(cg->pel.begin()->second.consumer, c);  // its own consumer object
  EXPECT_EQ(cg->pel.begin()->second.delivery_count, 3u);
  g->Acknowledge(Id(1, 1));
  EXPECT_EQ(cg->pel.size(), 1u);
  EXPECT_EQ(copy->stream.length(), 2u);
}

// The cases of Redis's streamEstimateDistanceFromFirstEverEntry and streamCGLag.
TEST(StreamGroups, ReadCounterAndLagFollowRedis) {
  StreamValue v;
  StreamGroup* g = v.CreateGroup("g", StreamId::Min(), StreamGroup::kUnknownEntriesRead);
  EXPECT_EQ(v.EstimateEntriesRead(Id(5, 0)), 0);  // nothing ever added
  EXPECT_EQ(v.Lag(*g), 0);
  for (uint64_t i = 1; i <= 5; ++i) Add(v, Id(i, 0));
  EXPECT_EQ(v.EstimateEntriesRead(Id(5, 0)), 5);   // the last ID
  EXPECT_EQ(v.EstimateEntriesRead(Id(9, 0)), -1);  // the future
  EXPECT_EQ(v.EstimateEntriesRead(Id(1, 0)), 1);   // the first entry
  EXPECT_EQ(v.EstimateEntriesRead(Id(0, 5)), 0);   // before it
  EXPECT_EQ(v.EstimateEntriesRead(Id(3, 0)), -1);  // somewhere in the middle
  EXPECT_EQ(v.Lag(*g), 5);                          // last ID 0-0 is before the first entry
  g->last_id = Id(3, 0);
  EXPECT_EQ(v.Lag(*g), -1);  // a middle ID with an unknown counter
  g->entries_read = 3;
  EXPECT_EQ(v.Lag(*g), 2);
  // A deletion ahead of the group makes the counter useless.
  v.stream.Delete(Id(4, 0));
  v.stream.max_deleted_id = Id(4, 0);
  EXPECT_TRUE(v.RangeHasTombstones(Id(3, 0), StreamId::Max()));
  EXPECT_EQ(v.Lag(*g), -1);
  g->last_id = Id(5, 0);
  g->entries_read = StreamGroup::kUnknownEntriesRead;
  EXPECT_EQ(v.Lag(*g), 0);  // at the last ID the counter is entries_added
  // A deletion behind the first entry is no tombstone any more.
  v.stream.TrimToLength(1, false, 0);
  EXPECT_FALSE(v.RangeHasTombstones(StreamId::Min(), StreamId::Max()));
  EXPECT_EQ(v.EstimateEntriesRead(Id(5, 0)), 5);
  EXPECT_EQ(v.EstimateEntriesRead(Id(4, 9)), 4);
  // An empty stream: anything up to the last ID has read everything added.
  v.stream.TrimToLength(0, false, 0);
  EXPECT_EQ(v.EstimateEntriesRead(Id(2, 0)), 5);
}

Entry* SampleStream() {
  auto* v = new StreamValue();
  for (uint64_t i = 1; i <= 250; ++i) {
    const std::string n = std::to_string(i);  // the fields are views: it must outlive them
    const StreamField same[] = {{"name", "x"}, {"n", n}};
    const StreamField other[] = {{"only", n}};
    if (i % 7 == 0) {
      v->stream.Append(Id(i, i), other, StreamNodeLimits{});
    } else {
      v->stream.Append(Id(i, i), same, StreamNodeLimits{});
    }
  }
  v->stream.last_id = Id(300, 0);
  v->stream.entries_added = 260;
  v->stream.Delete(Id(10, 10));
  v->stream.max_deleted_id = Id(10, 10);
  StreamGroup* g = v->CreateGroup("readers", Id(40, 40), 39);
  StreamConsumer* a = g->CreateConsumer("a", 1111);
  StreamConsumer* b = g->CreateConsumer("b-with-a-rather-long-name", 2222);
  g->CreateConsumer("idle", 3333);
  g->Deliver(Id(2, 2), a, 5000, 1);
  g->Deliver(Id(3, 3), b, 6000, 7);
  g->Deliver(Id(10, 10), a, 7000, 2);  // deleted since: still pending
  v->CreateGroup("empty", StreamId::Min(), StreamGroup::kUnknownEntriesRead);
  return Entry::NewObject("events", ValueType::kStream, Encoding::kStream, v, 1893456000000);
}

TEST(StreamCodec, WritesStreamsBackExactly) {
  Entry* e = SampleStream();
  std::string bytes;
  EncodeEntry(e, &bytes);
  std::string_view in = bytes;
  Entry* back = nullptr;
  ASSERT_TRUE(DecodeEntry(&in, &back).ok());
  EXPECT_TRUE(in.empty());
  ASSERT_NE(back, nullptr);
  EXPECT_EQ(back->type(), ValueType::kStream);
  EXPECT_EQ(back->expire_ms(), 1893456000000);
  std::string again;
  EncodeEntry(back, &again);
  EXPECT_EQ(again, bytes);
  const StreamValue& v = *back->object<StreamValue>();
  EXPECT_EQ(v.stream.length(), 249u);
  EXPECT_EQ(v.stream.last_id, Id(300, 0));
  EXPECT_EQ(v.stream.entries_added, 260u);
  EXPECT_EQ(v.stream.max_deleted_id, Id(10, 10));
  const StreamGroup* g = v.FindGroup("readers");
  ASSERT_NE(g, nullptr);
  ExpectConsistent(*g);
  EXPECT_EQ(g->entries_read, 39);
  EXPECT_EQ(g->pel.at(Id(3, 3)).delivery_count, 7u);
  EXPECT_EQ(g->FindConsumer("idle")->seen_ms, 3333);
  EXPECT_EQ(v.FindGroup("empty")->entries_read, StreamGroup::kUnknownEntriesRead);
  Entry::Free(back);
  Entry::Free(e);
}

TEST(StreamCodec, RefusesEveryTruncation) {
  Entry* e = SampleStream();
  std::string bytes;
  EncodeEntry(e, &bytes);
  for (size_t n = 0; n < bytes.size(); ++n) {
    std::string_view in(bytes.data(), n);
    Entry* out = nullptr;
    EXPECT_FALSE(DecodeEntry(&in, &out).ok()) << "accepted " << n << " of " << bytes.size() << " bytes";
    EXPECT_EQ(out, nullptr);
  }
  Entry::Free(e);
}

// Payloads that decode but break the stream's invariants are refused, never loaded.
TEST(StreamCodec, RefusesInconsistentStreams) {
  auto encode = [](StreamValue* v) {
    Entry* e = Entry::NewObject("k", ValueType::kStream, Encoding::kStream, v, 0);
    std::string bytes;
    EncodeEntry(e, &bytes);
    Entry::Free(e);
    return bytes;
  };
  auto refused = [](std::string bytes) {
    std::string_view in = bytes;
    Entry* out = nullptr;
    Status s = DecodeEntry(&in, &out);
    if (out) Entry::Free(out);
    return !s.ok();
  };
  // An entry past the stream's last ID.
  auto* v = new StreamValue();
  Add(*v, Id(5, 0));
  v->stream.last_id = Id(4, 0);
  EXPECT_TRUE(refused(encode(v)));
  // A pending entry of a consumer that is not there: the index is patched past the end.
  v = new StreamValue();
  Add(*v, Id(5, 0));
  StreamGroup* g = v->CreateGroup("g", Id(5, 0), 1);
  g->Deliver(Id(5, 0), g->CreateConsumer("c", 1), 2, 1);
  std::string bytes = encode(v);
  ASSERT_EQ(bytes.back(), '\0');  // the last byte is the consumer index
  bytes.back() = 1;
  EXPECT_TRUE(refused(bytes));
  // A stream encoding under another type.
  v = new StreamValue();
  bytes = encode(v);
  bytes[0] = static_cast<char>(ValueType::kHash);
  EXPECT_TRUE(refused(bytes));
}

}  // namespace
}  // namespace minired
