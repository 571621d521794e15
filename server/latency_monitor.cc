#include "server/latency_monitor.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace minired {

std::vector<LatencySample> LatencyEventSeries::History() const {
  std::vector<LatencySample> out;
  for (size_t i = 0; i < kSamples; ++i) {
    const LatencySample& s = ring[(next + i) % kSamples];
    if (s.time_s != 0) out.push_back(s);
  }
  return out;
}

const LatencySample* LatencyEventSeries::Latest() const {
  const LatencySample& s = ring[(next + kSamples - 1) % kSamples];
  return s.time_s == 0 ? nullptr : &s;
}

void LatencyMonitor::Add(std::string_view event, int64_t ms, int64_t now_s) {
  int64_t threshold = threshold_ms_->load(std::memory_order_relaxed);
  if (threshold <= 0 || ms < threshold) return;
  std::lock_guard<std::mutex> l(mu_);
  auto it = events_.find(event);
  if (it == events_.end()) it = events_.emplace(std::string(event), LatencyEventSeries()).first;
  LatencyEventSeries& s = it->second;
  s.max_ms = std::max(s.max_ms, ms);
  LatencySample& prev = s.ring[(s.next + LatencyEventSeries::kSamples - 1) % LatencyEventSeries::kSamples];
  if (prev.time_s == now_s) {
    prev.ms = std::max(prev.ms, ms);
    return;
  }
  s.ring[s.next] = LatencySample{now_s, ms};
  s.next = (s.next + 1) % LatencyEventSeries::kSamples;
}

std::map<std::string, LatencyEventSeries> LatencyMonitor::Snapshot() const {
  std::lock_guard<std::mutex> l(mu_);
  return {events_.begin(), events_.end()};
}

size_t LatencyMonitor::Reset(const std::vector<std::string>& events) {
  std::lock_guard<std::mutex> l(mu_);
  if (events.empty()) {
    size_t n = events_.size();
    events_.clear();
    return n;
  }
  size_t n = 0;
  for (const std::string& e : events) n += events_.erase(e);
  return n;
}

namespace {
std::string Age(int64_t seconds) {
  if (seconds < 60) return fmt::format("{}s", seconds);
  if (seconds < 3600) return fmt::format("{}m", seconds / 60);
  if (seconds < 86400) return fmt::format("{}h", seconds / 3600);
  return fmt::format("{}d", seconds / 86400);
}
}  // namespace

// Four rows, two levels each ('_' half, '|' full, '#' the top of the tallest columns),
// one column per sample, oldest left, with each sample's age written downwards beneath.
std::string LatencyGraph(std::string_view event, const LatencyEventSeries& series, int64_t now_s) {
  std::vector<LatencySample> h = series.History();
  int64_t low = INT64_MAX, high = 0;
  for (const auto& s : h) {
    low = std::min(low, s.ms);
    high = std::max(high, s.ms);
  }
  if (h.empty()) low = 0;
  std::string out = fmt::format("{} - high {} ms, low {} ms (all time high {} ms)\n", event, high, low, series.max_ms);
  out += std::string(80, '-') + "\n";
  constexpr int kRows = 4;
  std::vector<int> level;  // 1..2*kRows
  for (const auto& s : h) {
    int l = high == low ? 2 * kRows
                        : 1 + static_cast<int>((s.ms - low) * (2 * kRows - 1) / std::max<int64_t>(1, high - low));
    level.push_back(l);
  }
  for (int r = kRows - 1; r >= 0; --r) {
    for (int l : level) {
      if (l >= 2 * (r + 1)) out += l == 2 * kRows && r == kRows - 1 ? '#' : '|';
      else if (l == 2 * r + 1) out += '_';
      else out += ' ';
    }
    out += '\n';
  }
  std::vector<std::string> ages;
  size_t tallest = 0;
  for (const auto& s : h) {
    ages.push_back(Age(std::max<int64_t>(0, now_s - s.time_s)));
    tallest = std::max(tallest, ages.back().size());
  }
  out += '\n';
  for (size_t row = 0; row < tallest; ++row) {
    for (const auto& a : ages) out += row < a.size() ? a[row] : ' ';
    out += '\n';
  }
  return out;
}

std::string LatencyDoctor(const std::map<std::string, LatencyEventSeries>& events, int64_t threshold_ms) {
  if (threshold_ms <= 0) {
    return "I'm sorry, Dave, I can't do that. Latency monitoring is disabled in this Redis instance. You may use "
           "\"CONFIG SET latency-monitor-threshold <milliseconds>.\" in order to enable it. If we weren't in a deep "
           "space mission I'd suggest to take a look at https://redis.io/topics/latency-monitor.\n";
  }
  if (events.empty()) {
    return "Dave, no latency spike was observed during the lifetime of this Redis instance, not in the slightest "
           "bit. I honestly think you ought to sit down calmly, take a stress pill, and think things over.\n";
  }
  std::string out =
      "Dave, I have observed latency spikes in this minired instance. You don't mind talking about it, do you "
      "Dave?\n\n";
  int n = 0;
  for (const auto& [name, series] : events) {
    std::vector<LatencySample> h = series.History();
    if (h.empty()) continue;
    double sum = 0;
    for (const auto& s : h) sum += static_cast<double>(s.ms);
    double avg = sum / static_cast<double>(h.size());
    double dev = 0;
    for (const auto& s : h) dev += std::fabs(static_cast<double>(s.ms) - avg);
    dev /= static_cast<double>(h.size());
    double period = h.size() > 1 ? static_cast<double>(h.back().time_s - h.front().time_s) /
                                       static_cast<double>(h.size() - 1)
                                 : 0.0;
    out += fmt::format(
        "{}. {}: {} latency spikes (average {:.0f}ms, mean deviation {:.0f}ms, period {:.1f} sec). Worst all time "
        "event {}ms.\n",
        ++n, name, h.size(), avg, dev, period, series.max_ms);
  }
  out += "\nI have a few pieces of advice for you:\n\n";
  for (const auto& [name, series] : events) {
    if (name == "command" || name == "fast-command") {
      out += "- Check your slow log (SLOWLOG GET) for the commands that take long: O(N) commands on big values "
             "(KEYS, SMEMBERS, HGETALL, ZRANGE of whole sets, DEL of big keys without UNLINK) block their I/O "
             "thread.\n";
    } else if (name == "expire-cycle") {
      out += "- Many keys expire at the same time: spread their TTLs, or lower hz.\n";
    } else if (name == "eviction-cycle" || name == "eviction-del") {
      out += "- Eviction works hard: raise maxmemory, or write less while the cache is full.\n";
    } else if (name.rfind("aof-", 0) == 0) {
      out += "- The append-only log's writes or fsyncs are slow: check the disk, or use appendfsync everysec.\n";
    } else if (name.rfind("snapshot", 0) == 0) {
      out += "- Snapshots take long: check the disk and the snapshot's size.\n";
    }
  }
  out += fmt::format("\nSamples below latency-monitor-threshold ({} ms) are not recorded.\n", threshold_ms);
  return out;
}

}  // namespace minired
