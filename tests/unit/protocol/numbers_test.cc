#include "protocol/numbers.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <vector>

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

// ReadCommonLength reads a header's number only where ParseInt64 gives the same value
// and the '\r' and one byte after it are there; every other form is left to the caller.
TEST(ReadCommonLength, AgreesWithParseInt64OrDeclines) {
  const std::string numbers[] = {"0", "1", "7", "10", "01", "-1", "-0", "+1", "1x", "x", "",
                                 "999999999999999999", "1000000000000000000", "9223372036854775807",
                                 // 19 nines: read as digits, its last one would overflow (the
                                 // request parser's fuzzer found it).
                                 "9999999999999999999"};
  const std::string tails[] = {"", "\r", "\r\n", "\rX", "\n", " \r\n"};
  for (const std::string& number : numbers) {
    for (const std::string& tail : tails) {
      const std::string header = number + tail;
      int64_t value = -42;
      const char* cr = ReadCommonLength(header.data(), header.data() + header.size(), &value);
      const bool common = !number.empty() && number[0] >= '1' && number[0] <= '9' && number.size() <= 18 &&
                          number.find_first_not_of("0123456789") == std::string::npos && tail.size() >= 2 &&
                          tail[0] == '\r';
      if (!common) {
        EXPECT_EQ(cr, nullptr) << header;
        continue;
      }
      ASSERT_NE(cr, nullptr) << header;
      EXPECT_EQ(cr, header.data() + number.size()) << header;
      EXPECT_EQ(value, ParseInt64(number)) << header;
    }
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

// ToLowerInPlace lowers eight bytes a step: every byte value, at every offset of the
// word and in the tail, must come out as the byte-by-byte AsciiLower gives it.
TEST(ToLowerInPlace, AgreesWithAsciiLowerForEveryByte) {
  for (int value = 0; value < 256; ++value) {
    for (size_t length = 1; length <= 19; ++length) {
      for (size_t at = 0; at < length; ++at) {
        std::string s(length, 'Q');
        s[at] = static_cast<char>(value);
        std::string want = s;
        for (char& c : want) c = AsciiLower(c);
        ToLowerInPlace(s);
        ASSERT_EQ(s, want) << "byte " << value << " at " << at << " of " << length;
      }
    }
  }
  std::string sha = "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4";
  ToLowerInPlace(sha);
  EXPECT_EQ(sha, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4");
}

// LoadUpTo8 reads a short run of bytes with at most two overlapping loads: every length
// and byte value must come out as the bytes in order, zeros above them, and nothing of
// what follows the run (here 0xAA bytes) may leak in.
TEST(LoadUpTo8, IsTheBytesInOrderWithZerosAbove) {
  for (size_t n = 0; n <= 8; ++n) {
    for (int value = 0; value < 256; ++value) {
      for (size_t at = 0; at < std::max<size_t>(n, 1); ++at) {
        char bytes[16];
        std::memset(bytes, 0xAA, sizeof bytes);
        for (size_t i = 0; i < n; ++i) bytes[i] = static_cast<char>('a' + i);
        if (n > 0) bytes[at] = static_cast<char>(value);
        uint64_t want = 0;
        for (size_t i = 0; i < n; ++i) want |= static_cast<uint64_t>(static_cast<uint8_t>(bytes[i])) << (8 * i);
        ASSERT_EQ(LoadUpTo8(bytes, n), want) << "length " << n << ", byte " << value << " at " << at;
      }
    }
  }
}

TEST(AsciiLowerWord, LowersOnlyUpperCaseLetters) {
  for (int value = 0; value < 256; ++value) {
    for (int at = 0; at < 8; ++at) {
      uint64_t w = 0x5a41405b7a61605fULL;  // 'Z' 'A' '@' '[' 'z' 'a' '`' '_': the edges
      w = (w & ~(uint64_t{0xff} << (8 * at))) | (static_cast<uint64_t>(value) << (8 * at));
      uint64_t want = 0;
      for (int i = 0; i < 8; ++i) {
        const char c = static_cast<char>((w >> (8 * i)) & 0xff);
        want |= static_cast<uint64_t>(static_cast<uint8_t>(AsciiLower(c))) << (8 * i);
      }
      ASSERT_EQ(AsciiLowerWord(w), want) << "byte " << value << " at " << at;
    }
  }
}

// FormatDouble writes with std::to_chars and an integer fast path: the bytes must be
// printf's "%.17g" for every double, so replies stay Redis 7.0's byte for byte.
TEST(FormatDouble, WritesWhatPrintfWrites) {
  std::vector<double> values = {0.0, -0.0, 1.0, -1.0, 0.1, 1.5, -2.25, 1e15, 1e15 - 1, -1e15, 1e16, 1e17, 1e21,
                                123456789012345678.0, 9007199254740993.0, 1e-5, 1e-300, 5e-324, 2.2250738585072014e-308,
                                1.7976931348623157e308, -1.7976931348623157e308, 3.141592653589793, 100.0, 99999.0,
                                std::nan(""), -std::nan("")};
  std::mt19937_64 rng(7);
  for (int i = 0; i < 200000; ++i) {
    uint64_t bits = rng();
    double d;
    std::memcpy(&d, &bits, sizeof d);
    if (!std::isinf(d)) values.push_back(d);
    values.push_back(static_cast<double>(static_cast<int64_t>(rng() % 2000000000000000ULL) - 1000000000000000LL) /
                     static_cast<double>(1 << (rng() % 12)));
  }
  for (double d : values) {
    char want[64];
    const int n = std::snprintf(want, sizeof want, "%.17g", d);
    char got[kMaxDoubleChars];
    ASSERT_EQ(std::string_view(got, FormatDouble(d, got)), std::string_view(want, static_cast<size_t>(n)));
  }
  EXPECT_EQ(FormatDouble(HUGE_VAL), "inf");
  EXPECT_EQ(FormatDouble(-HUGE_VAL), "-inf");
}

}  // namespace
}  // namespace minired
