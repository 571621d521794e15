#include "bench/load/latency_histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace minired::bench {

namespace {
constexpr int kLinearBits = 10;                    // 1024 steps per power of two
constexpr uint64_t kLinear = 1ULL << kLinearBits;
constexpr uint64_t kMaxValue = (1ULL << 42) - 1;   // ~73 minutes in nanoseconds
constexpr size_t kBuckets = (42 - kLinearBits + 1) * kLinear;
}  // namespace

LatencyHistogram::LatencyHistogram() : buckets_(kBuckets, 0) {}

size_t LatencyHistogram::IndexOf(uint64_t v) {
  v = std::min(v, kMaxValue);
  if (v < 2 * kLinear) return static_cast<size_t>(v);
  int exp = 63 - std::countl_zero(v);  // >= kLinearBits + 1
  int shift = exp - kLinearBits;
  return static_cast<size_t>(shift) * kLinear + static_cast<size_t>(v >> shift);
}

uint64_t LatencyHistogram::HighestInBucket(size_t index) {
  if (index < 2 * kLinear) return index;
  uint64_t shift = index / kLinear - 1;
  uint64_t mantissa = index % kLinear + kLinear;
  return ((mantissa + 1) << shift) - 1;
}

void LatencyHistogram::Record(uint64_t value) {
  ++buckets_[IndexOf(value)];
  ++count_;
  sum_ += value;
  min_ = std::min(min_, value);
  max_ = std::max(max_, value);
}

void LatencyHistogram::Merge(const LatencyHistogram& o) {
  for (size_t i = 0; i < buckets_.size(); ++i) buckets_[i] += o.buckets_[i];
  count_ += o.count_;
  sum_ += o.sum_;
  min_ = std::min(min_, o.min_);
  max_ = std::max(max_, o.max_);
}

uint64_t LatencyHistogram::ValueAtPercentile(double percentile) const {
  if (count_ == 0) return 0;
  double p = std::clamp(percentile, 0.0, 100.0);
  uint64_t rank = std::max<uint64_t>(1, static_cast<uint64_t>(std::ceil(p / 100.0 * static_cast<double>(count_))));
  uint64_t seen = 0;
  for (size_t i = 0; i < buckets_.size(); ++i) {
    seen += buckets_[i];
    if (seen >= rank) return std::min(HighestInBucket(i), max_);
  }
  return max_;
}

}  // namespace minired::bench
