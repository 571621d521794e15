#include <gtest/gtest.h>

#include "tests/testing/server_fixture.h"

namespace minired {
namespace {

using ExpireFamily = testing::ServerFixture;

TEST_F(ExpireFamily, ExpireTtlPersist) {
  Str({"SET", "k", "v"});
  EXPECT_EQ(Int({"TTL", "k"}), -1);
  EXPECT_EQ(Int({"TTL", "missing"}), -2);
  EXPECT_EQ(Int({"EXPIRE", "k", "10"}), 1);
  EXPECT_EQ(Int({"TTL", "k"}), 10);
  EXPECT_EQ(Int({"PTTL", "k"}), 10000);
  AdvanceMs(2500);
  EXPECT_EQ(Int({"TTL", "k"}), 8);  // 7.5 s rounds to 8, as Redis
  EXPECT_EQ(Int({"PERSIST", "k"}), 1);
  EXPECT_EQ(Int({"PERSIST", "k"}), 0);
  EXPECT_EQ(Int({"EXPIRE", "missing", "10"}), 0);
}

TEST_F(ExpireFamily, AbsoluteForms) {
  Str({"SET", "k", "v"});
  int64_t at = NowMs() / 1000 + 100;
  EXPECT_EQ(Int({"EXPIREAT", "k", std::to_string(at)}), 1);
  EXPECT_EQ(Int({"EXPIRETIME", "k"}), at);
  EXPECT_EQ(Int({"PEXPIRETIME", "k"}), at * 1000);
  EXPECT_EQ(Int({"PEXPIREAT", "k", std::to_string(NowMs() + 50)}), 1);
  EXPECT_EQ(Int({"PTTL", "k"}), 50);
  EXPECT_EQ(Int({"EXPIRETIME", "missing"}), -2);
}

TEST_F(ExpireFamily, ConditionFlags) {
  Str({"SET", "k", "v"});
  EXPECT_EQ(Int({"EXPIRE", "k", "100", "XX"}), 0);
  EXPECT_EQ(Int({"EXPIRE", "k", "100", "GT"}), 0);  // no TTL counts as infinite
  EXPECT_EQ(Int({"EXPIRE", "k", "100", "NX"}), 1);
  EXPECT_EQ(Int({"EXPIRE", "k", "50", "NX"}), 0);
  EXPECT_EQ(Int({"EXPIRE", "k", "50", "GT"}), 0);
  EXPECT_EQ(Int({"EXPIRE", "k", "200", "GT"}), 1);
  EXPECT_EQ(Int({"EXPIRE", "k", "300", "LT"}), 0);
  EXPECT_EQ(Int({"EXPIRE", "k", "20", "LT", "XX"}), 1);
  EXPECT_EQ(Int({"TTL", "k"}), 20);
  EXPECT_EQ(Err({"EXPIRE", "k", "1", "NX", "XX"}),
            "ERR NX and XX, GT or LT options at the same time are not compatible");
  EXPECT_EQ(Err({"EXPIRE", "k", "1", "GT", "LT"}),
            "ERR GT and LT options at the same time are not compatible");
  EXPECT_EQ(Err({"EXPIRE", "k", "1", "YY"}), "ERR Unsupported option YY");
  EXPECT_EQ(Err({"EXPIRE", "k", "x"}), "ERR value is not an integer or out of range");
  EXPECT_EQ(Err({"EXPIRE", "k", "9223372036854775807"}), "ERR invalid expire time in 'expire' command");
}

TEST_F(ExpireFamily, ExpireInThePastDeletesNow) {
  Str({"SET", "k", "v"});
  EXPECT_EQ(Int({"EXPIRE", "k", "-1"}), 1);
  EXPECT_EQ(Int({"EXISTS", "k"}), 0);
}

TEST_F(ExpireFamily, ExpiredKeysVanishFromEveryCommand) {
  Str({"SET", "k", "v", "PX", "100"});
  Str({"SET", "keep", "v"});
  AdvanceMs(100);
  EXPECT_EQ(Str({"GET", "k"}), "(nil)");
  EXPECT_EQ(Int({"EXISTS", "k"}), 0);
  EXPECT_EQ(Run({"KEYS", "*"}).elems.size(), 1u);
  EXPECT_EQ(Str({"TYPE", "k"}), "none");
  EXPECT_EQ(Int({"TTL", "k"}), -2);
}

TEST_F(ExpireFamily, ActiveExpiryCycleReclaimsUntouchedKeys) {
  for (int i = 0; i < 5000; ++i) Str({"SET", "k" + std::to_string(i), "v", "PX", "1000"});
  Str({"SET", "forever", "v"});
  AdvanceMs(1000);
  for (int round = 0; round < 100 && Int({"DBSIZE"}) > 1; ++round) {
    server_->ActiveExpireCycle(0, 1'000'000);
  }
  EXPECT_EQ(Int({"DBSIZE"}), 1);
  EXPECT_EQ(Str({"GET", "forever"}), "v");
}

}  // namespace
}  // namespace minired
