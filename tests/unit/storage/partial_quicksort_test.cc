// PartialQuicksort: the window holds what a full sort puts there, every element stays,
// for sizes around its thresholds (7 and 40) and values with many ties. That equal
// values come out in redis-server's order is checked against it (SORT BY ... LIMIT and
// GEOSEARCH ... COUNT in tests/integration).
#include "storage/partial_quicksort.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <vector>

namespace minired {
namespace {

TEST(PartialQuicksort, TheWindowHoldsWhatAFullSortPutsThere) {
  std::mt19937 rng(3);
  auto cmp = [](int a, int b) { return a < b ? -1 : a > b ? 1 : 0; };
  for (size_t n = 1; n <= 120; ++n) {
    for (int round = 0; round < 20; ++round) {
      std::vector<int> v(n);
      const int distinct = 1 + static_cast<int>(rng() % (round % 2 ? 4 : 1000));
      for (int& x : v) x = static_cast<int>(rng() % static_cast<unsigned>(distinct));
      std::vector<int> sorted = v;
      std::sort(sorted.begin(), sorted.end());
      const size_t first = rng() % n, last = first + rng() % (n - first);
      PartialQuicksort(v, cmp, first, last);
      for (size_t i = first; i <= last; ++i) ASSERT_EQ(v[i], sorted[i]) << "n " << n << " at " << i;
      std::sort(v.begin(), v.end());
      ASSERT_EQ(v, sorted);
    }
  }
}

TEST(PartialQuicksort, AWholeWindowSortsEverything) {
  std::vector<int> v = {5, 3, 9, 1, 1, 7, 2, 8, 6, 4, 0, 3};
  PartialQuicksort(v, [](int a, int b) { return a < b ? -1 : a > b ? 1 : 0; }, 0, v.size() - 1);
  EXPECT_TRUE(std::is_sorted(v.begin(), v.end()));
}

}  // namespace
}  // namespace minired
