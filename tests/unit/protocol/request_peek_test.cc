#include "protocol/request_peek.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace minired {
namespace {

std::vector<std::string> Peek(const std::string& buffer, size_t max = 16) {
  std::string_view keys[16];
  const size_t n = PeekFirstKeys(buffer, keys, max);
  return {keys, keys + n};
}

TEST(RequestPeek, FindsTheSecondArgumentOfEachCompleteRequest) {
  const std::string pipeline =
      "*3\r\n$3\r\nSET\r\n$5\r\nkey:1\r\n$1\r\nv\r\n"
      "*2\r\n$4\r\nINCR\r\n$0\r\n\r\n"          // an empty key
      "*1\r\n$4\r\nPING\r\n"                    // no key: nothing, and on
      "*2\r\n$3\r\nGET\r\n$7\r\na\r\nb\r\nc\r\n";  // a key holding CRLF
  EXPECT_EQ(Peek(pipeline), (std::vector<std::string>{"key:1", "", "a\r\nb\r\nc"}));
}

TEST(RequestPeek, StopsAtWhatTheParserProperMustJudge) {
  const std::string set = "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n";
  // Incomplete: the key is there but the request is not.
  EXPECT_EQ(Peek(set + "*3\r\n$3\r\nSET\r\n$2\r\nk2\r\n$10\r\nshort"), (std::vector<std::string>{"k"}));
  EXPECT_EQ(Peek(set + "*2\r\n$3\r\nGET\r\n$5\r\nab"), (std::vector<std::string>{"k"}));
  EXPECT_EQ(Peek(set + "*2\r\n$3\r\nGET"), (std::vector<std::string>{"k"}));
  // Inline, malformed, negative, zero-argument and absurd lengths.
  EXPECT_EQ(Peek(set + "GET k2\r\n" + set), (std::vector<std::string>{"k"}));
  EXPECT_EQ(Peek(set + "*2\r\n:3\r\nGET\r\n" + set), (std::vector<std::string>{"k"}));
  EXPECT_EQ(Peek(set + "*-1\r\n" + set), (std::vector<std::string>{"k"}));
  EXPECT_EQ(Peek(set + "*0\r\n" + set), (std::vector<std::string>{"k"}));
  EXPECT_EQ(Peek(set + "*2\r\n$3\r\nGET\r\n$99999999999999999\r\nk\r\n"), (std::vector<std::string>{"k"}));
  EXPECT_EQ(Peek(set + "*2\n$3\r\nGET\r\n$1\r\nk\r\n"), (std::vector<std::string>{"k"}));
  // Leading zeros, which the parser refuses (found by the request parser's fuzzer).
  EXPECT_EQ(Peek(set + "*2\r\n$4\r\nECHO\r\n$05\r\n01234\r\n"), (std::vector<std::string>{"k"}));
  EXPECT_EQ(Peek(set + "*02\r\n$3\r\nGET\r\n$1\r\nk\r\n"), (std::vector<std::string>{"k"}));
  EXPECT_TRUE(Peek("").empty());
  EXPECT_TRUE(Peek("*").empty());
}

TEST(RequestPeek, GivesEachKeysThirdAndFourthArgumentsWhereAsked) {
  const std::string pipeline =
      "*4\r\n$4\r\nHSET\r\n$1\r\nh\r\n$2\r\nf1\r\n$1\r\nv\r\n"
      "*2\r\n$3\r\nGET\r\n$1\r\nk\r\n"     // no third argument
      "*1\r\n$4\r\nPING\r\n"                  // no key: no entry in either
      "*3\r\n$4\r\nSADD\r\n$1\r\ns\r\n$0\r\n\r\n"  // an empty member
      "*4\r\n$4\r\nZADD\r\n$1\r\nz\r\n$2\r\n10\r\n$2\r\nm1\r\n";
  std::string_view keys[16], thirds[16], fourths[16];
  const size_t n = PeekFirstKeys(pipeline, keys, thirds, fourths, 16);
  ASSERT_EQ(n, 4u);
  EXPECT_EQ(std::vector<std::string>(keys, keys + n), (std::vector<std::string>{"h", "k", "s", "z"}));
  EXPECT_EQ(std::vector<std::string>(thirds, thirds + n), (std::vector<std::string>{"f1", "", "", "10"}));
  EXPECT_EQ(std::vector<std::string>(fourths, fourths + n), (std::vector<std::string>{"v", "", "", "m1"}));
  std::string_view only_thirds[16];
  EXPECT_EQ(PeekFirstKeys(pipeline, keys, only_thirds, nullptr, 16), 4u);
  EXPECT_EQ(only_thirds[3], "10");
}

TEST(RequestPeek, GivesAScriptCallsFirstKeyInsteadOfItsScript) {
  const std::string pipeline =
      "*5\r\n$7\r\nevalsha\r\n$3\r\nabc\r\n$1\r\n1\r\n$4\r\nrl:7\r\n$2\r\n60\r\n"
      "*5\r\n$4\r\nEVAL\r\n$8\r\nreturn 1\r\n$1\r\n2\r\n$1\r\na\r\n$1\r\nb\r\n"
      "*4\r\n$8\r\nFCALL_RO\r\n$1\r\nf\r\n$1\r\n1\r\n$1\r\nk\r\n"
      "*4\r\n$7\r\nEVALSHA\r\n$3\r\nabc\r\n$1\r\n0\r\n$1\r\nx\r\n"  // no keys: x is an argument
      "*3\r\n$4\r\nEVAL\r\n$8\r\nreturn 1\r\n$1\r\n0\r\n"
      "*4\r\n$4\r\nHSET\r\n$4\r\neval\r\n$1\r\n1\r\n$1\r\nv\r\n";  // a key named eval
  std::string_view keys[16], thirds[16], fourths[16];
  const size_t n = PeekFirstKeys(pipeline, keys, thirds, fourths, 16);
  ASSERT_EQ(n, 7u);  // EVAL's two keys are two entries
  EXPECT_EQ(std::vector<std::string>(keys, keys + n),
            (std::vector<std::string>{"rl:7", "a", "b", "k", "abc", "return 1", "eval"}));
  EXPECT_EQ(std::vector<std::string>(thirds, thirds + n),
            (std::vector<std::string>{"", "", "", "", "0", "0", "1"}));
  EXPECT_EQ(std::vector<std::string>(fourths, fourths + n),
            (std::vector<std::string>{"", "", "", "", "x", "", "v"}));
  // A call cut short gives none of the keys it has so far: the parser proper has not
  // seen a request yet.
  const std::string cut = "*2\r\n$3\r\nGET\r\n$1\r\ng\r\n*5\r\n$7\r\nEVALSHA\r\n$3\r\nabc\r\n$1\r\n2\r\n$2\r\nk1\r\n$2\r\nk";
  EXPECT_EQ(PeekFirstKeys(cut, keys, thirds, fourths, 16), 1u);
  EXPECT_EQ(keys[0], "g");
  size_t requests = 0;
  EXPECT_EQ(PeekFirstKeys(pipeline, keys, thirds, fourths, 16, &requests), 7u);
  EXPECT_EQ(requests, 6u);
  // Never more than max entries, however many keys a call names; `requests` says how
  // many requests they came from, the one whose keys filled them included.
  EXPECT_EQ(PeekFirstKeys(pipeline, keys, thirds, fourths, 2, &requests), 2u);
  EXPECT_EQ(keys[1], "a");
  EXPECT_EQ(requests, 2u);
  EXPECT_EQ(PeekFirstKeys(cut, keys, thirds, fourths, 16, &requests), 1u);
  EXPECT_EQ(requests, 1u);
}

TEST(RequestPeek, LooksAtMostMaxRequestsAhead) {
  std::string pipeline;
  for (int i = 0; i < 40; ++i) pipeline += "*1\r\n$4\r\nPING\r\n";
  pipeline += "*2\r\n$3\r\nGET\r\n$1\r\nk\r\n";
  EXPECT_TRUE(Peek(pipeline).empty());  // 16 PINGs looked at, the GET beyond them
  std::string gets;
  for (int i = 0; i < 40; ++i) gets += "*2\r\n$3\r\nGET\r\n$1\r\n" + std::to_string(i % 10) + "\r\n";
  EXPECT_EQ(Peek(gets, 5).size(), 5u);
  EXPECT_EQ(Peek(gets).size(), 16u);
}

}  // namespace
}  // namespace minired
