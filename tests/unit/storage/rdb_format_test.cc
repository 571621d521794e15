// RDB's building blocks: CRC-64/Jones, LZF, lengths and strings, and the FUNCTION DUMP
// payload, checked against known values and a payload redis-server 7.0 wrote.
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "storage/rdb/crc64.h"
#include "storage/rdb/function_payload.h"
#include "storage/rdb/lzf.h"
#include "storage/rdb/rdb_string.h"

namespace minired::rdb {
namespace {

using namespace std::string_literals;

TEST(Crc64, MatchesRedisCheckValue) {
  EXPECT_EQ(Crc64(0, "123456789"), 0xe9c6d914c4b8d9caULL);  // Redis's crc64 self-test
  EXPECT_EQ(Crc64(0, ""), 0u);
  EXPECT_EQ(Crc64(Crc64(0, "12345"), "6789"), Crc64(0, "123456789"));
}

TEST(Lzf, ExpandsLiteralsAndBackReferences) {
  std::string out;
  // "abc" as a literal run, then a back reference of 3 + 2 bytes to offset 3: "abcab".
  ASSERT_TRUE(LzfDecompress("\x02" "abc" "\x60\x02"s, 8, &out));
  EXPECT_EQ(out, "abcabcab");
  // A reference that overlaps what it produces repeats it ("a" then 9 more "a").
  ASSERT_TRUE(LzfDecompress("\x00" "a" "\xe0\x00\x00"s, 10, &out));
  EXPECT_EQ(out, std::string(10, 'a'));
}

TEST(Lzf, RefusesWhatDoesNotExpandToTheLength) {
  std::string out;
  EXPECT_FALSE(LzfDecompress("\x02" "abc"s, 4, &out));                // too short
  EXPECT_FALSE(LzfDecompress("\x02" "abc"s, 2, &out));                // too long
  EXPECT_FALSE(LzfDecompress("\x05" "ab"s, 6, &out));                 // literal past the input
  EXPECT_FALSE(LzfDecompress("\x00" "a" "\x20\x05"s, 4, &out));       // reference before the start
  EXPECT_FALSE(LzfDecompress("\x00" "a" "\xe0"s, 10, &out));          // reference cut short
  EXPECT_FALSE(LzfDecompress("\x00" "a"s, size_t{1} << 32, &out));     // a length no input of 2 bytes reaches
}

TEST(RdbString, LengthsRoundTripInEveryWidth) {
  for (uint64_t len : {uint64_t{0}, uint64_t{63}, uint64_t{64}, uint64_t{16383}, uint64_t{16384},
                       uint64_t{UINT32_MAX}, uint64_t{UINT32_MAX} + 1}) {
    std::string out;
    AppendLength(&out, len);
    Reader r(out);
    uint64_t back = 0;
    ASSERT_TRUE(r.ReadLength(&back)) << len;
    EXPECT_EQ(back, len);
    EXPECT_EQ(r.remaining(), 0u);
  }
}

TEST(RdbString, ReadsPlainIntegerAndCompressedForms) {
  const std::pair<std::string, std::string> forms[] = {
      {"\x03" "abc"s, "abc"},
      {"\xc0\xfe"s, "-2"},
      {"\xc1\x39\x30"s, "12345"},
      {"\xc2\x15\xcd\x5b\x07"s, "123456789"},
      {"\xc3\x06\x08\x02" "abc" "\x60\x02"s, "abcabcab"},
  };
  for (const auto& [encoded, plain] : forms) {
    Reader r(encoded);
    std::string out;
    ASSERT_TRUE(r.ReadString(&out)) << plain;
    EXPECT_EQ(out, plain);
    EXPECT_EQ(r.remaining(), 0u);
  }
  const std::string bad[] = {"\x05" "ab"s, "\xc4"s, "\xc3\x06"s, "\x80\x00"s,
                             "\xc3\x02\x84\xff\xff\xff\xff\x00\x00"s};
  for (const std::string& b : bad) {
    Reader r(b);
    std::string out;
    EXPECT_FALSE(r.ReadString(&out));
  }
}

// FUNCTION DUMP of redis-server 7.0.15 holding one library (its code LZF-compressed).
const std::string kRedisDump =
    "\xf5\xc3\x40\x4f\x40\x69\x1f\x23\x21\x6c\x75\x61\x20\x6e\x61\x6d\x65\x3d\x66\x69\x78\x74\x75\x72\x65\x0a\x72"
    "\x65\x64\x69\x73\x2e\x72\x65\x67\x69\x73\x74\x65\x10\x72\x5f\x66\x75\x6e\x63\x74\x69\x6f\x6e\x28\x27\x66\x78"
    "\x27\x2c\x20\xe0\x00\x0e\x03\x29\x20\x72\x65\x20\x2f\x02\x6e\x20\x27\xa0\x38\x00\x20\xe0\x0e\x07\x05\x27\x20"
    "\x65\x6e\x64\x29\x0a\x00\x37\x99\xa9\x20\x11\x2d\x11\x1c"s;

TEST(FunctionPayload, ReadsRedisServersDump) {
  std::vector<std::string> codes;
  std::string error;
  ASSERT_TRUE(DecodeFunctionsPayload(kRedisDump, &codes, &error)) << error;
  ASSERT_EQ(codes.size(), 1u);
  EXPECT_EQ(codes[0],
            "#!lua name=fixture\n"
            "redis.register_function('fx', function() return 'fixture fixture fixture fixture' end)");
}

TEST(FunctionPayload, RoundTripsAndRefusesDamage) {
  const std::string payload = EncodeFunctionsPayload({"#!lua name=a\nx", std::string(100, 'y')});
  std::vector<std::string> codes;
  std::string error;
  ASSERT_TRUE(DecodeFunctionsPayload(payload, &codes, &error)) << error;
  EXPECT_EQ(codes, (std::vector<std::string>{"#!lua name=a\nx", std::string(100, 'y')}));

  std::string damaged = payload;
  damaged[5] ^= 1;
  codes.clear();
  EXPECT_FALSE(DecodeFunctionsPayload(damaged, &codes, &error));
  EXPECT_EQ(error, "DUMP payload version or checksum are wrong");
  EXPECT_FALSE(DecodeFunctionsPayload("short", &codes, &error));

  // A later RDB version than 7.0's is refused; a payload that is not a function is too.
  std::string later = EncodeFunctionsPayload({});
  later[0] = 11;
  EXPECT_FALSE(DecodeFunctionsPayload(later, &codes, &error));
  std::string not_function = "\x00\x01x"s + EncodeFunctionsPayload({}).substr(0, 2);
  uint64_t crc = Crc64(0, not_function);
  for (int i = 0; i < 8; ++i) not_function.push_back(static_cast<char>((crc >> (8 * i)) & 0xff));
  EXPECT_FALSE(DecodeFunctionsPayload(not_function, &codes, &error));
  EXPECT_EQ(error, "given type is not a function");
}

}  // namespace
}  // namespace minired::rdb
