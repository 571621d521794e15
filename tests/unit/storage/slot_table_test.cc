#include "storage/slot_table.h"

#include <gtest/gtest.h>

#include <random>
#include <set>
#include <string>
#include <vector>

#include "storage/db.h"

namespace minired {
namespace {

// A KeyTable plus the entries it owns, with helpers named after what tests do.
class Table {
 public:
  ~Table() { t_.Clear([](Entry* e) { Entry::Free(e); }); }
  void Add(const std::string& k) { t_.Insert(Entry::NewString(k, "v", 0), HashKey(k)); }
  bool Has(const std::string& k) const { return Slot(k) != KeyTable::kNotFound; }
  bool Remove(const std::string& k) {
    size_t s = Slot(k);
    if (s == KeyTable::kNotFound) return false;
    Entry* e = t_.At(s);
    t_.EraseAt(s);
    Entry::Free(e);
    return true;
  }
  size_t Slot(const std::string& k) const {
    return t_.Find(HashKey(k), [&](const Entry* e) { return e->key() == k; });
  }
  KeyTable& raw() { return t_; }

 private:
  KeyTable t_;
};

std::string Key(int i) { return "key:" + std::to_string(i); }

TEST(SlotTable, GrowsAndShrinksKeepingEveryKey) {
  Table t;
  for (int i = 0; i < 100000; ++i) t.Add(Key(i));
  EXPECT_EQ(t.raw().size(), 100000u);
  EXPECT_GE(t.raw().capacity(), 125000u);  // load stays <= 80%
  for (int i = 0; i < 100000; ++i) ASSERT_TRUE(t.Has(Key(i))) << i;
  for (int i = 0; i < 99000; ++i) ASSERT_TRUE(t.Remove(Key(i)));
  EXPECT_EQ(t.raw().size(), 1000u);
  EXPECT_LT(t.raw().capacity(), 10000u);  // shrank
  for (int i = 99000; i < 100000; ++i) ASSERT_TRUE(t.Has(Key(i))) << i;
  for (int i = 0; i < 99000; ++i) ASSERT_FALSE(t.Has(Key(i))) << i;
}

TEST(SlotTable, BackwardShiftDeletionKeepsClustersReachable) {
  // Random inserts and deletes, checked against a reference set after each step.
  Table t;
  std::set<std::string> ref;
  std::mt19937 rng(1);
  for (int step = 0; step < 50000; ++step) {
    std::string k = Key(static_cast<int>(rng() % 3000));
    if (ref.count(k)) {
      ASSERT_TRUE(t.Remove(k));
      ref.erase(k);
    } else {
      t.Add(k);
      ref.insert(k);
    }
    if (step % 997 == 0) {
      for (int i = 0; i < 3000; ++i) ASSERT_EQ(t.Has(Key(i)), ref.count(Key(i)) == 1) << step;
    }
  }
}

std::vector<std::string> ScanAll(KeyTable& t, size_t step, const std::function<void()>& between = {}) {
  std::vector<std::string> seen;
  uint64_t pos = 0;
  while (pos < kScanEnd) {
    t.Scan(&pos, step, [&](const Entry* e) { seen.emplace_back(e->key()); });
    if (between) between();
  }
  return seen;
}

// Every key(0..n-1) appears in `seen`, and nothing appears twice.
void ExpectFirstKeysOnceEach(const std::vector<std::string>& seen, int n) {
  std::set<std::string> s(seen.begin(), seen.end());
  EXPECT_EQ(s.size(), seen.size()) << "duplicates";
  for (int i = 0; i < n; ++i) EXPECT_TRUE(s.count(Key(i))) << Key(i);
}

TEST(SlotTable, ScanReturnsEveryKeyExactlyOnce) {
  Table t;
  for (int i = 0; i < 5000; ++i) t.Add(Key(i));
  for (size_t step : {1u, 7u, 100u, 100000u}) {
    auto seen = ScanAll(t.raw(), step);
    std::set<std::string> unique(seen.begin(), seen.end());
    EXPECT_EQ(seen.size(), 5000u) << step;
    EXPECT_EQ(unique.size(), 5000u) << step;
  }
}

TEST(SlotTable, ScanNeverMissesAKeyAcrossGrowth) {
  Table t;
  for (int i = 0; i < 1000; ++i) t.Add(Key(i));
  int next = 1000;
  // Between scan steps the table grows 30x (several resizes); keys present from the
  // start must all show. Growth stops at 30x so the scan can finish, as any SCAN needs.
  auto seen = ScanAll(t.raw(), 10, [&] {
    for (int j = 0; j < 300 && next < 30000; ++j) t.Add(Key(next++));
  });
  EXPECT_EQ(next, 30000);
  ExpectFirstKeysOnceEach(seen, 1000);
}

TEST(SlotTable, ScanNeverMissesAKeyAcrossShrink) {
  Table t;
  for (int i = 0; i < 30000; ++i) t.Add(Key(i));
  int removed = 1000;
  // Keys 0..999 stay for the whole scan; everything else is deleted as it goes.
  auto seen = ScanAll(t.raw(), 10, [&] {
    for (int j = 0; j < 500 && removed < 30000; ++j) t.Remove(Key(removed++));
  });
  ExpectFirstKeysOnceEach(seen, 1000);
}

TEST(SlotTable, RandomSlotFindsEntries) {
  Table t;
  std::mt19937_64 rng(5);
  EXPECT_EQ(t.raw().RandomSlot(rng), KeyTable::kNotFound);
  t.Add("only");
  EXPECT_EQ(t.raw().At(t.raw().RandomSlot(rng))->key(), "only");
}

TEST(SlotTable, RandomSlotsDrawsOnlyEntriesAndReachesThemAll) {
  Table t;
  std::mt19937_64 rng(7);
  size_t out[KeyTable::kMaxSampleBatch];
  EXPECT_EQ(t.raw().RandomSlots(rng, out, 5), 0u);
  for (int i = 0; i < 200; ++i) t.Add(Key(i));
  // A table thinned by deletions: mostly empty slots.
  for (int i = 0; i < 190; ++i) t.Remove(Key(i));
  std::set<std::string> seen;
  for (int round = 0; round < 200; ++round) {
    size_t got = t.raw().RandomSlots(rng, out, 5);
    ASSERT_EQ(got, 5u);
    for (size_t k = 0; k < got; ++k) {
      Entry* e = t.raw().At(out[k]);
      ASSERT_NE(e, nullptr);
      seen.insert(std::string(e->key()));
    }
  }
  EXPECT_EQ(seen.size(), 10u);  // each of the 10 left, none of the removed
  // More than a batch holds is capped at the batch.
  EXPECT_EQ(t.raw().RandomSlots(rng, out, 1000), KeyTable::kMaxSampleBatch);
}

}  // namespace
}  // namespace minired
