#include "protocol/request_parser.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace minired {
namespace {

using Args = std::vector<std::string>;

// Feeds `wire` to a parser in pieces cut at `cuts`, as a connection would receive it,
// and returns every command parsed (or the error text).
struct Outcome {
  std::vector<Args> commands;
  std::string error;
};

Outcome ParseInPieces(const std::string& wire, const std::vector<size_t>& cuts,
                      RequestLimits limits = {}) {
  RequestParser p(limits);
  Outcome out;
  std::string buffer;  // unconsumed bytes, starting at the current command
  size_t fed = 0;
  std::vector<size_t> ends = cuts;
  ends.push_back(wire.size());
  for (size_t end : ends) {
    buffer.append(wire, fed, end - fed);
    fed = end;
    while (true) {
      size_t consumed = 0;
      auto r = p.Parse(buffer, &consumed);
      if (r == RequestParser::Result::kNeedMore) break;
      if (r == RequestParser::Result::kError) {
        out.error = p.error();
        return out;
      }
      Args a(p.args().begin(), p.args().end());
      if (!a.empty()) out.commands.push_back(a);
      buffer.erase(0, consumed);
    }
  }
  return out;
}

Outcome ParseWhole(const std::string& wire, RequestLimits limits = {}) {
  return ParseInPieces(wire, {}, limits);
}

TEST(RequestParser, ParsesOneMultibulkCommand) {
  auto o = ParseWhole("*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nvalue\r\n");
  ASSERT_EQ(o.error, "");
  ASSERT_EQ(o.commands.size(), 1u);
  EXPECT_EQ(o.commands[0], (Args{"SET", "key", "value"}));
}

TEST(RequestParser, ArgumentsAreViewsIntoTheCallersBuffer) {
  std::string wire = "*2\r\n$3\r\nGET\r\n$1\r\nk\r\n";
  RequestParser p;
  size_t consumed;
  ASSERT_EQ(p.Parse(wire, &consumed), RequestParser::Result::kOk);
  EXPECT_EQ(p.args()[0].data(), wire.data() + 8);
  EXPECT_EQ(p.args()[1].data(), wire.data() + 17);
  EXPECT_EQ(consumed, wire.size());
}

TEST(RequestParser, ResumesAtEveryByteBoundary) {
  std::string wire =
      "*3\r\n$3\r\nSET\r\n$4\r\nk\r\nx\r\n$0\r\n\r\n"
      "PING\r\n"
      "*1\r\n$4\r\nPING\r\n"
      "set \"a b\" 'c\\'d'\n"
      "*2\r\n$4\r\nECHO\r\n$12\r\nhello\r\nworld\r\n";
  std::vector<Args> expected = {{"SET", "k\r\nx", ""}, {"PING"}, {"PING"}, {"set", "a b", "c'd"},
                                {"ECHO", "hello\r\nworld"}};
  for (size_t cut = 0; cut <= wire.size(); ++cut) {
    auto o = ParseInPieces(wire, {cut});
    ASSERT_EQ(o.error, "") << "cut at " << cut;
    ASSERT_EQ(o.commands, expected) << "cut at " << cut;
  }
  // Two cuts everywhere, too (a header split in three).
  for (size_t a = 0; a <= wire.size(); a += 3) {
    for (size_t b = a; b <= wire.size(); b += 5) {
      ASSERT_EQ(ParseInPieces(wire, {a, b}).commands, expected) << a << "," << b;
    }
  }
}

TEST(RequestParser, ByteAtATime) {
  std::string wire = "*2\r\n$4\r\nINCR\r\n$7\r\ncounter\r\n";
  std::vector<size_t> cuts;
  for (size_t i = 1; i < wire.size(); ++i) cuts.push_back(i);
  auto o = ParseInPieces(wire, cuts);
  ASSERT_EQ(o.commands, (std::vector<Args>{{"INCR", "counter"}}));
}

TEST(RequestParser, EmptyMultibulkIsSkipped) {
  auto o = ParseWhole("*0\r\n*-1\r\n*1\r\n$4\r\nPING\r\n");
  ASSERT_EQ(o.error, "");
  EXPECT_EQ(o.commands, (std::vector<Args>{{"PING"}}));
}

TEST(RequestParser, BlankInlineLinesAreSkipped) {
  auto o = ParseWhole("\r\n\n   \r\nPING\r\n");
  EXPECT_EQ(o.commands, (std::vector<Args>{{"PING"}}));
}

TEST(RequestParser, InlineQuotingFollowsRedis) {
  auto o = ParseWhole("SET k \"a\\x41\\n\\\"\" '\\'x'\n");
  ASSERT_EQ(o.error, "");
  EXPECT_EQ(o.commands[0], (Args{"SET", "k", "aA\n\"", "'x"}));
}

TEST(RequestParser, UnbalancedQuotesAreAProtocolError) {
  EXPECT_EQ(ParseWhole("SET k \"abc\r\n").error, "Protocol error: unbalanced quotes in request");
  EXPECT_EQ(ParseWhole("SET k \"abc\"x\r\n").error, "Protocol error: unbalanced quotes in request");
}

TEST(RequestParser, BadMultibulkLength) {
  EXPECT_EQ(ParseWhole("*abc\r\n").error, "Protocol error: invalid multibulk length");
  EXPECT_EQ(ParseWhole("*3000000000\r\n").error, "Protocol error: invalid multibulk length");
  EXPECT_EQ(ParseWhole("*1x\r\n").error, "Protocol error: invalid multibulk length");
  // Forms the common-length fast path leaves to ParseInt64: a leading zero, 19 digits.
  EXPECT_EQ(ParseWhole("*01\r\n").error, "Protocol error: invalid multibulk length");
  EXPECT_EQ(ParseWhole("*1000000000000000000\r\n").error, "Protocol error: invalid multibulk length");
}

TEST(RequestParser, BadBulkHeader) {
  EXPECT_EQ(ParseWhole("*1\r\n+PING\r\n").error, "Protocol error: expected '$', got '+'");
  EXPECT_EQ(ParseWhole("*1\r\n$-1\r\n").error, "Protocol error: invalid bulk length");
  EXPECT_EQ(ParseWhole("*1\r\n$x\r\n").error, "Protocol error: invalid bulk length");
  EXPECT_EQ(ParseWhole("*1\r\n$04\r\nPING\r\n").error, "Protocol error: invalid bulk length");
  EXPECT_EQ(ParseWhole("*1\r\n$4x\r\nPING\r\n").error, "Protocol error: invalid bulk length");
  EXPECT_EQ(ParseWhole("*1\r\n$1000000000000000000\r\n").error, "Protocol error: invalid bulk length");
}

TEST(RequestParser, BulkLongerThanProtoMaxBulkLenIsRejected) {
  RequestLimits limits;
  limits.max_bulk_len = 10;
  EXPECT_EQ(ParseWhole("*1\r\n$11\r\n", limits).error, "Protocol error: invalid bulk length");
  EXPECT_EQ(ParseWhole("*1\r\n$10\r\n0123456789\r\n", limits).error, "");
}

TEST(RequestParser, UnauthenticatedClientsGetSmallLimits) {
  RequestLimits limits;
  limits.unauthenticated = true;
  EXPECT_EQ(ParseWhole("*11\r\n", limits).error, "Protocol error: unauthenticated multibulk length");
  EXPECT_EQ(ParseWhole("*1\r\n$16385\r\n", limits).error, "Protocol error: unauthenticated bulk length");
  // The limits themselves are allowed; the usual errors keep their precedence.
  EXPECT_EQ(ParseWhole("*2\r\n$4\r\nAUTH\r\n$3\r\npwd\r\n", limits).commands.size(), 1u);
  EXPECT_EQ(ParseWhole("*1\r\n$-1\r\n", limits).error, "Protocol error: invalid bulk length");
  std::string ten = "*10\r\n";
  for (int i = 0; i < 10; ++i) ten += "$1\r\nx\r\n";
  EXPECT_EQ(ParseWhole(ten, limits).error, "");
  std::string max_bulk = "*1\r\n$16384\r\n" + std::string(16384, 'a') + "\r\n";
  EXPECT_EQ(ParseWhole(max_bulk, limits).error, "");
}

TEST(RequestParser, HugeDeclaredBulkNeedsNoMemoryUpFront) {
  // A hostile header alone must not make the parser (or its caller) allocate 512 MB.
  RequestParser p;
  std::string wire = "*1\r\n$536870912\r\nabc";
  size_t consumed;
  EXPECT_EQ(p.Parse(wire, &consumed), RequestParser::Result::kNeedMore);
  EXPECT_EQ(p.min_bytes_needed(), 4u + 12u + 536870912u + 2u);
}

TEST(RequestParser, HugeDeclaredArgumentCountNeedsNoMemoryUpFront) {
  RequestParser p;
  std::string wire = "*2147483647\r\n$1\r\na\r\n";
  size_t consumed;
  EXPECT_EQ(p.Parse(wire, &consumed), RequestParser::Result::kNeedMore);
}

TEST(RequestParser, OverlongLinesWithoutTerminatorAreRejected) {
  std::string junk(70 * 1024, 'a');
  EXPECT_EQ(ParseWhole(junk).error, "Protocol error: too big inline request");
  EXPECT_EQ(ParseWhole("*" + std::string(70 * 1024, '1')).error,
            "Protocol error: too big mbulk count string");
  EXPECT_EQ(ParseWhole("*1\r\n$" + std::string(70 * 1024, '1')).error,
            "Protocol error: too big bulk count string");
}

TEST(RequestParser, ParserIsReusableAfterAnError) {
  RequestParser p;
  size_t consumed;
  ASSERT_EQ(p.Parse("*x\r\n", &consumed), RequestParser::Result::kError);
  ASSERT_EQ(p.Parse("*1\r\n$4\r\nPING\r\n", &consumed), RequestParser::Result::kOk);
  EXPECT_EQ(p.args()[0], "PING");
}

TEST(SplitInlineArgs, MatchesSdsSplitArgs) {
  std::vector<std::string> out;
  ASSERT_TRUE(SplitInlineArgs("  a  b\t\"c d\" ''  ", &out));
  EXPECT_EQ(out, (std::vector<std::string>{"a", "b", "c d", ""}));
  out.clear();
  EXPECT_FALSE(SplitInlineArgs("'abc", &out));
}

}  // namespace
}  // namespace minired
