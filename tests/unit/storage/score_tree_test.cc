// The sorted sets' B+ tree against an ordered model, through the orders of insertion
// and removal that split, merge and even out its nodes at every level: ascending and
// descending runs, ZPOPMIN and ZPOPMAX drains, random churn and ties on the score.
#include "storage/encodings/score_tree.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <set>
#include <string>
#include <vector>

namespace minired {
namespace {

using Model = std::set<std::pair<double, std::string>>;

class ScoreTreeTest : public ::testing::Test {
 protected:
  ~ScoreTreeTest() override {
    for (ZElement* e : owned_) ZElement::Free(e);
  }

  void Add(double score, const std::string& member) {
    ZElement* e = ZElement::New(score, member);
    owned_.push_back(e);
    tree_.Insert(e);
    model_.insert({score, member});
  }
  void Remove(const std::pair<double, std::string>& item) {
    tree_.Erase(item.first, item.second);
    model_.erase(item);
  }

  // Every invariant, then every query against the model.
  void ExpectMatchesModel() {
    ASSERT_TRUE(tree_.Valid());
    ASSERT_EQ(tree_.size(), model_.size());
    size_t rank = 0;
    ScoreTree::Cursor c = tree_.First();
    for (const auto& [score, member] : model_) {
      ASSERT_TRUE(c);
      ASSERT_EQ(c.score(), score);
      ASSERT_EQ(c.member(), member);
      ASSERT_EQ(tree_.CountBefore(score, member), rank);
      ASSERT_EQ(tree_.AtRank(rank).element(), c.element());
      c.Next();
      ++rank;
    }
    EXPECT_FALSE(c);
    auto it = model_.rbegin();
    for (ScoreTree::Cursor b = tree_.Last(); b; b.Prev(), ++it) {
      ASSERT_NE(it, model_.rend());
      ASSERT_EQ(b.member(), it->second);
    }
    EXPECT_EQ(it, model_.rend());
    for (double x : {-1.0, 0.0, 10.0, 99.5, 1000.0, 1e9}) {
      size_t below = 0, at_or_below = 0;
      for (const auto& item : model_) {
        below += item.first < x;
        at_or_below += item.first <= x;
      }
      EXPECT_EQ(tree_.CountScoreBelow(x, false), below) << x;
      EXPECT_EQ(tree_.CountScoreBelow(x, true), at_or_below) << x;
    }
  }

  ScoreTree tree_;
  Model model_;
  std::vector<ZElement*> owned_;
};

std::string Name(int i) { return "member:" + std::to_string(i); }

TEST_F(ScoreTreeTest, AnEmptyTreeHasNoCursorAndCountsNothing) {
  EXPECT_FALSE(tree_.First());
  EXPECT_FALSE(tree_.Last());
  EXPECT_EQ(tree_.CountScoreBelow(5, true), 0u);
  EXPECT_EQ(tree_.CountMemberBelow("a", true), 0u);
  EXPECT_TRUE(tree_.Valid());
}

TEST_F(ScoreTreeTest, AscendingThenDrainedFromTheFront) {
  for (int i = 0; i < 20000; ++i) Add(i, Name(i));  // splits always at the right edge
  ExpectMatchesModel();
  while (model_.size() > 5) Remove(*model_.begin());  // ZPOPMIN: merges at the left edge
  ExpectMatchesModel();
}

// Members added in order of score (timestamps) split the last leaf unevenly: the
// leaves stay three quarters full (30 entries a leaf, 24 kept), not half.
TEST_F(ScoreTreeTest, InsertsInOrderFillTheLeaves) {
  for (int i = 0; i < 24000; ++i) Add(i, Name(i));
  EXPECT_LE(tree_.leaf_count(), 24000u / 24 + 1);
  ScoreTree descending;
  std::vector<ZElement*> elements;
  for (int i = 24000; i > 0; --i) {
    elements.push_back(ZElement::New(i, Name(i)));
    descending.Insert(elements.back());
  }
  EXPECT_LE(descending.leaf_count(), 24000u / 24 + 1);
  EXPECT_TRUE(descending.Valid());
  for (ZElement* e : elements) ZElement::Free(e);
  ExpectMatchesModel();
}

TEST_F(ScoreTreeTest, DescendingThenDrainedFromTheBack) {
  for (int i = 20000; i > 0; --i) Add(i, Name(i));
  ExpectMatchesModel();
  while (!model_.empty()) Remove(*model_.rbegin());  // ZPOPMAX, to nothing
  ExpectMatchesModel();
  for (int i = 0; i < 100; ++i) Add(i, Name(i));  // and usable again
  ExpectMatchesModel();
}

TEST_F(ScoreTreeTest, EqualScoresOrderByMember) {
  for (int i = 0; i < 5000; ++i) Add(7, Name((i * 7919) % 5000));
  ExpectMatchesModel();
  for (const std::string m : {"member:2", "member:2500", "member:", "member:9999", "zz"}) {
    size_t below = 0, at_or_below = 0;
    for (const auto& item : model_) {
      below += item.second < m;
      at_or_below += item.second <= m;
    }
    EXPECT_EQ(tree_.CountMemberBelow(m, false), below) << m;
    EXPECT_EQ(tree_.CountMemberBelow(m, true), at_or_below) << m;
  }
  EXPECT_EQ(tree_.CountMemberBelow("member:2", true),
            tree_.CountMemberBelow("member:2", false) + 1);
  // Every other member out: nodes thin out evenly, and even out or merge.
  std::vector<std::pair<double, std::string>> items(model_.begin(), model_.end());
  for (size_t i = 0; i < items.size(); i += 2) Remove(items[i]);
  ExpectMatchesModel();
}

TEST_F(ScoreTreeTest, RandomChurnKeepsEveryInvariant) {
  std::mt19937 rng(11);
  std::vector<std::pair<double, std::string>> present;
  for (int round = 0; round < 6; ++round) {
    for (int step = 0; step < 15000; ++step) {
      const bool grow =
          present.size() < 2000 || rng() % 3 != 0 || (round % 2 == 1 && rng() % 2 == 0);
      if (grow || present.empty()) {
        const double score = static_cast<double>(rng() % 400) / 4;  // ties are common
        std::string member = Name(static_cast<int>(rng() % 1000000));
        if (model_.count({score, member}) > 0) continue;
        Add(score, member);
        present.push_back({score, member});
      } else {
        const size_t i = rng() % present.size();
        Remove(present[i]);
        present[i] = present.back();
        present.pop_back();
      }
    }
    ExpectMatchesModel();
    // Then most of it out, which merges down to fewer levels.
    while (present.size() > 50) {
      const size_t i = rng() % present.size();
      Remove(present[i]);
      present[i] = present.back();
      present.pop_back();
    }
    ExpectMatchesModel();
  }
}

}  // namespace
}  // namespace minired
