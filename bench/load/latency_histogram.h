// A latency histogram in the manner of HdrHistogram: log-linear buckets with 1024
// linear steps per power of two, so any recorded value is reported within 0.1%, at a
// fixed 256 KiB and O(1) per record. One per load-generator thread, merged at the end.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace minired::bench {

class LatencyHistogram {
 public:
  LatencyHistogram();

  // Records one value (nanoseconds, or any unit up to 2^42).
  void Record(uint64_t value);
  void Merge(const LatencyHistogram& other);

  uint64_t count() const { return count_; }
  uint64_t min() const { return count_ ? min_ : 0; }
  uint64_t max() const { return max_; }
  double mean() const { return count_ ? static_cast<double>(sum_) / static_cast<double>(count_) : 0; }
  // The smallest recorded value v such that `percentile`% of values are <= v, given as
  // the highest value of its bucket (as HdrHistogram's value_at_percentile does).
  uint64_t ValueAtPercentile(double percentile) const;

  // Bucket arithmetic, exposed for the tests.
  static size_t IndexOf(uint64_t value);
  static uint64_t HighestInBucket(size_t index);

 private:
  std::vector<uint64_t> buckets_;
  uint64_t count_ = 0;
  uint64_t sum_ = 0;
  uint64_t min_ = UINT64_MAX;
  uint64_t max_ = 0;
};

}  // namespace minired::bench
