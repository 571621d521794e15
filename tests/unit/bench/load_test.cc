// The load generator's pure parts: histogram buckets and percentiles, the Zipf
// sampler's distribution, and flag parsing.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "bench/load/bench_flags.h"
#include "bench/load/latency_histogram.h"
#include "bench/load/zipf.h"

namespace minired::bench {
namespace {

TEST(LatencyHistogram, BucketsAreContiguousAndWithinATenthOfAPercent) {
  size_t prev = 0;
  for (uint64_t v = 1; v < (1ULL << 40); v = v * 3 / 2 + 1) {
    size_t idx = LatencyHistogram::IndexOf(v);
    EXPECT_GE(idx, prev);
    prev = idx;
    uint64_t high = LatencyHistogram::HighestInBucket(idx);
    EXPECT_GE(high, v);
    EXPECT_LE(static_cast<double>(high - v), static_cast<double>(v) * 0.001 + 1) << v;
    EXPECT_EQ(LatencyHistogram::IndexOf(high), idx);
    EXPECT_EQ(LatencyHistogram::IndexOf(high + 1), idx + 1);
  }
}

TEST(LatencyHistogram, PercentilesOfAKnownDistribution) {
  LatencyHistogram h;
  for (uint64_t v = 1; v <= 100000; ++v) h.Record(v * 1000);  // 1 us .. 100 ms
  EXPECT_EQ(h.count(), 100000u);
  auto near = [](uint64_t got, double want) { return std::abs(static_cast<double>(got) - want) <= want * 0.001; };
  EXPECT_TRUE(near(h.ValueAtPercentile(50), 50e6)) << h.ValueAtPercentile(50);
  EXPECT_TRUE(near(h.ValueAtPercentile(99), 99e6)) << h.ValueAtPercentile(99);
  EXPECT_TRUE(near(h.ValueAtPercentile(99.9), 99.9e6)) << h.ValueAtPercentile(99.9);
  EXPECT_EQ(h.ValueAtPercentile(100), 100000000u);
  EXPECT_EQ(h.min(), 1000u);
  LatencyHistogram other;
  other.Record(5);
  h.Merge(other);
  EXPECT_EQ(h.count(), 100001u);
  EXPECT_EQ(h.min(), 5u);
  EXPECT_EQ(LatencyHistogram().ValueAtPercentile(99), 0u);
}

TEST(ZipfSampler, FrequenciesFollowTheExponent) {
  const uint64_t n = 1000;
  for (double s : {0.8, 1.0, 1.2}) {
    ZipfSampler z(n, s);
    std::mt19937_64 rng(7);
    std::uniform_real_distribution<double> u(0, 1);
    std::vector<uint64_t> counts(n + 1);
    const int samples = 400000;
    for (int i = 0; i < samples; ++i) {
      uint64_t k = z.Sample([&] { return u(rng); });
      ASSERT_GE(k, 1u);
      ASSERT_LE(k, n);
      ++counts[k];
    }
    double norm = 0;
    for (uint64_t k = 1; k <= n; ++k) norm += std::pow(static_cast<double>(k), -s);
    for (uint64_t k : {1, 2, 10}) {
      double expected = samples * std::pow(static_cast<double>(k), -s) / norm;
      EXPECT_NEAR(static_cast<double>(counts[k]), expected, expected * 0.05) << "s=" << s << " k=" << k;
    }
  }
}

TEST(BenchFlags, ParsesEveryFlagAndNamesTheBadOne) {
  BenchFlags f;
  EXPECT_EQ(ParseBenchFlags({"--host", "h", "--port", "7000", "--threads", "4", "--clients", "8",
                             "--pipeline", "16", "--duration", "2.5", "--keyspace", "1000",
                             "--value-size", "100", "--ratio", "1:3", "--zipf", "0.99", "--quiet"},
                            &f),
            "");
  EXPECT_EQ(f.port, 7000);
  EXPECT_EQ(f.threads, 4);
  EXPECT_EQ(f.pipeline, 16);
  EXPECT_DOUBLE_EQ(f.duration_s, 2.5);
  EXPECT_EQ(f.get_ratio, 3u);
  EXPECT_DOUBLE_EQ(f.zipf, 0.99);
  EXPECT_TRUE(f.quiet);
  for (std::vector<std::string> bad : std::vector<std::vector<std::string>>{
           {"--port", "0"}, {"--ratio", "0:0"}, {"--ratio", "3"}, {"--clients", "x"},
           {"--zipf", "-1"}, {"--duration", "0"}, {"--bogus", "1"}, {"--threads"}}) {
    BenchFlags g;
    std::string err = ParseBenchFlags(bad, &g);
    EXPECT_NE(err.find(bad[0]), std::string::npos) << err;
  }
  BenchFlags few;
  EXPECT_EQ(ParseBenchFlags({"--threads", "8", "--clients", "2"}, &few), "");
  EXPECT_EQ(few.threads, 2);  // never more threads than connections
}

}  // namespace
}  // namespace minired::bench
