#include "catalog/metrics.h"

#include <fmt/format.h>

#include "minired/near_cache.h"

namespace minired::catalog {

void Metrics::Histogram::Observe(double v) {
  for (size_t i = 0; i < kBuckets.size(); ++i) {
    if (v <= kBuckets[i]) {
      ++counts[i];
      break;
    }
  }
  ++count;
  sum += v;
}

void Metrics::Histogram::Render(std::string* out, std::string_view name, std::string_view labels) const {
  uint64_t cumulative = 0;
  std::string sep = labels.empty() ? "" : ",";
  for (size_t i = 0; i < kBuckets.size(); ++i) {
    cumulative += counts[i];
    *out += fmt::format("{}_bucket{{{}{}le=\"{}\"}} {}\n", name, labels, sep, kBuckets[i], cumulative);
  }
  *out += fmt::format("{}_bucket{{{}{}le=\"+Inf\"}} {}\n", name, labels, sep, count);
  *out += fmt::format("{}_sum{{{}}} {}\n", name, labels, sum);
  *out += fmt::format("{}_count{{{}}} {}\n", name, labels, count);
}

void Metrics::ObserveRequest(std::string_view route, std::string_view method, int status, double seconds) {
  std::lock_guard<std::mutex> l(mu_);
  ++requests_[{std::string(route), std::string(method), status}];
  request_seconds_[std::string(route)].Observe(seconds);
}

void Metrics::ObserveDbQuery(std::string_view query, double seconds, bool ok) {
  std::lock_guard<std::mutex> l(mu_);
  ++db_queries_[{std::string(query), ok}];
  db_seconds_[std::string(query)].Observe(seconds);
}

void Metrics::CacheRead(std::string_view kind, CacheOutcome outcome, uint64_t n) {
  if (n == 0) return;
  std::lock_guard<std::mutex> l(mu_);
  cache_reads_[{std::string(kind), static_cast<int>(outcome)}] += n;
}

void Metrics::ViewsFlushed(int64_t views) {
  view_flushes_.fetch_add(1, std::memory_order_relaxed);
  views_flushed_.fetch_add(static_cast<uint64_t>(views), std::memory_order_relaxed);
}

std::string Metrics::Render() const {
  std::string out;
  std::lock_guard<std::mutex> l(mu_);
  out += "# HELP catalog_http_requests_total HTTP requests answered, by route, method and status.\n";
  out += "# TYPE catalog_http_requests_total counter\n";
  for (const auto& [key, n] : requests_) {
    const auto& [route, method, status] = key;
    out += fmt::format("catalog_http_requests_total{{route=\"{}\",method=\"{}\",status=\"{}\"}} {}\n", route, method,
                       status, n);
  }
  out += "# HELP catalog_http_request_duration_seconds Time from request to response, by route.\n";
  out += "# TYPE catalog_http_request_duration_seconds histogram\n";
  for (const auto& [route, h] : request_seconds_) {
    h.Render(&out, "catalog_http_request_duration_seconds", fmt::format("route=\"{}\"", route));
  }
  out += "# HELP catalog_cache_reads_total Cache lookups by kind and result (error: answered from the database).\n";
  out += "# TYPE catalog_cache_reads_total counter\n";
  static constexpr const char* kOutcome[] = {"hit", "miss", "error"};
  for (const auto& [key, n] : cache_reads_) {
    out += fmt::format("catalog_cache_reads_total{{kind=\"{}\",result=\"{}\"}} {}\n", key.first, kOutcome[key.second],
                       n);
  }
  out += "# HELP catalog_cache_write_errors_total Cache fills and invalidations that failed.\n";
  out += "# TYPE catalog_cache_write_errors_total counter\n";
  out += fmt::format("catalog_cache_write_errors_total {}\n", cache_write_errors_.load());
  out += "# HELP catalog_changes_published_total Product changes appended to the catalog:changes stream.\n";
  out += "# TYPE catalog_changes_published_total counter\n";
  out += fmt::format("catalog_changes_published_total {}\n", changes_published_.load());
  out += "# HELP catalog_changes_dropped_total Changes dropped from the feed's queue while the cache was down.\n";
  out += "# TYPE catalog_changes_dropped_total counter\n";
  out += fmt::format("catalog_changes_dropped_total {}\n", changes_dropped_.load());
  out += "# HELP catalog_stampede_waits_total Requests that waited for another request's database query.\n";
  out += "# TYPE catalog_stampede_waits_total counter\n";
  out += fmt::format("catalog_stampede_waits_total {}\n", stampede_waits_.load());
  out += "# HELP catalog_db_queries_total Database queries by name and outcome.\n";
  out += "# TYPE catalog_db_queries_total counter\n";
  for (const auto& [key, n] : db_queries_) {
    out += fmt::format("catalog_db_queries_total{{query=\"{}\",ok=\"{}\"}} {}\n", key.first, key.second, n);
  }
  out += "# HELP catalog_db_query_duration_seconds Database query time by name.\n";
  out += "# TYPE catalog_db_query_duration_seconds histogram\n";
  for (const auto& [query, h] : db_seconds_) {
    h.Render(&out, "catalog_db_query_duration_seconds", fmt::format("query=\"{}\"", query));
  }
  out += "# HELP catalog_views_flushed_total Product views written back to the database.\n";
  out += "# TYPE catalog_views_flushed_total counter\n";
  out += fmt::format("catalog_views_flushed_total {}\n", views_flushed_.load());
  out += fmt::format("# TYPE catalog_view_flushes_total counter\ncatalog_view_flushes_total {}\n",
                     view_flushes_.load());
  if (near_ != nullptr) {
    const client::NearCache::Stats n = near_->stats();
    out += "# HELP catalog_near_cache_hits_total Cache keys answered from this process's near cache.\n";
    out += fmt::format("# TYPE catalog_near_cache_hits_total counter\ncatalog_near_cache_hits_total {}\n", n.hits);
    out += "# HELP catalog_near_cache_misses_total Cache keys the near cache read from the cache server.\n";
    out += fmt::format("# TYPE catalog_near_cache_misses_total counter\ncatalog_near_cache_misses_total {}\n", n.misses);
    out += "# HELP catalog_near_cache_invalidations_total Keys dropped because the cache server said they changed.\n";
    out += fmt::format("# TYPE catalog_near_cache_invalidations_total counter\ncatalog_near_cache_invalidations_total {}\n",
                       n.invalidations);
    out += "# HELP catalog_near_cache_flushes_total Times the near cache dropped everything (flush, lost link).\n";
    out += fmt::format("# TYPE catalog_near_cache_flushes_total counter\ncatalog_near_cache_flushes_total {}\n", n.flushes);
    out += fmt::format("# TYPE catalog_near_cache_entries gauge\ncatalog_near_cache_entries {}\n", n.entries);
    out += fmt::format("# TYPE catalog_near_cache_bytes gauge\ncatalog_near_cache_bytes {}\n", n.bytes);
  }
  return out;
}

}  // namespace minired::catalog
