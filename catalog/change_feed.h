// The catalog's change feed: every product write, once committed, is appended to the
// stream catalog:changes on the cache server, capped with XADD ... MAXLEN ~, so a
// search index or another service follows the catalog with a consumer group
// (XREADGROUP) instead of polling the database. docs/catalog.md shows a consumer.
//
// An entry's fields: op (created, updated or deleted), id, sku, category, at (when the
// change was committed, unix milliseconds), as the product is after the write (before,
// for a deletion).
//
// Order and delivery: writers queue their change while they hold the catalog's write
// lock, so the queue is in commit order; one sender at a time sends the queue's head in
// a pipeline and drops it only once acknowledged, so the stream's order is the commit
// order. A send that fails (cache down, slow) keeps the changes queued; the background
// thread retries every flush interval, and writers leave the sending to it until one
// succeeds. Delivery is at least once: a send that timed out
// after the server applied it is sent again, so a consumer treats a change it has seen
// (same id and at) as done. While the cache is unreachable the queue keeps at most as
// many changes as the stream would (the oldest are dropped and counted).
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <string_view>

#include "catalog/product.h"

namespace minired::catalog {

class Cache;
class Metrics;

inline constexpr std::string_view kChangesStream = "catalog:changes";

class ChangeFeed {
 public:
  // `max_len`: the stream's approximate cap (MAXLEN ~).
  ChangeFeed(Cache* cache, int64_t max_len, Metrics* metrics);

  // Queues a change. Call with the catalog's write lock held (commit order).
  void Record(std::string_view op, const Product& p);
  // Sends what is queued, oldest first; false when the cache failed (kept queued).
  bool Flush();
  // The same after a write, unless the last send failed: then the background thread's
  // Flush retries, and writers do not each wait for a cache that is down (as
  // Cache::Invalidate leaves owed invalidations to RetryInvalidations).
  void FlushAfterWrite();

 private:
  struct Change {
    std::string op, id, sku, category, at;
  };
  Cache* const cache_;
  const int64_t max_len_;
  Metrics* const metrics_;
  std::mutex queue_mu_;
  std::deque<Change> queue_;  // guarded by queue_mu_
  std::mutex send_mu_;        // one sender at a time: the stream keeps the queue's order
  std::atomic<bool> failing_{false};  // the last send failed
};

}  // namespace minired::catalog
