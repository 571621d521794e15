// LATENCY LATEST/HISTORY/RESET/GRAPH/DOCTOR: for each kind of event that can stall the
// server (a slow command, an expiry cycle, an eviction pass, an fsync, a snapshot), the
// last 160 seconds in which it took at least latency-monitor-threshold milliseconds,
// with its worst time ever. Samples within one second are merged keeping the worst, as
// Redis does. Threads record under the monitor's mutex, only for events already slow.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace minired {

struct LatencySample {
  int64_t time_s = 0;
  int64_t ms = 0;
};

struct LatencyEventSeries {
  static constexpr size_t kSamples = 160;
  std::array<LatencySample, kSamples> ring{};
  size_t next = 0;     // where the next sample goes
  int64_t max_ms = 0;  // worst ever (until RESET)
  // Oldest first.
  std::vector<LatencySample> History() const;
  const LatencySample* Latest() const;
};

class LatencyMonitor {
 public:
  // latency-monitor-threshold in milliseconds; 0 disables the monitor.
  explicit LatencyMonitor(const std::atomic<int64_t>* threshold_ms) : threshold_ms_(threshold_ms) {}

  // Records `ms` for `event` if the monitor is on and it reached the threshold.
  void Add(std::string_view event, int64_t ms, int64_t now_s);
  void Add(std::string_view event, std::chrono::steady_clock::duration took, int64_t now_s) {
    Add(event, std::chrono::duration_cast<std::chrono::milliseconds>(took).count(), now_s);
  }
  bool enabled() const { return threshold_ms_->load(std::memory_order_relaxed) > 0; }
  int64_t threshold_ms() const { return threshold_ms_->load(std::memory_order_relaxed); }

  std::map<std::string, LatencyEventSeries> Snapshot() const;
  // Clears the named events (all when empty); returns how many had data.
  size_t Reset(const std::vector<std::string>& events);

 private:
  const std::atomic<int64_t>* threshold_ms_;
  mutable std::mutex mu_;
  std::map<std::string, LatencyEventSeries, std::less<>> events_;  // guarded by mu_
};

// LATENCY GRAPH's drawing of one event's history; LATENCY DOCTOR's report.
std::string LatencyGraph(std::string_view event, const LatencyEventSeries& series, int64_t now_s);
std::string LatencyDoctor(const std::map<std::string, LatencyEventSeries>& events, int64_t threshold_ms);

}  // namespace minired
