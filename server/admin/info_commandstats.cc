// INFO commandstats, errorstats and latencystats, with Redis's field names.
#include <fmt/format.h>

#include "server/admin/info.h"
#include "server/server.h"

namespace minired {

std::string CommandStatsSection(Server& s) {
  std::string out;
  for (const auto& [name, t] : SumCommandStats(s.command_stats())) {
    uint64_t us = t.ns / 1000;
    out += fmt::format("cmdstat_{}:calls={},usec={},usec_per_call={:.2f},rejected_calls={},failed_calls={}\r\n", name,
                       t.calls, us, t.calls ? static_cast<double>(us) / static_cast<double>(t.calls) : 0.0,
                       t.rejected, t.failed);
  }
  return out;
}

std::string ErrorStatsSection(Server& s) {
  std::string out;
  for (const auto& [code, n] : SumErrorStats(s.command_stats())) {
    out += fmt::format("errorstat_{}:count={}\r\n", code, n);
  }
  return out;
}

std::string LatencyStatsSection(Server& s) {
  std::vector<double> percentiles;
  {
    const ObservabilityConfig& o = s.config().observability;
    std::lock_guard<std::mutex> l(o.mu);
    percentiles = o.latency_percentiles;
  }
  std::string out;
  for (const auto& [name, t] : SumCommandStats(s.command_stats())) {
    if (t.samples == 0) continue;
    out += fmt::format("latency_percentiles_usec_{}:", name);
    for (size_t i = 0; i < percentiles.size(); ++i) {
      double us = static_cast<double>(PercentileNs(t.histogram, t.samples, percentiles[i])) / 1000.0;
      out += fmt::format("{}p{:g}={:.3f}", i ? "," : "", percentiles[i], us);
    }
    out += "\r\n";
  }
  return out;
}

}  // namespace minired
