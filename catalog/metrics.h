// The catalog's counters and latency histograms, rendered in Prometheus's text format
// for GET /metrics. Thread-safe: every HTTP worker records into it.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <tuple>

namespace minired::client {
class NearCache;
}  // namespace minired::client

namespace minired::catalog {

// How a cached read went: found, not found (the database answered), or the cache
// failed (down, slow, or an error reply) and the database answered instead.
enum class CacheOutcome { kHit, kMiss, kError };

class Metrics {
 public:
  void ObserveRequest(std::string_view route, std::string_view method, int status, double seconds);
  void ObserveDbQuery(std::string_view query, double seconds, bool ok);
  void CacheRead(std::string_view kind, CacheOutcome outcome, uint64_t n = 1);
  // The near cache whose counters /metrics shows (set once at start-up; may be null).
  void SetNearCache(const client::NearCache* near) { near_ = near; }
  // A cache write or invalidation that failed (the entry expires by its TTL).
  void CacheWriteFailed() { cache_write_errors_.fetch_add(1, std::memory_order_relaxed); }
  // Requests that waited for another request's database query instead of running it.
  void StampedeWaited() { stampede_waits_.fetch_add(1, std::memory_order_relaxed); }
  // Product changes appended to the change feed's stream, and changes dropped from its
  // queue while the cache was unreachable (catalog/change_feed.h).
  void ChangesPublished(uint64_t n) { changes_published_.fetch_add(n, std::memory_order_relaxed); }
  void ChangesDropped(uint64_t n) { changes_dropped_.fetch_add(n, std::memory_order_relaxed); }
  // One write-back of `views` views to the database.
  void ViewsFlushed(int64_t views);

  std::string Render() const;

 private:
  static constexpr std::array<double, 14> kBuckets{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                   0.1,    0.25,  0.5,    1,     2.5,  5,    10};
  struct Histogram {
    std::array<uint64_t, kBuckets.size()> counts{};  // per bucket, not cumulative
    uint64_t count = 0;
    double sum = 0;
    void Observe(double v);
    void Render(std::string* out, std::string_view name, std::string_view labels) const;
  };

  mutable std::mutex mu_;
  std::map<std::tuple<std::string, std::string, int>, uint64_t> requests_;  // guarded by mu_
  std::map<std::string, Histogram> request_seconds_;                         // guarded by mu_
  std::map<std::pair<std::string, bool>, uint64_t> db_queries_;             // guarded by mu_
  std::map<std::string, Histogram> db_seconds_;                              // guarded by mu_
  std::map<std::pair<std::string, int>, uint64_t> cache_reads_;             // guarded by mu_
  const client::NearCache* near_ = nullptr;
  std::atomic<uint64_t> cache_write_errors_{0};
  std::atomic<uint64_t> stampede_waits_{0};
  std::atomic<uint64_t> changes_published_{0};
  std::atomic<uint64_t> changes_dropped_{0};
  std::atomic<uint64_t> views_flushed_{0};
  std::atomic<uint64_t> view_flushes_{0};
};

}  // namespace minired::catalog
