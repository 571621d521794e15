// The pure parts of the observability features: histogram buckets and percentiles, the
// slow log's argument rules, MONITOR's quoting, the latency monitor's samples.
#include <gtest/gtest.h>

#include <numeric>
#include <string_view>
#include <vector>

#include "server/command_stats.h"
#include "server/latency_monitor.h"
#include "server/monitor.h"
#include "server/slowlog.h"

namespace minired {
namespace {

TEST(CommandLatencyHistogram, BucketsAreExactBelow64AndWithin2PercentAbove) {
  for (uint64_t v = 0; v < 64; ++v) {
    EXPECT_EQ(LatencyHistogram::BucketOf(v), v);
    EXPECT_EQ(LatencyHistogram::BucketHighest(v), v);
  }
  uint64_t previous_highest = 63;
  for (size_t b = 64; b < LatencyHistogram::kBuckets; ++b) {
    uint64_t highest = LatencyHistogram::BucketHighest(b);
    uint64_t lowest = previous_highest + 1;
    ASSERT_EQ(LatencyHistogram::BucketOf(lowest), b) << b;
    ASSERT_EQ(LatencyHistogram::BucketOf(highest), b) << b;
    ASSERT_LE(static_cast<double>(highest - lowest), static_cast<double>(lowest) / 64.0 + 1) << b;
    previous_highest = highest;
  }
  EXPECT_EQ(LatencyHistogram::BucketOf(UINT64_MAX), LatencyHistogram::kBuckets - 1);
}

TEST(CommandLatencyHistogram, PercentilesPickTheBucketHoldingThatShare) {
  LatencyHistogram h;
  for (int i = 0; i < 98; ++i) h.Record(1000);
  h.Record(50000);
  h.Record(2000000);
  std::vector<uint64_t> sums(LatencyHistogram::kBuckets, 0);
  h.AddTo(&sums);
  EXPECT_EQ(PercentileNs(sums, 100, 50), LatencyHistogram::BucketHighest(LatencyHistogram::BucketOf(1000)));
  EXPECT_EQ(PercentileNs(sums, 100, 99), LatencyHistogram::BucketHighest(LatencyHistogram::BucketOf(50000)));
  EXPECT_EQ(PercentileNs(sums, 100, 99.9), LatencyHistogram::BucketHighest(LatencyHistogram::BucketOf(2000000)));
  EXPECT_EQ(PercentileNs(sums, 0, 50), 0u);
  h.Clear();
  std::vector<uint64_t> zero(LatencyHistogram::kBuckets, 0);
  h.AddTo(&zero);
  EXPECT_EQ(std::accumulate(zero.begin(), zero.end(), uint64_t{0}), 0u);
}

TEST(ErrorCode, IsTheFirstWord) {
  EXPECT_EQ(ErrorCode("WRONGTYPE Operation against a key"), "WRONGTYPE");
  EXPECT_EQ(ErrorCode("ERR syntax error"), "ERR");
  EXPECT_EQ(ErrorCode("NOAUTH"), "NOAUTH");
}

std::vector<std::string> Args(std::vector<std::string_view> a) { return SlowLogArgs(a); }

TEST(SlowLogArgs, RedactsSecretsAndCutsLongCommands) {
  EXPECT_EQ(Args({"AUTH", "pw"}), (std::vector<std::string>{"AUTH", "(redacted)"}));
  EXPECT_EQ(Args({"auth", "user", "pw"}), (std::vector<std::string>{"auth", "(redacted)", "(redacted)"}));
  EXPECT_EQ(Args({"HELLO", "3", "AUTH", "u", "p", "SETNAME", "n"}),
            (std::vector<std::string>{"HELLO", "3", "AUTH", "(redacted)", "(redacted)", "SETNAME", "n"}));
  EXPECT_EQ(Args({"CONFIG", "SET", "maxmemory", "1mb", "requirepass", "x"}),
            (std::vector<std::string>{"CONFIG", "SET", "maxmemory", "1mb", "requirepass", "(redacted)"}));
  EXPECT_EQ(Args({"CONFIG", "SET", "masterauth", "y"}),
            (std::vector<std::string>{"CONFIG", "SET", "masterauth", "(redacted)"}));
  std::string big(200, 'a');
  EXPECT_EQ(Args({"SET", "k", big})[2], std::string(128, 'a') + "... (72 more bytes)");
  std::vector<std::string_view> many(40, "x");
  auto cut = SlowLogArgs(many);
  ASSERT_EQ(cut.size(), 32u);
  EXPECT_EQ(cut.back(), "... (9 more arguments)");
}

TEST(SlowLog, KeepsTheNewestUpToItsLength) {
  SlowLog log;
  for (int i = 0; i < 5; ++i) {
    SlowLogEntry e;
    e.duration_us = i;
    log.Push(std::move(e), 3);
  }
  EXPECT_EQ(log.size(), 3u);
  auto newest = log.Newest(-1);
  ASSERT_EQ(newest.size(), 3u);
  EXPECT_EQ(newest[0].id, 4);
  EXPECT_EQ(newest[2].id, 2);
  EXPECT_EQ(log.Newest(1).size(), 1u);
  log.Reset();
  EXPECT_EQ(log.size(), 0u);
  log.Push(SlowLogEntry{}, 3);
  EXPECT_EQ(log.Newest(10)[0].id, 5);  // ids keep growing across RESET, as Redis's
}

TEST(MonitorLine, QuotesAsRedisDoes) {
  std::vector<std::string_view> args = {"set", "a b", "x\"y\\\n\r\t\x01\xff"};
  EXPECT_EQ(MonitorLine(3, "127.0.0.1:5000", args, 1700000000123456),
            "1700000000.123456 [3 127.0.0.1:5000] \"set\" \"a b\" \"x\\\"y\\\\\\n\\r\\t\\x01\\xff\"");
  std::vector<std::string_view> auth = {"AUTH", "secret"};
  EXPECT_EQ(MonitorLine(0, "a:1", auth, 1000000), "1.000000 [0 a:1] \"AUTH\" \"(redacted)\"");
}

TEST(LatencyMonitor, MergesOneSecondAndKeepsTheWorst) {
  std::atomic<int64_t> threshold{10};
  LatencyMonitor m(&threshold);
  m.Add("command", 5, 100);  // below the threshold
  EXPECT_TRUE(m.Snapshot().empty());
  m.Add("command", 12, 100);
  m.Add("command", 30, 100);  // same second: one sample, the worst
  m.Add("command", 11, 101);
  auto s = m.Snapshot();
  auto h = s.at("command").History();
  ASSERT_EQ(h.size(), 2u);
  EXPECT_EQ(h[0].ms, 30);
  EXPECT_EQ(h[1].ms, 11);
  EXPECT_EQ(s.at("command").max_ms, 30);
  for (int i = 0; i < 200; ++i) m.Add("command", 20, 200 + i);
  EXPECT_EQ(m.Snapshot().at("command").History().size(), LatencyEventSeries::kSamples);
  EXPECT_EQ(m.Snapshot().at("command").History().front().time_s, 240);
  threshold = 0;  // off: nothing recorded
  m.Add("expire-cycle", 1000, 500);
  EXPECT_EQ(m.Snapshot().count("expire-cycle"), 0u);
  EXPECT_EQ(m.Reset({"nosuch"}), 0u);
  EXPECT_EQ(m.Reset({}), 1u);
}

}  // namespace
}  // namespace minired
