#include "minired/reply.h"

#include <gtest/gtest.h>

#include "protocol/reply_parser.h"

namespace minired::client {
namespace {

Reply Parse(std::string_view wire) {
  ReplyParser p;
  p.Feed(wire);
  Reply r;
  EXPECT_EQ(p.Next(&r), ReplyParser::Result::kOk) << wire;
  return r;
}

TEST(ReplyAs, ScalarsFromEitherProtocol) {
  EXPECT_EQ(*ReplyAs<int64_t>(Parse(":42\r\n")), 42);
  EXPECT_EQ(*ReplyAs<double>(Parse("$3\r\n1.5\r\n")), 1.5);
  EXPECT_EQ(*ReplyAs<double>(Parse(",1.5\r\n")), 1.5);
  EXPECT_TRUE(*ReplyAs<bool>(Parse("#t\r\n")));
  EXPECT_TRUE(*ReplyAs<bool>(Parse("+OK\r\n")));
  EXPECT_FALSE(*ReplyAs<bool>(Parse("$-1\r\n")));
  EXPECT_FALSE(*ReplyAs<bool>(Parse(":0\r\n")));
  EXPECT_EQ(*ReplyAs<std::optional<std::string>>(Parse("_\r\n")), std::nullopt);
  EXPECT_EQ(*ReplyAs<std::optional<double>>(Parse("$-1\r\n")), std::nullopt);
  EXPECT_TRUE(ReplyAs<Ok>(Parse("+OK\r\n")).ok());
}

TEST(ReplyAs, ErrorsAreServerErrorsAndShapesAreProtocolErrors) {
  auto e = ReplyAs<int64_t>(Parse("-WRONGTYPE Operation against a key\r\n"));
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.error().kind, Error::Kind::kServer);
  EXPECT_EQ(e.error().code(), "WRONGTYPE");
  auto shape = ReplyAs<int64_t>(Parse("*0\r\n"));
  ASSERT_FALSE(shape.ok());
  EXPECT_EQ(shape.error().kind, Error::Kind::kProtocol);
  EXPECT_EQ(ReplyAs<double>(Parse("$3\r\nabc\r\n")).error().kind, Error::Kind::kProtocol);
}

TEST(ReplyAs, PairsFromFlatArraysMapsAndNestedPairs) {
  using FV = std::vector<std::pair<std::string, std::string>>;
  FV expect = {{"f", "v"}, {"g", "w"}};
  EXPECT_EQ(*ReplyAs<FV>(Parse("*4\r\n$1\r\nf\r\n$1\r\nv\r\n$1\r\ng\r\n$1\r\nw\r\n")), expect);
  EXPECT_EQ(*ReplyAs<FV>(Parse("%2\r\n$1\r\nf\r\n$1\r\nv\r\n$1\r\ng\r\n$1\r\nw\r\n")), expect);
  EXPECT_FALSE(ReplyAs<FV>(Parse("*1\r\n$1\r\nf\r\n")).ok());
  using MS = std::vector<std::pair<std::string, double>>;
  MS scores = {{"a", 1}, {"b", 2.5}};
  EXPECT_EQ(*ReplyAs<MS>(Parse("*4\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$3\r\n2.5\r\n")), scores);
  EXPECT_EQ(*ReplyAs<MS>(Parse("*2\r\n*2\r\n$1\r\na\r\n,1\r\n*2\r\n$1\r\nb\r\n,2.5\r\n")), scores);
}

TEST(ReplyAs, ListsWithNils) {
  auto v = ReplyAs<std::vector<std::optional<std::string>>>(Parse("*3\r\n$1\r\na\r\n$-1\r\n$0\r\n\r\n"));
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(*v, (std::vector<std::optional<std::string>>{"a", std::nullopt, ""}));
  EXPECT_TRUE(ReplyAs<std::vector<std::string>>(Parse("*-1\r\n"))->empty());
}

}  // namespace
}  // namespace minired::client
