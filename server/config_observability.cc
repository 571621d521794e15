// Slow log, latency monitor and tracking, and client limits: slowlog-log-slower-than,
// slowlog-max-len, latency-monitor-threshold, latency-tracking,
// latency-tracking-info-percentiles, timeout, tcp-keepalive, client-query-buffer-limit.
#include <fmt/format.h>

#include <climits>
#include <sstream>

#include "protocol/numbers.h"
#include "server/config.h"

namespace minired {
namespace {

std::string FormatPercentile(double p) { return fmt::format("{:g}", p); }

ConfigOption PercentilesOption() {
  ConfigOption o;
  o.name = "latency-tracking-info-percentiles";
  o.mutable_at_runtime = true;
  o.multi_arg = true;  // "latency-tracking-info-percentiles 50 99" in a file, as Redis takes it
  o.get = [](const ServerConfig& c) {
    std::lock_guard<std::mutex> l(c.observability.mu);
    std::string out;
    for (double p : c.observability.latency_percentiles) {
      if (!out.empty()) out += ' ';
      out += FormatPercentile(p);
    }
    return out;
  };
  o.set = [](ServerConfig& c, const std::vector<std::string>& v) {
    std::vector<double> parsed;
    std::string all;
    for (const auto& part : v) all += part + " ";
    std::istringstream in(all);
    std::string word;
    while (in >> word) {
      auto p = ParseDouble(word);
      if (!p) return Status::InvalidArgument("Invalid latency-tracking-info-percentiles parameters");
      if (*p < 0.0 || *p > 100.0) {
        return Status::InvalidArgument("latency-tracking-info-percentiles parameters should sit between [0.0,100.0]");
      }
      parsed.push_back(*p);
    }
    std::lock_guard<std::mutex> l(c.observability.mu);
    c.observability.latency_percentiles = std::move(parsed);
    return Status::Ok();
  };
  return o;
}

}  // namespace

void AddObservabilityOptions(std::vector<ConfigOption>* opts) {
  opts->push_back(IntOption(
      "slowlog-log-slower-than", true, -1, INT64_MAX,
      [](const ServerConfig& c) { return c.observability.slowlog_slower_than_us.load(); },
      [](ServerConfig& c, int64_t v) { c.observability.slowlog_slower_than_us = v; }));
  opts->push_back(IntOption(
      "slowlog-max-len", true, 0, INT64_MAX, [](const ServerConfig& c) { return c.observability.slowlog_max_len.load(); },
      [](ServerConfig& c, int64_t v) { c.observability.slowlog_max_len = v; }));
  opts->push_back(IntOption(
      "latency-monitor-threshold", true, 0, INT64_MAX,
      [](const ServerConfig& c) { return c.observability.latency_monitor_threshold_ms.load(); },
      [](ServerConfig& c, int64_t v) { c.observability.latency_monitor_threshold_ms = v; }));
  opts->push_back(YesNoOption(
      "latency-tracking", true, [](const ServerConfig& c) { return c.observability.latency_tracking.load(); },
      [](ServerConfig& c, bool v) { c.observability.latency_tracking = v; }));
  opts->push_back(PercentilesOption());
  opts->push_back(IntOption(
      "busy-reply-threshold", true, 0, INT64_MAX,
      [](const ServerConfig& c) { return c.limits.busy_reply_threshold_ms.load(); },
      [](ServerConfig& c, int64_t v) { c.limits.busy_reply_threshold_ms = v; }, "lua-time-limit"));
  opts->push_back(IntOption(
      "timeout", true, 0, INT_MAX, [](const ServerConfig& c) { return c.limits.timeout_s.load(); },
      [](ServerConfig& c, int64_t v) { c.limits.timeout_s = v; }));
  opts->push_back(IntOption(
      "tcp-keepalive", true, 0, INT_MAX, [](const ServerConfig& c) { return c.limits.tcp_keepalive_s.load(); },
      [](ServerConfig& c, int64_t v) { c.limits.tcp_keepalive_s = v; }));
  {
    ConfigOption o;
    o.name = "client-query-buffer-limit";
    o.mutable_at_runtime = true;
    o.memory = true;
    o.get = [](const ServerConfig& c) { return Int64ToString(c.limits.query_buffer_limit.load()); };
    o.set = [](ServerConfig& c, const std::vector<std::string>& v) {
      int64_t n;
      if (!ParseMemory(v[0], &n)) return Status::InvalidArgument("argument must be a memory value");
      if (n < (1LL << 20)) {
        return Status::InvalidArgument("argument must be between 1048576 and 9223372036854775807 inclusive");
      }
      c.limits.query_buffer_limit = n;
      return Status::Ok();
    };
    opts->push_back(std::move(o));
  }
}

}  // namespace minired
