// Per-command call counts, time and latency distributions (INFO commandstats and
// latencystats, LATENCY HISTOGRAM) and error replies by code (INFO errorstats).
//
// Each I/O thread owns one CommandStats and is its only writer: a call is recorded with
// relaxed atomic load+store pairs and no lock, as ThreadStats' counters are. Readers
// (INFO, LATENCY) sum every thread's tables from any thread. The rare subcommand and
// error-code entries, created on first use, sit behind a mutex.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "server/stats.h"

namespace minired {

struct CommandSpec;
class CommandTable;

// A log-linear histogram of durations in nanoseconds: exact below 64 ns, then 64
// buckets per power of two (every value within 1.6% of its bucket's bounds), up to
// 2^40 ns (18 minutes; longer durations land in the last bucket).
class LatencyHistogram {
 public:
  static constexpr int kSubBits = 6;
  static constexpr int kMaxExponent = 40;
  static constexpr size_t kBuckets = static_cast<size_t>(kMaxExponent - kSubBits + 1) << kSubBits;

  void Record(uint64_t ns);
  // Adds every bucket's count into `sums` (sized kBuckets).
  void AddTo(std::vector<uint64_t>* sums) const;
  void Clear();

  static size_t BucketOf(uint64_t ns);
  // The largest value a bucket holds.
  static uint64_t BucketHighest(size_t bucket);

 private:
  std::atomic<uint64_t> counts_[kBuckets] = {};
};

// Percentile `p` (0..100) of summed bucket counts, in nanoseconds: the highest value of
// the bucket holding the p-th percent of samples (HdrHistogram's value_at_percentile).
uint64_t PercentileNs(const std::vector<uint64_t>& buckets, uint64_t total, double p);

struct CommandCounters {
  Counter calls;
  Counter ns;
  Counter rejected;  // refused before running (arity, NOAUTH, OOM, READONLY...)
  Counter failed;    // ran and answered an error
  // Allocated by the owning thread on the first recorded call, when latency tracking is on.
  std::atomic<LatencyHistogram*> histogram{nullptr};
  ~CommandCounters() { delete histogram.load(); }
};

// The subcommand a container command's call is counted under, lower case ("" when the
// command has none or args[1] is not one of them).
std::string SubcommandOfCall(const CommandSpec& spec, std::span<const std::string_view> args);

// The name commandstats reports a call under: "get", or "client|list" for a container's
// known subcommand.
std::string StatName(const CommandSpec& spec, std::string_view subcommand);

class CommandStats {
 public:
  explicit CommandStats(const CommandTable& table);

  // The counters a call of `spec` with `args` is charged to (its subcommand's for a
  // container command). Owning thread only.
  CommandCounters& For(const CommandSpec& spec, std::string_view subcommand);
  void RecordCall(CommandCounters& c, uint64_t ns, bool track_latency);
  void RecordError(std::string_view code);
  // CONFIG RESETSTAT, from any thread: zeroes every entry (a call recorded at the same
  // moment may survive the reset or be lost, never corrupt anything).
  void Reset();

  const std::string& NameOf(int index) const;

  // Readers, from any thread: visit every entry with a recorded call or rejection.
  template <typename F>
  void ForEach(F&& f) const;
  template <typename F>
  void ForEachError(F&& f) const {
    std::lock_guard<std::mutex> l(mu_);
    for (const auto& [code, count] : errors_) f(code, count->Get());
  }

 private:
  const CommandTable& table_;
  std::unique_ptr<CommandCounters[]> by_index_;
  size_t size_ = 0;
  mutable std::mutex mu_;
  std::map<std::string, std::unique_ptr<CommandCounters>, std::less<>> subcommands_;  // guarded by mu_
  std::map<std::string, std::unique_ptr<Counter>, std::less<>> errors_;  // guarded by mu_
};

// Redis keeps at most this many distinct error codes; later new ones are not tracked.
constexpr size_t kMaxErrorCodes = 128;

// The code errorstats files an error reply under: its first word ("ERR", "WRONGTYPE").
std::string_view ErrorCode(std::string_view error_text);

// Summed over threads, by stat name: what INFO and LATENCY HISTOGRAM print.
struct CommandTotals {
  uint64_t calls = 0, ns = 0, rejected = 0, failed = 0;
  uint64_t samples = 0;               // calls recorded in the histogram
  std::vector<uint64_t> histogram;    // empty when no histogram was recorded
};
std::map<std::string, CommandTotals> SumCommandStats(const std::vector<const CommandStats*>& threads);
std::map<std::string, uint64_t> SumErrorStats(const std::vector<const CommandStats*>& threads);

template <typename F>
void CommandStats::ForEach(F&& f) const {
  for (size_t i = 0; i < size_; ++i) f(static_cast<int>(i), std::string_view(), by_index_[i]);
  std::lock_guard<std::mutex> l(mu_);
  for (const auto& [name, c] : subcommands_) f(-1, std::string_view(name), *c);
}

}  // namespace minired
