// The HyperLogLog representation against bytes redis-server 7.0 produced, and its
// behaviour at the edges: the sparse -> dense promotion, counts across the range, and
// corrupt or truncated strings (reported, never read past).
#include "storage/encodings/hyperloglog.h"

#include <gtest/gtest.h>

#include <string>

namespace minired::hll {
namespace {

std::string Bytes(std::initializer_list<int> b) {
  std::string s;
  for (int c : b) s.push_back(static_cast<char>(c));
  return s;
}

// redis-server 7.0.15: PFADD h a b c, then GET h (before and after PFCOUNT h).
const std::string kRedisAbc = std::string("HYLL\x01", 5) + std::string(10, '\0') + Bytes({0x80}) +
                              Bytes({0x60, 0xf3, 0x80, 0x50, 0xb1, 0x84, 0x4b, 0xfb, 0x80, 0x42, 0x5a});

TEST(HyperLogLog, BuildsRedisBytesForTheSameElements) {
  std::string s = NewSparse();
  EXPECT_EQ(s.size(), 18u);
  for (const char* e : {"a", "b", "c"}) EXPECT_EQ(Add(&s, e, 3000), 1);
  InvalidateCache(s.data());
  EXPECT_EQ(s, kRedisAbc);
  EXPECT_FALSE(CacheValid(s));
  EXPECT_EQ(Count(s), 3u);
  SetCachedCount(s.data(), 3);
  EXPECT_TRUE(CacheValid(s));
  EXPECT_EQ(CachedCount(s), 3u);
  EXPECT_EQ(s[8], '\x03');
}

TEST(HyperLogLog, AddingTheSameElementChangesNothing) {
  std::string s = NewSparse();
  EXPECT_EQ(Add(&s, "x", 3000), 1);
  const std::string before = s;
  EXPECT_EQ(Add(&s, "x", 3000), 0);
  EXPECT_EQ(s, before);
}

TEST(HyperLogLog, SparseTurnsDenseAtTheByteLimitAndCountsTheSame) {
  std::string sparse = NewSparse(), limited = NewSparse();
  for (int i = 0; i < 1000; ++i) {
    const std::string e = "e" + std::to_string(i);
    Add(&sparse, e, 1 << 20);
    Add(&limited, e, 100);
  }
  EXPECT_EQ(EncodingOf(sparse), kSparse);
  EXPECT_EQ(EncodingOf(limited), kDense);
  EXPECT_EQ(limited.size(), kDenseSize);
  EXPECT_EQ(Count(sparse), Count(limited));
  std::string converted = sparse;
  ASSERT_TRUE(SparseToDense(&converted));
  EXPECT_EQ(converted.substr(kHeaderSize), limited.substr(kHeaderSize));
}

TEST(HyperLogLog, CountsWithinTheEstimatorsError) {
  std::string s = NewSparse();
  for (int n = 1; n <= 200000; ++n) {
    Add(&s, "item:" + std::to_string(n), 3000);
    if (n == 10 || n == 1000 || n == 200000) {
      const double err = std::abs(static_cast<double>(*Count(s)) - n) / n;
      EXPECT_LT(err, n == 10 ? 0.11 : 0.05) << n;
    }
  }
  RawRegisters max{};
  ASSERT_TRUE(MergeInto(&max, s));
  EXPECT_EQ(CountRaw(max), *Count(s));
}

TEST(HyperLogLog, DenseRegistersRoundTripIncludingTheLast) {
  std::string d = NewSparse();
  ASSERT_TRUE(SparseToDense(&d));
  for (int i = 0; i < kRegisters; ++i) Set(&d, i, static_cast<uint8_t>((i * 7) % 64), 3000);
  for (int i = 0; i < kRegisters; ++i) ASSERT_EQ(DenseRegister(d.data() + kHeaderSize, i), (i * 7) % 64) << i;
  EXPECT_EQ(d.size(), kDenseSize);
}

TEST(HyperLogLog, ValidityChecksMagicEncodingAndDenseSize) {
  EXPECT_TRUE(LooksValid(NewSparse()));
  EXPECT_FALSE(LooksValid("HYLL"));
  EXPECT_FALSE(LooksValid(std::string("HYLX\x01", 5) + std::string(13, '\0')));
  std::string bad_encoding = NewSparse();
  bad_encoding[4] = 2;
  EXPECT_FALSE(LooksValid(bad_encoding));
  std::string short_dense = NewSparse();
  short_dense[4] = 0;
  EXPECT_FALSE(LooksValid(short_dense));
}

TEST(HyperLogLog, CorruptSparseRunsAreReported) {
  // Runs covering fewer registers than 16,384.
  std::string few = NewSparse();
  few[16] = 0x40;  // an XZERO of one register
  few[17] = 0x00;
  EXPECT_FALSE(Count(few).has_value());
  RawRegisters max{};
  EXPECT_FALSE(MergeInto(&max, few));
  EXPECT_FALSE(SparseToDense(&few));
  EXPECT_EQ(Set(&few, kRegisters - 1, 3, 3000), -1);
  // A VAL run past the last register: counting refuses it; the dense conversion, as
  // Redis's, stops at the overflow and keeps what covered every register.
  std::string over = NewSparse() + Bytes({0x83});
  EXPECT_FALSE(Count(over).has_value());
  EXPECT_TRUE(SparseToDense(&over));
  EXPECT_EQ(Count(over), 0u);
  // An XZERO cut off by the end of the string reads a zero second byte, as Redis's.
  std::string cut = std::string("HYLL\x01", 5) + std::string(11, '\0') + Bytes({0x7f});
  EXPECT_FALSE(Count(cut).has_value());
  EXPECT_EQ(DescribeSparse(cut), "Z:16129");
}

TEST(HyperLogLog, DescribesSparseOpcodes) {
  EXPECT_EQ(DescribeSparse(NewSparse()), "Z:16384");
  std::string s = NewSparse();
  Set(&s, 0, 3, 3000);
  Set(&s, 100, 1, 3000);
  EXPECT_EQ(DescribeSparse(s), "v:3,1 Z:99 v:1,1 Z:16283");
}

}  // namespace
}  // namespace minired::hll
