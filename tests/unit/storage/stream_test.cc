// The stream's entries (storage/encodings/stream.h) and its IDs (stream_id.h), checked
// against a plain std::map model through appends, deletes, trims and ranges in both
// directions.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "storage/encodings/stream.h"
#include "storage/encodings/stream_id.h"

namespace minired {
namespace {

using Fields = std::vector<std::pair<std::string, std::string>>;

std::vector<StreamField> Views(const Fields& f) {
  std::vector<StreamField> v;
  for (const auto& [k, val] : f) v.emplace_back(k, val);
  return v;
}

std::vector<std::pair<StreamId, Fields>> Walk(const Stream& s, StreamId start, StreamId end, bool reverse) {
  std::vector<std::pair<StreamId, Fields>> out;
  Stream::Cursor c(s, start, end, reverse);
  while (c.Next()) {
    Fields f;
    for (const StreamField& p : c.fields()) f.emplace_back(std::string(p.first), std::string(p.second));
    out.emplace_back(c.id(), std::move(f));
  }
  return out;
}

StreamId Id(uint64_t ms, uint64_t seq) { return StreamId{ms, seq}; }

TEST(StreamId, ParsesAsRedisDoes) {
  StreamIdParse p;
  ASSERT_TRUE(ParseStreamId("5-3", false, &p));
  EXPECT_EQ(p.id, Id(5, 3));
  EXPECT_TRUE(p.seq_given);
  ASSERT_TRUE(ParseStreamId("7", false, &p));
  EXPECT_EQ(p.id.ms, 7u);
  EXPECT_FALSE(p.seq_given);
  ASSERT_TRUE(ParseStreamId("18446744073709551615-18446744073709551615", false, &p));
  EXPECT_EQ(p.id, StreamId::Max());
  ASSERT_TRUE(ParseStreamId("9-*", true, &p));
  EXPECT_TRUE(p.seq_auto);
  EXPECT_FALSE(ParseStreamId("9-*", false, &p));
  // Past 64 bits, negative, empty parts, junk.
  EXPECT_FALSE(ParseStreamId("18446744073709551616-0", false, &p));
  EXPECT_FALSE(ParseStreamId("1--1", false, &p));
  EXPECT_FALSE(ParseStreamId("-1", false, &p));
  EXPECT_FALSE(ParseStreamId("1-", false, &p));
  EXPECT_FALSE(ParseStreamId("", false, &p));
  EXPECT_FALSE(ParseStreamId("1-2-3", false, &p));
  EXPECT_FALSE(ParseStreamId("abc", false, &p));
  EXPECT_FALSE(ParseStreamId(std::string(200, '1'), false, &p));
  // strtoull's leniency past the strict form, as Redis's string2ull has it.
  ASSERT_TRUE(ParseStreamId("007-1", false, &p));
  EXPECT_EQ(p.id, Id(7, 1));
}

TEST(StreamId, StepsAndPrints) {
  StreamId id{3, UINT64_MAX};
  ASSERT_TRUE(id.Increment());
  EXPECT_EQ(id, Id(4, 0));
  ASSERT_TRUE(id.Decrement());
  EXPECT_EQ(id, Id(3, UINT64_MAX));
  StreamId max = StreamId::Max(), min = StreamId::Min();
  EXPECT_FALSE(max.Increment());
  EXPECT_FALSE(min.Decrement());
  EXPECT_EQ(Id(1526919030474, 55).ToString(), "1526919030474-55");
}

TEST(Stream, AppendsAndWalksBothWays) {
  Stream s;
  StreamNodeLimits limits{4096, 3};  // small nodes: ranges cross node boundaries
  std::vector<std::pair<StreamId, Fields>> all;
  for (uint64_t i = 1; i <= 10; ++i) {
    Fields f = i % 4 == 0 ? Fields{{"other", std::to_string(i)}}
                          : Fields{{"name", "n" + std::to_string(i)}, {"price", std::to_string(i * 10)}};
    StreamId id{1000 + i / 3, i};
    s.Append(id, Views(f), limits);
    all.emplace_back(id, f);
  }
  EXPECT_EQ(s.length(), 10u);
  EXPECT_EQ(Walk(s, StreamId::Min(), StreamId::Max(), false), all);
  auto reversed = all;
  std::reverse(reversed.begin(), reversed.end());
  EXPECT_EQ(Walk(s, StreamId::Max(), StreamId::Min(), true), reversed);
  // A range inside, bounds between entries.
  auto mid = Walk(s, Id(1001, 4), Id(1002, 7), false);
  ASSERT_EQ(mid.size(), 4u);
  EXPECT_EQ(mid.front().first, Id(1001, 4));
  EXPECT_EQ(mid.back().first, Id(1002, 7));
  EXPECT_TRUE(Walk(s, Id(5, 0), Id(6, 0), false).empty());
  EXPECT_TRUE(Walk(s, Id(2000, 0), StreamId::Max(), false).empty());
  EXPECT_TRUE(Walk(s, Id(999, 0), StreamId::Min(), true).empty());
  EXPECT_EQ(s.FirstId(), all.front().first);
  EXPECT_EQ(s.LastEntryId(), all.back().first);
}

TEST(Stream, DeletesFlagInPlaceAndDropEmptyNodes) {
  Stream s;
  StreamNodeLimits limits{4096, 2};
  for (uint64_t i = 1; i <= 6; ++i) s.Append(Id(i, 0), Views({{"f", "v"}}), limits);
  EXPECT_TRUE(s.Delete(Id(3, 0)));
  EXPECT_FALSE(s.Delete(Id(3, 0)));
  EXPECT_FALSE(s.Delete(Id(3, 1)));
  EXPECT_FALSE(s.Delete(Id(99, 0)));
  EXPECT_TRUE(s.Delete(Id(4, 0)));  // the node of 3 and 4 is gone
  EXPECT_EQ(s.length(), 4u);
  size_t before = s.MemoryBytes();
  EXPECT_TRUE(s.Delete(Id(1, 0)));
  EXPECT_TRUE(s.Delete(Id(2, 0)));
  EXPECT_LT(s.MemoryBytes(), before);
  auto rest = Walk(s, StreamId::Min(), StreamId::Max(), false);
  ASSERT_EQ(rest.size(), 2u);
  EXPECT_EQ(rest[0].first, Id(5, 0));
  EXPECT_EQ(s.FirstId(), Id(5, 0));
  EXPECT_TRUE(s.Delete(Id(5, 0)));
  EXPECT_TRUE(s.Delete(Id(6, 0)));
  EXPECT_EQ(s.length(), 0u);
  EXPECT_EQ(s.FirstId(), StreamId::Min());
  EXPECT_TRUE(Walk(s, StreamId::Min(), StreamId::Max(), false).empty());
}

TEST(Stream, TrimsExactlyOrByWholeNodes) {
  StreamNodeLimits limits{4096, 10};
  Stream exact, approx, limited;
  for (uint64_t i = 1; i <= 95; ++i) {
    for (Stream* s : {&exact, &approx, &limited}) s->Append(Id(i, 0), Views({{"f", "v"}}), limits);
  }
  EXPECT_EQ(exact.TrimToLength(42, false, 0), 53u);
  EXPECT_EQ(exact.length(), 42u);
  EXPECT_EQ(exact.FirstId(), Id(54, 0));
  // ~: whole nodes only, never below the length asked.
  EXPECT_EQ(approx.TrimToLength(42, true, 0), 50u);
  EXPECT_EQ(approx.length(), 45u);
  EXPECT_EQ(approx.FirstId(), Id(51, 0));
  // LIMIT caps the entries one call removes.
  EXPECT_EQ(limited.TrimToLength(0, true, 25), 20u);
  EXPECT_EQ(limited.TrimBelow(Id(60, 0), false, 0), 39u);
  EXPECT_EQ(limited.FirstId(), Id(60, 0));
  EXPECT_EQ(limited.TrimBelow(Id(60, 0), false, 0), 0u);
  EXPECT_EQ(limited.TrimBelow(Id(1000, 0), true, 0), 36u);
  EXPECT_EQ(limited.length(), 0u);
}

// Random appends, deletes and trims against a std::map model.
// Values that read as integers are kept as integers and must print back exactly as
// given; anything that would print otherwise stays text. IDs far apart in one node
// (a millisecond delta too large to shift past the flags) and sequence numbers of
// zero (stored as a flag) come back too, deleted or not.
TEST(Stream, KeepsEveryValueAndIdExactly) {
  Stream s;
  const std::vector<std::string> values = {"0", "-0", "007", "1", "-1", "120", "19.99", " 1", "1 ", "+1", "1e3",
                                           "9223372036854775807", "-9223372036854775808", "9223372036854775808",
                                           "18446744073709551615", "", "-", "abc", std::string(300, 'x')};
  const std::vector<StreamId> ids = {Id(0, 1), Id(0, 2), Id(5, 0), Id(1ULL << 59, 0), Id(1ULL << 60, 7),
                                     Id(UINT64_MAX - 1, 0), Id(UINT64_MAX, 0), Id(UINT64_MAX, UINT64_MAX)};
  for (StreamId id : ids) {
    Fields f;
    for (const std::string& v : values) f.emplace_back("v" + std::to_string(f.size()), v);
    s.Append(id, Views(f), StreamNodeLimits{0, 0});  // one node for all
  }
  ASSERT_TRUE(s.Delete(Id(5, 0)));
  auto all = Walk(s, StreamId::Min(), StreamId::Max(), false);
  ASSERT_EQ(all.size(), ids.size() - 1);
  size_t i = 0;
  for (StreamId id : ids) {
    if (id == Id(5, 0)) continue;
    EXPECT_EQ(all[i].first, id);
    ASSERT_EQ(all[i].second.size(), values.size());
    for (size_t j = 0; j < values.size(); ++j) EXPECT_EQ(all[i].second[j].second, values[j]) << values[j];
    ++i;
  }
  auto back = Walk(s, StreamId::Max(), StreamId::Min(), true);
  ASSERT_EQ(back.size(), all.size());
  EXPECT_EQ(back.front().first, Id(UINT64_MAX, UINT64_MAX));
  EXPECT_EQ(back.back().first, Id(0, 1));
}

TEST(Stream, MatchesAModelUnderRandomOperations) {
  std::mt19937_64 rng(7);
  Stream s;
  std::map<StreamId, Fields> model;
  StreamNodeLimits limits{256, 16};
  StreamId last{1, 0};
  for (int op = 0; op < 20000; ++op) {
    const int kind = static_cast<int>(rng() % 10);
    if (kind < 6) {
      StreamId next{last.ms + rng() % 3, rng() % 4};
      if (next <= last) {
        next = last;
        next.Increment();
      }
      last = next;
      Fields f;
      const int n = 1 + static_cast<int>(rng() % 3);
      for (int i = 0; i < n; ++i) {
        f.emplace_back(rng() % 2 ? "name" : "k" + std::to_string(i), std::string(rng() % 40, 'x'));
      }
      s.Append(last, Views(f), limits);
      model[last] = f;
    } else if (kind < 8 && !model.empty()) {
      auto it = model.begin();
      std::advance(it, static_cast<long>(rng() % model.size()));
      EXPECT_TRUE(s.Delete(it->first));
      model.erase(it);
    } else if (kind == 8) {
      size_t max_len = model.size() > 5 ? model.size() - rng() % 5 : model.size();
      size_t removed = s.TrimToLength(max_len, false, 0);
      while (model.size() > max_len) model.erase(model.begin());
      EXPECT_EQ(s.length(), model.size()) << removed;
    } else {
      StreamId from{last.ms > 0 ? rng() % (last.ms + 1) : 0, rng() % 4};
      StreamId to{from.ms + rng() % 5, rng() % 4};
      std::vector<std::pair<StreamId, Fields>> want;
      for (auto it = model.lower_bound(from); it != model.end() && it->first <= to; ++it) want.emplace_back(*it);
      ASSERT_EQ(Walk(s, from, to, false), want);
      std::reverse(want.begin(), want.end());
      ASSERT_EQ(Walk(s, to, from, true), want);
    }
    ASSERT_EQ(s.length(), model.size());
  }
  EXPECT_EQ(s.FirstId(), model.empty() ? StreamId::Min() : model.begin()->first);
}

}  // namespace
}  // namespace minired
