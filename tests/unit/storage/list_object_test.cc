// The packed quicklist against a deque of strings: pushes and pops at both ends that
// fill, grow, recentre and drop nodes; inserts and sets that split nodes; trims, LREM
// from either end, elements of every varint width and elements bigger than a node.
#include "storage/encodings/list_object.h"

#include <gtest/gtest.h>

#include <deque>
#include <random>
#include <string>
#include <vector>

namespace minired {
namespace {

using Model = std::deque<std::string>;

void ExpectMatches(const ListObject& l, const Model& m) {
  ASSERT_TRUE(l.Valid());
  ASSERT_EQ(l.size(), m.size());
  size_t i = 0;
  l.ForEach([&](std::string_view e) { ASSERT_EQ(e, m[i++]); });
  ASSERT_EQ(i, m.size());
  // At() walks from whichever end is nearer, at both levels: try both halves.
  for (size_t j = 0; j < m.size(); j += 1 + m.size() / 50) ASSERT_EQ(l.At(j), m[j]) << j;
  if (!m.empty()) {
    ASSERT_EQ(l.At(m.size() - 1), m.back());
  }
  if (m.size() > 3) {
    std::vector<std::string> mid;
    l.ForRange(1, m.size() - 2, [&](std::string_view e) { mid.emplace_back(e); });
    ASSERT_EQ(mid.size(), m.size() - 2);
    EXPECT_EQ(mid.front(), m[1]);
    EXPECT_EQ(mid.back(), m[m.size() - 2]);
  }
}

std::string Element(std::mt19937& rng) {
  // Mostly short; numbers and text that only looks like one; some past one and two
  // varint bytes; a few bigger than a node.
  int kind = static_cast<int>(rng() % 100);
  if (kind < 15) {
    static const char* kNumberLike[] = {"0",
                                        "7",
                                        "12",
                                        "012",
                                        "-5",
                                        "+5",
                                        "1e3",
                                        "9223372036854775807",
                                        "9223372036854775808",
                                        "18446744073709551616",
                                        " 1",
                                        "1048575",
                                        "1048576"};
    return kind < 8 ? std::to_string(rng() % 2000000) : kNumberLike[rng() % 13];
  }
  size_t len = kind < 80   ? rng() % 20
               : kind < 95 ? 100 + rng() % 300
               : kind < 99 ? 16000 + rng() % 400
                           : 5000;
  std::string s(len, static_cast<char>('a' + rng() % 26));
  if (len > 0) s[0] = static_cast<char>('0' + rng() % 4);  // some equal elements, for LREM
  return s;
}

// LREM's rule on the model: the first `limit` matches go, or the last ones.
Model RemoveFromModel(const Model& m, const std::string& target, uint64_t limit, bool from_tail) {
  Model out;
  if (!from_tail) {
    for (const auto& e : m) {
      if (e == target && limit > 0) {
        --limit;
        continue;
      }
      out.push_back(e);
    }
    return out;
  }
  for (auto it = m.rbegin(); it != m.rend(); ++it) {
    if (*it == target && limit > 0) {
      --limit;
      continue;
    }
    out.push_front(*it);
  }
  return out;
}

TEST(ListObjectTest, AnEmptyListHoldsNothing) {
  ListObject l;
  EXPECT_TRUE(l.empty());
  EXPECT_TRUE(l.Valid());
  EXPECT_EQ(l.Find("x"), ListObject::npos);
  EXPECT_EQ(l.RemoveMatches("x", 10, false), 0u);
  EXPECT_EQ(l.node_count(), 0u);
}

TEST(ListObjectTest, PushesAtEitherEndFillNodesOfFourKilobytes) {
  ListObject l;
  Model m;
  for (int i = 0; i < 20000; ++i) {
    std::string e = "element:" + std::to_string(i % 10000);
    if (i % 3 == 0) {
      l.PushFront(e);
      m.push_front(e);
    } else {
      l.PushBack(e);
      m.push_back(e);
    }
  }
  ExpectMatches(l, m);
  // 20,000 elements of 14-16 encoded bytes: about 75 full nodes, not one per element.
  EXPECT_LT(l.node_count(), 90u);
  EXPECT_LT(l.MemoryBytes(), 20000u * 17);
  while (!m.empty()) {
    ASSERT_EQ(l.PopBack(), m.back());
    m.pop_back();
    if (m.empty()) break;
    ASSERT_EQ(l.PopFront(), m.front());
    m.pop_front();
  }
  ExpectMatches(l, m);
  EXPECT_EQ(l.node_count(), 0u);
}

TEST(ListObjectTest, AQueueThroughTheHeadDrainsAtTheTail) {
  // LPUSH + RPOP: nodes are added at the front and dropped at the back, the array of
  // nodes gives back the room it kept before the first.
  ListObject l;
  Model m;
  for (int round = 0; round < 50; ++round) {
    for (int i = 0; i < 1000; ++i) {
      std::string e = std::to_string(round * 1000 + i);
      l.PushFront(e);
      m.push_front(e);
    }
    for (int i = 0; i < 900; ++i) {
      ASSERT_EQ(l.PopBack(), m.back());
      m.pop_back();
    }
  }
  ExpectMatches(l, m);
}

TEST(ListObjectTest, ElementsOfEveryLengthRoundTrip) {
  ListObject l;
  Model m;
  for (size_t len : {0, 1, 127, 128, 129, 4000, 4096, 16383, 16384, 70000}) {
    std::string e(len, 'x');
    l.PushBack(e);
    m.push_back(e);
    l.PushFront(e + "f");
    m.push_front(e + "f");
  }
  ExpectMatches(l, m);
  ListObject copy(l);
  ExpectMatches(copy, m);
  ListObject built(m.begin(), m.end());
  ExpectMatches(built, m);
}

TEST(ListObjectTest, SetInsertAndFindSplitNodesAsTheyGrow) {
  std::vector<std::string> start;
  for (int i = 0; i < 1000; ++i) start.push_back("v" + std::to_string(i));
  ListObject l(start.begin(), start.end());
  Model m(start.begin(), start.end());
  l.Set(500, "same");  // a different length: the node is rebuilt
  m[500] = "same";
  l.Set(10, "v99");  // the same length: in place
  m[10] = "v99";
  for (int i = 0; i < 400; ++i) {
    std::string e(i % 7 == 0 ? 3000 : 30, static_cast<char>('A' + i % 26));
    l.Insert(300, e);
    m.insert(m.begin() + 300, e);
  }
  l.Insert(0, "head");
  m.push_front("head");
  l.Insert(l.size(), "tail");
  m.push_back("tail");
  ExpectMatches(l, m);
  EXPECT_EQ(l.Find("v999"), m.size() - 2);
  EXPECT_EQ(l.Find("head"), 0u);
  EXPECT_EQ(l.Find("nosuch"), ListObject::npos);
}

TEST(ListObjectTest, RemoveMatchesFromTheHeadOrTheTail) {
  for (bool from_tail : {false, true}) {
    for (uint64_t limit : {uint64_t{1}, uint64_t{150}, UINT64_MAX}) {
      ListObject l;
      Model m;
      for (int i = 0; i < 3000; ++i) {
        std::string e = i % 7 == 0 ? "match" : "keep" + std::to_string(i);
        l.PushBack(e);
        m.push_back(e);
      }
      size_t removed = l.RemoveMatches("match", limit, from_tail);
      Model expected = RemoveFromModel(m, "match", limit, from_tail);
      EXPECT_EQ(removed, m.size() - expected.size());
      ExpectMatches(l, expected);
    }
  }
  ListObject all{"a", "a", "a"};
  EXPECT_EQ(all.RemoveMatches("a", UINT64_MAX, false), 3u);
  EXPECT_TRUE(all.empty());
  EXPECT_TRUE(all.Valid());
}

TEST(ListObjectTest, NumbersAreStoredAsNumbersAndReadBackAsTheyWereWritten) {
  // Only the text Redis writes for an integer is kept as a number; everything else that
  // looks like one stays text, so that every element reads back byte for byte.
  const std::vector<std::string> elements = {"0",
                                             "7",
                                             "12",
                                             "012",
                                             "-5",
                                             "+5",
                                             "00",
                                             "1e3",
                                             " 1",
                                             "1 ",
                                             "",
                                             "9223372036854775807",
                                             "9223372036854775808",
                                             "99999999999999999999",
                                             "1048575",
                                             "1048576"};
  ListObject l(elements.begin(), elements.end());
  Model m(elements.begin(), elements.end());
  ExpectMatches(l, m);
  EXPECT_EQ(l.Find("12"), 2u);
  EXPECT_EQ(l.Find("012"), 3u);
  EXPECT_EQ(l.Find("1048576"), elements.size() - 1);
  EXPECT_EQ(l.Find("13"), ListObject::npos);
  l.Set(1, "8");  // a number of the same size: in place
  m[1] = "8";
  l.Set(2, "twelve");
  m[2] = "twelve";
  l.Set(0, "123456789012");
  m[0] = "123456789012";
  ExpectMatches(l, m);
  EXPECT_EQ(l.RemoveMatches("-5", 5, false), 1u);
  m.erase(m.begin() + 4);
  ExpectMatches(l, m);
  EXPECT_EQ(l.PopFront(), "123456789012");
  EXPECT_EQ(l.PopBack(), "1048576");

  // A product id below 2^20 takes 4 bytes: its header (3) and its size (1).
  ListObject ids;
  for (int i = 0; i < 100000; ++i) ids.PushBack(std::to_string(1000000 - i));
  EXPECT_LT(ids.MemoryBytes(), 100000u * 4 * 102 / 100);
  EXPECT_EQ(ids.At(99999), "900001");
  EXPECT_TRUE(ids.Valid());
}

TEST(ListObjectTest, RandomOperationsMatchADeque) {
  std::mt19937 rng(7);
  ListObject l;
  Model m;
  for (int step = 0; step < 40000; ++step) {
    int op = static_cast<int>(rng() % 100);
    if (op < 30) {
      std::string e = Element(rng);
      l.PushFront(e);
      m.push_front(e);
    } else if (op < 60) {
      std::string e = Element(rng);
      l.PushBack(e);
      m.push_back(e);
    } else if (op < 72 && !m.empty()) {
      ASSERT_EQ(l.PopFront(), m.front());
      m.pop_front();
    } else if (op < 84 && !m.empty()) {
      ASSERT_EQ(l.PopBack(), m.back());
      m.pop_back();
    } else if (op < 88 && !m.empty()) {
      size_t i = rng() % m.size();
      std::string e = Element(rng);
      l.Set(i, e);
      m[i] = e;
    } else if (op < 92) {
      size_t i = m.empty() ? 0 : rng() % (m.size() + 1);
      std::string e = Element(rng);
      l.Insert(i, e);
      m.insert(m.begin() + static_cast<ptrdiff_t>(i), e);
    } else if (op < 94 && !m.empty()) {
      size_t front = rng() % (m.size() / 8 + 1), back = rng() % (m.size() / 8 + 1);
      if (front + back > m.size()) continue;
      l.EraseFront(front);
      m.erase(m.begin(), m.begin() + static_cast<ptrdiff_t>(front));
      l.EraseBack(back);
      m.erase(m.end() - static_cast<ptrdiff_t>(back), m.end());
    } else if (op < 95 && !m.empty()) {
      std::string target = m[rng() % m.size()];
      uint64_t limit = 1 + rng() % 3;
      bool from_tail = rng() % 2 == 0;
      size_t removed = l.RemoveMatches(target, limit, from_tail);
      Model expected = RemoveFromModel(m, target, limit, from_tail);
      ASSERT_EQ(removed, m.size() - expected.size());
      m = std::move(expected);
    } else if (op < 96) {
      ASSERT_TRUE(l.Valid());
    }
    if (step % 2000 == 0) ExpectMatches(l, m);
  }
  ExpectMatches(l, m);
  l.Clear();
  ExpectMatches(l, Model{});
}

}  // namespace
}  // namespace minired
