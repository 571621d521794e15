#include "protocol/numbers.h"

#include <gtest/gtest.h>

#include <cmath>

namespace minired {
namespace {

TEST(ParseInt64, AcceptsOnlyCanonicalDecimal) {
  EXPECT_EQ(ParseInt64("0"), 0);
  EXPECT_EQ(ParseInt64("-1"), -1);
  EXPECT_EQ(ParseInt64("9223372036854775807"), INT64_MAX);
  EXPECT_EQ(ParseInt64("-9223372036854775808"), INT64_MIN);
  for (const char* bad : {"", "-", "+1", " 1", "1 ", "01", "-0", "9223372036854775808",
                          "-9223372036854775809", "1e3", "0x10", "abc", "12345678901234567890123"}) {
    EXPECT_FALSE(ParseInt64(bad).has_value()) << bad;
  }
}

TEST(ParseInt64, RejectsWhatWouldWrapAUint64) {
  EXPECT_EQ(ParseInt64("1234567890123456789"), int64_t{1234567890123456789});
  EXPECT_EQ(ParseInt64("-1000000000000000000"), int64_t{-1000000000000000000});
  // 19 digits past INT64_MAX, and 20 digits around 2^64 (whose per-digit sum would wrap).
  for (const char* bad : {"9999999999999999999", "-9999999999999999999", "18446744073709551615",
                          "18446744073709551616", "-18446744073709551617", "99999999999999999999"}) {
    EXPECT_FALSE(ParseInt64(bad).has_value()) << bad;
  }
  // Bytes next to the digits, and a byte with the high bit set.
  for (std::string_view bad : {std::string_view("1/"), std::string_view("1:"), std::string_view("-/"),
                               std::string_view("1\0", 2), std::string_view("\xb1", 1)}) {
    EXPECT_FALSE(ParseInt64(bad).has_value()) << bad;
  }
}

TEST(FormatInt64, RoundTrips) {
  for (int64_t v : {INT64_MIN, int64_t{-1}, int64_t{0}, int64_t{7}, INT64_MAX}) {
    EXPECT_EQ(ParseInt64(Int64ToString(v)), v);
  }
}

TEST(ParseDouble, RedisRules) {
  EXPECT_EQ(ParseDouble("1.5"), 1.5);
  EXPECT_EQ(ParseDouble("inf"), HUGE_VAL);
  EXPECT_EQ(ParseDouble("-inf"), -HUGE_VAL);
  EXPECT_FALSE(ParseDouble("nan"));
  EXPECT_FALSE(ParseDouble(" 1"));
  EXPECT_FALSE(ParseDouble("1 "));
  EXPECT_FALSE(ParseDouble(""));
  EXPECT_FALSE(ParseDouble("1x"));
}

TEST(FormatLongDoubleHuman, TrimsLikeRedis) {
  EXPECT_EQ(FormatLongDoubleHuman(10.5L), "10.5");
  EXPECT_EQ(FormatLongDoubleHuman(3.0L), "3");
  EXPECT_EQ(FormatLongDoubleHuman(10.5L + 0.1L), "10.6");
  EXPECT_EQ(FormatLongDoubleHuman(-0.0L), "0");
  EXPECT_EQ(FormatLongDoubleHuman(5.0e3L), "5000");
}

}  // namespace
}  // namespace minired
