// Unit tests of the collection structures: the compact codecs, the string map and the
// skip list, each against a simple model.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "storage/encodings/compact.h"
#include "storage/encodings/string_map.h"
#include "storage/encodings/zset.h"

namespace minired {
namespace {

TEST(Compact, ListpackRoundTripsEveryLength) {
  std::vector<std::string> owned = {"", "a", std::string(127, 'x'), std::string(128, 'y'), std::string(70000, 'z')};
  std::vector<std::string_view> in(owned.begin(), owned.end());
  std::string blob = EncodeListpack(in);
  EXPECT_EQ(ListpackCount(blob), in.size());
  EXPECT_EQ(DecodeListpack(blob), in);
  EXPECT_EQ(ListpackCount(EncodeListpack({})), 0u);
}

TEST(Compact, IntsetKeepsOrderAndFindsMembers) {
  std::vector<int64_t> v = {INT64_MIN, -5, 0, 7, INT64_MAX};
  std::string blob = EncodeIntset(v);
  EXPECT_EQ(DecodeIntset(blob), v);
  for (int64_t x : v) EXPECT_TRUE(IntsetContains(blob, x));
  EXPECT_FALSE(IntsetContains(blob, 6));
  EXPECT_FALSE(IntsetContains(EncodeIntset({}), 0));
}

TEST(Compact, ScoresSurviveTheBlob) {
  const double kLimit = 281474976710656.0;  // 2^48
  for (double d : {0.0, 1.5, -1e300, 1e-300, std::numeric_limits<double>::infinity(),
                   -std::numeric_limits<double>::infinity(), 1.0, -1.0, 63.0, -64.0, 64.0, 99999.0, -123456789.0,
                   kLimit - 1, -(kLimit - 1), kLimit, -kLimit, 1e17, 4503599627370497.0}) {
    ScoreCode code(d);
    const double back = ScoreFromBytes(code.bytes());
    EXPECT_EQ(back, d) << d;
    EXPECT_EQ(std::signbit(back), std::signbit(d)) << d;
  }
  // Integers below 2^48 in their varint, the rest as a double's 8 bytes; -0.0 as the
  // integer 0, as Redis's listpacks hold it.
  EXPECT_EQ(ScoreCode(0).bytes().size(), 1u);
  EXPECT_EQ(ScoreCode(-64).bytes().size(), 1u);
  EXPECT_EQ(ScoreCode(64).bytes().size(), 2u);
  EXPECT_EQ(ScoreCode(999999).bytes().size(), 3u);
  EXPECT_EQ(ScoreCode(kLimit - 1).bytes().size(), 7u);
  EXPECT_EQ(ScoreCode(kLimit).bytes().size(), 8u);
  EXPECT_EQ(ScoreCode(-0.0).bytes().size(), 1u);
  EXPECT_FALSE(std::signbit(ScoreFromBytes(ScoreCode(-0.0).bytes())));
  EXPECT_EQ(ScoreCode(0.5).bytes().size(), 8u);
  // Blobs written before (every score in 8 bytes) still read.
  const double old = 42;
  EXPECT_EQ(ScoreFromBytes(std::string_view(reinterpret_cast<const char*>(&old), sizeof old)), 42);
}

TEST(StringMap, SetAddEraseAndScanAcrossGrowth) {
  StringMap m;
  std::map<std::string, std::string> model;
  for (int i = 0; i < 5000; ++i) {
    std::string f = "f" + std::to_string(i);
    EXPECT_TRUE(m.Set(f, std::to_string(i)));
    model[f] = std::to_string(i);
  }
  EXPECT_FALSE(m.Set("f1", "same-length?"));  // overwrite, new length
  model["f1"] = "same-length?";
  EXPECT_FALSE(m.Set("f2", "9"));  // overwrite in place
  model["f2"] = "9";
  EXPECT_FALSE(m.Add("f3", "nope"));
  for (int i = 0; i < 5000; i += 3) {
    EXPECT_TRUE(m.Erase("f" + std::to_string(i)));
    model.erase("f" + std::to_string(i));
  }
  EXPECT_FALSE(m.Erase("missing"));
  ASSERT_EQ(m.size(), model.size());
  std::map<std::string, std::string> seen;
  uint64_t pos = 0;
  while (pos < kScanEnd) m.Scan(&pos, 37, [&](const PackedPair* p) { seen.emplace(p->field(), p->value()); });
  EXPECT_EQ(seen, model);
  for (const auto& [f, v] : model) EXPECT_EQ(m.Find(f)->value(), v);
}

// The model: a set of (score, member) in order.
using Model = std::set<std::pair<double, std::string>>;

void ExpectSameOrder(const ZSet& z, const Model& model) {
  ASSERT_EQ(z.size(), model.size());
  ASSERT_TRUE(z.Valid());
  size_t rank = 0;
  ZSet::Cursor c = z.First();
  for (const auto& [score, member] : model) {
    ASSERT_TRUE(c);
    EXPECT_EQ(c.score(), score);
    EXPECT_EQ(c.member(), member);
    EXPECT_EQ(z.Rank(member), rank);
    EXPECT_EQ(z.AtRank(rank).element(), c.element());
    c.Next();
    ++rank;
  }
  EXPECT_FALSE(c);
  // And backwards from the last.
  auto it = model.rbegin();
  for (ZSet::Cursor b = z.Last(); b; b.Prev(), ++it) {
    ASSERT_NE(it, model.rend());
    EXPECT_EQ(b.member(), it->second);
  }
  EXPECT_EQ(it, model.rend());
}

TEST(ZSet, RandomOperationsMatchAnOrderedModel) {
  ZSet z;
  Model model;
  std::map<std::string, double> scores;
  std::mt19937 rng(7);
  for (int step = 0; step < 20000; ++step) {
    std::string member = "m" + std::to_string(rng() % 500);
    double score = static_cast<double>(rng() % 50) / 2;
    if (rng() % 4 == 0) {
      bool had = scores.count(member) > 0;
      EXPECT_EQ(z.Erase(member), had);
      if (had) model.erase({scores[member], member});
      scores.erase(member);
    } else {
      bool fresh = scores.count(member) == 0;
      EXPECT_EQ(z.Upsert(member, score), fresh);
      if (!fresh) model.erase({scores[member], member});
      scores[member] = score;
      model.insert({score, member});
    }
  }
  ExpectSameOrder(z, model);
  for (double x : {-1.0, 0.0, 3.5, 10.0, 24.5, 100.0}) {
    size_t below = 0, at_or_below = 0;
    for (const auto& [s, m] : model) {
      below += s < x;
      at_or_below += s <= x;
    }
    EXPECT_EQ(z.CountScoreBelow(x, false), below) << x;
    EXPECT_EQ(z.CountScoreBelow(x, true), at_or_below) << x;
  }
}

TEST(ZSet, LexCountsWhenScoresAreEqual) {
  ZSet z;
  for (const char* m : {"a", "b", "c", "d", "e"}) z.Upsert(m, 0);
  for (int i = 0; i < 3000; ++i) z.Upsert("f" + std::to_string(100000 + i), 0);  // several levels of nodes
  EXPECT_EQ(z.CountMemberBelow("f101500", false), 5u + 1500);
  EXPECT_EQ(z.CountMemberBelow("f101500", true), 5u + 1501);
  EXPECT_EQ(z.CountMemberBelow("f1015000", true), 5u + 1501);
  for (int i = 0; i < 3000; ++i) z.Erase("f" + std::to_string(100000 + i));
  ASSERT_TRUE(z.Valid());
  EXPECT_EQ(z.CountMemberBelow("c", false), 2u);
  EXPECT_EQ(z.CountMemberBelow("c", true), 3u);
  EXPECT_EQ(z.CountMemberBelow("bb", true), 2u);
  EXPECT_EQ(z.CountMemberBelow("", false), 0u);
  EXPECT_EQ(z.CountMemberBelow("zz", false), 5u);
  EXPECT_EQ(z.Score("c"), 0.0);
  EXPECT_FALSE(z.Score("x").has_value());
  EXPECT_FALSE(z.Rank("x").has_value());
}

TEST(ZSet, ScoreUpdatesInPlaceOrMove) {
  ZSet z;
  z.Upsert("a", 1);
  z.Upsert("b", 2);
  z.Upsert("c", 3);
  EXPECT_FALSE(z.Upsert("b", 2.5));  // stays between a and c
  EXPECT_FALSE(z.Upsert("a", 10));   // moves to the end
  ExpectSameOrder(z, {{2.5, "b"}, {3, "c"}, {10, "a"}});
  ZSet::Cursor last = z.Last();
  last.Prev();
  EXPECT_EQ(last.member(), "c");
}

}  // namespace
}  // namespace minired
