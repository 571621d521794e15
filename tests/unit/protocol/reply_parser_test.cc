#include "protocol/reply_parser.h"

#include <gtest/gtest.h>

#include "protocol/reply_writer.h"
#include "tests/testing/reply_samples.h"

namespace minired {
namespace {

std::vector<RespValue> ParseAll(const std::string& wire, size_t cut) {
  ReplyParser p;
  std::vector<RespValue> out;
  for (std::string_view piece : {std::string_view(wire).substr(0, cut), std::string_view(wire).substr(cut)}) {
    p.Feed(piece);
    RespValue v;
    while (p.Next(&v) == ReplyParser::Result::kOk) out.push_back(v);
  }
  return out;
}

TEST(ReplyParser, EveryReplyTypeSplitAtEveryByte) {
  const std::string wire = testing::EveryReplyTypeWire();
  for (size_t cut = 0; cut <= wire.size(); ++cut) {
    auto vals = ParseAll(wire, cut);
    ASSERT_EQ(vals.size(), 12u) << "cut " << cut;
    EXPECT_EQ(vals[0].str, "OK");
    EXPECT_TRUE(vals[1].is_error());
    EXPECT_EQ(vals[2].integer, -42);
    EXPECT_EQ(vals[3].str, "a\r\nb");
    EXPECT_TRUE(vals[4].is_null());
    ASSERT_EQ(vals[5].elems.size(), 2u);
    EXPECT_EQ(vals[5].elems[1].elems.size(), 0u);
    ASSERT_EQ(vals[6].type, RespValue::Type::kMap);
    EXPECT_EQ(vals[6].elems[1].dbl, 1.5);
    EXPECT_EQ(vals[7].elems[0].integer, 1);
    EXPECT_EQ(vals[8].str, "text");
    EXPECT_TRUE(vals[9].is_null());
    EXPECT_TRUE(vals[10].is_null());
    EXPECT_EQ(vals[11].type, RespValue::Type::kBigNumber);
  }
}

TEST(ReplyParser, DeepNestingResumes) {
  std::string wire;
  for (int i = 0; i < 50; ++i) wire += "*1\r\n";
  wire += ":7\r\n";
  for (size_t cut = 0; cut <= wire.size(); ++cut) {
    auto vals = ParseAll(wire, cut);
    ASSERT_EQ(vals.size(), 1u);
    const RespValue* v = &vals[0];
    for (int i = 0; i < 50; ++i) v = &v->elems[0];
    EXPECT_EQ(v->integer, 7);
  }
}

TEST(ReplyParser, RejectsGarbage) {
  ReplyParser p;
  p.Feed("?what\r\n");
  RespValue v;
  EXPECT_EQ(p.Next(&v), ReplyParser::Result::kError);
}

TEST(ReplyWriter, Resp2FallbacksMatchRedis) {
  std::string out;
  ReplyWriter w(&out, 2);
  w.MapHeader(2);
  w.SetHeader(3);
  w.Double(0.1);
  w.Bool(false);
  w.Null();
  w.NullArray();
  EXPECT_EQ(out, "*4\r\n*3\r\n$19\r\n0.10000000000000001\r\n:0\r\n$-1\r\n*-1\r\n");
}

TEST(ReplyWriter, BulksOfEveryLengthAndIntegersOfEveryWidth) {
  // Short bulks are put together on the stack, longer ones appended in three parts:
  // both sides of the 64-byte line, and the empty bulk.
  for (size_t len : {0, 1, 63, 64, 65, 1000}) {
    std::string out;
    ReplyWriter w(&out);
    std::string value(len, 'v');
    w.Bulk(value);
    EXPECT_EQ(out, "$" + std::to_string(len) + "\r\n" + value + "\r\n");
  }
  std::string out;
  ReplyWriter w(&out);
  for (int64_t v : {INT64_MIN, int64_t{-10}, int64_t{0}, int64_t{99}, int64_t{100}, INT64_MAX}) w.Integer(v);
  w.BulkInt(-42);
  EXPECT_EQ(out, ":-9223372036854775808\r\n:-10\r\n:0\r\n:99\r\n:100\r\n:9223372036854775807\r\n$3\r\n-42\r\n");
}

TEST(ReplyWriter, ErrorsCannotBreakTheFraming) {
  std::string out;
  ReplyWriter w(&out);
  w.Error("ERR a\r\nb");
  EXPECT_EQ(out, "-ERR a  b\r\n");
  EXPECT_EQ(w.errors_written(), 1u);
}

}  // namespace
}  // namespace minired
